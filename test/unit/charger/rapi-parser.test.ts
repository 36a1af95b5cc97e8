import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RapiParser } from '../../../devices/charger/rapi-parser.js';
import type { RapiParserOptions } from '../../../devices/charger/rapi-parser.js';

/** Writes each chunk and collects the frames emitted (synchronously: a Transform pushes as it goes). */
function run(chunks: (string | Buffer)[], options?: RapiParserOptions): { frames: string[]; parser: RapiParser; maxBuffered: number } {
  const parser = new RapiParser(options);
  const frames: string[] = [];
  let maxBuffered = 0;
  parser.on('data', (frame: string) => frames.push(frame));
  for (const chunk of chunks) {
    parser.write(typeof chunk === 'string' ? Buffer.from(chunk, 'latin1') : chunk);
    maxBuffered = Math.max(maxBuffered, parser.bufferedBytes);
  }
  return { frames, parser, maxBuffered };
}

const STREAM = '$OK 03 1234 03 0140^21\r$AT 02 02 16 0100^37\r$OK 16^07\r';
const FRAMES = ['$OK 03 1234 03 0140^21', '$AT 02 02 16 0100^37', '$OK 16^07'];

describe('RapiParser', () => {
  it('emits each frame, without its \\r, in order', () => {
    expect(run([STREAM]).frames).toEqual(FRAMES);
  });

  it('gives the same frames however the bytes are split (every boundary, and every pair of boundaries)', () => {
    for (let i = 0; i <= STREAM.length; i++) {
      expect(run([STREAM.slice(0, i), STREAM.slice(i)]).frames).toEqual(FRAMES);
      for (let j = i; j <= STREAM.length; j += 3) {
        expect(run([STREAM.slice(0, i), STREAM.slice(i, j), STREAM.slice(j)]).frames).toEqual(FRAMES);
      }
    }
    expect(run([...STREAM]).frames).toEqual(FRAMES);
  });

  it('drops garbage before and between frames, and a frame cut short by a new $', () => {
    const { frames, parser } = run(['\x00\xffnoise$OK 16^07\r\n\n junk $OK 03', '$AT 02 02 16 0100^37\r\r\r']);
    expect(frames).toEqual(['$OK 16^07', '$AT 02 02 16 0100^37']);
    expect(parser.discardedBytes).toBe(7 + 8 + 6 + 2); // noise, the newlines and " junk ", the cut frame, the stray \r
  });

  it('drops a frame that outgrows the buffer and resynchronises at the next $', () => {
    const { frames, parser, maxBuffered } = run([`$${'x'.repeat(40)}`, `${'y'.repeat(10)}\r$OK^20\r`], { maxFrameBytes: 16 });
    expect(frames).toEqual(['$OK^20']);
    expect(parser.overflows).toBe(1);
    expect(maxBuffered).toBeLessThanOrEqual(15);
  });

  it('a frame exactly at the bound passes', () => {
    const frame = `$${'z'.repeat(14)}`; // 15 bytes + \r = 16
    expect(run([`${frame}\r`], { maxFrameBytes: 16 }).frames).toEqual([frame]);
    expect(run([`${frame}z\r`], { maxFrameBytes: 16 }).frames).toEqual([]);
  });

  it('drops a partial frame at the end of the input (_flush) and ends cleanly', async () => {
    const parser = new RapiParser();
    const frames: string[] = [];
    parser.on('data', (frame: string) => frames.push(frame));
    const ended = new Promise((resolve) => parser.on('end', resolve));
    parser.write('$OK^20\r$OK 1');
    parser.end();
    await ended;
    expect(frames).toEqual(['$OK^20']);
    expect(parser.bufferedBytes).toBe(0);
  });

  it('takes strings and Uint8Arrays as well as Buffers', () => {
    const parser = new RapiParser();
    const frames: string[] = [];
    parser.on('data', (frame: string) => frames.push(frame));
    parser.write('$OK^20\r');
    parser.write(new Uint8Array(Buffer.from('$NK^21\r')));
    expect(frames).toEqual(['$OK^20', '$NK^21']);
  });

  it('validates its options with a clear TypeError', () => {
    expect(() => new RapiParser({ maxFrameBytes: 3 })).toThrow(/maxFrameBytes must be an integer from 4 to 65536, got 3/);
    expect(() => new RapiParser({ maxFrameBytes: 1.5 })).toThrow(TypeError);
    expect(() => new RapiParser({ maxFrameBytes: '64' as unknown as number })).toThrow(TypeError);
    expect(() => new RapiParser(null as unknown as RapiParserOptions)).toThrow(/options must be an object/);
    expect(new RapiParser({ maxFrameBytes: 64 }).maxFrameBytes).toBe(64);
  });

  describe('properties', () => {
    const bytes = fc.uint8Array({ maxLength: 600 });
    const cuts = fc.array(fc.nat(), { maxLength: 12 });
    const split = (data: Buffer, at: number[]): Buffer[] => {
      const points = [...new Set(at.map((n) => n % (data.length + 1)))].sort((a, b) => a - b);
      const out: Buffer[] = [];
      let from = 0;
      for (const p of points) {
        out.push(data.subarray(from, p));
        from = p;
      }
      out.push(data.subarray(from));
      return out;
    };

    it('never throws, and never holds more than the bound', () => {
      fc.assert(
        fc.property(bytes, cuts, fc.integer({ min: 4, max: 300 }), (data, at, bound) => {
          const { maxBuffered, frames } = run(split(Buffer.from(data), at), { maxFrameBytes: bound });
          expect(maxBuffered).toBeLessThan(bound);
          for (const frame of frames) {
            expect(frame.startsWith('$')).toBe(true);
            expect(frame.length).toBeLessThan(bound);
            expect(frame.slice(1)).not.toMatch(/[$\r]/);
          }
        }),
        { numRuns: 500 },
      );
    });

    it('a valid frame after any garbage is always emitted', () => {
      fc.assert(
        fc.property(bytes, cuts, (garbage, at) => {
          // After the garbage, a \r closes whatever partial frame it left; then the frame.
          const data = Buffer.concat([Buffer.from(garbage), Buffer.from('\r$OK 16^07\r', 'latin1')]);
          const { frames } = run(split(data, at));
          expect(frames.at(-1)).toBe('$OK 16^07');
        }),
        { numRuns: 500 },
      );
    });

    it('a $ alone resynchronises too: garbage then a frame (no \\r between) yields the frame', () => {
      fc.assert(
        fc.property(bytes, cuts, (garbage, at) => {
          const data = Buffer.concat([Buffer.from(garbage), Buffer.from('$OK 16^07\r', 'latin1')]);
          expect(run(split(data, at)).frames.at(-1)).toBe('$OK 16^07');
        }),
        { numRuns: 500 },
      );
    });

    it('frames glued together come out one by one', () => {
      const frame = fc.stringMatching(/^\$[A-Z]{2}( [0-9a-f]{1,6}){0,4}\^[0-9A-F]{2}$/);
      fc.assert(
        fc.property(fc.array(frame, { minLength: 1, maxLength: 10 }), cuts, (list, at) => {
          const data = Buffer.from(list.map((f) => `${f}\r`).join(''), 'latin1');
          expect(run(split(data, at)).frames).toEqual(list);
        }),
      );
    });
  });
});
