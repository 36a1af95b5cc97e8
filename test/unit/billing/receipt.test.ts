import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import type { CostLine, SessionSummary, VatRateTotal } from '../../../electron/contract/snapshot.js';
import { QR_MAX_CHARS, buildReceipt, maskPan, scrubPans, type ReceiptTexts } from '../../../electron/billing/receipt.js';
import { LANGUAGES } from '../../../electron/contract/languages.js';
import { receiptTexts } from '../../../electron/messages.js';

const englishReceiptTexts = receiptTexts('en');
import { formatMinor } from '../../../electron/billing/decimal.js';

const station = { id: 'KIOSK-0001', name: 'Chargepoint Kiosk', helpLine: '+49 30 1234 5678' };

/** A line at a VAT rate, its net and VAT split from its gross as the engine does (half up). */
function line(kind: CostLine['kind'], quantity: number, unitPrice: string, amountMinor: number, vatPercent: string | null = '19'): CostLine {
  const unit: CostLine['unit'] = kind === 'energy' ? 'kWh' : kind === 'time' || kind === 'parking' ? 'hour' : 'session';
  const netMinor = vatPercent === null ? amountMinor : Math.round((amountMinor * 100) / (100 + Number(vatPercent)));
  return { kind, quantity, unit, unitPrice, vatPercent, amountMinor, netMinor, vatMinor: amountMinor - netMinor };
}

/** The totals of a summary as the contract has them: the sums of its lines, per VAT rate in the order the rates first appear. */
function totalsOf(lines: CostLine[]): Pick<SessionSummary, 'costMinor' | 'netMinor' | 'vatMinor' | 'vatRates'> {
  const rates = new Map<string, VatRateTotal>();
  for (const l of lines) {
    const rate = rates.get(l.vatPercent ?? '') ?? { vatPercent: l.vatPercent, netMinor: 0, vatMinor: 0, grossMinor: 0 };
    rate.netMinor += l.netMinor;
    rate.vatMinor += l.vatMinor;
    rate.grossMinor += l.amountMinor;
    rates.set(l.vatPercent ?? '', rate);
  }
  const sum = (key: 'amountMinor' | 'netMinor' | 'vatMinor') => lines.reduce((total, l) => total + l[key], 0);
  return { costMinor: sum('amountMinor'), netMinor: sum('netMinor'), vatMinor: sum('vatMinor'), vatRates: [...rates.values()] };
}

// 10 kWh at €0.3450/kWh incl. 19 % VAT (0.2899 net) + a €0.50 session fee: 3.45 + 0.50 = 3.95, net 2.90 + 0.42 = 3.32, VAT 0.63.
const LINES: CostLine[] = [line('energy', 10_000, '0.3450', 345), line('flat', 1, '0.50', 50)];

function summaryOf(overrides: Partial<SessionSummary> = {}): SessionSummary {
  const lines = overrides.lines ?? LINES;
  const totals = totalsOf(lines);
  return {
    sessionId: '3f2a9c1e-7b4d-4e21-9a0f-1c2d3e4f5a6b',
    currency: 'EUR',
    method: 'card',
    maskedPan: '************1234',
    startedAt: Date.UTC(2025, 2, 14, 9, 26, 5),
    endedAt: Date.UTC(2025, 2, 14, 10, 28, 8),
    energyWh: 10_000,
    durationS: 3723,
    chargingS: 3600,
    ...totals,
    capturedMinor: totals.costMinor,
    account: null,
    writtenOffMinor: 0,
    noCharge: false,
    parkingCapped: false,
    lines,
    stopReason: 'driver',
    receipt: 'pending',
    receiptQr: null,
    ...overrides,
  };
}

const base = { station, connectorLabel: '1', currency: 'EUR', locale: 'en', columns: 42, texts: englishReceiptTexts, timeZone: 'UTC' };
const width = (line: string) => [...line].length;
/** A label and its value on one 42-column line. */
const row = (label: string, value: string) => label + ' '.repeat(42 - width(label) - width(value)) + value;

