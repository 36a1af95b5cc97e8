// Receipt numbers on a real SQLite file: 1, 2, 3… one per finished session, assigned
// in the transaction that closes its record, never for a cancelled one, the same when
// read again, continued across a restart, and neither used nor lost by a process
// killed inside that transaction. Issued receipts are never changed.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DatabaseSync } from '@photostructure/sqlite';
import { KioskStore, type ReceiptIssue } from '../../../electron/store/kiosk-store.js';
import { migrations } from '../../../electron/store/migrations.js';

let dir: string;
let file: string;
const open: { close(): void }[] = [];

function store(path = file): KioskStore {
  const s = KioskStore.open(path);
  open.push(s);
  return s;
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'kiosk-receipts-'));
  file = join(dir, 'kiosk.db');
});

afterEach(() => {
  for (const handle of open.splice(0).reverse()) {
    try {
      handle.close();
    } catch {
      // closed by the test already
    }
  }
  rmSync(dir, { recursive: true, force: true });
});

const record = (id: string, status: 'finished' | 'cancelled' = 'finished', endedAt = 2_000) => ({
  id,
  status,
  endedAt,
  energyWh: status === 'finished' ? 1234 : 0,
  costMinor: status === 'finished' ? 420 : 0,
  capturedMinor: status === 'finished' ? 420 : 0,
  writtenOffMinor: 0,
  maskedPan: '**** 1234',
  stopReason: status === 'finished' ? 'driver' : null,
  summary: { sessionId: id, receiptNumber: null },
});

/** The receipt as finish() issues it: the summary and content carry the number the store assigns. */
const issue = (id: string, token = `token-${id}`): ReceiptIssue => ({
  token,
  issue: (receiptNumber) => ({ summary: { sessionId: id, receiptNumber }, content: { sessionId: id, receiptNumber } }),
});

function finish(s: KioskStore, id: string, endedAt = 2_000): boolean {
  s.openSession({ id, connectorId: 1, method: 'card', createdAt: 1 });
  return s.closeSession(record(id, 'finished', endedAt), issue(id));
}

