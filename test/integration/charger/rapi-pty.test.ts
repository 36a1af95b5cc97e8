// The RAPI driver and simulator through real serialport on a pseudo-terminal pair made
// by socat: real time, bounded waits, everything closed at the end.
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { systemClock } from '../../../devices/clock.js';
import { DeviceUnavailableError } from '../../../devices/device-errors.js';
import type { ChargerEvent } from '../../../devices/charger/charger-port.js';
import { RapiNakError } from '../../../devices/charger/rapi-driver.js';
import type { RapiChargerController } from '../../../devices/charger/rapi-driver.js';
import { openRapiSerial, serveRapiSimulatorSerial } from '../../../devices/charger/rapi-serial.js';
import { RapiEvseSimulator } from '../../../devices/charger/rapi-simulator.js';
import { openSerialPort } from '../../../devices/serial/serial-link.js';
import { SimulatedCharger } from '../../../devices/charger/simulated-charger.js';
import { FIRMWARE_VARIANTS } from '../../../devices/charger/rapi-variants.js';
import { SOCAT, startPtyPair, waitFor } from './pty-helpers.js';
import { ptyPerTest } from './pty-fixture.js';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const haveSocat = fs.existsSync(SOCAT);

// Every test but the last runs against each firmware variant the simulator plays.
describe.skipIf(!haveSocat).each(FIRMWARE_VARIANTS)('RAPI over a pseudo-terminal pair, firmware %s', (firmware) => {
  const pty = ptyPerTest('rapi-pty-');
  const cleanups = pty.cleanups;

  function simulatorOn(port: string): { model: SimulatedCharger; sim: RapiEvseSimulator; ready: Promise<void> } {
    const model = new SimulatedCharger({
      clock: systemClock,
      maxCurrentA: 32,
      voltageV: 230,
      phases: 3,
      vehicleMaxCurrentA: 16,
      vehicleCapacityWh: 60_000,
      sampleIntervalMs: 200,
      stopDelayMs: 300,
    });
    const sim = new RapiEvseSimulator({ model, clock: systemClock, phases: 3, firmware });
    const served = serveRapiSimulatorSerial({ path: port, simulator: sim, clock: systemClock, backoff: { initialMs: 50, maxMs: 500 } });
    cleanups.push(async () => {
      await served.close();
      await sim.close();
      await model.close();
    });
    return { model, sim, ready: served.ready };
  }

  async function driverOn(port: string): Promise<{ driver: RapiChargerController; events: ChargerEvent[]; types: () => string[] }> {
    const driver = await openRapiSerial({
      path: port,
      clock: systemClock,
      backoff: { initialMs: 100, maxMs: 1000 },
      controller: { phases: 3, sampleIntervalMs: 200, probeIntervalMs: 200 },
    });
    cleanups.push(() => driver.close());
    const events: ChargerEvent[] = [];
    driver.subscribe((e) => events.push(e));
    return { driver, events, types: () => events.filter((e) => e.type !== 'status' && e.type !== 'meter').map((e) => e.type) };
  }

  it('commands, $NK, unsolicited events and meter samples through real serialport', async () => {
    const { model, sim, ready } = simulatorOn(pty.pair!.b);
    await ready;
    const { driver, events, types } = await driverOn(pty.pair!.a);
    expect(driver.online).toBe(true);
    expect(await driver.info()).toMatchObject({ firmware: sim.version.firmware, maxCurrentA: 32, voltageV: 230, backstop: { energy: false, time: false } });
    await driver.sleep();
    expect((await driver.status()).mode).toBe('sleeping');
    await driver.enable();
    await driver.setCurrentLimit(20);
    expect(await driver.status()).toMatchObject({ mode: 'enabled', currentLimitA: 20, pilot: 'A' });
    await expect(driver.request('ZZ')).rejects.toThrow(RapiNakError);

    model.simPlug(true);
    await waitFor(() => types().includes('chargingStarted'), 'charging to start');
    expect(types()).toEqual(['vehiclePlugged', 'chargingStarted']);
    await waitFor(() => events.filter((e) => e.type === 'meter' && e.powerW > 0).length >= 3, 'meter samples');
    const sample = events.filter((e) => e.type === 'meter').at(-1);
    expect(sample).toMatchObject({ type: 'meter', powerW: 16 * 230 * 3 });
    model.simPlug(false);
    await waitFor(() => types().includes('vehicleUnplugged'), 'the unplug');
    expect(types()).toEqual(['vehiclePlugged', 'chargingStarted', 'chargingStopped', 'vehicleUnplugged']);
  });

  it('the port closes mid-session and comes back: offline, online, and it resumes', async () => {
    const { model, ready } = simulatorOn(pty.pair!.b);
    await ready;
    const { driver, events, types } = await driverOn(pty.pair!.a);
    model.simPlug(true);
    await waitFor(() => types().includes('chargingStarted'), 'charging to start');
    await waitFor(() => events.filter((e) => e.type === 'meter').length >= 2, 'meter samples');
    const before = (await driver.status()).meterWh;

    await pty.pair!.kill(); // the adapter is pulled: both ends vanish
    await waitFor(() => types().includes('offline'), 'offline', 5000);
    await expect(driver.status()).rejects.toThrow(DeviceUnavailableError);
    await new Promise((resolve) => setTimeout(resolve, 300));
    pty.pair = await startPtyPair(pty.pair!.a, pty.pair!.b);
    await waitFor(() => types().includes('online'), 'online again', 15_000);

    const status = await driver.status();
    expect(status).toMatchObject({ online: true, vehicleConnected: true, relayClosed: true, mode: 'enabled' });
    expect(status.meterWh).toBeGreaterThanOrEqual(before);
    const count = events.filter((e) => e.type === 'meter').length;
    await waitFor(() => events.filter((e) => e.type === 'meter').length >= count + 2, 'samples after the reconnect');
    expect(types().filter((t) => t === 'offline' || t === 'online')).toEqual(['offline', 'online']);
  });

  it('a controller switched on after the kiosk started is reached: a failed probe closes the port and frees its lock', async () => {
    // Nothing answers on the port at first: each probe fails. A probe given up without
    // closing the port kept its lock, and every reopen failed with "Cannot lock port".
    const { driver, types } = await driverOn(pty.pair!.a);
    expect(driver.online).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 2500)); // more than one failed probe
    const { ready } = simulatorOn(pty.pair!.b); // the controller is switched on
    await ready;
    await waitFor(() => types().includes('online'), 'the late controller to be reached', 10_000);
    expect((await driver.status()).online).toBe(true);
    // and the port is ours alone: a second open of it is refused by its lock
    await expect(openSerialPort(pty.pair!.a, 115200)).rejects.toThrow(/lock/i);
  });

  it('drives the simulator process (the CLI) as a child process', async () => {
    const stateFile = path.join(pty.dir, 'charger-state.json');
    const child: ChildProcessWithoutNullStreams = spawn(
      process.execPath,
      ['--import', 'tsx', 'devices/charger/rapi-sim-process.ts', '--port', pty.pair!.b, '--state', stateFile, '--phases', '3', '--sample-interval-ms', '200', '--firmware', firmware],
      { cwd: ROOT, stdio: 'pipe' },
    );
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    cleanups.push(async () => {
      if (child.exitCode === null) child.kill('SIGKILL');
      await exited;
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const lines: string[] = [];
    createInterface({ input: child.stdout }).on('line', (line) => lines.push(line));
    await waitFor(() => lines.includes('ready'), `the simulator process to print ready (stderr: ${stderr})`, 15_000);
    const control = async (command: string): Promise<string> => {
      const seen = lines.length;
      child.stdin.write(`${command}\n`);
      await waitFor(() => lines.length > seen, `an answer to ${command}`);
      return lines[seen]!;
    };

    const { driver, types } = await driverOn(pty.pair!.a);
    expect(driver.online).toBe(true);
    expect((await driver.info()).firmware).toBe(firmware === 'fd-sleep' ? '8.2.1' : '8.2.2.sim');
    expect(await control('plug')).toBe('ok');
    await waitFor(() => types().includes('chargingStarted'), 'charging to start');
    expect(await control('fault')).toBe('ok');
    await waitFor(() => types().includes('faultRaised'), 'the fault');
    expect((await driver.status()).fault).toBe('gfci');
    expect(await control('clear')).toBe('ok');
    await waitFor(() => types().includes('faultCleared'), 'the fault cleared');
    expect(await control('reset')).toBe('ok');
    await waitFor(() => types().includes('boot'), 'the boot notice');
    expect(await control('full')).toBe('ok');
    expect(await control('state')).toMatch(/^ok \{"plugged":true/);
    expect(await control('nonsense')).toMatch(/^error/);
    expect(await control('unplug')).toBe('ok');
    await waitFor(() => types().includes('vehicleUnplugged'), 'the unplug');
    expect(await control('quit')).toBe('ok');
    expect(await exited).toBe(0);
    expect(JSON.parse(fs.readFileSync(stateFile, 'utf8'))).toMatchObject({ version: 1, plugged: false });
  });
});

describe.skipIf(!haveSocat)('RAPI round trip over a pseudo-terminal pair', () => {
  it('scripts/rapi-rtt.ts prints its measurement as JSON', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/rapi-rtt.ts', '--count', '20'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code, err).toBe(0);
    const result = JSON.parse(out) as Record<string, unknown>;
    expect(result).toMatchObject({ command: '$GS', count: 20, baudRate: 115200 });
    expect(typeof (result.rttMs as { median: number }).median).toBe('number');
  });
});
