// Card numbers out of ZVT fields, masked before anything else sees them. The terminal
// sends the PAN (BMP 22) as BCD digits with `E` for digits it masked and `F` padding, but
// not every terminal masks (a Feig capture of a girocard payment carries the full PAN),
// and a read card (06 C0) can return track 2 (BMP 23), PAN first, `D` as separator.
// So the raw digits never leave this file: callers get a MaskedPan, which shows at most
// the first six digits (the BIN) and the last four, as PCI DSS allows for display.
import { bcdNibbles } from './bcd.js';

export interface MaskedPan {
  /** The PAN with every hidden digit as '*': '559883******8074'. */
  masked: string;
  /** The first six digits (issuer identification number), or null when not shown. */
  bin: string | null;
  /** The last four digits, or null when not shown. */
  last4: string | null;
  /** How many digits the PAN has. */
  length: number;
}

/** PANs shorter than this show no BIN, so that at least 3 digits stay hidden. */
export const MIN_LENGTH_FOR_BIN = 13;
/** PANs shorter than this show nothing at all. */
export const MIN_LENGTH_FOR_LAST4 = 8;
const MAX_PAN_DIGITS = 19;

/**
 * Masks a PAN given as characters: digits, and `E`, `*`, `X` for digits already masked;
 * trailing `F` padding is dropped. Shows the first six digits only for PANs of 13 digits
 * and more, the last four only for PANs of 8 and more, and neither where they are already
 * partly masked. Returns null for anything that is not a PAN of 1..19 characters.
 */
export function maskPan(pan: string): MaskedPan | null {
  if (typeof pan !== 'string') return null;
  const text = pan.toUpperCase().replace(/F+$/, '');
  if (text.length === 0 || text.length > MAX_PAN_DIGITS || !/^[0-9E*X]+$/.test(text)) return null;
  const length = text.length;
  const first = text.slice(0, 6);
  const last = text.slice(-4);
  const bin = length >= MIN_LENGTH_FOR_BIN && /^\d{6}$/.test(first) ? first : null;
  const last4 = length >= MIN_LENGTH_FOR_LAST4 && /^\d{4}$/.test(last) ? last : null;
  const hiddenLength = length - (bin ? 6 : 0) - (last4 ? 4 : 0);
  return { masked: `${bin ?? ''}${'*'.repeat(hiddenLength)}${last4 ?? ''}`, bin, last4, length };
}

/** The masked PAN of a BMP 22 value (BCD digits, `E` masked, `F` padding). */
export function maskPanField(value: Uint8Array): MaskedPan | null {
  return maskPan(bcdNibbles(value));
}

/**
 * The masked PAN at the start of a BMP 23 value (track 2 as BCD: PAN, `D`, expiry, service
 * code, discretionary data, `F` padding). Nothing after the separator is returned.
 */
export function maskPanFromTrack2(value: Uint8Array): MaskedPan | null {
  const nibbles = bcdNibbles(value);
  const separator = nibbles.indexOf('D');
  return maskPan(separator >= 0 ? nibbles.slice(0, separator) : nibbles);
}
