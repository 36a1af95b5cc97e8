// ZVT application data units, the same over serial and TCP:
//   CLASS INSTR LEN body        LEN = body length, one byte, 0..254
//   CLASS INSTR FF lo hi body   for bodies of 255 bytes and more (little-endian length)
// The answers `80 00 00` (acknowledged) and `84 cc 00` (refused, cc = error code) have
// the same shape. Most bodies are a sequence of BMP fields: a one-byte field number, then
// a value of fixed length, or an LLVAR/LLLVAR value whose length is written as 2 or 3
// bytes `Fx` (x = one decimal digit each: `F1 F1` = 11), or the TLV container (BMP 06,
// BER length). A field number the table below does not know has an unknown length, so
// nothing after it can be read: the decoder returns what it read and the rest.
//
// Nothing here throws on bytes from the wire; encoders throw on arguments that cannot be
// sent (TypeError, RangeError).
import { hex2, zvtError } from './errors.js';
import type { ZvtError } from './errors.js';
import { concatBytes, decodeTlv, encodeTlv, encodeTlvLength, readTlvLength } from './tlv.js';
import type { TlvNode } from './tlv.js';

export interface Apdu {
  /** Class byte (first byte of the control field): 0x06, 0x04, 0x05, 0x80, 0x84 … */
  cls: number;
  /** Instruction byte (second byte of the control field); for `84 cc 00` the error code. */
  instr: number;
  body: Uint8Array;
}

/** Largest body the two-byte length can announce. */
export const MAX_APDU_BODY = 0xffff;
/** Largest whole APDU: control field, `FF lo hi`, body. */
export const MAX_APDU_BYTES = 5 + MAX_APDU_BODY;
/** Bodies of this length and longer use the `FF lo hi` length. */
export const EXTENDED_LENGTH_FROM = 0xff;

/** The control field as one number: `06 0F` → 0x060f. */
export const controlField = (apdu: Pick<Apdu, 'cls' | 'instr'>): number => (apdu.cls << 8) | apdu.instr;

/** Encodes an APDU; throws for a class or instruction outside 0..255 or a body over 65535 bytes. */
export function encodeApdu(cls: number, instr: number, body: Uint8Array = new Uint8Array(0)): Uint8Array {
  for (const [name, value] of [['class', cls], ['instruction', instr]] as const) {
    if (!Number.isInteger(value) || value < 0 || value > 0xff) throw new RangeError(`APDU ${name} must be a byte, got ${String(value)}`);
  }
  if (!(body instanceof Uint8Array)) throw new TypeError('APDU body must be a Uint8Array');
  if (body.length > MAX_APDU_BODY) throw new RangeError(`APDU body must be at most ${MAX_APDU_BODY} bytes, got ${body.length}`);
  const header = body.length >= EXTENDED_LENGTH_FROM ? [cls, instr, 0xff, body.length & 0xff, body.length >> 8] : [cls, instr, body.length];
  const out = new Uint8Array(header.length + body.length);
  out.set(header, 0);
  out.set(body, header.length);
  return out;
}

/**
 * Length in bytes of the whole APDU starting at `offset`, from its header; null while the
 * header is incomplete (for splitting a TCP stream).
 */
export function apduLength(bytes: Uint8Array, offset = 0): number | null {
  if (bytes.length - offset < 3) return null;
  const len = bytes[offset + 2]!;
  if (len !== 0xff) return 3 + len;
  if (bytes.length - offset < 5) return null;
  return 5 + (bytes[offset + 3]! | (bytes[offset + 4]! << 8));
}

export type ApduRead = { ok: true; apdu: Apdu; next: number } | { ok: false; error: ZvtError };

/**
 * Reads one APDU at `offset` of a longer buffer (a TCP stream): `next` is where the next
 * one starts. A 'truncated' error means more bytes are needed.
 */
export function readApdu(bytes: Uint8Array, offset = 0): ApduRead {
  const total = apduLength(bytes, offset);
  if (total === null) return { ok: false, error: zvtError('truncated', 'an APDU header is 3 bytes (5 with FF lo hi)', offset) };
  if (bytes.length - offset < total) {
    return { ok: false, error: zvtError('truncated', `the APDU announces ${total} bytes, ${bytes.length - offset} are here`, offset) };
  }
  const headerLength = bytes[offset + 2] === 0xff ? 5 : 3;
  const body = bytes.slice(offset + headerLength, offset + total);
  return { ok: true, apdu: { cls: bytes[offset]!, instr: bytes[offset + 1]!, body }, next: offset + total };
}

export type ApduDecode = { ok: true; apdu: Apdu } | { ok: false; error: ZvtError };

