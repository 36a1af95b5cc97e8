import type { Duplex } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../devices/clock.js';
import type { ChargerEvent } from '../../../devices/charger/charger-port.js';
import { RapiEvseSimulator } from '../../../devices/charger/rapi-simulator.js';
import { openRapiSerial, probeRapiVersion, serveRapiSimulatorSerial } from '../../../devices/charger/rapi-serial.js';
import { validateSerialPath } from '../../../devices/serial/serial-link.js';
import { createDuplexPair } from '../../../devices/memory-duplex.js';
import type { MemoryDuplex } from '../../../devices/memory-duplex.js';
import { advance, flush, makeModel, until } from './rapi-helpers.js';

describe('validateSerialPath', () => {
  it('refuses the kernel-numbered names, with the reason and the alternative', () => {
    for (const path of ['/dev/ttyUSB0', '/dev/ttyUSB12', '/dev/ttyACM0', '/dev/ttyS1']) {
      const problem = validateSerialPath(path);
      expect(problem, path).toMatch(/reboot/);
      expect(problem).toMatch(/\/dev\/serial\/by-id\//);
      expect(problem).toMatch(/\/dev\/serial\/by-path\//);
    }
    expect(validateSerialPath('')).toMatch(/empty/);
  });

  it('accepts stable links and anything else', () => {
    for (const path of ['/dev/serial/by-id/usb-FTDI_FT232R_USB_UART_A50285BI-if00-port0', '/dev/serial/by-path/pci-0000:00:14.0-usb-0:2:1.0-port0', '/dev/ttyAMA0', '/tmp/evse-a', '/dev/ttyUSB', 'COM3']) {
      expect(validateSerialPath(path), path).toBeNull();
    }
  });
});

describe('openRapiSerial (injected ports, manual clock)', () => {
  let cleanup: (() => Promise<void>) | null = null;
  afterEach(async () => {
    await cleanup?.();
    cleanup = null;
  });

  async function setup(failFirst: number) {
    const clock = new ManualClock();
    const model = makeModel(clock);
    clock.advance(0);
    const sim = new RapiEvseSimulator({ model, clock });
    await sim.ready;
    const attempts: number[] = [];
    const ports: MemoryDuplex[] = [];
    let failures = failFirst;
    const openPort = async (path: string, baudRate: number): Promise<Duplex> => {
      expect(path).toBe('/dev/serial/by-id/usb-evse');
      expect(baudRate).toBe(115200);
      attempts.push(clock.now());
      if (failures-- > 0) throw new Error('ENOENT: no such file or directory');
      const [host, device] = createDuplexPair();
      sim.attach(device);
      ports.push(host);
      return host;
    };
    const events: ChargerEvent[] = [];
    const opening = openRapiSerial({ path: '/dev/serial/by-id/usb-evse', clock, openPort, controller: { heartbeat: false } });
    cleanup = async () => {
      const controller = await opening;
      await controller.close();
      await sim.close();
      await model.close();
    };
    return { clock, model, sim, attempts, ports, events, opening, t0: clock.now() };
  }

  it('probes $GV before handing the port over, and resolves online', async () => {
    const s = await setup(0);
    const controller = await s.opening;
    expect(controller.online).toBe(true);
    const first = s.sim.received[0]?.decoded;
    expect(first).toMatchObject({ kind: 'command', command: 'GV' });
    expect(await controller.info()).toMatchObject({ firmware: '8.2.2.sim' });
  });

  it('reopens with exponential backoff while the port is missing, then after every close', async () => {
    const s = await setup(6);
    const controller = await s.opening; // resolved at the first failure, offline
    expect(controller.online).toBe(false);
    const events: ChargerEvent[] = [];
    controller.subscribe((e) => events.push(e));
    await expect(controller.status()).rejects.toThrow(/offline: serial port \/dev\/serial\/by-id\/usb-evse: ENOENT/);
    await advance(s.clock, 20_000, 50);
    await until(() => events.some((e) => e.type === 'online'));
    const delays = s.attempts.map((t, i) => t - (s.attempts[i - 1] ?? t)).slice(1);
    expect(delays).toEqual([250, 500, 1000, 2000, 4000, 8000]);
    expect(events.filter((e) => e.type === 'offline')).toEqual([]); // reported once, before we subscribed

    // The port vanishes: offline, then the first retry (backoff reset) brings it back.
    s.ports.at(-1)!.destroy();
    await until(() => events.some((e) => e.type === 'offline'));
    const before = s.attempts.length;
    await advance(s.clock, 300, 50);
    await until(() => events.filter((e) => e.type === 'online').length === 2);
    expect(s.attempts.length).toBe(before + 1);
    expect(s.attempts.at(-1)! - s.attempts.at(-2)!).toBeGreaterThanOrEqual(250);
    expect((await controller.status()).online).toBe(true);
  });

  it('caps the backoff at 10 s', async () => {
    const s = await setup(9);
    await s.opening;
    await advance(s.clock, 60_000, 250);
    const delays = s.attempts.map((t, i) => t - (s.attempts[i - 1] ?? t)).slice(1);
    expect(delays.slice(0, 9)).toEqual([250, 500, 1000, 2000, 4000, 8000, 10_000, 10_000, 10_000]);
  });

  it('a port on which nothing answers is closed and tried again', async () => {
    const clock = new ManualClock();
    const opened: MemoryDuplex[] = [];
    const openPort = async (): Promise<Duplex> => {
      const [host] = createDuplexPair(); // nobody at the other end
      opened.push(host);
      return host;
    };
    const opening = openRapiSerial({ path: '/tmp/evse', clock, openPort, startupTimeoutMs: 10_000 });
    await flush();
    for (let i = 0; i < 4; i++) {
      clock.advance(500);
      await flush();
    }
    const controller = await opening;
    expect(controller.online).toBe(false);
    expect(opened[0]!.destroyed).toBe(true);
    await controller.close();
    await flush();
    expect(clock.pendingTimers()).toBe(0);
  });

  it('refuses an unstable path unless told otherwise', async () => {
    const clock = new ManualClock();
    await expect(openRapiSerial({ path: '/dev/ttyUSB0', clock })).rejects.toThrow(/by-id/);
  });
});

describe('probeRapiVersion and serveRapiSimulatorSerial', () => {
  it('the probe times out on silence and reads the version otherwise', async () => {
    const clock = new ManualClock();
    const [host] = createDuplexPair();
    const probe = probeRapiVersion(host, clock, { timeoutMs: 100, attempts: 2 }).catch((e: Error) => e.message);
    await flush();
    clock.advance(100);
    await flush();
    clock.advance(100);
    expect(await probe).toMatch(/no RAPI answer to \$GV after 2 tries/);
  });

  it('serves the simulator on each port it opens', async () => {
    const clock = new ManualClock();
    const model = makeModel(clock);
    clock.advance(0);
    const sim = new RapiEvseSimulator({ model, clock });
    const hosts: MemoryDuplex[] = [];
    const served = serveRapiSimulatorSerial({
      path: '/tmp/evse-b',
      simulator: sim,
      clock,
      openPort: async () => {
        const [host, device] = createDuplexPair();
        hosts.push(host);
        return device;
      },
    });
    await served.ready;
    expect((await probeRapiVersion(hosts[0]!, clock)).firmware).toBe('8.2.2.sim');
    hosts[0]!.destroy();
    await flush();
    await advance(clock, 300, 50);
    expect(hosts).toHaveLength(2);
    expect((await probeRapiVersion(hosts[1]!, clock)).rapi).toBe('5.2.1');
    await served.close();
    await sim.close();
    await model.close();
  });
});

describe('createDuplexPair', () => {
  it('carries bytes both ways, in order, and destroying one end closes both', async () => {
    const [a, b] = createDuplexPair();
    const got: string[] = [];
    b.on('data', (chunk: Buffer) => got.push(chunk.toString()));
    a.write('one ');
    a.write('two');
    a.write('!');
    expect(got).toEqual([]); // never inside the writer's call
    await flush();
    expect(got.join('')).toBe('one two!');
    const closed: string[] = [];
    a.on('close', () => closed.push('a'));
    b.on('close', () => closed.push('b'));
    b.destroy();
    await flush();
    expect(closed.sort()).toEqual(['a', 'b']);
    const error = await new Promise<Error | null | undefined>((resolve) => a.write('x', resolve));
    expect(error).toBeInstanceOf(Error);
  });
});
