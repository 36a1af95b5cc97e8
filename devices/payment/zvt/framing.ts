// ZVT over a serial line: each APDU travels in a frame
//   DLE STX  APDU (every 10 doubled)  DLE ETX  CRC-lo CRC-hi
// and the receiver answers each frame with one byte, ACK (06) or NAK (15). The CRC is
// CRC-16/KERMIT (polynomial 0x1021 reflected = 0x8408, init 0, no final xor) over the
// APDU as sent before doubling, plus the ETX byte; it is sent low byte first, and its
// bytes are not doubled (ecrterm and Wireshark's dissector agree on both).
//
// This file frames and unframes; it does not run the link (ACK/NAK, retransmission,
// timers). ZvtFrameDecoder takes bytes in any chunks and gives frames, single ACK/NAK
// bytes, and errors the link answers with a NAK. TCP carries bare APDUs (apdu.ts).

export const DLE = 0x10;
export const STX = 0x02;
export const ETX = 0x03;
export const ACK = 0x06;
export const NAK = 0x15;

/** The one-byte link answers, ready to write. */
export const ACK_BYTES: Uint8Array = Uint8Array.of(ACK);
export const NAK_BYTES: Uint8Array = Uint8Array.of(NAK);

/**
 * Timeouts of the serial link, ms (the values ecrterm uses, `transmission/signals.py`).
 * What each bounds, from how ecrterm and Portalum.Zvt use them:
 *   T1   between two bytes of one frame, once its DLE STX has arrived: a frame that stalls
 *        longer is dropped (ZvtFrameDecoder.reset()) and answered with NAK;
 *   T2   for the start (DLE STX) of a frame the receiver is waiting for;
 *   T3   for the terminal's acknowledgement APDU (80 00 00, or 84 cc 00) to a command the
 *        ECR sent (Portalum.Zvt: "command completion receive timeout, T3");
 *   T4   for the next message while the terminal is master, running a command (intermediate
 *        status, status information, completion or abort); it restarts with each message.
 */
export const ZVT_TIMEOUTS_MS = {
  T1: 200,
  T2: 15_000,
  T3: 5_000,
  T4: 180_000,
} as const;

/** Default bound on one frame's APDU (the largest APDU ZVT's length field allows). */
export const DEFAULT_MAX_APDU_BYTES = 5 + 0xffff;

/** CRC-16/KERMIT of `bytes`, continuing from `crc` (check value of "123456789": 0x2189). */
export function crc16Kermit(bytes: Uint8Array, crc = 0): number {
  let value = crc & 0xffff;
  for (const byte of bytes) {
    value ^= byte;
    for (let bit = 0; bit < 8; bit++) value = value & 1 ? (value >>> 1) ^ 0x8408 : value >>> 1;
  }
  return value;
}

/** The CRC of a frame carrying `apdu`: over the APDU and the ETX byte. */
export function frameCrc(apdu: Uint8Array): number {
  return crc16Kermit(Uint8Array.of(ETX), crc16Kermit(apdu));
}

/** The serial frame of `apdu` (DLE STX, doubled APDU, DLE ETX, CRC low, CRC high). */
export function encodeFrame(apdu: Uint8Array): Uint8Array {
  if (!(apdu instanceof Uint8Array)) throw new TypeError('ZVT frame content must be a Uint8Array');
  let doubled = 0;
  for (const byte of apdu) if (byte === DLE) doubled++;
  const out = new Uint8Array(apdu.length + doubled + 6);
  let at = 0;
  out[at++] = DLE;
  out[at++] = STX;
  for (const byte of apdu) {
    out[at++] = byte;
    if (byte === DLE) out[at++] = DLE;
  }
  const crc = frameCrc(apdu);
  out[at++] = DLE;
  out[at++] = ETX;
  out[at++] = crc & 0xff;
  out[at++] = crc >> 8;
  return out;
}

export type FrameErrorCode =
  /** The CRC does not match: answer NAK, the sender repeats the frame. */
  | 'crc'
  /** DLE followed by a byte other than DLE, ETX or STX inside a frame. */
  | 'badEscape'
  /** A new DLE STX before the frame's DLE ETX: the frame was cut short. */
  | 'interrupted'
  /** The frame grew past maxApduBytes: dropped. */
  | 'overflow';

