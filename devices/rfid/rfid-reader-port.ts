// The port for an RFID/NFC card reader: USB keyboard-wedge readers (node-hid, opened
// exclusively), serial 125 kHz readers (RDM6300), and the simulated reader, which runs
// the same decoding code. Every reader hands over canonical UIDs (uid.ts).

export { RFID_UID } from './uid.js';

export type RfidEvent =
  /**
   * A card was held to the reader: its canonical UID. A card left on the reader is reported once.
   * `suffix`: the reader gives only the tag's last bytes (a USB reader typing the EM4100 print):
   * `uid` is those bytes, to match with `uidMatches({ uid, suffix: true }, tag)`, never as a whole UID.
   */
  | { type: 'tag'; uid: string; suffix?: true }
  /** The reader cannot be read (unplugged, no permission, the platform cannot open it): why, in words. */
  | { type: 'offline'; reason: string }
  | { type: 'online' };

export interface RfidReader {
  /** A new listener is first told the reader's current state ('online', or 'offline' with why), once it has one. */
  subscribe(listener: (event: RfidEvent) => void): () => void;
  close(): Promise<void>;
}
