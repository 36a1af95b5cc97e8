// Packed BCD as ZVT uses it: two decimal digits per byte, most significant first, as in
// amounts (6 bytes, minor units), trace numbers (3), receipt numbers (2), currency codes
// (2, `09 78` = 978 = EUR) and passwords (3). The terminal also puts hex nibbles into
// BCD-looking fields: `E` for a masked PAN digit, `F` for padding, `FF FF` for "all
// receipts": the digit-string readers below keep them, the number readers refuse them.
//
// Encoders throw (RangeError, TypeError) on values that cannot be sent: those are the
// caller's mistakes. Decoders never throw: a byte that is not BCD gives null.

/** Amount field (BMP 04): 6 bytes, 12 digits of minor units (cents). */
export const AMOUNT_BYTES = 6;
/** The largest amount the 12 digits can carry, in minor units. */
export const MAX_AMOUNT_MINOR = 999_999_999_999;
/** Trace number (BMP 0B, 37): 3 bytes. */
export const TRACE_NUMBER_BYTES = 3;
/** Receipt number (BMP 87): 2 bytes. */
export const RECEIPT_NUMBER_BYTES = 2;
/** Turnover record number (BMP 88): 3 bytes. */
export const TURNOVER_NUMBER_BYTES = 3;
/** Password of the administrative commands: 3 bytes, 6 digits. */
export const PASSWORD_BYTES = 3;
/** Currency code (BMP 49, and untagged in registration): 2 bytes, ISO 4217 numeric. */
export const CURRENCY_BYTES = 2;
/** ISO 4217 numeric code of the euro. */
export const CURRENCY_EUR = 978;

/**
 * `value` as `byteLength` bytes of packed BCD. Throws a RangeError unless `value` is a
 * non-negative safe integer with at most 2 × byteLength digits.
 */
export function encodeBcd(value: number, byteLength: number, what = 'BCD value'): Uint8Array {
  if (!Number.isInteger(byteLength) || byteLength < 1 || byteLength > 7) {
    throw new RangeError(`${what}: BCD field length must be 1..7 bytes, got ${String(byteLength)}`);
  }
  const digits = byteLength * 2;
  const max = 10 ** digits - 1;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0 || value > max) {
    throw new RangeError(`${what} must be an integer from 0 to ${max} (${digits} BCD digits), got ${String(value)}`);
  }
  return encodeBcdDigits(String(value).padStart(digits, '0'), what);
}

/**
 * A string of decimal digits (even length) as packed BCD. Throws a TypeError for any
 * other character or an odd length.
 */
export function encodeBcdDigits(digits: string, what = 'BCD digits'): Uint8Array {
  if (typeof digits !== 'string' || !/^(\d\d)*$/.test(digits)) {
    throw new TypeError(`${what} must be an even number of decimal digits, got ${JSON.stringify(digits)}`);
  }
  const out = new Uint8Array(digits.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = (Number(digits[2 * i]) << 4) | Number(digits[2 * i + 1]);
  return out;
}

const NIBBLE = '0123456789ABCDEF';

/** The nibbles of `bytes` as characters: `0`–`9`, and `A`–`F` where the field is not pure BCD. */
export function bcdNibbles(bytes: Uint8Array): string {
  let text = '';
  for (const byte of bytes) text += NIBBLE[byte >> 4]! + NIBBLE[byte & 0x0f]!;
  return text;
}

/** The number in `bytes`, or null if any nibble is not a decimal digit (or there are no bytes). */
export function decodeBcd(bytes: Uint8Array): number | null {
  if (bytes.length === 0 || bytes.length > 7) return null;
  let value = 0;
  for (const byte of bytes) {
    const high = byte >> 4;
    const low = byte & 0x0f;
    if (high > 9 || low > 9) return null;
    value = value * 100 + high * 10 + low;
  }
  return value;
}

/** Amount in minor units as BMP 04's 6 bytes. */
export function encodeAmount(amountMinor: number): Uint8Array {
  return encodeBcd(amountMinor, AMOUNT_BYTES, 'ZVT amount (minor units)');
}

/** BMP 04's 6 bytes as minor units, or null if they are not 6 BCD bytes. */
export function decodeAmount(bytes: Uint8Array): number | null {
  return bytes.length === AMOUNT_BYTES ? decodeBcd(bytes) : null;
}

export function encodeTraceNumber(trace: number): Uint8Array {
  return encodeBcd(trace, TRACE_NUMBER_BYTES, 'ZVT trace number');
}

export function decodeTraceNumber(bytes: Uint8Array): number | null {
  return bytes.length === TRACE_NUMBER_BYTES ? decodeBcd(bytes) : null;
}

/**
 * The receipt number `FF FF`: in a partial reversal (`06 23`) it asks for the open
 * reservations; in the terminal's answer (`06 1E … 87 FF FF`) it means there are none.
 */
export const RECEIPT_NUMBER_ALL = 'all';
export type ReceiptNumber = number | typeof RECEIPT_NUMBER_ALL;

export function encodeReceiptNumber(receipt: ReceiptNumber): Uint8Array {
  if (receipt === RECEIPT_NUMBER_ALL) return Uint8Array.of(0xff, 0xff);
  return encodeBcd(receipt, RECEIPT_NUMBER_BYTES, 'ZVT receipt number');
}

/** BMP 87: a number 0..9999, 'all' for `FF FF`, null for anything else. */
export function decodeReceiptNumber(bytes: Uint8Array): ReceiptNumber | null {
  if (bytes.length !== RECEIPT_NUMBER_BYTES) return null;
  if (bytes[0] === 0xff && bytes[1] === 0xff) return RECEIPT_NUMBER_ALL;
  return decodeBcd(bytes);
}

/** ISO 4217 numeric currency code (1..999) as 2 BCD bytes: 978 → `09 78`. */
export function encodeCurrency(code: number): Uint8Array {
  if (!Number.isInteger(code) || code < 1 || code > 999) {
    throw new RangeError(`ZVT currency must be an ISO 4217 numeric code from 1 to 999, got ${String(code)}`);
  }
  return encodeBcd(code, CURRENCY_BYTES, 'ZVT currency');
}

export function decodeCurrency(bytes: Uint8Array): number | null {
  return bytes.length === CURRENCY_BYTES ? decodeBcd(bytes) : null;
}

/**
 * The terminal password (6 digits, e.g. '123456' → `12 34 56`). A string keeps leading
 * zeros; a number is padded to 6 digits.
 */
export function encodePassword(password: string | number): Uint8Array {
  if (typeof password === 'number') return encodeBcd(password, PASSWORD_BYTES, 'ZVT password');
  if (typeof password !== 'string' || !/^\d{6}$/.test(password)) {
    throw new TypeError('ZVT password must be exactly 6 decimal digits');
  }
  return encodeBcdDigits(password, 'ZVT password');
}

/** The password's 6 digits, or null. */
export function decodePassword(bytes: Uint8Array): string | null {
  if (bytes.length !== PASSWORD_BYTES) return null;
  const digits = bcdNibbles(bytes);
  return /^\d{6}$/.test(digits) ? digits : null;
}
