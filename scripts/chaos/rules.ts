// The rules the chaos harness holds the kiosk to, as pure functions of what it read
// from outside: the kiosk's store (read-only) and the simulated devices' own state
// files. Kept apart from the harness so each rule is unit-tested with the violation
// it must catch (test/unit/chaos/rules.test.ts).
//
// They hold for both simulated card terminals: the generic one (holds by id, asked by
// reference) and the ZVT simulator (reservations by receipt number, no idempotency: a
// resent 06 22 reserves twice). A hold's `reference` is the journal key of the request
// that placed it (`<sessionId>:authorize:<attempt>`); the store's authorisation, capture
// and release records carry the terminal's id of the hold (hold id or receipt number).
import type { PaymentRecord, SessionRecord } from '../../electron/store/kiosk-store.js';
import type { Account, LedgerEntry, Reservation } from '../../electron/accounts/account-book.js';

export type Rule =
  | 'holdSettledOnce' // every hold ends captured or released, once, and the store agrees with the terminal
  | 'captureWithinHold' // no capture exceeds its hold
  | 'doubleHold' // no request placed two holds, and no session holds two at once
  | 'orphanHold' // no hold stays open that no live session owns
  | 'noSessionLost' // a session that reached a payment is in the store, and ends
  | 'chargerEnabledUnpaid' // no charger delivers (or stays enabled) without an open paid session
  | 'relayTestSafe' // a technician's relay test: only on an idle connector (no vehicle, no session), never a closed relay, enabled no longer than its maxMs (+ grace), and put back to sleep
  | 'ledgerSound' // station accounts: balances are their entries, never below zero (prepaid); each session charged once, as the journal says
  | 'auditChain' // the audit chain verifies
  | 'kioskRuns'; // the kiosk starts again after every kill

export interface Violation {
  rule: Rule;
  seed: number;
  detail: string;
}

/** Which simulated card terminal the kiosk runs (devices.terminal.protocol). */
export type TerminalProtocol = 'zvt' | 'generic';

/**
 * A hold as the terminal's state file has it. ZVT: a reservation, `holdId` its receipt
 * number, captured = booked (06 23), released = reversed (06 25).
 */
export interface TerminalHold {
  holdId: string;
  /** The merchant reference the request carried (the journal key), or null. */
  reference: string | null;
  amountMinor: number;
  state: 'open' | 'captured' | 'released';
  capturedMinor: number | null;
  /**
   * When the terminal placed it (its clock), where hold ids are reused: ZVT receipt
   * numbers wrap at 9999. Absent where the id alone is unique.
   */
  placedAt?: number;
}

/** What the harness read of the store, in one read. */
export interface StoreView {
  payments: PaymentRecord[];
  sessions: SessionRecord[];
  /** The first audit entry whose hash does not chain (KioskStore.verifyAudit), or null. */
  auditBrokenAt: number | null;
  /** The station accounts (RFID cards): accounts, ledger entries (oldest first), reservations. */
  accounts: { accounts: Account[]; ledger: LedgerEntry[]; reservations: Reservation[] };
  /** The relay tests' audit entries (charger.relayTest, charger.relayTestDone), oldest first. */
  relayTests: RelayTestEntry[];
}

/** A relay test's audit entry: its start (`maxMs`, brain ms) or its end (`enabledMs`, `asleep`). */
export type RelayTestEntry =
  | { id: number; action: 'charger.relayTest'; connectorId: number; maxMs: number }
  | { id: number; action: 'charger.relayTestDone'; connectorId: number; enabledMs: number; asleep: boolean };

/** One hold, however often it is seen: its id, and when it was placed where ids are reused. */
export const holdKey = (hold: TerminalHold): string => (hold.placedAt === undefined ? hold.holdId : `${hold.holdId}@${hold.placedAt}`);

const authorizeKeyOf = (payment: PaymentRecord): string => payment.key.replace(/:(capture|release)$/, '');

