// The reports tool, run as the operator runs it (a child process) on a temporary data
// folder: its exact table and CSV, --out, `today` and `yesterday` in the station's time
// zone, --help, refusals as one line with exit 2 and an unexpected error with exit 1.
import { afterEach, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from '@photostructure/sqlite';
import { zoneOf } from '../../../electron/billing/local-time.js';
import { dayText } from '../../../electron/maintenance/reports.js';
import { KioskStore } from '../../../electron/store/kiosk-store.js';
import { migrations } from '../../../electron/store/migrations.js';
import { cardSummary, prepaidSummary } from '../receipts/fixtures.js';
import { runToolScript, type ToolRun } from '../tool-process.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

type Run = ToolRun;

const tool = (args: string[]): Run => runToolScript('reports.ts', args);

function expectError(result: Run, message: RegExp, code = 2): void {
  expect(result.code).toBe(code);
  expect(result.stdout).toBe('');
  expect(result.stderr).toMatch(/^reports: [^\n]+\n$/); // one line, no stack trace
  expect(result.stderr).toMatch(message);
}

const CONFIG = `station:
  id: KIOSK-0042
  timeZone: Europe/Berlin
`;

const at = (iso: string) => Date.parse(iso);

/**
 * A data folder with three finished sessions: a card one on connector 1 on 28 March 2026,
 * a prepaid one on connector 2 at 23:30 on the 29th (the day of the clock change, 21:30
 * UTC), and a card one on connector 1 ending now (today's).
 */
function folder(options: { config?: string } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'reports-tool-'));
  dirs.push(dir);
  const data = join(dir, 'data');
  mkdirSync(data);
  const config = join(dir, 'kiosk.yaml');
  writeFileSync(config, options.config ?? CONFIG);
  const store = KioskStore.open(join(data, 'kiosk.sqlite'));
  const now = Date.now();
  for (const [summary, connectorId] of [
    [cardSummary({ sessionId: 'a', startedAt: at('2026-03-28T08:00:00Z'), endedAt: at('2026-03-28T09:00:00Z') }), 1],
    [prepaidSummary({ sessionId: 'b', startedAt: at('2026-03-29T20:30:00Z'), endedAt: at('2026-03-29T21:30:00Z'), capturedMinor: 300, writtenOffMinor: 95 }), 2],
    [cardSummary({ sessionId: 'c', startedAt: now - 60_000, endedAt: now }), 1],
  ] as const) {
    store.openSession({ id: summary.sessionId, connectorId, method: summary.method, createdAt: summary.startedAt });
    store.closeSession({
      id: summary.sessionId,
      status: 'finished',
      endedAt: summary.endedAt,
      energyWh: summary.energyWh,
      costMinor: summary.costMinor,
      capturedMinor: summary.capturedMinor,
      writtenOffMinor: summary.writtenOffMinor,
      maskedPan: summary.maskedPan,
      stopReason: 'driver',
      summary,
    });
  }
  store.close();
  return { dir, data, config, run: (...args: string[]) => tool([...args, '--config', config, '--data', data]) };
}

const TABLE = `Sessions ended 2026-03-27 to 2026-03-29 (Europe/Berlin), amounts in EUR

Per day
day         sessions     kWh  cost   net   VAT  revenue  written off  refunded
2026-03-27         0   0.000  0.00  0.00  0.00     0.00         0.00      0.00
2026-03-28         1  10.000  3.95  3.32  0.63     3.95         0.00      0.00
2026-03-29         1  10.000  3.95  3.32  0.63     3.00         0.95      0.00

Per connector
connector  sessions     kWh  cost   net   VAT  revenue  written off  refunded
1                 1  10.000  3.95  3.32  0.63     3.95         0.00      0.00
2                 1  10.000  3.95  3.32  0.63     3.00         0.95      0.00

Per way of paying
paid by  sessions     kWh  cost   net   VAT  revenue  written off  refunded
card            1  10.000  3.95  3.32  0.63     3.95         0.00      0.00
prepaid         1  10.000  3.95  3.32  0.63     3.00         0.95      0.00

Total
       sessions     kWh  cost   net   VAT  revenue  written off  refunded
total         2  20.000  7.90  6.64  1.26     6.95         0.95      0.00
`;

const CSV = [
  'day,connector,method,sessions,energy_kwh,cost,net,vat,revenue,written_off,refunded,currency',
  '2026-03-28,1,card,1,10.000,3.95,3.32,0.63,3.95,0.00,0.00,EUR',
  '2026-03-29,2,prepaid,1,10.000,3.95,3.32,0.63,3.00,0.95,0.00,EUR',
  'total,,,2,20.000,7.90,6.64,1.26,6.95,0.95,0.00,EUR',
  '',
].join('\r\n');

