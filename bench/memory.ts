// Benchmark figure 5, run by bench/run.ts in its own process (node --expose-gc):
// the brain's memory before and after many whole charging sessions at accelerated
// time. The kiosk runs in this process (createKiosk: store, station, simulated
// devices) on a ManualClock, driven as the screen and the simulator panel would:
// select → pay by card → plug in → charge → unplug → summary → close. Prints one
// JSON object on stdout.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { ManualClock } from '../devices/clock.js';
import { KioskConfig } from '../electron/config/config-schema.js';
import type { Command, ConnectorPhase, SimCommand } from '../electron/contract/index.js';
import { createKiosk, type Kiosk } from '../electron/kiosk.js';

const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 1000);
const WARMUP = Number(process.env.BENCH_WARMUP_SESSIONS ?? 20);
const CHARGE_MS = 10_000; // 10 s of charging per session: 20 meter samples at the default 500 ms

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');

const MB = 1024 * 1024;
/** After two collections and a few idle turns of the event loop (native finalisers, e.g. SQLite statements, run there). */
async function reading() {
  for (let i = 0; i < 3; i++) {
    gc!();
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  gc!();
  const m = process.memoryUsage();
  return {
    heapUsedMB: +(m.heapUsed / MB).toFixed(2),
    heapTotalMB: +(m.heapTotal / MB).toFixed(2),
    rssMB: +(m.rss / MB).toFixed(2),
    externalMB: +(m.external / MB).toFixed(2),
  };
}

const flush = async () => {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
};

const clock = new ManualClock();
const dataDir = mkdtempSync(join(tmpdir(), 'kiosk-bench-memory-'));
const config = KioskConfig.parse({ devices: { terminal: { kind: 'simulated', approvalDelayMs: 1000 } } });
const log = pino({ level: 'silent' });

async function settle<T>(work: Promise<T>): Promise<T> {
  let done = false;
  void work.finally(() => (done = true));
  await flush();
  for (let i = 0; i < 1000 && !done; i++) {
    clock.advance(10);
    await flush();
  }
  return work;
}

async function run(ms: number, step = 100): Promise<void> {
  for (let t = 0; t < ms; t += step) {
    await flush();
    clock.advance(Math.min(step, ms - t));
  }
  await flush();
}

const phase = (): ConnectorPhase => kiosk.station.snapshot().connectors.find((c) => c.id === 1)!.phase;
const command = async (c: Command) => {
  const result = await settle(kiosk.station.handle(c));
  if (!result.ok) throw new Error(`${c.type}: ${JSON.stringify(result.error)}`);
};
const sim = async (c: SimCommand) => {
  const result = await settle(kiosk.station.handleSim(c));
  if (!result.ok) throw new Error(`${c.type}: ${JSON.stringify(result.error)}`);
};
function expectPhase(expected: ConnectorPhase, session: number): void {
  if (phase() !== expected) throw new Error(`session ${session}: expected ${expected}, connector is ${phase()}`);
}

async function session(n: number): Promise<void> {
  await command({ type: 'selectConnector', connectorId: 1 });
  await command({ type: 'choosePayment', connectorId: 1, method: 'card' });
  await run(1500);
  expectPhase('awaitingVehicle', n);
  await sim({ type: 'plug', connectorId: 1, plugged: true });
  await run(CHARGE_MS, 250);
  expectPhase('charging', n);
  await sim({ type: 'plug', connectorId: 1, plugged: false });
  await run(2000);
  expectPhase('summary', n);
  await command({ type: 'closeSummary', connectorId: 1 });
  await run(200);
  expectPhase('available', n);
}

const started = performance.now();
const booting = createKiosk({ config, dataDir, clock, log });
let booted = false;
void booting.then(() => (booted = true), () => (booted = true));
for (let i = 0; i < 200 && !booted; i++) {
  await flush();
  clock.advance(10);
}
const kiosk: Kiosk = await booting;
await run(200);

const cold = await reading();
for (let i = 0; i < WARMUP; i++) await session(-i - 1);
const before = await reading();
const sessionsStarted = performance.now();
const blockMs: number[] = [];
let blockStarted = performance.now();
for (let i = 0; i < SESSIONS; i++) {
  await session(i + 1);
  if ((i + 1) % 100 === 0 || i + 1 === SESSIONS) {
    blockMs.push(Math.round(performance.now() - blockStarted));
    blockStarted = performance.now();
    process.stderr.write(`  memory: ${i + 1}/${SESSIONS} sessions\n`);
  }
}
const wallMs = performance.now() - sessionsStarted;
const after = await reading();
const openHolds = kiosk.station.snapshot().sim?.terminal?.openHolds ?? null;
await kiosk.close();
rmSync(dataDir, { recursive: true, force: true });

process.stdout.write(
  JSON.stringify({
    sessions: SESSIONS,
    warmupSessions: WARMUP,
    chargingPerSessionS: CHARGE_MS / 1000,
    simulatedHours: +((SESSIONS * (CHARGE_MS + 1500 + 2000 + 200)) / 3_600_000).toFixed(1),
    wallS: +(wallMs / 1000).toFixed(1),
    totalS: +((performance.now() - started) / 1000).toFixed(1),
    openHoldsAfter: openHolds,
    cold,
    before,
    after,
    growth: {
      heapUsedMB: +(after.heapUsedMB - before.heapUsedMB).toFixed(2),
      rssMB: +(after.rssMB - before.rssMB).toFixed(2),
      heapUsedSinceColdMB: +(after.heapUsedMB - cold.heapUsedMB).toFixed(2),
      rssSinceColdMB: +(after.rssMB - cold.rssMB).toFixed(2),
    },
  }) + '\n',
);
