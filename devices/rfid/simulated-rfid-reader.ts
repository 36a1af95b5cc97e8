// The simulated RFID reader of sim mode and the tests: a tag "presented" from the sim
// panel or a test is typed by a fake USB keyboard-wedge reader (fake-hid.ts) and read by
// the real USB reader driver (hid-reader.ts), so sim mode runs the same report decoding
// and UID parsing as a station with a reader.
import { systemClock, type Clock } from '../clock.js';
import { DeviceUnavailableError } from '../device-errors.js';
import { FakeHidDevice, FakeHidModule, type FakeHidVariant } from './fake-hid.js';
import { HidRfidReader } from './hid-reader.js';
import { RFID_UID } from './rfid-reader-port.js';
import type { RfidEvent, RfidReader } from './rfid-reader-port.js';

export const SIMULATED_READER = { vendorId: 0xffff, productId: 0x0035, path: 'sim-usb-1', manufacturer: 'Chargepoint Kiosk', product: 'simulated USB RFID reader' };

export interface SimulatedRfidReaderOptions {
  /** The driver's key timeout and the fake reader's typing (default: real time; it types at once). */
  clock?: Clock;
  /** How the fake reader types (default: hex, lower case, a release after each key). */
  variant?: FakeHidVariant;
}

export class SimulatedRfidReader implements RfidReader {
  /** The fake USB reader behind the driver (tests unplug it, or make it type otherwise). */
  readonly device: FakeHidDevice;
  readonly hid: FakeHidModule;
  private readonly reader: HidRfidReader;
  private closed = false;

  constructor(options: SimulatedRfidReaderOptions = {}) {
    const clock = options.clock ?? systemClock;
    this.device = new FakeHidDevice(SIMULATED_READER, { clock, variant: { typing: 'hex', ...options.variant } });
    this.hid = new FakeHidModule([this.device]);
    this.reader = new HidRfidReader({ hid: this.hid, vendorId: SIMULATED_READER.vendorId, productId: SIMULATED_READER.productId, format: 'hex', clock });
    this.reader.start();
  }

  get address(): string {
    return `${this.reader.address} (simulated)`;
  }

  get firmware(): string | null {
    return this.reader.firmware;
  }

  subscribe(listener: (event: RfidEvent) => void): () => void {
    return this.reader.subscribe(listener);
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.reader.close();
  }

  /** A card is held to the reader. The UID must be canonical (RFID_UID): 4, 5, 7 or 10 bytes, upper-case hex. */
  simPresent(uid: string): void {
    if (typeof uid !== 'string' || !RFID_UID.test(uid)) {
      throw new TypeError(`not a card UID (4, 5, 7 or 10 bytes as upper-case hex, like "1C78F2BF"): ${JSON.stringify(uid)}`);
    }
    if (this.closed) throw new DeviceUnavailableError('simulated RFID reader is closed');
    this.device.present(uid);
  }
}