describe('buildReceipt: an example', () => {
  it('lays out a 42-column receipt: each line with quantity × unit price, the net, the VAT per rate, the total', () => {
    // 10 kWh at €0.3450/kWh incl. 19 % VAT + a €0.50 session fee → 3.95, net 3.32, VAT 0.63.
    const { document, qrText } = buildReceipt({ ...base, summary: summaryOf() });
    expect(document.lines).toEqual([
      '             Charging receipt',
      '            Chargepoint Kiosk',
      'Station                         KIOSK-0001',
      'Start                     2025-03-14 09:26',
      'End                       2025-03-14 10:28',
      'Session',
      '      3f2a9c1e-7b4d-4e21-9a0f-1c2d3e4f5a6b',
      'Connector                                1',
      'Energy                           10.00 kWh',
      'Duration                           1:02:03',
      'Time charging                      1:00:00',
      'Time parked                        0:02:03',
      '-'.repeat(42),
      'Energy 10.00 kWh × €0.3450/kWh       €3.45',
      'Session fee                          €0.50',
      '-'.repeat(42),
      'Net                                  €3.32',
      'VAT 19%                              €0.63',
      'Total                                €3.95',
      '-'.repeat(42),
      'Paid by card                     **** 1234',
      'Amount taken                         €3.95',
      '-'.repeat(42),
      'Help                      +49 30 1234 5678',
    ]);
    expect(document.qr).toBeUndefined();
    expect(qrText).toBe(
      [
        'Charging receipt',
        'Chargepoint Kiosk',
        'Station KIOSK-0001',
        'Start 2025-03-14 09:26',
        'End 2025-03-14 10:28',
        'Session 3f2a9c1e-7b4d-4e21-9a0f-1c2d3e4f5a6b',
        'Connector 1',
        'Energy 10.00 kWh',
        'Duration 1:02:03',
        'Time charging 1:00:00',
        'Time parked 0:02:03',
        'Energy 10.00 kWh × €0.3450/kWh €3.45',
        'Session fee €0.50',
        'Net €3.32',
        'VAT 19% €0.63',
        'Total €3.95',
        'Paid by card **** 1234',
        'Amount taken €3.95',
        'Help +49 30 1234 5678',
      ].join('\n'),
    );
  });

  it('lists a session in parts: day and night energy, time per minute, the idle fee, two VAT rates and a no-VAT line', () => {
    const lines = [
      line('energy', 4_000, '0.39', 156),
      line('energy', 1_500, '0.29', 44),
      line('time', 1_800, '0.60', 30), // €0.60/h is exactly €0.01/min
      line('parking', 90, '0.70', 2, '7'), // €0.70/h is no whole number of €0.0001/min: per hour
      line('flat', 1, '0.50', 50, null),
    ];
    const summary = summaryOf({ lines, energyWh: 5_500 });
    expect(summary.costMinor).toBe(282);
    const { document, qrText } = buildReceipt({ ...base, summary });
    const from = document.lines.indexOf('Energy 4.00 kWh × €0.39/kWh          €1.56');
    expect(document.lines.slice(from, from + 11)).toEqual([
      'Energy 4.00 kWh × €0.39/kWh          €1.56',
      'Energy 1.50 kWh × €0.29/kWh          €0.44',
      'Charging time 0:30:00 × €0.01/min    €0.30',
      'Idle fee 0:01:30 × €0.70/h           €0.02',
      'Session fee                          €0.50',
      '-'.repeat(42),
      'Net                                  €2.45',
      'VAT 19%                              €0.37',
      'VAT 7%                               €0.00',
      'No VAT                               €0.00',
      'Total                                €2.82',
    ]);
    expect(qrText).toContain('Charging time 0:30:00 × €0.01/min €0.30\nIdle fee 0:01:30 × €0.70/h €0.02');
    expect(qrText).toContain('Net €2.45\nVAT 19% €0.37\nVAT 7% €0.00\nNo VAT €0.00\nTotal €2.82');
  });

  it('labels the adjustment lines of the minimum price and the price cap', () => {
    const min = summaryOf({ lines: [line('energy', 1_000, '0.39', 39), line('minPrice', 1, '', 161)] });
    expect(min.costMinor).toBe(200);
    const minLines = buildReceipt({ ...base, summary: min }).document.lines;
    expect(minLines).toContain('Minimum price                        €1.61');
    expect(minLines).toContain('Total                                €2.00');
    const cap = summaryOf({ lines: [line('energy', 100_000, '0.39', 3900), line('maxPrice', 1, '', -900)] });
    const capLines = buildReceipt({ ...base, summary: cap }).document.lines;
    expect(capLines).toContain('Price cap                           -€9.00');
    expect(capLines).toContain('Total                               €30.00');
  });

  it('puts quantity × unit price under the labels, indented, on narrow paper', () => {
    const { document } = buildReceipt({ ...base, columns: 32, summary: summaryOf() });
    const from = document.lines.indexOf('Energy                     €3.45');
    expect(document.lines.slice(from, from + 3)).toEqual(['Energy                     €3.45', '  10.00 kWh × €0.3450/kWh', 'Session fee                €0.50']);
  });

  it('shows energy with the one rounding of every screen: kWh to 0.01, half up', () => {
    const summary = summaryOf({ energyWh: 15, lines: [line('energy', 15, '0.3450', 1)] });
    const { document } = buildReceipt({ ...base, summary });
    expect(document.lines).toContain('Energy                            0.02 kWh');
    expect(document.lines).toContain('Energy 0.02 kWh × €0.3450/kWh        €0.01');
  });

  it('shows the priced cost, the amount taken and the write-off when the hold was too small', () => {
    const lines = [line('energy', 145_275, '0.3450', 5012)];
    const { document } = buildReceipt({ ...base, summary: summaryOf({ lines, capturedMinor: 5000, writtenOffMinor: 12 }) });
    const tail = document.lines.slice(document.lines.indexOf('Paid by card                     **** 1234'));
    expect(tail.slice(0, 4)).toEqual([
      'Paid by card                     **** 1234',
      'Cost of charging                    €50.12',
      'Amount taken                        €50.00',
      'Written off                          €0.12',
    ]);
  });

  it('states "No charge" and lists no cost lines when nothing was delivered', () => {
    const summary = summaryOf({ energyWh: 0, chargingS: 0, capturedMinor: 0, noCharge: true, lines: [] });
    const { document, qrText } = buildReceipt({ ...base, summary });
    expect(document.lines.slice(document.lines.indexOf('Energy                            0.00 kWh'))).toEqual([
      'Energy                            0.00 kWh',
      'Duration                           1:02:03',
      'Time charging                      0:00:00',
      'Time parked                        1:02:03',
      '-'.repeat(42),
      'No charge',
      '-'.repeat(42),
      'Total                                €0.00',
      '-'.repeat(42),
      'Paid by card                     **** 1234',
      'Amount taken                         €0.00',
      '-'.repeat(42),
      'Help                      +49 30 1234 5678',
    ]);
    expect(qrText).toContain('No charge\nTotal €0.00\nPaid by card **** 1234\nAmount taken €0.00');
    expect(qrText).not.toContain('Net ');
    expect(qrText).not.toContain('VAT ');
  });

  it('states "No charge" even if the summary still carries lines, and never lists them', () => {
    // The contract says a no-charge summary has no lines; the receipt does not rely on it.
    const { document } = buildReceipt({
      ...base,
      summary: summaryOf({ noCharge: true, costMinor: 0, netMinor: 0, vatMinor: 0, capturedMinor: 0 }),
    });
    expect(document.lines).toContain('No charge');
    expect(document.lines.join('\n')).not.toContain('Session fee');
    expect(document.lines.join('\n')).not.toMatch(/^Energy 10\.00 kWh ×/m);
  });

  it('formats money, unit prices, energy and time for the locale; times and dates stay ISO-like', () => {
    const summary = summaryOf({
      energyWh: 12_345, // 12.345 kWh → 12.35 (half up)
      lines: [line('energy', 12_345, '0.3450', 426), line('time', 5400, '1.20', 180), line('parking', 90, '6.00', 15)],
    });
    const { document } = buildReceipt({ ...base, locale: 'de', summary });
    expect(document.lines).toContain('Energy                           12,35 kWh');
    const nbsp = '\u00a0';
    expect(document.lines).toContain(row(`Energy 12,35 kWh × 0,3450${nbsp}€/kWh`, `4,26${nbsp}€`));
    expect(document.lines).toContain(row(`Charging time 1:30:00 × 0,02${nbsp}€/min`, `1,80${nbsp}€`));
    expect(document.lines).toContain(row(`Idle fee 0:01:30 × 0,10${nbsp}€/min`, `0,15${nbsp}€`));
    expect(document.lines).toContain(row(`VAT 19${nbsp}%`, `0,99${nbsp}€`));
    expect(document.lines).toContain('Start                     2025-03-14 09:26');
  });

  it('shows the dates in the given time zone', () => {
    const { document } = buildReceipt({ ...base, timeZone: 'Europe/Berlin', summary: summaryOf() });
    expect(document.lines).toContain('Start                     2025-03-14 10:26');
  });

  it('formats yen without decimals', () => {
    const lines = [line('energy', 10_000, '53', 530), line('flat', 1, '55', 55)];
    const { qrText } = buildReceipt({ ...base, currency: 'JPY', summary: summaryOf({ lines }) });
    expect(qrText).toContain('Energy 10.00 kWh × ¥53/kWh ¥530');
    expect(qrText).toContain('Total ¥585');
    expect(qrText).toContain('Net ¥491');
    expect(qrText).toContain('VAT 19% ¥94');
  });

  it('says "paid by card" without a number when the terminal gave none', () => {
    const { document } = buildReceipt({ ...base, summary: summaryOf({ maskedPan: null }) });
    expect(document.lines).toContain('Paid by card');
    expect(document.lines.join('\n')).not.toContain('****');
  });

  it('names the station card\'s account and, for a prepaid card, its new balance; never "paid by card"', () => {
    const prepaid = buildReceipt({ ...base, summary: summaryOf({ method: 'prepaid', maskedPan: null, account: { name: 'Ann Example', type: 'prepaid', balanceMinor: 1605 } }) });
    const text = prepaid.document.lines.join('\n');
    expect(text).toMatch(/Station card\s+Ann Example/);
    expect(text).toMatch(/New balance\s+€16\.05/);
    expect(text).not.toContain('Paid by card');
    expect(prepaid.qrText).toContain('New balance €16.05');
    const onAccount = buildReceipt({ ...base, summary: summaryOf({ method: 'account', maskedPan: null, account: { name: 'Fleet', type: 'account', balanceMinor: null } }) }).document.lines.join('\n');
    expect(onAccount).toMatch(/On account\s+Fleet/);
    expect(onAccount).not.toContain('New balance');
  });
});

