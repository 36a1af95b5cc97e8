// A simulated RFID/NFC reader: a tag is "presented" from the sim panel or a test.
import { DeviceUnavailableError } from '../device-errors.js';
import { RFID_UID } from './rfid-reader-port.js';
import type { RfidEvent, RfidReader } from './rfid-reader-port.js';

export class SimulatedRfidReader implements RfidReader {
  private readonly listeners = new Set<(event: RfidEvent) => void>();
  private closed = false;

  subscribe(listener: (event: RfidEvent) => void): () => void {
    if (this.closed) return () => {};
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    this.listeners.clear();
  }

  /** A card is held to the reader. The UID must be as real readers report it (RFID_UID). */
  simPresent(uid: string): void {
    if (typeof uid !== 'string' || !RFID_UID.test(uid)) {
      throw new TypeError(`not a card UID (4, 7 or 10 bytes as upper-case hex): ${JSON.stringify(uid)}`);
    }
    if (this.closed) throw new DeviceUnavailableError('simulated RFID reader is closed');
    for (const listener of [...this.listeners]) {
      try {
        listener({ type: 'tag', uid });
      } catch (error) {
        // One listener's bug must not keep the others from the tag; it surfaces uncaught.
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }
}
