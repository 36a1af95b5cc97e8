import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../devices/clock.js';
import { RELAY_CLOSE_DELAY_MS } from '../../../devices/charger/simulated-charger.js';
import { decodeFrame, encodeCommand } from '../../../devices/charger/rapi-codec.js';
import { RapiEvseSimulator } from '../../../devices/charger/rapi-simulator.js';
import type { RapiEvseSimulatorOptions } from '../../../devices/charger/rapi-simulator.js';
import { createDuplexPair } from '../../../devices/memory-duplex.js';
import vectors from '../../fixtures/rapi-vectors.json' with { type: 'json' };
import { advance, flush, makeModel, rawPeer, until } from './rapi-helpers.js';

let cleanup: (() => Promise<void>) | null = null;
afterEach(async () => {
  await cleanup?.();
  cleanup = null;
});

async function setup(options: Partial<RapiEvseSimulatorOptions> = {}) {
  const clock = new ManualClock();
  const model = makeModel(clock);
  clock.advance(0); // its power-on boot, before the simulator listens
  const [host, device] = createDuplexPair();
  const sim = new RapiEvseSimulator({ model, clock, stream: device, phases: 3, ...options });
  await sim.ready;
  const peer = rawPeer(host);
  /** Sends a command (xor checksum, seq) and returns the decoded reply. */
  const ask = async (command: string, params: string[] = [], seq: number | null = 1) => {
    peer.send(encodeCommand(command, params, { seq }));
    // The reply; notices that come in between are left to the frames list.
    for (;;) {
      const decoded = decodeFrame((await peer.next())[0] ?? '');
      if (decoded.kind !== 'async') return decoded;
    }
  };
  cleanup = async () => {
    await sim.close();
    await model.close();
    host.destroy();
  };
  return { clock, model, sim, peer, ask, host };
}

function atFrames(frames: string[]): string[] {
  return frames.filter((f) => f.startsWith('$AT') || f.startsWith('$AB'));
}

