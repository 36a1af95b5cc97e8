// Model-based tests of the session machine: xstate/graph walks every shortest path
// and many simple paths through the statechart (device and payment answers included,
// as the done/error events of the invoked actors, and every timer), and the rules of
// the README (Rules that always hold) that the machine alone can guarantee are asserted at every step.
import { describe, expect, it } from 'vitest';
import { getShortestPaths, getSimplePaths } from 'xstate/graph';
import { startUsage } from '../../../electron/billing/tariff-engine.js';
import { createActor, transition, type SnapshotFrom } from 'xstate';
import { sessionMachine, type ActiveSession, type SessionEvent, MAX_SETTLE_FAILURES } from '../../../electron/station/session-machine.js';
import { KioskConfig } from '../../../electron/config/config-schema.js';
import type { Authorization } from '../../../electron/payments/authorization.js';
import type { SessionSummary } from '../../../electron/contract/snapshot.js';

type Snap = SnapshotFrom<typeof sessionMachine>;
// The graph explores events of every kind, including the machine's internal ones.
type AnyEvent = SessionEvent | { type: string; [key: string]: unknown };

const config = KioskConfig.parse({});
const at = 1_000_000;
const authorization: Authorization = {
  method: 'card', key: 's1:authorize:1', reference: 'h1', limitMinor: 500, currency: 'EUR', authorizedAt: at,
  display: { kind: 'card', brand: 'VISA', maskedPan: '**** 4242' },
};
const summary = { sessionId: 's1' } as SessionSummary;
const newSession = {
  type: 'CHOOSE_PAYMENT',
  at,
  method: 'card',
  sessionId: 's1',
  stopCode: '1234',
  tariff: config.tariff,
  timeZone: 'UTC',
  voltageV: 230,
  currency: 'EUR',
  limitMinor: 500,
  lookaheadS: 2.5,
  maxSessionMs: 48 * 3_600_000,
  credential: null,
} as const;

const chargerStatus = (mode: 'enabled' | 'sleeping') => ({
  online: true, mode, pilot: 'A' as const, vehicleConnected: false, relayClosed: false, fault: null, meterWh: 0, powerW: 0, currentLimitA: 32,
});

const top = (s: Snap) => (typeof s.value === 'string' ? s.value : Object.keys(s.value)[0]!);
const HOLDING = new Set(['awaitingVehicle', 'charging', 'stopping', 'parked', 'settling', 'settleRetry', 'cancelling', 'cancelRetry', 'attention']);

/** Events a test may send in any state: the screen, the charger, the actors' answers, the timers. */
function eventsFor(s: Snap): AnyEvent[] {
  const events: AnyEvent[] = [
    { type: 'SELECT', at },
    newSession,
    { type: 'CANCEL', at },
    { type: 'MORE_TIME', at },
    { type: 'RETRY', at },
    { type: 'OTHER_PAYMENT', at },
    { type: 'STOP', at, code: '1234' },
    { type: 'STOP', at, code: '9999' },
    { type: 'CLOSE_SUMMARY', at },
    { type: 'VEHICLE_PLUGGED', at },
    { type: 'VEHICLE_UNPLUGGED', at },
    { type: 'CHARGING_STOPPED', at, vehicleConnected: true },
    { type: 'CHARGING_STOPPED', at, vehicleConnected: false },
    { type: 'METER', at: at + 60_000, meterWh: 1_000, powerW: 11_000 },
    // far past the hold: 2000 kWh
    { type: 'METER', at: at + 120_000, meterWh: 2_000_000, powerW: 11_000 },
    { type: 'FAULT', at, fault: 'gfci' },
    { type: 'FAULT_CLEARED', at },
    { type: 'CHARGER_BOOT', at },
    { type: 'CHARGER_OFFLINE', at, reason: 'cable' },
    // A controller that wakes up without being told (a firmware that re-enables itself), and one that reports itself asleep.
    { type: 'CHARGER_STATUS', at, status: chargerStatus('enabled') },
    { type: 'CHARGER_STATUS', at, status: chargerStatus('sleeping') },
  ];
  const state = top(s);
  const done = (id: string, output: unknown) => events.push({ type: `xstate.done.actor.${id}`, output });
  const error = (id: string) => events.push({ type: `xstate.error.actor.${id}`, error: new Error('device') });
  if (state === 'starting') done('reconcile', { resume: 'idle', context: { ...s.context, session: null } });
  if (state === 'idle') {
    done('ensureAsleep', { problem: null, vehiclePlugged: false });
    done('ensureAsleep', { problem: { kind: 'fault', detail: 'gfci' }, vehiclePlugged: false });
    error('ensureAsleep');
  }
  if (state === 'authorizing') {
    done('authorize', { outcome: 'approved', authorization, at });
    done('authorize', { outcome: 'declined', reason: 'declined', at });
    error('authorize');
  }
  if (state === 'charging') {
    done('startCharging', { meterWh: 0, at });
    error('startCharging');
  }
  if (state === 'stopping') {
    done('stopCharging', { at });
    error('stopCharging');
  }
  if (state === 'settling') {
    done('settle', summary);
    error('settle');
  }
  if (state === 'cancelling') {
    done('cancelSession', undefined);
    error('cancelSession');
  }
  // every timer that is armed in this state
  for (const node of s._nodes) for (const t of node.after) events.push({ type: t.eventType });
  return events;
}