/** Decodes exactly one APDU (a serial frame's content, a test vector): no bytes may be left over. */
export function decodeApdu(bytes: Uint8Array): ApduDecode {
  if (!(bytes instanceof Uint8Array)) return { ok: false, error: zvtError('truncated', 'not a byte array') };
  const read = readApdu(bytes, 0);
  if (!read.ok) return read;
  if (read.next !== bytes.length) {
    return { ok: false, error: zvtError('trailingBytes', `${bytes.length - read.next} bytes after the APDU's announced length`, read.next) };
  }
  return { ok: true, apdu: read.apdu };
}

// ---- BMP fields ----

/** How a field's value is delimited: a fixed number of bytes, LLVAR, LLLVAR, or BER (TLV). */
export type BmpLength = number | 'LLVAR' | 'LLLVAR' | 'TLV';
/** How the value reads: a binary byte, BCD number, BCD digit string, text, opaque bytes, TLV. */
export type BmpFormat = 'binary' | 'bcd' | 'digits' | 'text' | 'bytes' | 'tlv';

export interface BmpSpec {
  bmp: number;
  name: string;
  length: BmpLength;
  format: BmpFormat;
  /**
   * Cardholder or secret data (PAN, track data, expiry, PIN data, passwords, chip files):
   * never log, store or display the value. Message parsers do not expose it.
   */
  sensitive: boolean;
}

const spec = (bmp: number, name: string, length: BmpLength, format: BmpFormat, sensitive = false): BmpSpec => ({ bmp, name, length, format, sensitive });

/**
 * The BMP fields we read and write. Numbers, lengths and names follow the ZVT field list as
 * the open implementations carry it (ecrterm `packets/bitmaps.py`, Portalum.Zvt
 * `BmpParser.cs`, Wireshark `packet-zvt.c`), which agree on every length used here.
 */
export const BMP_SPECS: ReadonlyMap<number, BmpSpec> = new Map(
  [
    spec(0x01, 'timeout', 1, 'binary'),
    spec(0x02, 'maxStatusInfos', 1, 'binary'),
    spec(0x03, 'serviceByte', 1, 'binary'),
    spec(0x04, 'amount', 6, 'bcd'),
    spec(0x05, 'pumpNumber', 1, 'binary'),
    spec(0x06, 'tlv', 'TLV', 'tlv'),
    spec(0x0b, 'traceNumber', 3, 'bcd'),
    spec(0x0c, 'time', 3, 'bcd'),
    spec(0x0d, 'date', 2, 'bcd'),
    spec(0x0e, 'expiryDate', 2, 'bcd', true),
    spec(0x17, 'cardSequenceNumber', 2, 'bcd'),
    // Payment type in requests, status byte in a completion, card type after read card.
    spec(0x19, 'paymentType', 1, 'binary'),
    // The PAN as BCD digits, `E` for a digit the terminal masked, `F` padding. Terminals
    // do not always mask it (girocard), so the raw value is treated as a full PAN.
    spec(0x22, 'pan', 'LLVAR', 'digits', true),
    spec(0x23, 'track2', 'LLVAR', 'digits', true),
    spec(0x24, 'track3', 'LLLVAR', 'digits', true),
    spec(0x27, 'resultCode', 1, 'binary'),
    spec(0x29, 'terminalId', 4, 'digits'),
    spec(0x2a, 'vuNumber', 15, 'text'),
    spec(0x2d, 'track1', 'LLVAR', 'bytes', true),
    spec(0x2e, 'syncChipData', 'LLLVAR', 'bytes', true),
    spec(0x37, 'originalTraceNumber', 3, 'bcd'),
    spec(0x3a, 'cvv', 2, 'digits', true),
    spec(0x3b, 'aid', 8, 'text'),
    spec(0x3c, 'additionalText', 'LLLVAR', 'text'),
    spec(0x3d, 'password', 3, 'digits', true),
    spec(0x49, 'currency', 2, 'bcd'),
    spec(0x60, 'individualTotals', 'LLLVAR', 'bytes'),
    spec(0x87, 'receiptNumber', 2, 'bcd'),
    spec(0x88, 'turnoverNumber', 3, 'bcd'),
    spec(0x8a, 'cardType', 1, 'binary'),
    spec(0x8b, 'cardName', 'LLVAR', 'text'),
    spec(0x8c, 'cardTypeId', 1, 'binary'),
    spec(0x92, 'offlineChipData', 'LLLVAR', 'bytes', true),
    spec(0x9a, 'geldkarte', 'LLLVAR', 'bytes', true),
    spec(0xa0, 'resultCodeAs', 1, 'binary'),
    spec(0xa7, 'chipData', 'LLVAR', 'bytes', true),
    spec(0xaa, 'dateYymmdd', 3, 'bcd'),
    spec(0xaf, 'efInfo', 'LLLVAR', 'bytes', true),
    spec(0xba, 'aidParameter', 5, 'bytes'),
    spec(0xd0, 'algorithmKey', 1, 'binary'),
    spec(0xd1, 'cardOffsetPinData', 'LLVAR', 'bytes', true),
    spec(0xd2, 'cardOutputDirection', 1, 'binary'),
    spec(0xd3, 'dukptKeyId', 1, 'binary'),
    spec(0xe0, 'inputMinLength', 1, 'binary'),
    ...[1, 2, 3, 4, 5, 6, 7, 8].map((n) => spec(0xe0 + n, `text2Line${n}`, 'LLVAR', 'text')),
    spec(0xe9, 'inputMaxLength', 1, 'binary'),
    spec(0xea, 'inputEcho', 1, 'binary'),
    spec(0xeb, 'mac', 8, 'bytes'),
    spec(0xf0, 'displayDuration', 1, 'binary'),
    ...[1, 2, 3, 4, 5, 6, 7, 8].map((n) => spec(0xf0 + n, `textLine${n}`, 'LLVAR', 'text')),
    spec(0xf9, 'beepTones', 1, 'binary'),
    spec(0xfa, 'cardReaderActivation', 1, 'binary'),
    spec(0xfb, 'okRequired', 1, 'binary'),
    spec(0xfc, 'dialogControl', 1, 'binary'),
    spec(0xfd, 'displayDevice', 1, 'binary'),
  ].map((s) => [s.bmp, s]),
);

