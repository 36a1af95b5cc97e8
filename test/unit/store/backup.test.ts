// The online backup: a checked, consistent copy of the kiosk's file while another process
// writes to it, named by the station's wall clock, never over an existing file, nothing
// left behind when it fails; and `npm run backup` as the operator runs it.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DatabaseSync } from '@photostructure/sqlite';
import { BackupError, backupStore, stationStamp } from '../../../electron/store/backup.js';
import { KioskStore } from '../../../electron/store/kiosk-store.js';
import { migrations } from '../../../electron/store/migrations.js';
import { ROOT, runToolScript, type ToolRun } from '../tool-process.js';

const STORE_MODULE = pathToFileURL(join(ROOT, 'electron/store/kiosk-store.ts')).href;

let dir: string;
let data: string;
let storeFile: string;
let out: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'kiosk-backup-'));
  data = join(dir, 'data');
  out = join(dir, 'out');
  mkdirSync(data);
  mkdirSync(out);
  storeFile = join(data, 'kiosk.sqlite');
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Sessions closed through the store: each close is one transaction with its audit entry. */
function withSessions(n: number, from = 0): void {
  const store = KioskStore.open(storeFile);
  try {
    for (let i = from; i < from + n; i++) close(store, `s${i}`, 1_000 + i);
  } finally {
    store.close();
  }
}

function close(store: KioskStore, id: string, at: number): void {
  store.openSession({ id, connectorId: 1, method: 'card', createdAt: at });
  store.closeSession({ id, status: 'finished', endedAt: at, energyWh: 1000, costMinor: 395, capturedMinor: 395, writtenOffMinor: 0, maskedPan: null, stopReason: 'driver', summary: { sessionId: id } });
}

/** What a copy holds, read as the kiosk's tools read it: sessions, their audit entries, the chain. */
function contents(file: string) {
  const copy = KioskStore.openReadOnly(file);
  try {
    const sql = copy.sql();
    return {
      version: copy.schemaVersion(),
      sessions: Number(sql.get(`SELECT COUNT(*) AS n FROM sessions WHERE status = 'finished'`)!.n),
      closings: Number(sql.get(`SELECT COUNT(*) AS n FROM audit_log WHERE action = 'session.finished'`)!.n),
      chainBreaksAt: copy.verifyAudit(),
      journalMode: String(sql.get('PRAGMA journal_mode')!.journal_mode),
    };
  } finally {
    copy.close();
  }
}

const NOW = new Date('2026-03-29T10:15:30.250Z'); // 12:15:30 in Berlin (summer time since 03:00)

