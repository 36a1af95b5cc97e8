// How each device is, as a technician checks it: one shape for every device, real or
// simulated (DeviceDiagnostics in the contract). Worked out from what every port
// already tells the brain (its events and its answers), so a driver adds nothing
// for it and a simulator is diagnosed exactly as the real device would be.
import type { Clock } from '../../devices/clock.js';
import type { ChargerController, ChargerStatus } from '../../devices/charger/charger-port.js';
import type { CardTerminal } from '../../devices/payment/card-terminal-port.js';
import type { ReceiptPrinter } from '../../devices/printer/receipt-printer-port.js';
import type { RfidReader } from '../../devices/rfid/rfid-reader-port.js';
import type { DeviceDiagnostics } from '../contract/snapshot.js';
import { errorMessage } from '../error-message.js';

/** One device's record, updated as it speaks and fails. */
export class DeviceRecord {
  private online = false;
  private firmware: string | null = null;
  private lastMessageAt: number | null = null;
  private errorCount = 0;
  private lastError: string | null = null;
  private readonly details: DeviceDiagnostics['details'] = {};

  constructor(
    private readonly kind: string,
    private readonly port: string | null,
    private readonly clock: Clock,
  ) {}

  /** Whether the device answered last (cheap: the screen's snapshot reads it every time). */
  get isOnline(): boolean {
    return this.online;
  }

  /** The device said something (an answer, an event): it is there. */
  heard(): void {
    this.online = true;
    this.lastMessageAt = this.clock.now();
  }

  /** The device failed or went away. */
  failed(reason: string): void {
    this.online = false;
    this.errorCount++;
    this.lastError = reason;
  }

  identify(firmware: string | null): void {
    this.firmware = firmware;
  }

  /** Counts something in the details (a controller's reboots). */
  bump(key: string): void {
    const value = this.details[key];
    this.details[key] = (typeof value === 'number' ? value : 0) + 1;
  }

  note(details: DeviceDiagnostics['details']): void {
    Object.assign(this.details, details);
  }

  view(): DeviceDiagnostics {
    return {
      kind: this.kind,
      online: this.online,
      port: this.port,
      firmware: this.firmware,
      lastMessageAt: this.lastMessageAt,
      errorCount: this.errorCount,
      lastError: this.lastError,
      details: { ...this.details },
    };
  }
}

function noteChargerStatus(record: DeviceRecord, status: ChargerStatus): void {
  if (!status.online) return;
  record.heard();
  record.note({ mode: status.fault ? 'fault' : status.mode, relayClosed: status.relayClosed, pilot: status.pilot, fault: status.fault, vehicleConnected: status.vehicleConnected });
}

/** Watches a charger controller; returns the unsubscribe. Its identity is asked once it answers. */
export function watchCharger(charger: ChargerController, record: DeviceRecord): () => void {
  let identified = false;
  const identify = () => {
    if (identified) return;
    identified = true;
    charger
      .info()
      .then((info) => {
        record.identify(info.firmware);
        record.note({ protocol: info.protocol ?? null, energyBackstop: info.backstop.energy, timeBackstop: info.backstop.time, maxCurrentA: info.maxCurrentA });
      })
      .catch(() => (identified = false)); // not reachable yet: asked again when it answers
  };
  const unsubscribe = charger.subscribe((event) => {
    if (event.type === 'offline') record.failed(event.reason);
    else if (event.type === 'status') noteChargerStatus(record, event.status);
    else record.heard();
    if (event.type === 'boot') record.bump('boots');
    if (event.type !== 'offline') identify();
  });
  charger
    .status()
    .then((status) => {
      noteChargerStatus(record, status);
      identify();
    })
    .catch((error) => record.failed(errorMessage(error)));
  return unsubscribe;
}

/** Watches a card terminal; returns the unsubscribe. */
export function watchTerminal(terminal: CardTerminal, record: DeviceRecord): () => void {
  record.heard(); // a terminal is taken as there until it says otherwise; its first answer confirms it
  return terminal.subscribe((event) => {
    if (event.type === 'offline') record.failed(event.reason);
    else record.heard();
    if (event.type === 'busy') record.note({ busy: event.busy });
  });
}

/** Watches an RFID reader; returns the unsubscribe. It is there once it says so (or reads a tag). */
export function watchRfid(reader: RfidReader, record: DeviceRecord): () => void {
  return reader.subscribe((event) => {
    if (event.type === 'offline') record.failed(event.reason);
    else record.heard();
    if (event.type === 'tag') record.bump('tags');
  });
}

/** Whether the printer can print now, as last read: there, with paper, its cover closed. */
export function printerCanPrint(record: DeviceRecord): boolean {
  const { details } = record.view();
  return record.isOnline && details.paper !== 'out' && details.coverOpen !== true;
}

/** Asks a printer how it is (at start-up, and on every sweep). */
export async function checkPrinter(printer: ReceiptPrinter, record: DeviceRecord): Promise<void> {
  try {
    const status = await printer.status();
    if (status.online) record.heard();
    else record.failed('the printer is offline');
    // A printer that does not answer status requests is printed to blind: paper and cover are then guesses, and it says why.
    record.note({ paper: status.paper, coverOpen: status.coverOpen, columns: printer.columns, statusUnknown: status.unknown ?? null });
    const driver = printer.diagnostics?.() as Partial<Record<string, string | number | boolean | null>> | undefined;
    if (driver) {
      const { statusAnswers, lateAnswers, unansweredRequests, strayBytes, printed, lastError } = driver;
      record.note({ statusAnswers: statusAnswers ?? null, lateAnswers: lateAnswers ?? null, unansweredRequests: unansweredRequests ?? null, strayBytes: strayBytes ?? null, printed: printed ?? null, driverLastError: lastError ?? null });
    }
  } catch (error) {
    record.failed(errorMessage(error));
  }
}
