import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import type { CostLine, SessionSummary } from '../../../electron/contract/snapshot.js';
import { QR_MAX_CHARS, buildReceipt, englishReceiptTexts, maskPan, type ReceiptTexts } from '../../../electron/billing/receipt.js';

const station = { id: 'KIOSK-0001', name: 'Chargepoint Kiosk', helpLine: '+49 30 1234 5678' };

function summaryOf(overrides: Partial<SessionSummary> = {}): SessionSummary {
  return {
    sessionId: '3f2a9c1e-7b4d-4e21-9a0f-1c2d3e4f5a6b',
    method: 'card',
    maskedPan: '************1234',
    startedAt: Date.UTC(2025, 2, 14, 9, 26, 5),
    endedAt: Date.UTC(2025, 2, 14, 10, 28, 8),
    energyWh: 10_000,
    durationS: 3723,
    chargingS: 3600,
    costMinor: 395,
    vatMinor: 63,
    capturedMinor: 395,
    writtenOffMinor: 0,
    noCharge: false,
    parkingCapped: false,
    lines: [
      { kind: 'energy', quantity: 10_000, amountMinor: 345 },
      { kind: 'flat', quantity: 1, amountMinor: 50 },
    ],
    stopReason: 'driver',
    receipt: 'pending',
    receiptQr: null,
    ...overrides,
  };
}

const base = { station, connectorLabel: '1', currency: 'EUR', locale: 'en', columns: 42, texts: englishReceiptTexts, timeZone: 'UTC' };
const width = (line: string) => [...line].length;