describe('backupStore', () => {
  it('writes a checked copy named by the station’s wall clock', () => {
    withSessions(3);
    const result = backupStore(storeFile, out, NOW, 'Europe/Berlin');
    expect(result.file).toBe(join(out, 'kiosk-20260329-121530.sqlite'));
    expect(result.bytes).toBe(statSync(result.file).size);
    expect(result.bytes).toBeGreaterThan(0);
    expect(contents(result.file)).toEqual({ version: migrations.at(-1)!.version, sessions: 3, closings: 3, chainBreaksAt: null, journalMode: 'delete' });
    expect(readdirSync(out)).toEqual(['kiosk-20260329-121530.sqlite']); // one self-contained file, no -wal, no temporary
    expect(stationStamp(new Date('2026-03-29T00:59:59Z'), 'Europe/Berlin')).toBe('20260329-015959'); // before the change: CET
    expect(stationStamp(NOW, 'UTC')).toBe('20260329-101530');
  });

  it('never writes over an existing file: a second backup in the same second takes the next name', () => {
    withSessions(1);
    writeFileSync(join(out, 'kiosk-20260329-121530.sqlite'), 'precious');
    const second = backupStore(storeFile, out, NOW, 'Europe/Berlin');
    const third = backupStore(storeFile, out, NOW, 'Europe/Berlin');
    expect([second.file, third.file]).toEqual([join(out, 'kiosk-20260329-121530-2.sqlite'), join(out, 'kiosk-20260329-121530-3.sqlite')]);
    expect(readFileSync(join(out, 'kiosk-20260329-121530.sqlite'), 'utf8')).toBe('precious');
    expect(contents(third.file).sessions).toBe(1);
  });

  it('is consistent while another process writes to the store (WAL)', async () => {
    withSessions(1);
    const writerFile = join(dir, 'writer.ts');
    // Closes a session every few ms until told to stop (stdin closes), saying when it has begun.
    writeFileSync(
      writerFile,
      `import { KioskStore } from ${JSON.stringify(STORE_MODULE)};
const store = KioskStore.open(${JSON.stringify(storeFile)});
let i = 0, stop = false;
process.stdin.on('end', () => { stop = true; }).resume();
const tick = () => {
  if (stop) { store.close(); process.stdout.write('closed ' + i + '\\n'); return; }
  for (let k = 0; k < 5; k++, i++) {
    const id = 'w' + i;
    store.openSession({ id, connectorId: 2, method: 'card', createdAt: i });
    store.closeSession({ id, status: 'finished', endedAt: i, energyWh: 1, costMinor: 1, capturedMinor: 1, writtenOffMinor: 0, maskedPan: null, stopReason: 'driver', summary: { sessionId: id } });
  }
  if (i === 5) process.stdout.write('ready\\n');
  setImmediate(tick);
};
tick();
`,
    );
    const writer = spawn(process.execPath, ['--import', 'tsx', writerFile], { cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit'] });
    let said = '';
    const exited = new Promise<number | null>((resolve) => writer.on('exit', resolve));
    await new Promise<void>((resolve, reject) => {
      writer.stdout.on('data', (chunk: Buffer) => {
        said += chunk.toString();
        if (said.includes('ready')) resolve();
      });
      writer.on('exit', () => reject(new Error(`the writer ended early: ${said}`)));
    });
    const seen: number[] = [];
    try {
      for (let n = 0; n < 6; n++) {
        const { file } = backupStore(storeFile, out, new Date(NOW.getTime() + n * 1000), 'Europe/Berlin');
        const copy = contents(file);
        // One instant of the file: every closed session with its audit entry, the chain whole.
        expect(copy.chainBreaksAt).toBeNull();
        expect(copy.closings).toBe(copy.sessions);
        seen.push(copy.sessions);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    } finally {
      writer.stdin.end();
    }
    expect(await exited).toBe(0);
    const written = Number(/closed (\d+)/.exec(said)?.[1]);
    // The writer went on meanwhile: the copies differ, each later one holds more.
    expect(new Set(seen).size).toBeGreaterThan(1);
    expect([...seen].sort((a, b) => a - b)).toEqual(seen);
    expect(seen.at(-1)!).toBeLessThanOrEqual(1 + written);
    expect(contents(storeFile).sessions).toBe(1 + written);
  });

  it('refuses a folder or a database it cannot use, and leaves nothing behind', () => {
    withSessions(1);
    expect(() => backupStore(storeFile, join(dir, 'missing'), NOW)).toThrow(new BackupError(`the folder ${join(dir, 'missing')} does not exist`));
    expect(() => backupStore(storeFile, storeFile, NOW)).toThrow(/is not a folder/);
    expect(() => backupStore(join(data, 'none.sqlite'), out, NOW)).toThrow(/the database .*none\.sqlite cannot be opened/);
    writeFileSync(join(data, 'junk.sqlite'), 'not a database at all, but long enough to look like a header of one............');
    expect(() => backupStore(join(data, 'junk.sqlite'), out, NOW)).toThrow(BackupError);
    expect(readdirSync(out)).toEqual([]);
  });
});

type Run = ToolRun;

const tool = (args: string[]): Run => runToolScript('backup.ts', args);

describe('npm run backup', () => {
  it('says where the checked copy is', () => {
    withSessions(2);
    const config = join(dir, 'kiosk.yaml');
    writeFileSync(config, 'station:\n  id: KIOSK-0042\n  timeZone: Europe/Berlin\n');
    const result = tool([out, '--config', config, '--data', data]);
    expect(result, result.stderr).toMatchObject({ code: 0, stderr: '' });
    const [name] = readdirSync(out);
    expect(name).toMatch(/^kiosk-\d{8}-\d{6}\.sqlite$/);
    const file = join(out, name!);
    expect(result.stdout).toBe(`backup written to ${file} (${statSync(file).size} bytes, integrity checked)\n`);
    expect(contents(file).sessions).toBe(2);
  });

  it('refuses in one line with exit 2', () => {
    withSessions(1);
    const config = join(dir, 'kiosk.yaml');
    writeFileSync(config, 'station:\n  id: KIOSK-0042\n');
    const refused = (args: string[], message: RegExp) => {
      const result = tool([...args, '--config', config]);
      expect(result.code).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(/^backup: [^\n]+\n$/);
      expect(result.stderr).toMatch(message);
    };
    refused([join(dir, 'missing'), '--data', data], /the folder .*missing does not exist/);
    refused([out, '--data', join(dir, 'nowhere')], /the data folder .*nowhere does not exist/);
    refused([out, '--data', out], /has no kiosk database/);
    refused([out, 'another', '--data', data], /unexpected argument "another"/);
    refused([out, '--data', data, '--bogus'], /unknown option --bogus/);
    expect(readdirSync(out)).toEqual([]);
  });

  it('shows its usage without a folder (exit 2) and with --help (exit 0), touching nothing', () => {
    withSessions(1);
    const config = join(dir, 'kiosk.yaml');
    writeFileSync(config, 'station:\n  id: KIOSK-0042\n');
    const usage = tool(['--data', data, '--config', config]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/^usage: backup DIR/);
    expect(tool(['--help'])).toMatchObject({ code: 0, stderr: '' });
    expect(readdirSync(out)).toEqual([]);
    // The database itself is untouched by all of it.
    const db = new DatabaseSync(storeFile, { readOnly: true });
    expect(Number((db.prepare('SELECT COUNT(*) AS n FROM sessions').get() as { n: number }).n)).toBe(1);
    db.close();
  });
});
