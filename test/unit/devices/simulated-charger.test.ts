import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../devices/clock.js';
import type { Clock } from '../../../devices/clock.js';
import { DeviceUnavailableError } from '../../../devices/device-errors.js';
import type { ChargerEvent } from '../../../devices/charger/charger-port.js';
import { RELAY_CLOSE_DELAY_MS, SimulatedCharger } from '../../../devices/charger/simulated-charger.js';
import type { SimulatedChargerOptions } from '../../../devices/charger/simulated-charger.js';
import { processClock, tempDir } from './helpers.js';

const FULL_POWER_W = 16 * 230 * 3; // 11 040 W: the car's 16 A on three phases

function makeCharger(clock: Clock, options: Partial<SimulatedChargerOptions> = {}): SimulatedCharger {
  return new SimulatedCharger({
    clock,
    maxCurrentA: 32,
    voltageV: 230,
    phases: 3,
    vehicleMaxCurrentA: 16,
    vehicleCapacityWh: 100_000,
    sampleIntervalMs: 500,
    ...options,
  });
}

function record(charger: SimulatedCharger): ChargerEvent[] {
  const events: ChargerEvent[] = [];
  charger.subscribe((event) => events.push(event));
  return events;
}

const types = (events: ChargerEvent[]): string[] => events.filter((e) => e.type !== 'meter' && e.type !== 'status').map((e) => e.type);

/** A charger with a car plugged in and drawing full power. */
function charging(clock: ManualClock, options: Partial<SimulatedChargerOptions> = {}): SimulatedCharger {
  const charger = makeCharger(clock, options);
  clock.advance(0);
  charger.simPlug(true);
  clock.advance(RELAY_CLOSE_DELAY_MS);
  expect(charger.simState().charging).toBe(true);
  return charger;
}

