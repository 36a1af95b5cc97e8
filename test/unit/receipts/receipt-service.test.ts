// The receipt service: the start-up warning for a station without its operator's
// details, and what the QR code holds with and without an e-receipt address.
import { describe, expect, it } from 'vitest';
import type { Logger } from 'pino';
import { KioskConfig, type KioskConfigInput } from '../../../electron/config/config-schema.js';
import type { ReceiptDocument, ReceiptPrinter } from '../../../devices/printer/receipt-printer-port.js';
import type { SessionSummary } from '../../../electron/contract/snapshot.js';
import { ReceiptService } from '../../../electron/station/receipt-service.js';
import { cardSummary } from './fixtures.js';

function service(input: KioskConfigInput, printer: ReceiptPrinter | null = null) {
  const warnings: string[] = [];
  const log = { warn: (...args: unknown[]) => warnings.push(String(args.at(-1))), error: () => {} } as unknown as Logger;
  return { receipts: new ReceiptService({ config: KioskConfig.parse(input), printer, log }), warnings };
}

const operator = { name: 'Example Energy GmbH', address: 'Hauptstraße 1, 10115 Berlin', vatId: 'DE123456789' };
const template = 'https://example.com/r/{receiptNumber}?k={token}';

describe('ReceiptService', () => {
  it('warns once, as it is made at start-up, when the configuration names no operator', () => {
    const without = service({});
    expect(without.warnings).toEqual(['no operator in the configuration (operator: name, address, vatId): receipts name no operator and no VAT id']);
    expect(service({ operator }).warnings).toEqual([]);
  });

  it('puts the e-receipt address in the QR code when there is a template and the receipt has a number', async () => {
    const { receipts } = service({ operator, receipts: { urlTemplate: template } });
    const numbered = cardSummary({ receiptNumber: 5, receiptToken: 'abcdefghijklmnopqrstuv' });
    expect(await receipts.deliver(numbered, '1', 'qr')).toEqual({ receipt: 'qr', qr: 'https://example.com/r/5?k=abcdefghijklmnopqrstuv' });
    // An older kiosk's summary has no number: its lines as text.
    const older = cardSummary() as Partial<SessionSummary>;
    delete older.receiptNumber;
    delete older.receiptToken;
    const { qr } = await receipts.deliver(older as SessionSummary, '1', 'qr');
    expect(qr).toMatch(/^Charging receipt\n/);
  });

  it('without a template, the QR code holds the lines as text', async () => {
    const { receipts } = service({ operator });
    const { qr } = await receipts.deliver(cardSummary({ receiptNumber: 5, receiptToken: 'abcdefghijklmnopqrstuv' }), '1', 'qr');
    expect(qr).toContain('Receipt no. 5');
    expect(qr).toContain('Example Energy GmbH');
    expect(qr).not.toContain('abcdefghijklmnopqrstuv');
  });

  it('prints the address as a QR code, and for a summary without an EVSE id the connector\'s configured one', async () => {
    const printed: ReceiptDocument[] = [];
    const printer: ReceiptPrinter = { columns: 42, status: async () => ({ online: true, paper: 'ok', coverOpen: false }), print: async (d) => void printed.push(d), close: async () => {} };
    const { receipts } = service({ operator, receipts: { urlTemplate: template }, connectors: [{ id: 1, label: 'A', evseId: 'DE*ABC*E9*1' }] }, printer);
    expect(await receipts.deliver(cardSummary({ receiptNumber: 9, receiptToken: 'tok', evseId: null }), 'A', 'print')).toEqual({ receipt: 'printed', qr: null });
    expect(printed[0]!.qr).toBe('https://example.com/r/9?k=tok');
    expect(printed[0]!.lines).toContain('EVSE ID                        DE*ABC*E9*1');
  });
});
