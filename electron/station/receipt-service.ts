// The receipt a driver asks for on the summary: printed, as a QR code, or none. A
// print that fails falls back to the QR code, so the driver always leaves with one.
// With an e-receipt address (`receipts.urlTemplate`) the QR code holds the receipt's
// address; without, its essential lines as text, readable with no server.
import type { Logger } from 'pino';
import type { ReceiptPrinter } from '../../devices/printer/receipt-printer-port.js';
import type { KioskConfig } from '../config/config-schema.js';
import type { SessionSummary } from '../contract/snapshot.js';
import { buildReceipt } from '../billing/receipt.js';
import { receiptUrl } from '../receipts/receipt-record.js';
import { languageOf, localeFor, type Language } from '../contract/languages.js';
import { receiptTexts } from '../messages.js';

export type ReceiptChoice = 'print' | 'qr' | 'none';

export interface ReceiptOutcome {
  receipt: SessionSummary['receipt'];
  qr: string | null;
}

/** Line width of a receipt that is only shown as a QR code (no printer to fit). */
const QR_COLUMNS = 42;

export class ReceiptService {
  /** Constructed once at start-up (Station's constructor): a station without its operator's details is warned about then. */
  constructor(
    private readonly options: { config: KioskConfig; printer: ReceiptPrinter | null; log: Logger },
  ) {
    if (!options.config.operator) {
      options.log.warn('no operator in the configuration (operator: name, address, vatId): receipts name no operator and no VAT id');
    }
  }

  /**
   * `language`: the driver's (the station's own by default), its words and its way of
   * writing numbers and dates; `copy`: a reprint, marked as such on the paper.
   */
  async deliver(summary: SessionSummary, connectorLabel: string, choice: ReceiptChoice, how: { language?: Language; copy?: boolean } = {}): Promise<ReceiptOutcome> {
    const { config, printer, log } = this.options;
    const language = how.language ?? languageOf(config.station.locale);
    const built = () =>
      buildReceipt({
        // A summary saved before EVSE ids were kept: its connector's, as configured now.
        summary: { ...summary, evseId: summary.evseId ?? config.connectors.find((c) => c.label === connectorLabel)?.evseId ?? null },
        station: config.station,
        operator: config.operator ?? null,
        url: this.urlOf(summary),
        connectorLabel,
        currency: summary.currency,
        locale: localeFor(language, config.station.locale),
        timeZone: config.station.timeZone,
        columns: printer?.columns ?? QR_COLUMNS,
        texts: receiptTexts(language),
        copy: how.copy ?? false,
      });
    if (choice === 'none') return { receipt: 'none', qr: null };
    if (choice === 'qr' || !printer) return { receipt: 'qr', qr: built().qr };
    try {
      await printer.print(built().document);
      return { receipt: 'printed', qr: null };
    } catch (error) {
      log.error({ err: error, sessionId: summary.sessionId }, 'receipt could not be printed');
      return { receipt: 'printFailed', qr: built().qr };
    }
  }

  /** The receipt's e-receipt address; null without a template, or for a receipt issued with no number (an older kiosk's). */
  private urlOf(summary: SessionSummary): string | null {
    const template = this.options.config.receipts.urlTemplate;
    const number = summary.receiptNumber ?? null;
    const token = summary.receiptToken ?? null;
    return template === null || number === null || token === null ? null : receiptUrl(template, number, token);
  }
}
