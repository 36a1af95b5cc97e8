// The technician's report on a real store: sessions closed through the store's own
// closeSession (with their receipts) and closeLostSession, refunds as the menu and the
// accounts tool record them, days of Europe/Berlin across the spring clock change. Every
// figure is worked out by hand from the summaries below.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AccountBook } from '../../../electron/accounts/account-book.js';
import type { Report, ReportTotals } from '../../../electron/contract/maintenance.js';
import type { SessionSummary } from '../../../electron/contract/snapshot.js';
import { CSV_HEADER, dayRange, receiptList, reportCsv, sessionReport } from '../../../electron/maintenance/reports.js';
import { receiptContent } from '../../../electron/receipts/receipt-record.js';
import { KioskStore } from '../../../electron/store/kiosk-store.js';
import { cardSummary, prepaidSummary } from '../receipts/fixtures.js';

const ZONE = 'Europe/Berlin';
const at = (iso: string) => Date.parse(iso);

let dir: string;
let store: KioskStore;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'kiosk-reports-'));
  store = KioskStore.open(join(dir, 'kiosk.sqlite'));
});

afterEach(() => {
  try {
    store.close();
  } catch {
    // closed by the test
  }
  rmSync(dir, { recursive: true, force: true });
});

/** A session opened and closed as finished by the store, its receipt issued with it (as the station does). */
function finished(summary: SessionSummary, connectorId: number, options: { column?: string } = {}): void {
  store.openSession({ id: summary.sessionId, connectorId, method: options.column ?? summary.method, createdAt: summary.startedAt });
  const closed = store.closeSession(
    {
      id: summary.sessionId,
      status: 'finished',
      endedAt: summary.endedAt,
      energyWh: summary.energyWh,
      costMinor: summary.costMinor,
      capturedMinor: summary.capturedMinor,
      writtenOffMinor: summary.writtenOffMinor,
      maskedPan: summary.maskedPan,
      stopReason: summary.stopReason,
      summary,
    },
    {
      token: `token-${summary.sessionId}`,
      issue: (receiptNumber) => ({
        summary: { ...summary, receiptNumber },
        content: receiptContent({ ...summary, receiptNumber }, { stationId: 'KIOSK-1', connectorLabel: `C${connectorId}`, evseId: null }),
      }),
    },
  );
  expect(closed).toBe(true);
}

function ended(sessionId: string, endedAt: number, overrides: Partial<SessionSummary> = {}): SessionSummary {
  return cardSummary({ sessionId, startedAt: endedAt - 3_600_000, endedAt, ...overrides });
}

/**
 * Days 2026-03-27 … 2026-03-30 in Berlin (the clocks go forward on the 29th: it has 23 h):
 * - s1 card, C1, 28th 10:00: 10 kWh, 3.95 (net 3.32, VAT 0.63), taken 3.95; 1.00 refunded at the terminal
 * - s2 card, C1, 28th 23:59:59 CET: 10 kWh, 3.95, taken 3.00 (the hold), 0.95 written off
 * - s3 prepaid, C2, 29th 23:30 CEST (21:30 UTC): 7.25 kWh, 2.50 (2.10 + 0.40); 0.50 refunded to the
 *   account by the menu (ledger and audit), 0.20 by the accounts tool (ledger only)
 * - s4 card, C2, 30th 00:30 CEST (22:30 UTC on the 29th): 10 kWh, 3.95
 * - s5 lost in a crash, C1, paid on account, 29th 10:00 CEST: 4.80 taken, nothing else known
 * - not in it: a cancelled session on the 29th, one still active, one ending 26th 23:30 CET,
 *   one ending exactly at the start of the 31st
 */
