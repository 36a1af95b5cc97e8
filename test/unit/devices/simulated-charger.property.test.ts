// Properties of the charger model over random sequences of commands, sim actions,
// time and kiosk restarts: the meter never goes back, and no energy flows once the
// controller has been out of 'enabled' for longer than its stop delay.
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../devices/clock.js';
import type { Clock } from '../../../devices/clock.js';
import { SimulatedCharger } from '../../../devices/charger/simulated-charger.js';
import { processClock, tempDir } from './helpers.js';

const STOP_DELAY_MS = 1_000;
const VEHICLE_MAX_A = 16;
const VOLTAGE_V = 230;
const MAX_POWER_W = VEHICLE_MAX_A * VOLTAGE_V * 3;

type Op =
  | { op: 'plug'; plugged: boolean }
  | { op: 'enable' | 'sleep' | 'disable' | 'full' | 'reset' }
  | { op: 'fault'; fault: boolean }
  | { op: 'limit'; amps: number }
  | { op: 'advance'; ms: number }
  | { op: 'restart'; crash: boolean; gapMs: number };

const timeArb = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 0, max: 2_000 }) },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 120_000 }) },
  { weight: 1, arbitrary: fc.constantFrom(STOP_DELAY_MS - 1, STOP_DELAY_MS, STOP_DELAY_MS + 1, 300, 299) },
);

function opsArb(withRestarts: boolean): fc.Arbitrary<Op[]> {
  const ops: fc.Arbitrary<Op>[] = [
    fc.boolean().map((plugged): Op => ({ op: 'plug', plugged })),
    fc.constantFrom<Op>({ op: 'enable' }, { op: 'sleep' }, { op: 'disable' }, { op: 'full' }, { op: 'reset' }),
    fc.boolean().map((fault): Op => ({ op: 'fault', fault })),
    fc.integer({ min: 6, max: 40 }).map((amps): Op => ({ op: 'limit', amps })),
    timeArb.map((ms): Op => ({ op: 'advance', ms })),
    timeArb.map((ms): Op => ({ op: 'advance', ms })),
  ];
  if (withRestarts) ops.push(fc.record({ crash: fc.boolean(), gapMs: timeArb }).map((r): Op => ({ op: 'restart', ...r })));
  // Most sequences start with a car drawing power, where the interesting rules apply.
  const start: Op[] = [
    { op: 'plug', plugged: true },
    { op: 'advance', ms: 300 },
  ];
  return fc
    .tuple(fc.boolean(), fc.array(fc.oneof(...ops), { minLength: 1, maxLength: 40, size: 'max' }))
    .map(([charging, rest]) => (charging ? [...start, ...rest] : rest));
}

