// The device and payment work of a connector's session machine: implementations
// of its invoked actors, closing over the ports, the store and the clock. Every
// payment request is journalled in the store before it is sent and completed when
// the terminal answers, so a restart can always tell what the terminal was asked.
import { fromCallback, fromPromise } from 'xstate';
import type { Logger } from 'pino';
import type { Clock } from '../../devices/clock.js';
import type { ChargerController, ChargerEvent } from '../../devices/charger/charger-port.js';
import type { CardTerminal } from '../../devices/payment/card-terminal-port.js';
import type { SessionSummary } from '../contract/snapshot.js';
import type { KioskStore } from '../store/kiosk-store.js';
import { energyCoveredWh, priceSession, settle as settleAmounts } from '../billing/tariff.js';
import {
  authorizeKey,
  sessionMachine,
  sessionUsage,
  type ActiveSession,
  type AuthorizeOutput,
  type ConnectorProblem,
  type ReconcileOutput,
  type ResumePhase,
  type SessionContext,
  type SessionEvent,
} from './session-machine.js';

export interface SessionDeps {
  connectorId: number;
  charger: ChargerController;
  terminal: CardTerminal;
  store: KioskStore;
  clock: Clock;
  log: Logger;
  currentLimitA: number;
  /** True while the kiosk shuts down: requests in flight are left to finish on the device, not cancelled. */
  shuttingDown: () => boolean;
  /** Named delays of the machine, ms. */
  delays: Record<'inactivityWarn' | 'inactivityReturn' | 'plugIn' | 'presentCard' | 'stopCode' | 'summary' | 'retry', number>;
}

export function toSessionEvent(event: ChargerEvent, at: number): SessionEvent | null {
  switch (event.type) {
    case 'status':
      return { type: 'CHARGER_STATUS', at, status: event.status };
    case 'meter':
      return { type: 'METER', at, meterWh: event.meterWh, powerW: event.powerW };
    case 'vehiclePlugged':
      return { type: 'VEHICLE_PLUGGED', at };
    case 'vehicleUnplugged':
      return { type: 'VEHICLE_UNPLUGGED', at };
    case 'chargingStarted':
      return { type: 'CHARGING_STARTED', at };
    case 'chargingStopped':
      return { type: 'CHARGING_STOPPED', at, vehicleConnected: event.vehicleConnected };
    case 'faultRaised':
      return { type: 'FAULT', at, fault: event.fault };
    case 'faultCleared':
      return { type: 'FAULT_CLEARED', at };
    case 'boot':
      return { type: 'CHARGER_BOOT', at };
    case 'offline':
      return { type: 'CHARGER_OFFLINE', at, reason: event.reason };
    case 'online':
      return { type: 'CHARGER_ONLINE', at };
  }
}

