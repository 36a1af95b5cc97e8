// The chaos harness: `npm run chaos -- --kills N --seed S [--latency-ms L] [--terminal zvt|generic]`.
//
// It starts the kiosk's real entry (the built web host) as a child process on a
// temporary data folder at an accelerated clock, drives random sessions through its
// HTTP API (driver.ts), kills it with SIGKILL at random moments and at aimed ones, and
// starts it again on the same folder. After every kill and at the end it checks the
// rules (rules.ts) from outside: from the store, read-only, and from the simulated
// devices' own state files (observe.ts). Chargers are also watched while the kiosk runs.
// The card terminal is the ZVT simulator behind the real ZVT driver (`--terminal zvt`,
// the default: reservations by receipt number, no idempotency) or the generic simulated
// terminal (`--terminal generic`), set in the child's config (devices.terminal.protocol).
// Drivers also pay with the sim-mode demo station cards (prepaid, on account, refused)
// through the simulated RFID reader; the prepaid one is topped up with the accounts tool
// beside the running kiosk every fifth kill, and the ledger is held to its rules too.
// A technician (added to the data folder before the first start) logs in on the screen's
// WebSocket now and then and runs a relay test on a connector nobody uses; the charger
// may be enabled while the test runs (its audit entries in the store say so), never
// deliver, and is asleep again after it, also when a kill interrupted the test.
//
// Aimed kill points, chosen in turn with the random ones:
//   commit             inside an SQLite transaction, before COMMIT: the one window that
//                      cannot be seen from outside, reached through the fault point
//                      KIOSK_FAULT_POINT=store.commit (electron/fault-point.ts)
//   beforeEnable       the hold is taken and the car plugged in, the charger not yet enabled
//   stopBeforeCapture  charging stopped, the final amount not yet taken (settling)
//   captureInFlight    a capture is in the store's journal, the terminal has not answered
//   reconcile          during start-up, while the kiosk reconciles with its devices
//   relayTest          a technician's relay test under way (its audit entry seen), at a random
//                      moment of its maxMs: the restarted kiosk must put the charger back to sleep
// A window that does not open in time gets a random kill instead, not counted as aimed.
//
// Prints one JSON object on stdout: terminal, killPoints, aimed, survived, sessions,
// holds {placed, captured, released, open}, orphanHolds, doubleHolds, sessionsByMethod,
// stationCards {taps, reservations, charges, topUps}, relayTests {started, done, interrupted,
// interruptedEnabled, asked, answered, refused, lost},
// restartToFirstSnapshotMs {p50, p95}, quiet, violations [{rule, seed, detail}]; and a
// one-line summary on stderr. Exit code 1 when there is any violation.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { KioskStore } from '../../electron/store/kiosk-store.js';
import { TechnicianBook } from '../../electron/maintenance/technicians.js';
import { ChaosDriver, prng } from './driver.js';
import { KioskChild, type StartOptions } from './kiosk-child.js';
import { HoldLedger, readChargers, readStore, readTerminalHolds, TERMINAL_FILES, terminalsPresent } from './observe.js';
import {
  checkAccounts,
  checkAudit,
  checkChargers,
  checkHolds,
  checkSessions,
  connectorsInSession,
  findDoubleHolds,
  findOrphanHolds,
  openPaidConnectors,
  RelayTestWatch,
  toViolation,
  type StoreView,
  type TerminalProtocol,
  type Violation,
} from './rules.js';

