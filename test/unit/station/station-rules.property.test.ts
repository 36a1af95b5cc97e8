// The rules in the README (Rules that always hold), asserted at every step of random sessions:
// fast-check drives the whole kiosk (station, store, simulated charger and terminal)
// through arbitrary sequences of taps, plugs, card answers, faults, restarts and time,
// once with the ZVT driver against the ZVT simulator (sim mode's terminal) and once with
// the generic terminal that can be asked by reference.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { KioskHarness } from './kiosk-harness.js';
import type { SimulatedCharger } from '../../../devices/charger/simulated-charger.js';
import type { SimulatedCardTerminal } from '../../../devices/payment/simulated-card-terminal.js';
import type { CardOutcome } from '../../../electron/contract/commands.js';

type Terminal = 'zvt' | 'generic';
const OUTCOMES: Record<Terminal, CardOutcome[]> = {
  generic: ['approve', 'decline', 'timeout'],
  zvt: ['approve', 'decline', 'timeout', 'pin', 'lateApproval', 'busy', 'cardRemoved'],
};

type Step =
  | { kind: 'select'; c: number }
  | { kind: 'pay'; c: number }
  | { kind: 'start'; c: number }
  | { kind: 'session'; c: number; ms: number }
  | { kind: 'cancel'; c: number }
  | { kind: 'retry'; c: number }
  | { kind: 'home' }
  | { kind: 'stop'; c: number }
  | { kind: 'plug'; c: number; plugged: boolean }
  | { kind: 'outcome'; outcome: CardOutcome }
  | { kind: 'fault'; c: number; fault: boolean }
  | { kind: 'full'; c: number }
  | { kind: 'reboot'; c: number }
  | { kind: 'close'; c: number }
  | { kind: 'wait'; ms: number }
  | { kind: 'restart' };

const connector = fc.constantFrom(1, 2);
const stepOf = (terminal: Terminal): fc.Arbitrary<Step> => fc.oneof(
  { arbitrary: connector.map((c) => ({ kind: 'select' as const, c })), weight: 3 },
  { arbitrary: connector.map((c) => ({ kind: 'pay' as const, c })), weight: 2 },
  { arbitrary: connector.map((c) => ({ kind: 'start' as const, c })), weight: 5 },
  // a whole visit: pay, plug in, charge a while, unplug
  { arbitrary: fc.record({ kind: fc.constant('session' as const), c: connector, ms: fc.integer({ min: 1000, max: 3_600_000 }) }), weight: 2 },
  { arbitrary: connector.map((c) => ({ kind: 'cancel' as const, c })), weight: 1 },
  { arbitrary: connector.map((c) => ({ kind: 'retry' as const, c })), weight: 1 },
  { arbitrary: fc.constant({ kind: 'home' as const }), weight: 1 },
  { arbitrary: connector.map((c) => ({ kind: 'stop' as const, c })), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('plug' as const), c: connector, plugged: fc.boolean() }), weight: 4 },
  { arbitrary: fc.record({ kind: fc.constant('outcome' as const), outcome: fc.constantFrom(...OUTCOMES[terminal]) }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('fault' as const), c: connector, fault: fc.boolean() }), weight: 1 },
  { arbitrary: connector.map((c) => ({ kind: 'full' as const, c })), weight: 1 },
  // the controller restarts and comes back enabled
  { arbitrary: connector.map((c) => ({ kind: 'reboot' as const, c })), weight: 1 },
  { arbitrary: connector.map((c) => ({ kind: 'close' as const, c })), weight: 1 },
  { arbitrary: fc.integer({ min: 100, max: 120_000 }).map((ms) => ({ kind: 'wait' as const, ms })), weight: 5 },
  // long enough to reach the hold
  { arbitrary: fc.integer({ min: 10 * 60_000, max: 60 * 60_000 }).map((ms) => ({ kind: 'wait' as const, ms })), weight: 1 },
  { arbitrary: fc.constant({ kind: 'restart' as const }), weight: 1 },
);

function chargers(h: KioskHarness): Map<number, SimulatedCharger> {
  return (h.station as unknown as { options: { devices: { chargers: Map<number, SimulatedCharger> } } }).options.devices.chargers;
}

