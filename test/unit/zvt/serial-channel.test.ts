// The ZVT serial link layer over an in-memory cable, on a manual clock: the test plays
// the peer's link layer byte by byte, or runs a second ZvtSerialChannel.
import { Duplex } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../devices/clock.js';
import { createDuplexPair } from '../../../devices/memory-duplex.js';
import { encodeApdu } from '../../../devices/payment/zvt/apdu.js';
import { ACK_BYTES, encodeFrame, NAK_BYTES, ZvtFrameDecoder } from '../../../devices/payment/zvt/framing.js';
import { ZvtLinkError, ZvtSerialChannel } from '../../../devices/payment/zvt/serial-channel.js';
import { bytes, hex } from './zvt-helpers.js';

/** Lets queued ticks and immediates run (stream deliveries, write callbacks). */
const settle = async (rounds = 5): Promise<void> => {
  for (let i = 0; i < rounds; i++) await new Promise((resolve) => setImmediate(resolve));
};

/** A channel on one end of a memory cable; the test holds the other end as the peer. */
function harness() {
  const clock = new ManualClock();
  const [ours, peer] = createDuplexPair();
  const channel = new ZvtSerialChannel(ours, { clock });
  const wire: number[] = []; // every byte the channel wrote
  const decoder = new ZvtFrameDecoder();
  const frames: string[] = []; // frames the channel wrote, as APDU hex
  const linkBytes: string[] = []; // 'ack' / 'nak' bytes the channel wrote
  peer.on('data', (chunk: Buffer) => {
    wire.push(...chunk);
    for (const event of decoder.push(chunk)) {
      if (event.type === 'frame') frames.push(hex(event.apdu));
      else if (event.type === 'ack' || event.type === 'nak') linkBytes.push(event.type);
    }
  });
  const received: string[] = [];
  channel.onApdu((apdu) => received.push(hex(apdu)));
  const closes: string[] = [];
  channel.onClose((reason) => closes.push(reason));
  return { clock, channel, peer, wire, frames, linkBytes, received, closes };
}

/** A promise's outcome, readable synchronously after settle(). */
function track<T>(promise: Promise<T>) {
  const state: { done: boolean; value?: T; error?: unknown } = { done: false };
  promise.then(
    (value) => Object.assign(state, { done: true, value }),
    (error: unknown) => Object.assign(state, { done: true, error }),
  );
  return state;
}

const registration = bytes('060006123456ba0978');
const auth = bytes('06010a04000000011000490978'); // holds a 0x10