const { values } = parseArgs({
  options: {
    kills: { type: 'string', default: '30' },
    seed: { type: 'string', default: '1' },
    'latency-ms': { type: 'string', default: '0' },
    'clock-speed': { type: 'string', default: '10' },
    connectors: { type: 'string', default: '2' },
    terminal: { type: 'string', default: 'zvt' },
    keep: { type: 'boolean', default: false },
    verbose: { type: 'boolean', default: false },
  },
});
const kills = Number(values.kills);
const seed = Number(values.seed);
const latencyMs = Number(values['latency-ms']);
const speed = Number(values['clock-speed']);
const connectorCount = Number(values.connectors);
const protocol = values.terminal as TerminalProtocol;
if (protocol !== 'zvt' && protocol !== 'generic') {
  process.stderr.write(`chaos: --terminal ${values.terminal} is not zvt or generic\n`);
  process.exit(2);
}
for (const [name, value, ok] of [
  ['--kills', kills, Number.isInteger(kills) && kills >= 0],
  ['--seed', seed, Number.isInteger(seed)],
  ['--latency-ms', latencyMs, latencyMs >= 0 && latencyMs <= 10_000],
  ['--clock-speed', speed, speed >= 1 && speed <= 100],
  ['--connectors', connectorCount, Number.isInteger(connectorCount) && connectorCount >= 1 && connectorCount <= 8],
] as const) {
  if (!ok) {
    process.stderr.write(`chaos: ${name} ${value} is out of range\n`);
    process.exit(2);
  }
}

const say = (message: string) => values.verbose && process.stderr.write(`chaos: ${message}\n`);
const random = prng(seed);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const connectorIds = Array.from({ length: connectorCount }, (_, i) => i + 1);

/** A controller takes some time to be reached and put to sleep after a start: enabled and unpaid is allowed this long, real ms. */
const ENABLED_GRACE_MS = 3000;
/** How long the harness waits for an aimed window before it kills at random instead, ms. */
const AIM_TIMEOUT_MS = 15_000;
/** The technician the harness adds to the data folder, for the relay tests. */
const TECHNICIAN = { name: 'Chaos Technician', pin: '482915' };
/** How long the station has to go quiet at the end, ms. */
const QUIET_TIMEOUT_MS = 120_000;

const dataDir = mkdtempSync(join(tmpdir(), 'kiosk-chaos-'));
const configFile = join(dataDir, 'chaos-config.json');
writeFileSync(
  configFile,
  JSON.stringify({
    station: { id: 'CHAOS-1' },
    devices: { terminal: { kind: 'simulated', protocol, approvalDelayMs: 1000, latencyMs: Math.round(latencyMs * speed) } },
    charging: { sampleIntervalMs: 500, stopDelayS: 2 },
    timeouts: { presentCardS: 20, plugInS: 60, summaryS: 10 },
    // Small batteries: some cars become full by themselves.
    connectors: connectorIds.map((id) => ({ id, label: String(id), charger: { kind: 'simulated', vehicleMaxCurrentA: 32, vehicleCapacityWh: 2000 } })),
    log: { level: 'warn' },
  }),
);

const kiosk = new KioskChild(configFile, dataDir, speed);
const driver = new ChaosDriver(kiosk, random, protocol, TECHNICIAN.pin);
const relayTests = new RelayTestWatch(speed);
const ledger = new HoldLedger();
const violations: Violation[] = [];
const seen = new Set<string>(); // one report per distinct problem
const report = (problems: string[]) => {
  for (const problem of problems) {
    if (seen.has(problem)) continue;
    seen.add(problem);
    violations.push(toViolation(problem, seed));
    say(`VIOLATION ${problem}`);
  }
};
/** Holds (holdKey) found orphaned or placed twice, over the whole run. */
const orphanHolds = new Set<string>();
const doubleHolds = new Set<string>();
const restartTimes: number[] = [];
const enabledSince = new Map<number, number>();
const kinds = { random: 0, commit: 0, beforeEnable: 0, stopBeforeCapture: 0, captureInFlight: 0, reconcile: 0, relayTest: 0 };
type Kind = keyof typeof kinds;
let aimed = 0;
let survived = 0;

/** Reads the devices and the store around them, and checks the chargers against what is paid. */
function watch(): StoreView | null {
  const readAt = performance.now();
  const earlier = readStore(dataDir);
  const chargers = readChargers(dataDir, connectorIds);
  const later = readStore(dataDir);
  ledger.update(readTerminalHolds(dataDir, protocol));
  // The relay tests as of the read before the chargers': a test that ended there had put its charger to sleep first.
  if (earlier) report(relayTests.update(earlier.relayTests, readAt));
  if (earlier && later) {
    const openPaid = openPaidConnectors(earlier, later);
    report(checkChargers(chargers, openPaid, performance.now(), enabledSince, ENABLED_GRACE_MS, { running: relayTests.running, sessionOpen: connectorsInSession(openPaid, later) }));
  }
  return later;
}

