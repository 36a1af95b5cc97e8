import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ACK_BYTES,
  crc16Kermit,
  decodeFrame,
  encodeFrame,
  frameCrc,
  NAK_BYTES,
  ZVT_TIMEOUTS_MS,
  ZvtFrameDecoder,
} from '../../../devices/payment/zvt/framing.js';
import type { FrameEvent } from '../../../devices/payment/zvt/framing.js';
import { bytes, concat, hex, split, vectors } from './zvt-helpers.js';

const run = (chunks: readonly Uint8Array[], decoder = new ZvtFrameDecoder()): FrameEvent[] => chunks.flatMap((chunk) => decoder.push(chunk));
const frames = (events: readonly FrameEvent[]): string[] => events.flatMap((e) => (e.type === 'frame' ? [hex(e.apdu)] : []));

describe('CRC-16/KERMIT', () => {
  it('check value and the frames of the notes', () => {
    expect(crc16Kermit(Buffer.from('123456789'))).toBe(0x2189);
    expect(frameCrc(bytes('800000'))).toBe(0x1ff5);
    expect(frameCrc(bytes('060006123456ba0978'))).toBe(0xc324);
  });
});

describe('serial frame vectors, both directions', () => {
  it.each(vectors.serial)('$id: encodes to the frame and decodes back ($origin)', (v) => {
    expect(hex(encodeFrame(bytes(v.apdu)))).toBe(v.frame);
    const decoded = decodeFrame(bytes(v.frame));
    expect(decoded.ok).toBe(true);
    if (decoded.ok) expect(hex(decoded.apdu)).toBe(v.apdu);
  });

  it('the 110.00 EUR authorisation doubles its 0x10 byte', () => {
    const frame = hex(encodeFrame(bytes('06010a04000000011000490978')));
    expect(frame).toContain('011010' + '00');
    expect(frame).toBe('100206010a04000000011010004909781003f2ff');
  });

  it('a 0x10 in the CRC travels undoubled (05 01 00 has CRC 0x0610)', () => {
    const v = vectors.serial.find((s) => s.id === 'status-enquiry-bare')!;
    expect(v.frame.endsWith('10031006')).toBe(true);
    expect(frames(run([bytes(v.frame), bytes(v.frame)]))).toEqual([v.apdu, v.apdu]);
  });
});

describe('ZvtFrameDecoder', () => {
  const ackFrame = bytes('10028000001003f51f');
  const authFrame = bytes('100206010a04000000011010004909781003f2ff');

  it('emits frames, ACK and NAK bytes in order', () => {
    const events = run([concat(ACK_BYTES, ackFrame, NAK_BYTES, authFrame, ACK_BYTES)]);
    expect(events.map((e) => e.type)).toEqual(['ack', 'frame', 'nak', 'frame', 'ack']);
    expect(frames(events)).toEqual(['800000', '06010a04000000011000490978']);
  });

  it('a bad CRC is a typed error (the link answers NAK), and the next frame decodes', () => {
    const broken = Uint8Array.from(ackFrame);
    broken[broken.length - 1] = broken[broken.length - 1]! ^ 0x01;
    const events = run([concat(broken, ackFrame)]);
    expect(events[0]).toMatchObject({ type: 'error', error: { code: 'crc', apduBytes: 3, expectedCrc: 0x1ff5, receivedCrc: 0x1ef5 } });
    expect(events[1]).toMatchObject({ type: 'frame' });
  });

  it('skips noise between frames and a frame cut short by a new DLE STX', () => {
    const decoder = new ZvtFrameDecoder();
    const events = run([bytes('00ff3110'), ackFrame, bytes('1002060f'), authFrame], decoder);
    expect(events.map((e) => (e.type === 'error' ? e.error.code : e.type))).toEqual(['frame', 'interrupted', 'frame']);
    expect(decoder.discardedBytes).toBe(4 + 2);
  });

  it('DLE + another byte inside a frame: error, then skips the rest of that frame (its 06 bytes are not ACKs)', () => {
    const events = run([bytes('1002 0601 10 41 0606 15 1003 aaaa'), ackFrame]);
    expect(events.map((e) => (e.type === 'error' ? e.error.code : e.type))).toEqual(['badEscape', 'frame']);
  });

  it('bounds the partial frame: a longer one is dropped and skipped to its end', () => {
    const decoder = new ZvtFrameDecoder({ maxApduBytes: 8 });
    const long = encodeFrame(Uint8Array.from({ length: 40 }, (_, i) => (i % 2 ? 0x06 : 0x15)));
    const events = run([long, ackFrame], decoder);
    expect(events.map((e) => (e.type === 'error' ? e.error.code : e.type))).toEqual(['overflow', 'frame']);
    expect(decoder.bufferedBytes).toBe(0);
  });

  it('reset() (T1 ran out) drops a stalled frame; the next frame decodes', () => {
    const decoder = new ZvtFrameDecoder();
    expect(decoder.push(bytes('1002 0622 0c 19'))).toEqual([]);
    expect(decoder.inFrame).toBe(true);
    expect(decoder.bufferedBytes).toBe(4);
    expect(decoder.reset()).toBe(4);
    expect(decoder.inFrame).toBe(false);
    expect(frames(decoder.push(ackFrame))).toEqual(['800000']);
  });

  it('validates its options and input', () => {
    expect(() => new ZvtFrameDecoder({ maxApduBytes: 2 })).toThrow(/maxApduBytes must be an integer from 3 to 65540/);
    expect(() => new ZvtFrameDecoder(null as unknown as object)).toThrow(TypeError);
    expect(() => new ZvtFrameDecoder().push('x' as unknown as Uint8Array)).toThrow(TypeError);
  });

  it('decodeFrame wants exactly one frame', () => {
    expect(decodeFrame(bytes('06'))).toMatchObject({ ok: false, error: { code: 'notAFrame' } });
    expect(decodeFrame(concat(ackFrame, ackFrame))).toMatchObject({ ok: false });
    expect(decodeFrame(ackFrame.subarray(0, 8))).toMatchObject({ ok: false, error: { code: 'notAFrame' } });
    const broken = Uint8Array.from(ackFrame);
    broken[3] = 0x01;
    expect(decodeFrame(broken)).toMatchObject({ ok: false, error: { code: 'crc' } });
  });

  it('timeouts: T1 0.2 s, T2 15 s, T3 5 s, T4 180 s', () => {
    expect(ZVT_TIMEOUTS_MS).toEqual({ T1: 200, T2: 15_000, T3: 5_000, T4: 180_000 });
  });
});

