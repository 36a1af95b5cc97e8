// Card UIDs: one canonical form, upper-case hex with the most significant byte first,
// for the 4-, 7- and 10-byte ids of ISO 14443 cards and the 5-byte ids of 125 kHz
// (EM4100) tags. Readers and cards print the same id in other forms; each is converted
// here, never guessed where two forms read alike.
//
// Forms (an id of example bytes 1C 78 F2 BF, and the EM4100 tag 13 00 5D 1D A5):
//   hex              "1C78F2BF", "1c:78:f2:bf", "13005D1DA5" (separators ':', '-', ' ' allowed)
//   reversedHex      "BFF2781C": least significant byte first (some readers, some apps)
//   decimal          "0477688511": the 4 bytes as one big-endian number
//   reversedDecimal  "3220338716": the first 4 bytes read little-endian, as many USB readers type them
//   em4100           "0006102437": the 10 digits printed on 125 kHz cards, the tag's low 32 bits;
//                    "093,07589": the Wiegand-26 print (facility byte, 16-bit card), its low 24 bits
//
// The two EM4100 prints carry only the low bytes of the tag: such an id is a suffix, and
// matches any tag whose id ends with it (`uidMatches`).

/** A canonical card UID: upper-case hex, 4, 5, 7 or 10 bytes, most significant byte first. */
export const RFID_UID = /^(?:[0-9A-F]{8}|[0-9A-F]{10}|[0-9A-F]{14}|[0-9A-F]{20})$/;

export const UID_FORMS = ['hex', 'reversedHex', 'decimal', 'reversedDecimal', 'em4100'] as const;
export type UidForm = (typeof UID_FORMS)[number];

/** An id as read or printed, made canonical: whole, or only the low bytes of a tag (`suffix`). */
export interface CardId {
  /** Canonical hex: the whole UID, or (suffix) its last bytes. */
  uid: string;
  /** Only the tag's last bytes are known (an EM4100 print): it matches every tag ending in them. */
  suffix: boolean;
}

export class UidFormatError extends Error {
  override name = 'UidFormatError';
}

const BYTE_LENGTHS = new Set([4, 5, 7, 10]);

function canonicalHex(text: string): string {
  const hex = text.trim().replace(/[\s:-]/g, '').toUpperCase();
  if (!/^[0-9A-F]*$/.test(hex) || hex.length % 2 !== 0 || !BYTE_LENGTHS.has(hex.length / 2)) {
    throw new UidFormatError(`not a card UID in hex (4, 5, 7 or 10 bytes): ${JSON.stringify(text)}`);
  }
  return hex;
}

function reverseBytes(hex: string): string {
  return (hex.match(/../g) ?? []).reverse().join('');
}

function decimal32(text: string): number {
  const digits = text.trim();
  if (!/^\d{1,10}$/.test(digits)) throw new UidFormatError(`not a decimal card number (up to 10 digits): ${JSON.stringify(text)}`);
  const value = Number(digits);
  if (value > 0xffff_ffff) throw new UidFormatError(`a decimal card number is at most 4294967295: ${JSON.stringify(text)}`);
  return value;
}

const hex32 = (value: number): string => value.toString(16).toUpperCase().padStart(8, '0');

/** The canonical id of `text` in `form`. Throws UidFormatError, with the reason, when it is not one. */
export function parseUid(text: string, form: UidForm = 'hex'): CardId {
  if (typeof text !== 'string') throw new UidFormatError('a card UID is text');
  switch (form) {
    case 'hex':
      return { uid: canonicalHex(text), suffix: false };
    case 'reversedHex':
      return { uid: reverseBytes(canonicalHex(text)), suffix: false };
    case 'decimal':
      return { uid: hex32(decimal32(text)), suffix: false };
    case 'reversedDecimal':
      return { uid: reverseBytes(hex32(decimal32(text))), suffix: false };
    case 'em4100': {
      const wiegand = /^\s*(\d{1,3})\s*[,.]\s*(\d{1,5})\s*$/.exec(text);
      if (wiegand) {
        const facility = Number(wiegand[1]);
        const card = Number(wiegand[2]);
        if (facility > 0xff || card > 0xffff) throw new UidFormatError(`not a Wiegand-26 print (facility ≤ 255, card ≤ 65535): ${JSON.stringify(text)}`);
        return { uid: (facility.toString(16).padStart(2, '0') + card.toString(16).padStart(4, '0')).toUpperCase(), suffix: true };
      }
      return { uid: hex32(decimal32(text)), suffix: true };
    }
    default:
      // A form from a configuration file or another process: not one of ours.
      throw new UidFormatError(`not a UID form: ${JSON.stringify(form)} (one of ${UID_FORMS.join(', ')})`);
  }
}

/**
 * Whether a tag read is the card `id` stands for: a tag read whole (`tag`, canonical), or
 * only its last bytes (`{ uid, suffix: true }`, a USB reader typing the EM4100 print),
 * which matches every id that ends with them.
 */
export function uidMatches(id: CardId, tag: string | { uid: string; suffix?: boolean }): boolean {
  const read = typeof tag === 'string' ? { uid: tag, suffix: false } : { uid: tag.uid, suffix: tag.suffix === true };
  if (read.suffix) return id.suffix ? id.uid.endsWith(read.uid) || read.uid.endsWith(id.uid) : id.uid.length > read.uid.length && id.uid.endsWith(read.uid);
  return id.suffix ? read.uid.length > id.uid.length && read.uid.endsWith(id.uid) : read.uid === id.uid;
}

/** How a canonical UID prints in each form (the forms that apply to its length). */
export function uidForms(uid: string): Partial<Record<UidForm, string>> {
  if (!RFID_UID.test(uid)) throw new UidFormatError(`not a canonical card UID: ${JSON.stringify(uid)}`);
  const forms: Partial<Record<UidForm, string>> = { hex: uid, reversedHex: reverseBytes(uid) };
  if (uid.length === 8) {
    forms.decimal = String(parseInt(uid, 16)).padStart(10, '0');
    forms.reversedDecimal = String(parseInt(reverseBytes(uid), 16)).padStart(10, '0');
  }
  if (uid.length === 10) forms.em4100 = String(parseInt(uid.slice(2), 16)).padStart(10, '0');
  return forms;
}
