// A whole kiosk (store, station, simulated devices) on a manual clock and a
// temporary data folder, for tests that drive it as the screen and the simulator
// panel would.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { expect } from 'vitest';
import { ManualClock } from '../../../devices/clock.js';
import { KioskConfig, type KioskConfigInput } from '../../../electron/config/config-schema.js';
import { createKiosk, type Kiosk } from '../../../electron/kiosk.js';
import type { Command, SimCommand, Snapshot } from '../../../electron/contract/index.js';

export const silentLog = pino({ level: process.env.HARNESS_LOG ?? 'silent' });

export class KioskHarness {
  kiosk!: Kiosk;

  private constructor(
    readonly clock: ManualClock,
    readonly dataDir: string,
    readonly config: KioskConfig,
  ) {}

  static async start(overrides: KioskConfigInput = {}, clock = new ManualClock(), dataDir = mkdtempSync(join(tmpdir(), 'kiosk-test-'))): Promise<KioskHarness> {
    const config = KioskConfig.parse({ devices: { terminal: { kind: 'simulated', approvalDelayMs: 1000 } }, ...overrides });
    const harness = new KioskHarness(clock, dataDir, config);
    await harness.boot();
    return harness;
  }

  /** Starts (or starts again) the kiosk on the same data folder and clock. */
  async boot(): Promise<void> {
    const booting = createKiosk({ config: this.config, dataDir: this.dataDir, clock: this.clock, log: silentLog });
    // The simulators' boot messages and the reconcile step run on the clock.
    let done = false;
    void booting.then(() => (done = true), () => (done = true));
    for (let i = 0; i < 2000 && !done; i++) {
      await flush();
      this.clock.advance(10);
    }
    this.kiosk = await booting;
    await this.run(200);
  }

  async restart(): Promise<void> {
    await this.kiosk.close();
    await this.boot();
  }

  get station() {
    return this.kiosk.station;
  }

  get store() {
    return this.kiosk.store;
  }

  snapshot(): Snapshot {
    return this.station.snapshot();
  }

  connector(id: number) {
    return this.snapshot().connectors.find((c) => c.id === id)!;
  }

  async command(command: Command) {
    return this.whileRunning(this.station.handle(command));
  }

  async sim(command: SimCommand) {
    return this.whileRunning(this.station.handleSim(command));
  }

  /** Awaits work that may itself wait on the clock (a printer printing), moving time in small steps. */
  private async whileRunning<T>(work: Promise<T>): Promise<T> {
    let done = false;
    void work.finally(() => (done = true));
    await flush();
    for (let i = 0; i < 1000 && !done; i++) {
      this.clock.advance(10);
      await flush();
    }
    return work;
  }

  /** Lets `ms` of clock time pass in steps, running everything that falls due. */
  async run(ms: number, step = 100): Promise<void> {
    for (let t = 0; t < ms; t += step) {
      await flush();
      this.clock.advance(Math.min(step, ms - t));
    }
    await flush();
  }

  async close(): Promise<void> {
    await this.kiosk.close();
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}

export async function flush(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
}

/** A driver pays by card at the screen and plugs in; the car is charging when it returns. */
export async function payAndPlug(h: KioskHarness, connectorId: number): Promise<void> {
  expect(await h.command({ type: 'selectConnector', connectorId })).toEqual({ ok: true });
  expect(await h.command({ type: 'choosePayment', connectorId, method: 'card' })).toEqual({ ok: true });
  expect(h.connector(connectorId).phase).toBe('authorizing');
  await h.run(1500);
  expect(h.connector(connectorId).phase).toBe('awaitingVehicle');
  await h.sim({ type: 'plug', connectorId, plugged: true });
  await h.run(1000);
  expect(h.connector(connectorId).phase).toBe('charging');
}