describe('framing properties', () => {
  // APDUs rich in the bytes that matter on the wire: DLE, STX, ETX, ACK, NAK.
  const wireByte = fc.oneof(fc.constantFrom(0x10, 0x02, 0x03, 0x06, 0x15), fc.integer({ min: 0, max: 255 }));
  const apdu = fc.array(wireByte, { maxLength: 300 }).map((a) => Uint8Array.from(a));
  const cuts = fc.array(fc.nat(), { maxLength: 12 });
  // Line noise without DLE cannot start a frame; with DLE it can (see the next property).
  const noise = fc.uint8Array({ maxLength: 40 }).map((a) => a.filter((b) => b !== 0x10));

  it('frame(apdu) decodes to apdu, for any bytes (DLE doubling)', () => {
    fc.assert(
      fc.property(apdu, (data) => {
        const frame = encodeFrame(data);
        expect(frame.length).toBe(data.length + data.filter((b) => b === 0x10).length + 6);
        const decoded = decodeFrame(frame);
        expect(decoded.ok && hex(decoded.apdu)).toBe(hex(data));
      }),
      { numRuns: 500 },
    );
  });

  it('the CRC detects any single-byte corruption of the APDU or the CRC', () => {
    fc.assert(
      fc.property(apdu.filter((a) => a.length > 0), fc.nat(), fc.integer({ min: 1, max: 255 }), (data, at, delta) => {
        const i = at % data.length;
        const corrupted = Uint8Array.from(data);
        corrupted[i] = corrupted[i]! ^ delta;
        expect(frameCrc(corrupted)).not.toBe(frameCrc(data));
        // On the wire: the corrupted content, properly doubled, under the original CRC.
        const wire = encodeFrame(corrupted);
        const crc = frameCrc(data);
        wire[wire.length - 2] = crc & 0xff;
        wire[wire.length - 1] = crc >> 8;
        const events = new ZvtFrameDecoder().push(wire);
        expect(events).toEqual([expect.objectContaining({ type: 'error', error: expect.objectContaining({ code: 'crc' }) })]);
        // And a corrupted CRC byte.
        const badCrc = encodeFrame(data);
        const j = badCrc.length - 1 - (at % 2);
        badCrc[j] = badCrc[j]! ^ delta;
        expect(new ZvtFrameDecoder().push(badCrc)).toEqual([expect.objectContaining({ type: 'error' })]);
      }),
      { numRuns: 500 },
    );
  });

  it('the same events however the bytes are chunked', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(apdu.map(encodeFrame), fc.constant(ACK_BYTES), fc.constant(NAK_BYTES), noise), { maxLength: 8 }), cuts, (parts, at) => {
        const stream = concat(...parts);
        const whole = run([stream]);
        expect(run(split(stream, at))).toEqual(whole);
        expect(run([...stream].map((b) => Uint8Array.of(b)))).toEqual(whole);
      }),
      { numRuns: 300 },
    );
  });

  it('noise before and between frames is skipped: every frame comes out', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(noise, apdu), { minLength: 1, maxLength: 6 }), cuts, (list, at) => {
        const stream = concat(...list.flatMap(([junk, data]) => [junk, encodeFrame(data)]));
        expect(frames(run(split(stream, at)))).toEqual(list.map(([, data]) => hex(data)));
      }),
      { numRuns: 300 },
    );
  });

  it('after any garbage, a frame sent once the link has reset (T1) comes out, and the buffer stays bounded', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), apdu, cuts, (garbage, data, at) => {
        const decoder = new ZvtFrameDecoder({ maxApduBytes: 512 });
        let maxBuffered = 0;
        for (const chunk of split(garbage, at)) {
          decoder.push(chunk);
          maxBuffered = Math.max(maxBuffered, decoder.bufferedBytes);
        }
        expect(maxBuffered).toBeLessThanOrEqual(512);
        decoder.reset();
        expect(frames(decoder.push(encodeFrame(data)))).toEqual([hex(data)]);
      }),
      { numRuns: 500 },
    );
  });

  it('never throws on random input; every event is typed', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.uint8Array({ maxLength: 200 }), apdu.map(encodeFrame)), { maxLength: 6 }), (chunks) => {
        for (const event of run(chunks)) {
          expect(['frame', 'ack', 'nak', 'error']).toContain(event.type);
          if (event.type === 'error') expect(['crc', 'badEscape', 'interrupted', 'overflow']).toContain(event.error.code);
        }
        for (const chunk of chunks) expect(['object']).toContain(typeof decodeFrame(chunk));
      }),
      { numRuns: 500 },
    );
  });
});