/** The rules that hold at any moment, checked while the kiosk is down. */
function checkAtRest(final: boolean): StoreView | null {
  const store = readStore(dataDir, { audit: true });
  if (store) report(relayTests.update(store.relayTests, performance.now()));
  relayTests.killed(readChargers(dataDir, connectorIds)); // a test still under way died with the kiosk
  if (!store) return null;
  ledger.update(readTerminalHolds(dataDir, protocol));
  report(checkHolds(ledger.all(), store, final));
  for (const finding of findOrphanHolds(ledger.all(), store, final)) finding.holds.forEach((key) => orphanHolds.add(key));
  for (const finding of findDoubleHolds(ledger.all(), final)) finding.holds.forEach((key) => doubleHolds.add(key));
  report(checkSessions(driver.paidSessions, store, final));
  report(checkAccounts(store, final));
  report(checkAudit(store));
  return store;
}

/** Starts the kiosk (again); a start that fails is a violation and ends the run. */
async function start(options: StartOptions): Promise<number | null> {
  enabledSince.clear(); // the controllers are reached afresh
  try {
    const ms = await kiosk.start(options);
    if (ms !== null) expectTerminal();
    return ms;
  } catch (error) {
    report([`kioskRuns: ${error instanceof Error ? error.message : String(error)}`]);
    throw error;
  }
}

/** The kiosk runs the terminal asked for: no other terminal's state file is in the data folder (the generic one writes its file only once it has something to keep). */
function expectTerminal(): void {
  const other = terminalsPresent(dataDir).filter((p) => p !== protocol);
  if (other.length === 0) return;
  throw new Error(`the kiosk was asked for the ${protocol} terminal (${TERMINAL_FILES[protocol]}), and it keeps ${other.map((p) => TERMINAL_FILES[p]).join(', ')}`);
}

/**
 * Starts the kiosk for the next kill point: armed with the fault point for 'commit',
 * killed part-way through its start for 'reconcile'. Resolves true when the process
 * died before its first snapshot (the kill point landed during start-up).
 */
async function startFor(kind: Kind): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const options: StartOptions = {};
  if (kind === 'reconcile') {
    const at = random() * (restartTimes.at(-1) ?? 1000) * 1.2;
    options.onSpawn = () => (timer = setTimeout(() => void kiosk.kill(), at));
  }
  if (kind === 'commit') options.env = { KIOSK_FAULT_POINT: 'store.commit', KIOSK_FAULT_AFTER: String(1 + Math.floor(random() * 120)) };
  const ms = await start(options).finally(() => clearTimeout(timer));
  if (ms !== null) restartTimes.push(ms);
  else if (kind !== 'reconcile' && kind !== 'commit') {
    report([`kioskRuns: the kiosk exited during start-up with nothing killing it:\n${kiosk.lastOutput}`]);
    throw new Error('the kiosk does not start');
  }
  return ms === null;
}

type Trigger = () => Promise<boolean>;

