// Benchmark figure 5, run by bench/run.ts in its own process (node --expose-gc):
// the brain's memory before and after many whole charging sessions at accelerated
// time. The kiosk runs in this process (createKiosk: store, station, simulated
// devices) with 8 connectors on a ManualClock, driven as the screen and the simulator
// panel would: select → pay by card → plug in → charge → unplug → summary → close.
// One driver at a time uses the screen (the station allows no more), while the cars
// of earlier drivers charge on the other connectors, so sessions overlap. Prints one
// JSON object on stdout.
//
//   BENCH_SESSIONS         measured sessions (10,000)
//   BENCH_WARMUP_SESSIONS  sessions before the "before" reading (1,200)
//   BENCH_CONNECTORS       connectors, 1 to 8 (8)
//   BENCH_CHARGE_MS        charging per session, kiosk-clock ms (10,000)
//   BENCH_READING_EVERY    sessions between readings (1,000)
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { ManualClock } from '../devices/clock.js';
import { KioskConfig } from '../electron/config/config-schema.js';
import type { Command, ConnectorPhase, SimCommand } from '../electron/contract/index.js';
import { createKiosk, type Kiosk } from '../electron/kiosk.js';

const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 10_000);
// Long enough for the JIT, and for what is bounded to be full: the simulated ZVT terminal
// in this process (as in sim mode) and its driver remember their last 500 reservations,
// journal lines and requests, in state files rewritten whole at each change. rss still
// rises after it, by about 1 MB per 1,000 sessions for some thousands of sessions, then
// stays level; all of it anonymous memory (malloc), while the heap stays level. A warm-up
// of 2,500 did not take it away (Node 22, 2 CPUs: rss +6.4 MB, level from 5,000 sessions
// on); MALLOC_ARENA_MAX=2 halved it (+3.9 MB in the first 1,000, then +0.1 MB in 3,000).
const WARMUP = Number(process.env.BENCH_WARMUP_SESSIONS ?? 1_200);
const CONNECTORS = Number(process.env.BENCH_CONNECTORS ?? 8);
const CHARGE_MS = Number(process.env.BENCH_CHARGE_MS ?? 10_000); // 20 meter samples at the default 500 ms
const READING_EVERY = Number(process.env.BENCH_READING_EVERY ?? 1000);
/** Kiosk-clock time the pump moves on per step; every step gives the event loop a few turns. */
const STEP_MS = 100;
/** The longest any one step of a session may take on the kiosk clock before the bench gives up. */
const PHASE_TIMEOUT_MS = 30_000;

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');

const MB = 1024 * 1024;
/**
 * After 5 s of idle with a collection every 500 ms. Native finalisers run in the idle
 * turns, and V8 gives the pages it freed back to the system only a few seconds after a
 * busy spell (rss read sooner holds ~10 MB of them after the warm-up, and less after
 * other blocks, which reads as growth or shrinkage that is not there).
 */