describe('npm run reports', () => {
  it('prints per day, per connector, per way of paying and the totals', () => {
    const f = folder();
    const result = f.run('--from', '2026-03-27', '--to', '2026-03-29');
    expect(result, result.stderr).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toBe(TABLE);
  });

  it('prints the CSV with --csv, or writes it whole to --out', () => {
    const f = folder();
    const printed = f.run('--from', '2026-03-27', '--to', '2026-03-29', '--csv');
    expect(printed, printed.stderr).toMatchObject({ code: 0, stderr: '', stdout: CSV });
    const out = join(f.dir, 'report.csv');
    writeFileSync(out, 'an older report');
    const written = f.run('--from', '2026-03-27', '--to', '2026-03-29', '--csv', '--out', out);
    expect(written, written.stderr).toMatchObject({ code: 0, stderr: '' });
    expect(written.stdout).toBe(`the report of 2026-03-27 to 2026-03-29 (2 rows and the total) written to ${out}\n`);
    expect(readFileSync(out, 'utf8')).toBe(CSV);
    expect(readdirSync(f.dir).sort()).toEqual(['data', 'kiosk.yaml', 'report.csv']); // no temporary file left
  });

  it('takes today and yesterday as days of the station, and one day when --to is not given', () => {
    const f = folder();
    const today = zoneOf('Europe/Berlin').parts(Date.now()).day;
    const csv = f.run('--from', 'today', '--csv');
    expect(csv, csv.stderr).toMatchObject({ code: 0, stderr: '' });
    expect(csv.stdout.split('\r\n')[1]).toBe(`${dayText(today)},1,card,1,10.000,3.95,3.32,0.63,3.95,0.00,0.00,EUR`);
    const both = f.run('--from', 'yesterday', '--to', 'today');
    expect(both.stdout).toContain(`Sessions ended ${dayText(today - 1)} to ${dayText(today)} (Europe/Berlin)`);
    const one = f.run('--from', '2026-03-29');
    expect(one.stdout.split('\n')[0]).toBe('Sessions ended 2026-03-29 (Europe/Berlin), amounts in EUR');
    expect(one.stdout).toContain('prepaid         1  10.000  3.95  3.32  0.63     3.00         0.95      0.00');
  });

  it('says so when no session ended in the days', () => {
    const f = folder();
    const result = f.run('--from', '2026-01-01', '--to', '2026-01-02');
    expect(result, result.stderr).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toContain('2026-01-02         0  0.000  0.00');
    expect(result.stdout).not.toContain('Per connector');
    expect(result.stdout.endsWith('No session ended in these days.\n')).toBe(true);
  });

  it('writes amounts with the decimals of the station’s currency', () => {
    const f = folder({ config: `${CONFIG}tariff:\n  id: yen\n  currency: JPY\n  elements:\n    - price_components:\n        - { type: ENERGY, price: "45", vat: "10", step_size: 1 }\n` });
    const result = f.run('--from', '2026-03-28', '--csv');
    expect(result, result.stderr).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout.split('\r\n')[1]).toBe('2026-03-28,1,card,1,10.000,395,332,63,395,0,0,JPY');
  });

  it('prints its usage with --help', () => {
    const result = tool(['--help']);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(/^usage: reports --from DAY/);
  });

  it('refuses days and options it cannot take, in one line with exit 2', () => {
    const f = folder();
    expectError(f.run(), /needs --from DAY/);
    expectError(f.run('--from', '2026-02-30'), /--from "2026-02-30" is not a day YYYY-MM-DD \(or today, yesterday\)/);
    expectError(f.run('--from', 'tomorrow'), /--from "tomorrow" is not a day/);
    expectError(f.run('--from', '2026-03-29', '--to', '2026-03-28'), /--to 2026-03-28 is before --from 2026-03-29/);
    expectError(f.run('--from', '2025-01-01', '--to', '2026-01-02'), /has 367 days; a report covers at most 366/);
    expectError(f.run('--from', '2026-03-28', '--out', join(f.dir, 'x.csv')), /--out writes the CSV: give --csv with it/);
    expectError(f.run('--from', '2026-03-28', '--bogus'), /unknown option --bogus/);
    expectError(f.run('--from', '2026-03-28', 'extra'), /unexpected argument "extra"/);
  });

  it('refuses a folder, a database, a configuration or an output it cannot use, in one line with exit 2', () => {
    const f = folder();
    expectError(f.run('--from', '2026-03-28', '--csv', '--out', join(f.dir, 'missing', 'x.csv')), /cannot write .*missing/);
    expect(existsSync(join(f.dir, 'missing'))).toBe(false);
    expectError(tool(['--from', '2026-03-28', '--config', f.config, '--data', join(f.dir, 'nowhere')]), /the data folder .*nowhere does not exist/);
    const empty = join(f.dir, 'empty');
    mkdirSync(empty);
    expectError(tool(['--from', '2026-03-28', '--config', f.config, '--data', empty]), /has no kiosk database \(kiosk\.sqlite\)/);
    expectError(tool(['--from', '2026-03-28', '--config', join(f.dir, 'none.yaml'), '--data', f.data]), /none\.yaml/);
  });

  it('exits 1 on an unexpected error (a database of the right version without its tables)', () => {
    const f = folder();
    const broken = join(f.dir, 'broken');
    mkdirSync(broken);
    const db = new DatabaseSync(join(broken, 'kiosk.sqlite'));
    db.exec(`PRAGMA user_version = ${migrations.at(-1)!.version}`);
    db.close();
    expectError(tool(['--from', '2026-03-28', '--config', f.config, '--data', broken]), /unexpected error: .*no such table/, 1);
  });
});
