// Card data: the masking helper shows at most the BIN and the last four digits; track 2 and
// the raw PAN are flagged sensitive and never come out of the parsers or the log helper.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BMP_SPECS, decodeBmps, describeApduForLog, encodeApdu, encodeBmps, isSensitiveBmp } from '../../../devices/payment/zvt/apdu.js';
import { encodeBcdDigits } from '../../../devices/payment/zvt/bcd.js';
import { parseStatusInformation, redactTlv } from '../../../devices/payment/zvt/messages.js';
import { maskPan, maskPanField, maskPanFromTrack2 } from '../../../devices/payment/zvt/pan.js';
import { tlvNode } from '../../../devices/payment/zvt/tlv.js';
import { bytes, hex } from './zvt-helpers.js';

/** BCD of a digit string, padded with F to whole bytes (as BMP 22 carries it). */
const bcdPadded = (digits: string): Uint8Array => bytes(digits.length % 2 ? `${digits}f` : digits);

/** Every string and every byte array (as hex) anywhere in `value`. */
function leaves(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (value instanceof Uint8Array) out.push(hex(value));
  else if (Array.isArray(value)) for (const item of value) leaves(item, out);
  else if (value && typeof value === 'object') for (const item of Object.values(value)) leaves(item, out);
  return out;
}

describe('maskPan', () => {
  it('shows the BIN and the last four, nothing else', () => {
    expect(maskPan('5598830000008074')).toEqual({ masked: '559883******8074', bin: '559883', last4: '8074', length: 16 });
    expect(maskPan('559883EEEEEE8074')).toEqual({ masked: '559883******8074', bin: '559883', last4: '8074', length: 16 });
    expect(maskPan('6805001234567890123F')).toMatchObject({ masked: '680500*********0123', length: 19 });
    expect(maskPanField(bytes('559883eeeeee8074'))?.masked).toBe('559883******8074');
  });

  it('short PANs show less: no BIN under 13 digits, nothing under 8', () => {
    expect(maskPan('123456789012')).toEqual({ masked: '********9012', bin: null, last4: '9012', length: 12 });
    expect(maskPan('1234567')).toEqual({ masked: '*******', bin: null, last4: null, length: 7 });
    expect(maskPan('EEEEEE1234567890')).toMatchObject({ bin: null, last4: '7890', masked: '************7890' });
  });

  it('anything that is not a PAN is null', () => {
    for (const text of ['', 'FFFF', '12345678901234567890', '1234-5678', '12 34', 'D123'] as const) expect(maskPan(text), text).toBeNull();
    expect(maskPan(1234 as unknown as string)).toBeNull();
  });

  it('takes the PAN of track 2 and nothing after the separator', () => {
    const track2 = bytes('6805001234567890123d29122010000000000f');
    expect(maskPanFromTrack2(track2)).toMatchObject({ masked: '680500*********0123', bin: '680500', last4: '0123' });
  });

  it('property: never more than the first 6 and the last 4 digits, and only those', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[0-9]{1,19}$/), fc.array(fc.nat(), { maxLength: 5 }), (pan, masks) => {
        const chars = [...pan];
        for (const m of masks) chars[m % chars.length] = 'E';
        const input = chars.join('');
        const result = maskPan(input)!;
        expect(result.length).toBe(pan.length);
        expect(result.masked).toHaveLength(pan.length);
        const shown = [...result.masked].filter((c) => c !== '*').length;
        expect(shown).toBeLessThanOrEqual(10);
        expect(result.masked).toMatch(/^\d{0,6}\**\d{0,4}$/);
        if (result.bin) {
          expect(pan.length).toBeGreaterThanOrEqual(13);
          expect(result.bin).toBe(pan.slice(0, 6));
          expect(result.masked.startsWith(result.bin)).toBe(true);
        } else {
          expect(result.masked.slice(0, Math.min(6, pan.length - 4))).toMatch(/^\**$/);
        }
        if (result.last4) {
          expect(result.last4).toBe(pan.slice(-4));
          expect(result.masked.endsWith(result.last4)).toBe(true);
        }
        // At least 3 digits stay hidden whenever anything is shown.
        if (shown > 0) expect(pan.length - shown).toBeGreaterThanOrEqual(3);
      }),
      { numRuns: 500 },
    );
  });
});

describe('track 2 and the raw PAN are sensitive', () => {
  it('the BMP table flags them (and the other card and secret fields)', () => {
    for (const n of [0x22, 0x23, 0x24, 0x2d, 0x0e, 0x3a, 0x3d, 0xd1]) expect(isSensitiveBmp(n), n.toString(16)).toBe(true);
    for (const n of [0x04, 0x27, 0x87, 0x8b, 0x29]) expect(isSensitiveBmp(n), n.toString(16)).toBe(false);
    expect(BMP_SPECS.get(0x23)).toMatchObject({ name: 'track2', length: 'LLVAR', sensitive: true });
  });

  it('track 2 is parseable, and its field is flagged', () => {
    const { fields, stop } = decodeBmps(bytes('2700' + '23f1f9' + '6805001234567890123d29122010000000000f'));
    expect(stop).toBeNull();
    expect(fields[1]).toMatchObject({ bmp: 0x23, name: 'track2', sensitive: true });
    expect(fields[1]!.value.length).toBe(19);
  });

  it('property: a status information with any PAN and track 2 never lets them out', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[1-9][0-9]{11,18}$/), fc.stringMatching(/^[0-9]{4}$/), (pan, expiry) => {
        const track2Digits = `${pan}D${expiry}201${'7'.repeat(6)}`;
        const track2 = bytes(track2Digits.length % 2 ? `${track2Digits}F` : track2Digits);
        const apdu = encodeApdu(
          0x04,
          0x0f,
          encodeBmps([
            { bmp: 0x27, value: Uint8Array.of(0) },
            { bmp: 0x22, value: bcdPadded(pan) },
            { bmp: 0x23, value: track2 },
            { bmp: 0x0e, value: encodeBcdDigits(expiry) },
            { bmp: 0x06, tlv: [tlvNode(0x5a, bcdPadded(pan)), tlvNode(0x1f07, Uint8Array.of(1))] },
          ]),
        );
        const parsed = parseStatusInformation(apdu);
        if (parsed.kind !== 'statusInformation') throw new Error('did not parse');
        expect(parsed.track2Present).toBe(true);
        expect(parsed.withheld).toEqual([0x22, 0x23, 0x0e, 0x5a]);
        expect(parsed.card?.length).toBe(pan.length);
        expect(parsed.tlv.map((n) => n.tag)).toEqual([0x1f07]);
        const panHex = hex(bcdPadded(pan)).slice(0, pan.length - (pan.length % 2));
        for (const leaf of [...leaves(parsed), describeApduForLog(apdu)]) {
          expect(leaf.toUpperCase()).not.toContain(pan);
          expect(leaf.toLowerCase()).not.toContain(panHex);
          expect(leaf.toLowerCase()).not.toContain(hex(track2));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('redactTlv takes the EMV card-data tags out, at any depth', () => {
    const { nodes, withheld } = redactTlv([tlvNode(0x60, [tlvNode(0x57, bytes('1234')), tlvNode(0x43, bytes('a0000000041010'))]), tlvNode(0x5f20, 'MUSTERMANN')]);
    expect(withheld).toEqual([0x57, 0x5f20]);
    expect(nodes).toHaveLength(1);
    expect(nodes[0]!.children!.map((n) => n.tag)).toEqual([0x43]);
    expect(hex(nodes[0]!.value)).toBe('4307a0000000041010');
  });
});
