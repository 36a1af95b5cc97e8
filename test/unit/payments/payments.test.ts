// The brain's idempotency, against a backend that records every call: an intent in the
// journal is never placed twice, whatever the device says or does not say; an approval
// that arrives after the session gave up is released; the sweep owns nothing it has
// not decided from the journal after the device answered.
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { ManualClock } from '../../../devices/clock.js';
import { KioskStore } from '../../../electron/store/kiosk-store.js';
import { Payments, RefundError, authorizeKey, refundKey } from '../../../electron/payments/payments.js';
import type { Authorization, AuthorizeOutcome } from '../../../electron/payments/authorization.js';
import { CardBackend } from '../../../electron/payments/card-backend.js';
import type { IntentStatus, OpenAuthorization, PaymentBackend, PlaceRequest, RefundOutcome, RefundPlaceRequest } from '../../../electron/payments/payment-backend.js';
import { SimulatedCardTerminal } from '../../../devices/payment/simulated-card-terminal.js';
import { DatabaseSync } from '@photostructure/sqlite';
import { migrations } from '../../../electron/store/migrations.js';

const log = pino({ level: 'silent' });
let dir: string;
let store: KioskStore;
afterEach(() => {
  store?.close();
  rmSync(dir, { recursive: true, force: true });
});

const authorization = (key: string): Authorization => ({
  method: 'card', key, reference: `ref-${key}`, limitMinor: 5000, currency: 'EUR', authorizedAt: 0, display: { kind: 'card', brand: 'VISA', maskedPan: '**** 4242' },
});

/** A backend whose answers the test sets, and which counts what it was asked. */
class RecordingBackend implements PaymentBackend {
  readonly method = 'card' as const;
  placed: PlaceRequest[] = [];
  released: string[] = [];
  status_: IntentStatus = { state: 'cannotSay' };
  open: OpenAuthorization[] = [];
  answer: Promise<AuthorizeOutcome> | null = null;
  refunds: RefundPlaceRequest[] = [];
  /** How the next refunds end (a refund of what was asked, by default). */
  refundAnswer: (request: RefundPlaceRequest) => Promise<RefundOutcome> = async (r) => ({
    outcome: 'refunded',
    refund: { refundedMinor: r.amountMinor, kind: r.receiptNumber ? 'reversal' : 'refund', receiptNumber: '90' },
  });
  async place(request: PlaceRequest): Promise<AuthorizeOutcome> {
    this.placed.push(request);
    return this.answer ?? { outcome: 'approved', authorization: authorization(request.key) };
  }
  async settle(_a: Authorization, amountMinor: number) {
    // As a ZVT terminal answers a booking: with its own receipt number.
    return { capturedMinor: amountMinor, receiptNumber: '77' };
  }
  refund?: (request: RefundPlaceRequest) => Promise<RefundOutcome> = async (request) => {
    this.refunds.push(request);
    return this.refundAnswer(request);
  };
  async release(a: Authorization) {
    this.released.push(a.reference);
    this.open = this.open.filter((o) => o.reference !== a.reference);
  }
  async status(): Promise<IntentStatus> {
    return this.status_;
  }
  async openAuthorizations() {
    return this.open;
  }
}

function setup() {
  dir = mkdtempSync(join(tmpdir(), 'payments-'));
  store = KioskStore.open(join(dir, 'kiosk.sqlite'));
  const clock = new ManualClock();
  const backend = new RecordingBackend();
  const payments = new Payments({ store, backends: [backend], clock, log, resolveIntervalMs: 1000 });
  return { clock, backend, payments };
}