/** The session a journal key belongs to ('s1:authorize:2' → 's1'); null for anything else. */
export function sessionOfReference(reference: string | null): string | null {
  const match = reference === null ? null : /^(.+):authorize:\d+$/.exec(reference);
  return match ? match[1]! : null;
}

function settlementsByAuthorization(payments: PaymentRecord[]): Map<string, PaymentRecord[]> {
  const map = new Map<string, PaymentRecord[]>();
  for (const payment of payments) {
    if (payment.operation === 'authorize' || payment.status !== 'done') continue;
    const key = authorizeKeyOf(payment);
    map.set(key, [...(map.get(key) ?? []), payment]);
  }
  return map;
}

/** An authorisation the store holds as approved (its intent done, with a reference). */
function approved(payment: PaymentRecord): boolean {
  return payment.operation === 'authorize' && payment.status === 'done' && payment.reference !== null;
}

/**
 * The holds the store's records name: by the terminal's id, and where an id was reused
 * (ZVT receipt numbers wrap) the one the record's request placed, else the last one
 * placed before the record was written.
 */
class HoldIndex {
  private readonly byId = new Map<string, TerminalHold[]>();

  constructor(holds: readonly TerminalHold[]) {
    for (const hold of holds) this.byId.set(hold.holdId, [...(this.byId.get(hold.holdId) ?? []), hold]);
    for (const list of this.byId.values()) list.sort((a, b) => (a.placedAt ?? 0) - (b.placedAt ?? 0));
  }

  of(payment: PaymentRecord): TerminalHold | undefined {
    const list = payment.reference === null ? undefined : this.byId.get(payment.reference);
    if (!list || list.length <= 1) return list?.[0];
    const key = authorizeKeyOf(payment);
    return list.find((h) => h.reference === key) ?? list.findLast((h) => (h.placedAt ?? 0) <= payment.createdAt) ?? list.at(-1);
  }
}

/** The store's records about one hold: its session, the authorisation that placed it, what settles it. */
interface HoldRecord {
  sessionId: string | null;
  session: SessionRecord | undefined;
  authorization: PaymentRecord | undefined;
  /** Capture and release records the store matches to this hold, any status. */
  settlements: PaymentRecord[];
}

function recordsOf(hold: TerminalHold, store: StoreView, index: HoldIndex): HoldRecord {
  const sessionId = sessionOfReference(hold.reference);
  return {
    sessionId,
    session: sessionId === null ? undefined : store.sessions.find((s) => s.id === sessionId),
    authorization: hold.reference === null ? undefined : store.payments.find((p) => p.operation === 'authorize' && p.key === hold.reference),
    settlements: store.payments.filter((p) => p.operation !== 'authorize' && p.status !== 'failed' && index.of(p) === hold),
  };
}

/**
 * The store takes this hold as a live session's: the session is active, its
 * authorisation approved with this hold's id and not given up, and nothing settles it yet.
 */
function ownedByLiveSession(hold: TerminalHold, records: HoldRecord): boolean {
  const { session, authorization, settlements } = records;
  return session?.status === 'active' && authorization !== undefined && approved(authorization) && authorization.reference === hold.holdId && !authorization.abandoned && settlements.length === 0;
}

function describe(hold: TerminalHold): string {
  const state = hold.state === 'captured' ? `captured ${hold.capturedMinor}` : hold.state;
  return `${hold.holdId} (${hold.reference ?? 'no reference'}, ${state} of ${hold.amountMinor})`;
}

function describeRecords(records: HoldRecord): string {
  const { sessionId, session, authorization, settlements } = records;
  const parts = [
    sessionId === null ? 'no session in its reference' : `session ${sessionId} ${session?.status ?? 'not in the store'}`,
    authorization
      ? `authorisation ${authorization.status}${authorization.abandoned ? ' (abandoned)' : ''} with reference ${authorization.reference ?? 'none'}`
      : 'no authorisation in the journal',
    settlements.length === 0 ? 'no capture or release' : settlements.map((p) => `${p.operation} ${p.status} ${p.amountMinor}`).join(', '),
  ];
  return parts.join('; ');
}

