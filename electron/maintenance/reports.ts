// The technician's reports (the maintenance menu's Reports page, `npm run reports`): what
// the station took per day of its wall clock, per connector and per way of paying, as a
// table and as CSV, and the receipts issued in those days.
//
// What counts. A session is in the report when it finished (status 'finished': a cancelled
// one took nothing) and its end falls in one of the days, in the station's time zone
// (clock changes included: a day of 23 or 25 hours is that long). Its amounts are those of
// its summary, the same rounded lines its receipt shows: nothing is priced again here. A
// session the kiosk lost in a crash (KioskStore.closeLostSession) has no summary: it counts
// with what its record keeps, the capture as its cost and revenue, no energy, no VAT split.
//
// Refunds. The maintenance menu records each refund it makes as the audit entry
// 'session.refunded' { sessionId, amountMinor, via }; one it gives to a station account
// also writes a 'refund' entry to that account's ledger (with the session's id). So the
// audit entries are counted, each once, and the ledger only for what no audit entry
// covers: a refund booked with `npm run accounts -- refund --session ID` writes the ledger
// entry alone. Per session that is audit + max(0, ledger − audit via 'account'). A refund
// counts in the row of its session (the day the session ended), whenever it was made: a
// report of past days changes when one of their sessions is refunded later.
//
// Amounts are summed in minor units and written in the currency the report is given (the
// station's, `tariff.currency`); a session is not converted (every tariff of a station is
// expected in its currency).
import { DAY_MS, LocalTime, dayNumber, zoneOf } from '../billing/local-time.js';
import { minorToMajorString, scaledToString } from '../billing/decimal.js';
import type { Report, ReportRow, ReportTotals, ReceiptListEntry } from '../contract/maintenance.js';
import type { PaymentMethod } from '../contract/snapshot.js';
import type { ReceiptContent } from '../receipts/receipt-record.js';
import type { KioskStore } from '../store/kiosk-store.js';

/** The most days one report covers. */
export const MAX_REPORT_DAYS = 366;

export interface ReportOptions {
  /** The first and the last day, "YYYY-MM-DD", both included. */
  from: string;
  to: string;
  /** The station's IANA time zone (`station.timeZone`). */
  timeZone: string;
  /** The station's currency (`tariff.currency`): the report's amounts are in it. */
  currency: string;
}

/**
 * The instants a range of the station's days covers: from the start of `from` to the
 * start of the day after `to` (exclusive). Throws an Error that says what is wrong for a
 * day the calendar lacks, a zone Intl does not know, `to` before `from`, or more than
 * MAX_REPORT_DAYS days.
 */
export function dayRange(from: string, to: string, timeZone: string): { fromMs: number; toMs: number } {
  const { first, last, zone } = days(from, to, timeZone);
  return { fromMs: startOfDay(zone, first), toMs: startOfDay(zone, last + 1) };
}