describe('ZvtSerialChannel: sending', () => {
  it('writes the frame and resolves on the peer ACK', async () => {
    const h = harness();
    const sent = track(h.channel.send(registration));
    await settle();
    expect(Buffer.from(h.wire).toString('hex')).toBe('1002060006123456ba0978100324c3');
    expect(sent.done).toBe(false);
    h.peer.write(ACK_BYTES);
    await settle();
    expect(sent.done && sent.error === undefined).toBe(true);
    expect(h.clock.pendingTimers()).toBe(0);
  });

  it('NAK: the frame goes again, the ACK resolves', async () => {
    const h = harness();
    const sent = track(h.channel.send(auth));
    await settle();
    h.peer.write(NAK_BYTES);
    await settle();
    expect(h.frames).toEqual([hex(auth), hex(auth)]);
    expect(sent.done).toBe(false);
    h.peer.write(ACK_BYTES);
    await settle();
    expect(sent.done && sent.error === undefined).toBe(true);
    expect(h.channel.stats).toMatchObject({ framesSent: 1, retransmissions: 1 });
  });

  it('three NAKs: rejects with code nak after 3 transmissions', async () => {
    const h = harness();
    const sent = track(h.channel.send(auth));
    for (let i = 0; i < 3; i++) {
      await settle();
      h.peer.write(NAK_BYTES);
    }
    await settle();
    expect(h.frames).toHaveLength(3);
    expect(sent.error).toBeInstanceOf(ZvtLinkError);
    expect(sent.error).toMatchObject({ code: 'nak', transmissions: 3 });
  });

  it('no answer: sent again after exactly T3, rejected with noAck after the third T3', async () => {
    const h = harness();
    const sent = track(h.channel.send(registration));
    await settle();
    expect(h.frames).toHaveLength(1);
    for (const transmissions of [2, 3]) {
      h.clock.advance(4999);
      await settle();
      expect(h.frames).toHaveLength(transmissions - 1);
      h.clock.advance(1);
      await settle();
      expect(h.frames).toHaveLength(transmissions);
    }
    h.clock.advance(4999);
    await settle();
    expect(sent.done).toBe(false);
    h.clock.advance(1);
    await settle();
    expect(sent.error).toMatchObject({ name: 'ZvtLinkError', code: 'noAck', transmissions: 3 });
    expect((sent.error as Error).message).toMatch(/3 transmissions.*T3 \(5000 ms\)/);
    expect(h.frames).toHaveLength(3);
    expect(h.clock.pendingTimers()).toBe(0);
  });

  it('sends queue: one frame in flight at a time, in order', async () => {
    const h = harness();
    const apdus = [registration, auth, bytes('800000')];
    const sends = apdus.map((apdu) => track(h.channel.send(apdu)));
    await settle();
    expect(h.frames).toEqual([hex(registration)]);
    h.peer.write(ACK_BYTES);
    await settle();
    expect(h.frames).toEqual([hex(registration), hex(auth)]);
    expect(sends.map((s) => s.done)).toEqual([true, false, false]);
    h.peer.write(ACK_BYTES);
    await settle();
    h.peer.write(ACK_BYTES);
    await settle();
    expect(h.frames).toEqual(apdus.map(hex));
    expect(sends.every((s) => s.done && s.error === undefined)).toBe(true);
  });

  it('an ACK or NAK while nothing is in flight is ignored', async () => {
    const h = harness();
    h.peer.write(ACK_BYTES);
    h.peer.write(NAK_BYTES);
    await settle();
    const sent = track(h.channel.send(registration));
    await settle();
    expect(sent.done).toBe(false);
    expect(h.frames).toHaveLength(1);
    h.peer.write(ACK_BYTES);
    await settle();
    expect(sent.done).toBe(true);
    h.peer.write(NAK_BYTES); // late: nothing in flight now
    await settle();
    expect(h.frames).toHaveLength(1);
  });
});

