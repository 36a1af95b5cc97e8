import { afterEach, describe, expect, it } from 'vitest';
import { DeviceUnavailableError } from '../../../devices/device-errors.js';
import type { ChargerEvent } from '../../../devices/charger/charger-port.js';
import { decodeFrame, encodeAsync, encodeReply } from '../../../devices/charger/rapi-codec.js';
import { RapiChargerController, RapiNakError, RapiTimeoutError } from '../../../devices/charger/rapi-driver.js';
import { RELAY_CLOSE_DELAY_MS } from '../../../devices/charger/simulated-charger.js';
import { ManualClock } from '../../../devices/clock.js';
import { createDuplexPair } from '../../../devices/memory-duplex.js';
import { FIRMWARE_VARIANTS } from '../../../devices/charger/rapi-variants.js';
import { FULL_POWER_W, advance, flush, rawPeer, recordingLog, rig, until } from './rapi-helpers.js';
import type { Rig } from './rapi-helpers.js';

let current: Rig | null = null;
async function startRig(options: Parameters<typeof rig>[0] = {}): Promise<Rig> {
  current = await rig(options);
  return current;
}
afterEach(async () => {
  await current?.close();
  current = null;
});

const commandsSeen = (r: Rig): string[] =>
  r.sim.received.map((f) => (f.decoded?.kind === 'command' ? [f.decoded.command, ...f.decoded.params].join(' ') : `!${f.text}`));
const meters = (events: ChargerEvent[]) => events.flatMap((e) => (e.type === 'meter' ? [e] : []));
const lastStatus = (events: ChargerEvent[]) => events.flatMap((e) => (e.type === 'status' ? [e.status] : [])).at(-1);

