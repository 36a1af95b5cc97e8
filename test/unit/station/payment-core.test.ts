// Regression tests of the payment core, one or more per finding of the "Payments owned
// by the brain" issue, on the whole kiosk (station, store, real RAPI driver against the
// simulated controller, simulated terminal) on a manual clock.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DatabaseSync } from '@photostructure/sqlite';
import { join } from 'node:path';
import { KioskHarness } from './kiosk-harness.js';
import type { ChargerController } from '../../../devices/charger/charger-port.js';
import type { SimulatedCardTerminal } from '../../../devices/payment/simulated-card-terminal.js';
import type { KioskConfigInput } from '../../../electron/config/config-schema.js';
import { KioskStore } from '../../../electron/store/kiosk-store.js';
import type { SessionSummary } from '../../../electron/contract/snapshot.js';

let harness: KioskHarness | null = null;
afterEach(async () => {
  await harness?.close();
  harness = null;
});

// These regressions reach into the generic simulated terminal (its holds by reference); ZVT has its own tests.
const generic: KioskConfigInput = { devices: { terminal: { kind: 'simulated', protocol: 'generic', approvalDelayMs: 1000 } } };
const slowTerminal: KioskConfigInput = { devices: { terminal: { kind: 'simulated', protocol: 'generic', approvalDelayMs: 1000, latencyMs: 1500 } } };

type Internals = {
  options: { devices: { terminal: SimulatedCardTerminal; chargers: Map<number, ChargerController> } };
  connectors: Map<number, { actor: { getSnapshot(): { value: unknown; context: { session: { id: string; stopCode: string; authorization: { key: string } | null } | null } } } }>;
};
const internals = (h: KioskHarness) => h.station as unknown as Internals;
const terminalOf = (h: KioskHarness) => internals(h).options.devices.terminal;
const chargerOf = (h: KioskHarness, id = 1) => internals(h).options.devices.chargers.get(id)!;
const sessionOf = (h: KioskHarness, id = 1) => internals(h).connectors.get(id)!.actor.getSnapshot().context.session;

async function pay(h: KioskHarness, connectorId = 1, ms = 4000) {
  expect(await h.command({ type: 'selectConnector', connectorId })).toEqual({ ok: true });
  expect(await h.command({ type: 'choosePayment', connectorId, method: 'card' })).toEqual({ ok: true });
  await h.run(ms);
}

/** Pays on connector 1, plugs a car in and lets it charge for `ms`. */
async function charge(h: KioskHarness, ms: number) {
  await pay(h);
  await h.sim({ type: 'plug', connectorId: 1, plugged: true });
  await h.run(ms, 1000);
}

/** Stops the kiosk and rewrites connector 1's saved state, as another kiosk or a damaged disk left it. */
async function rewriteSavedState(h: KioskHarness, edit: (row: { phase: string; snapshot: string; schemaVersion: number }) => { phase: string; snapshot: string; schemaVersion: number }) {
  await h.kiosk.close();
  const db = new DatabaseSync(join(h.dataDir, 'kiosk.sqlite'));
  const row = db.prepare('SELECT phase, snapshot, schema_version AS schemaVersion FROM connector_state WHERE connector_id = 1').get() as { phase: string; snapshot: string; schemaVersion: number };
  const next = edit(row);
  db.prepare('UPDATE connector_state SET phase = ?, snapshot = ?, schema_version = ? WHERE connector_id = 1').run(next.phase, next.snapshot, next.schemaVersion);
  db.close();
  await h.boot();
}

function holdsFor(h: KioskHarness, sessionId: string) {
  return terminalOf(h).simState().holds.filter((hold) => hold.reference.startsWith(`${sessionId}:`));
}

function donePayments(h: KioskHarness, sessionId: string, operation: 'authorize' | 'capture' | 'release') {
  return h.store.paymentsOf(sessionId).filter((p) => p.operation === operation && p.status === 'done');
}

