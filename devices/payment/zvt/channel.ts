// A connection to a ZVT peer that carries whole APDUs, whatever is underneath: the
// serial link layer (DLE STX … DLE ETX frames, ACK/NAK, retransmission), TCP (bare
// APDUs on port 20007) or memory (sim mode). The ECR driver and the terminal
// simulator speak to each other through this one interface.

export interface ApduChannel {
  /**
   * Sends one APDU. Resolves once the peer's link layer took it (serial: its ACK; TCP
   * and memory: written); rejects with a typed error when it cannot be delivered
   * (NAKed or unanswered after the retries, or the channel is closed).
   */
  send(apdu: Uint8Array): Promise<void>;
  /** Every APDU the peer sends, whole, in order. Returns the unsubscribe. */
  onApdu(listener: (apdu: Uint8Array) => void): () => void;
  /** The channel is gone (port closed, socket ended, peer vanished). Returns the unsubscribe. */
  onClose(listener: (reason: string) => void): () => void;
  close(): Promise<void>;
}