async function runSequence(ops: Op[], stateFile: string | null): Promise<void> {
  const clock = new ManualClock();
  let proc = processClock(clock);
  const make = (driver: Clock = proc.clock, file: string | null = stateFile): SimulatedCharger =>
    new SimulatedCharger({
      clock: driver,
      stateFile: file,
      maxCurrentA: 32,
      voltageV: VOLTAGE_V,
      phases: 3,
      vehicleMaxCurrentA: VEHICLE_MAX_A,
      vehicleCapacityWh: 20_000,
      sampleIntervalMs: 1_000,
      stopDelayMs: STOP_DELAY_MS,
    });
  let charger = make();
  // With restarts: a twin that runs the same sequence with no restart at all. A restart
  // (even a crash) must be invisible: the twin reads the same, to the last W·ms.
  const twinClock = new ManualClock(clock.now());
  const twin = stateFile === null ? null : make(twinClock, null);
  const twinOp = async (step: Op): Promise<void> => {
    if (!twin) return;
    if (step.op === 'advance') twinClock.advance(step.ms);
    else if (step.op === 'restart') twinClock.advance(step.gapMs);
    else await apply(twin, step);
    const { online: _ignored, ...status } = await charger.status();
    const { online: _twinIgnored, ...twinStatus } = await twin.status();
    expect(status).toEqual(twinStatus);
    expect(charger.simState()).toEqual(twin.simState());
  };
  let lastWs = 0;
  let lastWh = 0;
  /** When the mode last left 'enabled' (null while enabled), as the commands say. */
  let nonEnabledSince: number | null = null;

  const observe = async (): Promise<void> => {
    const { meterWs } = charger.simState();
    const status = await charger.status();
    expect(meterWs).toBeGreaterThanOrEqual(lastWs);
    expect(status.meterWh).toBeGreaterThanOrEqual(lastWh);
    if (status.mode === 'enabled') nonEnabledSince = null;
    else nonEnabledSince ??= clock.now();
    // Relay closed means energy can flow: only when enabled or within the stop delay.
    if (status.relayClosed && status.mode !== 'enabled') {
      expect(clock.now() - (nonEnabledSince ?? clock.now())).toBeLessThan(STOP_DELAY_MS);
    }
    lastWs = meterWs;
    lastWh = status.meterWh;
  };

  /**
   * Moves time on, in two pieces where the stop delay runs out inside it, so each
   * piece lies wholly before or wholly after that moment. Returns the energy the
   * model may have added at most over the whole span.
   */
  const allowedOver = (ms: number): number => {
    const start = clock.now();
    const end = start + ms;
    if (nonEnabledSince === null) return (MAX_POWER_W * ms) / 1000;
    const cutoff = nonEnabledSince + STOP_DELAY_MS;
    return (MAX_POWER_W * Math.max(0, Math.min(end, cutoff) - start)) / 1000;
  };

  for (const step of ops) {
    switch (step.op) {
      case 'advance': {
        const allowed = allowedOver(step.ms);
        clock.advance(step.ms);
        const { meterWs } = charger.simState();
        expect(meterWs - lastWs).toBeLessThanOrEqual(allowed + 1e-6);
        if (allowed === 0) expect(meterWs).toBe(lastWs);
        break;
      }
      case 'restart': {
        // The kiosk goes away (cleanly or not), the hardware runs on, a new kiosk starts.
        if (step.crash) proc.kill();
        else await charger.close();
        const allowed = allowedOver(step.gapMs);
        clock.advance(step.gapMs);
        proc = processClock(clock);
        charger = make();
        const { meterWs } = charger.simState();
        expect(meterWs - lastWs).toBeLessThanOrEqual(allowed + 1e-6);
        if (allowed === 0) expect(meterWs).toBe(lastWs);
        break;
      }
      default:
        await apply(charger, step);
    }
    await observe();
    await twinOp(step);
  }
  await charger.close();
  await twin?.close();
}

async function apply(charger: SimulatedCharger, step: Op): Promise<void> {
  switch (step.op) {
    case 'plug':
      return charger.simPlug(step.plugged);
    case 'enable':
      return charger.enable();
    case 'sleep':
      return charger.sleep();
    case 'disable':
      return charger.disable();
    case 'full':
      return charger.simVehicleFull();
    case 'reset':
      return charger.reset();
    case 'fault':
      return charger.simFault(step.fault);
    case 'limit':
      return charger.setCurrentLimit(step.amps);
    default:
      throw new Error(`not a device operation: ${step.op}`);
  }
}

describe('SimulatedCharger properties', () => {
  it('meter never decreases; no energy once non-enabled for longer than the stop delay', async () => {
    await fc.assert(
      fc.asyncProperty(opsArb(false), (ops) => runSequence(ops, null)),
      { numRuns: 300 },
    );
  });

  it('the same holds across kiosk restarts and crashes, and a restart is invisible to the meter', async () => {
    const { dir, cleanup } = tempDir();
    let run = 0;
    try {
      await fc.assert(
        fc.asyncProperty(opsArb(true), (ops) => runSequence(ops, path.join(dir, `charger-${run++}.json`))),
        { numRuns: 60 },
      );
    } finally {
      cleanup();
    }
  });
});