export interface FrameError {
  code: FrameErrorCode;
  message: string;
  /** APDU bytes (undoubled) the frame had when it was given up. */
  apduBytes: number;
  /** For 'crc': the CRC over the bytes received, and the CRC sent. */
  expectedCrc?: number;
  receivedCrc?: number;
}

export type FrameEvent =
  /** A frame with a good CRC: `apdu` is its content, undoubled (answer ACK). */
  | { type: 'frame'; apdu: Uint8Array }
  /** A single ACK byte between frames. */
  | { type: 'ack' }
  /** A single NAK byte between frames. */
  | { type: 'nak' }
  /** A frame that failed; the content is not given (it may hold card data). */
  | { type: 'error'; error: FrameError };

export interface ZvtFrameDecoderOptions {
  /** Largest APDU accepted in one frame, undoubled (default 65540; 3..65540). */
  maxApduBytes?: number;
}

type State =
  | 'idle' // between frames: ACK, NAK, DLE or noise
  | 'idleDle' // a DLE between frames: STX starts a frame
  | 'data' // inside a frame
  | 'dataDle' // a DLE inside a frame
  | 'crcLow'
  | 'crcHigh'
  | 'skip' // inside a broken frame: wait for its DLE ETX (or a new DLE STX)
  | 'skipDle'
  | 'skipCrcLow'
  | 'skipCrcHigh';

/**
 * Splits a serial byte stream into ZVT frames and link bytes. Feed it chunks with push();
 * each call returns the events the chunk completed, in order. Bytes between frames that
 * are not ACK, NAK or a frame start are line noise: dropped and counted. After a broken
 * frame it skips to that frame's end (so the bytes of its content are not read as ACK or
 * NAK) or to the next DLE STX. The partial frame is bounded by maxApduBytes.
 */
export class ZvtFrameDecoder {
  readonly maxApduBytes: number;
  private state: State = 'idle';
  private buffer: Uint8Array;
  private length = 0;
  private crcLow = 0;
  /** Bytes thrown away: noise between frames and the content of broken frames. */
  discardedBytes = 0;

  constructor(options: ZvtFrameDecoderOptions = {}) {
    if (options === null || typeof options !== 'object') throw new TypeError('ZvtFrameDecoder: options must be an object');
    const { maxApduBytes = DEFAULT_MAX_APDU_BYTES } = options;
    if (!Number.isInteger(maxApduBytes) || maxApduBytes < 3 || maxApduBytes > DEFAULT_MAX_APDU_BYTES) {
      throw new TypeError(`ZvtFrameDecoder: maxApduBytes must be an integer from 3 to ${DEFAULT_MAX_APDU_BYTES}, got ${String(maxApduBytes)}`);
    }
    this.maxApduBytes = maxApduBytes;
    this.buffer = new Uint8Array(Math.min(256, maxApduBytes));
  }

  /** True between a frame's DLE STX and its last CRC byte (the link's T1 runs then). */
  get inFrame(): boolean {
    return this.state !== 'idle' && this.state !== 'idleDle';
  }

  /** APDU bytes of the partial frame held now (never more than maxApduBytes). */
  get bufferedBytes(): number {
    return this.length;
  }

  /**
   * Drops a partial frame (call it when T1 runs out) and returns how many of its APDU
   * bytes were dropped; the decoder then waits for the next frame.
   */
  reset(): number {
    const dropped = this.length;
    this.discardedBytes += dropped;
    this.length = 0;
    this.state = 'idle';
    return dropped;
  }

  push(chunk: Uint8Array): FrameEvent[] {
    if (!(chunk instanceof Uint8Array)) throw new TypeError('ZvtFrameDecoder: push Uint8Arrays (or Buffers)');
    const events: FrameEvent[] = [];
    for (const byte of chunk) this.step(byte, events);
    return events;
  }

  private startFrame(): void {
    this.state = 'data';
    this.length = 0;
  }

  private fail(events: FrameEvent[], code: FrameErrorCode, message: string, next: State): void {
    events.push({ type: 'error', error: { code, message, apduBytes: this.length } });
    this.discardedBytes += this.length;
    this.length = 0;
    this.state = next;
  }