function station(): void {
  finished(ended('s1', at('2026-03-28T09:00:00Z')), 1);
  finished(ended('s2', at('2026-03-28T22:59:59Z'), { capturedMinor: 300, writtenOffMinor: 95 }), 1);
  finished(
    prepaidSummary({
      sessionId: 's3',
      startedAt: at('2026-03-29T20:00:00Z'),
      endedAt: at('2026-03-29T21:30:00Z'),
      energyWh: 7_250,
      costMinor: 250,
      netMinor: 210,
      vatMinor: 40,
      capturedMinor: 250,
      vatRates: [{ vatPercent: '19', netMinor: 210, vatMinor: 40, grossMinor: 250 }],
      lines: [{ kind: 'energy', quantity: 7_250, unit: 'kWh', unitPrice: '0.3450', vatPercent: '19', amountMinor: 250, netMinor: 210, vatMinor: 40 }],
    }),
    2,
  );
  finished(ended('s4', at('2026-03-29T22:30:00Z')), 2);
  store.openSession({ id: 's5', connectorId: 1, method: 'account', createdAt: at('2026-03-29T07:00:00Z') });
  expect(store.closeLostSession('s5', 480, at('2026-03-29T08:00:00Z'))).toBe(true);

  store.openSession({ id: 'cancelled', connectorId: 1, method: 'card', createdAt: at('2026-03-29T09:00:00Z') });
  store.closeSession({ id: 'cancelled', status: 'cancelled', endedAt: at('2026-03-29T09:05:00Z'), energyWh: 0, costMinor: 0, capturedMinor: 0, writtenOffMinor: 0, maskedPan: null, stopReason: null, summary: null });
  store.openSession({ id: 'active', connectorId: 2, method: 'card', createdAt: at('2026-03-29T10:00:00Z') });
  finished(ended('before', at('2026-03-26T22:30:00Z')), 1);
  finished(ended('after', at('2026-03-30T22:00:00Z')), 1);

  // Refunds: the menu's at the terminal (audit only) and to the account (ledger and audit), the tool's (ledger only).
  store.appendAudit(at('2026-03-30T08:00:00Z'), 'tech:ann', 'session.refunded', { sessionId: 's1', amountMinor: 100, via: 'terminal' });
  const book = new AccountBook(store);
  const account = book.addAccount({ name: 'Ann Example', type: 'prepaid', currency: 'EUR' }, 'cli:ops', at('2026-03-01T00:00:00Z'));
  book.atomically(() => {
    book.refund(account.id, 50, 'slow charger', 'tech:ann', at('2026-03-30T09:00:00Z'), { sessionId: 's3' });
    store.sql().audit(at('2026-03-30T09:00:00Z'), 'tech:ann', 'session.refunded', { sessionId: 's3', amountMinor: 50, via: 'account' });
  });
  book.refund(account.id, 20, 'goodwill', 'cli:ops', at('2026-03-30T10:00:00Z'), { sessionId: 's3' });
  // A refund of a session outside the range changes nothing in it.
  store.appendAudit(at('2026-03-31T08:00:00Z'), 'tech:ann', 'session.refunded', { sessionId: 'after', amountMinor: 77, via: 'terminal' });
}

const totals = (sessions: number, energyWh: number, costMinor: number, netMinor: number, vatMinor: number, revenueMinor: number, writtenOffMinor: number, refundedMinor: number): ReportTotals => ({
  sessions,
  energyWh,
  costMinor,
  netMinor,
  vatMinor,
  revenueMinor,
  writtenOffMinor,
  refundedMinor,
});
const ZERO = totals(0, 0, 0, 0, 0, 0, 0, 0);

const report = (from = '2026-03-27', to = '2026-03-30') => sessionReport(store, { from, to, timeZone: ZONE, currency: 'EUR' });