export function sessionReport(store: KioskStore, options: ReportOptions): Report {
  const { first, last, zone } = days(options.from, options.to, options.timeZone);
  // Where each day begins, and the day after the last: a session's day is found among them.
  const starts: number[] = [];
  for (let d = first; d <= last + 1; d++) starts.push(startOfDay(zone, d));
  const fromMs = starts[0]!;
  const toMs = starts.at(-1)!;
  const sql = store.sql();

  // The summary's figures are read by SQLite: a year of a busy station is 100,000 summaries,
  // and only these few fields of each are needed.
  const sessions = sql.all(
    `SELECT id, connector_id, method, ended_at, energy_wh, cost_minor, captured_minor, written_off_minor,
            json_type(s, '$') = 'object' AS has_summary,
            json_extract(s, '$.method') AS s_method, json_extract(s, '$.energyWh') AS s_energy,
            json_extract(s, '$.costMinor') AS s_cost, json_extract(s, '$.netMinor') AS s_net, json_extract(s, '$.vatMinor') AS s_vat,
            json_extract(s, '$.capturedMinor') AS s_captured, json_extract(s, '$.writtenOffMinor') AS s_written_off
       FROM (SELECT *, CASE WHEN json_valid(summary) THEN summary END AS s FROM sessions
              WHERE status = 'finished' AND ended_at >= ? AND ended_at < ?)`,
    fromMs,
    toMs,
  );
  const refunds = refundsOf(store, fromMs);

  const rows = new Map<string, ReportRow>();
  for (const session of sessions) {
    const id = String(session.id);
    const day = dayText(first + dayIndex(starts, Number(session.ended_at)));
    const connectorId = Number(session.connector_id);
    const method = (typeof session.s_method === 'string' ? session.s_method : String(session.method)) as PaymentMethod;
    const key = `${day}|${connectorId}|${method}`;
    let row = rows.get(key);
    if (!row) {
      row = { day, connectorId, method, ...zeroTotals() };
      rows.set(key, row);
    }
    row.sessions += 1;
    if (Number(session.has_summary) === 1) {
      row.energyWh += int(session.s_energy);
      row.costMinor += int(session.s_cost);
      row.netMinor += int(session.s_net);
      row.vatMinor += int(session.s_vat);
      row.revenueMinor += int(session.s_captured ?? session.captured_minor);
      row.writtenOffMinor += int(session.s_written_off ?? session.written_off_minor);
    } else {
      // Lost in a crash: the record has the capture (as its cost too), nothing of the lines.
      row.energyWh += int(session.energy_wh);
      row.costMinor += int(session.cost_minor);
      row.revenueMinor += int(session.captured_minor);
      row.writtenOffMinor += int(session.written_off_minor);
    }
    row.refundedMinor += refunds.get(id) ?? 0;
  }

  const sorted = [...rows.values()].sort((a, b) => compareText(a.day, b.day) || a.connectorId - b.connectorId || compareText(a.method, b.method));
  const byDay: Report['byDay'] = [];
  for (let d = first; d <= last; d++) {
    const day = dayText(d);
    byDay.push({ day, ...totalsOf(sorted.filter((row) => row.day === day)) });
  }
  const connectors = [...new Set(sorted.map((row) => row.connectorId))].sort((a, b) => a - b);
  const methods = [...new Set(sorted.map((row) => row.method))].sort(compareText);
  return {
    from: options.from,
    to: options.to,
    timeZone: options.timeZone,
    currency: options.currency,
    rows: sorted,
    byDay,
    byConnector: connectors.map((connectorId) => ({ connectorId, ...totalsOf(sorted.filter((row) => row.connectorId === connectorId)) })),
    byMethod: methods.map((method) => ({ method, ...totalsOf(sorted.filter((row) => row.method === method)) })),
    totals: totalsOf(sorted),
  };
}

/**
 * A report line's figures as text, in the order of CSV_HEADER's figures: sessions, kWh with
 * 3 decimals, then cost, net, VAT, revenue, written off and refunded in major units with the
 * currency's decimals. The CSV and the reports tool's table both print them.
 */
export function reportFigures(t: ReportTotals, currency: string): string[] {
  const money = (minor: number) => minorToMajorString(minor, currency);
  return [
    String(t.sessions),
    scaledToString(t.energyWh, 3),
    money(t.costMinor),
    money(t.netMinor),
    money(t.vatMinor),
    money(t.revenueMinor),
    money(t.writtenOffMinor),
    money(t.refundedMinor),
  ];
}

export const CSV_HEADER = ['day', 'connector', 'method', 'sessions', 'energy_kwh', 'cost', 'net', 'vat', 'revenue', 'written_off', 'refunded', 'currency'] as const;

/**
 * The report's rows as CSV (RFC 4180: CRLF line ends, a field quoted when it holds a comma,
 * a quote or a line break), a header first and a `total` row last. Amounts in major units
 * with exactly the currency's decimals ("12.30", JPY "1230"), energy in kWh with 3 decimals.
 * A text field that a spreadsheet would take for a formula (= + - @, a tab or a CR first)
 * is given a leading apostrophe.
 */
