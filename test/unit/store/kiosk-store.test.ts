// The kiosk's durable memory on a real SQLite file: migrations, refusing a newer
// schema, sessions closed exactly once, idempotent payments, the hash-chained audit
// log and its tamper detection, settings, durability across processes.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DatabaseSync, type DatabaseSyncInstance } from '@photostructure/sqlite';
import { KioskStore } from '../../../electron/store/kiosk-store.js';
import { migrations } from '../../../electron/store/migrations.js';

const LATEST = migrations.at(-1)!.version;

let dir: string;
let file: string;
const open: { close(): void }[] = [];

function store(path = file): KioskStore {
  const s = KioskStore.open(path);
  open.push(s);
  return s;
}

/** A second, independent connection to the same file, as a tamperer would use. */
function raw(path = file): DatabaseSyncInstance {
  const db = new DatabaseSync(path);
  open.push(db);
  return db;
}

function closeAll(): void {
  for (const handle of open.splice(0).reverse()) {
    try {
      handle.close();
    } catch {
      // already closed
    }
  }
}

function dbOf(s: KioskStore): DatabaseSyncInstance {
  return (s as unknown as { db: DatabaseSyncInstance }).db;
}

function tables(db: DatabaseSyncInstance): string[] {
  return (db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`).all() as { name: string }[]).map((r) => r.name);
}

const closed = (id: string, over: Partial<Parameters<KioskStore['closeSession']>[0]> = {}) => ({
  id,
  status: 'finished' as const,
  endedAt: 2_000,
  energyWh: 1234,
  costMinor: 420,
  capturedMinor: 420,
  writtenOffMinor: 0,
  maskedPan: '************1234',
  stopReason: 'driver',
  summary: { lines: [{ kind: 'energy', amountMinor: 378 }] },
  ...over,
});

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'kiosk-store-'));
  file = join(dir, 'kiosk.db');
});

afterEach(() => {
  closeAll();
  rmSync(dir, { recursive: true, force: true });
});

describe('KioskStore: schema', () => {
  it('runs the migrations on a new file and not again on reopen, keeping the data', () => {
    const s = store();
    expect(s.schemaVersion()).toBe(LATEST);
    expect(tables(dbOf(s))).toEqual(['account_cards', 'account_ledger', 'account_reservations', 'accounts', 'audit_log', 'connector_state', 'connector_state_quarantine', 'domain_events', 'meter_samples', 'payments', 'receipts', 'service_state', 'session_journal', 'sessions', 'settings', 'tech_lockout', 'technicians']);
    s.openSession({ id: 's1', connectorId: 1, method: 'card', createdAt: 1000 });
    s.close();

    // Migration 1 creates its tables without IF NOT EXISTS: running it again would throw.
    const again = store();
    expect(again.schemaVersion()).toBe(LATEST);
    expect(again.getSession('s1')).toMatchObject({ id: 's1', status: 'active', connectorId: 1 });
    again.close();
  });

  it('migrates a version-1 payments journal, keeping every row (hold id becomes the reference); an approval without its session record gets one', () => {
    const v1 = join(dir, 'v1.sqlite');
    const db = new DatabaseSync(v1);
    db.exec(migrations[0]!.sql);
    db.exec('PRAGMA user_version = 1');
    db.prepare(`INSERT INTO payments (idempotency_key, session_id, operation, amount_minor, currency, status, hold_id, created_at, updated_at)
                VALUES ('s1:authorize:1', 's1', 'authorize', 5000, 'EUR', 'done', 'sim-h-1', 1, 2)`).run();
    db.close();
    const s = store(v1);
    expect(s.schemaVersion()).toBe(LATEST);
    expect(s.payment('s1:authorize:1')).toMatchObject({ reference: 'sim-h-1', method: 'card', abandoned: false, attempts: 0, status: 'done' });
    expect(s.paymentsOf('s1').map((p) => p.key)).toEqual(['s1:authorize:1']);
    // Migration 3: the approved hold is a session that reached a payment; the sweep closes its record once it is settled.
    expect(s.getSession('s1')).toMatchObject({ id: 's1', status: 'active', connectorId: 0, method: 'card', createdAt: 1 });
  });

  it('refuses a database with a newer schema version, touching nothing and letting go of the file', () => {
    store().close();
    const db = raw();
    db.exec('PRAGMA user_version = 99');
    db.close();
    expect(readdirSync(dir)).toEqual(['kiosk.db']);

    expect(() => KioskStore.open(file)).toThrow(new RegExp(`schema version 99, newer than this kiosk knows \\(${LATEST}\\); refusing to touch it`));
    // The refused connection is closed: no WAL left open on the file.
    expect(readdirSync(dir)).toEqual(['kiosk.db']);
    const check = raw();
    expect((check.prepare('PRAGMA user_version').get() as { user_version: number }).user_version).toBe(99);
    expect(tables(check)).toContain('sessions');
  });

  it('sets WAL and synchronous=FULL', () => {
    const s = store();
    expect((dbOf(s).prepare('PRAGMA journal_mode').get() as { journal_mode: string }).journal_mode).toBe('wal');
    expect((dbOf(s).prepare('PRAGMA synchronous').get() as { synchronous: number }).synchronous).toBe(2);
    expect((dbOf(s).prepare('PRAGMA foreign_keys').get() as { foreign_keys: number }).foreign_keys).toBe(1);
    // WAL is a property of the file: another connection sees it too.
    expect((raw().prepare('PRAGMA journal_mode').get() as { journal_mode: string }).journal_mode).toBe('wal');
  });

  it('rolls a failed transaction back entirely', () => {
    const s = store();
    expect(() =>
      s.transaction(() => {
        s.openSession({ id: 'gone', connectorId: 1, method: 'card', createdAt: 1 });
        s.saveConnector(1, { schemaVersion: 1, phase: 'charging', snapshot: {} }, 1);
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(s.getSession('gone')).toBeNull();
    expect(s.loadConnector(1)).toBeNull();
    // and the connection is usable afterwards
    s.openSession({ id: 'kept', connectorId: 1, method: 'card', createdAt: 1 });
    expect(s.getSession('kept')).not.toBeNull();
  });
});

describe('KioskStore: connectors and sessions', () => {
  it('round-trips connector snapshots and overwrites them', () => {
    const s = store();
    expect(s.loadConnector(1)).toBeNull();
    const snapshot = { value: 'charging', context: { sessionId: 's1', meterWh: 12.5, nested: [1, null, 'x'] } };
    s.saveConnector(1, { schemaVersion: 3, phase: 'charging', snapshot }, 1000);
    expect(s.loadConnector(1)).toEqual({ schemaVersion: 3, phase: 'charging', snapshot, updatedAt: 1000 });
    s.saveConnector(1, { schemaVersion: 4, phase: 'available', snapshot: null }, 2000);
    expect(s.loadConnector(1)).toEqual({ schemaVersion: 4, phase: 'available', snapshot: null, updatedAt: 2000 });
    expect(s.loadConnector(2)).toBeNull();
  });

  it('closes a session once, with exactly one audit entry; a second close changes nothing', () => {
    const s = store();
    s.openSession({ id: 's1', connectorId: 2, method: 'card', createdAt: 1000 });
    expect(s.getSession('s1')).toEqual({
      id: 's1',
      connectorId: 2,
      method: 'card',
      status: 'active',
      createdAt: 1000,
      endedAt: null,
      energyWh: null,
      costMinor: null,
      capturedMinor: null,
      writtenOffMinor: null,
      maskedPan: null,
      stopReason: null,
      summary: null,
    });
    expect(s.auditLog()).toEqual([]);

    expect(s.closeSession(closed('s1'))).toBe(true);
    const record = s.getSession('s1');
    expect(record).toMatchObject({ status: 'finished', endedAt: 2000, energyWh: 1234, costMinor: 420, capturedMinor: 420, writtenOffMinor: 0, maskedPan: '************1234', stopReason: 'driver' });
    expect(record!.summary).toEqual({ lines: [{ kind: 'energy', amountMinor: 378 }] });
    const audit = s.auditLog();
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      at: 2000,
      actor: 'kiosk',
      action: 'session.finished',
      data: { sessionId: 's1', energyWh: 1234, costMinor: 420, capturedMinor: 420, writtenOffMinor: 0, stopReason: 'driver' },
    });
    // No card number in the audit log.
    expect(JSON.stringify(audit)).not.toContain('****');

    expect(s.closeSession(closed('s1', { status: 'cancelled', endedAt: 3000, costMinor: 0 }))).toBe(false);
    expect(s.getSession('s1')).toEqual(record);
    expect(s.auditLog()).toHaveLength(1);
    // Opening it again does not revive it.
    s.openSession({ id: 's1', connectorId: 1, method: 'card', createdAt: 5000 });
    expect(s.getSession('s1')).toEqual(record);
    expect(s.verifyAudit()).toBeNull();
  });

  it('refuses to close an unknown session, writing nothing', () => {
    const s = store();
    expect(() => s.closeSession(closed('nope'))).toThrow(/no session nope/);
    expect(s.auditLog()).toEqual([]);
  });

  it('records cancelled sessions, journal entries and meter samples', () => {
    const s = store();
    s.openSession({ id: 'a', connectorId: 1, method: 'card', createdAt: 1 });
    s.openSession({ id: 'b', connectorId: 2, method: 'card', createdAt: 2 });
    s.journal('a', 10, 'authorized', { holdMinor: 5000 });
    s.journal('a', 11, 'plugged');
    s.addMeterSample('a', 20, 100.4, 11039.6);
    s.addMeterSample('a', 21, 200, 11040);
    expect(s.closeSession(closed('b', { status: 'cancelled', endedAt: null, energyWh: null, costMinor: null, capturedMinor: null, writtenOffMinor: null, maskedPan: null, stopReason: null, summary: undefined }))).toBe(true);
    expect(s.journalOf('a')).toEqual([
      { at: 10, entry: 'authorized', data: { holdMinor: 5000 } },
      { at: 11, entry: 'plugged', data: null },
    ]);
    expect(s.meterSamples('a')).toEqual([
      { at: 20, meterWh: 100, powerW: 11040 },
      { at: 21, meterWh: 200, powerW: 11040 },
    ]);
    expect(s.getSession('b')).toMatchObject({ status: 'cancelled', endedAt: null, summary: null });
    expect(s.listSessions().map((r) => r.id)).toEqual(['b', 'a']);
    expect(s.auditLog().map((e) => e.action)).toEqual(['session.cancelled']);
  });
});

describe('KioskStore: payments', () => {
  const authorize = { key: 'k-auth-1', sessionId: 's1', operation: 'authorize' as const, amountMinor: 5000, currency: 'EUR' };

  it('begins a payment once per idempotency key', () => {
    const s = store();
    const first = s.beginPayment(authorize, 1000);
    expect(first).toEqual({ ...authorize, connectorId: null, method: 'card', status: 'pending', reference: null, abandoned: false, attempts: 0, lastError: null, result: null, createdAt: 1000, updatedAt: 1000 });
    expect(s.pendingPayments()).toEqual([first]);

    // The same key again, even with other values: the existing record, unchanged.
    expect(s.beginPayment({ ...authorize, amountMinor: 9999, reference: 'other' }, 2000)).toEqual(first);

    s.completePayment(authorize.key, 'done', { approved: true }, 3000, 'hold-1');
    const done = s.payment(authorize.key)!;
    expect(done).toMatchObject({ status: 'done', reference: 'hold-1', result: { approved: true }, createdAt: 1000, updatedAt: 3000 });
    // Beginning it again after it completed does not reset it to pending.
    expect(s.beginPayment(authorize, 4000)).toEqual(done);
    expect(s.pendingPayments()).toEqual([]);
    expect(s.paymentsOf('s1')).toEqual([done]);
  });

  it('writes an audit entry when a payment completes, keeping the hold id when none is given', () => {
    const s = store();
    s.beginPayment(authorize, 1000);
    s.completePayment(authorize.key, 'done', { approved: true }, 2000, 'hold-1');
    s.beginPayment({ key: 'k-cap-1', sessionId: 's1', operation: 'capture', amountMinor: 420, currency: 'EUR', reference: 'hold-1' }, 3000);
    s.completePayment('k-cap-1', 'failed', { error: 'timeout' }, 4000);
    expect(s.payment('k-cap-1')).toMatchObject({ status: 'failed', reference: 'hold-1', result: { error: 'timeout' } });

    const audit = s.auditLog();
    expect(audit.map((e) => [e.at, e.actor, e.action])).toEqual([
      [2000, 'kiosk', 'payment.authorize.done'],
      [4000, 'kiosk', 'payment.capture.failed'],
    ]);
    expect(audit[0]!.data).toEqual({ sessionId: 's1', key: authorize.key, amountMinor: 5000, reference: 'hold-1', abandoned: false, result: { approved: true } });
    expect(audit[1]!.data).toEqual({ sessionId: 's1', key: 'k-cap-1', amountMinor: 420, reference: 'hold-1', abandoned: false, result: { error: 'timeout' } });
    expect(s.paymentsOf('s1').map((p) => p.key)).toEqual([authorize.key, 'k-cap-1']);
    expect(s.verifyAudit()).toBeNull();
  });

  it('refuses to complete an unknown payment, writing no audit entry', () => {
    const s = store();
    expect(() => s.completePayment('unknown', 'done', null, 1000)).toThrow(/no payment with key unknown/);
    expect(s.auditLog()).toEqual([]);
  });
});

describe('KioskStore: open authorisations (the maintenance menu)', () => {
  it('lists the approved holds neither captured nor released: not declined ones, not settled ones, and a pending capture keeps it open', () => {
    const s = store();
    const approve = (session: string) => {
      const key = `${session}:authorize:1`;
      s.beginPayment({ key, sessionId: session, operation: 'authorize', amountMinor: 5000, currency: 'EUR' }, 1);
      s.completePayment(key, 'done', { authorization: { key, limitMinor: 5000 } }, 2, `ref-${session}`);
      return key;
    };
    const captured = approve('captured');
    s.beginPayment({ key: `${captured}:capture`, sessionId: 'captured', operation: 'capture', amountMinor: 420, currency: 'EUR' }, 3);
    s.completePayment(`${captured}:capture`, 'done', {}, 4);
    const released = approve('released');
    s.beginPayment({ key: `${released}:release`, sessionId: 'released', operation: 'release', amountMinor: 0, currency: 'EUR' }, 3);
    s.completePayment(`${released}:release`, 'done', {}, 4);
    const settling = approve('settling');
    s.beginPayment({ key: `${settling}:capture`, sessionId: 'settling', operation: 'capture', amountMinor: 420, currency: 'EUR' }, 3);
    const running = approve('running');
    s.beginPayment({ key: 'declined:authorize:1', sessionId: 'declined', operation: 'authorize', amountMinor: 5000, currency: 'EUR' }, 1);
    s.completePayment('declined:authorize:1', 'failed', { outcome: 'declined', reason: 'declined' }, 2);
    expect(s.openAuthorizations().map((p) => p.key)).toEqual([settling, running]);
  });
});

describe('KioskStore: audit chain', () => {
  function filled(): KioskStore {
    const s = store();
    s.appendAudit(1, 'kiosk', 'started', { version: '0.1.0' });
    s.setSetting('hold', 6000, 2, 'technician');
    s.openSession({ id: 's1', connectorId: 1, method: 'card', createdAt: 3 });
    s.closeSession(closed('s1', { endedAt: 4 }));
    s.appendAudit(5, 'kiosk', 'stopped', null);
    return s;
  }

  it('verifies a good chain, each entry linked to the previous', () => {
    const s = filled();
    const log = s.auditLog();
    expect(log.map((e) => e.id)).toEqual([1, 2, 3, 4]);
    expect(log[0]!.prevHash).toBe('0'.repeat(64));
    for (let i = 1; i < log.length; i++) expect(log[i]!.prevHash).toBe(log[i - 1]!.hash);
    expect(s.verifyAudit()).toBeNull();
    expect(store(':memory:').verifyAudit()).toBeNull(); // empty
  });

  it('finds the first entry whose data was changed behind its back', () => {
    const s = filled();
    const tamper = raw();
    tamper.prepare('UPDATE audit_log SET data = ? WHERE id = ?').run(JSON.stringify({ key: 'hold', value: 1 }), 2);
    expect(s.verifyAudit()).toBe(2);
    tamper.prepare('UPDATE audit_log SET action = ? WHERE id = ?').run('session.cancelled', 3);
    expect(s.verifyAudit()).toBe(2);
  });

  it('finds changed actors, times, a deleted entry and a forged hash', () => {
    const cases: [string, (db: DatabaseSyncInstance) => void, number][] = [
      ['actor', (db) => db.prepare(`UPDATE audit_log SET actor = 'nobody' WHERE id = 3`).run(), 3],
      ['time', (db) => db.prepare('UPDATE audit_log SET at = at + 1 WHERE id = 1').run(), 1],
      ['deleted', (db) => db.prepare('DELETE FROM audit_log WHERE id = 2').run(), 3],
      // Rewriting an entry with a hash that fits its new content still breaks the next link.
      [
        'rehashed',
        (db) => {
          db.prepare(`UPDATE audit_log SET data = '{"forged":true}', hash = ? WHERE id = 2`).run('f'.repeat(64));
        },
        2,
      ],
    ];
    for (const [name, change, expected] of cases) {
      closeAll();
      rmSync(file, { force: true });
      rmSync(`${file}-wal`, { force: true });
      rmSync(`${file}-shm`, { force: true });
      const s = filled();
      change(raw());
      expect(s.verifyAudit(), name).toBe(expected);
    }
  });

  it('refuses an actor or action SQLite would not keep as given, writing nothing', () => {
    const s = filled();
    const before = s.auditLog();
    for (const [actor, action] of [
      ['tech\u0000nician', 'setting.changed'],
      ['kiosk', 'x\u0000'],
      ['\uD800', 'a'],
      ['kiosk', 'lone \uDC00 low'],
    ]) {
      expect(() => s.appendAudit(9, actor!, action!, {}), JSON.stringify([actor, action])).toThrow(/SQLite keeps as is/);
      if (actor !== 'kiosk') expect(() => s.setSetting('k', 1, 9, actor!)).toThrow(/SQLite keeps as is/);
    }
    expect(s.getSetting('k')).toBeUndefined(); // the setting rolled back with its audit entry
    expect(s.auditLog()).toEqual(before);
    // Astral characters in proper pairs, and any text in data, are fine.
    s.appendAudit(10, 'kiosk \u{1F50C}', 'plug \u{1F697}', { note: 'nul \u0000 and lone \uD800 in data' });
    expect(s.auditLog().at(-1)!.data).toEqual({ note: 'nul \u0000 and lone \uD800 in data' });
    expect(s.verifyAudit()).toBeNull();
  });

  it('property: a chain of any appends verifies; changing any one entry is found there', () => {
    const unstorable = /\0|\p{Cs}/u;
    let run = 0;
    const entry = fc.record({
      at: fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
      actor: fc.string({ unit: 'binary', maxLength: 12 }),
      action: fc.string({ unit: 'binary', maxLength: 24 }),
      data: fc.jsonValue({ maxDepth: 3 }),
    });
    fc.assert(
      fc.property(fc.array(entry, { minLength: 1, maxLength: 12 }), fc.nat(), (entries, pick) => {
        const path = join(dir, `property-${run++}.db`);
        const s = store(path);
        let appended = 0;
        for (const e of entries) {
          if (unstorable.test(e.actor) || unstorable.test(e.action)) {
            expect(() => s.appendAudit(e.at, e.actor, e.action, e.data)).toThrow(/SQLite keeps as is/);
          } else {
            s.appendAudit(e.at, e.actor, e.action, e.data);
            appended++;
          }
        }
        expect(s.verifyAudit()).toBeNull();
        const log = s.auditLog();
        expect(log).toHaveLength(appended);
        if (log.length === 0) return closeAll();

        const victim = log[pick % log.length]!;
        const tamper = raw(path);
        const original = String((tamper.prepare('SELECT data FROM audit_log WHERE id = ?').get(victim.id) as { data: string }).data);
        tamper.prepare('UPDATE audit_log SET data = ? WHERE id = ?').run(JSON.stringify([original]), victim.id);
        expect(s.verifyAudit()).toBe(victim.id);
        closeAll();
      }),
      { numRuns: 100 },
    );
  });
});

describe('KioskStore: settings', () => {
  it('gets and sets settings, each change audited with its actor', () => {
    const s = store();
    expect(s.getSetting('holdMinor')).toBeUndefined();
    s.setSetting('holdMinor', 6000, 1000, 'technician:42');
    s.setSetting('tariff', { currency: 'EUR', lines: ['0.2899'] }, 2000, 'technician:42');
    s.setSetting('holdMinor', 7000, 3000, 'technician:7');
    expect(s.getSetting('holdMinor')).toBe(7000);
    expect(s.getSetting('tariff')).toEqual({ currency: 'EUR', lines: ['0.2899'] });
    expect(s.auditLog().map((e) => [e.at, e.actor, e.action, e.data])).toEqual([
      [1000, 'technician:42', 'setting.changed', { key: 'holdMinor', value: 6000 }],
      [2000, 'technician:42', 'setting.changed', { key: 'tariff', value: { currency: 'EUR', lines: ['0.2899'] } }],
      [3000, 'technician:7', 'setting.changed', { key: 'holdMinor', value: 7000 }],
    ]);
    expect(s.verifyAudit()).toBeNull();
  });
});

describe('KioskStore: durability', () => {
  it('keeps what was written after a plain close and reopen', () => {
    const s = store();
    s.openSession({ id: 's1', connectorId: 1, method: 'card', createdAt: 1 });
    s.closeSession(closed('s1'));
    s.beginPayment({ key: 'k1', sessionId: 's1', operation: 'capture', amountMinor: 420, currency: 'EUR' }, 2);
    s.close();
    const again = store();
    expect(again.getSession('s1')).toMatchObject({ status: 'finished', costMinor: 420 });
    expect(again.payment('k1')).toMatchObject({ status: 'pending' });
    expect(again.verifyAudit()).toBeNull();
  });

  /** Runs `body` in a child process with the store module imported as KioskStore; resolves with the signal it died of. */
  async function inChild(body: string, env: Record<string, string> = {}): Promise<{ signal: NodeJS.Signals | null; stderr: string }> {
    const module = pathToFileURL(join(import.meta.dirname, '../../../electron/store/kiosk-store.ts')).href;
    const script = `import { KioskStore } from ${JSON.stringify(module)};\nconst s = KioskStore.open(${JSON.stringify(file)});\n${body}`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...env } });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const signal = await new Promise<NodeJS.Signals | null>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error('child did not finish within 15 s'));
      }, 15_000);
      child.once('exit', (_code, sig) => {
        clearTimeout(timer);
        resolve(sig);
      });
    });
    return { signal, stderr };
  }

  it('keeps what a process committed before it was killed without closing', async () => {
    const { signal, stderr } = await inChild(`s.openSession({ id: 'crash', connectorId: 1, method: 'card', createdAt: 1 });
s.closeSession({ id: 'crash', status: 'finished', endedAt: 2, energyWh: 10, costMinor: 5, capturedMinor: 5, writtenOffMinor: 0, maskedPan: null, stopReason: 'driver', summary: null });
s.beginPayment({ key: 'pay', sessionId: 'crash', operation: 'capture', amountMinor: 5, currency: 'EUR' }, 3);
process.kill(process.pid, 'SIGKILL');`);
    expect(signal, stderr).toBe('SIGKILL');
    expect(existsSync(`${file}-wal`)).toBe(true); // it never checkpointed

    const s = store();
    expect(s.getSession('crash')).toMatchObject({ status: 'finished', energyWh: 10 });
    expect(s.payment('pay')).toMatchObject({ status: 'pending', amountMinor: 5 });
    expect(s.auditLog().map((e) => e.action)).toEqual(['session.finished']);
    expect(s.verifyAudit()).toBeNull();
  });

  it('an approval and its session record land together: a kill inside that commit leaves the request pending and no record', async () => {
    KioskStore.open(file).close();
    const { signal, stderr } = await inChild(
      `s.beginPayment({ key: 'a:authorize:1', sessionId: 'a', connectorId: 2, method: 'card', operation: 'authorize', amountMinor: 5000, currency: 'EUR' }, 10);
s.completePayment('a:authorize:1', 'done', { outcome: 'approved' }, 11, 'h-1');
s.beginPayment({ key: 'b:authorize:1', sessionId: 'b', connectorId: 1, method: 'card', operation: 'authorize', amountMinor: 5000, currency: 'EUR' }, 12);
s.completePayment('b:authorize:1', 'done', { outcome: 'approved' }, 13, 'h-2');`,
      { KIOSK_FAULT_POINT: 'store.commit', KIOSK_FAULT_AFTER: '2' },
    );
    expect(signal, stderr).toBe('SIGKILL');
    const s = store();
    expect(s.getSession('a')).toMatchObject({ status: 'active', connectorId: 2, method: 'card', createdAt: 10 });
    expect(s.payment('b:authorize:1')).toMatchObject({ status: 'pending' });
    expect(s.getSession('b')).toBeNull();
    // A decline is no session: it writes no record.
    s.beginPayment({ key: 'c:authorize:1', sessionId: 'c', operation: 'authorize', amountMinor: 5000, currency: 'EUR' }, 14);
    s.completePayment('c:authorize:1', 'failed', { outcome: 'declined' }, 15);
    expect(s.getSession('c')).toBeNull();
  });

  it('the store.commit fault point kills the process inside its n-th transaction, which then never lands', async () => {
    KioskStore.open(file).close(); // migrated here, so the child's transactions are the audit entries alone
    const { signal, stderr } = await inChild(
      `s.appendAudit(1, 'kiosk', 'first', {});
s.appendAudit(2, 'kiosk', 'second', {});
s.appendAudit(3, 'kiosk', 'third', {});`,
      { KIOSK_FAULT_POINT: 'store.commit', KIOSK_FAULT_AFTER: '2' },
    );
    expect(signal, stderr).toBe('SIGKILL');
    const s = store();
    expect(s.auditLog().map((e) => e.action)).toEqual(['first']);
    expect(s.verifyAudit()).toBeNull();
  });

  it('the fault point is inert unless the environment names it', async () => {
    const { signal, stderr } = await inChild(`s.appendAudit(1, 'kiosk', 'first', {}); s.close();`, { KIOSK_FAULT_POINT: 'something.else' });
    expect(signal, stderr).toBeNull();
    expect(store().auditLog().map((e) => e.action)).toEqual(['first']);
  });

  it('opens read-only beside a writer: reads what is committed, writes nothing, migrates nothing', () => {
    const writer = store();
    writer.appendAudit(1, 'kiosk', 'first', {});
    const reader = KioskStore.openReadOnly(file);
    open.push(reader);
    expect(reader.auditLog().map((e) => e.action)).toEqual(['first']);
    writer.beginPayment({ key: 'k', sessionId: 's', operation: 'capture', amountMinor: 5, currency: 'EUR' }, 2);
    expect(reader.listPayments().map((p) => p.key)).toEqual(['k']);
    expect(() => reader.appendAudit(3, 'kiosk', 'nope', {})).toThrow(/readonly/i);
    expect(reader.verifyAudit()).toBeNull();
  });
});
