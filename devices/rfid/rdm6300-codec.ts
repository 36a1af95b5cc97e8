// The RDM6300's serial frames (125 kHz EM4100 tags, 9600 8N1): STX (02), the tag's 5
// bytes as 10 ASCII hex digits, their XOR as 2 ASCII hex digits, ETX (03); sent again
// every 100-250 ms while the tag stays on the reader.
//
// The parser takes the byte stream in any chunks and never throws. It finds its way
// back after anything unexpected: bytes before an STX are dropped, a frame cut short
// (no ETX before the next STX) is dropped, so are a frame with a bad checksum, one with
// a character that is not hex, and one longer than 12 characters. Clones send lower-case
// hex, and some add CR LF after the ETX: both are accepted.

export const STX = 0x02;
export const ETX = 0x03;
const CR = 0x0d;
const LF = 0x0a;
const BODY_LENGTH = 12; // 10 tag digits and 2 checksum digits

export type Rdm6300Result =
  /** A tag: its canonical 5-byte UID. */
  | { kind: 'tag'; uid: string }
  /** Bytes given up, and why (for the log and the diagnostics). */
  | { kind: 'dropped'; reason: string };

/** The XOR of a 5-byte tag id's bytes (its 10 hex digits). */
export function rdm6300Checksum(uid: string): number {
  let sum = 0;
  for (let i = 0; i < uid.length; i += 2) sum ^= parseInt(uid.slice(i, i + 2), 16);
  return sum;
}

export interface Rdm6300FrameOptions {
  /** Hex digits in lower case, as some clones send them. */
  lowerCase?: boolean;
  /** CR LF after the ETX, as some clones add. */
  crlf?: boolean;
  /** The checksum to send instead of the right one (a frame damaged on the line). */
  checksum?: number;
}

/** One frame for a 5-byte tag id (10 hex digits). */
export function encodeRdm6300Frame(uid: string, options: Rdm6300FrameOptions = {}): Uint8Array {
  if (!/^[0-9A-Fa-f]{10}$/.test(uid)) throw new TypeError(`an RDM6300 tag id is 5 bytes, 10 hex digits: ${JSON.stringify(uid)}`);
  const checksum = options.checksum ?? rdm6300Checksum(uid);
  let text = uid.toUpperCase() + checksum.toString(16).toUpperCase().padStart(2, '0');
  if (options.lowerCase) text = text.toLowerCase();
  return Uint8Array.from([STX, ...Buffer.from(text, 'latin1'), ETX, ...(options.crlf ? [CR, LF] : [])]);
}

const isHex = (byte: number): boolean => (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x46) || (byte >= 0x61 && byte <= 0x66);

export class Rdm6300Parser {
  /** The characters of the frame being read, or null between frames. */
  private body: number[] | null = null;
  /** Bytes seen outside a frame since the last one. */
  private stray = 0;

  /** Parses the next bytes; returns the tags they complete and what was given up. */
  push(chunk: Uint8Array): Rdm6300Result[] {
    const results: Rdm6300Result[] = [];
    for (const byte of chunk) {
      if (byte === CR || byte === LF) continue;
      if (byte === STX) {
        if (this.stray > 0) results.push({ kind: 'dropped', reason: `${this.stray} byte(s) outside a frame` });
        this.stray = 0;
        if (this.body !== null && this.body.length > 0) results.push({ kind: 'dropped', reason: `a frame cut short (${this.body.length} characters, no ETX)` });
        this.body = [];
      } else if (this.body === null) {
        this.stray++;
      } else if (byte === ETX) {
        results.push(this.finish(this.body));
        this.body = null;
      } else if (this.body.length === BODY_LENGTH) {
        results.push({ kind: 'dropped', reason: `a frame longer than ${BODY_LENGTH} characters` });
        this.body = null;
        this.stray++;
      } else {
        this.body.push(byte);
      }
    }
    return results;
  }

  private finish(body: number[]): Rdm6300Result {
    if (body.length !== BODY_LENGTH) return { kind: 'dropped', reason: `a frame of ${body.length} characters (${BODY_LENGTH} expected)` };
    if (!body.every(isHex)) return { kind: 'dropped', reason: 'a frame with characters that are not hex digits' };
    const text = Buffer.from(body).toString('latin1').toUpperCase();
    const uid = text.slice(0, 10);
    const sent = parseInt(text.slice(10), 16);
    const expected = rdm6300Checksum(uid);
    if (sent !== expected) return { kind: 'dropped', reason: `bad checksum for ${uid}: ${text.slice(10)}, expected ${expected.toString(16).toUpperCase().padStart(2, '0')}` };
    return { kind: 'tag', uid };
  }
}