/** The window each aimed kill waits for, seen from outside; true when the kill should land now. */
function triggerOf(kind: Kind): Trigger {
  const deadline = performance.now() + AIM_TIMEOUT_MS;
  const randomAt = performance.now() + 200 + random() * 3000;
  const expired = () => performance.now() > deadline;
  switch (kind) {
    case 'beforeEnable':
      return async () => {
        const snapshot = await kiosk.snapshot().catch(() => null);
        const waiting = snapshot?.connectors.find((c) => c.phase === 'awaitingVehicle' && !snapshot.sim?.chargers?.find((s) => s.connectorId === c.id)?.plugged);
        if (!waiting) return expired();
        await kiosk.sim({ type: 'plug', connectorId: waiting.id, plugged: true }); // the car arrives; the kiosk enables the charger now
        await sleep(random() * 3);
        return true;
      };
    case 'stopBeforeCapture':
      return async () => {
        const snapshot = await kiosk.snapshot().catch(() => null);
        if (!snapshot?.connectors.some((c) => c.phase === 'settling')) return expired();
        await sleep(random() * 100);
        return true;
      };
    case 'relayTest': {
      const at = random(); // the moment of the test's maxMs to kill at
      return async () => {
        const test = relayTests.running.values().next().value;
        if (test) return performance.now() >= test.seenAt + at * test.maxRealMs;
        const snapshot = driver.relayTestUnderWay ? null : await kiosk.snapshot().catch(() => null);
        if (snapshot) driver.startRelayTest(snapshot);
        return expired();
      };
    }
    case 'captureInFlight':
      return async () => {
        const store = readStore(dataDir);
        return store?.payments.some((p) => p.operation === 'capture' && p.status === 'pending') === true || expired();
      };
    default:
      return async () => performance.now() > randomAt;
  }
}

function pickKind(): Kind {
  const r = random();
  if (r < 0.22) return 'random';
  if (r < 0.3) return 'relayTest';
  if (r < 0.45) return 'commit';
  if (r < 0.6) return 'beforeEnable';
  if (r < 0.75) return 'stopBeforeCapture';
  if (r < 0.9) return 'captureInFlight';
  return 'reconcile';
}

/** Drives the station until `trigger` says kill (or the kiosk died by itself); returns whether the window was hit. */
async function driveUntil(trigger: Trigger, hitIsAimed: boolean): Promise<boolean> {
  const started = performance.now();
  for (;;) {
    if (!kiosk.running) return true; // a fault point fired
    await driver.tick();
    watch();
    if (await trigger()) return hitIsAimed && performance.now() - started < AIM_TIMEOUT_MS;
    await sleep(10);
  }
}

/** Lands kill point `kind` on a kiosk started by startFor(kind); true when it hit its window. */
async function killPoint(kind: Kind, diedStarting: boolean): Promise<boolean> {
  let hit: boolean;
  if (kind === 'reconcile' || kind === 'commit') {
    // Died during start-up already; or an armed kiosk runs until its n-th transaction.
    if (diedStarting) hit = true;
    else if (kind === 'reconcile') hit = false; // started before the kill came: a random kill follows
    else {
      const deadline = performance.now() + AIM_TIMEOUT_MS;
      await driveUntil(async () => performance.now() > deadline, false);
      hit = !kiosk.running;
    }
    if (!hit) await driveUntil(triggerOf('random'), false);
  } else {
    hit = await driveUntil(triggerOf(kind), kind !== 'random');
  }
  await kiosk.kill();
  return hit && kind !== 'random';
}

function percentile(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round(sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!);
}

/** Winds the station down: no new sessions, cars leave; waits until nothing is open. Resolves whether it went quiet. */
async function quiesce(): Promise<boolean> {
  driver.starting = false;
  const deadline = performance.now() + QUIET_TIMEOUT_MS;
  while (performance.now() < deadline) {
    const snapshot = await driver.tick();
    const store = watch();
    const quiet =
      snapshot?.connectors.every((c) => c.phase === 'available' || c.phase === 'fault' || c.phase === 'outOfService') &&
      store?.payments.every((p) => p.status !== 'pending') &&
      store.sessions.every((s) => s.status !== 'active') &&
      ledger.all().every((h) => h.state !== 'open');
    if (quiet) return true;
    await sleep(20);
  }
  say('the station did not go quiet in time');
  return false;
}

/**
 * `npm run accounts -- topup demo-prepaid 5.00` on the data folder while the kiosk runs;
 * returns 1 when it went through. A tool that fails is a finding of its own (it must
 * work beside the kiosk), reported as such.
 */
