// The rules the chaos harness holds the kiosk to, as pure functions of what it read
// from outside: the kiosk's store (read-only) and the simulated devices' own state
// files. Kept apart from the harness so each rule is unit-tested with the violation
// it must catch (test/unit/chaos/rules.test.ts).
import type { PaymentRecord, SessionRecord } from '../../electron/store/kiosk-store.js';

export type Rule =
  | 'holdSettledOnce' // every hold ends captured or released, once, and the store agrees with the terminal
  | 'captureWithinHold' // no capture exceeds its hold
  | 'noSessionLost' // a session that reached a payment is in the store, and ends
  | 'chargerEnabledUnpaid' // no charger delivers (or stays enabled) without an open paid session
  | 'auditChain' // the audit chain verifies
  | 'kioskRuns'; // the kiosk starts again after every kill

export interface Violation {
  rule: Rule;
  seed: number;
  detail: string;
}

/** A hold as the terminal's state file has it. */
export interface TerminalHold {
  holdId: string;
  reference: string;
  amountMinor: number;
  state: 'open' | 'captured' | 'released';
  capturedMinor: number | null;
}

/** What the harness read of the store, in one read. */
export interface StoreView {
  payments: PaymentRecord[];
  sessions: SessionRecord[];
  /** The first audit entry whose hash does not chain (KioskStore.verifyAudit), or null. */
  auditBrokenAt: number | null;
}

const authorizeKeyOf = (payment: PaymentRecord): string => payment.key.replace(/:(capture|release)$/, '');

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
 * Holds against the store, at any moment: no capture above its hold; no hold settled
 * twice; what the store took as done, the terminal did (a capture the store records is
 * a captured hold of that amount; a recorded release is a released hold). With
 * `final`, the station is quiet: no hold may be open any more.
 */
export function checkHolds(holds: Iterable<TerminalHold>, store: StoreView, final: boolean): string[] {
  const problems: string[] = [];
  const byId = new Map<string, TerminalHold>();
  for (const hold of holds) {
    byId.set(hold.holdId, hold);
    if (hold.capturedMinor !== null && hold.capturedMinor > hold.amountMinor) problems.push(`captureWithinHold: hold ${hold.holdId} captured ${hold.capturedMinor} of ${hold.amountMinor}`);
    if (final && hold.state === 'open') problems.push(`holdSettledOnce: hold ${hold.holdId} (${hold.reference}) is still open after the station went quiet`);
  }
  const settlements = settlementsByAuthorization(store.payments);
  for (const [key, done] of settlements) {
    const captures = done.filter((p) => p.operation === 'capture');
    const releases = done.filter((p) => p.operation === 'release');
    if (captures.length > 0 && releases.length > 0) problems.push(`holdSettledOnce: ${key} was both captured and released in the store`);
    for (const payment of done) {
      const hold = payment.reference ? byId.get(payment.reference) : undefined;
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
  const settledRefs = new Set(store.payments.filter((p) => p.operation !== 'authorize' && (p.status === 'done' || (!final && p.status === 'pending'))).map((p) => p.reference));
  for (const hold of byId.values()) {
    if (hold.state !== 'open' && !settledRefs.has(hold.holdId)) problems.push(`holdSettledOnce: hold ${hold.holdId} is ${hold.state} on the terminal with no settlement in the store`);
  }
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

/** A charger as its simulator's state file has it. */
export interface ChargerFile {
  connectorId: number;
  mode: 'enabled' | 'sleeping' | 'disabled';
  relayClosed: boolean;
}

/**
 * No charger delivers energy without an open paid session, and none stays enabled
 * without one for longer than `graceMs` (a controller boots enabled: the kiosk puts
 * it to sleep as it reaches it). `enabledSince` carries the time each connector was
 * first seen enabled and unpaid between calls.
 */
export function checkChargers(chargers: ChargerFile[], openPaid: Set<number>, now: number, enabledSince: Map<number, number>, graceMs: number): string[] {
  const problems: string[] = [];
  for (const charger of chargers) {
    const paid = openPaid.has(charger.connectorId);
    if (charger.relayClosed && !paid) problems.push(`chargerEnabledUnpaid: connector ${charger.connectorId} has its relay closed with no open paid session`);
    if (charger.mode === 'enabled' && !paid) {
      const since = enabledSince.get(charger.connectorId) ?? now;
      enabledSince.set(charger.connectorId, since);
      if (now - since > graceMs) problems.push(`chargerEnabledUnpaid: connector ${charger.connectorId} enabled with no open paid session for ${now - since} ms`);
    } else {
      enabledSince.delete(charger.connectorId);
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
