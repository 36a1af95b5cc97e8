// Retention on a real store: records built through the store's own API (payments with
// their intents and outcomes, sessions closed with their receipts, journal, meter samples,
// domain events, saved connector states), then applyRetention at a fixed "now". Old money
// records go with their receipts (whose no-delete trigger is back afterwards), recent ones
// stay; card tokens go only after their window; an active session and a pending payment
// are never touched; the ledger and the audit log stay whole.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AccountBook } from '../../../electron/accounts/account-book.js';
import { DAY_MS } from '../../../electron/billing/local-time.js';
import { applyRetention } from '../../../electron/store/retention.js';
import { KioskStore } from '../../../electron/store/kiosk-store.js';

const NOW = Date.parse('2036-06-01T12:00:00Z');
const YEARS_AGO = Date.parse('2026-06-01T12:00:00Z'); // retention.years 10
const TOKEN_WINDOW = 7 * DAY_MS;
const OPTIONS = { years: 10, cardTokenDays: 7, now: NOW };

let dir: string;
let store: KioskStore;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'kiosk-retention-'));
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

const authorization = (id: string) => ({
  method: 'card',
  key: `${id}:auth`,
  reference: `hold-${id}`,
  limitMinor: 5000,
  currency: 'EUR',
  authorizedAt: 0,
  display: { kind: 'card', brand: 'VISA', maskedPan: '**** 1234' },
  cardToken: `token-of-${id}`,
});

/** A card session as the kiosk records it: approval (opens the record), meter, capture, close with a receipt. */
function cardSession(id: string, startedAt: number, endedAt: number | null, options: { pendingCapture?: boolean; cancelled?: boolean } = {}): void {
  const key = `${id}:auth`;
  store.beginPayment({ key, sessionId: id, connectorId: 1, method: 'card', operation: 'authorize', amountMinor: 5000, currency: 'EUR' }, startedAt);
  store.completePayment(key, 'done', { outcome: 'approved', authorization: authorization(id) }, startedAt, `hold-${id}`);
  store.appendEvent({ at: startedAt, type: 'session.authorized', connectorId: 1, sessionId: id, data: { key, method: 'card' } });
  store.appendEvent({ at: startedAt + 1000, type: 'meter', connectorId: 1, sessionId: id, data: { meterWh: 10, powerW: 7000 } }, () => store.addMeterSample(id, startedAt + 1000, 10, 7000));
  store.journal(id, startedAt + 2000, 'note', { cardToken: `token-of-${id}`, kept: true });
  if (endedAt === null) return; // still running
  const capture = `${id}:capture`;
  const operation = options.cancelled ? 'release' : 'capture';
  store.beginPayment({ key: capture, sessionId: id, connectorId: 1, method: 'card', operation, amountMinor: 395, currency: 'EUR', reference: `hold-${id}` }, endedAt);
  if (options.pendingCapture) return;
  store.completePayment(capture, 'done', null, endedAt, `hold-${id}`);
  const closing = { id, endedAt, energyWh: 1000, costMinor: 395, capturedMinor: 395, writtenOffMinor: 0, maskedPan: '**** 1234', stopReason: 'driver', summary: { sessionId: id } };
  if (options.cancelled) store.closeSession({ ...closing, status: 'cancelled', energyWh: 0, costMinor: 0, capturedMinor: 0 });
  else store.closeSession({ ...closing, status: 'finished' }, { token: `receipt-${id}`, issue: (receiptNumber) => ({ summary: { sessionId: id, receiptNumber }, content: { sessionId: id, receiptNumber } }) });
}

/** A declined attempt: an answered authorisation no session came of. */
function declined(key: string, at: number): void {
  store.beginPayment({ key, sessionId: `attempt-${key}`, connectorId: 1, method: 'card', operation: 'authorize', amountMinor: 5000, currency: 'EUR' }, at);
  store.completePayment(key, 'failed', { outcome: 'endedOnDevice', authorization: authorization(key), resolved: true }, at);
}

const count = (table: string, where = '1 = 1', ...params: (string | number)[]) => Number(store.sql().get(`SELECT COUNT(*) AS n FROM ${table} WHERE ${where}`, ...params)!.n);
const tokenOf = (key: string) => (store.payment(key)?.result as { authorization?: { cardToken?: string } } | null)?.authorization?.cardToken;
const trigger = () => store.sql().get(`SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'receipts_no_delete'`)?.sql;