async function apply(h: KioskHarness, s: Step): Promise<void> {
  switch (s.kind) {
    case 'session':
      await apply(h, { kind: 'start', c: s.c });
      await h.sim({ type: 'plug', connectorId: s.c, plugged: true });
      await h.run(s.ms, s.ms > 120_000 ? 2000 : 500);
      return void (await h.sim({ type: 'plug', connectorId: s.c, plugged: false }));
    case 'select':
      return void (await h.command({ type: 'selectConnector', connectorId: s.c }));
    case 'pay':
      return void (await h.command({ type: 'choosePayment', connectorId: s.c, method: 'card' }));
    case 'start':
      await h.command({ type: 'selectConnector', connectorId: s.c });
      await h.command({ type: 'choosePayment', connectorId: s.c, method: 'card' });
      return h.run(2000);
    case 'cancel':
      return void (await h.command({ type: 'cancel', connectorId: s.c }));
    case 'retry':
      return void (await h.command({ type: 'retryPayment', connectorId: s.c }));
    case 'home':
      return void (await h.command({ type: 'goHome' }));
    case 'stop': {
      const code = h.station['connectors' as never] as unknown as Map<number, { actor: { getSnapshot(): { context: { session: { stopCode: string } | null } } } }>;
      const stopCode = code.get(s.c)?.actor.getSnapshot().context.session?.stopCode ?? '0000';
      return void (await h.command({ type: 'stop', connectorId: s.c, code: stopCode }));
    }
    case 'plug':
      return void (await h.sim({ type: 'plug', connectorId: s.c, plugged: s.plugged }));
    case 'outcome':
      return void (await h.sim({ type: 'cardOutcome', outcome: s.outcome }));
    case 'fault':
      return void (await h.sim({ type: 'fault', connectorId: s.c, fault: s.fault }));
    case 'full':
      return void (await h.sim({ type: 'vehicleFull', connectorId: s.c }));
    case 'reboot':
      await h.sim({ type: 'reboot', connectorId: s.c });
      // the kiosk needs a moment (the $AB boot message) to put it back to sleep
      return h.run(1000);
    case 'close':
      return void (await h.command({ type: 'closeSummary', connectorId: s.c }));
    case 'wait':
      return h.run(s.ms, s.ms > 120_000 ? 2000 : 500);
    case 'restart':
      return h.restart();
  }
}

type StationInternals = {
  connectors: Map<number, { actor: { getSnapshot(): { context: { session: { authorization: { key: string; limitMinor: number } | null } | null } } } }>;
  options: { devices: { terminal: SimulatedCardTerminal } };
};

/** What the terminal itself has open, not what the kiosk believes: from its own record. */
function openOnTerminal(h: KioskHarness, terminal: Terminal): { reference: string | null; amountMinor: number }[] {
  if (terminal === 'generic') {
    const internals = h.station as unknown as StationInternals;
    return internals.options.devices.terminal.simState().holds.filter((hold) => hold.state === 'open');
  }
  const state = JSON.parse(readFileSync(join(h.dataDir, 'sim', 'zvt-terminal.json'), 'utf8')) as { reservations: { reference: string | null; amountMinor: number; state: string }[] };
  return state.reservations.filter((r) => r.state === 'open');
}

/** Rules that hold after every step. */
async function assertRules(h: KioskHarness, terminal: Terminal): Promise<void> {
  const snapshot = h.snapshot();
  const internals = h.station as unknown as StationInternals;
  const open = openOnTerminal(h, terminal);
  for (const [id, charger] of chargers(h)) {
    const status = await charger.status();
    const view = snapshot.connectors.find((c) => c.id === id)!;
    const authorization = internals.connectors.get(id)!.actor.getSnapshot().context.session?.authorization ?? null;
    const covered = authorization !== null && open.some((hold) => hold.reference === authorization.key && hold.amountMinor === authorization.limitMinor);
    // Rule 1 and 5: energy only while an authorisation the terminal holds open covers it; asleep whenever no paid session runs.
    if (status.mode === 'enabled') expect(covered, `connector ${id} enabled in ${view.phase} without an open hold`).toBe(true);
    if (status.relayClosed) expect(covered, `connector ${id} delivering in ${view.phase} without an open hold`).toBe(true);
    // Rule 3: the screen never shows more taken than authorised.
    if (view.lastSummary) expect(view.lastSummary.capturedMinor).toBeLessThanOrEqual(h.config.payment.holdMinor);
  }
  // Rule 4: the terminal never holds two open holds for one request.
  const references = open.map((hold) => hold.reference);
  expect(new Set(references).size, `two holds for one request: ${references.join(', ')}`).toBe(references.length);
}