describe.each(FIRMWARE_VARIANTS)('RapiChargerController over the simulator, firmware %s', (firmware) => {
  // Every test here runs against each firmware variant the simulator plays.
  const start = (options: Parameters<typeof rig>[0] = {}): Promise<Rig> => startRig({ ...options, sim: { firmware, ...options.sim } });
  const version = (r: Rig): string[] => [r.sim.version.firmware, r.sim.version.rapi];

  it('probes the controller on connect and reports it', async () => {
    const r = await start();
    expect(commandsSeen(r).slice(0, 6)).toEqual(['GV', 'GC', 'GH', 'G3', 'GS', 'GU']);
    expect(await r.driver.info()).toMatchObject({ firmware: r.sim.version.firmware, maxCurrentA: 32, voltageV: 230, backstop: { energy: false, time: false } });
    expect(await r.driver.status()).toEqual({
      online: true,
      mode: 'enabled',
      pilot: 'A',
      vehicleConnected: false,
      relayClosed: false,
      fault: null,
      meterWh: 0,
      powerW: 0,
      currentLimitA: 32,
    });
    expect(r.types()).toEqual([]); // no 'online' without an 'offline' before it
  });

  it('puts every command on the wire with a sequence id, and an XOR checksum', async () => {
    const r = await start();
    await r.driver.status();
    const seqs = r.sim.received.map((f) => (f.decoded?.kind === 'command' ? f.decoded.seq : null));
    expect(seqs.every((s) => s !== null)).toBe(true);
    expect(new Set(seqs).size).toBe(seqs.length);
    expect(r.sim.received.every((f) => f.decoded?.kind === 'command' && f.decoded.checksum === 'xor')).toBe(true);
  });

  it('enable / sleep / disable / current limit', async () => {
    const r = await start();
    await r.driver.sleep();
    expect(await r.driver.status()).toMatchObject({ mode: 'sleeping', pilot: 'A' });
    expect((await r.model.status()).mode).toBe('sleeping');
    await r.driver.disable();
    expect(await r.driver.status()).toMatchObject({ mode: 'disabled', pilot: 'unknown' });
    await r.driver.enable();
    expect(await r.driver.status()).toMatchObject({ mode: 'enabled', pilot: 'A' });

    await r.driver.setCurrentLimit(16.7);
    expect(commandsSeen(r)).toContain('SC 16 V');
    expect(r.sim.eepromWrites).toBe(0);
    expect((await r.model.status()).currentLimitA).toBe(16);
    expect((await r.driver.status()).currentLimitA).toBe(16);
    await r.driver.setCurrentLimit(40); // cut to the controller's 32 A
    expect((await r.driver.status()).currentLimitA).toBe(32);
    await expect(r.driver.setCurrentLimit(5)).rejects.toThrow(RangeError);
    await expect(r.driver.setCurrentLimit(Number.NaN)).rejects.toThrow(RangeError);
  });

  it('turns state reports ($AT, and $GS at every sample) into the port events: plug, charge, stop, unplug', async () => {
    const r = await start();
    r.model.simPlug(true);
    await until(() => r.types().includes('vehiclePlugged'));
    expect(lastStatus(r.events)).toMatchObject({ pilot: 'B', vehicleConnected: true, relayClosed: false });
    r.clock.advance(RELAY_CLOSE_DELAY_MS);
    await until(() => r.types().includes('chargingStarted'));
    expect(lastStatus(r.events)).toMatchObject({ pilot: 'C', relayClosed: true });

    // Sleep: the car gets the stop delay, then the relay opens with the car still there.
    await r.driver.sleep();
    expect(await r.driver.status()).toMatchObject({ mode: 'sleeping', relayClosed: true, pilot: 'C' });
    // The relay opens after the stop delay; a quiet firmware says so only when asked ($GS).
    await advance(r.clock, 2000);
    await until(() => r.types().includes('chargingStopped'));
    expect(r.events.find((e) => e.type === 'chargingStopped')).toEqual({ type: 'chargingStopped', vehicleConnected: true });

    await r.driver.enable();
    await advance(r.clock, RELAY_CLOSE_DELAY_MS);
    await until(() => r.types().filter((t) => t === 'chargingStarted').length === 2);
    r.model.simPlug(false);
    await until(() => r.types().includes('vehicleUnplugged'));
    expect(r.types()).toEqual(['vehiclePlugged', 'chargingStarted', 'chargingStopped', 'chargingStarted', 'chargingStopped', 'vehicleUnplugged']);
    expect(r.events.filter((e) => e.type === 'chargingStopped').at(-1)).toEqual({ type: 'chargingStopped', vehicleConnected: false });
  });

  it('decodes the checked $AT vector sent unsolicited', async () => {
    const r = await start();
    r.sim.sendRaw('$AT 02 02 16 0100^37\r');
    await until(() => r.types().includes('vehiclePlugged'));
    expect(lastStatus(r.events)).toMatchObject({ mode: 'enabled', pilot: 'B', vehicleConnected: true, currentLimitA: 16 });
  });

  it('faults are raised and cleared', async () => {
    const r = await start();
    r.model.simPlug(true);
    await advance(r.clock, RELAY_CLOSE_DELAY_MS);
    await until(() => r.types().includes('chargingStarted'));
    r.model.simFault(true);
    await until(() => r.types().includes('faultRaised'));
    expect(r.events.find((e) => e.type === 'faultRaised')).toEqual({ type: 'faultRaised', fault: 'gfci' });
    expect(await r.driver.status()).toMatchObject({ fault: 'gfci', pilot: 'unknown', relayClosed: false });
    expect(r.types()).toEqual(['vehiclePlugged', 'chargingStarted', 'faultRaised', 'chargingStopped']);
    r.model.simFault(false);
    await until(() => r.types().includes('faultCleared'));
    expect((await r.driver.status()).fault).toBeNull();
  });

  it('an unknown state code is taken as awake and delivering nothing, never as asleep; logged once with its frame', async () => {
    const log = recordingLog();
    const r = await start({ sim: { sleepingStateCode: 0x42 }, driver: { log } });
    r.model.simPlug(true);
    await advance(r.clock, RELAY_CLOSE_DELAY_MS);
    await until(() => r.types().includes('chargingStarted'));
    await r.driver.sleep();
    // Asked to sleep, it answers with a code we do not know: not confirmed asleep.
    expect(await r.driver.status()).toMatchObject({ mode: 'enabled', pilot: 'unknown', relayClosed: false, powerW: 0, vehicleConnected: true });
    await advance(r.clock, 3000);
    const unknown = log.warns.filter((w) => w.msg.includes('state code'));
    expect(unknown).toHaveLength(1);
    expect(unknown[0]!.obj).toMatchObject({ kind: 'state 42', frame: expect.stringMatching(/^\$(OK|AT) 42 /) });
    // Disabled is a code it knows; so is charging again.
    await r.driver.disable();
    expect(await r.driver.status()).toMatchObject({ mode: 'disabled', relayClosed: false });
    await r.driver.enable();
    await advance(r.clock, RELAY_CLOSE_DELAY_MS);
    expect(await r.driver.status()).toMatchObject({ mode: 'enabled', pilot: 'C', relayClosed: true });
  });

  it('$NK rejects the call with a RapiNakError; optional features probed as absent', async () => {
    const r = await start();
    await expect(r.driver.request('ZZ')).rejects.toThrow(RapiNakError);
    await expect(r.driver.request('ZZ')).rejects.toMatchObject({ command: 'ZZ' });
    expect(await r.driver.setSessionLimits({ energyWh: 5000 })).toBe(false);
    expect(commandsSeen(r).filter((c) => c.startsWith('SH'))).toEqual([]); // never sent: probed unsupported
    // The link is fine after a refusal.
    expect((await r.driver.status()).online).toBe(true);
  });

  it('session limits with a firmware that has them: whole kWh and 15-minute units, rounded up; only with a car', async () => {
    const r = await start({ sim: { limits: true } });
    expect((await r.driver.info()).backstop).toEqual({ energy: true, time: true });
    expect(await r.driver.setSessionLimits({ energyWh: 1500, seconds: 1000 })).toBe(false); // no car: $NK
    r.model.simPlug(true);
    await until(() => r.types().includes('vehiclePlugged'));
    expect(await r.driver.setSessionLimits({ energyWh: 1500, seconds: 1000 })).toBe(true);
    expect(r.sim.limitState()).toEqual({ kWh: 2, time15: 2 });
    expect(await r.driver.setSessionLimits({ energyWh: 300_000 })).toBe(false); // beyond what $SH holds
  });

  it('a silent controller: each try times out after 500 ms, two retries with new ids, then RapiTimeoutError and offline', async () => {
    const r = await start();
    r.sim.setSilent(true);
    const before = r.sim.received.length;
    const pending = r.driver.request('GS');
    const outcome = pending.then(
      () => 'resolved',
      (error: unknown) => error,
    );
    await until(() => r.sim.received.length === before + 1);
    r.clock.advance(499);
    await flush();
    expect(r.sim.received.length).toBe(before + 1);
    r.clock.advance(1);
    await until(() => r.sim.received.length === before + 2);
    r.clock.advance(500);
    await until(() => r.sim.received.length === before + 3);
    const seqs = r.sim.received.slice(before).map((f) => (f.decoded?.kind === 'command' ? f.decoded.seq : null));
    expect(new Set(seqs).size).toBe(3);
    r.clock.advance(500);
    const error = await outcome;
    expect(error).toBeInstanceOf(RapiTimeoutError);
    expect(error).toBeInstanceOf(DeviceUnavailableError);
    await until(() => r.types().includes('offline'));
    expect(r.events.find((e) => e.type === 'offline')).toMatchObject({ reason: expect.stringMatching(/no answer/) });
    await expect(r.driver.status()).rejects.toThrow(DeviceUnavailableError);
    await expect(r.driver.enable()).rejects.toThrow(DeviceUnavailableError);

    // It answers again: the next probe finds it, the driver re-probes and reports online.
    r.sim.setSilent(false);
    await advance(r.clock, 1000);
    await until(() => r.types().includes('online'));
    expect((await r.driver.status()).online).toBe(true);
  });

  it('one lost reply is retried transparently', async () => {
    const r = await start();
    r.sim.setSilent(true);
    const before = r.sim.received.length;
    const pending = r.driver.status();
    await until(() => r.sim.received.length === before + 1);
    r.sim.setSilent(false);
    r.clock.advance(500);
    expect(await pending).toMatchObject({ online: true });
    expect(r.types()).toEqual([]);
  });

  it('ignores replies with another sequence id, and stale replies with nothing in flight', async () => {
    const r = await start();
    r.sim.sendRaw(encodeReply(true, ['junk'], { seq: 0x77 })); // nothing in flight
    await flush();
    r.sim.setSilent(true);
    const before = r.sim.received.length;
    let settled: string[] | null = null;
    const pending = r.driver.request('GS').then((params) => (settled = params));
    await until(() => r.sim.received.length === before + 1);
    const sent = r.sim.received.at(-1)?.decoded;
    if (sent?.kind !== 'command' || sent.seq === null) throw new Error('expected a command with a seq');
    r.sim.sendRaw(encodeReply(true, ['fe', '0', '01', '0000'], { seq: (sent.seq % 255) + 1 }));
    r.sim.sendRaw(encodeReply(false, [], { seq: sent.seq === 1 ? 2 : sent.seq - 1 }));
    await flush(10);
    expect(settled).toBeNull();
    r.sim.sendRaw(encodeReply(true, ['01', '0', '01', '0000'], { seq: sent.seq }));
    await pending;
    expect(settled).toEqual(['01', '0', '01', '0000']);
  });

  it('a $NK without a sequence id: sent again (could not read it) where ids are echoed, a refusal where they never are', async () => {
    const r = await start();
    r.sim.setSilent(true);
    const before = r.sim.received.length;
    const pending = r.driver.request('GV').catch((error: unknown) => error);
    await until(() => r.sim.received.length === before + 1);
    r.sim.setSilent(false);
    r.sim.sendRaw('$NK^21\r');
    if (firmware === 'noSeqId') {
      expect(await pending).toBeInstanceOf(RapiNakError);
      expect(r.sim.received.length).toBe(before + 1);
    } else {
      expect(await pending).toEqual(version(r));
      expect(r.sim.received.length).toBe(before + 2);
    }
  });

  it('queues concurrent calls: one command in flight at a time, answered in order', async () => {
    const r = await start();
    const results = await Promise.all([r.driver.request('GV'), r.driver.request('GC'), r.driver.request('ZZ').catch((e: Error) => e.name), r.driver.request('GE')]);
    expect(results).toEqual([version(r), ['6', '32', '32', '32'], 'RapiNakError', ['32', '0000']]);
  });

  it('refuses a command longer than the firmware buffer before sending it', async () => {
    const r = await start();
    await expect(r.driver.request('FP', ['0', '0', 'x'.repeat(30)])).rejects.toThrow(/at most 32/);
    await expect(r.driver.request('FP', ['a b'])).rejects.toThrow(TypeError);
  });

  // These run hours of model time in steps of many seconds; a reply timeout longer than a
  // step keeps the commands in flight during a step from timing out.
  const longRun = { driver: { timeoutMs: 600_000 } };

  it('meter samples while a car is connected: total at session start + session W·s, with the power', async () => {
    const r = await start(longRun);
    r.model.simPlug(true);
    await until(() => r.types().includes('vehiclePlugged'));
    await advance(r.clock, RELAY_CLOSE_DELAY_MS + 10_000, 100);
    const samples = meters(r.events);
    expect(samples.length).toBeGreaterThanOrEqual(9);
    expect(samples.at(-1)?.powerW).toBe(FULL_POWER_W);
    // 11 040 W for ~10 s: ~30 Wh.
    expect(samples.at(-1)?.meterWh).toBeGreaterThanOrEqual(29);
    expect(samples.at(-1)?.meterWh).toBeLessThanOrEqual(31);
    for (let i = 1; i < samples.length; i++) expect(samples[i]!.meterWh).toBeGreaterThanOrEqual(samples[i - 1]!.meterWh);
    // An hour: the model's meter and the driver's agree to the Wh.
    await advance(r.clock, 3_600_000, 60_000);
    const status = await r.driver.status();
    expect(status.meterWh).toBe(Math.floor(r.model.simState().meterWs / 3600));
    // Unplugged: no more samples.
    r.model.simPlug(false);
    await until(() => r.types().includes('vehicleUnplugged'));
    const count = meters(r.events).length;
    await advance(r.clock, 5000, 500);
    expect(meters(r.events).length).toBe(count);
    // The next session starts from the total.
    const first = (await r.driver.status()).meterWh;
    r.model.simPlug(true);
    await advance(r.clock, RELAY_CLOSE_DELAY_MS + 3_600_000, 60_000);
    expect((await r.driver.status()).meterWh).toBeGreaterThanOrEqual(first + 11_039);
  });

  it('$AB: a boot event; the meter never goes back although the firmware counter restarts', async () => {
    const r = await start(longRun);
    await r.driver.sleep();
    r.model.simPlug(true);
    await r.driver.enable();
    await advance(r.clock, RELAY_CLOSE_DELAY_MS + 600_000, 10_000);
    const before = (await r.driver.status()).meterWh;
    expect(before).toBeGreaterThan(1800);
    r.model.reset();
    await until(() => r.types().includes('boot'));
    await advance(r.clock, RELAY_CLOSE_DELAY_MS + 600_000, 10_000);
    const samples = meters(r.events);
    for (let i = 1; i < samples.length; i++) expect(samples[i]!.meterWh).toBeGreaterThanOrEqual(samples[i - 1]!.meterWh);
    const after = await r.driver.status();
    expect(after.mode).toBe('enabled');
    expect(after.meterWh).toBeGreaterThan(before + 1800);
    // The driver counted what the firmware's total lost at the reboot: it agrees with the physical meter.
    expect(Math.abs(after.meterWh - Math.floor(r.model.simState().meterWs / 3600))).toBeLessThanOrEqual(1);
    expect(r.sim.received.some((f) => f.decoded?.kind === 'command' && f.decoded.command === 'GV')).toBe(true);
  });

  it('a new driver (kiosk restart) mid-session reads the same meter: total + session', async () => {
    const r = await start(longRun);
    r.model.simPlug(true);
    await advance(r.clock, RELAY_CLOSE_DELAY_MS + 600_000, 10_000);
    const meter = (await r.driver.status()).meterWh;
    await r.driver.close(); // destroys the pair
    const [a, b] = createDuplexPair();
    r.sim.attach(b);
    const second = new RapiChargerController({ clock: r.clock, stream: a, heartbeat: false, phases: 3 });
    try {
      const status = await second.status();
      expect(status).toMatchObject({ vehicleConnected: true, relayClosed: true, powerW: FULL_POWER_W });
      expect(Math.abs(status.meterWh - meter)).toBeLessThanOrEqual(1);
    } finally {
      await second.close();
    }
  });

  it('stream close: offline, calls fail with DeviceUnavailableError; attach() a new stream: online again', async () => {
    const r = await start();
    r.sim.setSilent(true);
    const inFlight = r.driver.request('GS').catch((e: unknown) => e);
    await flush();
    r.driverEnd.destroy(); // the device vanishes
    expect(await inFlight).toBeInstanceOf(DeviceUnavailableError);
    await until(() => r.types().includes('offline'));
    expect(r.events.find((e) => e.type === 'offline')).toEqual({ type: 'offline', reason: 'the serial link closed' });
    await expect(r.driver.status()).rejects.toThrow(DeviceUnavailableError);
    await expect(r.driver.info()).rejects.toThrow(DeviceUnavailableError);
    expect(r.driver.online).toBe(false);

    r.sim.setSilent(false);
    r.model.simPlug(true); // happens while the link is down
    const [a, b] = createDuplexPair();
    r.sim.attach(b);
    r.driver.attach(a);
    await until(() => r.types().includes('online'));
    // What happened meanwhile comes out as events.
    expect(r.types()).toEqual(['offline', 'online', 'vehiclePlugged']);
    expect(await r.driver.status()).toMatchObject({ online: true, vehicleConnected: true });
  });

  it('heartbeat: set up when supported, pulsed, and a missed pulse acknowledged so the current comes back', async () => {
    const r = await start({ driver: { heartbeat: { intervalS: 30, fallbackA: 6 } } });
    expect(r.sim.heartbeatState()).toEqual({ intervalS: 30, fallbackA: 6, trigger: 0 });
    await advance(r.clock, 95_000, 500);
    expect(commandsSeen(r).filter((c) => c === 'SY').length).toBeGreaterThanOrEqual(8);
    expect((await r.model.status()).currentLimitA).toBe(32);

    // The kiosk stalls: no pulses for over 30 s.
    r.sim.setSilent(true);
    await advance(r.clock, 31_000, 1000);
    r.sim.setSilent(false);
    expect(r.sim.heartbeatState().trigger).toBe(2);
    expect((await r.model.status()).currentLimitA).toBe(6);
    await advance(r.clock, 20_000, 500);
    await until(() => commandsSeen(r).includes('SY 165'));
    await flush(10);
    expect((await r.model.status()).currentLimitA).toBe(32);
  });

  it('heartbeat: not used when the firmware refuses $SY', async () => {
    const r = await start({ sim: { heartbeat: false }, driver: { heartbeat: { intervalS: 30, fallbackA: 6 } } });
    await advance(r.clock, 60_000, 1000);
    expect(commandsSeen(r).filter((c) => c.startsWith('SY'))).toEqual(['SY 30 6']);
  });

  it('works with the additive checksum too', async () => {
    const r = await start({ driver: { checksum: 'additive' } });
    await r.driver.sleep();
    expect(r.sim.received.every((f) => f.decoded?.kind === 'command' && f.decoded.checksum === 'additive')).toBe(true);
    expect((await r.model.status()).mode).toBe('sleeping');
  });

  it('a listener that throws neither stops the others nor breaks the driver', async () => {
    const r = await start();
    r.driver.subscribe(() => {
      throw new Error('listener bug');
    });
    const errors: unknown[] = [];
    const onError = (error: unknown) => errors.push(error);
    process.on('uncaughtException', onError);
    try {
      r.model.simPlug(true);
      await until(() => r.types().includes('vehiclePlugged'));
      await flush();
      expect((await r.driver.status()).vehicleConnected).toBe(true);
    } finally {
      process.off('uncaughtException', onError);
    }
  });

  it('close(): calls fail, no timers left, the stream is destroyed', async () => {
    const r = await start();
    r.model.simPlug(true);
    await until(() => r.types().includes('vehiclePlugged'));
    await r.driver.close();
    await r.sim.close();
    await r.model.close();
    expect(r.driverEnd.destroyed).toBe(true);
    await expect(r.driver.status()).rejects.toThrow(DeviceUnavailableError);
    expect(r.clock.pendingTimers()).toBe(0);
  });
});