describe('SimulatedCharger', () => {
  let clock: ManualClock;
  beforeEach(() => {
    clock = new ManualClock();
  });

  it('boots enabled and says so once, on the next tick', async () => {
    const charger = makeCharger(clock);
    const events = record(charger);
    expect(events).toEqual([]);
    clock.advance(0);
    expect(types(events)).toEqual(['boot']);
    clock.advance(60_000);
    expect(types(events)).toEqual(['boot']);
    const status = await charger.status();
    expect(status).toMatchObject({ online: true, mode: 'enabled', pilot: 'A', vehicleConnected: false, relayClosed: false, fault: null, meterWh: 0, powerW: 0, currentLimitA: 32 });
    expect(await charger.info()).toEqual({ firmware: 'sim-1.0', maxCurrentA: 32, voltageV: 230, backstop: { energy: false, time: false } });
  });

  it('closes the relay shortly after a car is plugged in, and reports every step', async () => {
    const charger = makeCharger(clock);
    clock.advance(0);
    const events = record(charger);
    charger.simPlug(true);
    expect(types(events)).toEqual(['vehiclePlugged']);
    expect(events.at(-1)).toMatchObject({ type: 'status', status: { pilot: 'B', vehicleConnected: true, relayClosed: false } });
    clock.advance(RELAY_CLOSE_DELAY_MS - 1);
    expect((await charger.status()).relayClosed).toBe(false);
    clock.advance(1);
    expect(types(events)).toEqual(['vehiclePlugged', 'chargingStarted']);
    expect(await charger.status()).toMatchObject({ pilot: 'C', relayClosed: true, powerW: FULL_POWER_W });
  });

  it('integrates 16 A x 230 V x 3 phases over an hour to 11 040 Wh', async () => {
    const charger = charging(clock);
    clock.advance(3_600_000);
    const { meterWh } = await charger.status();
    expect(Math.abs(meterWh - 11_040)).toBeLessThanOrEqual(1);
  });

  it('draws the lower of the current limit and what the car takes', async () => {
    const charger = charging(clock);
    await charger.setCurrentLimit(10);
    expect((await charger.status()).powerW).toBe(10 * 230 * 3);
    await charger.setCurrentLimit(80); // above the controller's 32 A: cut to 32, the car takes 16
    expect(await charger.status()).toMatchObject({ currentLimitA: 32, powerW: FULL_POWER_W });
    await expect(charger.setCurrentLimit(5)).rejects.toThrow(RangeError);
    await expect(charger.setCurrentLimit(Number.NaN)).rejects.toThrow(RangeError);
  });

  it('emits a meter sample every sampleIntervalMs while a vehicle is connected, and none after', () => {
    const charger = makeCharger(clock);
    clock.advance(0);
    const events = record(charger);
    clock.advance(5_000);
    expect(events.filter((e) => e.type === 'meter')).toHaveLength(0);
    charger.simPlug(true);
    clock.advance(2_000);
    const meters = events.filter((e) => e.type === 'meter');
    expect(meters).toHaveLength(4);
    expect(meters.at(-1)).toEqual({ type: 'meter', meterWh: Math.floor((FULL_POWER_W * 1.7) / 3600), powerW: FULL_POWER_W });
    charger.simPlug(false);
    const count = events.filter((e) => e.type === 'meter').length;
    clock.advance(10_000);
    expect(events.filter((e) => e.type === 'meter')).toHaveLength(count);
  });

  it('sleep(): the relay opens after the stop delay, energy flows until then, the plug is still seen', async () => {
    const charger = charging(clock, { stopDelayMs: 1000 });
    const events = record(charger);
    const before = charger.simState().meterWs;
    await charger.sleep();
    expect(await charger.status()).toMatchObject({ mode: 'sleeping', relayClosed: true });
    clock.advance(999);
    expect(charger.simState().meterWs - before).toBeCloseTo(FULL_POWER_W * 0.999, 6);
    clock.advance(1);
    expect(await charger.status()).toMatchObject({ mode: 'sleeping', relayClosed: false, pilot: 'B', powerW: 0 });
    expect(types(events)).toEqual(['chargingStopped']);
    const stopped = charger.simState().meterWs;
    expect(stopped - before).toBeCloseTo(FULL_POWER_W, 6);
    clock.advance(3_600_000);
    expect(charger.simState().meterWs).toBe(stopped);
    charger.simPlug(false);
    charger.simPlug(true);
    expect(types(events)).toEqual(['chargingStopped', 'vehicleUnplugged', 'vehiclePlugged']);
    expect((await charger.status()).mode).toBe('sleeping'); // an unplug does not wake it
    clock.advance(60_000);
    expect(charger.simState().meterWs).toBe(stopped);
  });

  it('enable() within the stop delay keeps the relay closed', async () => {
    const charger = charging(clock, { stopDelayMs: 1000 });
    const events = record(charger);
    await charger.sleep();
    clock.advance(500);
    await charger.enable();
    clock.advance(10_000);
    expect((await charger.status()).relayClosed).toBe(true);
    expect(types(events)).toEqual([]);
  });

  it('disable(): the relay opens at once and the plug is not reported until it is enabled again', async () => {
    const charger = charging(clock);
    const events = record(charger);
    await charger.disable();
    const meterWs = charger.simState().meterWs;
    expect(await charger.status()).toMatchObject({ mode: 'disabled', relayClosed: false, powerW: 0, pilot: 'unknown', vehicleConnected: true });
    expect(types(events)).toEqual(['chargingStopped']);
    charger.simPlug(false);
    clock.advance(1_000);
    charger.simPlug(true);
    charger.simPlug(false);
    expect(types(events)).toEqual(['chargingStopped']);
    expect((await charger.status()).vehicleConnected).toBe(true); // what it last saw
    clock.advance(60_000);
    expect(charger.simState().meterWs).toBe(meterWs);
    await charger.enable();
    expect(types(events)).toEqual(['chargingStopped', 'vehicleUnplugged']);
    expect(await charger.status()).toMatchObject({ mode: 'enabled', vehicleConnected: false, pilot: 'A' });
  });

  it('a plug-in seen on enable() starts charging', async () => {
    const charger = makeCharger(clock);
    clock.advance(0);
    await charger.disable();
    charger.simPlug(true);
    clock.advance(5_000);
    expect(charger.simState()).toMatchObject({ plugged: true, charging: false });
    const events = record(charger);
    await charger.enable();
    clock.advance(RELAY_CLOSE_DELAY_MS);
    expect(types(events)).toEqual(['vehiclePlugged', 'chargingStarted']);
  });

  it('the car stops drawing when it is full (C -> B) and charges again after a new plug-in', async () => {
    const charger = charging(clock, { vehicleCapacityWh: 1000 });
    const events = record(charger);
    clock.advance(3_600_000);
    expect(await charger.status()).toMatchObject({ pilot: 'B', relayClosed: false, powerW: 0, meterWh: 1000, mode: 'enabled' });
    expect(types(events)).toEqual(['chargingStopped']);
    charger.simPlug(false);
    charger.simPlug(true);
    clock.advance(RELAY_CLOSE_DELAY_MS);
    expect((await charger.status()).pilot).toBe('C');
    charger.simVehicleFull();
    expect(await charger.status()).toMatchObject({ pilot: 'B', relayClosed: false });
    expect(types(events)).toEqual(['chargingStopped', 'vehicleUnplugged', 'vehiclePlugged', 'chargingStarted', 'chargingStopped']);
  });

  it('a fault opens the relay at once and nothing flows until it is cleared', async () => {
    const charger = charging(clock);
    const events = record(charger);
    charger.simFault(true);
    expect(await charger.status()).toMatchObject({ fault: 'gfci', relayClosed: false, pilot: 'unknown', powerW: 0 });
    expect(events.filter((e) => e.type !== 'status' && e.type !== 'meter')).toEqual([{ type: 'faultRaised', fault: 'gfci' }, { type: 'chargingStopped', vehicleConnected: true }]);
    const meterWs = charger.simState().meterWs;
    clock.advance(600_000);
    expect(charger.simState()).toMatchObject({ fault: true, charging: false, meterWs });
    charger.simFault(false);
    clock.advance(RELAY_CLOSE_DELAY_MS);
    expect(await charger.status()).toMatchObject({ fault: null, relayClosed: true, pilot: 'C' });
    expect(types(events)).toEqual(['faultRaised', 'chargingStopped', 'faultCleared', 'chargingStarted']);
  });

  it('reset() power-cycles: boot event, enabled again at full current, charging resumes', async () => {
    const charger = charging(clock, { stopDelayMs: 0 });
    await charger.setCurrentLimit(8);
    await charger.sleep();
    expect((await charger.status()).relayClosed).toBe(false);
    const events = record(charger);
    charger.reset();
    expect(types(events)).toEqual(['boot']);
    expect(await charger.status()).toMatchObject({ mode: 'enabled', currentLimitA: 32, vehicleConnected: true });
    clock.advance(RELAY_CLOSE_DELAY_MS);
    expect(types(events)).toEqual(['boot', 'chargingStarted']);
  });

  it('emits a status after every change', async () => {
    const charger = makeCharger(clock);
    clock.advance(0);
    const events = record(charger);
    await charger.sleep();
    await charger.sleep(); // no change, no event
    await charger.setCurrentLimit(20);
    expect(events.map((e) => e.type)).toEqual(['status', 'status']);
    expect(events.at(-1)).toMatchObject({ status: { mode: 'sleeping', currentLimitA: 20 } });
  });

  it('after close() every method rejects with DeviceUnavailableError and no timer is left', async () => {
    const charger = charging(clock);
    await charger.close();
    expect(clock.pendingTimers()).toBe(0);
    for (const call of [() => charger.status(), () => charger.enable(), () => charger.sleep(), () => charger.disable(), () => charger.info(), () => charger.setCurrentLimit(10)]) {
      await expect(call()).rejects.toBeInstanceOf(DeviceUnavailableError);
    }
    expect(() => charger.simPlug(false)).toThrow(DeviceUnavailableError);
    await charger.close(); // harmless
  });

  describe('with a state file', () => {
    let dir: string;
    let cleanup: () => void;
    let file: string;
    beforeEach(() => {
      ({ dir, cleanup } = tempDir());
      file = path.join(dir, 'charger-1.json');
    });
    afterEach(() => cleanup());

    const saved = (): Record<string, unknown> => JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;

    it('persists the meter while charging, at least every few seconds', () => {
      const charger = charging(clock, { stateFile: file });
      const atStart = (saved().meterWms as number) / 1000;
      clock.advance(10_000);
      const onFile = (saved().meterWms as number) / 1000;
      expect(onFile - atStart).toBeGreaterThanOrEqual(FULL_POWER_W * 8);
      // Never more than a few seconds behind the live meter.
      expect(charger.simState().meterWs - onFile).toBeLessThanOrEqual(FULL_POWER_W * 2);
      expect(saved()).toMatchObject({ plugged: true, relayClosed: true, mode: 'enabled' });
    });

    it('a car kept charging while the kiosk was down: the gap is integrated, and no boot is reported', async () => {
      // The kiosk process dies in the middle of a charge: no close(), its timers die with it.
      const down = processClock(clock);
      const crashed = charging(clock, { clock: down.clock, stateFile: file });
      clock.advance(10_700); // the last save was at most a few seconds before the crash
      const meterAtCrash = crashed.simState().meterWs;
      down.kill();
      clock.advance(3_600_000); // an hour with no kiosk
      const after = makeCharger(clock, { stateFile: file });
      const events = record(after);
      const status = await after.status();
      expect(status).toMatchObject({ mode: 'enabled', vehicleConnected: true, relayClosed: true, pilot: 'C' });
      expect(after.simState().meterWs - meterAtCrash).toBeCloseTo(FULL_POWER_W * 3600, 0);
      clock.advance(1_000);
      expect(types(events)).toEqual([]);
      expect(events.some((e) => e.type === 'meter')).toBe(true);
    });

    it('the gap is capped by what the car could take', async () => {
      const charger = charging(clock, { stateFile: file, vehicleCapacityWh: 5_000 });
      await charger.close();
      clock.advance(10 * 3_600_000);
      const after = makeCharger(clock, { stateFile: file, vehicleCapacityWh: 5_000 });
      expect(await after.status()).toMatchObject({ meterWh: 5_000, relayClosed: false, pilot: 'B', vehicleConnected: true });
    });

    it('a sleep under way when the kiosk went down still stops the car after the stop delay', async () => {
      const charger = charging(clock, { stateFile: file, stopDelayMs: 1_000 });
      const atSleep = charger.simState().meterWs;
      await charger.sleep();
      await charger.close();
      clock.advance(3_600_000);
      const after = makeCharger(clock, { stateFile: file, stopDelayMs: 1_000 });
      expect(await after.status()).toMatchObject({ mode: 'sleeping', relayClosed: false });
      expect(after.simState().meterWs - atSleep).toBeCloseTo(FULL_POWER_W * 1, 6);
    });

    it('a disabled controller stays disabled across a kiosk restart, and its meter is kept', async () => {
      const charger = charging(clock, { stateFile: file });
      clock.advance(3_600_000);
      await charger.disable();
      const { meterWh } = await charger.status();
      await charger.close();
      clock.advance(3_600_000);
      const after = makeCharger(clock, { stateFile: file });
      expect(await after.status()).toMatchObject({ mode: 'disabled', meterWh });
    });

    it('a command that changes nothing writes nothing (the command path); a change is on file before the command answers', async () => {
      const charger = makeCharger(clock, { stateFile: file });
      clock.advance(0);
      await charger.sleep();
      expect(saved()).toMatchObject({ mode: 'sleeping' });
      const before = fs.statSync(file);
      const text = fs.readFileSync(file, 'utf8');
      clock.advance(5_000);
      // The station puts the sleeping controller to sleep again on each screen it shows.
      for (let i = 0; i < 3; i++) await charger.sleep();
      await charger.setCurrentLimit(32);
      expect(fs.readFileSync(file, 'utf8')).toBe(text);
      expect(fs.statSync(file).ino).toBe(before.ino); // not replaced
      // A crash now: the older file replays to the same controller.
      clock.advance(60_000);
      const after = makeCharger(clock, { stateFile: file });
      expect(await after.status()).toMatchObject({ mode: 'sleeping', relayClosed: false, meterWh: 0, currentLimitA: 32 });
      await after.close();
      // A real change is written (replacing the file) as the command returns.
      const again = makeCharger(clock, { stateFile: file });
      const beforeEnable = fs.statSync(file).ino;
      const enabling = again.enable();
      expect(saved()).toMatchObject({ mode: 'enabled' });
      expect(fs.statSync(file).ino).not.toBe(beforeEnable);
      await enabling;
      await again.close();
      await charger.close();
    });

    it('a car plugged in at a sleeping controller while it was already told to sleep: the change is on file', async () => {
      const charger = makeCharger(clock, { stateFile: file });
      clock.advance(0);
      await charger.sleep();
      charger.simPlug(true);
      await charger.sleep();
      expect(saved()).toMatchObject({ mode: 'sleeping', plugged: true, seenConnected: true, relayClosed: false });
      await charger.close();
    });

    it('a garbage state file does not crash: the controller boots fresh and the file is set aside', async () => {
      fs.writeFileSync(file, '{"version":1,"meterWs":');
      const charger = makeCharger(clock, { stateFile: file });
      const events = record(charger);
      clock.advance(0);
      expect(types(events)).toEqual(['boot']);
      expect((await charger.status()).meterWh).toBe(0);
      expect(fs.readdirSync(dir).filter((name) => name.startsWith('charger-1.json.corrupt-'))).toHaveLength(1);
    });
  });
});
