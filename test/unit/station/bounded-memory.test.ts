// What a long-running kiosk must not pile up per session (found by `npm run bench`'s
// memory figure): the store prepares each SQL text once, not on every call, and the
// simulated chargers keep no log of the frames they received. Asserted on what the
// kiosk holds, never by measuring memory.
import { afterEach, describe, expect, it, vi } from 'vitest';
import type * as Sqlite from '@photostructure/sqlite';
import { RapiEvseSimulator } from '../../../devices/charger/rapi-simulator.js';
import { KioskHarness, payAndPlug } from './kiosk-harness.js';

/** Every SQL text any database connection of this test file prepared, in order. */
const prepared = vi.hoisted((): string[] => []);
vi.mock('@photostructure/sqlite', async (importOriginal) => {
  const actual = await importOriginal<typeof Sqlite>();
  class CountingDatabase extends actual.DatabaseSync {
    override prepare(...args: Parameters<InstanceType<typeof actual.DatabaseSync>['prepare']>) {
      prepared.push(args[0]);
      return super.prepare(...args);
    }
  }
  return { ...actual, DatabaseSync: CountingDatabase };
});

let harness: KioskHarness | null = null;
afterEach(async () => {
  vi.restoreAllMocks();
  await harness?.close();
  harness = null;
});

/** One whole session on a connector, as the bench drives it: pay, plug, charge, unplug, close the summary. */
async function session(h: KioskHarness, connectorId: number): Promise<void> {
  await payAndPlug(h, connectorId);
  await h.run(10_000, 250);
  await h.sim({ type: 'plug', connectorId, plugged: false });
  await h.run(2000);
  expect(h.connector(connectorId).phase).toBe('summary');
  expect(await h.command({ type: 'closeSummary', connectorId })).toEqual({ ok: true });
  await h.run(200);
  expect(h.connector(connectorId).phase).toBe('available');
}

describe('a kiosk after many sessions', () => {
  it('prepares no SQL statement again: each text once, however often it runs', async () => {
    harness = await KioskHarness.start();
    const h = harness;
    await session(h, 1);
    await session(h, 2);
    const afterTwo = prepared.length;
    for (let i = 0; i < 6; i++) await session(h, (i % 2) + 1);
    expect(prepared.length).toBe(afterTwo);
    expect(new Set(prepared).size).toBe(prepared.length);
    expect(h.store.listSessions()).toHaveLength(8);
  });

  it('keeps no frames in its simulated chargers, though the driver talks to them all the time', async () => {
    const attach = vi.spyOn(RapiEvseSimulator.prototype, 'attach');
    harness = await KioskHarness.start();
    const h = harness;
    const simulators = attach.mock.contexts as RapiEvseSimulator[];
    expect(simulators).toHaveLength(2);
    for (let i = 0; i < 4; i++) await session(h, (i % 2) + 1);
    expect(h.store.listSessions().every((s) => s.status === 'finished' && (s.energyWh ?? 0) > 0)).toBe(true);
    for (const simulator of simulators) expect(simulator.received).toEqual([]);
  });
});