describe('buildReceipt: an example', () => {
  it('lays out a 42-column receipt', () => {
    // The vector of the tariff tests: 10 kWh at 0.2899 €/kWh + 0.42 € flat, 19 % VAT → 3.95 incl. 0.63 VAT.
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
      '-'.repeat(42),
      'Energy 10.00 kWh                     €3.45',
      'Session fee                          €0.50',
      '-'.repeat(42),
      'Net                                  €3.32',
      'VAT                                  €0.63',
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
        'Energy 10.00 kWh €3.45',
        'Session fee €0.50',
        'Net €3.32',
        'VAT €0.63',
        'Total €3.95',
        'Paid by card **** 1234',
        'Amount taken €3.95',
        'Help +49 30 1234 5678',
      ].join('\n'),
    );
  });

  it('shows the priced cost, the amount taken and the write-off when the hold was too small', () => {
    const { document } = buildReceipt({
      ...base,
      summary: summaryOf({ costMinor: 5012, vatMinor: 800, capturedMinor: 5000, writtenOffMinor: 12 }),
    });
    const tail = document.lines.slice(document.lines.indexOf('Paid by card                     **** 1234'));
    expect(tail.slice(0, 4)).toEqual([
      'Paid by card                     **** 1234',
      'Cost of charging                    €50.12',
      'Amount taken                        €50.00',
      'Written off                          €0.12',
    ]);
  });

  it('states "No charge" and lists no cost lines when nothing was delivered', () => {
    const summary = summaryOf({ energyWh: 0, chargingS: 0, costMinor: 0, vatMinor: 0, capturedMinor: 0, noCharge: true, lines: [] });
    const { document, qrText } = buildReceipt({ ...base, summary });
    expect(document.lines.slice(document.lines.indexOf('Energy                            0.00 kWh'))).toEqual([
      'Energy                            0.00 kWh',
      'Duration                           1:02:03',
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
    const { document } = buildReceipt({ ...base, summary: summaryOf({ noCharge: true, costMinor: 0, vatMinor: 0, capturedMinor: 0 }) });
    expect(document.lines).toContain('No charge');
    expect(document.lines.join('\n')).not.toContain('Session fee');
    expect(document.lines.join('\n')).not.toMatch(/^Energy 10\.00 kWh/m);
  });

  it('formats money, energy and time for the locale; times and dates stay ISO-like', () => {
    const summary = summaryOf({
      energyWh: 12_345, // 12.345 kWh → 12.35 (half up)
      lines: [
        { kind: 'energy', quantity: 12_345, amountMinor: 424 },
        { kind: 'time', quantity: 5400, amountMinor: 180 },
        { kind: 'parking', quantity: 90, amountMinor: 15 },
      ],
    });
    const { document } = buildReceipt({ ...base, locale: 'de', summary });
    expect(document.lines).toContain('Energy                           12,35 kWh');
    expect(document.lines).toContain('Energy 12,35 kWh                    4,24\u00a0€');
    expect(document.lines).toContain('Charging time 1:30:00               1,80\u00a0€');
    expect(document.lines).toContain('Parking time 0:01:30                0,15\u00a0€');
    expect(document.lines).toContain('Start                     2025-03-14 09:26');
  });

  it('shows the dates in the given time zone', () => {
    const { document } = buildReceipt({ ...base, timeZone: 'Europe/Berlin', summary: summaryOf() });
    expect(document.lines).toContain('Start                     2025-03-14 10:26');
  });

  it('formats yen without decimals', () => {
    const { qrText } = buildReceipt({ ...base, currency: 'JPY', summary: summaryOf({ costMinor: 585, vatMinor: 53, capturedMinor: 585 }) });
    expect(qrText).toContain('Total ¥585');
    expect(qrText).toContain('Net ¥532');
  });

  it('says "paid by card" without a number when the terminal gave none', () => {
    const { document } = buildReceipt({ ...base, summary: summaryOf({ maskedPan: null }) });
    expect(document.lines).toContain('Paid by card');
    expect(document.lines.join('\n')).not.toContain('****');
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
  station: 'Ladestation',
  start: 'Beginn',
  end: 'Ende',
  session: 'Ladevorgang',
  connector: 'Ladepunkt',
  energy: 'Geladene Energie',
  duration: 'Dauer',
  lineEnergy: 'Energie',
  lineTime: 'Ladezeit',
  lineParking: 'Standzeit',
  lineFlat: 'Grundgebühr je Ladevorgang',
  net: 'Nettobetrag',
  vat: 'Umsatzsteuer',
  total: 'Gesamtbetrag',
  paidByCard: 'Bezahlt mit Karte',
  pricedCost: 'Berechnete Ladekosten',
  taken: 'Abgebuchter Betrag',
  writtenOff: 'Nicht berechneter Restbetrag',
  noCharge: 'Keine Kosten',
  help: 'Hilfe-Hotline',
};

const lineArb: fc.Arbitrary<CostLine> = fc.record({
  kind: fc.constantFrom('energy', 'time', 'parking', 'flat'),
  quantity: fc.nat(10_000_000),
  amountMinor: fc.nat(10_000_000),
});

const name = fc
  .array(fc.constantFrom('Chargepoint', 'Kiosk', 'Marktplatz', 'Nord', 'Stellplatz-am-Rathaus-Parkhaus-Ebene-3', '·', 'Ü'), {
    minLength: 1,
    maxLength: 8,
  })
  .map((w) => w.join(' ').slice(0, 60));

const receiptArb = fc.record({
  card: panArb,
  costMinor: fc.nat(1_000_000),
  vatShare: fc.double({ min: 0, max: 0.5, noNaN: true }),
  authorizedMinor: fc.nat(1_000_000),
  lines: fc.array(lineArb, { maxLength: 4 }),
  energyWh: fc.nat(200_000),
  durationS: fc.nat(400_000),
  sessionId: fc.uuid(),
  stationName: name,
  columns: fc.integer({ min: 24, max: 64 }),
  locale: fc.constantFrom('en', 'de', 'fr', 'ja', 'ar-EG'),
  currency: fc.constantFrom('EUR', 'JPY', 'KWD', 'CHF'),
  texts: fc.constantFrom(englishReceiptTexts, germanTexts),
  noCharge: fc.boolean(),
});

type Generated<A> = A extends fc.Arbitrary<infer T> ? T : never;

function build(r: Generated<typeof receiptArb>) {
  // Nothing delivered: nothing priced, nothing taken (the contract's no-charge summary).
  const costMinor = r.noCharge ? 0 : r.costMinor;
  const capturedMinor = Math.min(costMinor, r.authorizedMinor);
  const summary = summaryOf({
    maskedPan: r.card.masked,
    costMinor,
    vatMinor: Math.floor(costMinor * r.vatShare),
    capturedMinor,
    writtenOffMinor: costMinor - capturedMinor,
    noCharge: r.noCharge,
    lines: r.noCharge ? [] : r.lines,
    energyWh: r.noCharge ? 0 : r.energyWh,
    durationS: r.durationS,
    sessionId: r.sessionId,
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