const request = { sessionId: 's1', connectorId: 1, method: 'card' as const, attempt: 1, limitMinor: 5000, currency: 'EUR' };
const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('Payments', () => {
  it('journals the intent before the request and the outcome after', async () => {
    const { backend, payments } = setup();
    let pendingWhenSent: string | undefined;
    backend.place = async (r) => {
      pendingWhenSent = store.payment(r.key)?.status;
      return { outcome: 'approved', authorization: authorization(r.key) };
    };
    expect((await payments.authorize(request)).outcome).toBe('approved');
    expect(pendingWhenSent).toBe('pending');
    expect(store.payment(authorizeKey('s1', 1))).toMatchObject({ status: 'done', reference: 'ref-s1:authorize:1' });
  });

  it('never places an intent the journal has again: it asks the device, and waits while the device cannot say', async () => {
    const { clock, backend, payments } = setup();
    store.beginPayment({ key: authorizeKey('s1', 1), sessionId: 's1', operation: 'authorize', amountMinor: 5000, currency: 'EUR' }, 0);
    const abort = new AbortController();
    const outcome = payments.authorize(request, abort.signal);
    for (let i = 0; i < 10; i++) {
      await flush();
      clock.advance(1000);
    }
    expect(backend.placed).toEqual([]);
    expect(store.payment(authorizeKey('s1', 1))!.status).toBe('pending');
    // The device answers now: it had approved it.
    backend.status_ = { state: 'open', authorization: authorization(authorizeKey('s1', 1)) };
    clock.advance(1000);
    await flush();
    expect(await outcome).toMatchObject({ outcome: 'approved' });
    expect(backend.placed).toEqual([]);
    expect(store.auditLog().map((a) => a.action)).toEqual(['payment.authorize.done']);
  });

  it('gives up on an unanswered intent when the session does, and the sweep releases its late approval', async () => {
    const { clock, backend, payments } = setup();
    store.beginPayment({ key: authorizeKey('s1', 1), sessionId: 's1', operation: 'authorize', amountMinor: 5000, currency: 'EUR' }, 0);
    const abort = new AbortController();
    const outcome = payments.authorize(request, abort.signal);
    await flush();
    abort.abort();
    clock.advance(1000);
    expect(await outcome).toEqual({ outcome: 'declined', reason: 'cancelled' });
    expect(store.payment(authorizeKey('s1', 1))).toMatchObject({ status: 'pending', abandoned: true });
    // Later the terminal reports the approval; no session holds it.
    const late = authorization(authorizeKey('s1', 1));
    backend.status_ = { state: 'open', authorization: late };
    backend.open = [late];
    const report = await payments.sweep(() => new Set(), () => new Set());
    expect(report).toMatchObject({ resolved: 1, released: 1 });
    expect(backend.released).toEqual([late.reference]);
    expect(backend.placed).toEqual([]);
    // The session the approval was for was never written (the kiosk lost it): its record now says it was cancelled.
    expect(store.getSession('s1')).toMatchObject({ status: 'cancelled', capturedMinor: 0 });
    expect(store.auditLog().map((a) => a.action)).toContain('session.cancelled');
  });

  /** An authorisation the driver gives up on while the terminal is still answering; `approve` answers it. */
  async function givenUp(backend: RecordingBackend, payments: Payments) {
    let approve!: (o: AuthorizeOutcome) => void;
    backend.answer = new Promise((resolve) => (approve = resolve));
    const abort = new AbortController();
    const outcome = payments.authorize(request, abort.signal);
    await flush();
    abort.abort();
    return { outcome, approve };
  }

  it('an approval that arrives after the driver gave up is released, and its session gets a record its flow closes', async () => {
    const { backend, payments } = setup();
    const { outcome, approve } = await givenUp(backend, payments);
    approve({ outcome: 'approved', authorization: authorization(authorizeKey('s1', 1)) });
    expect(await outcome).toEqual({ outcome: 'declined', reason: 'cancelled' });
    expect(backend.released).toEqual(['ref-s1:authorize:1']);
    expect(store.getSession('s1')).toMatchObject({ status: 'active' });
  });

  it('a late approval whose release does not get through keeps its session record; the sweep releases it later and closes the record (CI chaos seed 1: a kill there lost the session)', async () => {
    const { backend, payments } = setup();
    const { outcome, approve } = await givenUp(backend, payments);
    const late = authorization(authorizeKey('s1', 1));
    backend.open = [late];
    const release = backend.release.bind(backend);
    backend.release = async () => {
      throw new Error('terminal gone');
    };
    approve({ outcome: 'approved', authorization: late });
    await expect(outcome).rejects.toThrow('terminal gone');
    expect(store.getSession('s1')).toMatchObject({ status: 'active' });
    backend.release = release;
    await payments.sweep(() => new Set(), () => new Set());
    expect(backend.released).toEqual([late.reference]);
    expect(store.getSession('s1')).toMatchObject({ status: 'cancelled', capturedMinor: 0 });
  });

  it('a lost session is closed by the sweep once its money is settled (cancelled, or finished with its capture), unless a connector still has it', async () => {
    const { backend, payments } = setup();
    for (const id of ['lost', 'alive']) {
      store.beginPayment({ key: authorizeKey(id, 1), sessionId: id, connectorId: 1, operation: 'authorize', amountMinor: 5000, currency: 'EUR' }, 0);
      store.completePayment(authorizeKey(id, 1), 'done', { outcome: 'approved', authorization: authorization(authorizeKey(id, 1)) }, 0, `ref-${authorizeKey(id, 1)}`);
    }
    backend.open = [authorization(authorizeKey('lost', 1)), authorization(authorizeKey('alive', 1))];
    await payments.sweep(() => new Set(), () => new Set(['alive']));
    expect(backend.released.sort()).toEqual(['ref-alive:authorize:1', 'ref-lost:authorize:1']);
    expect(store.getSession('lost')).toMatchObject({ status: 'cancelled' });
    expect(store.getSession('alive')).toMatchObject({ status: 'active' }); // its flow goes on, and closes its own record
    // Lost after its capture: finished with what was taken; lost with its capture unanswered: the capture is sent again first.
    for (const [id, status] of [['paid', 'done'], ['unsure', 'pending']] as const) {
      store.openSession({ id, connectorId: 1, method: 'card', createdAt: 0 });
      store.beginPayment({ key: authorizeKey(id, 1), sessionId: id, connectorId: 1, operation: 'authorize', amountMinor: 5000, currency: 'EUR' }, 0);
      store.completePayment(authorizeKey(id, 1), 'done', { outcome: 'approved', authorization: authorization(authorizeKey(id, 1)) }, 0, `ref-${authorizeKey(id, 1)}`);
      store.beginPayment({ key: `${authorizeKey(id, 1)}:capture`, sessionId: id, connectorId: 1, operation: 'capture', amountMinor: 777, currency: 'EUR' }, 1);
      if (status === 'done') store.completePayment(`${authorizeKey(id, 1)}:capture`, 'done', null, 1);
    }
    backend.status_ = { state: 'cannotSay' };
    await payments.sweep(() => new Set(), () => new Set(['alive']));
    expect(store.getSession('paid')).toMatchObject({ status: 'finished', capturedMinor: 777 });
    expect(store.getSession('unsure')).toMatchObject({ status: 'finished', capturedMinor: 777 });
  });

  it('the sweep keeps what live sessions hold and what is still being answered, and releases the rest', async () => {
    const { backend, payments } = setup();
    const mine = authorization('s1:authorize:1');
    const foreign = authorization('elsewhere');
    await payments.authorize(request);
    let answer!: (o: AuthorizeOutcome) => void;
    backend.answer = new Promise((resolve) => (answer = resolve));
    const inFlight = payments.authorize({ ...request, sessionId: 's2' });
    await flush();
    backend.open = [mine, authorization('s2:authorize:1'), foreign];
    await payments.sweep(() => new Set([mine.key]), () => new Set(['s1', 's2']));
    expect(backend.released).toEqual([foreign.reference]);
    answer({ outcome: 'approved', authorization: authorization('s2:authorize:1') });
    await inFlight;
  });

  it('settles once: a repeat after a restart takes the amount first journalled, and 0 releases in full', async () => {
    const { payments, backend } = setup();
    const a = authorization('s1:authorize:1');
    expect(await payments.settle({ sessionId: 's1', connectorId: 1, authorization: a, amountMinor: 1234 })).toEqual({ capturedMinor: 1234 });
    expect(await payments.settle({ sessionId: 's1', connectorId: 1, authorization: a, amountMinor: 9999 })).toEqual({ capturedMinor: 1234 });
    expect(await payments.settle({ sessionId: 's2', connectorId: 1, authorization: authorization('s2:authorize:1'), amountMinor: 0 })).toEqual({ capturedMinor: 0 });
    expect(backend.released).toEqual(['ref-s2:authorize:1']);
    // never more than the limit
    expect(await payments.settle({ sessionId: 's3', connectorId: 1, authorization: authorization('s3:authorize:1'), amountMinor: 7000 })).toEqual({ capturedMinor: 5000 });
  });
});

