import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseUid, RFID_UID, UID_FORMS, UidFormatError, uidForms, uidMatches, type UidForm } from '../../../devices/rfid/uid.js';

const hexUid = (bytes: number): fc.Arbitrary<string> =>
  fc.uint8Array({ minLength: bytes, maxLength: bytes }).map((data) => Buffer.from(data).toString('hex').toUpperCase());
const anyUid = fc.oneof(hexUid(4), hexUid(5), hexUid(7), hexUid(10));

describe('parseUid', () => {
  it('reads the protocol notes’ examples', () => {
    expect(parseUid('1C78F2BF', 'hex')).toEqual({ uid: '1C78F2BF', suffix: false });
    expect(parseUid('0477688511', 'decimal')).toEqual({ uid: '1C78F2BF', suffix: false });
    expect(parseUid('3220338716', 'reversedDecimal')).toEqual({ uid: '1C78F2BF', suffix: false });
    expect(parseUid('BFF2781C', 'reversedHex')).toEqual({ uid: '1C78F2BF', suffix: false });
    expect(parseUid('0006102437', 'em4100')).toEqual({ uid: '005D1DA5', suffix: true });
    expect(parseUid('093,07589', 'em4100')).toEqual({ uid: '5D1DA5', suffix: true });
    expect(parseUid('13005D1DA5', 'hex')).toEqual({ uid: '13005D1DA5', suffix: false });
  });

  it('hex of each length, with separators and in lower case; hex is the default form', () => {
    expect(parseUid('1c:78:f2:bf').uid).toBe('1C78F2BF');
    expect(parseUid('13-00-5d-1d-a5').uid).toBe('13005D1DA5');
    expect(parseUid(' 04 a1 b2 c3 d4 e5 f6 ').uid).toBe('04A1B2C3D4E5F6');
    expect(parseUid('0123456789abcdef0123').uid).toBe('0123456789ABCDEF0123');
    expect(parseUid('f6e5d4c3b2a104', 'reversedHex').uid).toBe('04A1B2C3D4E5F6');
  });

  it('decimals without their leading zeros, and the extremes', () => {
    expect(parseUid('477688511', 'decimal').uid).toBe('1C78F2BF');
    expect(parseUid('0', 'decimal').uid).toBe('00000000');
    expect(parseUid('4294967295', 'reversedDecimal').uid).toBe('FFFFFFFF');
    expect(parseUid('1', 'reversedDecimal').uid).toBe('01000000');
    expect(parseUid('255.65535', 'em4100')).toEqual({ uid: 'FFFFFF', suffix: true });
  });

  it('refuses what is not an id in the form, with UidFormatError', () => {
    const bad: [string, UidForm][] = [
      ['', 'hex'],
      ['1C78F2B', 'hex'],
      ['1C78F2BF00FF', 'hex'], // 6 bytes
      ['1C78F2BG', 'hex'],
      ['0x1C78F2BF', 'hex'],
      ['1C78F2BF1C78F2BF1C78F2BF', 'hex'], // 12 bytes
      ['4294967296', 'decimal'],
      ['12345678901', 'decimal'],
      ['-1', 'reversedDecimal'],
      ['12a4', 'decimal'],
      ['1e9', 'decimal'],
      ['256,00001', 'em4100'],
      ['093,65536', 'em4100'],
      ['', 'em4100'],
      ['1C78F2BF', 'em4100'],
    ];
    for (const [text, form] of bad) expect(() => parseUid(text, form), `${text} as ${form}`).toThrow(UidFormatError);
    expect(() => parseUid(12345 as unknown as string, 'decimal')).toThrow(UidFormatError);
    expect(() => parseUid('1C78F2BF', 'binary' as UidForm)).toThrow(UidFormatError);
  });

  it('gives back the uid from each of its forms (em4100: the tag’s low 4 bytes as a suffix)', () => {
    fc.assert(
      fc.property(anyUid, (uid) => {
        const forms = uidForms(uid);
        for (const form of UID_FORMS) {
          const text = forms[form];
          if (text === undefined) continue;
          const id = parseUid(text, form);
          if (form === 'em4100') {
            expect(id).toEqual({ uid: uid.slice(2), suffix: true });
            expect(uidMatches(id, uid)).toBe(true);
          } else {
            expect(id).toEqual({ uid, suffix: false });
          }
          expect(RFID_UID.test(id.uid)).toBe(true);
        }
      }),
    );
  });
});

describe('uidForms and uidMatches', () => {
  it('prints each length in the forms that apply to it', () => {
    expect(uidForms('1C78F2BF')).toEqual({ hex: '1C78F2BF', reversedHex: 'BFF2781C', decimal: '0477688511', reversedDecimal: '3220338716' });
    expect(uidForms('13005D1DA5')).toEqual({ hex: '13005D1DA5', reversedHex: 'A51D5D0013', em4100: '0006102437' });
    expect(Object.keys(uidForms('04A1B2C3D4E5F6'))).toEqual(['hex', 'reversedHex']);
    expect(Object.keys(uidForms('0123456789ABCDEF0123'))).toEqual(['hex', 'reversedHex']);
    for (const bad of ['1c78f2bf', '1C78F2', '', '1C78F2BF0011']) expect(() => uidForms(bad)).toThrow(UidFormatError);
  });

  it('matches a whole id only to itself, a suffix to longer tags that end with it', () => {
    expect(uidMatches({ uid: '1C78F2BF', suffix: false }, '1C78F2BF')).toBe(true);
    expect(uidMatches({ uid: '1C78F2BF', suffix: false }, '001C78F2BF')).toBe(false);
    expect(uidMatches(parseUid('0006102437', 'em4100'), '13005D1DA5')).toBe(true);
    expect(uidMatches(parseUid('093,07589', 'em4100'), '13005D1DA5')).toBe(true);
    expect(uidMatches(parseUid('0006102437', 'em4100'), '005D1DA5')).toBe(false); // a 4-byte card is another card
    expect(uidMatches(parseUid('0006102438', 'em4100'), '13005D1DA5')).toBe(false);
  });

  it('matches a tap that gives only the tag’s last bytes (a USB reader typing the EM4100 print)', () => {
    const tap = { uid: '005D1DA5', suffix: true };
    expect(uidMatches(parseUid('13005D1DA5'), tap)).toBe(true);
    expect(uidMatches(parseUid('0006102437', 'em4100'), tap)).toBe(true);
    expect(uidMatches(parseUid('093,07589', 'em4100'), tap)).toBe(true);
    expect(uidMatches(parseUid('005D1DA5'), tap)).toBe(false); // a 4-byte card is another card
    expect(uidMatches(parseUid('13005D1DA6'), tap)).toBe(false);
    expect(uidMatches(parseUid('1C78F2BF'), { uid: '1C78F2BF' })).toBe(true);
  });
});