describe('applyRetention', () => {
  it('removes money records older than the years with their receipts, keeps the recent, the pending and the active', () => {
    cardSession('old', YEARS_AGO - 60 * DAY_MS, YEARS_AGO - 59 * DAY_MS); // receipt 1
    cardSession('old-cancelled', YEARS_AGO - 50 * DAY_MS, YEARS_AGO - 49 * DAY_MS, { cancelled: true });
    cardSession('old-pending', YEARS_AGO - 40 * DAY_MS, YEARS_AGO - 39 * DAY_MS, { pendingCapture: true });
    cardSession('old-edge', YEARS_AGO - 2 * DAY_MS, YEARS_AGO); // ended right at the limit: kept (receipt 2)
    cardSession('running', YEARS_AGO - 30 * DAY_MS, null); // a session still active, however old
    cardSession('recent', NOW - 30 * DAY_MS, NOW - 30 * DAY_MS + 3_600_000); // receipt 3
    declined('old-declined', YEARS_AGO - 10 * DAY_MS);
    declined('recent-declined', NOW - 10 * DAY_MS);
    store.appendEvent({ at: YEARS_AGO - DAY_MS, type: 'connector.status', connectorId: 1, sessionId: null, data: { phase: 'available' } });
    store.appendEvent({ at: NOW - DAY_MS, type: 'connector.status', connectorId: 1, sessionId: null, data: { phase: 'available' } });
    const book = new AccountBook(store);
    const account = book.addAccount({ name: 'Ann Example', type: 'prepaid', currency: 'EUR' }, 'cli:ops', YEARS_AGO - 100 * DAY_MS);
    book.refund(account.id, 50, 'old refund', 'cli:ops', YEARS_AGO - 58 * DAY_MS, { sessionId: 'old' });
    const ledger = book.entries();
    const auditBefore = store.auditLog(10_000);
    const triggerBefore = trigger();

    const report = applyRetention(store, OPTIONS);
    expect(report).toEqual({
      cardTokensDropped: 5, // the approval and the journal note of old-edge and of recent, recent-declined's answer
      sessionsDeleted: 2,
      receiptsDeleted: 1,
      paymentsDeleted: 2 + 2 + 1, // old's authorize and capture, old-cancelled's authorize and release, old-declined
    });

    expect(store.getSession('old')).toBeNull();
    expect(store.getSession('old-cancelled')).toBeNull();
    expect(store.receiptOf('old')).toBeNull();
    for (const id of ['old', 'old-cancelled']) {
      expect(store.paymentsOf(id)).toEqual([]);
      expect(store.journalOf(id)).toEqual([]);
      expect(store.meterSamples(id)).toEqual([]);
      expect(store.events({ sessionId: id })).toEqual([]);
    }
    expect(store.payment('old-declined')).toBeNull();
    expect(count('domain_events', 'session_id IS NULL')).toBe(1); // the recent one

    // Kept: a session with a pending request (with everything of it), the edge, the running one, the recent ones.
    expect(store.getSession('old-pending')?.status).toBe('active');
    expect(store.paymentsOf('old-pending').map((p) => p.status)).toEqual(['done', 'pending']);
    expect(tokenOf('old-pending:auth')).toBe('token-of-old-pending'); // its session is not settled
    expect(store.receiptOf('old-edge')?.number).toBe(2);
    expect(store.getSession('running')?.status).toBe('active');
    expect(tokenOf('running:auth')).toBe('token-of-running');
    expect(store.journalOf('running')).toEqual([{ at: YEARS_AGO - 30 * DAY_MS + 2000, entry: 'note', data: { cardToken: 'token-of-running', kept: true } }]);
    expect(store.meterSamples('running')).toHaveLength(1);
    expect(store.receiptOf('recent')?.number).toBe(3);
    expect(store.payment('recent-declined')?.status).toBe('failed');

    // The ledger and the audit log are whole: every entry as it was, the chain still sound, and one entry more.
    expect(book.entries()).toEqual(ledger);
    expect(book.balance(account.id)).toBe(50);
    const audit = store.auditLog(10_000);
    expect(audit.slice(0, auditBefore.length)).toEqual(auditBefore);
    expect(audit).toHaveLength(auditBefore.length + 1);
    expect(audit.at(-1)).toMatchObject({ at: NOW, actor: 'kiosk', action: 'retention.applied', data: { years: 10, cardTokenDays: 7, moneyBefore: YEARS_AGO, tokensBefore: NOW - TOKEN_WINDOW, ...report } });
    expect(store.verifyAudit()).toBeNull();

    // Receipts refuse deletion again, the trigger exactly as the migration made it; numbering goes on.
    expect(trigger()).toBe(triggerBefore);
    expect(() => store.sql().run('DELETE FROM receipts WHERE number = 2')).toThrow('receipts are never deleted');
    cardSession('next', NOW - 1000, NOW);
    expect(store.receiptOf('next')?.number).toBe(4);
  });

  it('drops a card token only once its session was settled longer ago than the window', () => {
    const window = NOW - TOKEN_WINDOW;
    cardSession('outside', window - 3_600_000, window - 1);
    cardSession('at-the-edge', window - 3_600_000, window);
    cardSession('inside', NOW - DAY_MS, NOW - DAY_MS + 60_000);
    cardSession('active', NOW - 30 * DAY_MS, null);

    expect(applyRetention(store, OPTIONS).cardTokensDropped).toBe(2); // outside: its approval and its journal note
    expect(tokenOf('outside:auth')).toBeUndefined();
    expect(store.payment('outside:auth')?.result).toEqual({ outcome: 'approved', authorization: { ...authorization('outside'), cardToken: undefined } });
    expect(store.payment('outside:auth')?.result).not.toHaveProperty('authorization.cardToken');
    expect(store.journalOf('outside')[0]?.data).toEqual({ kept: true });
    expect(store.payment('outside:auth')?.reference).toBe('hold-outside'); // nothing else of it changes
    for (const id of ['at-the-edge', 'inside', 'active']) {
      expect(tokenOf(`${id}:auth`)).toBe(`token-of-${id}`);
      expect(store.journalOf(id)[0]?.data).toEqual({ cardToken: `token-of-${id}`, kept: true });
    }

    // With a window of 0 days, every settled session's token goes; the active one's stays.
    expect(applyRetention(store, { ...OPTIONS, cardTokenDays: 0 }).cardTokensDropped).toBe(4);
    expect(tokenOf('at-the-edge:auth')).toBeUndefined();
    expect(tokenOf('inside:auth')).toBeUndefined();
    expect(tokenOf('active:auth')).toBe('token-of-active');
    expect(store.getSession('active')?.status).toBe('active');
  });

  it('takes the card token out of a connector’s saved proof once its session ended before the window', () => {
    const saved = (endedAt: number) => ({
      schemaVersion: 3,
      phase: 'available',
      snapshot: { phase: 'idle', context: { connectorId: 1, session: null, lastSummary: { sessionId: 's', endedAt }, lastProof: { stopCode: '1234', cardToken: 'token-of-s', rfidUid: null } } },
    });
    store.saveConnector(1, saved(NOW - 8 * DAY_MS), NOW);
    store.saveConnector(2, saved(NOW - DAY_MS), NOW);
    expect(applyRetention(store, OPTIONS).cardTokensDropped).toBe(1);
    const proof = (connectorId: number) => (store.loadConnector(connectorId)?.snapshot as { context: { lastProof: unknown } }).context.lastProof;
    expect(proof(1)).toEqual({ stopCode: '1234', cardToken: null, rfidUid: null });
    expect(proof(2)).toEqual({ stopCode: '1234', cardToken: 'token-of-s', rfidUid: null });
    expect(store.loadConnector(1)).toMatchObject({ schemaVersion: 3, phase: 'available' });
  });

  it('changes nothing a second time but writes its audit entry again', () => {
    cardSession('old', YEARS_AGO - 60 * DAY_MS, YEARS_AGO - 59 * DAY_MS);
    cardSession('mid', YEARS_AGO - 60 * DAY_MS, YEARS_AGO - 58 * DAY_MS);
    cardSession('recent', NOW - 30 * DAY_MS, NOW - 29 * DAY_MS);
    expect(applyRetention(store, OPTIONS)).toEqual({ cardTokensDropped: 2, sessionsDeleted: 2, receiptsDeleted: 2, paymentsDeleted: 4 });
    expect(applyRetention(store, OPTIONS)).toEqual({ cardTokensDropped: 0, sessionsDeleted: 0, receiptsDeleted: 0, paymentsDeleted: 0 });
    expect(store.auditLog(10_000).filter((entry) => entry.action === 'retention.applied')).toHaveLength(2);
    expect(store.verifyAudit()).toBeNull();
  });

  it('keeps the session of the newest receipt, whatever its age, so that no receipt number is issued twice', () => {
    cardSession('first', YEARS_AGO - 60 * DAY_MS, YEARS_AGO - 59 * DAY_MS);
    cardSession('last', YEARS_AGO - 30 * DAY_MS, YEARS_AGO - 29 * DAY_MS);
    expect(applyRetention(store, OPTIONS)).toMatchObject({ sessionsDeleted: 1, receiptsDeleted: 1 });
    expect(store.receiptOf('last')?.number).toBe(2);
    cardSession('new', NOW - 1000, NOW);
    expect(store.receiptOf('new')?.number).toBe(3);
  });

  it('rolls back everything, its trigger included, when a step fails', () => {
    cardSession('old', YEARS_AGO - 60 * DAY_MS, YEARS_AGO - 59 * DAY_MS);
    cardSession('recent', NOW - 30 * DAY_MS, NOW - 29 * DAY_MS);
    const before = trigger();
    // A foreign key no retention knows of: deleting the session fails after its receipt was deleted.
    store.sql().run('CREATE TABLE extra (session_id TEXT REFERENCES sessions (id))');
    store.sql().run(`INSERT INTO extra VALUES ('old')`);
    expect(() => applyRetention(store, OPTIONS)).toThrow(/FOREIGN KEY/);
    expect(store.receiptOf('old')?.number).toBe(1);
    expect(store.paymentsOf('old')).toHaveLength(2);
    expect(trigger()).toBe(before);
    expect(tokenOf('recent:auth')).toBe('token-of-recent');
    expect(store.auditLog(10_000).some((entry) => entry.action === 'retention.applied')).toBe(false);
  });

  it('refuses options that make no sense', () => {
    expect(() => applyRetention(store, { ...OPTIONS, years: 0 })).toThrow(/retention.years/);
    expect(() => applyRetention(store, { ...OPTIONS, cardTokenDays: -1 })).toThrow(/retention.cardTokenDays/);
    expect(() => applyRetention(store, { ...OPTIONS, now: Number.NaN })).toThrow(/not a time/);
  });
});
