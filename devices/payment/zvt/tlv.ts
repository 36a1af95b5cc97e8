// The TLV container of ZVT (BMP 06): BER-like data objects, tag + length + value.
//   tag:    one byte; when its low 5 bits are all ones (0x1F) more bytes follow, each with
//           bit 8 set but the last (`1F 62`, `DF 81 01`). Bit 6 (0x20) of the first byte
//           marks a constructed object, whose value is itself a sequence of objects.
//   length: one byte below 0x80; `81 xx` for one length byte; `82 xx xx` for two, most
//           significant first (unlike the APDU length, which is little-endian).
// Tags are carried as one number made of their bytes (0x1F62), the way the ZVT
// specification and the reference implementations name them.
//
// decodeTlv never throws: it returns the objects it could read and, if it had to stop,
// why. encodeTlv throws a TypeError/RangeError for objects that cannot be written.
import { hex2, zvtError } from './errors.js';
import type { ZvtError } from './errors.js';
import { encodeCp437 } from './text.js';

export interface TlvNode {
  /** The tag's bytes as one number, first byte most significant: 0x07, 0x1F62, 0xDF8101. */
  tag: number;
  /** The content bytes as received; the encoder writes `children` instead when they are set. */
  value: Uint8Array;
  /**
   * The nested objects of a constructed tag. Absent on primitive tags, and on a
   * constructed tag whose content is not valid TLV (the node then keeps its bytes only).
   */
  children?: TlvNode[];
}

/** Longest tag read or written, in bytes (the specification uses one and two). */
export const MAX_TAG_BYTES = 4;
/** Constructed objects nested deeper than this are kept as bytes, not parsed. */
export const MAX_TLV_DEPTH = 12;

/** The bytes of `tag`, checked to be a well-formed BER tag. Throws a TypeError otherwise. */
export function tagBytes(tag: number): Uint8Array {
  if (!Number.isInteger(tag) || tag < 0 || tag > 0xffff_ffff) throw new TypeError(`TLV tag must be an integer of at most ${MAX_TAG_BYTES} bytes, got ${String(tag)}`);
  const bytes: number[] = [];
  let rest = tag;
  do {
    bytes.unshift(rest % 256);
    rest = Math.floor(rest / 256);
  } while (rest > 0);
  const first = bytes[0]!;
  const multi = (first & 0x1f) === 0x1f;
  const wellFormed = multi
    ? bytes.length >= 2 && bytes.slice(1, -1).every((b) => (b & 0x80) !== 0) && (bytes.at(-1)! & 0x80) === 0
    : bytes.length === 1;
  if (!wellFormed) {
    throw new TypeError(
      `TLV tag 0x${tag.toString(16).toUpperCase()} is not a BER tag: a first byte with low bits 11111 needs continuation bytes (bit 8 set on all but the last), any other first byte stands alone`,
    );
  }
  return Uint8Array.from(bytes);
}

/** True when the tag's first byte has the constructed bit (0x20). */
export function isConstructedTag(tag: number): boolean {
  let first = tag;
  while (first > 0xff) first = Math.floor(first / 256);
  return (first & 0x20) !== 0;
}

/** The length field for `length`: short form below 0x80, else `81 xx` or `82 xx xx`. */
export function encodeTlvLength(length: number): Uint8Array {
  if (!Number.isInteger(length) || length < 0 || length > 0xffff) throw new RangeError(`TLV length must be 0..65535, got ${String(length)}`);
  if (length < 0x80) return Uint8Array.of(length);
  if (length <= 0xff) return Uint8Array.of(0x81, length);
  return Uint8Array.of(0x82, length >> 8, length & 0xff);
}

type Read<T> = { ok: true; value: T; next: number } | { ok: false; error: ZvtError };

/** Reads a tag at `offset`. */
export function readTag(bytes: Uint8Array, offset: number): Read<number> {
  if (offset >= bytes.length) return { ok: false, error: zvtError('truncated', 'TLV tag expected, the data ended', offset) };
  const first = bytes[offset]!;
  let tag = first;
  let i = offset + 1;
  if ((first & 0x1f) === 0x1f) {
    for (;;) {
      if (i >= bytes.length) return { ok: false, error: zvtError('truncated', `TLV tag ${hex2(first)}… ends early`, offset) };
      if (i - offset >= MAX_TAG_BYTES) return { ok: false, error: zvtError('badTlv', `TLV tag longer than ${MAX_TAG_BYTES} bytes`, offset) };
      const byte = bytes[i++]!;
      tag = tag * 256 + byte;
      if ((byte & 0x80) === 0) break;
    }
  }
  return { ok: true, value: tag, next: i };
}

