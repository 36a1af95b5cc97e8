import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../devices/clock.js';
import { keyboardReports, typedText, type FakeHidVariant } from '../../../devices/rfid/fake-hid.js';
import { KeyboardReportDecoder, keyChar, typedTextToUid, type KeyboardResult, type KeyboardUidFormat } from '../../../devices/rfid/hid-keyboard.js';
import raw from '../../fixtures/rfid/hid-report-sequences.json' with { type: 'json' };

interface Sequence {
  id: string;
  format: KeyboardUidFormat;
  reports: { atMs?: number; hex: string }[];
  expect: { kind: 'tag' | 'dropped'; uid?: string; suffix?: boolean }[];
}
const sequences = (raw as { sequences: Sequence[] }).sequences;

const report = (hex: string): Uint8Array => Uint8Array.from(Buffer.from(hex.replace(/\s+/g, ''), 'hex'));
/** A boot keyboard report holding `keys`, written out byte by byte. */
const keys = (modifiers: number, ...codes: number[]): number[] => [modifiers, 0, ...codes, ...Array(6 - codes.length).fill(0)];
const RELEASE = keys(0);

function decoder(format: KeyboardUidFormat = 'hex', keyTimeoutMs?: number): { clock: ManualClock; decoder: KeyboardReportDecoder; feed: (...reports: (number[] | Uint8Array)[]) => KeyboardResult[] } {
  const clock = new ManualClock();
  const d = new KeyboardReportDecoder({ format, clock, ...(keyTimeoutMs ? { keyTimeoutMs } : {}) });
  return { clock, decoder: d, feed: (...reports) => reports.flatMap((r) => d.feed(r)) };
}

const tags = (results: KeyboardResult[]): string[] => results.filter((r) => r.kind === 'tag').map((r) => (r.kind === 'tag' ? r.uid : ''));

describe('the key-code table', () => {
  // Written out from the HID usage tables (keyboard page 0x07), not computed like the decoder does.
  const table: [number, string][] = [
    ...'abcdefghijklmnopqrstuvwxyz'.split('').map((c, i): [number, string] => [0x04 + i, c]),
    [0x1e, '1'], [0x1f, '2'], [0x20, '3'], [0x21, '4'], [0x22, '5'], [0x23, '6'], [0x24, '7'], [0x25, '8'], [0x26, '9'], [0x27, '0'],
    [0x59, '1'], [0x5a, '2'], [0x5b, '3'], [0x5c, '4'], [0x5d, '5'], [0x5e, '6'], [0x5f, '7'], [0x60, '8'], [0x61, '9'], [0x62, '0'],
  ];

  it('maps every letter and digit key, main and keypad', () => {
    for (const [code, char] of table) expect(keyChar(code), `0x${code.toString(16)}`).toBe(char);
    const known = new Set(table.map(([code]) => code));
    for (let code = 0; code < 256; code++) if (!known.has(code)) expect(keyChar(code), `0x${code.toString(16)}`).toBeUndefined();
  });

  it('types every key in a report, shifted letters upper case (left or right shift), digits unshifted', () => {
    for (const [code, char] of table) {
      for (const modifiers of [0x00, 0x02, 0x20, 0x22]) {
        const { decoder: d, feed } = decoder();
        feed(keys(modifiers, code), RELEASE);
        expect(d.pending, `0x${code.toString(16)} mods 0x${modifiers.toString(16)}`).toBe(modifiers && /[a-z]/.test(char) ? char.toUpperCase() : char);
      }
    }
  });

  it('Enter and keypad Enter end the text', () => {
    for (const enter of [0x28, 0x58]) {
      const { feed } = decoder('hex');
      const typed = [...'deadbeef'].flatMap((c) => [keys(0, 0x04 + c.charCodeAt(0) - 0x61), RELEASE]);
      expect(feed(...typed, keys(0, enter), RELEASE)).toEqual([{ kind: 'tag', uid: 'DEADBEEF', suffix: false, text: 'deadbeef' }]);
    }
  });
});

