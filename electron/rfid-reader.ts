// Builds the RFID reader the configuration names: a USB keyboard-wedge reader through
// node-hid, an RDM6300 on a serial port, or in sim mode the USB driver fed by a fake USB
// reader. A reader that cannot be read (node-hid without its native part on this
// platform, a port absent or refused) is handed over offline with the reason, never as
// a failed start: the station shows the reason in its diagnostics.
import type { Logger } from 'pino';
import type { Clock } from '../devices/clock.js';
import { HidRfidReader } from '../devices/rfid/hid-reader.js';
import type { HidModule } from '../devices/rfid/hid-module.js';
import { openRdm6300Serial } from '../devices/rfid/rdm6300-reader.js';
import type { RfidReader } from '../devices/rfid/rfid-reader-port.js';
import { SimulatedRfidReader } from '../devices/rfid/simulated-rfid-reader.js';
import { UnavailableRfidReader } from '../devices/rfid/unavailable-reader.js';
import type { OpenPort } from '../devices/serial/serial-link.js';
import type { KioskConfig } from './config/config-schema.js';

export interface RfidReaderSetup {
  reader: RfidReader | null;
  /** The configured kind: 'simulated', 'hid', 'rdm6300' or 'none'. */
  kind: string;
  /** Where the reader is, for the diagnostics: "usb ffff:0035", a serial path, 'none'. */
  address: string;
  /** The reader's manufacturer and product strings where it names them (USB), else null. */
  firmware: string | null;
  /** The simulator panel's control; null for a real reader. */
  sim: { tap(uid: string): void } | null;
  close(): Promise<void>;
}

export interface RfidReaderOptions {
  config: KioskConfig['devices']['rfid'];
  clock: Clock;
  /** Key timeouts, repeat suppression, looks for the reader and port backoff: real time even when `clock` runs fast. */
  linkClock?: Clock;
  log: Logger;
  /** Loads node-hid (default: a dynamic import). For tests. */
  loadHid?: () => Promise<HidModule>;
  /** Opens the RDM6300's port (default serialport). For tests. */
  openPort?: OpenPort;
}

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

async function loadNodeHid(): Promise<HidModule> {
  const module = (await import('node-hid')) as unknown as HidModule & { default?: HidModule };
  return module.default ?? module;
}

function offline(kind: string, address: string, reason: string, log: Logger): RfidReaderSetup {
  log.error({ device: 'rfid reader', address, reason }, 'RFID reader cannot be used');
  const reader = new UnavailableRfidReader(reason);
  return { reader, kind, address, firmware: null, sim: null, close: () => reader.close() };
}

export async function createRfidReader(options: RfidReaderOptions): Promise<RfidReaderSetup> {
  const { config, log } = options;
  const clock = options.linkClock ?? options.clock;

  switch (config.kind) {
    case 'none':
      return { reader: null, kind: 'none', address: 'none', firmware: null, sim: null, close: async () => {} };

    case 'simulated': {
      const reader = new SimulatedRfidReader({ clock });
      return {
        reader,
        kind: 'simulated',
        address: reader.address,
        firmware: reader.firmware,
        sim: { tap: (uid) => reader.simPresent(uid) },
        close: () => reader.close(),
      };
    }

    case 'hid': {
      const hex4 = (id: number): string => id.toString(16).padStart(4, '0');
      const address = `usb ${hex4(config.vendorId)}:${hex4(config.productId)}`;
      let hid: HidModule;
      try {
        hid = await (options.loadHid ?? loadNodeHid)();
      } catch (error) {
        return offline('hid', address, `node-hid cannot be loaded on this platform (${process.platform}/${process.arch}): ${messageOf(error)}`, log);
      }
      const reader = new HidRfidReader({ hid, vendorId: config.vendorId, productId: config.productId, serialNumber: config.serialNumber, format: config.format, clock, log });
      reader.start();
      return {
        reader,
        kind: 'hid',
        address: reader.address,
        // Known once the reader has been found: read when asked.
        get firmware() {
          return reader.firmware;
        },
        sim: null,
        close: () => reader.close(),
      };
    }

    case 'rdm6300': {
      try {
        const reader = await openRdm6300Serial({ path: config.path, baudRate: config.baudRate, clock, log, openPort: options.openPort });
        return { reader, kind: 'rdm6300', address: config.path, firmware: null, sim: null, close: () => reader.close() };
      } catch (error) {
        return offline('rdm6300', config.path, messageOf(error), log);
      }
    }
  }
}