/** Reads a length field at `offset`: short form, `81 xx` or `82 xx xx`. */
export function readTlvLength(bytes: Uint8Array, offset: number): Read<number> {
  if (offset >= bytes.length) return { ok: false, error: zvtError('truncated', 'TLV length expected, the data ended', offset) };
  const first = bytes[offset]!;
  if (first < 0x80) return { ok: true, value: first, next: offset + 1 };
  if (first === 0x81) {
    if (offset + 2 > bytes.length) return { ok: false, error: zvtError('truncated', 'TLV length 81 xx ends early', offset) };
    return { ok: true, value: bytes[offset + 1]!, next: offset + 2 };
  }
  if (first === 0x82) {
    if (offset + 3 > bytes.length) return { ok: false, error: zvtError('truncated', 'TLV length 82 xx xx ends early', offset) };
    return { ok: true, value: (bytes[offset + 1]! << 8) | bytes[offset + 2]!, next: offset + 3 };
  }
  return { ok: false, error: zvtError('badLength', `TLV length form ${hex2(first)} is not used by ZVT (only short, 81 and 82)`, offset) };
}

export interface TlvDecodeResult {
  /** Every object read before the data ended or a problem stopped the reading. */
  nodes: TlvNode[];
  /** Why the reading stopped early, or null if all bytes were read. */
  error: ZvtError | null;
}

/** Decodes a sequence of TLV objects (the content of BMP 06, or of a constructed object). */
export function decodeTlv(bytes: Uint8Array): TlvDecodeResult {
  return decodeSequence(bytes, 0, bytes.length, 0);
}

function decodeSequence(bytes: Uint8Array, start: number, end: number, depth: number): TlvDecodeResult {
  const nodes: TlvNode[] = [];
  let i = start;
  const view = bytes.subarray(0, end);
  while (i < end) {
    const tag = readTag(view, i);
    if (!tag.ok) return { nodes, error: tag.error };
    const length = readTlvLength(view, tag.next);
    if (!length.ok) return { nodes, error: length.error };
    const valueEnd = length.next + length.value;
    if (valueEnd > end) {
      return { nodes, error: zvtError('truncated', `TLV object ${tag.value.toString(16).toUpperCase()} says ${length.value} bytes, ${end - length.next} remain`, i) };
    }
    const node: TlvNode = { tag: tag.value, value: bytes.slice(length.next, valueEnd) };
    if (isConstructedTag(tag.value) && depth < MAX_TLV_DEPTH) {
      const inner = decodeSequence(bytes, length.next, valueEnd, depth + 1);
      if (inner.error === null) node.children = inner.nodes;
    }
    nodes.push(node);
    i = valueEnd;
  }
  return { nodes, error: null };
}

/** Encodes a sequence of TLV objects; `children`, where set, are written instead of `value`. */
export function encodeTlv(nodes: readonly TlvNode[]): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const node of nodes) {
    const content = node.children ? encodeTlv(node.children) : node.value;
    parts.push(tagBytes(node.tag), encodeTlvLength(content.length), content);
  }
  return concatBytes(parts);
}

/** A node from a tag and its content: bytes, nested nodes, or text (written as CP437). */
export function tlvNode(tag: number, content: Uint8Array | readonly TlvNode[] | string): TlvNode {
  tagBytes(tag);
  if (typeof content === 'string') return { tag, value: encodeCp437(content) };
  if (content instanceof Uint8Array) return { tag, value: content };
  const children = [...content];
  return { tag, value: encodeTlv(children), children };
}

/** The first node with `tag`, searching depth-first through the children. */
export function findTlv(nodes: readonly TlvNode[] | undefined, tag: number): TlvNode | undefined {
  for (const node of nodes ?? []) {
    if (node.tag === tag) return node;
    const inner = findTlv(node.children, tag);
    if (inner) return inner;
  }
  return undefined;
}

/** Every node with `tag`, depth-first, in order. */
export function findAllTlv(nodes: readonly TlvNode[] | undefined, tag: number, into: TlvNode[] = []): TlvNode[] {
  for (const node of nodes ?? []) {
    if (node.tag === tag) into.push(node);
    findAllTlv(node.children, tag, into);
  }
  return into;
}

export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const part of parts) length += part.length;
  const out = new Uint8Array(length);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
