// The session of one connector, as a statechart. This file holds only states,
// events and rules; device and payment work happens in invoked actors whose
// implementations are supplied with `machine.provide({ actors })` by
// `session-actors.ts` (they close over the ports, so the context stays plain,
// serialisable data). Every event carries `at`, the brain clock's time, so the
// rules here stay pure.
import { assign, fromCallback, fromPromise, setup } from 'xstate';
import type { Authorization, Credential, PaymentMethod } from '../payments/authorization.js';
import { errorMessage } from '../error-message.js';
import type { ChargerStatus } from '../../devices/charger/charger-port.js';
import type { TariffConfig } from '../config/config-schema.js';
import type { DeclineReason, SessionSummary, StopReason } from '../contract/snapshot.js';
import { projectedCostExceedsHold } from '../billing/tariff.js';
import { PARKING_BELOW_W, accumulate, accumulateWithin, startUsage, type TariffUsage, type UsageInterval } from '../billing/tariff-engine.js';
import { zoneOf } from '../billing/local-time.js';

/** Bumped whenever the persisted context changes shape. */
export const SESSION_SCHEMA_VERSION = 3;

/** The name of the error an actor throws when the charger will not stop, even disabled. */
export const CHARGER_WILL_NOT_STOP = 'ChargerWillNotStop';

/** Failed settlements (or cancellations) in a row before the connector goes out of service with an alarm. */
export const MAX_SETTLE_FAILURES = 5;

export interface ActiveSession {
  id: string;
  method: PaymentMethod;
  createdAt: number;
  stopCode: string;
  /** Tariff in force when the driver committed; later tariff changes do not touch this session. */
  tariff: TariffConfig;
  /** The station's time zone, for the tariff's times of day. */
  timeZone: string;
  /** Phase voltage of the connector: current summed over the phases is power / voltage. */
  voltageV: number;
  currency: string;
  /** The most the session may cost, as asked of the payment backend. */
  limitMinor: number;
  /** When the session is settled even if the car is still plugged in, before the authorisation can expire. */
  expiresAt: number;
  /** Sample interval plus the controller's stop delay: how far ahead the hold check looks. */
  lookaheadS: number;
  /** Who pays, where the backend is told (the RFID card held to the reader); absent for a bank card and in sessions saved before. */
  credential?: Credential | null;
  /** Authorisation attempts so far; the idempotency key of an attempt is derived from it. */
  attempt: number;
  /** What covers the session once approved: the one authorisation the hold check and settlement use. */
  authorization: Authorization | null;
  /** Settlement or cancellation attempts that failed in a row. */
  settleFailures: number;
  declineReason: DeclineReason | null;
  meterStartWh: number | null;
  meterWh: number | null;
  powerW: number;
  chargingStartedAt: number | null;
  chargingStoppedAt: number | null;
  endedAt: number | null;
  /** What the tariff prices, metered reading by reading since charging started (null before). */
  usage: TariffUsage | null;
  stopReason: StopReason | null;
  showStopCode: boolean;
}

export interface SessionContext {
  connectorId: number;
  vehiclePlugged: boolean;
  /**
   * The charger was found asleep on entering idle (idle.securing) and has shown no sign of
   * waking since (a status awake, a boot): a driver who leaves the payment choice then
   * gives back an available connector at once, without checking it again.
   */
  asleepKnown: boolean;
  /** What keeps the connector from being used: a fault the charger reports, or a charger that cannot be reached. */
  problem: ConnectorProblem | null;
  session: ActiveSession | null;
  lastSummary: SessionSummary | null;
  /**
   * What proves the last session's summary is a driver's own, to show it again (never on
   * the screen): its stop code, and the card that paid (a bank card's token, a station card's UID).
   * Absent in states saved before it existed: the summary is then not shown again.
   */
  lastProof?: SessionProof | null;
  /** The phase a restored connector was in when the kiosk stopped, until it is reconciled. */
  resumeFrom: string | null;
  /** The last error of a payment step that is being retried, for the alarm. */
  lastError: string | null;
}

export interface SessionProof {
  stopCode: string;
  cardToken: string | null;
  rfidUid: string | null;
}