const serializeState = (s: Snap) =>
  JSON.stringify([s.value, !!s.context.session, !!s.context.session?.authorization, Math.min(s.context.session?.settleFailures ?? 0, MAX_SETTLE_FAILURES + 1), s.context.session?.meterStartWh != null, s.context.session?.chargingStoppedAt != null, s.context.vehiclePlugged, s.context.asleepKnown, !!s.context.lastSummary, s.context.problem?.kind]);

/** The rules that must hold in every state the machine can reach. */
function assertRules(s: Snap): void {
  const state = top(s);
  const session = s.context.session;
  // Rule 1: the charger is only told to deliver (charging) while a hold covers it.
  if (state === 'charging') expect(session?.authorization, `charging without an authorisation in ${JSON.stringify(s.value)}`).toBeTruthy();
  // Rule 4: a hold is always on its way to exactly one capture or release: it lives
  // only in states that end in settle or cancel, and no state forgets it.
  if (session?.authorization) expect(HOLDING.has(state), `authorisation held in ${state}`).toBe(true);
  // A settlement never retries for ever: past the cap the connector is out of service with an alarm.
  // Past the cap only the slow retry from out of service remains, never the quick one.
  if ((session?.settleFailures ?? 0) >= MAX_SETTLE_FAILURES) expect(['settleRetry', 'cancelRetry'], 'quick retries past the cap').not.toContain(state);
  if (['idle', 'choosingPayment', 'summary', 'fault'].includes(state)) expect(session).toBeNull();
  if (state === 'summary') expect(s.context.lastSummary).not.toBeNull();
  // Rule 2/3: once charging stopped, the stop time never moves.
  if (session?.chargingStoppedAt != null && session.chargingStartedAt != null) expect(session.chargingStoppedAt).toBeGreaterThanOrEqual(session.chargingStartedAt);
  // Everything persisted must be plain data.
  expect(() => JSON.stringify(s.context)).not.toThrow();
}

