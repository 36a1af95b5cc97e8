// Exact arithmetic for money. Prices arrive as decimal strings ("0.2899") and are
// multiplied by Wh/1000 and s/3600, so results are rationals, not decimals: a
// binary float would drift, and even scaled integers cannot hold 1/3600 exactly.
// Every amount is therefore a bigint fraction until it is rounded, once, to minor units.

/** An exact rational number, num/den with den > 0, kept in lowest terms. */
export interface Exact {
  readonly num: bigint;
  readonly den: bigint;
}

function gcd(a: bigint, b: bigint): bigint {
  let x = a < 0n ? -a : a;
  let y = b < 0n ? -b : b;
  while (y !== 0n) [x, y] = [y, x % y];
  return x;
}

export function exact(num: bigint | number, den: bigint | number = 1n): Exact {
  const n = toBigInt(num);
  let d = toBigInt(den);
  if (d === 0n) throw new RangeError('division by zero');
  let m = n;
  if (d < 0n) [m, d] = [-m, -d];
  const g = gcd(m, d);
  return g > 1n ? { num: m / g, den: d / g } : { num: m, den: d };
}

function toBigInt(value: bigint | number): bigint {
  if (typeof value === 'bigint') return value;
  if (!Number.isSafeInteger(value)) throw new RangeError(`not a safe integer: ${value}`);
  return BigInt(value);
}

export const ZERO: Exact = { num: 0n, den: 1n };
export const ONE: Exact = { num: 1n, den: 1n };

export function add(a: Exact, b: Exact): Exact {
  return exact(a.num * b.den + b.num * a.den, a.den * b.den);
}

export function mul(a: Exact, b: Exact): Exact {
  return exact(a.num * b.num, a.den * b.den);
}

export function sum(values: readonly Exact[]): Exact {
  return values.reduce(add, ZERO);
}

export function compare(a: Exact, b: Exact): -1 | 0 | 1 {
  const l = a.num * b.den;
  const r = b.num * a.den;
  return l < r ? -1 : l > r ? 1 : 0;
}

/** Parses a plain decimal string such as "0.2899" or "19" exactly. */
export function parseDecimal(text: string): Exact {
  const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(text.trim());
  if (!match) throw new SyntaxError(`not a decimal number: ${JSON.stringify(text)}`);
  const [, sign = '', whole = '0', fraction = ''] = match;
  const num = BigInt(whole + fraction) * (sign === '-' ? -1n : 1n);
  return exact(num, 10n ** BigInt(fraction.length));
}

/**
 * Rounds to the nearest integer, halves away from zero (commercial rounding; for
 * the non-negative amounts billing deals with this is "half up").
 */
export function roundHalfUp(value: Exact): bigint {
  const magnitude = value.num < 0n ? -value.num : value.num;
  const rounded = (2n * magnitude + value.den) / (2n * value.den);
  return value.num < 0n ? -rounded : rounded;
}

/** Rounds a non-negative integer up to the next multiple of `step`. */
export function ceilToStep(quantity: bigint, step: bigint): bigint {
  if (step <= 0n) throw new RangeError('step must be positive');
  return ((quantity + step - 1n) / step) * step;
}

/**
 * Writes `value` as a decimal string, rounded half-up to at most `maxDecimals`,
 * trailing zeros trimmed down to `minDecimals` ("0.50" for money, "19" for a rate).
 */
export function toDecimalString(value: Exact, maxDecimals: number, minDecimals = 0): string {
  const scaled = roundHalfUp(mul(value, exact(10n ** BigInt(maxDecimals))));
  const [whole = '0', fraction = ''] = scaledToString(scaled, maxDecimals).split('.');
  let end = fraction.length;
  while (end > minDecimals && fraction[end - 1] === '0') end -= 1;
  return end > 0 ? `${whole}.${fraction.slice(0, end)}` : whole;
}

/** An integer count of 10^-decimals units as an exact decimal string: (12345n, 2) → "123.45". */
export function scaledToString(scaled: bigint | number, decimals: number): string {
  const value = toBigInt(scaled);
  const negative = value < 0n;
  const digits = (negative ? -value : value).toString().padStart(decimals + 1, '0');
  const whole = digits.slice(0, digits.length - decimals);
  const fraction = digits.slice(digits.length - decimals);
  return (negative ? '-' : '') + (decimals > 0 ? `${whole}.${fraction}` : whole);
}

const exponents = new Map<string, number>();

/** Digits after the decimal point of a currency's minor unit (EUR 2, JPY 0, KWD 3), as Intl knows it. */
export function currencyExponent(currency: string): number {
  let digits = exponents.get(currency);
  if (digits === undefined) {
    digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
    exponents.set(currency, digits);
  }
  return digits;
}

/** Minor units as an exact decimal string in major units: (1234, 'EUR') → "12.34". */
export function minorToMajorString(minor: bigint | number, currency: string): string {
  return scaledToString(minor, currencyExponent(currency));
}

const moneyFormats = new Map<string, Intl.NumberFormat>();

/** Formats an amount in minor units for people, exactly (Intl formats decimal strings without a float). */
export function formatMinor(minor: bigint | number, currency: string, locale: string): string {
  const key = `${locale}|${currency}`;
  let format = moneyFormats.get(key);
  if (!format) {
    format = new Intl.NumberFormat(locale, { style: 'currency', currency, numberingSystem: 'latn' });
    moneyFormats.set(key, format);
  }
  return format.format(minorToMajorString(minor, currency) as `${number}`);
}