describe('sessionReport', () => {
  it('sums the finished sessions per day of the station, connector and way of paying, exactly', () => {
    station();
    const r = report();
    expect(r).toEqual({
      from: '2026-03-27',
      to: '2026-03-30',
      timeZone: ZONE,
      currency: 'EUR',
      rows: [
        { day: '2026-03-28', connectorId: 1, method: 'card', ...totals(2, 20_000, 790, 664, 126, 695, 95, 100) },
        { day: '2026-03-29', connectorId: 1, method: 'account', ...totals(1, 0, 480, 0, 0, 480, 0, 0) },
        { day: '2026-03-29', connectorId: 2, method: 'prepaid', ...totals(1, 7_250, 250, 210, 40, 250, 0, 70) },
        { day: '2026-03-30', connectorId: 2, method: 'card', ...totals(1, 10_000, 395, 332, 63, 395, 0, 0) },
      ],
      byDay: [
        { day: '2026-03-27', ...ZERO },
        { day: '2026-03-28', ...totals(2, 20_000, 790, 664, 126, 695, 95, 100) },
        { day: '2026-03-29', ...totals(2, 7_250, 730, 210, 40, 730, 0, 70) },
        { day: '2026-03-30', ...totals(1, 10_000, 395, 332, 63, 395, 0, 0) },
      ],
      byConnector: [
        { connectorId: 1, ...totals(3, 20_000, 1270, 664, 126, 1175, 95, 100) },
        { connectorId: 2, ...totals(2, 17_250, 645, 542, 103, 645, 0, 70) },
      ],
      byMethod: [
        { method: 'account', ...totals(1, 0, 480, 0, 0, 480, 0, 0) },
        { method: 'card', ...totals(3, 30_000, 1185, 996, 189, 1090, 95, 100) },
        { method: 'prepaid', ...totals(1, 7_250, 250, 210, 40, 250, 0, 70) },
      ],
      totals: totals(5, 37_250, 1915, 1206, 229, 1820, 95, 170),
    } satisfies Report);
  });

  it('puts a session ending at 23:30 on the day of the clock change (23 h long) on that day, and 00:30 on the next', () => {
    station();
    expect(report('2026-03-29', '2026-03-29').rows.map((row) => row.connectorId + row.method)).toEqual(['1account', '2prepaid']);
    expect(report('2026-03-30', '2026-03-30').rows.map((row) => row.connectorId + row.method)).toEqual(['2card']);
    // The first instant of the 31st is the next day's: the session ending right then is not in the 30th.
    expect(report('2026-03-31', '2026-03-31').totals).toEqual(totals(1, 10_000, 395, 332, 63, 395, 0, 77));
    expect(report('2026-03-26', '2026-03-26').totals.sessions).toBe(1);
  });

  it('counts each refund once: the audit entries, and of the ledger only what they do not cover', () => {
    station();
    // s3: the menu's 0.50 is in the ledger and the audit log (counted once), the tool's 0.20 in the ledger alone.
    const book = new AccountBook(store);
    expect(book.entries().filter((e) => e.kind === 'refund').map((e) => [e.sessionId, e.amountMinor])).toEqual([['s3', 50], ['s3', 20]]);
    expect(report().rows.find((row) => row.method === 'prepaid')?.refundedMinor).toBe(70);
    expect(report().totals.refundedMinor).toBe(170);
  });

  it('has a zero line per day, nothing per connector or way of paying, and zero totals in an empty range', () => {
    station();
    const r = report('2026-03-20', '2026-03-22');
    expect(r.rows).toEqual([]);
    expect(r.byDay).toEqual(['2026-03-20', '2026-03-21', '2026-03-22'].map((day) => ({ day, ...ZERO })));
    expect(r.byConnector).toEqual([]);
    expect(r.byMethod).toEqual([]);
    expect(r.totals).toEqual(ZERO);
    expect(reportCsv(r)).toBe(`${CSV_HEADER.join(',')}\r\ntotal,,,0,0.000,0.00,0.00,0.00,0.00,0.00,0.00,EUR\r\n`);
  });

  it('refuses a range that ends before it starts, is longer than 366 days, or has a day the calendar lacks', () => {
    expect(() => report('2026-03-30', '2026-03-29')).toThrow('the range ends (2026-03-29) before it starts (2026-03-30)');
    expect(() => report('2025-01-01', '2026-01-02')).toThrow('has 367 days; a report covers at most 366');
    expect(report('2024-01-01', '2024-12-31').byDay).toHaveLength(366); // a leap year is one report
    expect(() => report('2026-02-29', '2026-03-01')).toThrow('"2026-02-29" is not a day of the calendar');
    expect(() => report('2026-3-1', '2026-03-01')).toThrow('is not a day of the calendar');
    expect(() => sessionReport(store, { from: '2026-03-01', to: '2026-03-01', timeZone: 'Mars/Olympus', currency: 'EUR' })).toThrow('unknown time zone');
  });
});

describe('dayRange', () => {
  it('is the station’s days, as long as its clock makes them', () => {
    expect(dayRange('2026-03-29', '2026-03-29', ZONE)).toEqual({ fromMs: at('2026-03-28T23:00:00Z'), toMs: at('2026-03-29T22:00:00Z') }); // 23 h
    expect(dayRange('2026-10-25', '2026-10-25', ZONE)).toEqual({ fromMs: at('2026-10-24T22:00:00Z'), toMs: at('2026-10-25T23:00:00Z') }); // 25 h
    expect(dayRange('2026-03-01', '2026-03-31', ZONE)).toEqual({ fromMs: at('2026-02-28T23:00:00Z'), toMs: at('2026-03-31T22:00:00Z') });
    expect(dayRange('2026-03-29', '2026-03-29', 'UTC')).toEqual({ fromMs: at('2026-03-29T00:00:00Z'), toMs: at('2026-03-30T00:00:00Z') });
    // São Paulo, 4 November 2018: the clocks went from 00:00 to 01:00, so the day began at 01:00 (03:00 UTC).
    expect(dayRange('2018-11-04', '2018-11-04', 'America/Sao_Paulo')).toEqual({ fromMs: at('2018-11-04T03:00:00Z'), toMs: at('2018-11-05T02:00:00Z') });
    expect(dayRange('2026-06-01', '2026-06-01', 'Pacific/Kiritimati')).toEqual({ fromMs: at('2026-05-31T10:00:00Z'), toMs: at('2026-06-01T10:00:00Z') }); // UTC+14
  });

  it('throws a clear error for a bad range', () => {
    expect(() => dayRange('2026-03-02', '2026-03-01', ZONE)).toThrow(/before it starts/);
    expect(() => dayRange('2026-01-01', '2027-01-02', ZONE)).toThrow(/at most 366/);
    expect(() => dayRange('2026-13-01', '2026-13-01', ZONE)).toThrow(/not a day of the calendar/);
  });
});

