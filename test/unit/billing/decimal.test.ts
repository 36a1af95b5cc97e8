import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import {
  add,
  ceilToStep,
  compare,
  currencyExponent,
  exact,
  formatMinor,
  minorToMajorString,
  mul,
  parseDecimal,
  roundHalfUp,
  toDecimalString,
} from '../../../electron/billing/decimal.js';

describe('exact decimals', () => {
  it('parses decimal strings exactly, in lowest terms', () => {
    expect(parseDecimal('0.2899')).toEqual({ num: 2899n, den: 10000n });
    expect(parseDecimal('19')).toEqual({ num: 19n, den: 1n });
    expect(parseDecimal('0.50')).toEqual({ num: 1n, den: 2n });
    expect(parseDecimal(' 1.000000 ')).toEqual({ num: 1n, den: 1n });
    expect(parseDecimal('-2.5')).toEqual({ num: -5n, den: 2n });
  });

  it('rejects what is not a plain decimal', () => {
    for (const bad of ['', '.5', '1.', '1e3', '0x10', 'abc', '1,5', 'NaN']) {
      expect(() => parseDecimal(bad), bad).toThrow(SyntaxError);
    }
  });

  it('does the sums a float gets wrong', () => {
    // 0.1 + 0.2 is 0.30000000000000004 as floats; exactly 3/10 here.
    expect(add(parseDecimal('0.1'), parseDecimal('0.2'))).toEqual(parseDecimal('0.3'));
    // 1.005 × 100 is 100.49999999999999 as floats, so Math.round gives 100; exactly it is 100.5 → 101.
    expect(Math.round(1.005 * 100)).toBe(100);
    expect(roundHalfUp(mul(parseDecimal('1.005'), exact(100)))).toBe(101n);
  });

  it('rounds half up (away from zero)', () => {
    expect(roundHalfUp(exact(1, 2))).toBe(1n);
    expect(roundHalfUp(exact(49, 100))).toBe(0n);
    expect(roundHalfUp(exact(5, 2))).toBe(3n);
    expect(roundHalfUp(exact(7, 3))).toBe(2n);
    expect(roundHalfUp(exact(-1, 2))).toBe(-1n);
    expect(roundHalfUp(exact(0))).toBe(0n);
  });

  it('rounds every non-negative fraction to the nearest integer, halves up', () => {
    fc.assert(
      fc.property(fc.nat(1_000_000), fc.integer({ min: 1, max: 1000 }), (n, d) => {
        // Oracle in integers: quotient and remainder; the remainder decides, a half goes up.
        const q = Math.floor(n / d);
        const r = n - q * d;
        expect(roundHalfUp(exact(n, d))).toBe(BigInt(2 * r >= d ? q + 1 : q));
      }),
    );
  });

  it('rounds quantities up to their step', () => {
    expect(ceilToStep(0n, 1000n)).toBe(0n);
    expect(ceilToStep(1n, 1000n)).toBe(1000n);
    expect(ceilToStep(1000n, 1000n)).toBe(1000n);
    expect(ceilToStep(1001n, 1000n)).toBe(2000n);
    expect(ceilToStep(7n, 1n)).toBe(7n);
  });

  it('writes decimals exactly, trimmed to a minimum of digits', () => {
    expect(toDecimalString(mul(parseDecimal('0.2899'), parseDecimal('1.19')), 6, 2)).toBe('0.344981');
    expect(toDecimalString(parseDecimal('0.5'), 6, 2)).toBe('0.50');
    expect(toDecimalString(parseDecimal('3'), 6, 2)).toBe('3.00');
    expect(toDecimalString(parseDecimal('38.5'), 6, 0)).toBe('38.5');
    expect(toDecimalString(parseDecimal('19.000'), 6)).toBe('19');
    expect(toDecimalString(parseDecimal('100'), 6)).toBe('100');
    // 0.123457 × 1.19 = 0.14691383: more than 6 decimals, rounded half up at the 6th.
    expect(toDecimalString(mul(parseDecimal('0.123457'), parseDecimal('1.19')), 6, 2)).toBe('0.146914');
  });

  it('round-trips decimals with at most 6 places', () => {
    const decimal = fc
      .tuple(fc.nat(999_999_999), fc.nat(999_999))
      .map(([whole, frac]) => `${whole}.${String(frac).padStart(6, '0')}`);
    fc.assert(
      fc.property(decimal, (text) => {
        const back = toDecimalString(parseDecimal(text), 6);
        expect(compare(parseDecimal(back), parseDecimal(text))).toBe(0);
      }),
    );
  });
});

describe('currencies', () => {
  it('knows the minor unit of a currency from Intl', () => {
    expect(currencyExponent('EUR')).toBe(2);
    expect(currencyExponent('JPY')).toBe(0);
    expect(currencyExponent('KWD')).toBe(3);
  });

  it('turns minor units into major units without float division', () => {
    expect(minorToMajorString(345, 'EUR')).toBe('3.45');
    expect(minorToMajorString(5, 'EUR')).toBe('0.05');
    expect(minorToMajorString(0, 'EUR')).toBe('0.00');
    expect(minorToMajorString(475, 'JPY')).toBe('475');
    expect(minorToMajorString(1234, 'KWD')).toBe('1.234');
    expect(minorToMajorString(9_007_199_254_740_991n, 'EUR')).toBe('90071992547409.91');
  });

  it('formats money for the locale', () => {
    expect(formatMinor(395, 'EUR', 'en')).toBe('€3.95');
    expect(formatMinor(395, 'EUR', 'de')).toBe('3,95\u00a0€');
    expect(formatMinor(475, 'JPY', 'en')).toBe('¥475');
    expect(formatMinor(123456789, 'EUR', 'en')).toBe('€1,234,567.89');
  });
});
