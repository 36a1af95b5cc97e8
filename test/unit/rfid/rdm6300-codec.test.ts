import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeRdm6300Frame, rdm6300Checksum, Rdm6300Parser, type Rdm6300Result } from '../../../devices/rfid/rdm6300-codec.js';
import { parseUid, uidForms } from '../../../devices/rfid/uid.js';
import raw from '../../fixtures/rfid/rdm6300-frames.json' with { type: 'json' };

const fixture = raw as { vectors: { id: string; bytes: string; uid: string; em4100?: string }[]; rejected: { id: string; bytes: string }[] };
const bytes = (hex: string): Uint8Array => Uint8Array.from(Buffer.from(hex.replace(/\s+/g, ''), 'hex'));
const tags = (results: Rdm6300Result[]): string[] => results.flatMap((r) => (r.kind === 'tag' ? [r.uid] : []));
const tagId = fc.uint8Array({ minLength: 5, maxLength: 5 }).map((data) => Buffer.from(data).toString('hex').toUpperCase());
const frameOptions = fc.record({ lowerCase: fc.boolean(), crlf: fc.boolean() });

describe('RDM6300 frames', () => {
  it('read the vectors of the fixture, and the protocol notes’ card print', () => {
    for (const vector of fixture.vectors) expect(tags(new Rdm6300Parser().push(bytes(vector.bytes))), vector.id).toEqual([vector.uid]);
    const notes = fixture.vectors[0]!;
    expect(uidForms(notes.uid).em4100).toBe(notes.em4100);
    expect(parseUid(notes.em4100!, 'em4100')).toEqual({ uid: '005D1DA5', suffix: true });
  });

  it('the encoder writes the vector', () => {
    expect(Buffer.from(encodeRdm6300Frame('13005D1DA5')).toString('hex')).toBe(fixture.vectors[0]!.bytes.replace(/\s+/g, ''));
    expect(rdm6300Checksum('13005D1DA5')).toBe(0xf6);
    expect(Buffer.from(encodeRdm6300Frame('13005d1da5', { lowerCase: true, crlf: true })).toString('latin1')).toBe('\x0213005d1da5f6\x03\r\n');
    expect(() => encodeRdm6300Frame('1C78F2BF')).toThrow(TypeError);
  });

  it('drops damaged frames with a reason, and reads the good frame after each', () => {
    for (const rejected of fixture.rejected) {
      const parser = new Rdm6300Parser();
      const results = parser.push(bytes(rejected.bytes));
      expect(tags(results), rejected.id).toEqual([]);
      // A frame without ETX is dropped only when the next STX comes.
      const next = parser.push(encodeRdm6300Frame('13005D1DA5'));
      expect([...results, ...next].filter((r) => r.kind === 'dropped').length, rejected.id).toBeGreaterThan(0);
      expect(tags(next), rejected.id).toEqual(['13005D1DA5']);
    }
  });

  it('says why it dropped what it dropped', () => {
    const parser = new Rdm6300Parser();
    const reasons = parser
      .push(Uint8Array.from([0x41, 0x42, ...bytes('0231333030354431444135463703'), 0x02, 0x31, ...encodeRdm6300Frame('13005D1DA5')]))
      .map((r) => (r.kind === 'dropped' ? r.reason : r.uid));
    expect(reasons).toEqual(['2 byte(s) outside a frame', 'bad checksum for 13005D1DA5: F7, expected F6', 'a frame cut short (1 characters, no ETX)', '13005D1DA5']);
  });

  it('any valid frames with noise between them give exactly their tags, in order', () => {
    // Noise without ETX: with one, random bytes could happen to make a valid frame themselves.
    const noise = fc.uint8Array({ maxLength: 30 }).map((data) => data.filter((b) => b !== 0x03));
    fc.assert(
      fc.property(fc.array(fc.tuple(noise, tagId, frameOptions), { maxLength: 12 }), noise, (frames, tail) => {
        const stream = Buffer.concat([...frames.flatMap(([before, uid, options]) => [before, encodeRdm6300Frame(uid, options)]), tail]);
        expect(tags(new Rdm6300Parser().push(stream))).toEqual(frames.map(([, uid]) => uid));
      }),
    );
  });

  it('random bytes never throw, and any tag read is a 5-byte id', () => {
    const biased = fc.array(fc.oneof(fc.constantFrom(0x02, 0x03, 0x0d, 0x0a, 0x30, 0x41, 0x66), fc.integer({ min: 0, max: 255 })), { maxLength: 400 });
    fc.assert(
      fc.property(biased, (data) => {
        for (const uid of tags(new Rdm6300Parser().push(Uint8Array.from(data)))) expect(uid).toMatch(/^[0-9A-F]{10}$/);
      }),
    );
  });

  it('the chunking of the byte stream never changes the result', () => {
    const stream = fc
      .array(fc.oneof(tagId.chain((uid) => frameOptions.map((options) => encodeRdm6300Frame(uid, options))), fc.uint8Array({ maxLength: 20 })), { maxLength: 10 })
      .map((parts) => Uint8Array.from(Buffer.concat(parts)));
    fc.assert(
      fc.property(stream, fc.array(fc.nat(), { maxLength: 20 }), (data, cuts) => {
        const whole = new Rdm6300Parser().push(data);
        const points = [...new Set(cuts.map((n) => n % (data.length + 1)))].sort((a, b) => a - b);
        const parser = new Rdm6300Parser();
        const chunked: Rdm6300Result[] = [];
        let from = 0;
        for (const point of [...points, data.length]) {
          chunked.push(...parser.push(data.subarray(from, point)));
          from = point;
        }
        expect(chunked).toEqual(whole);
      }),
    );
  });
});
