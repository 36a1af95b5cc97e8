// The receipt a driver asks for on the summary: printed, as a QR code, or none. A
// print that fails falls back to the QR code, so the driver always leaves with one.
import type { Logger } from 'pino';
import type { ReceiptPrinter } from '../../devices/printer/receipt-printer-port.js';
import type { KioskConfig } from '../config/config-schema.js';
import type { SessionSummary } from '../contract/snapshot.js';
import { buildReceipt, type ReceiptTexts } from '../billing/receipt.js';

export type ReceiptChoice = 'print' | 'qr' | 'none';

export interface ReceiptOutcome {
  receipt: SessionSummary['receipt'];
  qr: string | null;
}

/** Line width of a receipt that is only shown as a QR code (no printer to fit). */
const QR_COLUMNS = 42;

export class ReceiptService {
  constructor(
    private readonly options: { config: KioskConfig; printer: ReceiptPrinter | null; texts: ReceiptTexts; log: Logger },
  ) {}

  async deliver(summary: SessionSummary, connectorLabel: string, choice: ReceiptChoice): Promise<ReceiptOutcome> {
    const { config, printer, texts, log } = this.options;
    const built = () =>
      buildReceipt({
        summary,
        station: config.station,
        connectorLabel,
        currency: summary.currency,
        locale: config.station.locale,
        timeZone: config.station.timeZone,
        columns: printer?.columns ?? QR_COLUMNS,
        texts,
      });
    if (choice === 'none') return { receipt: 'none', qr: null };
    if (choice === 'qr' || !printer) return { receipt: 'qr', qr: built().qrText };
    try {
      await printer.print(built().document);
      return { receipt: 'printed', qr: null };
    } catch (error) {
      log.error({ err: error, sessionId: summary.sessionId }, 'receipt could not be printed');
      return { receipt: 'printFailed', qr: built().qrText };
    }
  }
}
