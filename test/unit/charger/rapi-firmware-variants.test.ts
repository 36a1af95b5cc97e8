// Regression tests for what broke against independently written OpenEVSE firmware:
// each runs the driver against the simulator variant that behaves that way (or a
// scripted peer), and failed against the driver before the fix.
import { afterEach, describe, expect, it } from 'vitest';
import type { ChargerEvent } from '../../../devices/charger/charger-port.js';
import { encodeReply } from '../../../devices/charger/rapi-codec.js';
import { decodeFrame } from '../../../devices/charger/rapi-codec.js';
import { RapiChargerController } from '../../../devices/charger/rapi-driver.js';
import { probeRapiVersion } from '../../../devices/charger/rapi-serial.js';
import { RELAY_CLOSE_DELAY_MS } from '../../../devices/charger/simulated-charger.js';
import { ManualClock } from '../../../devices/clock.js';
import { createDuplexPair } from '../../../devices/memory-duplex.js';
import vectors from '../../fixtures/rapi-vectors.json' with { type: 'json' };
import { FULL_POWER_W, advance, flush, rawPeer, recordingLog, rig, until } from './rapi-helpers.js';
import type { Rig } from './rapi-helpers.js';

let current: Rig | null = null;
async function start(options: Parameters<typeof rig>[0]): Promise<Rig> {
  current = await rig(options);
  return current;
}
afterEach(async () => {
  await current?.close();
  current = null;
});

const SAMPLE_MS = 1000; // the rig's sampleIntervalMs
const meterOf = (r: Rig): number => Math.floor(r.model.simState().meterWs / 3600);

/** Plugs the car in and charges for `ms` with the controller enabled. */
async function charge(r: Rig, ms: number): Promise<void> {
  r.model.simPlug(true);
  await r.driver.enable();
  await advance(r.clock, RELAY_CLOSE_DELAY_MS + ms, 500);
  await until(() => r.types().includes('chargingStarted'), 'charging');
}

describe('finding 1: a plug-in or unplug while the controller sleeps, on firmware that sends $AT only when the state code changes', () => {
  it('quiet: a car plugged in while asleep (a driver who paid, then plugged in) is seen within one sample interval', async () => {
    const r = await start({ sim: { firmware: 'quiet' } });
    await r.driver.sleep();
    r.model.simPlug(true);
    await flush(10);
    expect(r.sim.received.length).toBeGreaterThan(0);
    expect(r.types()).not.toContain('vehiclePlugged'); // no $AT: the state code stayed 0xFE
    await advance(r.clock, SAMPLE_MS);
    expect(r.types()).toContain('vehiclePlugged');
    expect(await r.driver.status()).toMatchObject({ mode: 'sleeping', vehicleConnected: true, pilot: 'B' });
  });

  it('quiet: the unplug of a parked car (asleep after its session) is seen within two sample intervals, with its last reading', async () => {
    const r = await start({ sim: { firmware: 'quiet' }, driver: { timeoutMs: 60_000 } });
    await charge(r, 10_000);
    await r.driver.sleep();
    await advance(r.clock, 2000, 100); // the stop delay: the relay opens, the car stays
    expect(await r.driver.status()).toMatchObject({ mode: 'sleeping', vehicleConnected: true, relayClosed: false });
    const before = r.events.length;
    r.model.simPlug(false);
    await advance(r.clock, 2 * SAMPLE_MS, 100);
    expect(r.events.slice(before).map((e) => e.type)).toContain('vehicleUnplugged');
    expect((await r.driver.status()).meterWh).toBe(meterOf(r));
  });

  it('no-vflags: without the vehicle flags, a car plugged in while asleep is worked out from the pilot', async () => {
    const r = await start({ sim: { firmware: 'no-vflags' } });
    await r.driver.sleep();
    r.model.simPlug(true);
    await advance(r.clock, SAMPLE_MS);
    expect(r.types()).toContain('vehiclePlugged');
    expect(await r.driver.status()).toMatchObject({ vehicleConnected: true, pilot: 'B', relayClosed: false });
    // and charging (relay from the pilot): C, then asleep with the car still drawing for the stop delay
    await r.driver.enable();
    await advance(r.clock, RELAY_CLOSE_DELAY_MS + SAMPLE_MS);
    expect(await r.driver.status()).toMatchObject({ relayClosed: true, powerW: FULL_POWER_W });
  });
});