describe('KioskStore: receipt numbers', () => {
  it('numbers finished sessions 1, 2, 3 in the transaction that closes them, the same when read again, never a cancelled one', () => {
    const s = store();
    expect(finish(s, 'a')).toBe(true);
    s.openSession({ id: 'x', connectorId: 2, method: 'card', createdAt: 1 });
    expect(s.closeSession(record('x', 'cancelled'), issue('x'))).toBe(true);
    expect(finish(s, 'b')).toBe(true);
    expect(finish(s, 'c')).toBe(true);

    expect(['a', 'b', 'c'].map((id) => s.receiptOf(id)?.number)).toEqual([1, 2, 3]);
    expect(s.receiptOf('x')).toBeNull();
    expect(s.getSession('x')!.summary).toEqual({ sessionId: 'x', receiptNumber: null });
    // The record keeps the summary with its number; the receipt its token and content.
    expect(s.getSession('b')!.summary).toEqual({ sessionId: 'b', receiptNumber: 2 });
    expect(s.receiptOf('b')).toEqual({ number: 2, sessionId: 'b', token: 'token-b', issuedAt: 2_000, content: { sessionId: 'b', receiptNumber: 2 } });
    // Closing again changes nothing: no second receipt, the same number.
    expect(s.closeSession(record('b'), issue('b', 'another'))).toBe(false);
    expect(s.receiptOf('b')!.token).toBe('token-b');
    expect(s.receiptsIssued(0, Number.MAX_SAFE_INTEGER).map((r) => [r.number, r.sessionId])).toEqual([[1, 'a'], [2, 'b'], [3, 'c']]);
    // The audit entry of the closing names its receipt.
    expect(s.auditLog().filter((e) => e.action === 'session.finished').map((e) => (e.data as { receiptNumber?: number }).receiptNumber)).toEqual([1, 2, 3]);
    expect(s.auditLog().find((e) => e.action === 'session.cancelled')!.data).not.toHaveProperty('receiptNumber');
    expect(s.verifyAudit()).toBeNull();
  });

  it('closes a session without a receipt when none is given (a session lost in a crash, an older caller)', () => {
    const s = store();
    s.openSession({ id: 'lost', connectorId: 1, method: 'card', createdAt: 1 });
    expect(s.closeLostSession('lost', 500, 3_000)).toBe(true);
    expect(s.receiptOf('lost')).toBeNull();
    expect(finish(s, 'next')).toBe(true);
    expect(s.receiptOf('next')!.number).toBe(1);
  });

  it('goes on from the last number after a restart', () => {
    const first = store();
    finish(first, 'a');
    finish(first, 'b');
    first.close();
    const again = store();
    finish(again, 'c');
    expect(again.receiptOf('a')!.number).toBe(1);
    expect(again.receiptOf('c')!.number).toBe(3);
  });

  it('lists the receipts issued in a period, by number', () => {
    const s = store();
    finish(s, 'a', 1_000);
    finish(s, 'b', 2_000);
    finish(s, 'c', 3_000);
    expect(s.receiptsIssued(2_000, 3_000).map((r) => r.sessionId)).toEqual(['b']);
    expect(s.receiptsIssued(1_000, 3_001).map((r) => r.number)).toEqual([1, 2, 3]);
  });

  it('never changes or removes an issued receipt, and gives a session one receipt only', () => {
    const s = store();
    finish(s, 'a');
    const db = new DatabaseSync(file);
    open.push(db);
    expect(() => db.exec(`UPDATE receipts SET token = 'guess' WHERE number = 1`)).toThrow(/never changed/);
    expect(() => db.exec('DELETE FROM receipts')).toThrow(/never deleted/);
    expect(() => db.exec(`INSERT INTO receipts (number, session_id, token, issued_at, content) VALUES (2, 'a', 't', 1, '{}')`)).toThrow(/UNIQUE/);
  });

  it('a receipt that cannot be written leaves the record open and no number used', () => {
    const s = store();
    s.openSession({ id: 'a', connectorId: 1, method: 'card', createdAt: 1 });
    const failing: ReceiptIssue = {
      token: 't',
      issue: () => {
        throw new Error('no content');
      },
    };
    expect(() => s.closeSession(record('a'), failing)).toThrow('no content');
    expect(s.getSession('a')!.status).toBe('active');
    expect(s.receiptOf('a')).toBeNull();
    expect(s.closeSession(record('a'), issue('a'))).toBe(true);
    expect(s.receiptOf('a')!.number).toBe(1);
  });

  it('migrates a version-4 file: its finished sessions keep their records, the next receipt is number 1', () => {
    const db = new DatabaseSync(file);
    for (const m of migrations.filter((m) => m.version <= 4)) db.exec(m.sql);
    db.exec('PRAGMA user_version = 4');
    db.exec(`INSERT INTO sessions (id, connector_id, method, status, created_at, ended_at) VALUES ('old', 1, 'card', 'finished', 1, 2)`);
    db.close();
    const s = store();
    expect(s.schemaVersion()).toBe(migrations.at(-1)!.version);
    expect(s.getSession('old')!.status).toBe('finished');
    expect(s.receiptOf('old')).toBeNull();
    finish(s, 'new');
    expect(s.receiptOf('new')!.number).toBe(1);
  });

  it('a process killed inside the closing transaction leaves neither the record closed nor the number used', async () => {
    KioskStore.open(file).close(); // migrated here: the child's transactions are its closings alone
    const module = pathToFileURL(join(import.meta.dirname, '../../../electron/store/kiosk-store.ts')).href;
    const script = `import { KioskStore } from ${JSON.stringify(module)};
const s = KioskStore.open(${JSON.stringify(file)});
const issue = (id) => ({ token: 't-' + id, issue: (receiptNumber) => ({ summary: { sessionId: id, receiptNumber }, content: { receiptNumber } }) });
const record = (id) => ({ id, status: 'finished', endedAt: 2000, energyWh: 1, costMinor: 1, capturedMinor: 1, writtenOffMinor: 0, maskedPan: null, stopReason: 'driver', summary: null });
s.openSession({ id: 'a', connectorId: 1, method: 'card', createdAt: 1 });
s.openSession({ id: 'b', connectorId: 2, method: 'card', createdAt: 1 });
s.closeSession(record('a'), issue('a'));
s.closeSession(record('b'), issue('b'));`;
    // The first transaction is a's closing; the second, b's, is killed before its COMMIT.
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, KIOSK_FAULT_POINT: 'store.commit', KIOSK_FAULT_AFTER: '2' },
    });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const signal = await new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, sig) => resolve(sig)));
    expect(signal, stderr).toBe('SIGKILL');

    const s = store();
    expect(s.getSession('a')).toMatchObject({ status: 'finished', summary: { sessionId: 'a', receiptNumber: 1 } });
    expect(s.getSession('b')).toMatchObject({ status: 'active', summary: null });
    expect(s.receiptOf('b')).toBeNull();
    expect(s.receiptsIssued(0, Number.MAX_SAFE_INTEGER).map((r) => r.number)).toEqual([1]);
    expect(s.verifyAudit()).toBeNull();
    // Settled again after the restart: b gets the next number, with no gap.
    expect(s.closeSession(record('b'), issue('b'))).toBe(true);
    expect(s.receiptOf('b')!.number).toBe(2);
  });
});