describe('KeyboardReportDecoder', () => {
  it('decodes the report sequences of the fixtures', () => {
    for (const sequence of sequences) {
      const { clock, feed } = decoder(sequence.format);
      const start = clock.now();
      const results: KeyboardResult[] = [];
      for (const { atMs, hex } of sequence.reports) {
        if (atMs !== undefined) clock.advance(start + atMs - clock.now());
        results.push(...feed(report(hex)));
      }
      expect(
        results.map((r) => (r.kind === 'tag' ? { kind: r.kind, uid: r.uid, ...(r.suffix ? { suffix: true } : {}) } : { kind: r.kind })),
        sequence.id,
      ).toEqual(sequence.expect);
    }
  });

  it('a key still held in the next report is not pressed again; it is after a release', () => {
    const { decoder: d, feed } = decoder();
    feed(keys(0, 0x04), keys(0, 0x04), keys(0, 0x04, 0x05), keys(0, 0x05), keys(0, 0x05, 0x04));
    expect(d.pending).toBe('aba');
    feed(RELEASE, keys(0, 0x04), keys(0, 0x04));
    expect(d.pending).toBe('abaa');
  });

  it('two keys appearing in one report count in their slot order', () => {
    const { decoder: d, feed } = decoder();
    feed(keys(0, 0x1e, 0x1f, 0x20), keys(0, 0x20));
    expect(d.pending).toBe('123');
  });

  it('takes 9-byte reports (a report id first) and drops other lengths', () => {
    const { decoder: d, feed } = decoder();
    feed([0, ...keys(0, 0x06)], [0, ...RELEASE], [1, ...keys(0, 0x07)]);
    expect(d.pending).toBe('cd');
    const results = feed([0x02, 0xe9, 0x00]);
    expect(results).toEqual([{ kind: 'dropped', reason: 'not a boot keyboard report (3 bytes)', text: 'cd' }]);
    expect(d.pending).toBe('cd');
  });

  it('ignores a rollover-error report and modifier-only reports', () => {
    const { decoder: d, feed } = decoder();
    feed(keys(0, 0x1e), keys(0, 1, 1, 1, 1, 1, 1), keys(0x02), keys(0, 0x1e));
    expect(d.pending).toBe('11');
  });

  it('an unknown key drops the text and what follows up to Enter', () => {
    const { feed } = decoder('hex');
    const results = feed(keys(0, 0x04), RELEASE, keys(0, 0x2c), RELEASE, keys(0, 0x05), RELEASE, keys(0, 0x28), RELEASE);
    expect(results).toEqual([{ kind: 'dropped', reason: 'key 0x2c is not a digit, letter or Enter', text: 'a' }]);
    // The next read is whole again.
    expect(tags(feed(...keyboardReports('1c78f2bf')))).toEqual(['1C78F2BF']);
  });

  it('more than 32 characters drops the text and what follows up to Enter', () => {
    const { feed } = decoder('hex');
    const results = feed(...keyboardReports('a'.repeat(40)));
    expect(results).toEqual([{ kind: 'dropped', reason: 'more than 32 characters without Enter', text: 'a'.repeat(32) }]);
    expect(tags(feed(...keyboardReports('deadbeef')))).toEqual(['DEADBEEF']);
  });

  it('a pause longer than the key timeout drops the partial text; the next read is whole', () => {
    const { clock, feed } = decoder('hex', 500);
    feed(keys(0, 0x07), RELEASE, keys(0, 0x08), RELEASE);
    clock.advance(500);
    feed(keys(0, 0x04), RELEASE); // exactly the timeout: still one text
    clock.advance(501);
    const results = feed(...keyboardReports('deadbeef'));
    expect(results).toEqual([
      { kind: 'dropped', reason: 'no key for 501 ms after "dea" (timeout 500 ms)', text: 'dea' },
      { kind: 'tag', uid: 'DEADBEEF', suffix: false, text: 'deadbeef' },
    ]);
  });

  it('a pause ends the skipping after an unknown key', () => {
    const { clock, feed } = decoder('hex', 500);
    feed(keys(0, 0x2b), RELEASE, keys(0, 0x04), RELEASE);
    clock.advance(1000);
    expect(tags(feed(...keyboardReports('deadbeef')))).toEqual(['DEADBEEF']);
  });

  it('text that is not a UID is dropped with the reason, never thrown', () => {
    const { feed } = decoder('hex');
    const [result] = feed(...keyboardReports('abc'));
    expect(result).toMatchObject({ kind: 'dropped', text: 'abc' });
    expect(result?.kind === 'dropped' && result.reason).toMatch(/not a card UID \(hex\)/);
    expect(feed(keys(0, 0x28), RELEASE)).toEqual([{ kind: 'dropped', reason: 'Enter with nothing typed before it', text: '' }]);
  });

  it('never throws, whatever the reports', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ minLength: 0, maxLength: 10 }), { maxLength: 60 }), fc.constantFrom<KeyboardUidFormat>('auto', 'hex', 'reversedHex', 'decimal', 'reversedDecimal', 'em4100'), (reports, format) => {
        const { feed } = decoder(format);
        for (const r of feed(...reports)) if (r.kind === 'tag') expect(r.uid).toMatch(/^[0-9A-F]+$/);
      }),
    );
  });
});

