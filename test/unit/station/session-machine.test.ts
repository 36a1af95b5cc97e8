// Model-based tests of the session machine: xstate/graph walks every shortest path
// and many simple paths through the statechart (device and payment answers included,
// as the done/error events of the invoked actors, and every timer), and the rules of
// the README (Rules that always hold) that the machine alone can guarantee are asserted at every step.
import { describe, expect, it } from 'vitest';
import { getShortestPaths, getSimplePaths } from 'xstate/graph';
import { createActor, transition, type SnapshotFrom } from 'xstate';
import { sessionMachine, type ActiveSession, type SessionEvent, SESSION_SCHEMA_VERSION } from '../../../electron/station/session-machine.js';
import { KioskConfig } from '../../../electron/config/config-schema.js';
import type { Hold } from '../../../devices/payment/card-terminal-port.js';
import type { SessionSummary } from '../../../electron/contract/snapshot.js';

type Snap = SnapshotFrom<typeof sessionMachine>;
// The graph explores events of every kind, including the machine's internal ones.
type AnyEvent = SessionEvent | { type: string; [key: string]: unknown };

const config = KioskConfig.parse({});
const at = 1_000_000;
const hold: Hold = { holdId: 'h1', key: 's1:authorize:1', amountMinor: 500, currency: 'EUR', maskedPan: '**** 4242', brand: 'VISA', authorizedAt: at };
const summary = { sessionId: 's1' } as SessionSummary;
const newSession = {
  type: 'CHOOSE_PAYMENT',
  at,
  method: 'card',
  sessionId: 's1',
  stopCode: '1234',
  tariff: config.tariff,
  currency: 'EUR',
  holdMinor: 500,
  lookaheadS: 2.5,
} as const;

const top = (s: Snap) => (typeof s.value === 'string' ? s.value : Object.keys(s.value)[0]!);
const HOLDING = new Set(['awaitingVehicle', 'charging', 'stopping', 'parked', 'settling', 'settleRetry', 'cancelling', 'cancelRetry']);

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
    done('authorize', { outcome: 'approved', hold, at });
    done('authorize', { outcome: 'declined', reason: 'declined', at });
    error('authorize');
  }
  if (state === 'charging') {
    done('startCharging', { meterWh: 0, at });
    error('startCharging');
  }
  if (state === 'stopping') done('stopCharging', { at });
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
  JSON.stringify([s.value, !!s.context.session, !!s.context.session?.hold, s.context.session?.meterStartWh != null, s.context.session?.chargingStoppedAt != null, s.context.vehiclePlugged, !!s.context.lastSummary, s.context.problem]);

/** The rules that must hold in every state the machine can reach. */
function assertRules(s: Snap): void {
  const state = top(s);
  const session = s.context.session;
  // Rule 1: the charger is only told to deliver (charging) while a hold covers it.
  if (state === 'charging') expect(session?.hold, `charging without a hold in ${JSON.stringify(s.value)}`).toBeTruthy();
  // Rule 4: a hold is always on its way to exactly one capture or release: it lives
  // only in states that end in settle or cancel, and no state forgets it.
  if (session?.hold) expect(HOLDING.has(state), `hold held in ${state}`).toBe(true);
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
      id: 's1', method: 'card', createdAt: at, stopCode: '1234', tariff: config.tariff, currency: 'EUR', holdMinor: 500, lookaheadS: 2.5,
      attempt: 1, hold, declineReason: null, meterStartWh: 100, meterWh: 150, powerW: 11000, chargingStartedAt: at,
      chargingStoppedAt: null, endedAt: null, stopReason: null, showStopCode: false,
    };
    const actor = createActor(sessionMachine, { input: { connectorId: 1, restored: { phase: 'charging', context: { connectorId: 1, vehiclePlugged: true, problem: null, session, lastSummary: null, resumeFrom: null } } } });
    const snapshot = actor.getSnapshot();
    // Nothing is re-invoked before the reconcile step decides.
    expect(snapshot.value).toBe('starting');
    expect(snapshot.context.resumeFrom).toBe('charging');
    expect(snapshot.context.session?.meterWh).toBe(150);
    expect(JSON.parse(JSON.stringify(actor.getPersistedSnapshot()))).toBeTruthy();
    expect(SESSION_SCHEMA_VERSION).toBe(1);
  });
});
