// The receipts export tool, run as the operator runs it (a child process) on a
// temporary data folder: its exact JSON, --since and --until in the station's time
// zone, --help, and every error as one line with exit 2.
import { afterEach, describe, expect, it } from 'vitest';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SessionSummary } from '../../../electron/contract/snapshot.js';
import { receiptContent, type ReceiptPlace } from '../../../electron/receipts/receipt-record.js';
import { KioskStore } from '../../../electron/store/kiosk-store.js';
import { cardSummary, prepaidSummary } from './fixtures.js';
import { runToolScript, type ToolRun } from '../tool-process.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

type Run = ToolRun;

const tool = (args: string[]): Run => runToolScript('receipts.ts', args);

function expectError(result: Run, message: RegExp): void {
  expect(result.code).toBe(2);
  expect(result.stdout).toBe('');
  expect(result.stderr).toMatch(/^receipts: [^\n]+\n$/); // one line, no stack trace
  expect(result.stderr).toMatch(message);
}

const CONFIG = `station:
  id: KIOSK-0042
  timeZone: Europe/Berlin
receipts:
  urlTemplate: "https://example.com/r/{receiptNumber}?k={token}"
connectors:
  - id: 1
    label: "1"
    evseId: "DE*ABC*E1234*1"
  - id: 2
    label: "2"
    evseId: "DE*ABC*E1234*2"
`;

const TOKENS = ['tokenAAAAAAAAAAAAAAAAA', 'tokenBBBBBBBBBBBBBBBBB', 'tokenCCCCCCCCCCCCCCCCC'];

/**
 * A data folder whose kiosk issued three receipts: 1 at 23:30 on 13 March (Berlin; 22:30 UTC),
 * 2 at 00:30 on 14 March (Berlin; 23:30 UTC the day before), 3 on 15 March.
 */
function folder() {
  const dir = mkdtempSync(join(tmpdir(), 'receipts-tool-'));
  dirs.push(dir);
  const data = join(dir, 'data');
  mkdirSync(data);
  const config = join(dir, 'kiosk.yaml');
  writeFileSync(config, CONFIG);
  const store = KioskStore.open(join(data, 'kiosk.sqlite'));
  const issue = (summary: SessionSummary, place: ReceiptPlace, token: string) => {
    store.openSession({ id: summary.sessionId, connectorId: Number(place.connectorLabel), method: summary.method, createdAt: summary.startedAt });
    store.closeSession(
      { id: summary.sessionId, status: 'finished', endedAt: summary.endedAt, energyWh: summary.energyWh, costMinor: summary.costMinor, capturedMinor: summary.capturedMinor, writtenOffMinor: 0, maskedPan: summary.maskedPan, stopReason: 'driver', summary },
      { token, issue: (receiptNumber) => ({ summary: { ...summary, receiptNumber }, content: receiptContent({ ...summary, receiptNumber }, place) }) },
    );
  };
  const place1 = { stationId: 'KIOSK-0042', connectorLabel: '1', evseId: 'DE*ABC*E1234*1' };
  const place2 = { stationId: 'KIOSK-0042', connectorLabel: '2', evseId: 'DE*ABC*E1234*2' };
  const at = (iso: string) => Date.parse(iso);
  issue(cardSummary({ sessionId: 'late-13th', startedAt: at('2025-03-13T21:30:00Z'), endedAt: at('2025-03-13T22:30:00Z') }), place1, TOKENS[0]!);
  issue(cardSummary({ sessionId: 'early-14th', startedAt: at('2025-03-13T22:30:00Z'), endedAt: at('2025-03-13T23:30:00Z') }), place1, TOKENS[1]!);
  issue(prepaidSummary({ sessionId: 'on-15th', startedAt: at('2025-03-15T09:00:00Z'), endedAt: at('2025-03-15T10:00:00Z') }), place2, TOKENS[2]!);
  store.close();
  const out = join(dir, 'export.json');
  return { dir, data, config, out, run: (...args: string[]) => tool(['export', ...args, '--config', config, '--data', data]) };
}