export interface ConnectorProblem {
  /** fault: the charger reports one; offline: it cannot be reached; payment: a settlement keeps failing;
   *  attention: the saved state could not be read, a technician should look. */
  kind: 'fault' | 'offline' | 'payment' | 'attention';
  detail: string;
  /** Set when the charger delivers although told to stop: a technician must see it. */
  chargerWillNotStop?: true;
}

/** Where a restored connector picks up after the reconcile step. */
export type ResumePhase =
  | 'idle'
  | 'authorizing'
  | 'declined'
  | 'awaitingVehicle'
  | 'charging'
  | 'stopping'
  | 'parked'
  | 'settling'
  | 'cancelling'
  | 'attention'
  | 'summary';

export interface PersistedSession {
  phase: string;
  context: SessionContext;
}

export interface ReconcileOutput {
  resume: ResumePhase;
  context: SessionContext;
}

export type AuthorizeOutput = { outcome: 'approved'; authorization: Authorization; at: number } | { outcome: 'declined'; reason: DeclineReason; at: number };

export interface SessionInput {
  connectorId: number;
  restored: PersistedSession | null;
}

export interface NewSession {
  sessionId: string;
  stopCode: string;
  tariff: TariffConfig;
  timeZone: string;
  voltageV: number;
  currency: string;
  limitMinor: number;
  lookaheadS: number;
  /** `payment.maxSessionHours`, ms. */
  maxSessionMs: number;
  /** The RFID card that pays; null for a bank card (the terminal reads it). */
  credential: Credential | null;
}

export type SessionEvent =
  // from the screen, stamped and checked by the station
  | { type: 'SELECT'; at: number }
  | ({ type: 'CHOOSE_PAYMENT'; at: number; method: PaymentMethod } & NewSession)
  | { type: 'CANCEL'; at: number }
  | { type: 'MORE_TIME'; at: number }
  | { type: 'RETRY'; at: number }
  | { type: 'OTHER_PAYMENT'; at: number }
  | { type: 'ACK_STOP_CODE'; at: number }
  | { type: 'STOP'; at: number; code: string }
  /** The card that paid was tapped again (its token matched): stop, or give up before charging. */
  | { type: 'STOP_BY_CARD'; at: number }
  | { type: 'CLOSE_SUMMARY'; at: number }
  | { type: 'RECEIPT'; at: number; receipt: SessionSummary['receipt']; qr: string | null }
  // from the charger
  | { type: 'CHARGER_STATUS'; at: number; status: ChargerStatus }
  | { type: 'METER'; at: number; meterWh: number; powerW: number }
  | { type: 'VEHICLE_PLUGGED'; at: number }
  | { type: 'VEHICLE_UNPLUGGED'; at: number }
  | { type: 'CHARGING_STARTED'; at: number }
  | { type: 'CHARGING_STOPPED'; at: number; vehicleConnected: boolean }
  | { type: 'FAULT'; at: number; fault: string }
  | { type: 'FAULT_CLEARED'; at: number }
  | { type: 'CHARGER_BOOT'; at: number }
  | { type: 'CHARGER_OFFLINE'; at: number; reason: string }
  | { type: 'CHARGER_ONLINE'; at: number };

/**
 * The session's usage with one more meter reading: the interval since the last one,
 * carrying the energy the meter moved on (never less than nothing). The time counts
 * as charging while the car draws power (at either reading; before its first energy
 * the car is ramping up), as parking once it does not or charging has stopped, and
 * not at all after the session ended. Parking stops accruing at the limit.
 */
