import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../devices/clock.js';
import { createDuplexPair } from '../../../devices/memory-duplex.js';
import { encodeRdm6300Frame } from '../../../devices/rfid/rdm6300-codec.js';
import { openRdm6300Serial, Rdm6300Reader, RepeatFilter } from '../../../devices/rfid/rdm6300-reader.js';
import { Rdm6300Simulator, type Rdm6300SimVariant } from '../../../devices/rfid/rdm6300-simulator.js';
import { record, tagsOf } from './rfid-test-helpers.js';

/** Runs the manual clock `ms` forward in steps, letting the in-memory link deliver between them. */
async function run(clock: ManualClock, ms: number, step = 10): Promise<void> {
  for (let done = 0; done < ms; done += step) {
    clock.advance(Math.min(step, ms - done));
    await new Promise((resolve) => setImmediate(resolve));
  }
}

function setup(variant: Rdm6300SimVariant = {}, gapMs?: number) {
  const clock = new ManualClock();
  const [readerEnd, deviceEnd] = createDuplexPair();
  const reader = new Rdm6300Reader({ clock, ...(gapMs ? { gapMs } : {}) });
  const events = record(reader);
  reader.attach(readerEnd);
  const simulator = new Rdm6300Simulator({ clock, variant });
  simulator.attach(deviceEnd);
  return { clock, reader, events, simulator, readerEnd, deviceEnd };
}

describe('RepeatFilter', () => {
  it('passes a tag once while it repeats within the gap, again after a longer absence, another tag at once', () => {
    const clock = new ManualClock();
    const filter = new RepeatFilter(clock, 600);
    const seen: boolean[] = [];
    for (const [afterMs, uid] of [[0, 'A'], [250, 'A'], [500, 'A'], [600, 'A'], [601, 'A'], [10, 'B'], [10, 'A']] as const) {
      clock.advance(afterMs);
      seen.push(filter.accept(uid));
    }
    expect(seen).toEqual([true, false, false, false, true, true, true]);
  });
});

describe('Rdm6300Reader against its simulator, in memory', () => {
  const variants: [string, Rdm6300SimVariant][] = [
    ['every 250 ms', { repeatMs: 250 }],
    ['every 100 ms', { repeatMs: 100 }],
    ['every 250 ms with one frame in 3 damaged (a lost frame)', { repeatMs: 250, badChecksumEvery: 3 }],
    ['lower-case hex, CR LF, noise at power-up', { repeatMs: 100, lowerCase: true, crlf: true, garbageAtPowerUp: true }],
    ['one frame per presentation', { repeatMs: null, garbageAtPowerUp: true }],
  ];
  for (const [name, variant] of variants) {
    it(`a tag held for 5 s is one tap (${name}); taken away and held again, another`, async () => {
      const { clock, events, simulator } = setup(variant);
      expect(events).toEqual([{ type: 'online' }]);
      simulator.present('13005D1DA5');
      await run(clock, 5000);
      simulator.remove();
      await run(clock, 1000);
      simulator.present('13005D1DA5');
      await run(clock, 2000);
      expect(tagsOf(events)).toEqual(['13005D1DA5', '13005D1DA5']);
      if (variant.repeatMs !== null) expect(simulator.framesSent).toBeGreaterThan(20);
    });
  }

  it('another tag is reported at once, and the first again when it comes back', async () => {
    const { clock, events, simulator } = setup({ repeatMs: 250 });
    simulator.present('13005D1DA5');
    await run(clock, 1000);
    simulator.present('0102030405');
    await run(clock, 20);
    expect(tagsOf(events)).toEqual(['13005D1DA5', '0102030405']);
    simulator.present('13005D1DA5');
    await run(clock, 20);
    expect(tagsOf(events)).toEqual(['13005D1DA5', '0102030405', '13005D1DA5']);
  });

  it('a tag lifted for less than the gap counts as never lifted', async () => {
    const { clock, events, simulator } = setup({ repeatMs: 250 });
    simulator.present('13005D1DA5');
    await run(clock, 300);
    simulator.remove();
    await run(clock, 400);
    simulator.present('13005D1DA5');
    await run(clock, 300);
    expect(tagsOf(events)).toEqual(['13005D1DA5']);
  });

  it('two frames lost in a row at 250 ms exceed the default gap; a longer gap option rides them out', async () => {
    for (const [gapMs, taps] of [[undefined, 2], [1000, 1]] as const) {
      const { clock, events, deviceEnd } = setup({}, gapMs);
      const frame = Buffer.from(encodeRdm6300Frame('13005D1DA5'));
      for (const sent of [true, true, false, false, true, true]) {
        if (sent) deviceEnd.write(frame);
        await run(clock, 250, 250);
      }
      expect(tagsOf(events)).toHaveLength(taps);
    }
  });

  it('the stream closing takes it offline; a new stream, online again', async () => {
    const { events, reader, readerEnd } = setup();
    readerEnd.destroy();
    await new Promise((resolve) => setImmediate(resolve));
    expect(events.at(-1)).toEqual({ type: 'offline', reason: 'the serial link closed' });
    const [again, device] = createDuplexPair();
    reader.attach(again);
    expect(events.at(-1)).toEqual({ type: 'online' });
    device.write(Buffer.from(encodeRdm6300Frame('13005D1DA5')));
    await new Promise((resolve) => setImmediate(resolve));
    expect(tagsOf(events)).toEqual(['13005D1DA5']);
    expect(reader.droppedFrames).toBe(0);
  });

  it('counts what it dropped', async () => {
    const { clock, reader, simulator } = setup({ garbageAtPowerUp: true, badChecksumEvery: 2, repeatMs: 100 });
    simulator.present('13005D1DA5');
    await run(clock, 1000);
    expect(reader.droppedFrames).toBeGreaterThan(5);
  });
});

describe('openRdm6300Serial', () => {
  it('refuses a kernel-numbered path', async () => {
    await expect(openRdm6300Serial({ path: '/dev/ttyUSB0', clock: new ManualClock() })).rejects.toThrow(/serial\/by-id/);
  });

  it('starts offline when the port is absent, and comes online when it opens', async () => {
    const clock = new ManualClock();
    let present = false;
    const [readerEnd, deviceEnd] = createDuplexPair();
    const reader = await openRdm6300Serial({
      path: '/dev/serial/by-id/usb-rdm6300',
      clock,
      backoff: { initialMs: 100, maxMs: 100 },
      openPort: async () => {
        if (!present) throw new Error('No such file or directory, cannot open /dev/serial/by-id/usb-rdm6300');
        return readerEnd;
      },
    });
    const events = record(reader);
    expect(events).toEqual([{ type: 'offline', reason: 'serial port /dev/serial/by-id/usb-rdm6300: No such file or directory, cannot open /dev/serial/by-id/usb-rdm6300' }]);
    present = true;
    await run(clock, 100);
    expect(events.at(-1)).toEqual({ type: 'online' });
    deviceEnd.write(Buffer.from(encodeRdm6300Frame('13005D1DA5')));
    await run(clock, 10);
    expect(tagsOf(events)).toEqual(['13005D1DA5']);
    await reader.close();
    expect(readerEnd.destroyed).toBe(true);
  });
});