describe('session machine (model-based)', () => {
  const paths = getShortestPaths(sessionMachine, {
    input: { connectorId: 1, restored: null },
    events: eventsFor as never,
    serializeState: serializeState as never,
  });

  it('reaches every phase of the driver path', () => {
    const reached = new Set(paths.map((p) => top(p.state as Snap)));
    for (const phase of ['idle', 'choosingPayment', 'authorizing', 'declined', 'awaitingVehicle', 'charging', 'stopping', 'parked', 'settling', 'settleRetry', 'cancelling', 'summary', 'fault']) {
      expect(reached, phase).toContain(phase);
    }
    expect(paths.length).toBeGreaterThan(40);
  });

  it('keeps the rules at every step of every shortest path', () => {
    for (const path of paths) for (const step of path.steps) assertRules(step.state as Snap);
  });

  it('shows a connector available only while its charger is known asleep: checked on entering idle, or not woken since', () => {
    const wakes = (e: AnyEvent) => e.type === 'CHARGER_BOOT' || (e.type === 'CHARGER_STATUS' && (e as { status: { mode: string } }).status.mode === 'enabled');
    let checked = 0;
    for (const path of paths) {
      // Asleep as far as the path knows: a check found it asleep, and since then no wake and no state that may enable it.
      let asleep = false;
      for (const step of path.steps) {
        const s = step.state as Snap;
        const e = step.event as AnyEvent;
        if (e.type === 'xstate.done.actor.ensureAsleep') asleep = (e as unknown as { output: { problem: unknown } }).output.problem === null;
        else if (wakes(e) || !['idle', 'choosingPayment'].includes(top(s))) asleep = false;
        if (top(s) === 'idle' && JSON.stringify(s.value).includes('ready')) {
          expect(asleep, `available without a known-asleep charger after ${path.steps.map((x) => x.event.type).join(' → ')}`).toBe(true);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(3);
  });

  it('gives the connector back at once when the driver leaves the payment choice, and checks the charger again if it woke meanwhile', () => {
    const choosing = paths.find((p) => top(p.state as Snap) === 'choosingPayment')!.state as Snap;
    expect(choosing.context.asleepKnown).toBe(true);
    const [back] = transition(sessionMachine, choosing, { type: 'CANCEL', at });
    expect(back.value).toEqual({ idle: 'ready' });
    const [woke] = transition(sessionMachine, choosing, { type: 'CHARGER_STATUS', at, status: chargerStatus('enabled') });
    const [checkedAgain] = transition(sessionMachine, woke, { type: 'CANCEL', at });
    expect(checkedAgain.value).toEqual({ idle: 'securing' });
    const [booted] = transition(sessionMachine, choosing, { type: 'CHARGER_BOOT', at });
    expect(transition(sessionMachine, booted, { type: 'CANCEL', at })[0].value).toEqual({ idle: 'securing' });
  });

  it('keeps the rules at every step of simple paths up to the summary', () => {
    // The driver's own moves and the devices' answers (no timers or faults), so that
    // the number of simple paths stays finite and small enough to walk.
    const driverEvents = new Set(['SELECT', 'CHOOSE_PAYMENT', 'CANCEL', 'RETRY', 'OTHER_PAYMENT', 'STOP', 'VEHICLE_PLUGGED', 'VEHICLE_UNPLUGGED', 'CHARGING_STOPPED', 'METER']);
    const simple = getSimplePaths(sessionMachine, {
      input: { connectorId: 1, restored: null },
      events: ((s: Snap) => eventsFor(s).filter((e) => driverEvents.has(e.type) || e.type.startsWith('xstate.done.'))) as never,
      serializeState: serializeState as never,
      toState: (s) => top(s as Snap) === 'summary',
      limit: 5000,
    });
    expect(simple.length).toBeGreaterThan(10);
    for (const path of simple) for (const step of path.steps) assertRules(step.state as Snap);
  });

  it('stops charging before the projected cost passes the hold', () => {
    const charging = paths.find((p) => top(p.state as Snap) === 'charging' && JSON.stringify(p.state.value).includes('active'));
    expect(charging).toBeDefined();
    const [next] = transition(sessionMachine, charging!.state as Snap, { type: 'METER', at: at + 120_000, meterWh: 2_000_000, powerW: 11_000 });
    expect(top(next)).toBe('stopping');
    expect(next.context.session?.stopReason).toBe('holdLimit');
  });

  it('does not stop on a wrong stop code', () => {
    const charging = paths.find((p) => top(p.state as Snap) === 'charging');
    const s = charging!.state as Snap;
    expect(s.can({ type: 'STOP', at, code: '0000' })).toBe(false);
    expect(s.can({ type: 'STOP', at, code: '1234' })).toBe(true);
  });
});

describe('session machine persistence', () => {
  it('persists a snapshot that serialises and restores its context through the reconcile step', () => {
    const session: ActiveSession = {
      id: 's1', method: 'card', createdAt: at, stopCode: '1234', tariff: config.tariff, timeZone: 'UTC', voltageV: 230, currency: 'EUR', limitMinor: 500, expiresAt: at + 3_600_000,
      lookaheadS: 2.5, attempt: 1, authorization, settleFailures: 0, declineReason: null, meterStartWh: 100, meterWh: 150, powerW: 11000,
      chargingStartedAt: at, chargingStoppedAt: null, endedAt: null, usage: startUsage(at), stopReason: null, showStopCode: false,
    };
    const actor = createActor(sessionMachine, {
      input: { connectorId: 1, restored: { phase: 'charging', context: { connectorId: 1, vehiclePlugged: true, asleepKnown: false, problem: null, session, lastSummary: null, resumeFrom: null, lastError: null } } },
    });
    const snapshot = actor.getSnapshot();
    // Nothing is re-invoked before the reconcile step decides.
    expect(snapshot.value).toBe('starting');
    expect(snapshot.context.resumeFrom).toBe('charging');
    // The persisted snapshot is plain data that carries the whole session, authorisation included.
    const persisted = JSON.parse(JSON.stringify(actor.getPersistedSnapshot())) as { context: { session: ActiveSession } };
    expect(persisted.context.session).toEqual(session);
  });

  it('settles at most MAX_SETTLE_FAILURES times in a row before going out of service, and keeps the session', () => {
    const settling = transition(sessionMachine, sessionMachine.resolveState({
      value: 'settling',
      context: {
        connectorId: 1, vehiclePlugged: false, asleepKnown: false, problem: null, lastSummary: null, resumeFrom: null, lastError: null,
        session: {
          id: 's1', method: 'card', createdAt: at, stopCode: '1234', tariff: config.tariff, timeZone: 'UTC', voltageV: 230, currency: 'EUR', limitMinor: 500, expiresAt: at + 3_600_000,
          lookaheadS: 2.5, attempt: 1, authorization, settleFailures: 0, declineReason: null, meterStartWh: 100, meterWh: 150, powerW: 0,
          chargingStartedAt: at, chargingStoppedAt: at + 1000, endedAt: at + 2000, usage: startUsage(at), stopReason: 'unplugged', showStopCode: false,
        },
      },
    }), { type: 'xstate.error.actor.settle', error: new Error('terminal gone') } as never)[0];
    let s = settling;
    for (let failure = 1; failure < MAX_SETTLE_FAILURES; failure++) {
      expect(top(s)).toBe('settleRetry');
      expect(s.context.session?.settleFailures).toBe(failure);
      [s] = transition(sessionMachine, s, { type: 'xstate.after.retry.session.settleRetry' } as never);
      expect(top(s)).toBe('settling');
      [s] = transition(sessionMachine, s, { type: 'xstate.error.actor.settle', error: new Error('terminal gone') } as never);
    }
    expect(top(s)).toBe('attention');
    expect(s.context.problem).toMatchObject({ kind: 'payment' });
    expect(s.context.problem!.detail).toContain('terminal gone');
    expect(s.context.session?.authorization).toEqual(authorization);
  });
});