export function withReading(session: ActiveSession, at: number, meterWh: number, powerW: number): TariffUsage | null {
  let usage = session.usage;
  if (!usage) return null;
  const to = Math.max(usage.at, Math.min(at, session.endedAt ?? at));
  const zone = zoneOf(session.timeZone);
  const add = (interval: UsageInterval) =>
    session.authorization ? accumulateWithin(session.tariff, usage!, interval, zone, session.authorization.limitMinor) : accumulate(session.tariff, usage!, interval, zone);
  const energyWh = Math.max(0, meterWh - (session.meterWh ?? meterWh));
  const drawing = usage.energyMwh === 0 || powerW >= PARKING_BELOW_W || session.powerW >= PARKING_BELOW_W;
  const stoppedAt = session.chargingStoppedAt;
  // Up to the moment charging stopped, the car was charging: the energy is all there.
  if (stoppedAt != null && stoppedAt > usage.at) {
    usage = add({ to: Math.min(stoppedAt, to), energyWh, charging: drawing, powerW, currentA: powerW / session.voltageV });
    return usage.at < to ? add({ to, energyWh: 0, charging: false }) : usage;
  }
  return add({ to, energyWh, charging: stoppedAt == null && drawing, powerW, currentA: powerW / session.voltageV });
}

/** What the session has used by `at` (its end, once it ended): the readings so far and the time since the last. */
export function usageAt(session: ActiveSession, at: number): TariffUsage {
  return withReading(session, at, session.meterWh ?? 0, session.powerW) ?? startUsage(at);
}

function withSession(context: SessionContext, patch: Partial<ActiveSession>): Partial<SessionContext> {
  return context.session ? { session: { ...context.session, ...patch } } : {};
}

export const chargerAwake = (status: ChargerStatus) => status.mode === 'enabled' || status.relayClosed;

/**
 * Rule 5 outside the idle state: in every state where the charger must not deliver
 * (no paid session, or not yet or no longer charging), a controller that wakes up
 * (a reboot: controllers boot enabled) is put back to sleep at once.
 */
const keepAsleep = { id: 'keepAsleep', src: 'keepAsleep' } as const;

/** Back from the payment choice: straight to an available connector while the charger is known asleep, else checked again. */
const LEAVE_PAYMENT_CHOICE = [{ guard: 'asleepKnown', target: '#session.idle.ready' }, { target: '#session.idle' }] as const;

/**
 * The wait before a failed payment step is tried again: the delay grows with the
 * failures, and after MAX_SETTLE_FAILURES the connector goes out of service instead.
 */
const retryOf = (step: 'settling' | 'cancelling') =>
  ({
    invoke: keepAsleep,
    always: { guard: 'tooManyFailures', target: 'attention', actions: 'paymentProblem' },
    after: { retry: step },
  }) as const;