describe('RapiChargerController against a scripted peer', () => {
  it('connects to a minimal firmware that refuses every optional command', async () => {
    const clock = new ManualClock();
    const [a, b] = createDuplexPair();
    const peer = rawPeer(b);
    const driver = new RapiChargerController({ clock, stream: a });
    const answer = async () => {
      const [frame] = await peer.next();
      const command = decodeFrame(frame ?? '');
      if (command.kind !== 'command') throw new Error(`not a command: ${frame}`);
      const replies: Record<string, string[] | null> = { GV: ['4.8.0', '3.0.1'], GC: ['6', '40', '30', '40'], GS: ['01', '0', '01', '0000'] };
      const params = replies[command.command] ?? null;
      peer.send(encodeReply(params !== null, params ?? [], { seq: command.seq }));
      return command.command;
    };
    const seen: string[] = [];
    for (let i = 0; i < 7; i++) seen.push(await answer());
    expect(seen).toEqual(['GV', 'GC', 'GH', 'G3', 'SY', 'GS', 'GU']);
    const status = driver.status();
    expect(await answer()).toBe('GS'); // $GU was refused: no energy meter, not asked again
    expect(await status).toMatchObject({ currentLimitA: 30, meterWh: 0, mode: 'enabled' });
    const info = driver.info();
    await answer();
    expect(await info).toMatchObject({ firmware: '4.8.0', maxCurrentA: 40, voltageV: 230, backstop: { energy: false, time: false } });
    // Notices for other things are ignored without harm.
    peer.send(encodeAsync('AN', ['1']));
    peer.send(encodeAsync('WF', ['02']));
    peer.send('$ZZ garbage^00\r');
    await flush();
    await driver.close();
    expect(clock.pendingTimers()).toBe(0);
  });

  it('starts offline when nothing answers, and comes online when something does', async () => {
    const clock = new ManualClock();
    const [a, b] = createDuplexPair();
    const peer = rawPeer(b);
    const driver = new RapiChargerController({ clock, stream: a, heartbeat: false });
    const events: ChargerEvent[] = [];
    driver.subscribe((e) => events.push(e));
    const early = driver.status().catch((e: unknown) => e);
    for (let i = 0; i < 3; i++) {
      await peer.next();
      clock.advance(500);
    }
    await until(() => events.some((e) => e.type === 'offline'));
    expect(await early).toBeInstanceOf(DeviceUnavailableError);
    // A notice from the controller is enough to start a new probe.
    peer.send(encodeAsync('AT', ['01', '01', '32', '0000']));
    const [probe] = await peer.next();
    expect(probe).toMatch(/^\$GV /);
    await driver.close();
  });

  it('reply timeouts run on the link clock, samples on the clock (an accelerated clock cannot starve the link)', async () => {
    const clock = new ManualClock();
    const linkClock = new ManualClock();
    const [a, b] = createDuplexPair();
    const peer = rawPeer(b);
    const driver = new RapiChargerController({ clock, linkClock, stream: a, heartbeat: false });
    await peer.next();
    clock.advance(60_000);
    await flush();
    expect(peer.frames).toHaveLength(1); // no retry: the link clock has not moved
    linkClock.advance(500);
    await peer.next();
    expect(peer.frames).toHaveLength(2);
    await driver.close();
    expect(clock.pendingTimers() + linkClock.pendingTimers()).toBe(0);
  });

  it('validates its options', () => {
    const clock = new ManualClock();
    expect(() => new RapiChargerController({ clock, timeoutMs: 0 })).toThrow(RangeError);
    expect(() => new RapiChargerController({ clock, retries: -1 })).toThrow(RangeError);
    expect(() => new RapiChargerController({ clock, heartbeat: { intervalS: 1, fallbackA: 6 } })).toThrow(RangeError);
  });
});