/** A hold finding: the problem, and the holds (holdKey) it counts. */
export interface HoldFinding {
  problem: string;
  holds: string[];
}

/**
 * Double holds: two holds on the terminal carrying one reference (a request sent twice:
 * ZVT has no idempotency), two holds of one session both captured (the card charged
 * twice), and, once the station is quiet, two holds of one session open. (While the
 * kiosk is down a session may for a moment have two open: a late approval of an attempt
 * it gave up, not reversed yet; the restart reverses it, so only the quiet station tells.)
 * Each finding counts the holds beyond the first.
 */
export function findDoubleHolds(holds: Iterable<TerminalHold>, final: boolean): HoldFinding[] {
  const findings: HoldFinding[] = [];
  const list = [...holds].sort((a, b) => (a.placedAt ?? 0) - (b.placedAt ?? 0));
  const group = (keyOf: (hold: TerminalHold) => string | null, filter: (hold: TerminalHold) => boolean): Map<string, TerminalHold[]> => {
    const groups = new Map<string, TerminalHold[]>();
    for (const hold of list) {
      const key = filter(hold) ? keyOf(hold) : null;
      if (key !== null) groups.set(key, [...(groups.get(key) ?? []), hold]);
    }
    return new Map([...groups].filter(([, members]) => members.length > 1));
  };
  const counted = new Set<string>();
  const add = (problem: string, members: TerminalHold[]) => {
    const extra = members.slice(1).map(holdKey).filter((key) => !counted.has(key));
    extra.forEach((key) => counted.add(key));
    findings.push({ problem, holds: extra });
  };
  for (const [reference, members] of group((h) => h.reference, () => true)) {
    add(`doubleHold: the request ${reference} placed ${members.length} holds on the terminal: ${members.map(describe).join(', ')}`, members);
  }
  for (const [sessionId, members] of group((h) => sessionOfReference(h.reference), (h) => h.state === 'captured')) {
    add(`doubleHold: session ${sessionId} was charged on ${members.length} holds: ${members.map(describe).join(', ')}`, members);
  }
  if (final) {
    for (const [sessionId, members] of group((h) => sessionOfReference(h.reference), (h) => h.state === 'open')) {
      add(`doubleHold: session ${sessionId} has ${members.length} holds open after the station went quiet: ${members.map(describe).join(', ')}`, members);
    }
  }
  return findings;
}

/**
 * Orphan holds: open on the terminal and owned by no live session. Once the station is
 * quiet, every open hold no active session holds is one. At any moment, a hold open
 * for a session the store has finished, approved in the journal with that hold's id,
 * not given up, and with no capture or release journalled: nothing will ever settle it.
 * (While the kiosk is down, other open holds are for its restart to settle: a request
 * whose answer it never heard, a late approval it has not reversed yet.)
 */
export function findOrphanHolds(holds: Iterable<TerminalHold>, store: StoreView, final: boolean): HoldFinding[] {
  const list = [...holds];
  const index = new HoldIndex(list);
  const findings: HoldFinding[] = [];
  for (const hold of list) {
    if (hold.state !== 'open') continue;
    const records = recordsOf(hold, store, index);
    if (final) {
      if (!ownedByLiveSession(hold, records)) {
        findings.push({ problem: `orphanHold: hold ${describe(hold)} is open after the station went quiet, and no live session owns it: ${describeRecords(records)}`, holds: [holdKey(hold)] });
      }
      continue;
    }
    const { session, authorization, settlements } = records;
    const finished = session !== undefined && session.status !== 'active';
    if (finished && authorization && approved(authorization) && authorization.reference === hold.holdId && !authorization.abandoned && settlements.length === 0) {
      findings.push({ problem: `orphanHold: hold ${describe(hold)} is open for session ${session.id}, which the store has ${session.status}, and nothing in the journal settles it`, holds: [holdKey(hold)] });
    }
  }
  return findings;
}