describe('buildReceipt: what a receipt must show', () => {
  const operator = { name: 'Example Energy GmbH', address: 'Hauptstraße 1, 10115 Berlin', vatId: 'DE123456789' };
  /** A bank-card session as a receipt-numbering kiosk summarises it, with the terminal's approval code and its own lines. */
  const cardSession = summaryOf({
    receiptNumber: 42,
    receiptToken: 'AAAAAAAAAAAAAAAAAAAAAA',
    meterStartWh: 12_345_678,
    meterStopWh: 12_355_678,
    parkingS: 123,
    authCode: '123456',
    terminalReceipt: ['      KUNDENBELEG', 'Terminal-ID    12345678', 'VISA        411111******1234', 'Genehmigungs-Nr.   123456'],
    evseId: 'DE*ABC*E1234*1',
  });

  it('lays out a bank-card receipt: operator, number, station, EVSE, connector, times, meter, durations, lines, totals, card, auth code, terminal lines', () => {
    const { document, qrText, qr } = buildReceipt({ ...base, operator, summary: cardSession });
    expect(document.lines).toEqual([
      '             Charging receipt',
      '            Chargepoint Kiosk',
      '           Example Energy GmbH',
      '       Hauptstraße 1, 10115 Berlin',
      'VAT ID                         DE123456789',
      'Receipt no.                             42',
      'Station                         KIOSK-0001',
      'EVSE ID                     DE*ABC*E1234*1',
      'Start                     2025-03-14 09:26',
      'End                       2025-03-14 10:28',
      'Session',
      '      3f2a9c1e-7b4d-4e21-9a0f-1c2d3e4f5a6b',
      'Connector                                1',
      'Meter at start              12,345.678 kWh',
      'Meter at end                12,355.678 kWh',
      'Energy                           10.00 kWh',
      'Duration                           1:02:03',
      'Time charging                      1:00:00',
      'Time parked                        0:02:03',
      '-'.repeat(42),
      'Energy 10.00 kWh × €0.3450/kWh       €3.45',
      'Session fee                          €0.50',
      '-'.repeat(42),
      'Net                                  €3.32',
      'VAT 19%                              €0.63',
      'Total                                €3.95',
      '-'.repeat(42),
      'Paid by card                     **** 1234',
      'Auth code                           123456',
      'Amount taken                         €3.95',
      '-'.repeat(42),
      '      KUNDENBELEG',
      'Terminal-ID    12345678',
      'VISA        411111******1234',
      'Genehmigungs-Nr.   123456',
      '-'.repeat(42),
      'Help                      +49 30 1234 5678',
    ]);
    // No e-receipt address: the QR code holds the text, nothing is printed as a QR code.
    expect(document.qr).toBeUndefined();
    expect(qr).toBe(qrText);
    expect(qrText).toBe(
      [
        'Charging receipt',
        'Chargepoint Kiosk',
        'Example Energy GmbH',
        'Hauptstraße 1, 10115 Berlin',
        'VAT ID DE123456789',
        'Receipt no. 42',
        'Station KIOSK-0001',
        'EVSE ID DE*ABC*E1234*1',
        'Start 2025-03-14 09:26',
        'End 2025-03-14 10:28',
        'Session 3f2a9c1e-7b4d-4e21-9a0f-1c2d3e4f5a6b',
        'Connector 1',
        'Meter at start 12,345.678 kWh',
        'Meter at end 12,355.678 kWh',
        'Energy 10.00 kWh',
        'Duration 1:02:03',
        'Time charging 1:00:00',
        'Time parked 0:02:03',
        'Energy 10.00 kWh × €0.3450/kWh €3.45',
        'Session fee €0.50',
        'Net €3.32',
        'VAT 19% €0.63',
        'Total €3.95',
        'Paid by card **** 1234',
        'Auth code 123456',
        'Amount taken €3.95',
        // The terminal's lines would take it past QR_MAX_CHARS: they are the first to go.
        'Help +49 30 1234 5678',
      ].join('\n'),
    );
    expect(qrText).not.toContain('AAAAAAAAAAAAAAAAAAAAAA'); // the token is for the address only
  });

  it('keeps the terminal\'s lines in the QR text when they fit', () => {
    const { qrText } = buildReceipt({ ...base, summary: { ...cardSession, terminalReceipt: ['KUNDENBELEG', 'Genehmigungs-Nr. 123456'] } });
    expect(qrText).toContain('Amount taken €3.95\nKUNDENBELEG\nGenehmigungs-Nr. 123456\nHelp');
  });

  it('with an e-receipt address, the QR code holds it and the paper prints it as a QR code', () => {
    const url = 'https://example.com/r/42?k=AAAAAAAAAAAAAAAAAAAAAA';
    const { document, qr, qrText } = buildReceipt({ ...base, operator, url, summary: cardSession });
    expect(qr).toBe(url);
    expect(document.qr).toBe(url);
    expect(document.lines).toContain('Receipt no.                             42');
    expect(qrText).toContain('Receipt no. 42');
  });

  it('a prepaid station card: the account\'s name and its new balance, no card number, no auth code, no terminal lines', () => {
    const summary = summaryOf({
      method: 'prepaid',
      maskedPan: null,
      account: { name: 'Ann Example', type: 'prepaid', balanceMinor: 1605 },
      receiptNumber: 7,
      meterStartWh: 1_000,
      meterStopWh: 11_000,
      parkingS: 0,
      authCode: null,
      terminalReceipt: [],
      evseId: 'DE*ABC*E1234*2',
    });
    const { document, qrText } = buildReceipt({ ...base, operator, connectorLabel: '2', summary });
    const from = document.lines.indexOf('Paid by card');
    expect(from).toBe(-1);
    const paid = document.lines.indexOf('Station card                   Ann Example');
    expect(document.lines.slice(paid, paid + 4)).toEqual([
      'Station card                   Ann Example',
      'Amount taken                         €3.95',
      'New balance                         €16.05',
      '-'.repeat(42),
    ]);
    for (const expected of ['Receipt no.                              7', 'EVSE ID                     DE*ABC*E1234*2', 'Connector                                2', 'Meter at start                   1.000 kWh', 'Meter at end                    11.000 kWh', 'Time parked                        0:00:00', 'VAT ID                         DE123456789']) {
      expect(document.lines).toContain(expected);
    }
    expect(document.lines.join('\n')).not.toMatch(/Auth code|\*\*\*\*/);
    for (const expected of ['Receipt no. 7', 'EVSE ID DE*ABC*E1234*2', 'Connector 2', 'Meter at start 1.000 kWh', 'Meter at end 11.000 kWh', 'Time charging 1:00:00', 'Time parked 0:00:00', 'Station card Ann Example', 'New balance €16.05', 'Example Energy GmbH', 'Hauptstraße 1, 10115 Berlin', 'VAT ID DE123456789']) {
      expect(qrText.split('\n')).toContain(expected);
    }
  });

  it('prints a summary saved by an older kiosk (no number, meter, auth code, terminal lines, EVSE id) with what it has', () => {
    const older = summaryOf() as Partial<SessionSummary>;
    for (const key of ['receiptNumber', 'receiptToken', 'meterStartWh', 'meterStopWh', 'parkingS', 'authCode', 'terminalReceipt', 'evseId'] as const) delete older[key];
    const { document, qr, qrText } = buildReceipt({ ...base, url: null, summary: older as SessionSummary });
    const paper = document.lines.join('\n');
    for (const absent of ['Receipt no.', 'EVSE ID', 'Meter at', 'Auth code', 'VAT ID']) expect(paper).not.toContain(absent);
    // Its parking time is what its duration has beyond the time charging.
    expect(document.lines).toContain('Time parked                        0:02:03');
    expect(document.lines).toContain('Total                                €3.95');
    expect(qr).toBe(qrText);
  });

  it('names no operator when the configuration has none', () => {
    const { document } = buildReceipt({ ...base, operator: null, summary: cardSession });
    expect(document.lines.slice(0, 3)).toEqual(['             Charging receipt', '            Chargepoint Kiosk', 'Receipt no.                             42']);
  });

  it('prints the German words', () => {
    const { document } = buildReceipt({ ...base, locale: 'de', texts: germanTexts, operator, summary: cardSession });
    for (const expected of ['USt-IdNr.                      DE123456789', 'Beleg-Nr.                               42', 'EVSE-ID                     DE*ABC*E1234*1', 'Zählerstand Beginn          12.345,678 kWh', 'Ladedauer                          1:00:00', 'Standdauer                         0:02:03', 'Autorisierungsnummer                123456']) {
      expect(document.lines).toContain(expected);
    }
  });

  it('masks a card number the terminal printed in full, on paper and in the QR text, keeping BIN and last four when masked', () => {
    expect(scrubPans('VISA 4111111111111234')).toBe('VISA **** 1234');
    expect(scrubPans('4111 1111 1111 1234 EUR')).toBe('**** 1234 EUR');
    expect(scrubPans('PAN 411111******1234')).toBe('PAN 411111******1234');
    expect(scrubPans('Terminal-ID 12345678  Beleg 0042')).toBe('Terminal-ID 12345678  Beleg 0042');
    const { document, qrText } = buildReceipt({ ...base, summary: { ...cardSession, terminalReceipt: ['VISA 4111111111111234'] } });
    for (const text of [document.lines.join('\n'), qrText]) {
      expect(text).not.toContain('4111111111111234');
      expect(text).toContain('VISA **** 1234');
    }
  });

  it('cuts the terminal\'s lines at the paper\'s width, keeping their spacing', () => {
    const { document } = buildReceipt({ ...base, columns: 24, summary: { ...cardSession, terminalReceipt: ['Betrag          EUR 3,95', 'A very long line from the terminal that does not fit'] } });
    expect(document.lines).toContain('Betrag          EUR 3,95');
    expect(document.lines).toContain('A very long line from th');
    expect(document.lines).toContain('e terminal that does not');
  });
});

