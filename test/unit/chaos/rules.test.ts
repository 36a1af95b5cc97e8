// The chaos harness's rules catch what they are there to catch: each is given the
// record of a kiosk that broke it, and the record of one that did not.
import { describe, expect, it } from 'vitest';
import type { PaymentRecord, SessionRecord } from '../../../electron/store/kiosk-store.js';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ReservationRecord } from '../../../devices/payment/zvt/zvt-simulator-state.js';
import { HoldLedger, readChargers, readStore, readTerminalHolds, zvtHold } from '../../../scripts/chaos/observe.js';
import { KioskStore } from '../../../electron/store/kiosk-store.js';
import type { Account, LedgerEntry, Reservation } from '../../../electron/accounts/account-book.js';
import {
  checkAccounts,
  checkAudit,
  checkChargers,
  checkHolds,
  checkSessions,
  connectorsInSession,
  findDoubleHolds,
  findOrphanHolds,
  openPaidConnectors,
  RelayTestWatch,
  sessionOfReference,
  toViolation,
  type ChargerFile,
  type RelayTestEntry,
  type StoreView,
  type TerminalHold,
} from '../../../scripts/chaos/rules.js';

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

const store = (payments: PaymentRecord[], sessions: SessionRecord[] = [], auditBrokenAt: number | null = null, accounts: StoreView['accounts'] = { accounts: [], ledger: [], reservations: [] }): StoreView => ({
  payments,
  sessions,
  auditBrokenAt,
  accounts,
  relayTests: [],
});
const charger = (connectorId: number, mode: ChargerFile['mode'], relayClosed = false, plugged = false): ChargerFile => ({ connectorId, mode, relayClosed, plugged });
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
    // open when the station should be quiet: a live session's hold not settled, or an orphan
    expect(checkHolds([hold('open')], store([authorized], [session('s1', 'active')]), true)).toEqual([expect.stringMatching(/^holdSettledOnce: .*still open/)]);
    expect(checkHolds([hold('open')], store([authorized]), true)).toEqual([expect.stringMatching(/^orphanHold: hold h1 .*no live session owns it/)]);
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
    expect(checkChargers([charger(1, 'enabled', true)], paid, 0, since, 1000)).toEqual([]);
    expect(checkChargers([charger(2, 'enabled', true)], paid, 0, since, 1000)).toEqual([
      'chargerEnabledUnpaid: connector 2 has its relay closed with no open paid session',
    ]);
    expect(checkChargers([charger(3, 'enabled')], paid, 0, since, 1000)).toEqual([]);
    expect(checkChargers([charger(3, 'enabled')], paid, 900, since, 1000)).toEqual([]);
    expect(checkChargers([charger(3, 'enabled')], paid, 1500, since, 1000)).toEqual([
      'chargerEnabledUnpaid: connector 3 enabled with no open paid session for more than 1000 ms (since 0 ms into the run)',
    ]);
    // still so later: the same words, one violation
    expect(checkChargers([charger(3, 'enabled')], paid, 1700, since, 1000)).toEqual(checkChargers([charger(3, 'enabled')], paid, 1800, since, 1000));
    // asleep again: the clock starts afresh
    expect(checkChargers([charger(3, 'sleeping')], paid, 1600, since, 1000)).toEqual([]);
    expect(checkChargers([charger(3, 'enabled')], paid, 2000, since, 1000)).toEqual([]);
  });

  it('auditChain: a broken chain', () => {
    expect(checkAudit(store([], [], 17))).toEqual(['auditChain: the audit chain breaks at entry 17']);
  });

  it('a problem becomes a violation with its rule and the seed', () => {
    expect(toViolation('auditChain: the audit chain breaks at entry 17', 42)).toEqual({ rule: 'auditChain', seed: 42, detail: 'the audit chain breaks at entry 17' });
  });
});

