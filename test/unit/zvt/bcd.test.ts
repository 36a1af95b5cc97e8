import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  bcdNibbles,
  decodeAmount,
  decodeBcd,
  decodeCurrency,
  decodePassword,
  decodeReceiptNumber,
  decodeTraceNumber,
  encodeAmount,
  encodeBcd,
  encodeBcdDigits,
  encodeCurrency,
  encodePassword,
  encodeReceiptNumber,
  encodeTraceNumber,
  MAX_AMOUNT_MINOR,
} from '../../../devices/payment/zvt/bcd.js';
import { bytes, hex } from './zvt-helpers.js';

describe('BCD vectors', () => {
  it('amounts: 110.00 EUR, 25.00 EUR, 12.95 EUR as in the captures', () => {
    expect(hex(encodeAmount(11000))).toBe('000000011000');
    expect(hex(encodeAmount(2500))).toBe('000000002500');
    expect(hex(encodeAmount(1295))).toBe('000000001295');
    expect(hex(encodeAmount(0))).toBe('000000000000');
    expect(hex(encodeAmount(MAX_AMOUNT_MINOR))).toBe('999999999999');
    expect(decodeAmount(bytes('000000001295'))).toBe(1295);
  });

  it('trace, receipt, currency and password', () => {
    expect(hex(encodeTraceNumber(975))).toBe('000975');
    expect(decodeTraceNumber(bytes('001012'))).toBe(1012);
    expect(hex(encodeReceiptNumber(491))).toBe('0491');
    expect(hex(encodeReceiptNumber('all'))).toBe('ffff');
    expect(decodeReceiptNumber(bytes('0231'))).toBe(231);
    expect(decodeReceiptNumber(bytes('ffff'))).toBe('all');
    expect(hex(encodeCurrency(978))).toBe('0978');
    expect(decodeCurrency(bytes('0978'))).toBe(978);
    expect(hex(encodePassword('123456'))).toBe('123456');
    expect(hex(encodePassword('000042'))).toBe('000042');
    expect(hex(encodePassword(42))).toBe('000042');
    expect(decodePassword(bytes('123456'))).toBe('123456');
  });

  it('nibbles keep the masking and padding letters', () => {
    expect(bcdNibbles(bytes('559883eeeeee8074'))).toBe('559883EEEEEE8074');
    expect(bcdNibbles(bytes('4f'))).toBe('4F');
  });
});

describe('BCD refuses what it cannot carry, with a clear error', () => {
  it('encoders throw RangeError/TypeError naming the field and the range', () => {
    expect(() => encodeAmount(-1)).toThrow(/ZVT amount \(minor units\) must be an integer from 0 to 999999999999/);
    expect(() => encodeAmount(12.5)).toThrow(RangeError);
    expect(() => encodeAmount(MAX_AMOUNT_MINOR + 1)).toThrow(RangeError);
    expect(() => encodeAmount(Number.NaN)).toThrow(RangeError);
    expect(() => encodeAmount('100' as unknown as number)).toThrow(RangeError);
    expect(() => encodeTraceNumber(1_000_000)).toThrow(/trace number/);
    expect(() => encodeReceiptNumber(10_000)).toThrow(/receipt number/);
    expect(() => encodeCurrency(0)).toThrow(/ISO 4217/);
    expect(() => encodeCurrency(1000)).toThrow(RangeError);
    expect(() => encodePassword('12345')).toThrow(/exactly 6 decimal digits/);
    expect(() => encodePassword('12345a')).toThrow(TypeError);
    expect(() => encodePassword(1_000_000)).toThrow(RangeError);
    expect(() => encodeBcd(1, 0)).toThrow(/1..7 bytes/);
    expect(() => encodeBcdDigits('123')).toThrow(/even number/);
  });

  it('decoders give null for bytes that are not BCD, or of the wrong length', () => {
    expect(decodeBcd(bytes('1a'))).toBeNull();
    expect(decodeBcd(bytes('f1'))).toBeNull();
    expect(decodeBcd(new Uint8Array(0))).toBeNull();
    expect(decodeAmount(bytes('0000001000'))).toBeNull();
    expect(decodeReceiptNumber(bytes('0fff'))).toBeNull();
    expect(decodeReceiptNumber(bytes('01'))).toBeNull();
    expect(decodePassword(bytes('12345f'))).toBeNull();
    expect(decodeCurrency(bytes('09'))).toBeNull();
  });
});

describe('BCD properties', () => {
  it('encode then decode gives the number back, for every length', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 7 }).chain((n) => fc.tuple(fc.constant(n), fc.integer({ min: 0, max: Math.min(10 ** (2 * n) - 1, Number.MAX_SAFE_INTEGER) }))), ([n, value]) => {
        const encoded = encodeBcd(value, n);
        expect(encoded.length).toBe(n);
        expect(decodeBcd(encoded)).toBe(value);
        expect(bcdNibbles(encoded)).toBe(String(value).padStart(2 * n, '0'));
      }),
    );
  });

  it('amounts, traces and receipts round-trip', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: MAX_AMOUNT_MINOR }), fc.integer({ min: 0, max: 999_999 }), fc.integer({ min: 0, max: 9999 }), (amount, trace, receipt) => {
        expect(decodeAmount(encodeAmount(amount))).toBe(amount);
        expect(decodeTraceNumber(encodeTraceNumber(trace))).toBe(trace);
        expect(decodeReceiptNumber(encodeReceiptNumber(receipt))).toBe(receipt);
      }),
    );
  });

  it('decoding never throws on any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 10 }), (data) => {
        const value = decodeBcd(data);
        expect(value === null || Number.isSafeInteger(value)).toBe(true);
        expect(typeof bcdNibbles(data)).toBe('string');
        decodeReceiptNumber(data);
        decodePassword(data);
      }),
    );
  });
});