/**
 * Holds against the store, at any moment: no capture above its hold; no hold settled
 * twice; what the store took as done, the terminal did (a capture the store records is
 * a captured hold of that amount; a recorded release is a released hold), and what the
 * terminal did, the store asked for (a booking of the amount the capture intent names);
 * the store's approvals name holds their own requests placed; no double hold, no orphan
 * (findDoubleHolds, findOrphanHolds). With `final`, the station is quiet: no hold may be
 * open any more.
 */
export function checkHolds(holds: Iterable<TerminalHold>, store: StoreView, final: boolean): string[] {
  const problems: string[] = [];
  const list = [...holds];
  const index = new HoldIndex(list);
  for (const hold of list) {
    if (hold.capturedMinor !== null && hold.capturedMinor > hold.amountMinor) problems.push(`captureWithinHold: hold ${hold.holdId} captured ${hold.capturedMinor} of ${hold.amountMinor}`);
    // Open and still a live session's when the station should be quiet (the others are orphans).
    if (final && hold.state === 'open' && ownedByLiveSession(hold, recordsOf(hold, store, index))) {
      problems.push(`holdSettledOnce: hold ${hold.holdId} (${hold.reference}) is still open after the station went quiet`);
    }
  }
  const settlements = settlementsByAuthorization(store.payments);
  for (const [key, done] of settlements) {
    const captures = done.filter((p) => p.operation === 'capture');
    const releases = done.filter((p) => p.operation === 'release');
    if (captures.length > 0 && releases.length > 0) problems.push(`holdSettledOnce: ${key} was both captured and released in the store`);
    for (const payment of done) {
      const hold = index.of(payment);
      if (!hold) continue; // the terminal forgot it (its journal is finite); the harness keeps what it saw
      if (payment.operation === 'capture' && (hold.state !== 'captured' || hold.capturedMinor !== payment.amountMinor)) {
        problems.push(`holdSettledOnce: the store captured ${payment.amountMinor} on ${hold.holdId}; the terminal has it ${hold.state} (${hold.capturedMinor})`);
      }
      if (payment.operation === 'release' && hold.state !== 'released') problems.push(`holdSettledOnce: the store released ${hold.holdId}; the terminal has it ${hold.state}`);
    }
  }
  // A hold the terminal settled that the store never asked for. Until the station is
  // quiet, a request still pending counts: the kiosk died between its journal entry
  // and the terminal's answer, and resolves it when it starts again.
  for (const hold of list) {
    if (hold.state === 'open') continue;
    const asked = recordsOf(hold, store, index).settlements.filter((p) => p.status === 'done' || (!final && p.status === 'pending'));
    if (asked.length === 0) {
      problems.push(`holdSettledOnce: hold ${hold.holdId} is ${hold.state} on the terminal with no settlement in the store`);
      continue;
    }
    if (hold.state !== 'captured') continue;
    const captures = asked.filter((p) => p.operation === 'capture');
    if (captures.length === 0) problems.push(`holdSettledOnce: hold ${hold.holdId} is captured (${hold.capturedMinor}) on the terminal; the store only asked to release it`);
    for (const intent of captures) {
      if (intent.status === 'pending' && intent.amountMinor !== hold.capturedMinor) {
        problems.push(`holdSettledOnce: the terminal captured ${hold.capturedMinor} on ${hold.holdId}; the journal's capture intent ${intent.key} is for ${intent.amountMinor}`);
      }
    }
  }
  // The store's approval names a hold its own request placed.
  for (const authorization of store.payments.filter(approved)) {
    const hold = index.of(authorization);
    if (hold && hold.reference !== null && hold.reference !== authorization.key) {
      problems.push(`holdSettledOnce: the store's approval ${authorization.key} names hold ${hold.holdId}, which the terminal placed for ${hold.reference}`);
    }
  }
  for (const finding of [...findDoubleHolds(list, final), ...findOrphanHolds(list, store, final)]) problems.push(finding.problem);
  return problems;
}

/**
 * Sessions the harness saw reach a payment (from the kiosk's snapshots) are in the
 * store; once the station is quiet, every session with an approved payment is closed
 * and its money settled: captured if it cost something, released otherwise.
 */