async function reading() {
  for (let i = 0; i < 10; i++) {
    gc!();
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  const m = process.memoryUsage();
  return {
    heapUsedMB: +(m.heapUsed / MB).toFixed(2),
    heapTotalMB: +(m.heapTotal / MB).toFixed(2),
    rssMB: +(m.rss / MB).toFixed(2),
    ...rssParts(),
    externalMB: +(m.external / MB).toFixed(2),
  };
}

/**
 * Linux splits rss into anonymous memory (heaps, malloc: what a leak grows) and pages of
 * mapped files (the node binary's and libraries' code as more of it runs, SQLite's -shm),
 * which the system can drop and read back. Elsewhere: nulls.
 */
function rssParts(): { rssAnonMB: number | null; rssFileMB: number | null } {
  let status = '';
  try {
    status = readFileSync('/proc/self/status', 'latin1');
  } catch {
    return { rssAnonMB: null, rssFileMB: null };
  }
  const kB = (field: string): number | null => {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
    return match ? +(Number(match[1]) / 1024).toFixed(2) : null;
  };
  return { rssAnonMB: kB('RssAnon'), rssFileMB: kB('RssFile') };
}
type Reading = Awaited<ReturnType<typeof reading>>;
const growth = (from: Reading, to: Reading) => ({
  heapUsedMB: +(to.heapUsedMB - from.heapUsedMB).toFixed(2),
  rssMB: +(to.rssMB - from.rssMB).toFixed(2),
  rssAnonMB: to.rssAnonMB === null || from.rssAnonMB === null ? null : +(to.rssAnonMB - from.rssAnonMB).toFixed(2),
  rssFileMB: to.rssFileMB === null || from.rssFileMB === null ? null : +(to.rssFileMB - from.rssFileMB).toFixed(2),
  externalMB: +(to.externalMB - from.externalMB).toFixed(2),
});

const flush = async () => {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
};

const clock = new ManualClock();
const dataDir = mkdtempSync(join(tmpdir(), 'kiosk-bench-memory-'));
const config = KioskConfig.parse({
  devices: { terminal: { kind: 'simulated', approvalDelayMs: 1000 } },
  connectors: Array.from({ length: CONNECTORS }, (_, i) => ({ id: i + 1, label: String(i + 1) })),
});
const log = pino({ level: 'silent' });

// ── the kiosk clock: one pump moves it for every connector ─────────────────

let stepWaiters: (() => void)[] = [];
/** Resolves after the pump's next step. */
const nextStep = () => new Promise<void>((resolve) => stepWaiters.push(resolve));

/** Moves the kiosk clock on in steps until `work` has settled. */
async function pump<T>(work: Promise<T>): Promise<T> {
  let done = false;
  void work.then(
    () => (done = true),
    () => (done = true),
  );
  await flush();
  while (!done) {
    clock.advance(STEP_MS);
    await flush();
    const waiters = stepWaiters;
    stepWaiters = [];
    for (const resolve of waiters) resolve();
    await flush();
  }
  return work;
}

/** Waits, on the kiosk clock, until the connector is in `expected`. */
async function reach(connectorId: number, expected: ConnectorPhase, session: number): Promise<void> {
  const deadline = clock.now() + PHASE_TIMEOUT_MS;
  while (phase(connectorId) !== expected) {
    if (clock.now() > deadline) throw new Error(`session ${session}: connector ${connectorId} is ${phase(connectorId)}, expected ${expected}`);
    await nextStep();
  }
}

async function wait(ms: number): Promise<void> {
  const end = clock.now() + ms;
  while (clock.now() < end) await nextStep();
}

const phase = (connectorId: number): ConnectorPhase => kiosk.station.snapshot().connectors.find((c) => c.id === connectorId)!.phase;
const command = async (c: Command) => {
  const result = await kiosk.station.handle(c);
  if (!result.ok) throw new Error(`${c.type}: ${JSON.stringify(result.error)}`);
};
const sim = async (c: SimCommand) => {
  const result = await kiosk.station.handleSim(c);
  if (!result.ok) throw new Error(`${c.type}: ${JSON.stringify(result.error)}`);
};

// ── drivers ─────────────────────────────────────────────────────────────────

/** The screen, one driver at a time, in the order they came. */
let screen: Promise<unknown> = Promise.resolve();
function atScreen(work: () => Promise<void>): Promise<void> {
  const turn = screen.then(work);
  screen = turn.catch(() => {});
  return turn;
}

let charging = 0;
let mostCharging = 0;

async function session(connectorId: number, n: number): Promise<void> {
  await atScreen(async () => {
    await command({ type: 'selectConnector', connectorId });
    await command({ type: 'choosePayment', connectorId, method: 'card' });
    await reach(connectorId, 'awaitingVehicle', n);
    await sim({ type: 'plug', connectorId, plugged: true });
    await reach(connectorId, 'charging', n);
  });
  mostCharging = Math.max(mostCharging, ++charging);
  await wait(CHARGE_MS);
  charging--;
  if (phase(connectorId) !== 'charging') throw new Error(`session ${n}: connector ${connectorId} stopped charging early (${phase(connectorId)})`);
  // The driver comes back; the summary takes the screen once nobody else is in a flow.
  await atScreen(async () => {
    await sim({ type: 'plug', connectorId, plugged: false });
    await reach(connectorId, 'summary', n);
    await command({ type: 'closeSummary', connectorId });
    await reach(connectorId, 'available', n);
  });
}

/** `count` sessions, numbered from `first`, over every connector at once; returns when all have ended. */
function sessions(first: number, count: number): Promise<void> {
  let next = first;
  const end = first + count;
  const connector = async (connectorId: number) => {
    while (next < end) await session(connectorId, next++);
  };
  return pump(Promise.all(config.connectors.map((c) => connector(c.id))).then(() => {}));
}

// ── run ─────────────────────────────────────────────────────────────────────

const started = performance.now();
const kiosk: Kiosk = await pump(createKiosk({ config, dataDir, clock, log }));
await pump(wait(200));

const cold = await reading();
await sessions(-WARMUP, WARMUP);
const before = await reading();
const timersBefore = clock.pendingTimers();
const clockBefore = clock.now();
const sessionsStarted = performance.now();
const readings: (Reading & { sessions: number; wallS: number })[] = [];
for (let done = 0; done < SESSIONS; ) {
  const count = Math.min(READING_EVERY, SESSIONS - done);
  const blockStarted = performance.now();
  await sessions(done + 1, count);
  done += count;
  const wallS = +((performance.now() - blockStarted) / 1000).toFixed(1);
  readings.push({ sessions: done, wallS, ...(await reading()) });
  process.stderr.write(`  memory: ${done}/${SESSIONS} sessions, rss ${readings.at(-1)!.rssMB} MB (anonymous ${readings.at(-1)!.rssAnonMB}, files ${readings.at(-1)!.rssFileMB}), heap ${readings.at(-1)!.heapUsedMB} MB\n`);
}
const wallMs = performance.now() - sessionsStarted;
const after = readings.at(-1) ?? before;
const simulatedMs = clock.now() - clockBefore;
const openHolds = kiosk.station.snapshot().sim?.terminal?.openHolds ?? null;
const timersAfter = clock.pendingTimers();
await kiosk.close();
rmSync(dataDir, { recursive: true, force: true });

process.stdout.write(
  JSON.stringify({
    sessions: SESSIONS,
    warmupSessions: WARMUP,
    connectors: CONNECTORS,
    mostChargingAtOnce: mostCharging,
    chargingPerSessionS: CHARGE_MS / 1000,
    simulatedHours: +(simulatedMs / 3_600_000).toFixed(1),
    wallS: +(wallMs / 1000).toFixed(1),
    totalS: +((performance.now() - started) / 1000).toFixed(1),
    openHoldsAfter: openHolds,
    /** Timers on the kiosk clock with every connector idle: one left per session would show here. */
    pendingTimers: { before: timersBefore, after: timersAfter },
    cold,
    before,
    after,
    readings,
    growth: {
      ...growth(before, after),
      heapUsedSinceColdMB: +(after.heapUsedMB - cold.heapUsedMB).toFixed(2),
      rssSinceColdMB: +(after.rssMB - cold.rssMB).toFixed(2),
    },
  }) + '\n',
);