/** RFC 4180, as a spreadsheet reads it: quoted fields with doubled quotes, CRLF records. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      record.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      i++;
    } else field += c;
  }
  expect(field).toBe(''); // the last record ends with CRLF
  expect(record).toEqual([]);
  return records;
}

/** "12.34" → 1234 minor units of a currency with `decimals` (exactly: no float). */
const minor = (text: string, decimals: number) => {
  expect(text).toMatch(decimals === 0 ? /^-?\d+$/ : new RegExp(`^-?\\d+\\.\\d{${decimals}}$`));
  return Number(text.replace('.', ''));
};

describe('reportCsv', () => {
  it('is the rows and a total row, amounts in major units, energy in kWh to the Wh', () => {
    station();
    expect(reportCsv(report())).toBe(
      [
        'day,connector,method,sessions,energy_kwh,cost,net,vat,revenue,written_off,refunded,currency',
        '2026-03-28,1,card,2,20.000,7.90,6.64,1.26,6.95,0.95,1.00,EUR',
        '2026-03-29,1,account,1,0.000,4.80,0.00,0.00,4.80,0.00,0.00,EUR',
        '2026-03-29,2,prepaid,1,7.250,2.50,2.10,0.40,2.50,0.00,0.70,EUR',
        '2026-03-30,2,card,1,10.000,3.95,3.32,0.63,3.95,0.00,0.00,EUR',
        'total,,,5,37.250,19.15,12.06,2.29,18.20,0.95,1.70,EUR',
        '',
      ].join('\r\n'),
    );
  });

  it('reads back to the report’s figures (parse-back round trip)', () => {
    station();
    const r = report();
    const [header, ...records] = parseCsv(reportCsv(r));
    expect(header).toEqual([...CSV_HEADER]);
    const total = records.pop()!;
    const figures = (fields: string[]): ReportTotals => ({
      sessions: Number(fields[3]),
      energyWh: minor(fields[4]!, 3),
      costMinor: minor(fields[5]!, 2),
      netMinor: minor(fields[6]!, 2),
      vatMinor: minor(fields[7]!, 2),
      revenueMinor: minor(fields[8]!, 2),
      writtenOffMinor: minor(fields[9]!, 2),
      refundedMinor: minor(fields[10]!, 2),
    });
    expect(records.map((fields) => ({ day: fields[0], connectorId: Number(fields[1]), method: fields[2], ...figures(fields) }))).toEqual(r.rows);
    expect(records.every((fields) => fields.length === 12 && fields[11] === 'EUR')).toBe(true);
    expect(total.slice(0, 3)).toEqual(['total', '', '']);
    expect(figures(total)).toEqual(r.totals);
  });

  it('writes each currency with its own decimals', () => {
    const row = { day: '2026-03-28', connectorId: 1, method: 'card' as const, ...totals(1, 1_234_567, 1230, 1034, 196, 1230, 0, 5) };
    const base = { from: '2026-03-28', to: '2026-03-28', timeZone: ZONE, rows: [row], byDay: [], byConnector: [], byMethod: [], totals: row };
    expect(reportCsv({ ...base, currency: 'JPY' }).split('\r\n')[1]).toBe('2026-03-28,1,card,1,1234.567,1230,1034,196,1230,0,5,JPY');
    expect(reportCsv({ ...base, currency: 'KWD' }).split('\r\n')[1]).toBe('2026-03-28,1,card,1,1234.567,1.230,1.034,0.196,1.230,0.000,0.005,KWD');
  });

  it('keeps a spreadsheet from reading a text field as a formula, and quotes what needs quoting', () => {
    // A method column as a tampered or foreign database may hold it: the report passes it on as text.
    store.openSession({ id: 'x1', connectorId: 1, method: '=HYPERLINK("http://evil","x")', createdAt: at('2026-03-28T08:00:00Z') });
    store.closeLostSession('x1', 100, at('2026-03-28T09:00:00Z'));
    store.openSession({ id: 'x2', connectorId: 1, method: '@SUM(A1)', createdAt: at('2026-03-28T08:00:00Z') });
    store.closeLostSession('x2', 100, at('2026-03-28T09:00:00Z'));
    store.openSession({ id: 'x3', connectorId: 1, method: '-2+3', createdAt: at('2026-03-28T08:00:00Z') });
    store.closeLostSession('x3', 100, at('2026-03-28T09:00:00Z'));
    store.openSession({ id: 'x4', connectorId: 1, method: '+1\r\ncmd', createdAt: at('2026-03-28T08:00:00Z') });
    store.closeLostSession('x4', 100, at('2026-03-28T09:00:00Z'));
    const r = report('2026-03-28', '2026-03-28');
    const lines = reportCsv(r);
    expect(lines).toContain(`2026-03-28,1,"'=HYPERLINK(""http://evil"",""x"")",1,0.000,1.00,`);
    expect(lines).toContain(`2026-03-28,1,'@SUM(A1),1,`);
    expect(lines).toContain(`2026-03-28,1,'-2+3,1,`);
    expect(lines).toContain(`2026-03-28,1,"'+1\r\ncmd",1,`);
    const records = parseCsv(lines);
    expect(records).toHaveLength(6);
    expect(records.slice(1, 5).map((fields) => fields[2]).sort()).toEqual(["'+1\r\ncmd", "'-2+3", "'=HYPERLINK(\"http://evil\",\"x\")", "'@SUM(A1)"]);
    // Numbers are numbers: a negative amount (a correction) is not a formula and keeps its sign.
    const negative = { ...r, rows: [], totals: { ...r.totals, refundedMinor: -5 } };
    expect(reportCsv(negative).split('\r\n')[1]).toBe('total,,,4,0.000,4.00,0.00,0.00,4.00,0.00,-0.05,EUR');
  });
});