export function checkSessions(seenPaid: Iterable<string>, store: StoreView, final: boolean): string[] {
  const problems: string[] = [];
  const sessions = new Map(store.sessions.map((s) => [s.id, s]));
  for (const id of seenPaid) if (!sessions.has(id)) problems.push(`noSessionLost: session ${id} reached a payment but is not in the store`);
  if (!final) return problems;
  const settlements = settlementsByAuthorization(store.payments);
  for (const payment of store.payments.filter(approved)) {
    const session = sessions.get(payment.sessionId);
    if (!session) {
      problems.push(`noSessionLost: the approved authorisation ${payment.key} has no session`);
      continue;
    }
    if (session.status === 'active') problems.push(`noSessionLost: session ${session.id} is still active after the station went quiet`);
    if (!settlements.has(payment.key)) problems.push(`noSessionLost: the authorisation ${payment.key} was never captured or released`);
    if (session.status === 'finished' && (session.capturedMinor ?? 0) > payment.amountMinor) problems.push(`captureWithinHold: session ${session.id} captured ${session.capturedMinor} of ${payment.amountMinor}`);
  }
  return problems;
}

/** Open paid sessions per connector: approved in `later`, not yet settled in `earlier` (two reads around the charger's). */
export function openPaidConnectors(earlier: StoreView, later: StoreView): Set<number> {
  const settled = settlementsByAuthorization(earlier.payments);
  const open = new Set<number>();
  for (const payment of later.payments) {
    if (approved(payment) && !payment.abandoned && !settled.has(payment.key) && payment.connectorId !== null) open.add(payment.connectorId);
  }
  return open;
}

/** Connectors with a session open: paid and not settled (openPaid), or active in the store's later read. */
export function connectorsInSession(openPaid: ReadonlySet<number>, later: StoreView): Set<number> {
  return new Set([...openPaid, ...later.sessions.filter((s) => s.status === 'active').map((s) => s.connectorId)]);
}

/** A charger as its simulator's state file has it. */
export interface ChargerFile {
  connectorId: number;
  mode: 'enabled' | 'sleeping' | 'disabled';
  relayClosed: boolean;
  /** A car is plugged in (the simulator's cable, whether or not the kiosk has seen it yet). */
  plugged: boolean;
}

/** A relay test under way: its charger.relayTest entry is in the audit log, no relayTestDone of its connector since, its kiosk not killed since. */
export interface RunningRelayTest {
  auditId: number;
  connectorId: number;
  /** When the harness first saw its audit entry, real ms (performance.now): at most one store read after it was written. */
  seenAt: number;
  /** Its maxMs in real ms (the kiosk's clock runs `clockSpeed` times faster than real time). */
  maxRealMs: number;
}

/**
 * The technician's relay tests, from the audit entries of successive store reads. A test
 * runs from its charger.relayTest entry until the next charger.relayTestDone of its
 * connector, or until the kiosk is killed (`killed`): then it can never end, and the
 * restarted kiosk must put the charger to sleep as it does a controller that boots
 * enabled. Counts the tests started, done, and interrupted by a kill (and of those, how
 * many the kill left with the charger enabled, for the restarted kiosk to put to sleep).
 */
export class RelayTestWatch {
  /** The test under way on each connector. */
  readonly running = new Map<number, RunningRelayTest>();
  readonly counts = { started: 0, done: 0, interrupted: 0, interruptedEnabled: 0 };
  private lastId = 0;

  constructor(private readonly clockSpeed: number) {}

  /** Takes the entries of a store read made at `now` (real ms); returns the problems of the tests that ended: a charger not put back to sleep. */
  update(entries: readonly RelayTestEntry[], now: number): string[] {
    const problems: string[] = [];
    for (const entry of entries) {
      if (entry.id <= this.lastId) continue;
      this.lastId = entry.id;
      const { id, connectorId } = entry;
      if (entry.action === 'charger.relayTest') {
        this.counts.started++;
        this.running.set(connectorId, { auditId: id, connectorId, seenAt: now, maxRealMs: entry.maxMs / this.clockSpeed });
        continue;
      }
      this.counts.done++;
      this.running.delete(connectorId);
      if (!entry.asleep) problems.push(`relayTestSafe: the relay test on connector ${connectorId} ended with the charger not asleep (audit entry ${id}, enabled ${entry.enabledMs} ms)`);
    }
    return problems;
  }

