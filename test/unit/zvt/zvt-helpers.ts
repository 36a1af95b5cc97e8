// Shared by the ZVT tests (not a test file itself): hex helpers and the typed fixture.
import fc from 'fast-check';
import { tlvNode } from '../../../devices/payment/zvt/tlv.js';
import type { TlvNode } from '../../../devices/payment/zvt/tlv.js';
import raw from '../../fixtures/zvt/vectors.json' with { type: 'json' };

export const bytes = (hex: string): Uint8Array => Uint8Array.from(Buffer.from(hex.replace(/\s+/g, ''), 'hex'));
export const hex = (data: Uint8Array): string => Buffer.from(data).toString('hex');

export interface SerialVector {
  id: string;
  origin: string;
  apdu: string;
  frame: string;
  meaning: string;
}

/** A TLV node as the fixture writes it: children, text (CP437) or hex content. */
export interface FixtureTlv {
  tag: number;
  children?: FixtureTlv[];
  text?: string;
  hex?: string;
}

export interface RequestVector {
  id: string;
  origin: string;
  builder: string;
  args: Record<string, unknown>;
  apdu: string;
  expect?: Record<string, unknown>;
}

export interface TerminalVector {
  id: string;
  origin: string;
  apdu: string;
  expect: Record<string, unknown>;
}

export interface TlvVector {
  id: string;
  origin: string;
  bytes: string;
  nodes: FixtureTlv[];
}

export const vectors = raw as unknown as {
  source: string;
  serial: SerialVector[];
  requests: RequestVector[];
  terminal: TerminalVector[];
  tlv: TlvVector[];
};

export function fixtureTlv(node: FixtureTlv): TlvNode {
  if (node.children) return tlvNode(node.tag, node.children.map(fixtureTlv));
  if (node.text !== undefined) return tlvNode(node.tag, node.text);
  return tlvNode(node.tag, bytes(node.hex ?? ''));
}

/** Splits `data` at the given cut points (taken modulo its length). */
export function split(data: Uint8Array, at: readonly number[]): Uint8Array[] {
  const points = [...new Set(at.map((n) => n % (data.length + 1)))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let from = 0;
  for (const p of points) {
    out.push(data.subarray(from, p));
    from = p;
  }
  out.push(data.subarray(from));
  return out;
}

export const concat = (...parts: Uint8Array[]): Uint8Array => Uint8Array.from(Buffer.concat(parts));

/** Well-formed TLV tags of 1, 2 and 3 bytes. */
export const tlvTag = fc.oneof(
  fc.integer({ min: 0, max: 0xff }).filter((b) => (b & 0x1f) !== 0x1f),
  fc.tuple(fc.integer({ min: 0, max: 0xff }), fc.integer({ min: 0, max: 0x7f })).map(([a, b]) => ((a | 0x1f) << 8) | b),
  fc.tuple(fc.integer({ min: 0, max: 0xff }), fc.integer({ min: 0x80, max: 0xff }), fc.integer({ min: 0, max: 0x7f })).map(([a, b, c]) => (a | 0x1f) * 0x10000 + b * 0x100 + c),
);

const isConstructed = (tag: number): boolean => {
  let first = tag;
  while (first > 0xff) first = Math.floor(first / 256);
  return (first & 0x20) !== 0;
};

/** TLV trees: primitive tags carry bytes, constructed tags children (down to depth 3). */
export const tlvTree: fc.Arbitrary<TlvNode[]> = fc.letrec<{ nodes: TlvNode[]; node: TlvNode }>((tie) => ({
  nodes: fc.array(tie('node'), { maxLength: 4 }),
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.tuple(tlvTag.filter((t) => !isConstructed(t)), fc.uint8Array({ maxLength: 300 })).map(([tag, value]) => tlvNode(tag, value)),
    fc.tuple(tlvTag.filter(isConstructed), tie('nodes')).map(([tag, children]) => tlvNode(tag, children)),
  ),
})).nodes;

// ---- A manual clock moved while ZVT messages pass (the memory channel delivers on later ticks) ----

interface ManualClockLike {
  advance(ms: number): void;
}

export const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Moves the clock by `ms` in 100 ms steps, letting messages pass between steps. */
export async function passClock(clock: ManualClockLike, ms: number): Promise<void> {
  for (let t = 0; t < ms; t += 100) {
    await flush();
    clock.advance(100);
  }
  await flush();
}

/** Moves the clock in 100 ms steps until `promise` settles (or `limitMs` passed), and returns its outcome. */
export async function driveClock<T>(clock: ManualClockLike, promise: Promise<T>, limitMs = 600_000): Promise<T> {
  let done = false;
  const watched = promise.finally(() => (done = true));
  watched.catch(() => {});
  for (let t = 0; !done && t < limitMs; t += 100) {
    await flush();
    await flush();
    if (!done) clock.advance(100);
  }
  return watched;
}