describe('Payments with a terminal that lists open holds by its own reference only (ZVT)', () => {
  const listed = (reference: string): OpenAuthorization => ({ method: 'card', reference, key: null });

  it('releases what is open on the device and placed by no journal entry, journalled and audited', async () => {
    const { backend, payments } = setup();
    backend.open = [listed('17')];
    const report = await payments.sweep(() => new Set(), () => new Set());
    expect(report.released).toBe(1);
    expect(backend.released).toEqual(['17']);
    const entry = store.listPayments().find((p) => p.key.startsWith('orphan:card:17:'));
    expect(entry).toMatchObject({ operation: 'release', status: 'done', reference: '17' });
    expect(store.auditLog().some((a) => a.action === 'payment.orphanReleased')).toBe(true);
  });

  it('an unrecorded release that fails is not left pending: the next listing tries again', async () => {
    const { backend, payments, clock } = setup();
    backend.open = [listed('18')];
    backend.release = async () => {
      throw new Error('terminal busy');
    };
    await payments.sweep(() => new Set(), () => new Set());
    expect(store.pendingPayments()).toEqual([]);
    expect(store.listPayments().filter((p) => p.key.startsWith('orphan:'))).toMatchObject([{ status: 'failed' }]);
    clock.advance(1000);
    await payments.sweep(() => new Set(), () => new Set());
    expect(store.listPayments().filter((p) => p.key.startsWith('orphan:'))).toHaveLength(2);
  });

  it('an unrecorded release cut off by a kill is settled by the next listing: gone from the list, it went through; still there, it is released again (chaos seed 1 at 200 ms)', async () => {
    const { backend, payments, clock } = setup();
    // Two releases an earlier process sent and never heard back from.
    store.beginPayment({ key: 'orphan:card:19:1', sessionId: 'orphan', connectorId: null, method: 'card', operation: 'release', amountMinor: 0, currency: '', reference: '19' }, 1);
    store.beginPayment({ key: 'orphan:card:20:1', sessionId: 'orphan', connectorId: null, method: 'card', operation: 'release', amountMinor: 0, currency: '', reference: '20' }, 1);
    clock.advance(1000);
    backend.open = [listed('20')];
    await payments.sweep(() => new Set(), () => new Set());
    expect(store.pendingPayments()).toEqual([]);
    expect(store.payment('orphan:card:19:1')).toMatchObject({ status: 'done', result: { resolved: true } });
    expect(store.payment('orphan:card:20:1')).toMatchObject({ status: 'failed', result: { superseded: true } });
    expect(backend.released).toEqual(['20']);
    expect(store.listPayments().filter((p) => p.reference === '20' && p.status === 'done')).toHaveLength(1);
  });

  it('a request the device does not track is resolved once its open list is settled: nothing was left held for it', async () => {
    const { backend, payments } = setup();
    store.beginPayment({ key: 's9:authorize:1', sessionId: 's9', connectorId: 1, method: 'card', operation: 'authorize', amountMinor: 5000, currency: 'EUR' }, 0);
    backend.status_ = { state: 'notTracked' };
    backend.open = [listed('21')];
    const report = await payments.sweep(() => new Set(), () => new Set());
    expect(backend.released).toEqual(['21']);
    expect(report.resolved).toBe(1);
    expect(store.payment('s9:authorize:1')).toMatchObject({ status: 'failed', result: { outcome: 'notOpenOnDevice', reason: 'cancelled', resolved: true } });
    // The restored session waiting on it hears a decline, and never sends it again.
    expect(await payments.authorize({ ...request, sessionId: 's9' })).toEqual({ outcome: 'declined', reason: 'cancelled' });
    expect(backend.placed).toEqual([]);
  });

  it('does not settle untracked requests when the device could not be listed', async () => {
    const { backend, payments } = setup();
    store.beginPayment({ key: 's8:authorize:1', sessionId: 's8', connectorId: 1, method: 'card', operation: 'authorize', amountMinor: 5000, currency: 'EUR' }, 0);
    backend.status_ = { state: 'notTracked' };
    backend.openAuthorizations = async () => {
      throw new Error('offline');
    };
    await payments.sweep(() => new Set(), () => new Set());
    expect(store.payment('s8:authorize:1')?.status).toBe('pending');
  });

  it('matches a listed reference to the journal: a live session keeps its hold, a session gone has it released under its own key', async () => {
    const { backend, payments } = setup();
    const live = await payments.authorize({ ...request, sessionId: 'live' });
    const gone = await payments.authorize({ ...request, sessionId: 'gone' });
    if (live.outcome !== 'approved' || gone.outcome !== 'approved') throw new Error('not approved');
    backend.open = [listed(live.authorization.reference), listed(gone.authorization.reference)];
    await payments.sweep(() => new Set([live.authorization.key]), () => new Set(['live']));
    expect(backend.released).toEqual([gone.authorization.reference]);
    expect(store.payment(`${gone.authorization.key}:release`)).toMatchObject({ status: 'done' });
  });

  it('a listed reference whose journal approval was captured already is a new hold: released as unrecorded (receipt numbers wrap)', async () => {
    const { backend, payments } = setup();
    const old = await payments.authorize({ ...request, sessionId: 'old' });
    if (old.outcome !== 'approved') throw new Error('not approved');
    await payments.settle({ sessionId: 'old', connectorId: 1, authorization: old.authorization, amountMinor: 1200 });
    backend.open = [listed(old.authorization.reference)];
    await payments.sweep(() => new Set(), () => new Set());
    expect(backend.released).toEqual([old.authorization.reference]);
    expect(store.listPayments().some((p) => p.key.startsWith(`orphan:card:${old.authorization.reference}:`))).toBe(true);
  });

  it('an approval whose capture is still to be sent is booked, never released', async () => {
    const { backend, payments } = setup();
    const done = await payments.authorize({ ...request, sessionId: 'cap' });
    if (done.outcome !== 'approved') throw new Error('not approved');
    backend.settle = async () => {
      throw new Error('no answer');
    };
    await expect(payments.settle({ sessionId: 'cap', connectorId: 1, authorization: done.authorization, amountMinor: 900 })).rejects.toThrow();
    backend.open = [listed(done.authorization.reference)];
    await payments.sweep(() => new Set(), () => new Set());
    expect(backend.released).toEqual([]);
    expect(store.payment(`${done.authorization.key}:capture`)?.status).toBe('pending');
  });
});