let topUps = 0;
function topUpDemoCard(): number {
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/accounts.ts', 'topup', 'demo-prepaid', '5.00', '--reason', 'chaos top-up', '--by', 'chaos', '--config', configFile, '--data', dataDir], { encoding: 'utf8' });
  if (run.status === 0) return 1;
  report([`ledgerSound: the accounts tool could not top up beside the running kiosk: ${(run.stderr || run.stdout).trim()}`]);
  return 0;
}

/** Adds the technician to the data folder before the kiosk first starts on it, as `npm run technicians -- add` does. */
async function addTechnician(): Promise<void> {
  const store = KioskStore.open(join(dataDir, 'kiosk.sqlite'));
  try {
    await new TechnicianBook(store).add(TECHNICIAN.name, TECHNICIAN.pin, Date.now(), 'chaos');
  } finally {
    store.close();
  }
}

const began = performance.now();
let crashed: unknown = null;
let quiet = false;
try {
  await addTechnician();
  const plan = Array.from({ length: kills }, pickKind);
  let diedStarting = await startFor(plan[0] ?? 'random');
  for (const [index, kind] of plan.entries()) {
    kinds[kind]++;
    const before = violations.length;
    const hit = await killPoint(kind, diedStarting);
    if (hit) aimed++;
    checkAtRest(false);
    say(`kill ${index + 1}/${kills}: ${kind}${hit ? ' (aimed)' : ''}`);
    diedStarting = await startFor(plan[index + 1] ?? 'random');
    // Now and then the operator tops the prepaid demo card up with the accounts tool, beside the running kiosk.
    if (index % 5 === 4) topUps += topUpDemoCard();
    if (violations.length === before) survived++;
  }
  quiet = await quiesce();
} catch (error) {
  crashed = error;
}
await kiosk.kill();
const store = checkAtRest(crashed === null);
const holds = ledger.counts();
const result = {
  terminal: protocol,
  seed,
  latencyMs,
  clockSpeed: speed,
  connectors: connectorCount,
  killPoints: kills,
  aimed,
  kinds,
  survived,
  sessions: store?.sessions.length ?? 0,
  sessionsPaid: driver.paidSessions.size,
  sessionsByMethod: countBy(store?.sessions ?? [], (s) => s.method),
  stationCards: { taps: driver.tags, reservations: countBy(store?.accounts.reservations ?? [], (r) => r.state), charges: store?.accounts.ledger.filter((e) => e.kind === 'charge').length ?? 0, topUps },
  relayTests: { ...relayTests.counts, ...driver.relayTests },
  actions: driver.actions,
  holds,
  orphanHolds: orphanHolds.size,
  doubleHolds: doubleHolds.size,
  cardOutcomes: driver.outcomes,
  restartToFirstSnapshotMs: { p50: percentile(restartTimes, 50), p95: percentile(restartTimes, 95), samples: restartTimes.length },
  quiet,
  durationS: Math.round((performance.now() - began) / 1000),
  violations,
  ...(crashed ? { error: crashed instanceof Error ? crashed.message : String(crashed), lastOutput: kiosk.lastOutput } : {}),
  ...(values.keep ? { dataDir } : {}),
};
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
process.stderr.write(
  `chaos: ${protocol} terminal, seed ${seed}: ${kills} kill points (${aimed} aimed, ${survived} survived), ${result.sessions} sessions, ` +
    `holds ${holds.placed} placed / ${holds.captured} captured / ${holds.released} released / ${holds.open} open, ` +
    `orphanHolds ${orphanHolds.size}, doubleHolds ${doubleHolds.size}, ` +
    `relay tests ${relayTests.counts.started} started / ${relayTests.counts.done} done / ${relayTests.counts.interrupted} interrupted (${relayTests.counts.interruptedEnabled} enabled), ${violations.length} violations${crashed ? ', the run stopped early' : quiet ? '' : ', the station did not go quiet'}, ${result.durationS} s\n`,
);
if (!values.keep) rmSync(dataDir, { recursive: true, force: true });
process.exit(violations.length > 0 || crashed ? 1 : 0);

function countBy<T>(items: readonly T[], keyOf: (item: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[keyOf(item)] = (counts[keyOf(item)] ?? 0) + 1;
  return counts;
}