describe('maskPan', () => {
  it('keeps only the last four digits, whatever the terminal sent', () => {
    expect(maskPan('************1234')).toBe('**** 1234');
    expect(maskPan('**** **** **** 1234')).toBe('**** 1234');
    expect(maskPan('411111******1234')).toBe('**** 1234');
    expect(maskPan('4111111111111234')).toBe('**** 1234');
    expect(maskPan('****')).toBe('****');
    expect(maskPan(null)).toBeNull();
  });
});

// --- properties -----------------------------------------------------------

const digits = (min: number, max: number) =>
  fc.array(fc.integer({ min: 0, max: 9 }), { minLength: min, maxLength: max }).map((d) => d.join(''));

/** A full PAN and the forms in which a terminal might (mis)report it. */
const panArb = digits(13, 19).chain((pan) =>
  fc.record({
    pan: fc.constant(pan),
    masked: fc.constantFrom(
      '*'.repeat(pan.length - 4) + pan.slice(-4),
      `**** **** **** ${pan.slice(-4)}`,
      pan.slice(0, 6) + '*'.repeat(pan.length - 10) + pan.slice(-4),
      pan, // a terminal that forgot to mask
      pan.replace(/(\d{4})/g, '$1 ').trim(),
    ),
  }),
);

const germanTexts: ReceiptTexts = {
  title: 'Ladevorgangsquittung',
  copy: 'KOPIE (Nachdruck)',
  vatId: 'USt-IdNr.',
  receiptNumber: 'Beleg-Nr.',
  station: 'Ladestation',
  evse: 'EVSE-ID',
  start: 'Beginn',
  end: 'Ende',
  session: 'Ladevorgang',
  connector: 'Ladepunkt',
  meterStart: 'Zählerstand Beginn',
  meterStop: 'Zählerstand Ende',
  energy: 'Geladene Energie',
  duration: 'Dauer',
  chargingTime: 'Ladedauer',
  parkingTime: 'Standdauer',
  unitMinute: 'Min.',
  unitHour: 'Std.',
  lineEnergy: 'Energie',
  lineTime: 'Ladezeit',
  lineParking: 'Standzeit',
  lineFlat: 'Grundgebühr je Ladevorgang',
  lineMinPrice: 'Mindestpreis',
  lineMaxPrice: 'Höchstpreis',
  net: 'Nettobetrag',
  vat: 'Umsatzsteuer',
  noVat: 'Ohne Umsatzsteuer',
  total: 'Gesamtbetrag',
  paidByCard: 'Bezahlt mit Karte',
  authCode: 'Autorisierungsnummer',
  paidByStationCard: 'Ladekarte',
  paidOnAccount: 'Auf Rechnung',
  newBalance: 'Neues Guthaben',
  pricedCost: 'Berechnete Ladekosten',
  taken: 'Abgebuchter Betrag',
  writtenOff: 'Nicht berechneter Restbetrag',
  noCharge: 'Keine Kosten',
  help: 'Hilfe-Hotline',
};