/** True when `bmp` names a field whose value must never be logged or stored. */
export const isSensitiveBmp = (bmp: number): boolean => BMP_SPECS.get(bmp)?.sensitive ?? false;

export interface BmpField {
  bmp: number;
  name: string;
  /** The value without its length prefix (for BMP 06: the TLV content). */
  value: Uint8Array;
  sensitive: boolean;
  /** BMP 06 only: the decoded objects (those before a malformed one, if any). */
  tlv?: TlvNode[];
  /** BMP 06 only: why the TLV content could not be read to its end. */
  tlvError?: ZvtError;
}

export interface BmpDecodeResult {
  fields: BmpField[];
  /** The bytes from the first field that could not be read (empty when all were read). */
  rest: Uint8Array;
  /** Why the reading stopped (unknown BMP, bad length, bytes missing), or null. */
  stop: ZvtError | null;
}

/** Reads a `Fx Fx` (digits = 2) or `Fx Fx Fx` (digits = 3) length. */
function readVarLength(bytes: Uint8Array, offset: number, digits: number): { ok: true; length: number } | { ok: false; error: ZvtError } {
  if (offset + digits > bytes.length) return { ok: false, error: zvtError('truncated', `LL${digits === 3 ? 'L' : ''}VAR length ends early`, offset) };
  let length = 0;
  for (let i = 0; i < digits; i++) {
    const byte = bytes[offset + i]!;
    if (byte >> 4 !== 0xf || (byte & 0x0f) > 9) {
      return { ok: false, error: zvtError('badLength', `LLVAR length byte ${hex2(byte)} is not F0..F9`, offset + i) };
    }
    length = length * 10 + (byte & 0x0f);
  }
  return { ok: true, length };
}

/** Decodes a sequence of BMP fields starting at `offset` of `body`. Never throws. */
export function decodeBmps(body: Uint8Array, offset = 0): BmpDecodeResult {
  const fields: BmpField[] = [];
  let i = offset;
  const stopAt = (error: ZvtError): BmpDecodeResult => ({ fields, rest: body.slice(i), stop: error });
  while (i < body.length) {
    const bmp = body[i]!;
    const info = BMP_SPECS.get(bmp);
    if (!info) return stopAt(zvtError('unknownBmp', `BMP ${hex2(bmp)} is not in the table: the rest of the body cannot be read`, i));
    let start = i + 1;
    let length: number;
    if (typeof info.length === 'number') {
      length = info.length;
    } else if (info.length === 'TLV') {
      const read = readTlvLength(body, start);
      if (!read.ok) return stopAt(read.error);
      length = read.value;
      start = read.next;
    } else {
      const digits = info.length === 'LLVAR' ? 2 : 3;
      const read = readVarLength(body, start, digits);
      if (!read.ok) return stopAt(read.error);
      length = read.length;
      start += digits;
    }
    if (start + length > body.length) {
      return stopAt(zvtError('truncated', `BMP ${hex2(bmp)} (${info.name}) needs ${length} bytes, ${body.length - start} remain`, i));
    }
    const value = body.slice(start, start + length);
    const field: BmpField = { bmp, name: info.name, value, sensitive: info.sensitive };
    if (info.format === 'tlv') {
      const tlv = decodeTlv(value);
      field.tlv = tlv.nodes;
      if (tlv.error) field.tlvError = tlv.error;
    }
    fields.push(field);
    i = start + length;
  }
  return { fields, rest: new Uint8Array(0), stop: null };
}