// A technician's relay test (Station.relayTest) enables an idle charger for at most maxMs
// (kiosk clock: 5000 ms, 500 real ms at 10x): audited as charger.relayTest at its start and
// charger.relayTestDone at its end. Times below are real ms, the grace 1000 ms.
describe('chaos rules: relay tests (relayTestSafe)', () => {
  const started = (id: number, connectorId = 1, maxMs = 5000): RelayTestEntry => ({ id, action: 'charger.relayTest', connectorId, maxMs });
  const done = (id: number, asleep = true, connectorId = 1): RelayTestEntry => ({ id, action: 'charger.relayTestDone', connectorId, enabledMs: 5000, asleep });
  const nothingPaid = new Set<number>();
  /** A watch at 10x that saw entry 1 (a test on connector 1) at time 0; `check` checks chargers at `now` with no session open. */
  function testing() {
    const watch = new RelayTestWatch(10);
    expect(watch.update([started(1)], 0)).toEqual([]);
    const since = new Map<number, number>();
    const check = (chargers: ChargerFile[], now: number, sessionOpen = new Set<number>()) => checkChargers(chargers, nothingPaid, now, since, 1000, { running: watch.running, sessionOpen });
    return { watch, since, check };
  }

  it('allows a charger enabled with nothing paid while its audited test runs, for its maxMs and the grace; after its end only the ordinary grace', () => {
    const { watch, check } = testing();
    expect(watch.running.get(1)).toEqual({ auditId: 1, connectorId: 1, seenAt: 0, maxRealMs: 500 });
    expect(check([charger(1, 'enabled'), charger(2, 'sleeping')], 100)).toEqual([]);
    expect(check([charger(1, 'enabled')], 1500)).toEqual([]); // 500 + 1000 ms
    // another connector gets no allowance from it
    expect(check([charger(2, 'enabled')], 1600)).toEqual([]);
    expect(check([charger(2, 'enabled')], 2700)).toEqual(['chargerEnabledUnpaid: connector 2 enabled with no open paid session for more than 1000 ms (since 1600 ms into the run)']);
    // read again, the same entries change nothing; the end closes the test, asleep
    expect(watch.update([started(1), done(2)], 1550)).toEqual([]);
    expect(watch.running.size).toBe(0);
    expect(watch.counts).toEqual({ started: 1, done: 1, interrupted: 0, interruptedEnabled: 0 });
    expect(check([charger(1, 'sleeping')], 1600)).toEqual([]);
    // enabled after its end: counted from when it was first seen enabled, the test's time included
    const late = testing();
    expect(late.check([charger(1, 'enabled')], 100)).toEqual([]);
    late.watch.update([done(2)], 400);
    expect(late.check([charger(1, 'enabled')], 1000)).toEqual([]);
    expect(late.check([charger(1, 'enabled')], 1200)).toEqual(['chargerEnabledUnpaid: connector 1 enabled with no open paid session for more than 1000 ms (since 100 ms into the run)']);
  });

  it('catches a charger enabled by a test beyond its maxMs and the grace', () => {
    const { check } = testing();
    expect(check([charger(1, 'enabled')], 1501)).toEqual(['relayTestSafe: connector 1 is still enabled more than 500 + 1000 ms after the relay test of audit entry 1 started']);
    // asleep again, a test that has not ended yet is no danger
    expect(check([charger(1, 'sleeping')], 3000)).toEqual([]);
  });

  it('catches a relay closed during a test, at once (and says so as the test, not as an unpaid session)', () => {
    const { check } = testing();
    expect(check([charger(1, 'enabled', true)], 10)).toEqual(['relayTestSafe: connector 1 has its relay closed during the relay test of audit entry 1']);
  });

  it('catches a test on a connector with a vehicle plugged in or a session open', () => {
    const { check } = testing();
    expect(check([charger(1, 'enabled', false, true)], 10)).toEqual(['relayTestSafe: connector 1 has a vehicle plugged in during the relay test of audit entry 1']);
    // a session the store has active on it, or one paid and not settled
    const sessionOpen = connectorsInSession(new Set([2]), store([], [session('s1', 'active'), { ...session('s0', 'finished'), connectorId: 3 }]));
    expect([...sessionOpen].sort()).toEqual([1, 2]);
    expect(check([charger(1, 'sleeping')], 20, sessionOpen)).toEqual(['relayTestSafe: connector 1 has a session open during the relay test of audit entry 1']);
    expect(checkChargers([charger(1, 'enabled')], new Set([1]), 30, new Map(), 1000, { running: testing().watch.running, sessionOpen: new Set() })).toEqual([
      'relayTestSafe: connector 1 has a session open during the relay test of audit entry 1',
    ]);
  });

  it('catches a test that ended with the charger not asleep', () => {
    const watch = new RelayTestWatch(10);
    expect(watch.update([started(1), done(2, false)], 0)).toEqual(['relayTestSafe: the relay test on connector 1 ended with the charger not asleep (audit entry 2, enabled 5000 ms)']);
    expect(watch.update([started(1), done(2, false), started(3, 2), done(4, true, 2)], 10)).toEqual([]);
    expect(watch.counts).toEqual({ started: 2, done: 2, interrupted: 0, interruptedEnabled: 0 });
  });

  it('a test a kill interrupted allows nothing after it: the restarted kiosk has the ordinary grace to put the charger to sleep', () => {
    const { watch, since, check } = testing();
    expect(check([charger(1, 'enabled')], 100)).toEqual([]);
    watch.killed([charger(1, 'enabled'), charger(2, 'enabled')]);
    since.clear(); // as the harness does at each start
    expect(watch.counts).toEqual({ started: 1, done: 0, interrupted: 1, interruptedEnabled: 1 });
    expect(check([charger(1, 'enabled')], 200)).toEqual([]); // the controller boots enabled
    expect(check([charger(1, 'enabled')], 1300)).toEqual(['chargerEnabledUnpaid: connector 1 enabled with no open paid session for more than 1000 ms (since 200 ms into the run)']);
    // the same entry read again does not start it again; a new test after the restart does
    expect(watch.update([started(1), started(2)], 1400)).toEqual([]);
    expect([...watch.running.values()].map((t) => t.auditId)).toEqual([2]);
    expect(watch.counts).toEqual({ started: 2, done: 0, interrupted: 1, interruptedEnabled: 1 });
    watch.killed([charger(2, 'sleeping')]);
    expect(watch.counts).toEqual({ started: 2, done: 0, interrupted: 2, interruptedEnabled: 1 });
  });

  it('reads the relay tests from the audit log and the cable from the charger files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'chaos-rules-'));
    try {
      const kiosk = KioskStore.open(join(dir, 'kiosk.sqlite'));
      kiosk.appendAudit(1, 'Alice', 'maintenance.login', {});
      kiosk.appendAudit(2, 'Alice', 'charger.relayTest', { connectorId: 2, maxMs: 5000 });
      kiosk.appendAudit(3, 'Alice', 'charger.relayTestDone', { connectorId: 2, enabledMs: 4990, asleep: true });
      kiosk.close();
      expect(readStore(dir)?.relayTests).toEqual([
        { id: 2, action: 'charger.relayTest', connectorId: 2, maxMs: 5000 },
        { id: 3, action: 'charger.relayTestDone', connectorId: 2, enabledMs: 4990, asleep: true },
      ]);
      mkdirSync(join(dir, 'sim'));
      writeFileSync(join(dir, 'sim', 'charger-1.json'), JSON.stringify({ mode: 'enabled', relayClosed: false, plugged: true }));
      expect(readChargers(dir, [1, 2])).toEqual([charger(1, 'enabled', false, true)]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

// The ZVT simulator's reservations (sim/zvt-terminal.json): receipt numbers for ids, the
// journal key as merchant reference, no idempotency. The store's records carry the
// receipt number in decimal.
describe('chaos rules with the ZVT simulator', () => {
  function reservation(receiptNumber: number, reference: string | null, state: ReservationRecord['state'], bookedMinor: number | null = null, at = receiptNumber * 1000): ReservationRecord {
    return {
      receiptNumber,
      traceNumber: receiptNumber,
      amountMinor: 5000,
      currency: 978,
      state,
      bookedMinor,
      reference,
      closeReference: null,
      closeReceiptNumber: state === 'open' ? null : receiptNumber + 1,
      at,
      closedAt: state === 'open' ? null : at + 500,
      card: '672559*********1234',
      cardName: 'Girocard',
    };
  }
  const zvt = (...reservations: ReservationRecord[]): TerminalHold[] => reservations.map(zvtHold);
  const approval = (key: string, receipt: number, extra: Partial<PaymentRecord> = {}) => payment(key, 'authorize', 'done', { reference: String(receipt), ...extra });
  const capture = (key: string, receipt: number, amountMinor: number, status: PaymentRecord['status'] = 'done') => payment(`${key}:capture`, 'capture', status, { reference: String(receipt), amountMinor });
  const release = (key: string, receipt: number, status: PaymentRecord['status'] = 'done') => payment(`${key}:release`, 'release', status, { reference: String(receipt) });

  it('maps a reservation to a hold: receipt number, reference, booked is captured, reversed is released', () => {
    expect(zvtHold(reservation(17, 's1:authorize:1', 'booked', 1234))).toEqual({ holdId: '17', reference: 's1:authorize:1', amountMinor: 5000, state: 'captured', capturedMinor: 1234, placedAt: 17000 });
    expect(zvtHold(reservation(18, null, 'reversed'))).toMatchObject({ holdId: '18', reference: null, state: 'released', capturedMinor: null });
    expect(zvtHold(reservation(19, 's2:authorize:1', 'open'))).toMatchObject({ state: 'open', capturedMinor: null });
    expect(sessionOfReference('s1:authorize:12')).toBe('s1');
    expect(sessionOfReference('orphan:card:17:5')).toBeNull();
  });

  it('reads the reservations from whichever terminal file the data folder has', () => {
    const dir = mkdtempSync(join(tmpdir(), 'chaos-rules-'));
    try {
      mkdirSync(join(dir, 'sim'));
      expect(readTerminalHolds(dir)).toEqual([]);
      writeFileSync(join(dir, 'sim', 'terminal.json'), JSON.stringify({ holds: [{ hold: { holdId: 'sim-h-1', reference: 's1:authorize:1', amountMinor: 5000 }, state: 'open', capturedMinor: null }] }));
      expect(readTerminalHolds(dir)).toEqual([{ holdId: 'sim-h-1', reference: 's1:authorize:1', amountMinor: 5000, state: 'open', capturedMinor: null }]);
      writeFileSync(join(dir, 'sim', 'zvt-terminal.json'), JSON.stringify({ version: 1, reservations: [reservation(17, 's1:authorize:1', 'booked', 1234)] }));
      expect(readTerminalHolds(dir).map((h) => h.holdId)).toEqual(['17']);
      expect(readTerminalHolds(dir, 'zvt').map((h) => h.holdId)).toEqual(['17']);
      expect(readTerminalHolds(dir, 'generic').map((h) => h.holdId)).toEqual(['sim-h-1']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a station that booked, reversed a late approval and reversed what its journal never placed breaks no rule', () => {
    const holds = zvt(
      reservation(17, 's1:authorize:1', 'booked', 1234), // paid, charged, booked less than the hold
      reservation(19, 's2:authorize:1', 'reversed'), // approved after the session gave up: reversed at once
      reservation(21, 's2:authorize:2', 'booked', 800), // the retry that charged
      reservation(23, 's3:authorize:1', 'reversed'), // approved, the kiosk killed before it heard: the restart found it open and reversed it
    );
    const record = store(
      [
        approval('s1:authorize:1', 17),
        capture('s1:authorize:1', 17, 1234),
        approval('s2:authorize:1', 19, { abandoned: true }),
        release('s2:authorize:1', 19),
        approval('s2:authorize:2', 21),
        capture('s2:authorize:2', 21, 800),
        payment('s3:authorize:1', 'authorize', 'failed', { reference: null, result: { outcome: 'notOpenOnDevice', resolved: true } }),
        payment('orphan:card:23:40000', 'release', 'done', { sessionId: 'orphan', connectorId: null, amountMinor: 0, reference: '23' }),
      ],
      [session('s1', 'finished', 1234), session('s2', 'finished', 800), session('s3', 'cancelled')],
    );
    expect(checkHolds(holds, record, true)).toEqual([]);
    expect(checkSessions(['s1', 's2', 's3'], record, true)).toEqual([]);
    expect(findDoubleHolds(holds, true)).toEqual([]);
    expect(findOrphanHolds(holds, record, true)).toEqual([]);
  });

  it('doubleHold: a 06 22 sent twice reserves twice, whatever became of the second', () => {
    const holds = zvt(reservation(17, 's1:authorize:1', 'booked', 1234), reservation(18, 's1:authorize:1', 'reversed'));
    const record = store(
      [approval('s1:authorize:1', 17), capture('s1:authorize:1', 17, 1234), payment('orphan:card:18:20000', 'release', 'done', { sessionId: 'orphan', reference: '18' })],
      [session('s1', 'finished', 1234)],
    );
    for (const final of [false, true]) {
      expect(checkHolds(holds, record, final)).toEqual([expect.stringMatching(/^doubleHold: the request s1:authorize:1 placed 2 holds on the terminal: 17 .*, 18 /)]);
    }
    expect(findDoubleHolds(holds, false)).toEqual([{ problem: expect.stringMatching(/^doubleHold:/), holds: ['18@18000'] }]);
  });

  it('doubleHold: two holds of one session open once the station is quiet, or both booked', () => {
    const open = zvt(reservation(17, 's1:authorize:1', 'open'), reservation(19, 's1:authorize:2', 'open'));
    const record = store([approval('s1:authorize:1', 17), approval('s1:authorize:2', 19)], [session('s1', 'active')]);
    // While the kiosk is down a late approval may not be reversed yet: only the quiet station tells.
    expect(findDoubleHolds(open, false)).toEqual([]);
    expect(checkHolds(open, record, false)).toEqual([]);
    expect(checkHolds(open, record, true).join('\n')).toMatch(/doubleHold: session s1 has 2 holds open after the station went quiet: 17 .*, 19 /);
    expect(findDoubleHolds(open, true).flatMap((f) => f.holds)).toEqual(['19@19000']);

    const booked = zvt(reservation(17, 's1:authorize:1', 'booked', 1234), reservation(19, 's1:authorize:2', 'booked', 1234));
    const charged = store([approval('s1:authorize:1', 17), capture('s1:authorize:1', 17, 1234), approval('s1:authorize:2', 19), capture('s1:authorize:2', 19, 1234)], [session('s1', 'finished', 2468)]);
    expect(checkHolds(booked, charged, false)).toEqual([expect.stringMatching(/^doubleHold: session s1 was charged on 2 holds/)]);
  });

  it('orphanHold: a reservation open after the final settle that no live session owns', () => {
    // Approved on the terminal and on file, the kiosk killed before it heard: its journal has the intent pending.
    const unheard = zvt(reservation(21, 's4:authorize:1', 'open'));
    const killed = store([payment('s4:authorize:1', 'authorize', 'pending', { reference: null })], [session('s4', 'active')]);
    expect(checkHolds(unheard, killed, false)).toEqual([]); // the restart must find it and reverse it
    const quiet = store([payment('s4:authorize:1', 'authorize', 'failed', { reference: null })], [session('s4', 'cancelled')]);
    expect(checkHolds(unheard, quiet, true)).toEqual([
      'orphanHold: hold 21 (s4:authorize:1, open of 5000) is open after the station went quiet, and no live session owns it: session s4 cancelled; authorisation failed with reference none; no capture or release',
    ]);
    expect(findOrphanHolds(unheard, quiet, true)).toEqual([{ problem: expect.stringMatching(/^orphanHold:/), holds: ['21@21000'] }]);
    // A hold with no reference at all is nobody's.
    expect(checkHolds(zvt(reservation(22, null, 'open')), store([]), true).join('\n')).toMatch(/^orphanHold: hold 22 \(no reference, open of 5000\)/);
  });

  it('orphanHold: open for a session the store has finished, approved and never settled, even while the kiosk is down', () => {
    const holds = zvt(reservation(17, 's1:authorize:1', 'open'));
    const record = store([approval('s1:authorize:1', 17)], [session('s1', 'finished', 0)]);
    expect(checkHolds(holds, record, false)).toEqual(['orphanHold: hold 17 (s1:authorize:1, open of 5000) is open for session s1, which the store has finished, and nothing in the journal settles it']);
    // ... but not when the session gave the request up (a late approval, reversed by the restart) or a release is on its way
    expect(checkHolds(holds, store([approval('s1:authorize:1', 17, { abandoned: true })], [session('s1', 'cancelled')]), false)).toEqual([]);
    expect(checkHolds(holds, store([approval('s1:authorize:1', 17), release('s1:authorize:1', 17, 'pending')], [session('s1', 'finished', 0)]), false)).toEqual([]);
  });

  it('captureWithinHold and holdSettledOnce: a booking above the reservation, or not what the capture intent said', () => {
    const over = zvt(reservation(17, 's1:authorize:1', 'booked', 5001));
    expect(checkHolds(over, store([approval('s1:authorize:1', 17), capture('s1:authorize:1', 17, 5001)], [session('s1', 'finished', 5001)]), true)).toEqual(['captureWithinHold: hold 17 captured 5001 of 5000']);
    // The kiosk died with its capture intent pending; the terminal booked another amount.
    const booked = zvt(reservation(17, 's1:authorize:1', 'booked', 1500));
    expect(checkHolds(booked, store([approval('s1:authorize:1', 17), capture('s1:authorize:1', 17, 1234, 'pending')], [session('s1', 'active')]), false)).toEqual([
      "holdSettledOnce: the terminal captured 1500 on 17; the journal's capture intent s1:authorize:1:capture is for 1234",
    ]);
    // Booked while the store only asked for a release.
    expect(checkHolds(booked, store([approval('s1:authorize:1', 17), release('s1:authorize:1', 17, 'pending')], [session('s1', 'active')]), false).join('\n')).toMatch(
      /hold 17 is captured \(1500\) on the terminal; the store only asked to release it/,
    );
  });

  it("holdSettledOnce: the store's approval names another request's reservation", () => {
    const holds = zvt(reservation(17, 's1:authorize:1', 'open'), reservation(19, 's2:authorize:1', 'open'));
    const record = store([approval('s1:authorize:1', 19)], [session('s1', 'active'), session('s2', 'active')]);
    expect(checkHolds(holds, record, false)).toEqual(["holdSettledOnce: the store's approval s1:authorize:1 names hold 19, which the terminal placed for s2:authorize:1"]);
  });

  it('a receipt number used again after the counter wrapped is another hold', () => {
    const ledger = new HoldLedger();
    ledger.update(zvt(reservation(17, 's1:authorize:1', 'booked', 1234, 1000)));
    ledger.update(zvt(reservation(17, 's9:authorize:1', 'open', null, 9_000_000))); // the old one trimmed from the file by now
    expect(ledger.counts()).toEqual({ placed: 2, captured: 1, released: 0, open: 1 });
    const record = store(
      [approval('s1:authorize:1', 17, { createdAt: 900 }), capture('s1:authorize:1', 17, 1234), approval('s9:authorize:1', 17, { createdAt: 8_999_000 })],
      [session('s1', 'finished', 1234), session('s9', 'active')],
    );
    expect(checkHolds(ledger.all(), record, false)).toEqual([]);
  });
});

describe('chaos rules: station accounts (ledgerSound)', () => {
  const account: Account = { id: 'A1', name: 'Demo', type: 'prepaid', capMinor: null, blocked: false, currency: 'EUR', createdAt: 0 };
  let nextId = 1;
  const entry = (kind: LedgerEntry['kind'], amountMinor: number, balanceMinor: number, ref: string | null = null, sessionId: string | null = null): LedgerEntry => ({
    id: nextId++, at: 0, accountId: 'A1', kind, amountMinor, balanceMinor, sessionId, ref, who: 'test', reason: null,
  });
  const reservation = (state: Reservation['state'], chargedMinor: number | null = null): Reservation => ({
    ref: 's1:authorize:1', accountId: 'A1', sessionId: 's1', method: 'prepaid', amountMinor: 2000, limitMinor: 2000, state, chargedMinor,
    balanceBeforeMinor: 2000, balanceAfterMinor: null, createdAt: 0, endedAt: null,
  });
  const prepaid = (p: PaymentRecord): PaymentRecord => ({ ...p, method: 'prepaid' });
  const paidSession = (capturedMinor: number): SessionRecord => ({ ...session('s1', 'finished', capturedMinor), method: 'prepaid' });
  const settledLedger = (charge = 500) => [
    entry('topup', 2000, 2000),
    entry('reservation', -2000, 0, 's1:authorize:1:reservation', 's1'),
    entry('release', 2000, 2000, 's1:authorize:1:release', 's1'),
    entry('charge', -charge, 2000 - charge, 's1:authorize:1:charge', 's1'),
  ];
  const capture500 = prepaid({ ...captured, amountMinor: 500 });
  const view = (ledger: LedgerEntry[], reservations: Reservation[], payments: PaymentRecord[], sessions: SessionRecord[] = [paidSession(500)]) =>
    store(payments, sessions, null, { accounts: [account], ledger, reservations });

  it('a prepaid session reserved, settled and charged once, as the journal says, breaks no rule', () => {
    expect(checkAccounts(view(settledLedger(), [reservation('settled', 500)], [prepaid(authorized), capture500]), true)).toEqual([]);
  });

  it('catches a charge twice, a balance below zero, and entries that do not add up', () => {
    const ledger = [...settledLedger(), entry('charge', -500, 1000, 's1:authorize:1:charge-again', 's1'), entry('writeoff', -1500, -500), entry('topup', 100, 900)];
    ledger[4] = { ...ledger[4]!, ref: 's1:authorize:1:charge' };
    const problems = checkAccounts(view(ledger, [reservation('settled', 500)], [prepaid(authorized), capture500]), true);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringContaining('was charged 2 times'),
        expect.stringContaining('went below zero (-500)'),
        expect.stringContaining('its entries add up to -400'),
        expect.stringContaining('the ledger charged it 1000 in 2 entries'),
      ]),
    );
  });

  it('catches the journal and the ledger disagreeing, each way', () => {
    // The journal captured; the ledger still has the reservation open.
    expect(checkAccounts(view(settledLedger().slice(0, 2), [reservation('open')], [prepaid(authorized), capture500]), false)).toEqual([
      expect.stringContaining('the journal captured 500 on s1:authorize:1; the ledger has it open'),
    ]);
    // The ledger settled with no capture intent at all; a pending one counts until the station is quiet.
    expect(checkAccounts(view(settledLedger(), [reservation('settled', 500)], [prepaid(authorized)]), false)).toEqual([expect.stringContaining('settled with no capture in the journal')]);
    const pending = prepaid({ ...captured, status: 'pending', amountMinor: 500 });
    expect(checkAccounts(view(settledLedger(), [reservation('settled', 500)], [prepaid(authorized), pending]), false)).toEqual([]);
    expect(checkAccounts(view(settledLedger(), [reservation('settled', 500)], [prepaid(authorized), pending]), true)).toEqual([expect.stringContaining('settled with no capture in the journal')]);
    // Released in the journal, settled in the ledger.
    expect(checkAccounts(view(settledLedger(), [reservation('settled', 500)], [prepaid(authorized), capture500, prepaid(released)]), true)).toEqual([
      expect.stringContaining('the journal released s1:authorize:1; the ledger has it settled'),
    ]);
  });

  it('catches a reservation left open once the station is quiet, and a charge above the limit', () => {
    expect(checkAccounts(view(settledLedger().slice(0, 2), [reservation('open')], [prepaid(authorized)], []), true)).toEqual([expect.stringContaining('still open after the station went quiet')]);
    expect(checkAccounts(view(settledLedger().slice(0, 2), [reservation('open')], [prepaid(authorized)], []), false)).toEqual([]);
    const over = { ...reservation('settled', 2500), limitMinor: 2000 };
    expect(checkAccounts(view(settledLedger(2500), [over], [prepaid(authorized), prepaid({ ...captured, amountMinor: 2500 })], [paidSession(2500)]), true)).toEqual(
      expect.arrayContaining([expect.stringContaining('charged 2500, above its limit 2000')]),
    );
  });
});