/** A unit price as the engine gives it: up to 4 decimals. */
const unitPriceArb = fc
  .tuple(fc.nat(99), fc.integer({ min: 0, max: 4 }), fc.nat(9999))
  .map(([whole, decimals, fraction]) => (decimals === 0 ? String(whole) : `${whole}.${String(fraction % 10 ** decimals).padStart(decimals, '0')}`));

/** A priced line: quantities to the mWh and ms (fractional Wh and s), its net and VAT split from its gross. */
const lineArb: fc.Arbitrary<CostLine> = fc
  .record({
    kind: fc.constantFrom('energy', 'time', 'parking', 'flat'),
    quantity: fc.nat(10_000_000_000).map((q) => q / 1000),
    unitPrice: unitPriceArb,
    vatPercent: fc.constantFrom('19', '7', null),
    amountMinor: fc.nat(250_000),
  })
  .map(({ kind, quantity, unitPrice, vatPercent, amountMinor }) => line(kind, kind === 'flat' ? 1 : quantity, unitPrice, amountMinor, vatPercent));

const name = fc
  .array(fc.constantFrom('Chargepoint', 'Kiosk', 'Marktplatz', 'Nord', 'Stellplatz-am-Rathaus-Parkhaus-Ebene-3', '·', 'Ü'), {
    minLength: 1,
    maxLength: 8,
  })
  .map((w) => w.join(' ').slice(0, 60));