describe('ZvtSerialChannel: receiving', () => {
  it('a good frame is ACKed, then its APDU emitted; a bad CRC is NAKed and not emitted', async () => {
    const h = harness();
    h.peer.write(encodeFrame(auth));
    await settle();
    expect(h.linkBytes).toEqual(['ack']);
    expect(h.received).toEqual([hex(auth)]);
    const broken = encodeFrame(registration);
    broken[broken.length - 1] = broken[broken.length - 1]! ^ 0x40;
    h.peer.write(broken);
    await settle();
    expect(h.linkBytes).toEqual(['ack', 'nak']);
    expect(h.received).toEqual([hex(auth)]);
  });

  it('a frame in chunks is received whole while the bytes keep coming within T1', async () => {
    const h = harness();
    const frame = encodeFrame(auth);
    for (const byte of frame) {
      h.peer.write(Uint8Array.of(byte));
      await settle(1);
      h.clock.advance(150);
    }
    await settle();
    expect(h.received).toEqual([hex(auth)]);
    expect(h.linkBytes).toEqual(['ack']);
  });

  it('a frame stalled past T1 is dropped (NAK) and the next frame is received', async () => {
    const h = harness();
    const frame = encodeFrame(auth);
    h.peer.write(frame.subarray(0, 7));
    await settle();
    h.clock.advance(199);
    await settle();
    expect(h.linkBytes).toEqual([]);
    h.clock.advance(1);
    await settle();
    expect(h.linkBytes).toEqual(['nak']);
    expect(h.channel.stats.stalledFrames).toBe(1);
    h.peer.write(encodeFrame(registration));
    await settle();
    expect(h.received).toEqual([hex(registration)]);
    expect(h.linkBytes).toEqual(['nak', 'ack']);
    expect(h.clock.pendingTimers()).toBe(0);
  });

  it('a broken frame whose end never comes is NAKed once, not again at T1', async () => {
    const h = harness();
    h.peer.write(bytes('100206001006')); // DLE then 0x06 inside a frame: a bad escape
    await settle();
    expect(h.linkBytes).toEqual(['nak']);
    h.clock.advance(200);
    await settle();
    expect(h.linkBytes).toEqual(['nak']);
    h.peer.write(encodeFrame(auth));
    await settle();
    expect(h.received).toEqual([hex(auth)]);
  });

  it('a lost ACK: the repeated frame is ACKed again and emitted once', async () => {
    const h = harness();
    h.peer.write(encodeFrame(auth));
    await settle();
    h.clock.advance(5000); // the peer's T3 runs out: it repeats the frame
    h.peer.write(encodeFrame(auth));
    await settle();
    expect(h.linkBytes).toEqual(['ack', 'ack']);
    expect(h.received).toEqual([hex(auth)]);
    expect(h.channel.stats.duplicatesDropped).toBe(1);
  });

  it('the same APDU later than T3 + T1 after our ACK is a new message', async () => {
    const h = harness();
    h.peer.write(encodeFrame(auth));
    await settle();
    h.clock.advance(5201);
    h.peer.write(encodeFrame(auth));
    await settle();
    expect(h.received).toEqual([hex(auth), hex(auth)]);
  });

  it('the same APDU after the peer ACKed a frame of ours is a new message (80 00 00 to each 04 FF)', async () => {
    const h = harness();
    const status = bytes('04ff0106');
    h.peer.write(encodeFrame(status));
    await settle();
    const answered = h.channel.send(bytes('800000'));
    await settle();
    h.peer.write(ACK_BYTES);
    await answered;
    h.peer.write(encodeFrame(status));
    await settle();
    expect(h.received).toEqual([hex(status), hex(status)]);
  });

  it('never emits twice for one frame, and emits different APDUs back to back', async () => {
    const h = harness();
    h.peer.write(Buffer.concat([encodeFrame(auth), encodeFrame(registration), encodeFrame(auth)]));
    await settle();
    expect(h.received).toEqual([hex(auth), hex(registration), hex(auth)]);
    expect(h.linkBytes).toEqual(['ack', 'ack', 'ack']);
  });
});

describe('ZvtSerialChannel: closing', () => {
  it('close() rejects the frame in flight and the queued ones, fires onClose once', async () => {
    const h = harness();
    const sends = [track(h.channel.send(registration)), track(h.channel.send(auth))];
    await settle();
    await h.channel.close();
    await h.channel.close();
    await settle();
    expect(sends.map((s) => (s.error as ZvtLinkError | undefined)?.code)).toEqual(['closed', 'closed']);
    expect(h.closes).toEqual(['closed by this side']);
    await expect(h.channel.send(registration)).rejects.toMatchObject({ code: 'closed' });
    expect(h.peer.destroyed).toBe(true); // the cable went with it
    expect(h.clock.pendingTimers()).toBe(0);
  });

  it('the stream ending or failing closes the channel once', async () => {
    const h = harness();
    const sent = track(h.channel.send(registration));
    await settle();
    h.peer.destroy();
    await settle();
    expect(h.closes).toHaveLength(1);
    expect(h.channel.closed).toBe(true);
    expect((sent.error as ZvtLinkError).code).toBe('closed');

    const clock = new ManualClock();
    const [ours] = createDuplexPair();
    const channel = new ZvtSerialChannel(ours, { clock });
    const closes: string[] = [];
    channel.onClose((reason) => closes.push(reason));
    ours.destroy(new Error('unplugged'));
    await settle();
    expect(closes).toEqual(['the serial stream failed: unplugged']);
  });
});

/**
 * One direction of a cable that splits every write into chunks of the sizes given
 * (cycled), delivers them on later ticks in order, and garbles one byte of the frames
 * whose number (0, 1, 2 … counting frame writes) is in `corrupt`. Single ACK/NAK bytes
 * are never garbled: the ZVT link cannot recover from a garbled answer (no sequence
 * numbers), which is not what this tests.
 */
