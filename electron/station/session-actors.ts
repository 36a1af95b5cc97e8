// The device and payment work of a connector's session machine: implementations
// of its invoked actors, closing over the ports, the payments, the store and the
// clock. Payment requests go through `Payments`, which journals each before it is
// sent, so a restart can always tell what a device was asked. No request starts
// before the machine state that asked for it is durable (`durable`).
import { fromCallback, fromPromise } from 'xstate';
import type { Logger } from 'pino';
import { delay, type Clock } from '../../devices/clock.js';
import type { ChargerController, ChargerEvent } from '../../devices/charger/charger-port.js';
import type { SessionSummary } from '../contract/snapshot.js';
import type { KioskStore } from '../store/kiosk-store.js';
import { energyCoveredWh, sessionCost, settle as settleAmounts } from '../billing/tariff.js';
import { startUsage } from '../billing/tariff-engine.js';
import { accountView, maskedPanOf } from '../payments/authorization.js';
import { authorizeKey, type Payments } from '../payments/payments.js';
import { newReceiptToken, receiptContent, type ReceiptPlace } from '../receipts/receipt-record.js';
import {
  CHARGER_WILL_NOT_STOP,
  chargerAwake,
  sessionMachine,
  withReading,
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
  payments: Payments;
  store: KioskStore;
  clock: Clock;
  log: Logger;
  currentLimitA: number;
  /** The least a prepaid balance must hold for a session to start (`payment.minBalanceMinor`). */
  minBalanceMinor: number;
  /** Time the controller takes to open its relay after being told to stop, ms. */
  stopDelayMs: number;
  /** True while the kiosk shuts down: requests in flight are left to finish on the device, not cancelled. */
  shuttingDown: () => boolean;
  /**
   * True while a technician's relay test holds the idle charger enabled (at most 5 s, no
   * vehicle connected, no session): an awake charger is then not put back to sleep at once.
   */
  relayTest?: () => boolean;
  /**
   * Resolves once the machine state that asked for the work is durable, rejects when it
   * could not be saved. Every device or payment request waits for it (save before act).
   */
  durable: () => Promise<void>;
  /**
   * What this connector's receipts name: the station id, the connector's label and EVSE
   * id (Station passes them from the configuration). Absent: receipts are still numbered,
   * their content names no station, connector or EVSE.
   */
  receiptPlace?: ReceiptPlace;
  /** Named delays of the machine, ms. */
  delays: Record<'inactivityWarn' | 'inactivityReturn' | 'plugIn' | 'presentCard' | 'stopCode' | 'summaryWarn' | 'retry' | 'attentionRetry', number>;
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

/** The longest a retry of a settlement waits, however often it failed. */
const MAX_RETRY_MS = 5 * 60_000;

export function provideSessionActors(deps: SessionDeps) {
  const { charger, payments, store, clock, log, connectorId } = deps;
  const now = () => clock.now();

  /** Whether the charger has stopped delivering: asleep or disabled, and its relay open. */
  async function stopped(): Promise<boolean> {
    const status = await charger.status();
    return status.mode !== 'enabled' && !status.relayClosed;
  }

  /** Waits up to the controller's stop delay (and a margin) for the relay to open. */
  async function confirmStopped(): Promise<boolean> {
    const deadline = now() + deps.stopDelayMs + 2000;
    for (;;) {
      if (await stopped()) return true;
      if (now() >= deadline) return false;
      await delay(clock, 250);
    }
  }

  /** Stops the charger by the strongest means the port has: sleep, and if that does not hold, disable. */
  async function stopCharger(): Promise<void> {
    await charger.sleep();
    if (await confirmStopped()) return;
    log.error({ connectorId }, 'the charger did not stop when put to sleep; disabling it');
    await charger.disable();
    if (await confirmStopped()) return;
    throw Object.assign(new Error('the charger did not stop, even disabled'), { name: CHARGER_WILL_NOT_STOP });
  }

  /** Takes the session's cost (capped at its authorisation) once, and writes its one record. */
  async function finish(session: ActiveSession): Promise<SessionSummary> {
    const authorization = session.authorization;
    if (!authorization) throw new Error(`session ${session.id} has no authorisation to settle`);
    // Rule 1: no energy once the authorisation is being settled (the car may still be
    // plugged in); stopped first, so the final reading is the last energy delivered.
    await charger.sleep().catch((error) => log.error({ err: error }, 'could not put the charger to sleep before settling'));
    let meterWh = session.meterWh;
    try {
      meterWh = Math.max(meterWh ?? 0, (await charger.status()).meterWh);
    } catch (error) {
      log.warn({ err: error, sessionId: session.id }, 'final meter reading failed; settling on the last sample');
    }
    const endedAt = session.endedAt ?? now();
    // The last reading closes the usage: the energy it adds, at the session's end.
    const usage = withReading({ ...session, endedAt }, endedAt, meterWh ?? 0, session.powerW) ?? startUsage(endedAt);
    const cost = sessionCost(session.tariff, usage);
    const due = settleAmounts(cost.priced.totalMinor, authorization.limitMinor);
    // Nothing delivered, nothing charged: amount 0 releases the authorisation in full.
    const { capturedMinor, balanceMinor } = await payments.settle({ sessionId: session.id, connectorId, authorization, amountMinor: due.capturedMinor });
    const writtenOffMinor = Math.max(0, cost.priced.totalMinor - capturedMinor);
    const chargingStartedAt = session.chargingStartedAt ?? endedAt;
    const place = deps.receiptPlace ?? null;
    const token = newReceiptToken();
    const summary: SessionSummary = {
      sessionId: session.id,
      method: session.method,
      maskedPan: maskedPanOf(authorization),
      startedAt: session.chargingStartedAt ?? session.createdAt,
      endedAt,
      energyWh: Math.round(usage.energyMwh / 1000),
      durationS: Math.max(0, Math.round((endedAt - chargingStartedAt) / 1000)),
      chargingS: Math.round(usage.chargingMs / 1000),
      currency: session.currency,
      costMinor: cost.priced.totalMinor,
      netMinor: cost.priced.netMinor,
      vatMinor: cost.priced.vatMinor,
      vatRates: cost.priced.vatRates,
      capturedMinor,
      account: accountView(authorization, balanceMinor),
      writtenOffMinor,
      noCharge: cost.noCharge,
      parkingCapped: cost.parkingCapped,
      lines: cost.priced.lines,
      stopReason: session.stopReason,
      receipt: 'pending',
      receiptQr: null,
      receiptNumber: null, // assigned by the store as it closes the record
      receiptToken: token,
      meterStartWh: session.meterStartWh,
      meterStopWh: meterWh,
      // Plugged in from the start of charging to the end, less the time it drew power.
      parkingS: Math.max(0, Math.round((endedAt - chargingStartedAt - usage.chargingMs) / 1000)),
      authCode: authorization.receipt?.authCode ?? null,
      terminalReceipt: authorization.receipt?.lines ?? [],
      evseId: place?.evseId ?? null,
    };
    if (writtenOffMinor > 0) log.warn({ sessionId: session.id, costMinor: cost.priced.totalMinor, capturedMinor, writtenOffMinor }, 'cost above the authorisation written off');
    // The record was written with the approval (KioskStore.completePayment); its receipt
    // number is assigned in the transaction that closes it.
    let issued = summary;
    const closed = store.closeSession(
      {
        id: session.id,
        status: 'finished',
        endedAt,
        energyWh: summary.energyWh,
        costMinor: cost.priced.totalMinor,
        capturedMinor,
        writtenOffMinor,
        maskedPan: summary.maskedPan,
        stopReason: session.stopReason,
        summary,
      },
      {
        token,
        issue: (receiptNumber) => {
          issued = { ...summary, receiptNumber };
          return { summary: issued, content: receiptContent(issued, place) };
        },
      },
    );
    // Settled again after a restart that lost the machine state: the record was closed then, with its receipt.
    const earlier = closed ? null : store.receiptOf(session.id);
    return earlier ? { ...summary, receiptNumber: earlier.number, receiptToken: earlier.token } : issued;
  }

  /**
   * Releases the authorisation of a session that never charged, once, and closes its
   * record: also one without an authorisation now whose earlier approval was released
   * (it reached a payment, so it has a record).
   */
  async function cancel(session: ActiveSession): Promise<void> {
    if (session.authorization) await payments.release({ sessionId: session.id, connectorId, authorization: session.authorization });
    if (store.getSession(session.id)?.status === 'active') {
      store.closeSession({
        id: session.id,
        status: 'cancelled',
        endedAt: now(),
        energyWh: 0,
        costMinor: 0,
        capturedMinor: 0,
        writtenOffMinor: 0,
        maskedPan: session.authorization ? maskedPanOf(session.authorization) : null,
        stopReason: null,
        summary: null,
      });
    }
    await charger.sleep().catch((error) => log.error({ err: error }, 'could not put the charger to sleep'));
  }

  /** Decides where a restored connector picks up, from its persisted phase, the payments journal and what the devices say now. */
  async function reconcile(phase: string | null, context: SessionContext): Promise<ReconcileOutput> {
    const status = await charger.status().catch(() => null);
    const vehiclePlugged = status?.vehicleConnected ?? context.vehiclePlugged;
    const problem = context.problem?.kind === 'attention' ? context.problem : null;
    const base: SessionContext = { ...context, vehiclePlugged, problem, resumeFrom: null };
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
      case 'authorizing':
        // The journal says whether the request went out. If it did, the authorize step
        // reads its outcome or asks the device for it: it is never sent again. If it did
        // not, nothing was placed and the driver may try again.
        return payments.intent(authorizeKey(session.id, session.attempt)) ? resume('authorizing') : resume('declined', { declineReason: 'unavailable' });
      case 'awaitingVehicle': {
        // The driver paid and has not plugged in yet: go on waiting while the authorisation is open.
        const open = session.authorization ? await payments.isOpen(session.authorization) : false;
        return resume(open === false ? 'cancelling' : 'awaitingVehicle');
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
      case 'attention':
        // A settlement that kept failing is tried again at start-up.
        return resume(session.chargingStartedAt != null ? 'settling' : 'cancelling', { meterWh });
      case 'summary':
        return resume('summary');
      default:
        return idle();
    }
  }

  return sessionMachine.provide({
    guards: {
      // A relay test enables an idle charger on purpose; no vehicle can draw while none is connected.
      chargerAwakeWithoutSession: ({ context, event }) =>
        event.type === 'CHARGER_STATUS' &&
        chargerAwake(event.status) &&
        !(context.session === null && deps.relayTest?.() === true && !event.status.vehicleConnected && !event.status.relayClosed),
    },
    delays: {
      ...deps.delays,
      // Backs off with each failure.
      retry: ({ context }) => Math.min(deps.delays.retry * 2 ** Math.max(0, (context.session?.settleFailures ?? 1) - 1), MAX_RETRY_MS),
      sessionExpiry: ({ context }) => Math.max(0, (context.session?.expiresAt ?? now()) - now()),
    },
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
        await stopCharger();
        const status = await charger.status();
        return { problem: status.fault ? { kind: 'fault' as const, detail: status.fault } : null, vehiclePlugged: status.vehicleConnected };
      }),
      authorize: fromPromise<AuthorizeOutput, { connectorId: number; session: ActiveSession }>(async ({ input, signal }) => {
        const { session } = input;
        // The actor is stopped both when the driver's flow moves on (cancel the request)
        // and when the kiosk shuts down (leave it to the terminal; the restart resolves it from the journal).
        const cancel = new AbortController();
        signal.addEventListener('abort', () => deps.shuttingDown() || cancel.abort(), { once: true });
        const outcome = await payments.authorize(
          {
            sessionId: session.id,
            connectorId,
            method: session.method,
            attempt: session.attempt,
            limitMinor: session.limitMinor,
            currency: session.currency,
            credential: session.credential ?? null,
            minimumMinor: deps.minBalanceMinor,
          },
          cancel.signal,
          deps.durable,
        );
        if (deps.shuttingDown()) throw new Error('the kiosk is shutting down');
        if (outcome.outcome === 'approved') return { outcome: 'approved', authorization: outcome.authorization, at: now() };
        return { outcome: 'declined', reason: outcome.reason, at: now() };
      }),
      startCharging: fromPromise<{ meterWh: number; at: number }, { connectorId: number; session: ActiveSession }>(async ({ input }) => {
        const { session } = input;
        await deps.durable();
        await charger.setCurrentLimit(deps.currentLimitA);
        const status = await charger.status();
        await charger.enable();
        // Best effort: where the firmware can hold a session limit itself, it stops at the
        // limit even if the kiosk cannot. The kiosk's own hold check stays the primary one.
        if (charger.setSessionLimits && session.authorization) {
          const deliveredWh = session.meterStartWh == null ? 0 : Math.max(0, (session.meterWh ?? status.meterWh) - session.meterStartWh);
          const energyWh = Math.max(0, energyCoveredWh(session.tariff, session.authorization.limitMinor) - deliveredWh);
          const held = await charger.setSessionLimits({ energyWh }).catch(() => false);
          log.info({ sessionId: session.id, energyWh, held }, held ? 'controller holds an energy limit as a backstop' : 'controller cannot hold a session limit');
        }
        return { meterWh: status.meterWh, at: now() };
      }),
      stopCharging: fromPromise(async () => {
        await stopCharger();
        return { at: now() };
      }),
      settle: fromPromise(async ({ input }) => {
        await deps.durable();
        return finish(input.session);
      }),
      cancelSession: fromPromise(async ({ input }) => {
        await deps.durable();
        return cancel(input.session);
      }),
    },
  });
}