const receiptArb = fc.record({
  card: panArb,
  authorizedMinor: fc.nat(1_000_000),
  lines: fc.array(lineArb, { maxLength: 4 }),
  /** A minimum price raising the total, or a cap lowering it (by a share of it). */
  bound: fc.record({ kind: fc.constantFrom('none', 'minPrice', 'maxPrice'), share: fc.double({ min: 0, max: 1, noNaN: true }) }),
  energyWh: fc.nat(200_000),
  durationS: fc.nat(400_000),
  sessionId: fc.uuid(),
  stationName: name,
  columns: fc.integer({ min: 24, max: 64 }),
  locale: fc.constantFrom('en', 'de', 'fr', 'ja', 'ar-EG'),
  currency: fc.constantFrom('EUR', 'JPY', 'KWD', 'CHF'),
  // Every catalogue's words (what real receipts print), and a hand-written set.
  texts: fc.constantFrom(...LANGUAGES.map((language) => receiptTexts(language)), germanTexts),
  noCharge: fc.boolean(),
  /** The card terminal's own lines, with the card number as it (mis)reported it. */
  terminalLines: fc.boolean(),
});

type Generated<A> = A extends fc.Arbitrary<infer T> ? T : never;

/** The generated lines with their bound's adjustment line, adding up to a total of at least zero. */
function linesOf(r: Generated<typeof receiptArb>): CostLine[] {
  const sum = r.lines.reduce((total, l) => total + l.amountMinor, 0);
  const vat = r.lines[0]?.vatPercent ?? '19';
  if (r.bound.kind === 'minPrice') return [...r.lines, line('minPrice', 1, '', Math.round(r.bound.share * 10_000) + 1, vat)];
  if (r.bound.kind === 'maxPrice' && sum > 0) return [...r.lines, line('maxPrice', 1, '', -Math.round(r.bound.share * sum), vat)];
  return r.lines;
}