export function reportCsv(report: Report): string {
  const figures = (t: ReportTotals) => reportFigures(t, report.currency);
  const lines = [
    CSV_HEADER.map((name) => csvField(name)),
    ...report.rows.map((row) => [csvText(row.day), String(row.connectorId), csvText(row.method), ...figures(row), csvText(report.currency)]),
    ['total', '', '', ...figures(report.totals), csvText(report.currency)],
  ];
  return lines.map((fields) => fields.join(',')).join('\r\n') + '\r\n';
}

/** The receipts issued in the days from..to (the station's time zone), newest first. */
export function receiptList(store: KioskStore, options: { from: string; to: string; timeZone: string }): ReceiptListEntry[] {
  const { fromMs, toMs } = dayRange(options.from, options.to, options.timeZone);
  return store
    .receiptsIssued(fromMs, toMs)
    .reverse()
    .map((receipt) => {
      const content = (receipt.content ?? {}) as Partial<ReceiptContent>;
      const complete = typeof content.connector === 'string' && typeof content.grossMinor === 'number' && typeof content.currency === 'string';
      // A receipt issued without its connector's place (or by an older kiosk) lacks some of it: its session says it.
      const session = complete ? null : store.getSession(receipt.sessionId);
      const summary = parseSummary(session?.summary ?? null);
      return {
        number: receipt.number,
        sessionId: receipt.sessionId,
        issuedAt: receipt.issuedAt,
        connectorLabel: typeof content.connector === 'string' ? content.connector : String(session?.connectorId ?? ''),
        totalMinor: typeof content.grossMinor === 'number' ? content.grossMinor : int(summary?.costMinor ?? session?.costMinor),
        currency: typeof content.currency === 'string' ? content.currency : typeof summary?.currency === 'string' ? summary.currency : '',
      };
    });
}

// ── days of the station ──────────────────────────────────────────────────

/** A calendar day "YYYY-MM-DD" as days since 1970-01-01; throws for anything else (2026-02-30 too). */
export function calendarDay(text: string): number {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  const valid = match !== null && new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]))).toISOString().startsWith(text);
  if (!valid) throw new Error(`${JSON.stringify(text)} is not a day of the calendar (YYYY-MM-DD)`);
  return dayNumber(text);
}