export const sessionMachine = setup({
  types: {
    context: {} as SessionContext,
    events: {} as SessionEvent,
    input: {} as SessionInput,
  },
  actors: {
    // Implementations come from session-actors.ts through provide(); these
    // placeholders only fix the types and fail loudly if left unprovided.
    chargerEvents: unprovided<void, SessionEvent>('chargerEvents'),
    keepAsleep: unprovided<void, SessionEvent>('keepAsleep'),
    reconcile: unprovidedPromise<ReconcileOutput, { connectorId: number; phase: string | null; context: SessionContext }>('reconcile'),
    // ensureAsleep and stopCharging reject with CHARGER_WILL_NOT_STOP when the charger still delivers, even disabled.
    ensureAsleep: unprovidedPromise<{ problem: ConnectorProblem | null; vehiclePlugged: boolean }, { connectorId: number }>('ensureAsleep'),
    authorize: unprovidedPromise<AuthorizeOutput, { connectorId: number; session: ActiveSession }>('authorize'),
    startCharging: unprovidedPromise<{ meterWh: number; at: number }, { connectorId: number; session: ActiveSession }>('startCharging'),
    stopCharging: unprovidedPromise<{ at: number }, { connectorId: number }>('stopCharging'),
    settle: unprovidedPromise<SessionSummary, { connectorId: number; session: ActiveSession }>('settle'),
    cancelSession: unprovidedPromise<void, { connectorId: number; session: ActiveSession }>('cancelSession'),
  },
  delays: {
    inactivityWarn: 45_000,
    inactivityReturn: 20_000,
    plugIn: 120_000,
    presentCard: 70_000,
    stopCode: 30_000,
    /** The summary's wait before its warning: the summary's time less the warning's. */
    summaryWarn: 40_000,
    retry: 5_000,
    attentionRetry: 60_000,
    sessionExpiry: 48 * 3_600_000,
  },
  guards: {
    stopCodeMatches: ({ context, event }) => event.type === 'STOP' && context.session?.stopCode === event.code,
    approved: ({ event }) => (event as unknown as { output: AuthorizeOutput }).output.outcome === 'approved',
    vehiclePlugged: ({ context }) => context.vehiclePlugged,
    asleepKnown: ({ context }) => context.asleepKnown,
    stillConnected: ({ event }) => event.type === 'CHARGING_STOPPED' && event.vehicleConnected,
    hasProblem: ({ event }) => (event as unknown as { output: { problem: ConnectorProblem | null } }).output.problem !== null,
    offline: ({ context }) => context.problem?.kind === 'offline',
    chargerAwakeWithoutSession: ({ event }) => event.type === 'CHARGER_STATUS' && chargerAwake(event.status),
    resumeIs: ({ event }, params: { phase: ResumePhase }) =>
      (event as unknown as { output: ReconcileOutput }).output.resume === params.phase,
    hasSession: ({ context }) => context.session !== null,
    charged: ({ context }) => context.session?.chargingStartedAt != null,
    tooManyFailures: ({ context }) => (context.session?.settleFailures ?? 0) >= MAX_SETTLE_FAILURES,
    needsAttention: ({ context }) => context.problem?.kind === 'attention',
    holdWouldBeExceeded: ({ context, event }) => {
      const session = context.session;
      if (event.type !== 'METER' || !session?.authorization) return false;
      const usage = withReading(session, event.at, Math.max(event.meterWh, session.meterWh ?? event.meterWh), event.powerW);
      if (!usage) return false;
      return projectedCostExceedsHold({
        tariff: session.tariff,
        usage,
        powerW: event.powerW,
        currentA: event.powerW / session.voltageV,
        lookaheadS: session.lookaheadS,
        limitMinor: session.authorization.limitMinor,
        zone: zoneOf(session.timeZone),
      });
    },
  },
  actions: {
    applyReconcile: assign(({ event }) => ({ ...(event as unknown as { output: ReconcileOutput }).output.context, resumeFrom: null })),
    notePlugged: assign({ vehiclePlugged: true }),
    doubtAsleep: assign({ asleepKnown: false }),
    noteUnplugged: assign({ vehiclePlugged: false }),
    recordMeter: assign(({ context, event }) => {
      if (event.type !== 'METER' || !context.session || context.session.meterStartWh == null) return {};
      // A reading lower than the last one (a controller counter reset) never reduces the bill.
      const meterWh = Math.max(event.meterWh, context.session.meterWh ?? event.meterWh);
      return withSession(context, { meterWh, powerW: event.powerW, usage: withReading(context.session, event.at, meterWh, event.powerW) });
    }),
    newSession: assign(({ event }) => {
      if (event.type !== 'CHOOSE_PAYMENT') return {};
      const session: ActiveSession = {
        id: event.sessionId,
        method: event.method,
        createdAt: event.at,
        stopCode: event.stopCode,
        tariff: event.tariff,
        timeZone: event.timeZone,
        voltageV: event.voltageV,
        currency: event.currency,
        limitMinor: event.limitMinor,
        expiresAt: event.at + event.maxSessionMs,
        lookaheadS: event.lookaheadS,
        credential: event.credential,
        attempt: 1,
        authorization: null,
        settleFailures: 0,
        declineReason: null,
        meterStartWh: null,
        meterWh: null,
        powerW: 0,
        chargingStartedAt: null,
        chargingStoppedAt: null,
        endedAt: null,
        usage: null,
        stopReason: null,
        showStopCode: false,
      };
      return { session };
    }),
    nextAttempt: assign(({ context }) => withSession(context, { attempt: (context.session?.attempt ?? 0) + 1, declineReason: null })),
    dropSession: assign({ session: null }),
    noteSettleFailure: assign(({ context, event }) => ({
      ...withSession(context, { settleFailures: (context.session?.settleFailures ?? 0) + 1 }),
      lastError: errorMessage((event as { error?: unknown }).error),
    })),
    paymentProblem: assign(({ context }) => ({
      problem: { kind: 'payment' as const, detail: `the payment could not be settled after ${context.session?.settleFailures ?? 0} tries: ${context.lastError ?? 'unknown error'}` },
    })),
    clearPaymentProblem: assign(({ context }) => (context.problem?.kind === 'payment' ? { problem: null } : {})),
    noteSettled: assign(({ context, event }) => ({
      lastSummary: (event as unknown as { output: SessionSummary }).output,
      lastProof: context.session
        ? { stopCode: context.session.stopCode, cardToken: context.session.authorization?.cardToken ?? null, rfidUid: context.session.credential?.uid ?? null }
        : null,
      session: null,
      lastError: null,
    })),
    hideStopCode: assign(({ context }) => withSession(context, { showStopCode: false })),
    stoppedBy: assign(({ context, event }, params: { reason: StopReason }) =>
      withSession(context, { stopReason: context.session?.stopReason ?? params.reason, chargingStoppedAt: context.session?.chargingStoppedAt ?? event.at }),
    ),
    endedBy: assign(({ context, event }, params: { reason: StopReason }) =>
      withSession(context, {
        stopReason: context.session?.stopReason ?? params.reason,
        chargingStoppedAt: context.session?.chargingStoppedAt ?? (context.session?.chargingStartedAt != null ? event.at : null),
        endedAt: context.session?.endedAt ?? event.at,
      }),
    ),
    noteProblem: assign(({ event }) => {
      if (event.type === 'FAULT') return { problem: { kind: 'fault' as const, detail: event.fault } };
      if (event.type === 'CHARGER_OFFLINE') return { problem: { kind: 'offline' as const, detail: event.reason } };
      // the charger could not be reached (an invoked actor's error event)
      const error = (event as { error?: unknown }).error;
      if (error !== undefined) {
        // A charger that answers but will not stop is a fault, not a connection problem.
        if (error instanceof Error && error.name === CHARGER_WILL_NOT_STOP) return { problem: { kind: 'fault' as const, detail: error.message, chargerWillNotStop: true as const } };
        return { problem: { kind: 'offline' as const, detail: errorMessage(error) } };
      }
      return {};
    }),
    clearProblem: assign({ problem: null }),
    noteReceipt: assign(({ context, event }) =>
      event.type === 'RECEIPT' && context.lastSummary ? { lastSummary: { ...context.lastSummary, receipt: event.receipt, receiptQr: event.qr ?? context.lastSummary.receiptQr } } : {},
    ),
  },
}).createMachine({
  id: 'session',
  context: ({ input }) => ({
    connectorId: input.connectorId,
    vehiclePlugged: input.restored?.context.vehiclePlugged ?? false,
    asleepKnown: false,
    // A connector whose saved state could not be read comes up with the problem already noted.
    problem: input.restored?.context.problem?.kind === 'attention' ? input.restored.context.problem : null,
    session: input.restored?.context.session ?? null,
    // A print the kiosk did not see end (it stopped meanwhile) is offered again, not shown as still printing.
    lastSummary: restoredSummary(input.restored?.context.lastSummary ?? null),
    lastProof: input.restored?.context.lastProof ?? null,
    resumeFrom: input.restored?.phase ?? null,
    lastError: null,
  }),
  // The charger's events reach every state through this one long-lived actor.
  invoke: { id: 'chargerEvents', src: 'chargerEvents', input: () => undefined },
  on: {
    VEHICLE_PLUGGED: { actions: 'notePlugged' },
    VEHICLE_UNPLUGGED: { actions: 'noteUnplugged' },
    METER: { actions: 'recordMeter' },
    RECEIPT: { actions: 'noteReceipt' },
  },
  initial: 'starting',
  states: {
    // After start-up, nothing is re-invoked before the connector is reconciled
    // with the devices: energy delivered meanwhile, holds open on the terminal.
    starting: {
      invoke: {
        id: 'reconcile', src: 'reconcile',
        input: ({ context }) => ({ connectorId: context.connectorId, phase: context.resumeFrom, context }),
        onDone: [
          ...(
            ['authorizing', 'declined', 'awaitingVehicle', 'charging', 'stopping', 'parked', 'settling', 'cancelling', 'attention', 'summary'] as const
          ).map((phase) => ({
            guard: { type: 'resumeIs' as const, params: { phase } },
            target: phase,
            actions: 'applyReconcile' as const,
          })),
          { target: 'idle', actions: 'applyReconcile' },
        ],
        onError: { target: 'idle', actions: assign({ resumeFrom: null }) },
      },
    },

    idle: {
      entry: 'dropSession',
      // No paid session: the charger must be asleep (controllers boot enabled and
      // re-enable themselves), checked on entry and on every sign that it woke.
      initial: 'securing',
      states: {
        securing: {
          invoke: {
            id: 'ensureAsleep', src: 'ensureAsleep',
            input: ({ context }) => ({ connectorId: context.connectorId }),
            onDone: [
              { guard: 'hasProblem', target: '#session.fault', actions: assign(({ event }) => ({ problem: event.output.problem, vehiclePlugged: event.output.vehiclePlugged })) },
              { target: 'ready', actions: assign(({ event }) => ({ problem: null, vehiclePlugged: event.output.vehiclePlugged, asleepKnown: true })) },
            ],
            // The charger cannot be reached (missing at start-up, gone): out of service until it answers.
            onError: { target: '#session.fault', actions: 'noteProblem' },
          },
        },
        ready: {
          on: {
            SELECT: '#session.choosingPayment',
            CHARGER_STATUS: { guard: 'chargerAwakeWithoutSession', target: 'securing', actions: 'doubtAsleep' },
          },
        },
      },
      on: {
        CHARGER_BOOT: { target: '.securing', actions: 'doubtAsleep' },
        FAULT: { target: 'fault', actions: 'noteProblem' },
        CHARGER_OFFLINE: { target: 'fault', actions: 'noteProblem' },
      },
    },

    // Nothing here wakes the charger (keepAsleep puts a woken one back to sleep): a driver
    // who leaves gives back the connector as idle found it, unless it showed a sign of waking.
    choosingPayment: {
      invoke: keepAsleep,
      initial: 'active',
      states: {
        active: { after: { inactivityWarn: 'warning' } },
        warning: { after: { inactivityReturn: LEAVE_PAYMENT_CHOICE } },
      },
      on: {
        CHOOSE_PAYMENT: { target: 'authorizing', actions: ['doubtAsleep', 'newSession'] },
        MORE_TIME: '.active',
        SELECT: '.active',
        CANCEL: LEAVE_PAYMENT_CHOICE,
        CHARGER_STATUS: { guard: 'chargerAwakeWithoutSession', actions: 'doubtAsleep' },
        CHARGER_BOOT: { actions: 'doubtAsleep' },
        FAULT: { target: 'fault', actions: 'noteProblem' },
        CHARGER_OFFLINE: { target: 'fault', actions: 'noteProblem' },
      },
    },

    authorizing: {
      invoke: [
        keepAsleep,
        {
        id: 'authorize', src: 'authorize',
        input: ({ context }) => ({ connectorId: context.connectorId, session: context.session! }),
        onDone: [
          { guard: 'approved', target: 'awaitingVehicle', actions: assign(({ context, event }) => withSession(context, { authorization: event.output.outcome === 'approved' ? event.output.authorization : null })) },
          { target: 'declined', actions: assign(({ context, event }) => withSession(context, { declineReason: event.output.outcome === 'declined' ? event.output.reason : 'error' })) },
        ],
        onError: { target: 'declined', actions: assign(({ context }) => withSession(context, { declineReason: 'error' })) },
        },
      ],
      // The terminal times out on its own; this is the backstop if it never answers.
      // Leaving the state aborts the request; a late approval is released by the actor.
      after: { presentCard: { target: 'declined', actions: assign(({ context }) => withSession(context, { declineReason: 'timeout' })) } },
      on: {
        CANCEL: 'idle',
      },
    },

    declined: {
      invoke: keepAsleep,
      initial: 'active',
      states: {
        active: { after: { inactivityWarn: 'warning' } },
        warning: { after: { inactivityReturn: '#session.idle' } },
      },
      on: {
        RETRY: { target: 'authorizing', actions: 'nextAttempt' },
        OTHER_PAYMENT: { target: 'choosingPayment', actions: 'dropSession' },
        MORE_TIME: '.active',
        CANCEL: 'idle',
      },
    },

    awaitingVehicle: {
      invoke: keepAsleep,
      initial: 'active',
      always: { guard: 'vehiclePlugged', target: 'charging' },
      states: {
        active: { after: { plugIn: 'warning' } },
        warning: { after: { inactivityReturn: '#session.cancelling' } },
      },
      on: {
        VEHICLE_PLUGGED: { target: 'charging', actions: 'notePlugged' },
        MORE_TIME: '.active',
        CANCEL: 'cancelling',
        STOP_BY_CARD: 'cancelling',
        FAULT: { target: 'cancelling', actions: 'noteProblem' },
        CHARGER_OFFLINE: { target: 'cancelling', actions: 'noteProblem' },
      },
    },

    charging: {
      initial: 'starting',
      states: {
        starting: {
          invoke: {
            id: 'startCharging', src: 'startCharging',
            input: ({ context }) => ({ connectorId: context.connectorId, session: context.session! }),
            onDone: {
              target: 'active',
              actions: assign(({ context, event }) => {
                const s = context.session!;
                const first = s.chargingStartedAt == null;
                return withSession(context, {
                  meterStartWh: s.meterStartWh ?? event.output.meterWh,
                  meterWh: Math.max(s.meterWh ?? event.output.meterWh, event.output.meterWh),
                  chargingStartedAt: s.chargingStartedAt ?? event.output.at,
                  usage: s.usage ?? startUsage(event.output.at),
                  showStopCode: first ? true : s.showStopCode,
                });
              }),
            },
            onError: { target: '#session.settling', actions: { type: 'endedBy', params: { reason: 'deviceLost' } } },
          },
        },
        active: {
          after: { stopCode: { actions: 'hideStopCode' } },
          on: {
            METER: [
              { guard: 'holdWouldBeExceeded', target: '#session.stopping', actions: ['recordMeter', { type: 'stoppedBy', params: { reason: 'holdLimit' } }] },
              { actions: 'recordMeter' },
            ],
            // The car stopped drawing (full). A stop caused by the unplug is the unplug's to handle.
            CHARGING_STOPPED: { guard: 'stillConnected', target: '#session.stopping', actions: { type: 'stoppedBy', params: { reason: 'vehicle' } } },
          },
        },
      },
      // No session outlives its authorisation: settled before a card reservation can expire.
      after: { sessionExpiry: { target: 'stopping', actions: { type: 'stoppedBy', params: { reason: 'maxDuration' } } } },
      on: {
        ACK_STOP_CODE: { actions: 'hideStopCode' },
        STOP: { guard: 'stopCodeMatches', target: 'stopping', actions: { type: 'stoppedBy', params: { reason: 'driver' } } },
        STOP_BY_CARD: { target: 'stopping', actions: { type: 'stoppedBy', params: { reason: 'driver' } } },
        FAULT: { target: 'stopping', actions: ['noteProblem', { type: 'stoppedBy', params: { reason: 'fault' } }] },
        CHARGER_BOOT: '.starting',
        VEHICLE_UNPLUGGED: { target: 'settling', actions: ['noteUnplugged', { type: 'endedBy', params: { reason: 'unplugged' } }] },
        CHARGER_OFFLINE: { target: 'settling', actions: ['noteProblem', { type: 'endedBy', params: { reason: 'deviceLost' } }] },
      },
    },

    stopping: {
      invoke: {
        id: 'stopCharging', src: 'stopCharging',
        input: ({ context }) => ({ connectorId: context.connectorId }),
        onDone: 'parked',
        // The charger will not stop, even disabled: settle for what the meter says; the connector ends in fault.
        onError: {
          target: 'settling',
          actions: ['noteProblem', { type: 'endedBy', params: { reason: 'fault' } }],
        },
      },
      on: {
        ACK_STOP_CODE: { actions: 'hideStopCode' },
        VEHICLE_UNPLUGGED: { target: 'settling', actions: ['noteUnplugged', { type: 'endedBy', params: { reason: 'unplugged' } }] },
      },
    },

    // Charging has stopped; the car is still plugged in and parking time runs.
    parked: {
      entry: 'hideStopCode',
      after: { sessionExpiry: { target: 'settling', actions: { type: 'endedBy', params: { reason: 'maxDuration' } } } },
      on: {
        VEHICLE_UNPLUGGED: { target: 'settling', actions: ['noteUnplugged', { type: 'endedBy', params: { reason: 'unplugged' } }] },
        // The controller woke up (reset, boot): put it back to sleep.
        CHARGER_BOOT: 'stopping',
        CHARGER_STATUS: { guard: 'chargerAwakeWithoutSession', target: 'stopping' },
        CHARGER_OFFLINE: { target: 'settling', actions: ['noteProblem', { type: 'endedBy', params: { reason: 'deviceLost' } }] },
      },
    },

    // Unplugged: take the final amount, release the rest, write the record.
    settling: {
      invoke: [
        keepAsleep,
        {
          id: 'settle', src: 'settle',
          input: ({ context }) => ({ connectorId: context.connectorId, session: context.session! }),
          onDone: [
            { guard: 'needsAttention', target: 'attention', actions: 'noteSettled' },
            { target: 'summary', actions: ['noteSettled', 'clearPaymentProblem'] },
          ],
          onError: { target: 'settleRetry', actions: 'noteSettleFailure' },
        },
      ],
    },
    settleRetry: retryOf('settling'),

    // The driver gave up before charging: release the authorisation, close the record.
    cancelling: {
      invoke: [
        keepAsleep,
        {
          id: 'cancelSession', src: 'cancelSession',
          input: ({ context }) => ({ connectorId: context.connectorId, session: context.session! }),
          onDone: [{ guard: 'needsAttention', target: 'attention', actions: 'dropSession' }, { target: 'idle', actions: 'clearPaymentProblem' }],
          onError: { target: 'cancelRetry', actions: 'noteSettleFailure' },
        },
      ],
    },
    cancelRetry: retryOf('cancelling'),

    // Out of service until a technician looks, with an alarm: a settlement that keeps
    // failing (retried now and then, and at the next start-up; the journal keeps it), or
    // a saved state that could not be read (its session was settled from the store).
    attention: {
      invoke: keepAsleep,
      after: {
        attentionRetry: [
          { guard: 'charged', target: 'settling' },
          { guard: 'hasSession', target: 'cancelling' },
        ],
      },
    },

    // Closes by itself after `timeouts.summaryS`: its last `inactivityReturnS` with the warning and More time.
    summary: {
      invoke: keepAsleep,
      initial: 'active',
      states: {
        active: { after: { summaryWarn: 'warning' } },
        warning: { after: { inactivityReturn: '#session.idle' } },
      },
      on: { CLOSE_SUMMARY: 'idle', MORE_TIME: '.active' },
    },

    fault: {
      invoke: keepAsleep,
      // A charger that cannot be reached is tried again now and then (drivers also report 'online').
      after: { retry: { guard: 'offline', target: 'idle' } },
      on: {
        FAULT_CLEARED: { target: 'idle', actions: 'clearProblem' },
        CHARGER_ONLINE: { target: 'idle', actions: 'clearProblem' },
        CHARGER_BOOT: { target: 'idle', actions: 'clearProblem' },
        FAULT: { actions: 'noteProblem' },
      },
    },
  },
});

export type SessionMachine = typeof sessionMachine;

function restoredSummary(summary: SessionSummary | null): SessionSummary | null {
  return summary?.receipt === 'printing' ? { ...summary, receipt: 'pending' } : summary;
}

function unprovided<TInput, TEvent extends { type: string }>(name: string) {
  return fromCallback<TEvent, TInput>(() => {
    throw new Error(`session machine: actor '${name}' was not provided`);
  });
}

function unprovidedPromise<TOutput, TInput>(name: string) {
  return fromPromise<TOutput, TInput>(async () => {
    throw new Error(`session machine: actor '${name}' was not provided`);
  });
}