describe('RapiEvseSimulator', () => {
  it('answers the checked vectors byte for byte where the state matches', async () => {
    const { peer } = await setup();
    peer.send('$GV^35\r');
    expect(await peer.next()).toEqual([`$OK 8.2.2.sim 5.2.1^${xor('$OK 8.2.2.sim 5.2.1')}`]);
    peer.send('$SC 16 V^65\r');
    const [reply, at] = await peer.next(2);
    expect(reply).toBe('$OK 16^07');
    // The firmware reports the changed current after the reply.
    expect(at).toBe(`$AT 01 01 16 0000^${xor('$AT 01 01 16 0000')}`);
  });

  it('reproduces the checked $GS exchanges byte for byte: charging for 1234 s', async () => {
    const { peer, model, clock } = await setup();
    model.simPlug(true);
    clock.advance(RELAY_CLOSE_DELAY_MS);
    clock.advance(1_234_000);
    await flush();
    const notices = peer.frames.length;
    peer.send('$GS^30\r');
    peer.send('$GS :01^2B\r');
    await until(() => peer.frames.length >= notices + 2);
    expect(peer.frames.slice(notices)).toEqual(['$OK 03 1234 03 0140^21', '$OK 03 1234 03 0140 :01^3A']);
  });

  it('echoes the sequence id, and answers all three checksum styles', async () => {
    const { peer, ask } = await setup();
    expect(await ask('GS', [], 0x2a)).toMatchObject({ kind: 'reply', ok: true, seq: 0x2a, params: ['01', '0', '01', '0000'] });
    peer.send('$GS\r');
    expect(decodeFrame((await peer.next())[0] ?? '')).toMatchObject({ kind: 'reply', ok: true, seq: null });
    peer.send(encodeCommand('GS', [], { seq: 7, checksum: 'additive' }));
    expect(decodeFrame((await peer.next())[0] ?? '')).toMatchObject({ kind: 'reply', ok: true, seq: 7 });
  });

  it('answers a bad checksum with $NK and no sequence id', async () => {
    const { peer } = await setup();
    peer.send('$GS :01^2C\r');
    expect(await peer.next()).toEqual(['$NK^21']);
  });

  it('drops lines longer than its 32-byte buffer, answers more than 10 tokens and unknown commands with $NK', async () => {
    const { peer, sim, ask } = await setup();
    // 32 bytes with the \r fit the firmware's buffer; 33 do not.
    const fits = `$FP 0 0 ${'x'.repeat(23)}\r`;
    expect(fits.length).toBe(32);
    peer.send(fits);
    expect(await peer.next()).toEqual(['$NK^21']);
    peer.send(`$FP 0 0 ${'x'.repeat(24)}\r`);
    await flush(10);
    expect(peer.frames).toHaveLength(1);
    expect(sim.received.at(-1)?.dropped).toBe('tooLong');
    peer.send('$FP 1 2 3 4 5 6 7 8 9 0\r');
    expect(await peer.next()).toEqual(['$NK^21']);
    expect(await ask('ZZ', [], 3)).toEqual({ kind: 'reply', ok: false, params: [], seq: 3 });
  });

  it('maps $FE / $FS / $FD / $SC onto the model; $SC without V is counted as an EEPROM write', async () => {
    const { ask, model, sim } = await setup();
    expect(await ask('FS')).toMatchObject({ ok: true });
    expect((await model.status()).mode).toBe('sleeping');
    expect(await ask('FD')).toMatchObject({ ok: true });
    expect((await model.status()).mode).toBe('disabled');
    expect(await ask('FE')).toMatchObject({ ok: true });
    expect((await model.status()).mode).toBe('enabled');
    expect(await ask('SC', ['20', 'V'])).toMatchObject({ ok: true, params: ['20'] });
    expect(sim.eepromWrites).toBe(0);
    expect(await ask('SC', ['24'])).toMatchObject({ ok: true, params: ['24'] });
    expect(sim.eepromWrites).toBe(1);
    expect(await ask('SC', ['5', 'V'])).toMatchObject({ ok: false, params: ['24'] });
    expect(await ask('SC', ['40', 'V'])).toMatchObject({ ok: false, params: ['24'] });
    expect((await model.status()).currentLimitA).toBe(24);
    expect(await ask('GC')).toMatchObject({ ok: true, params: ['6', '32', '24', '32'] });
  });

  it('sends $AT on every change of state, after the reply to the command that caused it', async () => {
    const { peer, model, clock } = await setup();
    model.simPlug(true);
    expect(await peer.next()).toEqual([`$AT 02 02 32 0100^${xor('$AT 02 02 32 0100')}`]);
    clock.advance(RELAY_CLOSE_DELAY_MS);
    expect(await peer.next()).toEqual([`$AT 03 03 32 0140^${xor('$AT 03 03 32 0140')}`]);
    peer.send(encodeCommand('FS', [], { seq: 9 }));
    const [reply, at] = await peer.next(2);
    expect(decodeFrame(reply ?? '')).toMatchObject({ kind: 'reply', ok: true, seq: 9 });
    // Sleeping, the car still drawing during the stop delay: relay closed, pilot C.
    expect(at).toBe(`$AT fe 03 32 0140^${xor('$AT fe 03 32 0140')}`);
    clock.advance(1000);
    expect(await peer.next()).toEqual([`$AT fe 02 32 0100^${xor('$AT fe 02 32 0100')}`]);
    model.simPlug(false);
    expect(await peer.next()).toEqual([`$AT fe 01 32 0000^${xor('$AT fe 01 32 0000')}`]);
  });

  it('reports sleep under another code when told to (an emulator\'s 0xFD)', async () => {
    const { ask } = await setup({ sleepingStateCode: 0xfd });
    await ask('FS');
    expect(await ask('GS')).toMatchObject({ params: ['fd', '0', '01', '0000'] });
  });

  it('faults: state 06, counted in $GF', async () => {
    const { ask, model, peer } = await setup();
    model.simFault(true);
    expect((await peer.next())[0]).toMatch(/^\$AT 06 /);
    expect(await ask('GF')).toMatchObject({ params: ['1', '0', '0'] });
    model.simFault(false);
    expect((await peer.next())[0]).toMatch(/^\$AT 01 /);
  });

  it('$GU: the session W·s restart when a car connects, the Wh total moves only when the session ends', async () => {
    const { ask, model, clock } = await setup();
    model.simPlug(true);
    await advance(clock, RELAY_CLOSE_DELAY_MS + 3_600_000, 60_000);
    const during = await ask('GU');
    expect(during).toMatchObject({ params: [String(FULL_WS_PER_HOUR), '0'] });
    model.simPlug(false);
    expect(await ask('GU')).toMatchObject({ params: [String(FULL_WS_PER_HOUR), '11040'] });
    model.simPlug(true);
    expect(await ask('GU')).toMatchObject({ params: ['0', '11040'] });
  });

  it('$GG reports the current per phase and the voltage', async () => {
    const { ask, model, clock } = await setup();
    model.simPlug(true);
    clock.advance(RELAY_CLOSE_DELAY_MS);
    expect(await ask('GG')).toMatchObject({ params: ['16000', '230000'] });
  });

  it('$AB 00 at a reboot, then the state', async () => {
    const { peer, model } = await setup();
    model.reset();
    const frames = await peer.next(2);
    expect(frames[0]).toBe(`$AB 00 8.2.2.sim^${xor('$AB 00 8.2.2.sim')}`);
    expect(frames[1]).toMatch(/^\$AT 01 01 32 0000\^/);
  });

  it('session limits: $NK unless built with them; then only with a car, cleared when it leaves, and enforced', async () => {
    const stock = await setup();
    expect(await stock.ask('GH')).toMatchObject({ ok: false });
    expect(await stock.ask('SH', ['10'])).toMatchObject({ ok: false });
    await cleanup?.();
    cleanup = null;

    const { ask, model, sim, clock } = await setup({ limits: true });
    expect(await ask('GH')).toMatchObject({ ok: true, params: ['0'] });
    expect(await ask('SH', ['1'])).toMatchObject({ ok: false }); // state A: no car
    model.simPlug(true);
    expect(await ask('SH', ['1'])).toMatchObject({ ok: true });
    expect(await ask('S3', ['4'])).toMatchObject({ ok: true });
    expect(sim.limitState()).toEqual({ kWh: 1, time15: 4 });
    // 1 kWh at 11 040 W takes 326 s; the limit puts the station to sleep.
    await advance(clock, RELAY_CLOSE_DELAY_MS + 330_000, 1000);
    expect((await model.status()).mode).toBe('sleeping');
    model.simPlug(false);
    await flush();
    expect(sim.limitState()).toEqual({ kWh: 0, time15: 0 });
    expect((await model.status()).mode).toBe('enabled');
  });

  it('heartbeat: falls back to the set current when the host goes quiet, $NK to pulses until acknowledged', async () => {
    const { ask, model, clock, sim } = await setup();
    expect(await ask('SY', ['10', '8'])).toMatchObject({ ok: true, params: ['10', '8', '0'] });
    await advance(clock, 9000, 1000);
    expect(await ask('SY')).toMatchObject({ ok: true });
    await advance(clock, 9000, 1000);
    expect((await model.status()).currentLimitA).toBe(32);
    await advance(clock, 2000, 1000); // 11 s since the last pulse
    expect((await model.status()).currentLimitA).toBe(8);
    expect(sim.heartbeatState().trigger).toBe(2);
    expect(await ask('SY')).toMatchObject({ ok: false, params: ['10', '8', '2'] });
    expect(await ask('SY', ['1'])).toMatchObject({ ok: false });
    expect(await ask('SY', ['165'])).toMatchObject({ ok: true, params: ['10', '8', '1'] });
    expect((await model.status()).currentLimitA).toBe(32);
    expect(await ask('SY')).toMatchObject({ ok: true });
  });

  it('stops answering while silent, and never writes to a stream it let go of', async () => {
    const { peer, sim, model } = await setup();
    sim.setSilent(true);
    peer.send('$GS^30\r');
    await flush(10);
    expect(peer.frames).toEqual([]);
    sim.detach();
    model.simPlug(true);
    await flush(10);
    expect(atFrames(peer.frames)).toEqual([]);
  });
});