/** Days since 1970-01-01 as "YYYY-MM-DD". */
export function dayText(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

function days(from: string, to: string, timeZone: string): { first: number; last: number; zone: LocalTime } {
  const first = calendarDay(from);
  const last = calendarDay(to);
  if (last < first) throw new Error(`the range ends (${to}) before it starts (${from})`);
  const count = last - first + 1;
  if (count > MAX_REPORT_DAYS) throw new Error(`the range ${from} to ${to} has ${count} days; a report covers at most ${MAX_REPORT_DAYS}`);
  LocalTime.check(timeZone);
  return { first, last, zone: zoneOf(timeZone) };
}

/**
 * The first instant whose local day is `day` or later: the day's midnight, or where a
 * clock change that skips midnight makes it begin. The offset at midnight gives it at
 * once unless a change is near; then it is found by bisection between a day before and a
 * day after the UTC midnight (no zone is a day away from UTC), with no assumption about
 * when or by how much the offset changes.
 */
export function startOfDay(zone: LocalTime, day: number): number {
  const wall = day * DAY_MS;
  const guess = wall - zone.offsetMs(wall - zone.offsetMs(wall));
  if (zone.parts(guess).day >= day && zone.parts(guess - 1).day < day) return guess;
  let before = wall - DAY_MS; // local day < day
  let after = wall + DAY_MS; // local day ≥ day
  while (after - before > 1) {
    const middle = Math.floor((before + after) / 2);
    if (zone.parts(middle).day >= day) after = middle;
    else before = middle;
  }
  return after;
}

/** Which of the days beginning at `starts` (ascending, one more than the days) holds `t`. */
function dayIndex(starts: readonly number[], t: number): number {
  let low = 0;
  let high = starts.length - 1; // starts[low] <= t < starts[high]
  while (high - low > 1) {
    const middle = (low + high) >> 1;
    if (starts[middle]! <= t) low = middle;
    else high = middle;
  }
  return low;
}

// ── sums ─────────────────────────────────────────────────────────────────

function zeroTotals(): ReportTotals {
  return { sessions: 0, energyWh: 0, costMinor: 0, netMinor: 0, vatMinor: 0, revenueMinor: 0, writtenOffMinor: 0, refundedMinor: 0 };
}

function totalsOf(rows: readonly ReportTotals[]): ReportTotals {
  const totals = zeroTotals();
  for (const row of rows) {
    totals.sessions += row.sessions;
    totals.energyWh += row.energyWh;
    totals.costMinor += row.costMinor;
    totals.netMinor += row.netMinor;
    totals.vatMinor += row.vatMinor;
    totals.revenueMinor += row.revenueMinor;
    totals.writtenOffMinor += row.writtenOffMinor;
    totals.refundedMinor += row.refundedMinor;
  }
  return totals;
}

/** What was refunded of one session so far, counted as the reports count it (from the menu, or by the accounts tool). */
export function refundedOf(store: KioskStore, session: { id: string; endedAt: number | null }): number {
  return refundsOf(store, session.endedAt ?? 0).get(session.id) ?? 0;
}

/**
 * What was refunded of each session, of the refunds made from `fromMs` on (a refund comes
 * after its session ended): see the head of this file. Refunds are few; the caller takes
 * those of its sessions.
 */
function refundsOf(store: KioskStore, fromMs: number): Map<string, number> {
  const sql = store.sql();
  const audited = sql.all(
    `SELECT json_extract(data, '$.sessionId') AS session_id,
            SUM(json_extract(data, '$.amountMinor')) AS total,
            SUM(CASE WHEN json_extract(data, '$.via') = 'account' THEN json_extract(data, '$.amountMinor') ELSE 0 END) AS via_account
       FROM audit_log WHERE action = 'session.refunded' AND at >= ? GROUP BY 1`,
    fromMs,
  );
  const ledger = sql.all(
    `SELECT session_id, SUM(amount_minor) AS total FROM account_ledger
      WHERE kind = 'refund' AND session_id IS NOT NULL AND at >= ? GROUP BY session_id`,
    fromMs,
  );
  const refunds = new Map<string, number>();
  const viaAccount = new Map<string, number>();
  for (const row of audited) {
    refunds.set(String(row.session_id), int(row.total));
    viaAccount.set(String(row.session_id), int(row.via_account));
  }
  for (const row of ledger) {
    const id = String(row.session_id);
    const uncovered = int(row.total) - (viaAccount.get(id) ?? 0);
    if (uncovered > 0) refunds.set(id, (refunds.get(id) ?? 0) + uncovered);
  }
  return refunds;
}

// ── helpers ──────────────────────────────────────────────────────────────

type Json = Record<string, unknown>;

function parseSummary(value: unknown): Json | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'object') return value as Json;
  try {
    const parsed: unknown = JSON.parse(String(value));
    return parsed !== null && typeof parsed === 'object' ? (parsed as Json) : null;
  } catch {
    return null;
  }
}

/** An amount as stored: an integer, or 0 when absent. */
function int(value: unknown): number {
  const n = typeof value === 'bigint' ? Number(value) : typeof value === 'number' ? value : value == null ? 0 : Number(value);
  return Number.isFinite(n) ? Math.round(n) : 0;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A text value as a CSV field, kept from being read as a formula by a spreadsheet. */
function csvText(value: string): string {
  return csvField(/^[=+\-@\t\r]/.test(value) ? `'${value}` : value);
}

function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}