/** A field to encode: raw value bytes, or TLV objects for BMP 06. */
export type BmpInput = { bmp: number; value: Uint8Array } | { bmp: 0x06; tlv: readonly TlvNode[] };

function varLength(length: number, digits: number): Uint8Array {
  const text = String(length).padStart(digits, '0');
  return Uint8Array.from([...text].map((d) => 0xf0 | Number(d)));
}

/**
 * Encodes one field, checking its value against the table (fixed length, LLVAR ≤ 99,
 * LLLVAR ≤ 999 bytes). Throws a TypeError/RangeError for a field that cannot be written.
 */
export function encodeBmp(field: BmpInput): Uint8Array {
  const info = BMP_SPECS.get(field.bmp);
  if (!info) throw new TypeError(`BMP ${hex2(field.bmp)} is not in the table`);
  const value = 'tlv' in field ? encodeTlv(field.tlv) : field.value;
  if (!(value instanceof Uint8Array)) throw new TypeError(`BMP ${hex2(field.bmp)} value must be a Uint8Array`);
  let prefix: Uint8Array;
  if (typeof info.length === 'number') {
    if (value.length !== info.length) throw new RangeError(`BMP ${hex2(field.bmp)} (${info.name}) is ${info.length} bytes, got ${value.length}`);
    prefix = new Uint8Array(0);
  } else if (info.length === 'TLV') {
    prefix = encodeTlvLength(value.length);
  } else {
    const digits = info.length === 'LLVAR' ? 2 : 3;
    const max = 10 ** digits - 1;
    if (value.length > max) throw new RangeError(`BMP ${hex2(field.bmp)} (${info.name}) holds at most ${max} bytes, got ${value.length}`);
    prefix = varLength(value.length, digits);
  }
  return concatBytes([Uint8Array.of(field.bmp), prefix, value]);
}

/** Encodes fields in the order given. */
export function encodeBmps(fields: readonly BmpInput[]): Uint8Array {
  return concatBytes(fields.map(encodeBmp));
}

// ---- Safe logging ----

const hexOf = (bytes: Uint8Array): string => Array.from(bytes, hex2).join(' ');
const tagList = (nodes: readonly TlvNode[]): string =>
  nodes.map((n) => n.tag.toString(16).toUpperCase() + (n.children && n.children.length > 0 ? `(${tagList(n.children)})` : '')).join(',');

/**
 * An APDU as text that is safe for logs: the control field, and each BMP field with its
 * value in hex, except sensitive fields (PAN, track data …), shown as their length only.
 * Bodies that are not BMP sequences (print lines, registration) are shown by length.
 * Never log raw APDUs; log this.
 */
export function describeApduForLog(bytes: Uint8Array): string {
  const decoded = decodeApdu(bytes);
  if (!decoded.ok) return `<not an APDU: ${decoded.error.code}, ${bytes.length} bytes>`;
  const { apdu } = decoded;
  const head = `${hex2(apdu.cls)} ${hex2(apdu.instr)} len=${apdu.body.length}`;
  if (apdu.body.length === 0) return head;
  const ctrl = controlField(apdu);
  // Only bodies that are BMP sequences from their first byte are taken apart; the others
  // (registration, end of day and status enquiry start with the password; print lines,
  // intermediate status, abort and the completion may start with something else) are
  // shown by length only.
  if (![0x040f, 0x0601, 0x0622, 0x0623, 0x0625, 0x06d3].includes(ctrl)) return `${head} <body ${apdu.body.length} bytes>`;
  const { fields, rest, stop } = decodeBmps(apdu.body);
  const parts = fields.map((f) => {
    if (f.sensitive) return `${hex2(f.bmp)}=<${f.name}, ${f.value.length} bytes withheld>`;
    // TLV objects may carry card data (EMV tags): their tags are shown, not their values.
    if (f.tlv) return `${hex2(f.bmp)}=<tlv ${f.value.length} bytes: ${tagList(f.tlv)}>`;
    return `${hex2(f.bmp)}=${hexOf(f.value)}`;
  });
  if (stop) parts.push(`<${rest.length} bytes not read: ${stop.code}>`);
  return `${head} ${parts.join(' ')}`;
}