  /** The kiosk was killed, leaving `chargers` as they are: the tests under way will never end. */
  killed(chargers: readonly ChargerFile[]): void {
    this.counts.interrupted += this.running.size;
    this.counts.interruptedEnabled += chargers.filter((c) => c.mode === 'enabled' && this.running.has(c.connectorId)).length;
    this.running.clear();
  }
}

/** What checkChargers is told of relay tests: the test under way per connector, and the connectors with a session open (connectorsInSession). */
export interface RelayTestContext {
  running: ReadonlyMap<number, RunningRelayTest>;
  sessionOpen: ReadonlySet<number>;
}

/**
 * No charger delivers energy without an open paid session, and none stays enabled
 * without one for longer than `graceMs` (a controller boots enabled: the kiosk puts
 * it to sleep as it reaches it). `enabledSince` carries the time each connector was
 * first seen enabled and unpaid between calls. A relay test under way may keep its
 * charger enabled for its maxMs and `graceMs` more, counted from when its audit entry was
 * first seen; never with the relay closed, a vehicle plugged in or a session open.
 */
export function checkChargers(chargers: ChargerFile[], openPaid: Set<number>, now: number, enabledSince: Map<number, number>, graceMs: number, relayTests?: RelayTestContext): string[] {
  const problems: string[] = [];
  for (const charger of chargers) {
    const paid = openPaid.has(charger.connectorId);
    const test = relayTests?.running.get(charger.connectorId);
    if (test) problems.push(...relayTestProblems(charger, test, paid || relayTests!.sessionOpen.has(charger.connectorId), now, graceMs));
    else if (charger.relayClosed && !paid) problems.push(`chargerEnabledUnpaid: connector ${charger.connectorId} has its relay closed with no open paid session`);
    if (charger.mode === 'enabled' && !paid) {
      const since = enabledSince.get(charger.connectorId) ?? now;
      enabledSince.set(charger.connectorId, since);
      if (!test && now - since > graceMs) {
        // The same words for the whole time it stays so: one violation, however often it is seen.
        problems.push(`chargerEnabledUnpaid: connector ${charger.connectorId} enabled with no open paid session for more than ${graceMs} ms (since ${Math.round(since)} ms into the run)`);
      }
    } else {
      enabledSince.delete(charger.connectorId);
    }
  }
  return problems;
}

function relayTestProblems(charger: ChargerFile, test: RunningRelayTest, sessionOpen: boolean, now: number, graceMs: number): string[] {
  const during = `during the relay test of audit entry ${test.auditId}`;
  const problems: string[] = [];
  if (charger.relayClosed) problems.push(`relayTestSafe: connector ${charger.connectorId} has its relay closed ${during}`);
  if (charger.plugged) problems.push(`relayTestSafe: connector ${charger.connectorId} has a vehicle plugged in ${during}`);
  if (sessionOpen) problems.push(`relayTestSafe: connector ${charger.connectorId} has a session open ${during}`);
  if (charger.mode === 'enabled' && now - test.seenAt > test.maxRealMs + graceMs) {
    problems.push(`relayTestSafe: connector ${charger.connectorId} is still enabled more than ${test.maxRealMs} + ${graceMs} ms after the relay test of audit entry ${test.auditId} started`);
  }
  return problems;
}

/**
 * Station accounts against themselves and the payments journal, at any moment: each
 * entry's balance is the one before plus its amount, and a prepaid balance is never
 * below zero; a reservation is charged at most once, never above its limit; what the
 * journal took as done the ledger did (a capture is the reservation settled for that
 * amount, a release is it released), and what the ledger did the journal asked for (an
 * intent still pending counts until the station is quiet). With `final`: no reservation
 * is open, and every finished session paid from an account has exactly the charges its
 * record says it captured.
 */