class ChoppyDuplex extends Duplex {
  peer: ChoppyDuplex | null = null;
  private frameWrites = 0;
  private chunkIndex = 0;
  constructor(
    private readonly chunkSizes: number[],
    private readonly corrupt: Set<number>,
    private readonly corruptAt: number,
  ) {
    super();
  }
  override _read(): void {}
  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: () => void): void {
    const data = Buffer.from(chunk);
    if (data.length > 1 && this.corrupt.has(this.frameWrites++)) garble(data, this.corruptAt);
    const peer = this.peer!;
    for (let at = 0; at < data.length; ) {
      const size = this.chunkSizes[this.chunkIndex++ % this.chunkSizes.length]!;
      const piece = data.subarray(at, at + size);
      at += size;
      setImmediate(() => peer.push(piece));
    }
    callback();
  }
}

/**
 * Changes one byte of a frame so that only its CRC can tell: a byte that is not a DLE and
 * does not follow one (the frame's structure stays), into a value that is not a DLE.
 */
function garble(frame: Buffer, seed: number): void {
  const candidates: number[] = [];
  for (let i = 2; i < frame.length; i++) if (frame[i] !== 0x10 && frame[i - 1] !== 0x10) candidates.push(i);
  if (candidates.length === 0) return;
  const i = candidates[seed % candidates.length]!;
  let value = (frame[i]! + 1 + (seed % 200)) & 0xff;
  if (value === 0x10) value = 0x11;
  if (value === frame[i]) value ^= 0x01;
  frame[i] = value;
}

describe('ZvtSerialChannel: property', () => {
  it('APDUs arrive intact and in order across a choppy, noisy cable', async () => {
    // Each APDU starts with its index: two identical APDUs in a row within T3 are taken
    // for a repeat after a lost ACK (the link has no sequence numbers), by design.
    let naks = 0;
    const apdu = fc.tuple(fc.integer({ min: 0, max: 255 }), fc.oneof(fc.uint8Array({ maxLength: 40 }), fc.uint8Array({ minLength: 250, maxLength: 600 }), fc.constant(new Uint8Array(300).fill(0x10))));
    await fc.assert(
      fc.asyncProperty(
        fc.array(apdu, { minLength: 1, maxLength: 8 }),
        fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 10 }),
        fc.array(fc.boolean(), { maxLength: 24 }).filter((flags) => !flags.some((f, i) => f && flags[i + 1])),
        fc.nat(),
        async (items, chunkSizes, flags, corruptAt) => {
          const apdus = items.map(([instr, body], i) => encodeApdu(0x06, instr, Uint8Array.from([i >> 8, i & 0xff, ...body])));
          const corrupt = new Set(flags.flatMap((f, i) => (f ? [i] : [])));
          const a = new ChoppyDuplex(chunkSizes, corrupt, corruptAt);
          const b = new ChoppyDuplex([...chunkSizes].reverse(), new Set(), 0);
          a.peer = b;
          b.peer = a;
          const clock = new ManualClock();
          const sender = new ZvtSerialChannel(a, { clock });
          const receiver = new ZvtSerialChannel(b, { clock });
          const got: string[] = [];
          receiver.onApdu((x) => got.push(hex(x)));
          const sends = apdus.map((x) => track(sender.send(x)));
          for (let round = 0; round < 200 && !sends.every((s) => s.done); round++) {
            await settle(3);
            if (round % 20 === 19) clock.advance(200); // only a stalled transmission needs time
          }
          expect(sends.map((s) => s.error)).toEqual(sends.map(() => undefined));
          expect(got).toEqual(apdus.map(hex));
          // Every garbled frame was NAKed and sent again.
          expect(receiver.stats.naksSent).toBe(sender.stats.retransmissions);
          naks += receiver.stats.naksSent;
          await sender.close();
          await receiver.close();
        },
      ),
      { numRuns: 60 },
    );
    expect(naks).toBeGreaterThan(0); // the runs did garble frames
  });
});