function build(r: Generated<typeof receiptArb>) {
  // Nothing delivered: nothing priced, nothing taken (the contract's no-charge summary).
  const lines = r.noCharge ? [] : linesOf(r);
  const totals = totalsOf(lines);
  const capturedMinor = Math.min(totals.costMinor, r.authorizedMinor);
  const summary = summaryOf({
    maskedPan: r.card.masked,
    ...totals,
    capturedMinor,
    writtenOffMinor: totals.costMinor - capturedMinor,
    noCharge: r.noCharge,
    lines,
    energyWh: r.noCharge ? 0 : r.energyWh,
    durationS: r.durationS,
    sessionId: r.sessionId,
    terminalReceipt: r.terminalLines ? ['KUNDENBELEG', `Karte ${r.card.masked}`, 'Genehmigungs-Nr. 123456'] : [],
  });
  const built = buildReceipt({
    ...base,
    summary,
    station: { ...station, name: r.stationName },
    columns: r.columns,
    locale: r.locale,
    currency: r.currency,
    texts: r.texts,
  });
  return { ...built, summary };
}

describe('buildReceipt: properties', () => {
  it('never prints a line longer than the printer is wide', () => {
    fc.assert(
      fc.property(receiptArb, (r) => {
        for (const line of build(r).document.lines) expect(width(line), line).toBeLessThanOrEqual(r.columns);
      }),
    );
  });

  it('shows the masked PAN and never anything that looks like a full PAN', () => {
    fc.assert(
      fc.property(receiptArb, (r) => {
        const { document, qrText } = build(r);
        for (const text of [document.lines.join('\n'), qrText]) {
          expect(text).toContain(`**** ${r.card.pan.slice(-4)}`);
          expect(text.replace(/\s/g, '')).not.toContain(r.card.pan);
          // No 13 or more digits in a row on any line, spaces ignored.
          for (const line of text.split('\n')) expect(line.replace(/\s/g, '')).not.toMatch(/\d{13,}/);
        }
      }),
    );
  });

  it('has write-off lines exactly when something was written off', () => {
    fc.assert(
      fc.property(receiptArb, (r) => {
        const { document, qrText, summary } = build(r);
        const written = summary.writtenOffMinor > 0;
        // Labels may wrap on narrow paper: compare with the lines joined and spaces collapsed.
        const paper = document.lines.map((l) => l.trim()).join(' ');
        for (const label of [r.texts.writtenOff, r.texts.pricedCost]) {
          expect(qrText.includes(label)).toBe(written);
          expect(paper.includes(label)).toBe(written);
        }
      }),
    );
  });

  it('states "No charge" exactly when nothing was delivered, and then lists no cost lines, net or VAT', () => {
    fc.assert(
      fc.property(receiptArb, (r) => {
        const { document, qrText, summary } = build(r);
        const paper = document.lines.map((l) => l.trim()).join(' ');
        expect(qrText.split('\n').includes(r.texts.noCharge)).toBe(summary.noCharge);
        expect(paper.includes(r.texts.noCharge)).toBe(summary.noCharge);
        if (!summary.noCharge) return;
        for (const label of [r.texts.net, r.texts.vat]) {
          expect(qrText.split('\n').some((line) => line.startsWith(`${label} `))).toBe(false);
        }
        // Lines the summary might still carry change nothing: none is listed.
        const listed = buildReceipt({
          ...base,
          summary: { ...summary, lines: r.lines },
          station: { ...station, name: r.stationName },
          columns: r.columns,
          locale: r.locale,
          currency: r.currency,
          texts: r.texts,
        });
        expect(listed.document).toEqual(document);
        expect(listed.qrText).toBe(qrText);
      }),
    );
  });

  it('keeps the QR text short enough for a phone to scan easily, never losing the amounts', () => {
    fc.assert(
      fc.property(receiptArb, (r) => {
        const { qrText, summary } = build(r);
        expect(qrText.length).toBeLessThanOrEqual(QR_MAX_CHARS);
        expect(qrText).toContain(`${r.texts.total} `);
        expect(qrText).toContain(`${r.texts.taken} `);
        expect(qrText).toContain(summary.sessionId);
      }),
    );
  });

  it('shows exactly the summary figures, in order: each line, the net, the VAT of each rate, the total', () => {
    fc.assert(
      fc.property(receiptArb, (r) => {
        const { qrText, summary } = build(r);
        if (summary.noCharge) return;
        const money = (minor: number) => formatMinor(minor, r.currency, r.locale);
        const label: Record<CostLine['kind'], string> = {
          energy: r.texts.lineEnergy,
          time: r.texts.lineTime,
          parking: r.texts.lineParking,
          flat: r.texts.lineFlat,
          minPrice: r.texts.lineMinPrice,
          maxPrice: r.texts.lineMaxPrice,
        };
        const shown = qrText.split('\n');
        const expected = [
          ...summary.lines.map((l) => [label[l.kind], money(l.amountMinor)]),
          [r.texts.net, money(summary.netMinor)],
          ...summary.vatRates.map((rate) => [rate.vatPercent === null ? r.texts.noVat : `${r.texts.vat} `, money(rate.vatMinor)]),
          [r.texts.total, money(summary.costMinor)],
        ];
        // The rows up to the total (its label begins no other row but the net's, as in French "Total" and "Total HT").
        const end = shown.findIndex((l) => l.startsWith(`${r.texts.total} `) && !l.startsWith(`${r.texts.net} `));
        const rows = shown.slice(end + 1 - expected.length, end + 1);
        expected.forEach(([start, value], i) => {
          expect(rows[i]!.startsWith(start!), rows[i]).toBe(true);
          expect(rows[i]!.endsWith(` ${value}`), rows[i]).toBe(true);
        });
      }),
    );
  });

  it('gives every line of energy, charging time and idle time its quantity × unit price on paper', () => {
    fc.assert(
      fc.property(receiptArb, (r) => {
        const { document, qrText, summary } = build(r);
        const detailed = summary.noCharge ? 0 : summary.lines.filter((l) => l.kind === 'energy' || l.kind === 'time' || l.kind === 'parking').length;
        const times = (text: string) => [...text].filter((c) => c === '×').length;
        expect(times(document.lines.join('\n'))).toBe(detailed);
        // The QR code keeps them unless it has to leave them out for length.
        expect([detailed, 0]).toContain(times(qrText));
      }),
    );
  });

  it('leaves out only the spare entries when a station is wordy', () => {
    const wordy: ReceiptTexts = { ...englishReceiptTexts, title: 'T'.repeat(300) };
    const { qrText } = buildReceipt({ ...base, texts: wordy, summary: summaryOf() });
    expect(qrText.length).toBeLessThanOrEqual(QR_MAX_CHARS);
    expect(qrText).not.toContain('TTT');
    expect(qrText).not.toContain('Chargepoint Kiosk');
    expect(qrText.split('\n')[0]).toBe('Station KIOSK-0001');
    expect(qrText).toContain('Total €3.95');
  });
});