  private append(byte: number, events: FrameEvent[]): void {
    if (this.length >= this.maxApduBytes) {
      this.fail(events, 'overflow', `frame longer than ${this.maxApduBytes} APDU bytes`, 'skip');
      this.discardedBytes++;
      return;
    }
    if (this.length === this.buffer.length) {
      const grown = new Uint8Array(Math.min(this.buffer.length * 2, this.maxApduBytes));
      grown.set(this.buffer);
      this.buffer = grown;
    }
    this.buffer[this.length++] = byte;
  }

  private step(byte: number, events: FrameEvent[]): void {
    switch (this.state) {
      case 'idle':
        if (byte === DLE) this.state = 'idleDle';
        else if (byte === ACK) events.push({ type: 'ack' });
        else if (byte === NAK) events.push({ type: 'nak' });
        else this.discardedBytes++;
        return;
      case 'idleDle':
        if (byte === STX) return this.startFrame();
        this.discardedBytes++; // the DLE was noise
        if (byte === DLE) return; // this one may start a frame
        this.state = 'idle';
        return this.step(byte, events);
      case 'data':
        if (byte === DLE) this.state = 'dataDle';
        else this.append(byte, events);
        return;
      case 'dataDle':
        if (byte === DLE) {
          this.state = 'data';
          return this.append(DLE, events);
        }
        if (byte === ETX) {
          this.state = 'crcLow';
          return;
        }
        if (byte === STX) {
          this.fail(events, 'interrupted', 'DLE STX inside a frame: the frame before it was cut short', 'data');
          return this.startFrame();
        }
        this.fail(events, 'badEscape', `DLE followed by ${byte.toString(16).padStart(2, '0')} inside a frame`, 'skip');
        this.discardedBytes++;
        return;
      case 'crcLow':
        this.crcLow = byte;
        this.state = 'crcHigh';
        return;
      case 'crcHigh': {
        const apdu = this.buffer.slice(0, this.length);
        const expected = frameCrc(apdu);
        const received = this.crcLow | (byte << 8);
        this.length = 0;
        this.state = 'idle';
        if (expected === received) {
          events.push({ type: 'frame', apdu });
        } else {
          this.discardedBytes += apdu.length;
          events.push({
            type: 'error',
            error: {
              code: 'crc',
              message: `CRC ${received.toString(16).padStart(4, '0')} does not match ${expected.toString(16).padStart(4, '0')}`,
              apduBytes: apdu.length,
              expectedCrc: expected,
              receivedCrc: received,
            },
          });
        }
        return;
      }
      case 'skip':
        this.discardedBytes++;
        if (byte === DLE) this.state = 'skipDle';
        return;
      case 'skipDle':
        if (byte === STX) return this.startFrame();
        this.discardedBytes++;
        this.state = byte === ETX ? 'skipCrcLow' : 'skip';
        return;
      case 'skipCrcLow':
        this.discardedBytes++;
        this.state = 'skipCrcHigh';
        return;
      case 'skipCrcHigh':
        this.discardedBytes++;
        this.state = 'idle';
        return;
    }
  }
}

export type FrameDecode = { ok: true; apdu: Uint8Array } | { ok: false; error: FrameError | { code: 'notAFrame'; message: string } };

/** Decodes exactly one frame (a test vector, a captured frame): nothing before or after it. */
export function decodeFrame(bytes: Uint8Array): FrameDecode {
  if (!(bytes instanceof Uint8Array) || bytes.length < 6 || bytes[0] !== DLE || bytes[1] !== STX) {
    return { ok: false, error: { code: 'notAFrame', message: 'a frame starts with DLE STX and is at least 6 bytes' } };
  }
  const decoder = new ZvtFrameDecoder();
  const events = decoder.push(bytes);
  const [first] = events;
  if (events.length !== 1 || !first || decoder.inFrame || decoder.discardedBytes > 0) {
    const error = events.find((e) => e.type === 'error');
    if (error && error.type === 'error') return { ok: false, error: error.error };
    return { ok: false, error: { code: 'notAFrame', message: 'not exactly one complete frame' } };
  }
  if (first.type === 'frame') return { ok: true, apdu: first.apdu };
  if (first.type === 'error') return { ok: false, error: first.error };
  return { ok: false, error: { code: 'notAFrame', message: 'not exactly one complete frame' } };
}