describe('Payments: refunds, journalled and never sent twice', () => {
  const flushAll = async () => {
    for (let i = 0; i < 5; i++) await flush();
  };
  /** A finished card session that took `capturedMinor`. */
  async function paid(payments: Payments, sessionId: string, capturedMinor: number): Promise<void> {
    const placed = await payments.authorize({ ...request, sessionId });
    if (placed.outcome !== 'approved') throw new Error('not approved');
    await payments.settle({ sessionId, connectorId: 1, authorization: placed.authorization, amountMinor: capturedMinor });
  }
  const give = (sessionId: string, amountMinor: number) => ({ sessionId, amountMinor, by: 'Alice', reason: 'connector fault' });
  const refundsOf = (sessionId: string) => store.paymentsOf(sessionId).filter((p) => p.operation === 'refund');
  const refundAudits = () => store.auditLog().filter((a) => a.action === 'session.refunded');

  it('journals the refund before the terminal hears of it, and its outcome with the audit entry the reports count', async () => {
    const { backend, payments } = setup();
    await paid(payments, 's1', 1200);
    let atSend: unknown;
    backend.refundAnswer = async (r) => {
      atSend = store.payment(r.key);
      return { outcome: 'refunded', refund: { refundedMinor: r.amountMinor, kind: 'refund', receiptNumber: '91', maskedPan: '**** **** **** 0001' } };
    };
    expect(await payments.refund(give('s1', 300))).toEqual({ outcome: 'refunded', key: refundKey('s1', 1), refundedMinor: 300, kind: 'refund' });
    expect(atSend).toMatchObject({ key: 's1:refund:1', operation: 'refund', status: 'pending', amountMinor: 300, reference: null });
    expect(store.payment('s1:refund:1')).toMatchObject({
      status: 'done',
      result: { outcome: 'refunded', refundedMinor: 300, kind: 'refund', receiptNumber: '91', by: 'Alice', reason: 'connector fault', captureKey: 's1:authorize:1:capture' },
    });
    expect(refundAudits()).toMatchObject([{ actor: 'Alice', data: { sessionId: 's1', amountMinor: 300, via: 'terminal', key: 's1:refund:1', kind: 'refund' } }]);
  });

  it('asks for a reversal only for the whole payment, none of it given back, booked since the last end of day', async () => {
    const { backend, payments, clock } = setup();
    await paid(payments, 'whole', 1200);
    await paid(payments, 'part', 1200);
    await payments.refund(give('whole', 1200));
    await payments.refund(give('part', 200));
    await payments.refund(give('part', 1000));
    clock.advance(1000);
    await paid(payments, 'before', 800);
    clock.advance(1000);
    store.appendAudit(clock.now(), 'kiosk', 'terminal.endOfDay', { totalMinor: 800 });
    clock.advance(1000);
    await payments.refund(give('before', 800));
    expect(backend.refunds.map((r) => [r.key, r.amountMinor, r.receiptNumber ?? null])).toEqual([
      ['whole:refund:1', 1200, '77'],
      ['part:refund:1', 200, null],
      ['part:refund:2', 1000, null],
      ['before:refund:1', 800, null],
    ]);
  });

  it('never more than was taken, across refunds; a refusal moves nothing, and the next refund has a key of its own', async () => {
    const { backend, payments } = setup();
    await paid(payments, 's2', 1000);
    await payments.refund(give('s2', 600));
    await expect(payments.refund(give('s2', 401))).rejects.toMatchObject({ code: 'tooMuch', message: expect.stringContaining('at most 400') });
    backend.refundAnswer = async () => ({ outcome: 'refused', reason: 'noCard', message: 'no card was presented in time' });
    expect(await payments.refund(give('s2', 400))).toEqual({ outcome: 'refused', key: 's2:refund:2', refusal: 'noCard', message: 'no card was presented in time' });
    expect(store.payment('s2:refund:2')).toMatchObject({ status: 'failed', result: { outcome: 'refused', refusal: 'noCard' } });
    backend.refundAnswer = async (r) => ({ outcome: 'refunded', refund: { refundedMinor: r.amountMinor, kind: 'refund', receiptNumber: null } });
    expect(await payments.refund(give('s2', 400))).toMatchObject({ outcome: 'refunded', key: 's2:refund:3' });
    expect(refundAudits().map((a) => (a.data as { amountMinor: number }).amountMinor)).toEqual([600, 400]);
    await expect(payments.refund(give('s2', 1))).rejects.toMatchObject({ code: 'tooMuch' });
    // Nothing to refund without a capture; a backend without refunds says so before anything is written.
    await expect(payments.refund(give('nobody', 1))).rejects.toMatchObject({ code: 'nothingToRefund' });
    backend.refund = undefined;
    expect(payments.canRefund('card')).toBe(false);
    await expect(payments.refund(give('s2', 1))).rejects.toMatchObject({ code: 'notSupported' });
    expect(refundsOf('s2')).toHaveLength(3);
  });

  it('no answer: the refund stays pending for the technician, is not retried, and blocks further refunds of the session', async () => {
    const { backend, payments } = setup();
    await paid(payments, 's3', 1000);
    backend.refundAnswer = async () => {
      throw new Error('the card terminal did not finish the refund within 120000 ms');
    };
    const lost = await payments.refund(give('s3', 500)).catch((error: unknown) => error);
    expect(lost).toBeInstanceOf(RefundError);
    expect(lost).toMatchObject({ code: 'unknownOutcome', message: expect.stringMatching(/not sent again/) });
    expect(store.payment('s3:refund:1')).toMatchObject({ status: 'pending', attempts: 1, lastError: expect.stringMatching(/did not finish/) });
    expect(payments.pendingSettlements().map((p) => p.key)).toEqual(['s3:refund:1']);
    await expect(payments.refund(give('s3', 100))).rejects.toMatchObject({ code: 'pending' });
    expect(backend.refunds).toHaveLength(1);
  });

  it('a kiosk that dies mid-refund: after the restart the refund is never sent again; once the technician marks it done it counts', async () => {
    const { backend, payments } = setup();
    await paid(payments, 'crash', 1000);
    // The terminal is waiting for the card when the kiosk dies: no answer ever reaches this process.
    backend.refundAnswer = () => new Promise<never>(() => {});
    void payments.refund(give('crash', 1000));
    await flushAll();
    expect(store.payment('crash:refund:1')).toMatchObject({ status: 'pending' });
    payments.stop();
    store.close();

    // The next kiosk process on the same journal.
    store = KioskStore.open(join(dir, 'kiosk.sqlite'));
    const after = new RecordingBackend();
    const next = new Payments({ store, backends: [after], clock: new ManualClock(10_000), log, resolveIntervalMs: 1000 });
    expect(await next.sweep(() => new Set(), () => new Set())).toEqual({ resolved: 0, released: 0, retried: 0 });
    expect(after.refunds).toEqual([]);
    await expect(next.retrySettlement('crash:refund:1')).rejects.toThrow(/never sent again/);
    await expect(next.refund(give('crash', 1000))).rejects.toMatchObject({ code: 'pending' });
    expect(next.pendingSettlements()).toMatchObject([{ key: 'crash:refund:1', operation: 'refund' }]);
    expect(after.refunds).toEqual([]);

    // The technician finds it in the terminal's journal: it went through.
    next.resolveByHand('crash:refund:1', 'done', 'Bob', 'on the terminal receipt roll');
    expect(store.payment('crash:refund:1')).toMatchObject({ status: 'done', result: { resolvedByHand: true, by: 'Bob' } });
    expect(refundAudits()).toMatchObject([{ actor: 'Bob', data: { sessionId: 'crash', amountMinor: 1000, via: 'terminal', resolvedByHand: true } }]);
    await expect(next.refund(give('crash', 1))).rejects.toMatchObject({ code: 'tooMuch', message: expect.stringContaining('at most 0') });
  });

  it('marked failed by the technician, it counts nothing and the session can be refunded again', async () => {
    const { backend, payments } = setup();
    await paid(payments, 's4', 1000);
    backend.refundAnswer = async () => {
      throw new Error('link lost');
    };
    await payments.refund(give('s4', 1000)).catch(() => undefined);
    payments.resolveByHand('s4:refund:1', 'failed', 'Alice', 'not on the terminal journal');
    expect(refundAudits()).toEqual([]);
    backend.refundAnswer = async (r) => ({ outcome: 'refunded', refund: { refundedMinor: r.amountMinor, kind: 'refund', receiptNumber: null } });
    expect(await payments.refund(give('s4', 1000))).toMatchObject({ outcome: 'refunded', key: 's4:refund:2' });
  });
});

