// A reader that can never be read (its driver cannot load on this platform, its port is
// refused): offline with the reason, so the station shows why instead of failing to start.
import { RfidListeners } from './listeners.js';
import type { RfidEvent, RfidReader } from './rfid-reader-port.js';

export class UnavailableRfidReader implements RfidReader {
  private readonly listeners = new RfidListeners();

  constructor(readonly reason: string) {
    this.listeners.setOffline(reason);
  }

  subscribe(listener: (event: RfidEvent) => void): () => void {
    return this.listeners.subscribe(listener);
  }

  async close(): Promise<void> {
    this.listeners.close();
  }
}