export function checkAccounts(store: StoreView, final: boolean): string[] {
  const problems: string[] = [];
  const { accounts, ledger, reservations } = store.accounts;
  const types = new Map(accounts.map((a) => [a.id, a.type]));
  const balances = new Map<string, number>();
  for (const entry of ledger) {
    const before = balances.get(entry.accountId) ?? 0;
    if (entry.balanceMinor !== before + entry.amountMinor) {
      problems.push(`ledgerSound: entry ${entry.id} of ${entry.accountId} says the balance is ${entry.balanceMinor}; its entries add up to ${before + entry.amountMinor}`);
    }
    if (types.get(entry.accountId) === 'prepaid' && entry.balanceMinor < 0) problems.push(`ledgerSound: the prepaid account ${entry.accountId} went below zero (${entry.balanceMinor}) at entry ${entry.id}`);
    balances.set(entry.accountId, entry.balanceMinor);
  }
  const charges = new Map<string, LedgerEntry[]>();
  for (const entry of ledger) {
    if (entry.kind !== 'charge' || entry.ref === null) continue;
    const ref = entry.ref.replace(/:charge$/, '');
    charges.set(ref, [...(charges.get(ref) ?? []), entry]);
  }
  const journal = new Map(store.payments.map((p) => [p.key, p]));
  for (const reservation of reservations) {
    const charged = charges.get(reservation.ref) ?? [];
    if (charged.length > 1) problems.push(`ledgerSound: reservation ${reservation.ref} was charged ${charged.length} times`);
    const chargedMinor = charged.reduce((sum, e) => sum - e.amountMinor, 0);
    if (chargedMinor > reservation.limitMinor) problems.push(`ledgerSound: reservation ${reservation.ref} was charged ${chargedMinor}, above its limit ${reservation.limitMinor}`);
    const capture = journal.get(`${reservation.ref}:capture`);
    const release = journal.get(`${reservation.ref}:release`);
    if (capture?.status === 'done' && (reservation.state !== 'settled' || reservation.chargedMinor !== capture.amountMinor)) {
      problems.push(`ledgerSound: the journal captured ${capture.amountMinor} on ${reservation.ref}; the ledger has it ${reservation.state} (${reservation.chargedMinor})`);
    }
    if (release?.status === 'done' && reservation.state !== 'released') problems.push(`ledgerSound: the journal released ${reservation.ref}; the ledger has it ${reservation.state}`);
    const asked = (p: PaymentRecord | undefined) => p !== undefined && (p.status === 'done' || (!final && p.status === 'pending'));
    if (reservation.state === 'settled' && !asked(capture)) problems.push(`ledgerSound: reservation ${reservation.ref} was settled with no capture in the journal`);
    if (reservation.state === 'released' && !asked(release)) problems.push(`ledgerSound: reservation ${reservation.ref} was released with no release in the journal`);
    if (final && reservation.state === 'open') problems.push(`ledgerSound: reservation ${reservation.ref} (${reservation.amountMinor}) is still open after the station went quiet`);
  }
  if (final) {
    for (const session of store.sessions) {
      if (session.status !== 'finished' || (session.method !== 'prepaid' && session.method !== 'account')) continue;
      const taken = ledger.filter((e) => e.kind === 'charge' && e.sessionId === session.id);
      const sum = taken.reduce((total, e) => total - e.amountMinor, 0);
      if (taken.length > 1 || sum !== (session.capturedMinor ?? 0)) {
        problems.push(`ledgerSound: session ${session.id} captured ${session.capturedMinor ?? 0} in its record; the ledger charged it ${sum} in ${taken.length} entries`);
      }
    }
  }
  return problems;
}

export function checkAudit(store: StoreView): string[] {
  return store.auditBrokenAt === null ? [] : [`auditChain: the audit chain breaks at entry ${store.auditBrokenAt}`];
}

/** "rule: detail" → a Violation. */
export function toViolation(problem: string, seed: number): Violation {
  const at = problem.indexOf(': ');
  return { rule: problem.slice(0, at) as Rule, seed, detail: problem.slice(at + 2) };
}
