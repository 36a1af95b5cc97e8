// The operator's report of what the station took (electron/maintenance/reports.ts):
//
//   npm run reports -- --from DAY [--to DAY] [--csv [--out FILE]]
//
// DAY is YYYY-MM-DD, `today` or `yesterday`, in the station's time zone; --to is --from
// when not given. It prints per day, per connector, per way of paying and the totals, or
// with --csv the report's rows as CSV (to FILE with --out, written whole or not at all).
// It reads the kiosk's database (<data>/kiosk.sqlite, --config and --data as the kiosk
// reads them) read-only, so it runs beside the kiosk.
// Exit codes: 0 done; 2 a refusal, in one line on stderr; 1 an unexpected error.
import path from 'node:path';
import { zoneOf } from '../electron/billing/local-time.js';
import type { Report, ReportTotals } from '../electron/contract/maintenance.js';
import { calendarDay, dayRange, dayText, reportCsv, reportFigures, sessionReport } from '../electron/maintenance/reports.js';
import { Failure, kioskConfigOf, kioskDataDirOf, oneLine, openKioskStore, printable, runTool, toolArguments, writeFileAtomically } from './cli.js';

const USAGE = `usage: reports --from DAY [--to DAY] [--csv [--out FILE]] [--config FILE] [--data DIR]
  what the station took from --from to --to (both days included; --to is --from when not
  given), per day, per connector, per way of paying, and the totals
  DAY         YYYY-MM-DD, today or yesterday, in the station's time zone
options:
  --csv           the report's rows as CSV instead (one per day, connector and way of paying, and a total)
  --out FILE      with --csv: write it to FILE (whole or not at all) instead of printing it
  --config FILE   the kiosk configuration (KIOSK_CONFIG; default ./kiosk.yaml): the station's
                  time zone and currency
  --data DIR      the kiosk's data folder (KIOSK_DATA_DIR; default ./data), with kiosk.sqlite
It works while the kiosk runs (it only reads).
exit codes: 0 done, 2 a refusal (one line on stderr), 1 an unexpected error`;

const OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  config: { type: 'string' },
  data: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  csv: { type: 'boolean' },
  out: { type: 'string' },
} as const;

function main(args: string[]): number {
  const parsed = toolArguments('reports', args, OPTIONS, USAGE);
  if (!parsed) return 0;
  const { values, positionals } = parsed;
  if (positionals.length > 0) throw new Failure(`unexpected argument ${JSON.stringify(printable(positionals[0]!))} (reports --help)`);
  if (values.from === undefined) throw new Failure('reports needs --from DAY (YYYY-MM-DD, today or yesterday; reports --help)');
  if (values.out !== undefined && !values.csv) throw new Failure('--out writes the CSV: give --csv with it');
  if (values.out === '') throw new Failure('--out needs a file name');

  const config = kioskConfigOf(values.config);
  const timeZone = config.station.timeZone;
  const currency = config.tariff.currency;
  const from = day('--from', values.from, timeZone);
  const to = values.to === undefined ? from : day('--to', values.to, timeZone);
  if (to < from) throw new Failure(`--to ${to} is before --from ${from}`);
  try {
    dayRange(from, to, timeZone);
  } catch (error) {
    throw new Failure(oneLine(error)); // more days than a report covers: it says so
  }

  const store = openKioskStore(kioskDataDirOf(values.data), 'read');
  let report: Report;
  try {
    report = sessionReport(store, { from, to, timeZone, currency });
  } finally {
    store.close();
  }
  if (!values.csv) {
    process.stdout.write(table(report));
    return 0;
  }
  const csv = reportCsv(report);
  if (values.out === undefined) {
    process.stdout.write(csv);
    return 0;
  }
  const out = path.resolve(values.out);
  writeFileAtomically(out, csv);
  process.stdout.write(`the report of ${span(report)} (${report.rows.length} row${report.rows.length === 1 ? '' : 's'} and the total) written to ${printable(out)}\n`);
  return 0;
}

/** A day as the operator types it, "YYYY-MM-DD" as given (a day the calendar lacks is refused). */
function day(option: string, text: string, timeZone: string): string {
  if (text === 'today' || text === 'yesterday') {
    const today = zoneOf(timeZone).parts(Date.now()).day;
    return dayText(text === 'today' ? today : today - 1);
  }
  try {
    calendarDay(text);
  } catch {
    throw new Failure(`${option} ${JSON.stringify(printable(text))} is not a day YYYY-MM-DD (or today, yesterday)`);
  }
  return text;
}


const span = (report: Report) => (report.from === report.to ? report.from : `${report.from} to ${report.to}`);

const HEAD = ['sessions', 'kWh', 'cost', 'net', 'VAT', 'revenue', 'written off', 'refunded'];

/** The report for people: a heading, then per day, per connector, per way of paying, and the totals. */
function table(report: Report): string {
  const figures = (t: ReportTotals) => reportFigures(t, report.currency);
  const section = (title: string, label: string, rows: [string, ReportTotals][]) =>
    [title, ...align([[label, ...HEAD], ...rows.map(([name, totals]) => [name, ...figures(totals)])]), ''];
  const lines = [
    `Sessions ended ${span(report)} (${report.timeZone}), amounts in ${report.currency}`,
    '',
    ...section('Per day', 'day', report.byDay.map((d) => [d.day, d])),
    ...(report.byConnector.length > 0 ? section('Per connector', 'connector', report.byConnector.map((c) => [String(c.connectorId), c])) : []),
    ...(report.byMethod.length > 0 ? section('Per way of paying', 'paid by', report.byMethod.map((m) => [printable(m.method), m])) : []),
    ...section('Total', '', [['total', report.totals]]),
  ];
  if (report.totals.sessions === 0) lines.push('No session ended in these days.', '');
  return `${lines.join('\n').trimEnd()}\n`;
}

/** Columns padded to one width, the first left-aligned and the figures right-aligned, so that digits line up. */
function align(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows.map((row) => row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  ').trimEnd());
}

/** Beside the target, then renamed over it: a reader of FILE sees the old report or the new one, never half. */

await runTool('reports', () => main(process.argv.slice(2)));