/** Rules that hold once every car is unplugged and every timer has run out. */
async function assertSettled(h: KioskHarness): Promise<void> {
  for (const c of [1, 2]) await h.sim({ type: 'fault', connectorId: c, fault: false });
  for (const c of [1, 2]) await h.sim({ type: 'plug', connectorId: c, plugged: false });
  await h.run(10 * 60_000, 1000);
  const snapshot = h.snapshot();
  for (const c of snapshot.connectors) expect(['available', 'summary'], `connector ${c.id}`).toContain(c.phase);
  // Rule 4: every hold ended captured or released, exactly once.
  expect(snapshot.sim!.terminal!.openHolds).toBe(0);
  const sessions = h.store.listSessions(1000);
  for (const s of sessions) seen[s.status === 'finished' ? (s.stopReason === 'holdLimit' ? 'holdLimit' : 'finished') : 'cancelled']++;
  for (const s of sessions) {
    expect(s.status, `session ${s.id}`).not.toBe('active');
    const payments = h.store.paymentsOf(s.id);
    const approvals = payments.filter((p) => p.operation === 'authorize' && p.status === 'done');
    const ends = payments.filter((p) => (p.operation === 'capture' || p.operation === 'release') && p.status === 'done');
    expect(approvals, `session ${s.id}`).toHaveLength(1);
    expect(ends, `session ${s.id}`).toHaveLength(1);
    // Rule 3: never more than authorised; the difference is written off.
    if (s.status === 'finished') {
      expect(s.capturedMinor!).toBeLessThanOrEqual(approvals[0]!.amountMinor);
      expect(s.capturedMinor! + s.writtenOffMinor!).toBe(s.costMinor);
    }
  }
  // Rule 6: one durable record and one audit entry per finished session, chain intact.
  const audit = h.store.auditLog(100_000);
  for (const s of sessions) expect(audit.filter((a) => a.action === `session.${s.status}` && (a.data as { sessionId: string }).sessionId === s.id)).toHaveLength(1);
  expect(h.store.verifyAudit()).toBeNull();
}

/** What the random sessions covered, so that a generator that never reaches a session fails. */
const seen = { finished: 0, holdLimit: 0, cancelled: 0 };

describe.each(['zvt', 'generic'] as const)('station rules (property), %s terminal', (terminal) => {
  const open: KioskHarness[] = [];
  afterAll(async () => {
    for (const h of open) await h.close().catch(() => undefined);
  });

  it('hold at every step of random sessions with restarts', async () => {
    for (const key of Object.keys(seen) as (keyof typeof seen)[]) seen[key] = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(stepOf(terminal), { minLength: 5, maxLength: 30 }), async (steps) => {
        const h = await KioskHarness.start({ payment: { holdMinor: 100 }, devices: { terminal: { kind: 'simulated', protocol: terminal, approvalDelayMs: 1000 } } });
        open.push(h);
        try {
          for (const s of steps) {
            await apply(h, s);
            await assertRules(h, terminal);
          }
          await assertSettled(h);
        } finally {
          await h.close();
          open.splice(open.indexOf(h), 1);
        }
      }),
      // A fixed seed: the coverage counts below must not depend on the draw (they fell to 5 in 1 of ~4 unseeded runs). FC_SEED explores others.
      { numRuns: terminal === 'zvt' ? 20 : 25, seed: Number(process.env.FC_SEED ?? 20261203) },
    );
    expect(seen.finished + seen.holdLimit).toBeGreaterThan(5);
    expect(seen.holdLimit).toBeGreaterThan(0);
    expect(seen.cancelled).toBeGreaterThan(0);
  }, 180_000);
});