export function provideSessionActors(deps: SessionDeps) {
  const { charger, terminal, store, clock, log, connectorId } = deps;
  const now = () => clock.now();

  /** Captures the session's cost (capped at the hold) once, and writes its one record. */
  async function finish(session: ActiveSession): Promise<SessionSummary> {
    const hold = session.hold;
    if (!hold) throw new Error(`session ${session.id} has no hold to settle`);
    let meterWh = session.meterWh;
    try {
      meterWh = Math.max(meterWh ?? 0, (await charger.status()).meterWh);
    } catch (error) {
      log.warn({ err: error, sessionId: session.id }, 'final meter reading failed; settling on the last sample');
    }
    const endedAt = session.endedAt ?? now();
    const closed = { ...session, meterWh: session.meterStartWh == null ? null : meterWh, endedAt };
    const usage = sessionUsage(closed, endedAt);
    const priced = priceSession(session.tariff, usage);
    const { capturedMinor, writtenOffMinor } = settleAmounts(priced.totalMinor, hold.amountMinor);

    const key = `${session.id}:capture`;
    const payment = store.beginPayment({ key, sessionId: session.id, operation: 'capture', amountMinor: capturedMinor, currency: hold.currency, holdId: hold.holdId }, now());
    if (payment.status !== 'done') {
      const result = await terminal.capture({ holdId: hold.holdId, amountMinor: payment.amountMinor });
      store.completePayment(key, 'done', result, now());
    }
    const summary: SessionSummary = {
      sessionId: session.id,
      method: session.method,
      maskedPan: hold.maskedPan,
      startedAt: session.chargingStartedAt ?? session.createdAt,
      endedAt,
      energyWh: usage.energyWh,
      durationS: Math.max(0, Math.round((endedAt - (session.chargingStartedAt ?? endedAt)) / 1000)),
      chargingS: usage.chargingS,
      costMinor: priced.totalMinor,
      vatMinor: priced.vatMinor,
      capturedMinor: payment.amountMinor,
      writtenOffMinor,
      lines: priced.lines,
      stopReason: session.stopReason,
      receipt: 'pending',
      receiptQr: null,
    };
    if (writtenOffMinor > 0) log.warn({ sessionId: session.id, costMinor: priced.totalMinor, capturedMinor, writtenOffMinor }, 'cost above the hold written off');
    // The record may be missing if the kiosk stopped between the approval and its journal entry.
    store.openSession({ id: session.id, connectorId, method: session.method, createdAt: session.createdAt });
    store.closeSession({
      id: session.id,
      status: 'finished',
      endedAt,
      energyWh: usage.energyWh,
      costMinor: priced.totalMinor,
      capturedMinor: payment.amountMinor,
      writtenOffMinor,
      maskedPan: hold.maskedPan,
      stopReason: session.stopReason,
      summary,
    });
    await charger.sleep().catch((error) => log.error({ err: error }, 'could not put the charger to sleep after the session'));
    return summary;
  }

  /** Releases the hold of a session that never charged, once, and closes its record. */
  async function cancel(session: ActiveSession): Promise<void> {
    if (session.hold) {
      const key = `${session.id}:release`;
      const payment = store.beginPayment({ key, sessionId: session.id, operation: 'release', amountMinor: session.hold.amountMinor, currency: session.hold.currency, holdId: session.hold.holdId }, now());
      if (payment.status !== 'done') {
        await terminal.release(session.hold.holdId);
        store.completePayment(key, 'done', null, now());
      }
      store.openSession({ id: session.id, connectorId, method: session.method, createdAt: session.createdAt });
      store.closeSession({
        id: session.id,
        status: 'cancelled',
        endedAt: now(),
        energyWh: 0,
        costMinor: 0,
        capturedMinor: 0,
        writtenOffMinor: 0,
        maskedPan: session.hold.maskedPan,
        stopReason: null,
        summary: null,
      });
    }
    await charger.sleep().catch((error) => log.error({ err: error }, 'could not put the charger to sleep'));
  }

  /** Decides where a restored connector picks up, from its persisted phase and what the devices say now. */
  async function reconcile(phase: string | null, context: SessionContext): Promise<ReconcileOutput> {
    const status = await charger.status().catch(() => null);
    const vehiclePlugged = status?.vehicleConnected ?? context.vehiclePlugged;
    const base: SessionContext = { ...context, vehiclePlugged, problem: null, resumeFrom: null };
    const session = context.session;
    const idle = (): ReconcileOutput => ({ resume: 'idle', context: { ...base, session: null } });
    const resume = (to: ResumePhase, patch: Partial<ActiveSession> = {}): ReconcileOutput => ({
      resume: to,
      context: { ...base, session: session ? { ...session, ...patch } : null },
    });
    if (!phase || !session) return phase === 'summary' ? resume('summary') : idle();

    // Energy delivered while the kiosk was down counts: take the meter now.
    const meterWh = status && session.meterStartWh != null ? Math.max(status.meterWh, session.meterWh ?? 0) : session.meterWh;
    log.info({ connectorId, phase, sessionId: session.id, vehiclePlugged }, 'reconciling a restored session');

    switch (phase) {
      case 'choosingPayment':
      case 'declined':
        return idle();
      case 'authorizing': {
        const answer = await terminal.lookup(authorizeKey(session)).catch(() => null);
        if (answer?.state === 'open') return resume('awaitingVehicle', { hold: answer.hold });
        if (answer?.state === 'declined') return resume('declined', { declineReason: answer.reason });
        // Still pending on the terminal, or never reached it: ask again with the same key.
        return resume('authorizing');
      }
      case 'awaitingVehicle': {
        // The driver paid and has not plugged in yet: go on waiting only if the hold is still there.
        const hold = session.hold ? await terminal.lookup(session.hold.key).catch(() => null) : null;
        return resume(hold?.state === 'open' ? 'awaitingVehicle' : 'cancelling');
      }
      case 'charging':
      case 'stopping':
      case 'parked':
        if (!vehiclePlugged) return resume('settling', { meterWh, stopReason: session.stopReason ?? 'unplugged', chargingStoppedAt: session.chargingStoppedAt ?? now(), endedAt: now() });
        return resume(phase, { meterWh });
      case 'settling':
      case 'settleRetry':
        return resume('settling');
      case 'cancelling':
      case 'cancelRetry':
        return resume('cancelling');
      case 'summary':
        return resume('summary');
      default:
        return idle();
    }
  }

  return sessionMachine.provide({
    delays: deps.delays,
    actors: {
      chargerEvents: fromCallback<SessionEvent, void>(({ sendBack }) =>
        charger.subscribe((event) => {
          const mapped = toSessionEvent(event, now());
          if (mapped) sendBack(mapped);
        }),
      ),
      keepAsleep: fromCallback<SessionEvent, void>(() => {
        const sleep = (why: string) => {
          log.warn({ why }, 'the charger woke up without a paid charging session; putting it back to sleep');
          charger.sleep().catch((error) => log.error({ err: error }, 'could not put the charger back to sleep'));
        };
        return charger.subscribe((event) => {
          if (event.type === 'boot') sleep('boot');
          else if (event.type === 'status' && (event.status.mode === 'enabled' || event.status.relayClosed) && event.status.online) sleep('status');
        });
      }),
      reconcile: fromPromise(async ({ input }) => reconcile(input.phase, input.context)),
      ensureAsleep: fromPromise<{ problem: ConnectorProblem | null; vehiclePlugged: boolean }, { connectorId: number }>(async () => {
        await charger.sleep();
        const status = await charger.status();
        if (status.mode === 'enabled') throw new Error('the charger did not go to sleep');
        return { problem: status.fault ? { kind: 'fault' as const, detail: status.fault } : null, vehiclePlugged: status.vehicleConnected };
      }),
      authorize: fromPromise<AuthorizeOutput, { connectorId: number; session: ActiveSession }>(async ({ input, signal }) => {
        const { session } = input;
        const key = authorizeKey(session);
        const payment = store.beginPayment({ key, sessionId: session.id, operation: 'authorize', amountMinor: session.holdMinor, currency: session.currency }, now());
        if (payment.status !== 'pending') log.info({ key }, 'authorisation was answered before the restart; asking the terminal for its answer again');
        // The actor is stopped both when the driver's flow moves on (cancel the request)
        // and when the kiosk shuts down (leave it to the terminal; the restart picks it up by key).
        const cancel = new AbortController();
        signal.addEventListener('abort', () => deps.shuttingDown() || cancel.abort(), { once: true });
        const result = await terminal.authorize({ key, amountMinor: session.holdMinor, currency: session.currency }, cancel.signal);
        if (deps.shuttingDown()) throw new Error('the kiosk is shutting down');
        if (cancel.signal.aborted) {
          // The flow moved on (cancel, timeout): an approval that arrives now is reversed at once.
          if (result.outcome === 'approved') {
            await terminal.release(result.hold.holdId);
            log.warn({ key, holdId: result.hold.holdId }, 'late approval of an abandoned request released');
          }
          store.completePayment(key, 'failed', { outcome: 'abandoned', late: result.outcome }, now(), result.outcome === 'approved' ? result.hold.holdId : null);
          return { outcome: 'declined', reason: 'cancelled', at: now() };
        }
        if (result.outcome === 'approved') {
          store.completePayment(key, 'done', { outcome: 'approved', maskedPan: result.hold.maskedPan, amountMinor: result.hold.amountMinor }, now(), result.hold.holdId);
          store.openSession({ id: session.id, connectorId, method: session.method, createdAt: session.createdAt });
          return { outcome: 'approved', hold: result.hold, at: now() };
        }
        store.completePayment(key, 'failed', { outcome: 'declined', reason: result.reason }, now());
        return { outcome: 'declined', reason: result.reason, at: now() };
      }),
      startCharging: fromPromise<{ meterWh: number; at: number }, { connectorId: number; session: ActiveSession }>(async ({ input }) => {
        const { session } = input;
        await charger.setCurrentLimit(deps.currentLimitA);
        const status = await charger.status();
        await charger.enable();
        // Best effort: where the firmware can hold a session limit itself, it stops at the
        // hold even if the kiosk cannot. The kiosk's own hold check stays the primary one.
        if (charger.setSessionLimits && session.hold) {
          const deliveredWh = session.meterStartWh == null ? 0 : Math.max(0, (session.meterWh ?? status.meterWh) - session.meterStartWh);
          const energyWh = Math.max(0, energyCoveredWh(session.tariff, session.hold.amountMinor) - deliveredWh);
          const held = await charger.setSessionLimits({ energyWh }).catch(() => false);
          log.info({ sessionId: session.id, energyWh, held }, held ? 'controller holds an energy limit as a backstop' : 'controller cannot hold a session limit');
        }
        return { meterWh: status.meterWh, at: now() };
      }),
      stopCharging: fromPromise(async () => {
        await charger.sleep();
        return { at: now() };
      }),
      settle: fromPromise(async ({ input }) => finish(input.session)),
      cancelSession: fromPromise(async ({ input }) => cancel(input.session)),
    },
  });
}