describe('finding 3: replies without a sequence id', () => {
  it("the $GV probe accepts the emulator's id-less answer ($OK 8.2.1 5.0.1^2F to $GV :F0)", async () => {
    const clock = new ManualClock();
    const [host, device] = createDuplexPair();
    const peer = rawPeer(device);
    const answer = vectors.replies.find((v) => v.origin === 'issue')!.frame;
    const probe = probeRapiVersion(host, clock);
    const [sent] = await peer.next();
    expect(decodeFrame(sent ?? '')).toMatchObject({ kind: 'command', command: 'GV', seq: 0xf0 });
    peer.send(answer);
    expect(await probe).toEqual({ firmware: '8.2.1', rapi: '5.0.1' });
    host.destroy();
  });

  it('noSeqId: the driver comes online and is answered in normal traffic, an id-less $NK being a refusal', async () => {
    const r = await start({ sim: { firmware: 'noSeqId' } });
    expect(r.driver.online).toBe(true);
    expect(r.sim.received.every((f) => f.decoded?.kind === 'command' && f.decoded.seq !== null)).toBe(true); // ids sent, never echoed
    expect(await r.driver.status()).toMatchObject({ online: true, mode: 'enabled' });
    await expect(r.driver.request('ZZ')).rejects.toThrow(/refused/);
    await r.driver.sleep();
    expect((await r.model.status()).mode).toBe('sleeping');
    expect(r.types()).toEqual([]);
  });
});