describe('Payments: refunds on the simulated terminal (sim mode, generic protocol)', () => {
  function onSimulated(options: { supportsRefund?: boolean } = {}) {
    dir = mkdtempSync(join(tmpdir(), 'payments-'));
    store = KioskStore.open(join(dir, 'kiosk.sqlite'));
    const clock = new ManualClock();
    const terminal = new SimulatedCardTerminal({ clock, approvalDelayMs: 1000, presentCardTimeoutMs: 5000, stateFile: join(dir, 'terminal.json'), ...options });
    const payments = new Payments({ store, backends: [new CardBackend(terminal)], clock, log, resolveIntervalMs: 1000 });
    /** Moves the clock until `work` settles. */
    const drive = async <T,>(work: Promise<T>): Promise<T> => {
      let done = false;
      const watched = work.finally(() => (done = true));
      watched.catch(() => {});
      for (let i = 0; i < 200 && !done; i++) {
        await flush();
        clock.advance(100);
      }
      return watched;
    };
    return { clock, terminal, payments, drive };
  }

  it('refunds to the card after it is presented, as its next outcome says: approve, decline, no card', async () => {
    const { terminal, payments, drive } = onSimulated();
    const placed = await drive(payments.authorize({ ...request, sessionId: 'g1' }));
    if (placed.outcome !== 'approved') throw new Error('not approved');
    await drive(payments.settle({ sessionId: 'g1', connectorId: 1, authorization: placed.authorization, amountMinor: 2000 }));
    const give = (amountMinor: number) => ({ sessionId: 'g1', amountMinor, by: 'Alice', reason: 'test' });
    // It keeps no booking numbers: even the whole payment goes to the card.
    expect(await drive(payments.refund(give(500)))).toEqual({ outcome: 'refunded', key: 'g1:refund:1', refundedMinor: 500, kind: 'refund' });
    terminal.simSetNextOutcome('decline');
    expect(await drive(payments.refund(give(500)))).toMatchObject({ outcome: 'refused', refusal: 'declined' });
    terminal.simSetNextOutcome('timeout');
    expect(await drive(payments.refund(give(500)))).toMatchObject({ outcome: 'refused', refusal: 'noCard' });
    expect(terminal.simState().refunds).toMatchObject([{ reference: 'g1:refund:1', amountMinor: 500, maskedPan: expect.stringMatching(/^\*{4} \*{4} \*{4} \d{4}$/) }]);
    await terminal.close();
  });

  it('is busy for payments while it waits for the card of a refund, and a close leaves the refund without an answer', async () => {
    const { terminal, payments, drive } = onSimulated();
    const placed = await drive(payments.authorize({ ...request, sessionId: 'g2' }));
    if (placed.outcome !== 'approved') throw new Error('not approved');
    await drive(payments.settle({ sessionId: 'g2', connectorId: 1, authorization: placed.authorization, amountMinor: 2000 }));
    const waiting = payments.refund({ sessionId: 'g2', amountMinor: 100, by: 'Alice', reason: 'test' });
    waiting.catch(() => {});
    await flush();
    expect(await terminal.authorize({ reference: 'other:authorize:1', amountMinor: 100, currency: 'EUR' })).toEqual({ outcome: 'declined', reason: 'busy' });
    await terminal.close();
    await expect(waiting).rejects.toMatchObject({ code: 'unknownOutcome' });
    expect(store.payment('g2:refund:1')?.status).toBe('pending');
    // Asked once it is gone, it refuses: the request never reached it.
    expect(await terminal.refund!({ reference: 'g3:refund:1', amountMinor: 100, currency: 'EUR' })).toMatchObject({ outcome: 'refused', reason: 'unavailable' });
  });

  it('without refunds the backend has none, and the brain says so', () => {
    const { payments, terminal } = onSimulated({ supportsRefund: false });
    expect(terminal.refund).toBeUndefined();
    expect(payments.canRefund('card')).toBe(false);
  });
});

