// An RDM6300 reader for tests and the serial bench: it writes a presented tag's frames
// to a stream, in the ways real readers and their clones differ: a frame every 100 or
// 250 ms while the tag stays (or only one per presentation), lower-case hex, CR LF
// after the ETX, bytes of noise when it powers up, now and then a frame with a bad
// checksum (a bit lost on the line).
import type { Writable } from 'node:stream';
import type { Clock, TimerHandle } from '../clock.js';
import { encodeRdm6300Frame, rdm6300Checksum, STX } from './rdm6300-codec.js';

export interface Rdm6300SimVariant {
  /** Between two frames of a tag left on the reader, ms (default 250); null: one frame per presentation. */
  repeatMs?: number | null;
  lowerCase?: boolean;
  crlf?: boolean;
  /** Noise on the line when the reader is attached (powers up), with a broken frame in it. */
  garbageAtPowerUp?: boolean;
  /** Every n-th frame carries a wrong checksum (0 or absent: never). */
  badChecksumEvery?: number;
}

/** What some readers send at power-up: noise, and the start of a frame cut off. */
export const POWER_UP_NOISE = Uint8Array.from([0x00, 0xff, 0x7f, 0x30, 0x03, 0x0d, 0x0a, STX, 0x33, 0x34, 0x41, 0x00]);

export class Rdm6300Simulator {
  framesSent = 0;
  private stream: Writable | null = null;
  private tag: string | null = null;
  private timer: TimerHandle | null = null;

  constructor(private readonly options: { clock: Clock; variant?: Rdm6300SimVariant }) {}

  get variant(): Rdm6300SimVariant {
    return this.options.variant ?? {};
  }

  /** The reader powers up on `stream`. */
  attach(stream: Writable): void {
    this.stream = stream;
    if (this.variant.garbageAtPowerUp) this.write(POWER_UP_NOISE);
    if (this.tag) this.sendFrame();
  }

  detach(): void {
    this.stop();
    this.stream = null;
  }

  /** A 5-byte tag (10 hex digits) is held to the reader (another one taken off first). */
  present(uid: string): void {
    encodeRdm6300Frame(uid); // refuses what is not a tag id
    this.stop();
    this.tag = uid;
    this.sendFrame();
  }

  /** The tag is taken off the reader. */
  remove(): void {
    this.stop();
    this.tag = null;
  }

  private sendFrame(): void {
    this.timer = null;
    if (!this.tag || !this.stream) return;
    this.framesSent++;
    const every = this.variant.badChecksumEvery ?? 0;
    const damaged = every > 0 && this.framesSent % every === 0;
    const { lowerCase, crlf } = this.variant;
    const frame = encodeRdm6300Frame(this.tag, { lowerCase: lowerCase ?? false, crlf: crlf ?? false, ...(damaged ? { checksum: rdm6300Checksum(this.tag) ^ 0x01 } : {}) });
    this.write(frame);
    const repeatMs = this.variant.repeatMs === undefined ? 250 : this.variant.repeatMs;
    if (repeatMs !== null) this.timer = this.options.clock.setTimeout(() => this.sendFrame(), repeatMs);
  }

  private write(bytes: Uint8Array): void {
    const stream = this.stream;
    if (stream && !stream.destroyed && stream.writable) stream.write(Buffer.from(bytes));
  }

  private stop(): void {
    if (this.timer !== null) this.options.clock.clearTimeout(this.timer);
    this.timer = null;
  }
}
