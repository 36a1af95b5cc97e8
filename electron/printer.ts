// Builds the receipt printer the configuration names: in sim mode the ESC/POS driver
// into the ESC/POS simulator (its paper roll in simDir/printer-paper.txt), an ESC/POS
// printer on a serial port or a USB printer-class device, or none. A printer that is
// absent at start (or refused) is handed over offline and looked for again with
// backoff, never as a failed start: the station shows the reason in its diagnostics.
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Clock } from '../devices/clock.js';
import { DeviceUnavailableError } from '../devices/device-errors.js';
import { openEscPosSerial } from '../devices/printer/escpos-printer.js';
import type { PrinterStatus, ReceiptPrinter } from '../devices/printer/receipt-printer-port.js';
import { SimulatedPrinter } from '../devices/printer/simulated-printer.js';
import type { OpenPort } from '../devices/serial/serial-link.js';
import type { KioskConfig } from './config/config-schema.js';

export interface PrinterSetup {
  printer: ReceiptPrinter | null;
  /** The configured kind: 'simulated', 'escpos' or 'none'. */
  kind: string;
  /** Where the printer is, for the diagnostics: a device path, 'simulated', 'none'. */
  address: string;
  /** The simulator panel's printer; null for a real one. */
  sim: SimulatedPrinter | null;
  close(): Promise<void>;
}

export interface PrinterOptions {
  config: KioskConfig['devices']['printer'];
  /** Where the simulated printer's paper roll goes. */
  simDir: string;
  /** The simulated printer's print time. */
  clock: Clock;
  /** Status and print timeouts and the reopen backoff: real time even when `clock` runs fast. */
  linkClock?: Clock;
  log: Logger;
  /** Opens the printer's device (default: a tty through serialport, else a plain file). For tests. */
  openPort?: OpenPort;
}

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** A printer that cannot be used: offline with the reason, refuses every print. */
class UnavailablePrinter implements ReceiptPrinter {
  constructor(
    readonly columns: number,
    private readonly reason: string,
  ) {}

  async status(): Promise<PrinterStatus> {
    return { online: false, paper: 'ok', coverOpen: false, unknown: this.reason };
  }

  async print(): Promise<void> {
    throw new DeviceUnavailableError(`printer: ${this.reason}`);
  }

  async close(): Promise<void> {}
}

export async function createPrinter(options: PrinterOptions): Promise<PrinterSetup> {
  const { config, log } = options;
  const realTime = options.linkClock ?? options.clock;

  switch (config.kind) {
    case 'none':
      return { printer: null, kind: 'none', address: 'none', sim: null, close: async () => {} };

    case 'simulated': {
      try {
        const printer = new SimulatedPrinter({ clock: options.clock, columns: config.columns, outputFile: join(options.simDir, 'printer-paper.txt') });
        return { printer, kind: 'simulated', address: 'simulated', sim: printer, close: () => printer.close() };
      } catch (error) {
        log.error({ device: 'printer', reason: messageOf(error) }, 'printer cannot be used');
        const printer = new UnavailablePrinter(config.columns, messageOf(error));
        return { printer, kind: 'simulated', address: 'simulated', sim: null, close: () => printer.close() };
      }
    }

    case 'escpos': {
      try {
        const printer = await openEscPosSerial({
          path: config.path,
          baudRate: config.baudRate,
          columns: config.columns,
          clock: realTime,
          linkClock: realTime,
          log,
          openPort: options.openPort,
        });
        return { printer, kind: 'escpos', address: config.path, sim: null, close: () => printer.close() };
      } catch (error) {
        log.error({ device: 'printer', address: config.path, reason: messageOf(error) }, 'printer cannot be used');
        const printer = new UnavailablePrinter(config.columns, messageOf(error));
        return { printer, kind: 'escpos', address: config.path, sim: null, close: () => printer.close() };
      }
    }
  }
}
