// Shared by the RAPI tests (not a test file itself).
import type { Duplex } from 'node:stream';
import { ManualClock } from '../../../devices/clock.js';
import type { ChargerEvent } from '../../../devices/charger/charger-port.js';
import { RapiChargerController } from '../../../devices/charger/rapi-driver.js';
import type { RapiChargerControllerOptions, RapiLog } from '../../../devices/charger/rapi-driver.js';
import { RapiParser } from '../../../devices/charger/rapi-parser.js';
import { RapiEvseSimulator } from '../../../devices/charger/rapi-simulator.js';
import type { RapiEvseSimulatorOptions } from '../../../devices/charger/rapi-simulator.js';
import { SimulatedCharger } from '../../../devices/charger/simulated-charger.js';
import type { SimulatedChargerOptions } from '../../../devices/charger/simulated-charger.js';
import { createDuplexPair } from '../../../devices/memory-duplex.js';
import type { MemoryDuplex } from '../../../devices/memory-duplex.js';

/** Lets the streams and promises run (real macrotasks; no time passes on the manual clock). */
export async function flush(rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/** Waits (in event-loop turns, not clock time) until `condition` holds. */
export async function until(condition: () => boolean, what = 'condition', rounds = 500): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    if (condition()) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Advances the manual clock in steps, letting the I/O of each step run before the next. */
export async function advance(clock: ManualClock, ms: number, step = 100): Promise<void> {
  for (let done = 0; done < ms; done += step) {
    clock.advance(Math.min(step, ms - done));
    await flush(3);
  }
}

export const FULL_POWER_W = 16 * 230 * 3; // the car's 16 A on three phases

export function makeModel(clock: ManualClock, options: Partial<SimulatedChargerOptions> = {}): SimulatedCharger {
  return new SimulatedCharger({
    clock,
    maxCurrentA: 32,
    voltageV: 230,
    phases: 3,
    vehicleMaxCurrentA: 16,
    vehicleCapacityWh: 60_000,
    sampleIntervalMs: 1000,
    stopDelayMs: 1000,
    ...options,
  });
}

export interface Rig {
  clock: ManualClock;
  model: SimulatedCharger;
  sim: RapiEvseSimulator;
  driver: RapiChargerController;
  driverEnd: MemoryDuplex;
  simEnd: MemoryDuplex;
  events: ChargerEvent[];
  /** The events other than 'status' and 'meter', by type. */
  types: () => string[];
  close: () => Promise<void>;
}

/** Model + simulator + driver over an in-memory pair, on a manual clock, connected. */
export async function rig(
  options: { sim?: Partial<RapiEvseSimulatorOptions>; driver?: Partial<RapiChargerControllerOptions>; model?: Partial<SimulatedChargerOptions>; connect?: boolean } = {},
): Promise<Rig> {
  const clock = new ManualClock();
  const model = makeModel(clock, options.model);
  clock.advance(0); // the power-on boot, before anyone listens
  const [driverEnd, simEnd] = createDuplexPair();
  const sim = new RapiEvseSimulator({ model, clock, stream: simEnd, phases: 3, ...options.sim });
  await sim.ready;
  const driver = new RapiChargerController({ clock, stream: driverEnd, phases: 3, heartbeat: false, sampleIntervalMs: 1000, ...options.driver });
  const events: ChargerEvent[] = [];
  driver.subscribe((event) => events.push(event));
  if (options.connect !== false) await until(() => events.some((e) => e.type === 'status'), 'the first status');
  await flush();
  return {
    clock,
    model,
    sim,
    driver,
    driverEnd,
    simEnd,
    events,
    types: () => events.filter((e) => e.type !== 'status' && e.type !== 'meter').map((e) => e.type),
    close: async () => {
      await driver.close();
      await sim.close();
      await model.close();
    },
  };
}

/** A RapiLog that keeps what was logged. */
export function recordingLog(): RapiLog & { warns: { obj: Record<string, unknown>; msg: string }[]; infos: { obj: Record<string, unknown>; msg: string }[] } {
  const warns: { obj: Record<string, unknown>; msg: string }[] = [];
  const infos: { obj: Record<string, unknown>; msg: string }[] = [];
  return {
    warns,
    infos,
    debug: () => {},
    info: (obj, msg = '') => void infos.push({ obj: obj as Record<string, unknown>, msg }),
    warn: (obj, msg = '') => void warns.push({ obj: obj as Record<string, unknown>, msg }),
  };
}

/** A raw RAPI peer on one end of a stream: writes frames, collects the frames it reads. */
export function rawPeer(stream: Duplex): { frames: string[]; send: (text: string) => void; next: (count?: number) => Promise<string[]> } {
  const parser = new RapiParser();
  const frames: string[] = [];
  stream.pipe(parser);
  parser.on('data', (frame: string) => frames.push(frame));
  let read = 0;
  return {
    frames,
    send: (text) => void stream.write(text, 'latin1'),
    next: async (count = 1) => {
      await until(() => frames.length >= read + count, `${count} frame(s)`);
      const out = frames.slice(read, read + count);
      read += count;
      return out;
    },
  };
}