describe('receiptList', () => {
  it('lists the receipts issued in the days, newest first, with the connector label and total', () => {
    station();
    // 28th and 29th: s4 ended 00:30 on the 30th, so its receipt is the 30th's.
    expect(receiptList(store, { from: '2026-03-28', to: '2026-03-29', timeZone: ZONE })).toEqual([
      { number: 3, sessionId: 's3', issuedAt: at('2026-03-29T21:30:00Z'), connectorLabel: 'C2', totalMinor: 250, currency: 'EUR' },
      { number: 2, sessionId: 's2', issuedAt: at('2026-03-28T22:59:59Z'), connectorLabel: 'C1', totalMinor: 395, currency: 'EUR' },
      { number: 1, sessionId: 's1', issuedAt: at('2026-03-28T09:00:00Z'), connectorLabel: 'C1', totalMinor: 395, currency: 'EUR' },
    ]);
    expect(receiptList(store, { from: '2026-03-30', to: '2026-03-30', timeZone: ZONE }).map((entry) => entry.sessionId)).toEqual(['s4']);
    expect(receiptList(store, { from: '2026-03-20', to: '2026-03-21', timeZone: ZONE })).toEqual([]);
    expect(() => receiptList(store, { from: '2026-03-21', to: '2026-03-20', timeZone: ZONE })).toThrow(/before it starts/);
  });

  it('names the connector by its id for a receipt issued without its label', () => {
    store.openSession({ id: 'old', connectorId: 3, method: 'card', createdAt: at('2026-03-28T08:00:00Z') });
    const summary = ended('old', at('2026-03-28T09:00:00Z'));
    store.closeSession(
      { id: 'old', status: 'finished', endedAt: summary.endedAt, energyWh: 10_000, costMinor: 395, capturedMinor: 395, writtenOffMinor: 0, maskedPan: null, stopReason: 'driver', summary },
      { token: 't', issue: (receiptNumber) => ({ summary: { ...summary, receiptNumber }, content: receiptContent({ ...summary, receiptNumber }, null) }) },
    );
    expect(receiptList(store, { from: '2026-03-28', to: '2026-03-28', timeZone: ZONE })).toEqual([
      { number: 1, sessionId: 'old', issuedAt: summary.endedAt, connectorLabel: '3', totalMinor: 395, currency: 'EUR' },
    ]);
  });
});