const cardLines = cardSummary().lines;

describe('npm run receipts -- export', () => {
  it('writes the receipts issued since a day of the station, each exactly as the e-receipt site needs it', () => {
    const f = folder();
    const result = f.run('--since', '2025-03-14', '--out', f.out);
    expect(result, result.stderr).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toBe(`2 receipts written to ${f.out}\n`);
    const common = {
      stationId: 'KIOSK-0042',
      meterStartWh: 12_345_678,
      meterStopWh: 12_355_678,
      energyWh: 10_000,
      durationS: 3723,
      chargingS: 3600,
      parkingS: 123,
      lines: cardLines,
      netMinor: 332,
      vatRates: [{ vatPercent: '19', netMinor: 332, vatMinor: 63, grossMinor: 395 }],
      vatMinor: 63,
      grossMinor: 395,
      capturedMinor: 395,
      writtenOffMinor: 0,
      currency: 'EUR',
    };
    expect(JSON.parse(readFileSync(f.out, 'utf8'))).toEqual([
      {
        receiptNumber: 2,
        token: TOKENS[1],
        url: `https://example.com/r/2?k=${TOKENS[1]}`,
        issuedAt: '2025-03-13T23:30:00.000Z',
        sessionId: 'early-14th',
        evseId: 'DE*ABC*E1234*1',
        connector: '1',
        startedAt: '2025-03-13T22:30:00.000Z',
        endedAt: '2025-03-13T23:30:00.000Z',
        ...common,
        payment: { method: 'card', maskedPan: '**** 1234', authCode: '123456', accountName: null, balanceMinor: null },
        terminalReceipt: ['KUNDENBELEG', 'VISA **** 1234', 'Genehmigungs-Nr. 123456'],
      },
      {
        receiptNumber: 3,
        token: TOKENS[2],
        url: `https://example.com/r/3?k=${TOKENS[2]}`,
        issuedAt: '2025-03-15T10:00:00.000Z',
        sessionId: 'on-15th',
        evseId: 'DE*ABC*E1234*2',
        connector: '2',
        startedAt: '2025-03-15T09:00:00.000Z',
        endedAt: '2025-03-15T10:00:00.000Z',
        ...common,
        payment: { method: 'prepaid', maskedPan: null, authCode: null, accountName: 'Ann Example', balanceMinor: 1605 },
        terminalReceipt: [],
      },
    ]);
    // Whole, in the key order of the site's format, and no temporary file left beside it.
    expect(Object.keys(JSON.parse(readFileSync(f.out, 'utf8'))[0]).slice(0, 8)).toEqual(['receiptNumber', 'token', 'url', 'issuedAt', 'sessionId', 'stationId', 'evseId', 'connector']);
    expect(readdirSync(f.dir).sort()).toEqual(['data', 'export.json', 'kiosk.yaml']);
  });

  it('takes the days in the station\'s time zone, --until included', () => {
    const f = folder();
    const numbers = (...args: string[]) => {
      const result = f.run(...args, '--out', f.out);
      expect(result, result.stderr).toMatchObject({ code: 0 });
      return (JSON.parse(readFileSync(f.out, 'utf8')) as { receiptNumber: number }[]).map((r) => r.receiptNumber);
    };
    expect(numbers('--since', '2025-03-13')).toEqual([1, 2, 3]);
    expect(numbers('--since', '2025-03-13', '--until', '2025-03-13')).toEqual([1]); // 23:30 in Berlin, not 00:30 the next day
    expect(numbers('--since', '2025-03-14', '--until', '2025-03-14')).toEqual([2]);
    expect(numbers('--since', '2025-03-16')).toEqual([]);
    // Replaced whole, not appended to.
    expect(readFileSync(f.out, 'utf8')).toBe('[]\n');
  });

  it('gives no address without a template', () => {
    const f = folder();
    writeFileSync(f.config, CONFIG.replace(/receipts:\n.*\n/, ''));
    expect(f.run('--since', '2025-03-15', '--out', f.out)).toMatchObject({ code: 0 });
    expect(JSON.parse(readFileSync(f.out, 'utf8'))).toMatchObject([{ receiptNumber: 3, token: TOKENS[2], url: null }]);
  });

  it('reads beside a kiosk that has the database open', () => {
    const f = folder();
    const kiosk = KioskStore.open(join(f.data, 'kiosk.sqlite'));
    try {
      kiosk.appendAudit(1, 'kiosk', 'running', {});
      expect(f.run('--since', '2025-03-01', '--out', f.out)).toMatchObject({ code: 0, stdout: `3 receipts written to ${f.out}\n` });
    } finally {
      kiosk.close();
    }
  });

  it('prints its usage with --help, and without a command on stderr with exit 2', () => {
    const help = tool(['--help']);
    expect(help).toMatchObject({ code: 0, stderr: '' });
    expect(help.stdout).toMatch(/^usage: receipts export --since YYYY-MM-DD/);
    const none = tool([]);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/^usage: receipts/);
  });

  it('refuses bad dates, an unwritable file, a garbage configuration and a missing database in one line, exit 2', () => {
    const f = folder();
    expectError(f.run('--since', '14.03.2025', '--out', f.out), /--since "14\.03\.2025" is not a date YYYY-MM-DD/);
    expectError(f.run('--since', '2025-02-30', '--out', f.out), /--since "2025-02-30" is not a date/);
    expectError(f.run('--since', '2025-03-14', '--until', '2025-13-01', '--out', f.out), /--until "2025-13-01" is not a date/);
    expectError(f.run('--since', '2025-03-14', '--until', '2025-03-13', '--out', f.out), /--until 2025-03-13 is before --since 2025-03-14/);
    expectError(f.run('--out', f.out), /export needs --since YYYY-MM-DD/);
    expectError(f.run('--since', '2025-03-14'), /export needs --out FILE/);
    expectError(f.run('--since', '2025-03-14', '--out', join(f.dir, 'missing', 'export.json')), /cannot write .*missing\/export\.json: ENOENT/);
    const locked = join(f.dir, 'locked');
    mkdirSync(locked);
    chmodSync(locked, 0o500);
    try {
      const result = f.run('--since', '2025-03-14', '--out', join(locked, 'export.json'));
      // root writes anywhere: the refusal is checked where permissions hold
      if (process.getuid?.() !== 0) expectError(result, /cannot write .*locked\/export\.json: EACCES/);
    } finally {
      chmodSync(locked, 0o700);
    }
    expect(existsSync(f.out)).toBe(false);
    expectError(tool(['export', '--since', '2025-03-14', '--out', f.out, '--frobnicate']), /unknown option --frobnicate \(receipts --help lists them\)/);
    expectError(tool(['import', '--since', '2025-03-14']), /unknown command "import": export/);

    writeFileSync(f.config, 'station: [unclosed\n  : garbage');
    expectError(f.run('--since', '2025-03-14', '--out', f.out), /configuration file .*kiosk\.yaml cannot be read/);
    writeFileSync(f.config, 'station:\n  timeZone: 42\nreceipts:\n  urlTemplate: http://plain.example/{receiptNumber}/{token}\n');
    expectError(f.run('--since', '2025-03-14', '--out', f.out), /kiosk\.yaml is invalid: station\.timeZone: .*; receipts\.urlTemplate: /);
    expectError(tool(['export', '--since', '2025-03-14', '--out', f.out, '--config', join(f.dir, 'nope.yaml')]), /configuration file .*nope\.yaml does not exist/);
    writeFileSync(f.config, CONFIG);
    expectError(tool(['export', '--since', '2025-03-14', '--out', f.out, '--config', f.config, '--data', join(f.dir, 'nowhere')]), /the data folder .*nowhere does not exist/);
    expectError(tool(['export', '--since', '2025-03-14', '--out', f.out, '--config', f.config, '--data', f.dir]), /has no kiosk database/);
    expect(existsSync(f.out)).toBe(false);
  });
});
