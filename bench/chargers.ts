// Benchmark figure: 8 charger controllers on one box, through the real driver. Run by
// bench/run.ts in its own process, or alone (`node --import tsx bench/chargers.ts`).
// Eight OpenEVSE simulators run as separate processes (devices/charger/rapi-sim-process.ts),
// each on a pseudo-terminal pair made by socat; this process opens the eight serial
// ports with the real RAPI driver (openRapiSerial), as the kiosk does, plugs a car into
// each, enables the charger and counts the meter samples each connector delivers, and
// the CPU this process spends meanwhile. It also times, at the driver: plug-in → charging
// started (the relay closed) and unplug → the unplug seen. Prints one JSON object.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '../devices/clock.js';
import type { ChargerEvent } from '../devices/charger/charger-port.js';
import { openRapiSerial } from '../devices/charger/rapi-serial.js';
import type { RapiChargerController } from '../devices/charger/rapi-driver.js';
import { ControllerProcess, startPtyPair, type PtyPair } from '../test/integration/charger/pty-helpers.js';

const CONNECTORS = Number(process.env.BENCH_CHARGERS ?? 8);
const SAMPLE_INTERVAL_MS = Number(process.env.BENCH_SAMPLE_INTERVAL_MS ?? 500); // the configuration's default
const WINDOW_MS = Number(process.env.BENCH_CHARGER_WINDOW_MS ?? 20_000);

function waitForEvent(driver: RapiChargerController, type: ChargerEvent['type'], timeoutMs = 10_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      unsubscribe();
      reject(new Error(`no ${type} in ${timeoutMs} ms`));
    }, timeoutMs);
    const unsubscribe = driver.subscribe((event) => {
      if (event.type !== type) return;
      clearTimeout(timer);
      unsubscribe();
      resolve();
    });
  });
}

const round = (value: number, digits = 1) => +value.toFixed(digits);
const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
};

const dir = mkdtempSync(join(tmpdir(), 'kiosk-bench-chargers-'));
const pairs: PtyPair[] = [];
const sims: ControllerProcess[] = [];
const drivers: RapiChargerController[] = [];
try {
  for (let i = 0; i < CONNECTORS; i++) {
    const pair = await startPtyPair(join(dir, `evse-${i}`), join(dir, `kiosk-${i}`));
    pairs.push(pair);
    sims.push(new ControllerProcess(pair.a, ['--phases', '3', '--sample-interval-ms', String(SAMPLE_INTERVAL_MS), '--stop-delay-ms', '300']));
  }
  await Promise.all(sims.map((sim) => sim.ready));
  drivers.push(
    ...(await Promise.all(
      pairs.map((pair) => openRapiSerial({ path: pair.b, clock: systemClock, controller: { phases: 3, sampleIntervalMs: SAMPLE_INTERVAL_MS } })),
    )),
  );
  await Promise.all(drivers.map((driver) => driver.sleep()));

  // A car plugged into each, then the charger enabled as a paid session does.
  const plugToCharging: number[] = [];
  await Promise.all(
    drivers.map(async (driver, i) => {
      await driver.enable();
      const started = performance.now();
      const charging = waitForEvent(driver, 'chargingStarted');
      await sims[i]!.send('plug');
      await charging;
      plugToCharging.push(performance.now() - started);
    }),
  );

  const samples = drivers.map(() => 0);
  const unsubscribes = drivers.map((driver, i) => driver.subscribe((event) => event.type === 'meter' && samples[i]!++));
  const cpuBefore = process.cpuUsage();
  const began = performance.now();
  await new Promise((resolve) => setTimeout(resolve, WINDOW_MS));
  const elapsedMs = performance.now() - began;
  const cpu = process.cpuUsage(cpuBefore);
  for (const unsubscribe of unsubscribes) unsubscribe();

  const unplugSeen: number[] = [];
  await Promise.all(
    drivers.map(async (driver, i) => {
      const started = performance.now();
      const unplugged = waitForEvent(driver, 'vehicleUnplugged');
      await sims[i]!.send('unplug');
      await unplugged;
      unplugSeen.push(performance.now() - started);
    }),
  );

  const ratesHz = samples.map((count) => round(count / (elapsedMs / 1000), 2));
  const cpuPercent = round(((cpu.user + cpu.system) / 1000 / elapsedMs) * 100, 1);
  process.stdout.write(
    `${JSON.stringify({
      connectors: CONNECTORS,
      sampleIntervalMs: SAMPLE_INTERVAL_MS,
      configuredHz: round(1000 / SAMPLE_INTERVAL_MS, 2),
      windowS: round(elapsedMs / 1000),
      samplesHz: ratesHz,
      minHz: Math.min(...ratesHz),
      cpuPercentOfOneCore: cpuPercent,
      plugToChargingMs: { median: round(median(plugToCharging)), max: round(Math.max(...plugToCharging)) },
      unplugSeenMs: { median: round(median(unplugSeen)), max: round(Math.max(...unplugSeen)) },
      pass: Math.min(...ratesHz) >= 1,
    })}\n`,
  );
} finally {
  await Promise.allSettled(drivers.map((driver) => driver.close()));
  for (const sim of sims) sim.stop();
  await Promise.allSettled(pairs.map((pair) => pair.kill()));
  rmSync(dir, { recursive: true, force: true });
}