describe('RapiEvseSimulator firmware variants', () => {
  it("noSeqId + fd-sleep is the third-party emulator: $GV :F0 answered byte for byte as reported, without the id", async () => {
    const { peer } = await setup({ firmware: ['noSeqId', 'fd-sleep'] });
    peer.send('$GV :F0^59\r');
    expect(await peer.next()).toEqual([vectors.replies.find((v) => v.origin === 'issue')!.frame.trimEnd()]);
  });

  it('quiet: $AT only when the state code changes; asleep, a plug-in or unplug sends nothing and shows in $GS', async () => {
    const { peer, model, ask } = await setup({ firmware: 'quiet' });
    model.simPlug(true); // A -> B: a new code
    expect(await peer.next()).toEqual([`$AT 02 02 32 0100^${xor('$AT 02 02 32 0100')}`]);
    model.simPlug(false);
    expect(await peer.next()).toEqual([`$AT 01 01 32 0000^${xor('$AT 01 01 32 0000')}`]);
    expect(await ask('SC', ['20', 'V'])).toMatchObject({ ok: true }); // the current changes, the code does not
    await ask('FS');
    const notices = atFrames(peer.frames).length;
    model.simPlug(true);
    await flush(10);
    expect(atFrames(peer.frames)).toHaveLength(notices);
    expect(await ask('GS')).toMatchObject({ params: ['fe', '0', '02', '0100'] });
    model.simPlug(false);
    await flush(10);
    expect(atFrames(peer.frames)).toHaveLength(notices);
    expect(await ask('GS')).toMatchObject({ params: ['fe', '0', '01', '0000'] });
  });

  it('noSeqId: replies carry no sequence id, $NK neither', async () => {
    const { ask } = await setup({ firmware: 'noSeqId' });
    expect(await ask('GS', [], 0x2a)).toMatchObject({ kind: 'reply', ok: true, seq: null });
    expect(await ask('ZZ', [], 3)).toEqual({ kind: 'reply', ok: false, params: [], seq: null });
  });

  it('fd-sleep: sleep is 0xFD, and $GV says 8.2.1 5.0.1', async () => {
    const { ask, sim } = await setup({ firmware: 'fd-sleep' });
    expect(await ask('GV')).toMatchObject({ params: ['8.2.1', '5.0.1'] });
    expect(sim.version).toEqual({ firmware: '8.2.1', rapi: '5.0.1' });
    await ask('FS');
    expect(await ask('GS')).toMatchObject({ params: ['fd', '0', '01', '0000'] });
  });

  it('gg4: $GG with the current of each phase, then the voltage (0 for the phases a single-phase supply lacks)', async () => {
    const three = await setup({ firmware: 'gg4' });
    three.model.simPlug(true);
    three.clock.advance(RELAY_CLOSE_DELAY_MS);
    expect(await three.ask('GG')).toMatchObject({ params: ['16000', '16000', '16000', '230000'] });
    await cleanup?.();
    const single = await setup({ firmware: 'gg4', phases: 1 });
    single.model.simPlug(true);
    single.clock.advance(RELAY_CLOSE_DELAY_MS);
    // The model runs three phases; told one, the simulator reports it all on L1.
    expect(await single.ask('GG')).toMatchObject({ params: ['48000', '0', '0', '230000'] });
  });

  it('banner: a boot writes lines of text before $AB', async () => {
    const { host, model } = await setup({ firmware: 'banner' });
    let wire = '';
    host.on('data', (chunk: Buffer) => (wire += chunk.toString('latin1')));
    model.reset();
    await until(() => wire.includes('$AT'));
    expect(wire).toMatch(/^\r\nOpen EVSE\r\nFirmware v8\.2\.2\.sim\r\nRAPI v5\.2\.1\r\n\$AB 00 8\.2\.2\.sim\^[0-9A-F]{2}\r\$AT /);
  });

  it('gu-reversed: $GU total Wh first, then the session W·s; $GV says RAPI 3.0.1', async () => {
    const { ask, model, clock } = await setup({ firmware: 'gu-reversed' });
    expect(await ask('GV')).toMatchObject({ params: ['8.2.2.sim', '3.0.1'] });
    model.simPlug(true);
    await advance(clock, RELAY_CLOSE_DELAY_MS + 3_600_000, 60_000);
    model.simPlug(false);
    expect(await ask('GU')).toMatchObject({ params: ['11040', String(FULL_WS_PER_HOUR)] });
  });

  it('no-vflags: $GS and $AT without the vehicle flags', async () => {
    const { ask, peer, model } = await setup({ firmware: 'no-vflags' });
    model.simPlug(true);
    expect(await peer.next()).toEqual([`$AT 02 02 32^${xor('$AT 02 02 32')}`]);
    expect(await ask('GS')).toMatchObject({ params: ['02', '0', '02'] });
  });

  it('refuses a variant it does not know', async () => {
    await expect(setup({ firmware: 'nonsense' as never })).rejects.toThrow(/unknown firmware variant "nonsense"/);
  });
});

const FULL_WS_PER_HOUR = 16 * 230 * 3 * 3600;

function xor(text: string): string {
  let sum = 0;
  for (const c of text) sum ^= c.charCodeAt(0);
  return sum.toString(16).toUpperCase().padStart(2, '0');
}