describe('payment core (regressions)', () => {
  it('1: a session restored with a terminal that answers in 1.5 s keeps its hold, charges and is captured exactly once', async () => {
    harness = await KioskHarness.start(slowTerminal);
    const h = harness;
    await pay(h);
    expect(h.connector(1).phase).toBe('awaitingVehicle');
    await h.sim({ type: 'plug', connectorId: 1, plugged: true });
    await h.run(3000);
    expect(h.connector(1).phase).toBe('charging');
    const sessionId = h.connector(1).session!.id;
    await h.restart();
    await h.run(10_000);
    // The sweep waited for the terminal's answer and found the hold owned.
    expect(holdsFor(h, sessionId).map((hold) => hold.state)).toEqual(['open']);
    expect(h.connector(1).phase).toBe('charging');
    await h.run(60_000, 1000);
    expect(h.connector(1).session!.energyWh).toBeGreaterThan(100);
    await h.sim({ type: 'plug', connectorId: 1, plugged: false });
    await h.run(5000);
    expect(h.connector(1).phase).toBe('summary');
    expect(donePayments(h, sessionId, 'capture')).toHaveLength(1);
    expect(holdsFor(h, sessionId).map((hold) => hold.state)).toEqual(['captured']);
    expect(h.snapshot().sim!.terminal!.openHolds).toBe(0);
  });

  it('1: the orphan sweep releases a hold no session owns, journalled and audited', async () => {
    harness = await KioskHarness.start(slowTerminal);
    const h = harness;
    // A hold the terminal has that the kiosk never asked for.
    const placing = terminalOf(h).authorize({ reference: 'foreign:1', amountMinor: 500, currency: 'EUR' });
    await h.run(4000);
    expect((await placing).outcome).toBe('approved');
    await h.restart();
    await h.run(5000);
    expect(terminalOf(h).simState().holds.find((hold) => hold.reference === 'foreign:1')!.state).toBe('released');
    expect(h.store.auditLog().some((a) => a.action === 'payment.orphanReleased')).toBe(true);
    expect(h.store.payment('foreign:1:release')).toMatchObject({ operation: 'release', status: 'done' });
  });

  it('2: nothing delivered, nothing charged: a charger that cannot be enabled releases the hold in full', async () => {
    harness = await KioskHarness.start(generic);
    const h = harness;
    chargerOf(h).enable = async () => {
      throw new Error('relay stuck open');
    };
    await pay(h);
    await h.sim({ type: 'plug', connectorId: 1, plugged: true });
    await h.run(3000);
    const summary = h.connector(1).lastSummary!;
    expect(summary).toMatchObject({ energyWh: 0, costMinor: 0, capturedMinor: 0, noCharge: true, lines: [] });
    expect(donePayments(h, summary.sessionId, 'capture')).toHaveLength(0);
    expect(donePayments(h, summary.sessionId, 'release')).toHaveLength(1);
    expect(holdsFor(h, summary.sessionId).map((hold) => hold.state)).toEqual(['released']);
  });

  it('3 and 10: an authorisation under way when the kiosk stops is answered by the terminal, read back, never sent again', async () => {
    harness = await KioskHarness.start(slowTerminal);
    const h = harness;
    expect(await h.command({ type: 'selectConnector', connectorId: 1 })).toEqual({ ok: true });
    expect(await h.command({ type: 'choosePayment', connectorId: 1, method: 'card' })).toEqual({ ok: true });
    await h.run(2000); // the terminal took the request and waits for the card
    const sessionId = sessionOf(h)!.id;
    expect(terminalOf(h).simState().pendingReference).toBe(`${sessionId}:authorize:1`);
    await h.restart();
    await h.run(10_000);
    expect(h.connector(1).phase).toBe('awaitingVehicle');
    // One hold for the request, and its intent completed in the journal with an audit entry.
    expect(holdsFor(h, sessionId)).toHaveLength(1);
    const [intent] = h.store.paymentsOf(sessionId);
    expect(intent).toMatchObject({ operation: 'authorize', status: 'done', reference: holdsFor(h, sessionId)[0]!.holdId });
    expect(h.store.auditLog().filter((a) => a.action === 'payment.authorize.done')).toHaveLength(1);
  });

  it('3: a request the terminal never received is not sent after a restart: the driver is asked to try again', async () => {
    harness = await KioskHarness.start(slowTerminal);
    const h = harness;
    expect(await h.command({ type: 'selectConnector', connectorId: 1 })).toEqual({ ok: true });
    expect(await h.command({ type: 'choosePayment', connectorId: 1, method: 'card' })).toEqual({ ok: true });
    await h.run(500); // still on its way to the terminal (1.5 s latency)
    const sessionId = sessionOf(h)!.id;
    await h.restart();
    await h.run(10_000);
    expect(h.connector(1).phase).toBe('declined');
    expect(holdsFor(h, sessionId)).toHaveLength(0);
    expect(h.store.paymentsOf(sessionId)[0]).toMatchObject({ status: 'failed', result: { outcome: 'neverReached' } });
  });

  it('4: a settlement that keeps failing backs off, then puts the connector out of service with an alarm, and goes through later', async () => {
    harness = await KioskHarness.start(generic);
    const h = harness;
    await charge(h, 60_000);
    const terminal = terminalOf(h);
    const capture = terminal.capture.bind(terminal);
    let failures = 0;
    terminal.capture = async () => {
      failures++;
      throw new Error('terminal offline');
    };
    const sessionId = h.connector(1).session!.id;
    await h.sim({ type: 'plug', connectorId: 1, plugged: false });
    // Backing off: 5 s, 10 s, 20 s, 40 s between the five tries.
    await h.run(70_000, 1000);
    expect(failures).toBe(4);
    await h.run(10_000, 1000);
    expect(failures).toBe(5);
    expect(h.connector(1)).toMatchObject({ phase: 'outOfService', problemKind: 'payment' });
    expect(h.snapshot().alarms).toEqual([expect.objectContaining({ kind: 'settlementFailing', connectorId: 1, sessionId })]);
    expect(h.store.paymentsOf(sessionId).find((p) => p.operation === 'capture')).toMatchObject({ status: 'pending', attempts: 5, lastError: 'terminal offline' });
    // The terminal is back: the next retry settles it and the connector is in service again.
    terminal.capture = capture;
    await h.run(2 * 60_000, 1000);
    expect(donePayments(h, sessionId, 'capture')).toHaveLength(1);
    expect(h.snapshot().alarms).toEqual([]);
    expect(['summary', 'available']).toContain(h.connector(1).phase);
  });

  it('5: a saved state that cannot be read is kept aside; the connector needs attention and its session is settled for what was delivered', async () => {
    harness = await KioskHarness.start(generic);
    const h = harness;
    await charge(h, 120_000);
    const sessionId = h.connector(1).session!.id;
    await rewriteSavedState(h, (row) => ({ ...row, snapshot: '{"broken' }));
    await h.run(10_000);
    expect(h.connector(1)).toMatchObject({ phase: 'outOfService', problemKind: 'attention' });
    expect(h.snapshot().alarms.map((a) => a.kind)).toContain('stateUnreadable');
    const record = h.store.getSession(sessionId)!;
    expect(record.status).toBe('finished');
    expect(record.energyWh).toBeGreaterThan(300);
    expect(record.capturedMinor).toBeGreaterThan(0);
    expect(holdsFor(h, sessionId).map((hold) => hold.state)).toEqual(['captured']);
    expect(h.store.quarantined(1)[0]!.snapshot).toBe('{"broken');
    // The connector 2 is untouched.
    expect(h.connector(2).phase).toBe('available');
  });

  it('5: a saved state of the previous version is migrated, and the session goes on', async () => {
    harness = await KioskHarness.start(generic);
    const h = harness;
    await charge(h, 30_000);
    const sessionId = h.connector(1).session!.id;
    // Rewrite the saved state as the version-1 kiosk wrote it: a card `hold`.
    await rewriteSavedState(h, (row) => {
      const snapshot = JSON.parse(row.snapshot);
      const { authorization, limitMinor, expiresAt: _e, settleFailures: _f, ...rest } = snapshot.context.session;
      snapshot.context.session = {
        ...rest,
        holdMinor: limitMinor,
        hold: { holdId: authorization.reference, key: authorization.key, amountMinor: authorization.limitMinor, currency: 'EUR', maskedPan: authorization.display.maskedPan, brand: 'VISA', authorizedAt: 0 },
      };
      return { ...row, snapshot: JSON.stringify(snapshot), schemaVersion: 1 };
    });
    await h.run(5000);
    expect(h.connector(1).phase).toBe('charging');
    expect(h.connector(1).session!.id).toBe(sessionId);
    await h.sim({ type: 'plug', connectorId: 1, plugged: false });
    await h.run(5000);
    expect(h.connector(1).lastSummary).toMatchObject({ sessionId, noCharge: false });
    expect(donePayments(h, sessionId, 'capture')).toHaveLength(1);
  });

  it('5: a version-2 state (a session priced by its totals) is migrated: its usage is rebuilt and all its energy is billed', async () => {
    harness = await KioskHarness.start(generic);
    const h = harness;
    await charge(h, 30_000);
    const sessionId = h.connector(1).session!.id;
    const energyBefore = h.connector(1).session!.energyWh;
    await rewriteSavedState(h, (row) => {
      const snapshot = JSON.parse(row.snapshot);
      const { usage: _u, timeZone: _z, voltageV: _v, ...rest } = snapshot.context.session;
      snapshot.context.session = rest;
      return { ...row, snapshot: JSON.stringify(snapshot), schemaVersion: 2 };
    });
    await h.run(5000);
    expect(h.connector(1).phase).toBe('charging');
    expect(h.connector(1).session!.energyWh).toBeGreaterThanOrEqual(energyBefore);
    await h.sim({ type: 'plug', connectorId: 1, plugged: false });
    await h.run(5000);
    const summary = h.connector(1).lastSummary!;
    expect(summary).toMatchObject({ sessionId, noCharge: false });
    expect(summary.energyWh).toBeGreaterThan(energyBefore);
    expect(summary.costMinor).toBe(summary.lines.reduce((sum, line) => sum + line.amountMinor, 0));
    expect(donePayments(h, sessionId, 'capture')).toHaveLength(1);
  });

  it('6: a charger that does not go to sleep when told is disabled; if it still delivers the connector ends in fault and the session is settled', async () => {
    harness = await KioskHarness.start(generic);
    const h = harness;
    await charge(h, 30_000);
    const charger = chargerOf(h);
    charger.sleep = async () => {};
    charger.disable = async () => {};
    expect(await h.command({ type: 'stop', connectorId: 1, code: sessionOf(h)!.stopCode })).toEqual({ ok: true });
    const states = new Set<string>();
    for (let i = 0; i < 30; i++) {
      await h.run(1000);
      const { value } = internals(h).connectors.get(1)!.actor.getSnapshot();
      states.add(typeof value === 'string' ? value : Object.keys(value as object)[0]!);
    }
    // Never parked with the relay closed: straight from stopping to settling.
    expect(states.has('parked')).toBe(false);
    expect(states.has('summary')).toBe(true);
    expect(h.store.listSessions()[0]).toMatchObject({ status: 'finished' });
    // After the summary, the connector stays in fault: it cannot be put to sleep.
    await h.run(70_000, 1000);
    expect(h.connector(1)).toMatchObject({ phase: 'fault' });
    expect(h.connector(1).problem).toMatch(/did not stop/);
  });

  it('7: no payment request goes out before the state that asks for it is saved', async () => {
    harness = await KioskHarness.start(generic);
    const h = harness;
    const terminal = terminalOf(h);
    const authorize = terminal.authorize.bind(terminal);
    const savedPhases: string[] = [];
    terminal.authorize = (request, signal) => {
      savedPhases.push(h.store.loadConnector(1)!.phase);
      return authorize(request, signal);
    };
    await pay(h);
    expect(savedPhases).toEqual(['authorizing']);
  });

  it('8: a store that cannot be written takes the station out of service without crashing, and it comes back', async () => {
    harness = await KioskHarness.start(generic);
    const h = harness;
    await pay(h);
    await h.sim({ type: 'plug', connectorId: 1, plugged: true });
    await h.run(3000);
    const store = h.store;
    const appendEvent = store.appendEvent.bind(store);
    const saveConnector = store.saveConnector.bind(store);
    store.appendEvent = () => {
      throw new Error('SQLITE_FULL: database or disk is full');
    };
    store.saveConnector = () => {
      throw new Error('SQLITE_FULL: database or disk is full');
    };
    await h.run(5000);
    expect(h.snapshot().station).toMatchObject({ serviceState: 'outOfService', outOfServiceReason: 'storage' });
    expect(h.snapshot().alarms.map((a) => a.kind)).toContain('storageFailed');
    expect(await h.command({ type: 'selectConnector', connectorId: 2 })).toEqual({ ok: true });
    // No new session while nothing can be recorded.
    expect(await h.command({ type: 'choosePayment', connectorId: 2, method: 'card' })).toMatchObject({ ok: false, error: { reason: 'stationOutOfService' } });
    expect(await h.command({ type: 'goHome' })).toEqual({ ok: true });
    store.appendEvent = appendEvent;
    store.saveConnector = saveConnector;
    await h.run(3000);
    expect(h.snapshot().station.serviceState).toBe('inService');
    expect(h.connector(1).phase).toBe('charging');
  });

  it('9: the start-up reconcile is never saved as the state to resume: a kill during it resumes the real phase', async () => {
    harness = await KioskHarness.start(generic);
    const h = harness;
    await charge(h, 30_000);
    const sessionId = h.connector(1).session!.id;
    // Every save of every store from here on, the reconcile of the next boot included.
    const saves = vi.spyOn(KioskStore.prototype, 'saveConnector');
    // What an older kiosk saved when killed during its reconcile: 'starting', the real phase in resumeFrom.
    await rewriteSavedState(h, (row) => {
      const snapshot = JSON.parse(row.snapshot);
      snapshot.value = 'starting';
      snapshot.context.resumeFrom = 'charging';
      return { ...row, phase: 'starting', snapshot: JSON.stringify(snapshot) };
    });
    await h.run(10_000, 1000);
    const saved = saves.mock.calls.map(([, state]) => state.phase);
    saves.mockRestore();
    expect(h.connector(1).phase).toBe('charging');
    expect(h.connector(1).session!.id).toBe(sessionId);
    expect(holdsFor(h, sessionId).map((hold) => hold.state)).toEqual(['open']);
    expect(saved.length).toBeGreaterThan(0);
    expect(saved).not.toContain('starting');
    expect(h.store.loadConnector(1)!.phase).toBe('charging');
  });

  it('a parked session stops accruing parking at the limit, and a session is settled at payment.maxSessionHours', async () => {
    harness = await KioskHarness.start({
      payment: { holdMinor: 500, maxSessionHours: 3 },
      tariff: { currency: 'EUR', elements: [{ price_components: [{ type: 'ENERGY', price: '0.30', vat: '0' }, { type: 'PARKING_TIME', price: '6.00', vat: '0' }] }] },
    });
    const h = harness;
    await pay(h);
    await h.sim({ type: 'plug', connectorId: 1, plugged: true });
    await h.run(5000);
    await h.sim({ type: 'vehicleFull', connectorId: 1 });
    await h.run(5000);
    expect(h.connector(1).phase).toBe('parked');
    await h.run(4 * 3_600_000, 60_000);
    // Long after the summary left the screen: its record has it.
    expect(h.connector(1).lastSummary).toBeNull();
    const summary = h.store.listSessions()[0]!.summary as SessionSummary;
    expect(summary.stopReason).toBe('vehicle');
    expect(summary.parkingCapped).toBe(true);
    expect(summary.costMinor).toBeLessThanOrEqual(500);
    expect(summary.capturedMinor).toBe(summary.costMinor);
    expect(summary.writtenOffMinor).toBe(0);
    // Settled at 3 h, still plugged in.
    expect(summary.endedAt - h.store.getSession(summary.sessionId)!.createdAt).toBeLessThanOrEqual(3 * 3_600_000 + 60_000);
    expect(h.connector(1).vehiclePlugged).toBe(true);
  });

  it('persists one stream of domain events for a session', async () => {
    harness = await KioskHarness.start(generic);
    const h = harness;
    await charge(h, 10_000);
    await h.sim({ type: 'plug', connectorId: 1, plugged: false });
    await h.run(3000);
    const sessionId = h.connector(1).lastSummary!.sessionId;
    const types = h.store.events({ sessionId }).map((e) => e.type);
    for (const type of ['session.created', 'session.authorized', 'charging.started', 'meter', 'charging.stopped', 'session.settled', 'connector.status']) expect(types).toContain(type);
    expect(types.indexOf('session.created')).toBeLessThan(types.indexOf('session.authorized'));
    expect(types.indexOf('charging.started')).toBeLessThan(types.indexOf('session.settled'));
    expect(h.store.meterSamples(sessionId).length).toBe(types.filter((t) => t === 'meter').length);
  });
});
