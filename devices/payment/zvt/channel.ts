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

/**
 * The listeners of one channel, for its implementations: each is called in turn, and
 * one that throws keeps the APDU (or the close) from none of the others.
 */
export class ChannelListeners {
  private readonly apdus = new Set<(apdu: Uint8Array) => void>();
  private readonly closes = new Set<(reason: string) => void>();

  /** `failed` hears of a listener that threw (the channel logs it). */
  constructor(private readonly failed: (error: unknown, apdu: Uint8Array | null) => void = () => {}) {}

  onApdu(listener: (apdu: Uint8Array) => void): () => void {
    this.apdus.add(listener);
    return () => void this.apdus.delete(listener);
  }

  onClose(listener: (reason: string) => void): () => void {
    this.closes.add(listener);
    return () => void this.closes.delete(listener);
  }

  apdu(apdu: Uint8Array): void {
    for (const listener of [...this.apdus]) {
      try {
        listener(apdu);
      } catch (error) {
        this.failed(error, apdu);
      }
    }
  }

  closed(reason: string): void {
    for (const listener of [...this.closes]) {
      try {
        listener(reason);
      } catch (error) {
        this.failed(error, null);
      }
    }
  }
}