describe('finding 4: firmware variants, read from $GV', () => {
  it('fd-sleep: 0xFD is sleep for the firmware that uses it; the relay counts as closed until it opens, and the last reading comes after', async () => {
    const r = await start({ sim: { firmware: 'fd-sleep' }, driver: { timeoutMs: 60_000 } });
    expect(await r.driver.info()).toMatchObject({ firmware: '8.2.1' });
    await charge(r, 10_000);
    await r.driver.sleep();
    // Asleep, with the car drawing for the stop delay: energy still flows.
    expect(await r.driver.status()).toMatchObject({ mode: 'sleeping', relayClosed: true, pilot: 'C', powerW: FULL_POWER_W });
    expect(r.types()).not.toContain('chargingStopped');
    await advance(r.clock, 2000, 100);
    expect(r.types()).toContain('chargingStopped');
    const status = await r.driver.status();
    expect(status).toMatchObject({ mode: 'sleeping', relayClosed: false, powerW: 0, vehicleConnected: true });
    expect(status.meterWh).toBe(meterOf(r));
  });

  it('gg4: a 4-field $GG (the current of each phase, then the voltage) gives the power and the voltage', async () => {
    const r = await start({ sim: { firmware: 'gg4' } });
    await charge(r, 2000);
    expect(await r.driver.status()).toMatchObject({ relayClosed: true, powerW: FULL_POWER_W });
    expect((await r.driver.info()).voltageV).toBe(230);
    const samples = r.events.flatMap((e) => (e.type === 'meter' && e.powerW > 0 ? [e.powerW] : []));
    expect(samples.length).toBeGreaterThan(0);
    expect(new Set(samples)).toEqual(new Set([FULL_POWER_W]));
  });

  it('gu-reversed: $GU total first (RAPI 3.x): the meter is the controller\'s, across sessions', async () => {
    const r = await start({ sim: { firmware: 'gu-reversed' }, driver: { timeoutMs: 600_000 } });
    expect(r.sim.version.rapi).toBe('3.0.1');
    await charge(r, 600_000);
    expect((await r.driver.status()).meterWh).toBe(meterOf(r));
    r.model.simPlug(false);
    await advance(r.clock, 2 * SAMPLE_MS);
    r.model.simPlug(true);
    await advance(r.clock, RELAY_CLOSE_DELAY_MS + 600_000, 10_000);
    const status = await r.driver.status();
    expect(status.meterWh).toBe(meterOf(r));
    expect(status.meterWh).toBeGreaterThan(3600);
  });

  it('an unknown firmware: logged once with the frame, never a crash, an unknown state never taken for asleep', async () => {
    const clock = new ManualClock();
    const [a, b] = createDuplexPair();
    const peer = rawPeer(b);
    const log = recordingLog();
    const driver = new RapiChargerController({ clock, stream: a, heartbeat: false, log, sampleIntervalMs: 1000 });
    const events: ChargerEvent[] = [];
    driver.subscribe((e) => events.push(e));
    const replies: Record<string, string[] | null> = { GV: ['9.9.9', '6.0.0'], GC: ['6', '32', '32', '32'], GS: ['42', '0', '02', '0100'], GU: ['1', '2', '3'], GG: ['1', '2', '3'], FS: [] };
    let running = true;
    const serve = (async () => {
      while (running) {
        const [frame] = await peer.next().catch(() => ['']);
        const command = decodeFrame(frame ?? '');
        if (command.kind !== 'command') continue;
        const params = replies[command.command] ?? null;
        peer.send(encodeReply(params !== null, params ?? [], { seq: command.seq }));
      }
    })();
    await until(() => events.some((e) => e.type === 'status'), 'online');
    const sleeping = driver.sleep();
    await advance(clock, 5000, 250);
    await sleeping;
    const status = await driver.status();
    expect(status).toMatchObject({ online: true, mode: 'enabled', relayClosed: false, powerW: 0, vehicleConnected: true });
    const kinds = log.warns.map((w) => w.obj.kind);
    expect(kinds.sort()).toEqual(['$GG', '$GU', '$GV', 'state 42']);
    expect(log.warns.find((w) => w.obj.kind === '$GV')!.obj.frame).toMatch(/^\$OK 9\.9\.9 6\.0\.0 :[0-9A-F]{2}\^[0-9A-F]{2}$/);
    expect(log.warns.find((w) => w.obj.kind === '$GU')!.obj.frame).toMatch(/^\$OK 1 2 3 /);
    running = false;
    await driver.close();
    b.destroy();
    await serve;
  });
});

describe('a boot banner, and the boot at start-up', () => {
  it('banner: the text before $AB is skipped; a clean boot at start-up is info, a reboot in service a warning', async () => {
    const log = recordingLog();
    const r = await start({ sim: { firmware: 'banner' }, driver: { log } });
    let wire = '';
    r.driverEnd.on('data', (chunk: Buffer) => (wire += chunk.toString('latin1')));
    // The controller starts with the kiosk.
    r.model.reset();
    await until(() => r.types().includes('boot'), 'the boot');
    expect(wire).toMatch(/^\r\nOpen EVSE\r\nFirmware v8\.2\.2\.sim\r\nRAPI v5\.2\.1\r\n\$AB 00 8\.2\.2\.sim\^/);
    expect(log.infos.map((i) => i.msg)).toContain('charger controller booted');
    expect(log.warns.map((w) => w.msg)).toEqual([]);

    await advance(r.clock, 11_000, 1000);
    r.model.reset();
    await until(() => r.types().filter((t) => t === 'boot').length === 2, 'the reboot');
    expect(log.warns.map((w) => w.msg)).toEqual(['charger controller rebooted']);
    await flush(10);
    expect(await r.driver.status()).toMatchObject({ online: true, mode: 'enabled' });
  });

  it('a boot that fails its self-test is a warning even at start-up', async () => {
    const log = recordingLog();
    const r = await start({ driver: { log } });
    r.sim.sendRaw('$AB 09 8.2.2.sim\r');
    await until(() => r.types().includes('boot'), 'the boot');
    expect(log.warns).toMatchObject([{ msg: 'charger controller booted', obj: { postCode: 9 } }]);
  });
});