describe('the payments journal of an older store takes refunds (migration 7)', () => {
  it('keeps every row, their order and the indexes; the operation is still checked', () => {
    dir = mkdtempSync(join(tmpdir(), 'payments-'));
    const file = join(dir, 'kiosk.sqlite');
    const db = new DatabaseSync(file);
    for (const m of migrations.filter((m) => m.version <= 6)) db.exec(m.sql);
    db.exec('PRAGMA user_version = 6');
    const insert = db.prepare(
      `INSERT INTO payments (idempotency_key, session_id, operation, amount_minor, currency, status, reference, result, created_at, updated_at, method, connector_id, abandoned, attempts, last_error)
       VALUES (?, 's1', ?, ?, 'EUR', ?, ?, ?, 5, 6, 'card', 2, ?, ?, ?)`,
    );
    // Same created_at: only the insertion order (rowid) tells them apart.
    insert.run('s1:authorize:1', 'authorize', 5000, 'done', '17', '{"outcome":"approved"}', 0, 0, null);
    insert.run('s1:authorize:1:capture', 'capture', 1234, 'pending', '17', null, 1, 3, 'no answer');
    db.close();

    store = KioskStore.open(file);
    expect(store.schemaVersion()).toBe(7);
    expect(store.paymentsOf('s1').map((p) => [p.key, p.operation, p.status, p.reference, p.connectorId, p.abandoned, p.attempts, p.lastError])).toEqual([
      ['s1:authorize:1', 'authorize', 'done', '17', 2, false, 0, null],
      ['s1:authorize:1:capture', 'capture', 'pending', '17', 2, true, 3, 'no answer'],
    ]);
    expect(store.payment('s1:authorize:1')?.result).toEqual({ outcome: 'approved' });
    const indexes = store.sql().all(`SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'payments' AND name NOT LIKE 'sqlite_%' ORDER BY name`).map((r) => r.name);
    expect(indexes).toEqual(['payments_session', 'payments_status']);
    expect(store.beginPayment({ key: 's1:refund:1', sessionId: 's1', operation: 'refund', amountMinor: 100, currency: 'EUR' }, 7)).toMatchObject({ operation: 'refund', status: 'pending' });
    expect(() => store.sql().run(`INSERT INTO payments (idempotency_key, session_id, operation, amount_minor, currency, status, created_at, updated_at) VALUES ('x', 's', 'steal', 1, 'EUR', 'done', 1, 1)`)).toThrow(/CHECK/);
  });
});
