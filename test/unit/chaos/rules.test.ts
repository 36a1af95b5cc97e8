// The chaos harness's rules catch what they are there to catch: each is given the
// record of a kiosk that broke it, and the record of one that did not.
import { describe, expect, it } from 'vitest';
import type { PaymentRecord, SessionRecord } from '../../../electron/store/kiosk-store.js';
import { checkAudit, checkChargers, checkHolds, checkSessions, openPaidConnectors, toViolation, type StoreView, type TerminalHold } from '../../../scripts/chaos/rules.js';

function payment(key: string, operation: PaymentRecord['operation'], status: PaymentRecord['status'], extra: Partial<PaymentRecord> = {}): PaymentRecord {
  return {
    key,
    sessionId: key.split(':')[0]!,
    connectorId: 1,
    method: 'card',
    operation,
    amountMinor: 5000,
    currency: 'EUR',
    status,
    reference: 'h1',
    abandoned: false,
    attempts: 0,
    lastError: null,
    result: null,
    createdAt: 0,
    updatedAt: 0,
    ...extra,
  };
}

function session(id: string, status: SessionRecord['status'], capturedMinor: number | null = null): SessionRecord {
  return { id, connectorId: 1, method: 'card', status, createdAt: 0, endedAt: null, energyWh: null, costMinor: null, capturedMinor, writtenOffMinor: null, maskedPan: null, stopReason: null, summary: null };
}

const store = (payments: PaymentRecord[], sessions: SessionRecord[] = [], auditBrokenAt: number | null = null): StoreView => ({ payments, sessions, auditBrokenAt });
const hold = (state: TerminalHold['state'], capturedMinor: number | null = null): TerminalHold => ({ holdId: 'h1', reference: 's1:authorize:1', amountMinor: 5000, state, capturedMinor });

const authorized = payment('s1:authorize:1', 'authorize', 'done');
const captured = payment('s1:authorize:1:capture', 'capture', 'done', { amountMinor: 1234 });
const released = payment('s1:authorize:1:release', 'release', 'done');

describe('chaos rules', () => {
  it('a session paid, charged and captured once breaks no rule', () => {
    const record = store([authorized, captured], [session('s1', 'finished', 1234)]);
    expect(checkHolds([hold('captured', 1234)], record, true)).toEqual([]);
    expect(checkSessions(['s1'], record, true)).toEqual([]);
    expect(checkAudit(record)).toEqual([]);
  });

  it('holdSettledOnce: a hold left open, captured and released, or settled on one side only', () => {
    expect(checkHolds([hold('open')], store([authorized], [session('s1', 'active')]), false)).toEqual([]);
    expect(checkHolds([hold('open')], store([authorized]), true)).toEqual([expect.stringMatching(/^holdSettledOnce: .*still open/)]);
    expect(checkHolds([hold('captured', 1234)], store([authorized, captured, released]), true).join('\n')).toMatch(/both captured and released/);
    expect(checkHolds([hold('released')], store([authorized, captured]), true).join('\n')).toMatch(/the store captured 1234 on h1; the terminal has it released/);
    expect(checkHolds([hold('captured', 999)], store([authorized, captured]), true).join('\n')).toMatch(/the terminal has it captured \(999\)/);
    expect(checkHolds([hold('captured', 1234)], store([authorized]), true).join('\n')).toMatch(/no settlement in the store/);
  });

  it('a capture still pending when the kiosk died is not a violation until the station is quiet', () => {
    const pending = payment('s1:authorize:1:capture', 'capture', 'pending', { amountMinor: 1234 });
    expect(checkHolds([hold('captured', 1234)], store([authorized, pending]), false)).toEqual([]);
    expect(checkHolds([hold('captured', 1234)], store([authorized, pending]), true)).not.toEqual([]);
  });

  it('captureWithinHold: a capture above its hold', () => {
    expect(checkHolds([hold('captured', 5001)], store([authorized, { ...captured, amountMinor: 5001 }]), true).join('\n')).toMatch(/^captureWithinHold: hold h1 captured 5001 of 5000/);
    expect(checkSessions([], store([authorized, captured], [session('s1', 'finished', 6000)]), true).join('\n')).toMatch(/captureWithinHold: session s1 captured 6000 of 5000/);
  });

  it('noSessionLost: a paid session missing from the store, still active, or never settled', () => {
    expect(checkSessions(['s9'], store([]), false)).toEqual(['noSessionLost: session s9 reached a payment but is not in the store']);
    expect(checkSessions([], store([authorized], [session('s1', 'active')]), false)).toEqual([]);
    const quiet = checkSessions([], store([authorized], [session('s1', 'active')]), true).join('\n');
    expect(quiet).toMatch(/still active/);
    expect(quiet).toMatch(/never captured or released/);
    expect(checkSessions([], store([authorized]), true).join('\n')).toMatch(/has no session/);
  });

  it('chargerEnabledUnpaid: a closed relay with nothing paid at once; enabled and unpaid after the grace', () => {
    const paid = openPaidConnectors(store([authorized]), store([authorized]));
    expect([...paid]).toEqual([1]);
    // settled before the charger was read: not open any more
    expect([...openPaidConnectors(store([authorized, released]), store([authorized, released]))]).toEqual([]);
    // approved only in the later read: open (it was approved by the time the charger was read, or just after)
    expect([...openPaidConnectors(store([]), store([authorized]))]).toEqual([1]);

    const since = new Map<number, number>();
    expect(checkChargers([{ connectorId: 1, mode: 'enabled', relayClosed: true }], paid, 0, since, 1000)).toEqual([]);
    expect(checkChargers([{ connectorId: 2, mode: 'enabled', relayClosed: true }], paid, 0, since, 1000)).toEqual([
      'chargerEnabledUnpaid: connector 2 has its relay closed with no open paid session',
    ]);
    expect(checkChargers([{ connectorId: 3, mode: 'enabled', relayClosed: false }], paid, 0, since, 1000)).toEqual([]);
    expect(checkChargers([{ connectorId: 3, mode: 'enabled', relayClosed: false }], paid, 900, since, 1000)).toEqual([]);
    expect(checkChargers([{ connectorId: 3, mode: 'enabled', relayClosed: false }], paid, 1500, since, 1000)).toEqual([
      'chargerEnabledUnpaid: connector 3 enabled with no open paid session for 1500 ms',
    ]);
    // asleep again: the clock starts afresh
    expect(checkChargers([{ connectorId: 3, mode: 'sleeping', relayClosed: false }], paid, 1600, since, 1000)).toEqual([]);
    expect(checkChargers([{ connectorId: 3, mode: 'enabled', relayClosed: false }], paid, 2000, since, 1000)).toEqual([]);
  });

  it('auditChain: a broken chain', () => {
    expect(checkAudit(store([], [], 17))).toEqual(['auditChain: the audit chain breaks at entry 17']);
  });

  it('a problem becomes a violation with its rule and the seed', () => {
    expect(toViolation('auditChain: the audit chain breaks at entry 17', 42)).toEqual({ rule: 'auditChain', seed: 42, detail: 'the audit chain breaks at entry 17' });
  });
});