describe('typedTextToUid', () => {
  it("'auto': exactly 10 decimal digits are reversedDecimal, anything else hex", () => {
    expect(typedTextToUid('3220338716', 'auto')).toMatchObject({ kind: 'tag', uid: '1C78F2BF' });
    expect(typedTextToUid('1c78f2bf', 'auto')).toMatchObject({ kind: 'tag', uid: '1C78F2BF' });
    expect(typedTextToUid('12345678', 'auto')).toMatchObject({ kind: 'tag', uid: '12345678' }); // 8 digits: hex
    expect(typedTextToUid('4295000000', 'auto')).toMatchObject({ kind: 'tag', uid: '4295000000' }); // above 32 bits: hex
    expect(typedTextToUid('1300501000', 'auto')).toMatchObject({ kind: 'tag', uid: '0812844D' }); // the ambiguity: decimal wins
    expect(typedTextToUid('13005d1da5', 'auto')).toMatchObject({ kind: 'tag', uid: '13005D1DA5' });
    expect(typedTextToUid('04a1b2c3d4e5f6', 'auto')).toMatchObject({ kind: 'tag', uid: '04A1B2C3D4E5F6' });
    const noZeros = typedTextToUid('477688511', 'auto');
    expect(noZeros.kind === 'dropped' && noZeros.reason).toMatch(/needs format reversedDecimal/);
  });

  it('a configured form is used as it is', () => {
    expect(typedTextToUid('0477688511', 'decimal')).toMatchObject({ kind: 'tag', uid: '1C78F2BF' });
    expect(typedTextToUid('0006102437', 'em4100')).toMatchObject({ kind: 'tag', uid: '005D1DA5', suffix: true });
    expect(typedTextToUid('bff2781c', 'reversedHex')).toMatchObject({ kind: 'tag', uid: '1C78F2BF' });
  });
});

describe('the fake reader’s typing through the decoder', () => {
  const variants: FakeHidVariant[] = [];
  for (const reportId of [false, true])
    for (const release of ['everyKey', 'rollover'] as const)
      for (const shift of [false, 'left', 'right'] as const) for (const keypad of [false, true]) variants.push({ reportId, release, shift, keypad });

  it('any UID, in every variant, hex and reversed decimal', () => {
    fc.assert(
      fc.property(fc.constantFrom(...variants), fc.constantFrom(4, 5, 7, 10), fc.uint8Array({ minLength: 10, maxLength: 10 }), (variant, length, data) => {
        const uid = Buffer.from(data.subarray(0, length)).toString('hex').toUpperCase();
        const reports = keyboardReports(typedText(uid, variant), variant);
        expect(tags(decoder('hex').feed(...reports))).toEqual([uid]);
        // 'auto' reads a 5-byte id of hex digits without letters as a decimal when it can be one.
        const ambiguous = /^\d{10}$/.test(uid) && Number(uid) <= 0xffffffff;
        expect(tags(decoder('auto').feed(...reports))).toEqual([ambiguous ? Buffer.from(Number(uid).toString(16).padStart(8, '0'), 'hex').reverse().toString('hex').toUpperCase() : uid]);
        if (length === 4) {
          const typing = { ...variant, typing: 'reversedDecimal' as const };
          expect(tags(decoder('auto').feed(...keyboardReports(typedText(uid, typing), typing)))).toEqual([uid]);
        }
      }),
    );
  });
});
