// Splits a RAPI byte stream into frames, in the style of node-serialport's parsers:
// pipe a port into it and read one string per frame (`$…`, without the `\r`).
//
// Bytes before a `$` are line noise and dropped; a `$` inside a frame starts a new one
// (the firmware does the same: the earlier bytes were a frame cut short). The partial
// frame is held in a buffer of fixed size: a frame that outgrows it is dropped and the
// parser waits for the next `$`, so garbage without carriage returns cannot make it
// grow. A partial frame left when the input ends is dropped: a frame is only complete
// with its `\r`.
import { Transform } from 'node:stream';
import type { Duplex, TransformCallback, TransformOptions } from 'node:stream';

export interface RapiParserOptions extends Omit<TransformOptions, 'readableObjectMode' | 'transform' | 'flush'> {
  /** Largest frame held, bytes, `$` and `\r` included (default 256; 4..65536). */
  maxFrameBytes?: number;
}

const SOC = 0x24; // '$'
const EOC = 0x0d; // '\r'

export class RapiParser extends Transform {
  readonly maxFrameBytes: number;
  private readonly frame: Buffer;
  private length = 0;
  private inFrame = false;
  /** Bytes thrown away: noise between frames, frames cut short, frames too long. */
  discardedBytes = 0;
  /** Frames dropped because they outgrew the buffer. */
  overflows = 0;

  constructor(options: RapiParserOptions = {}) {
    if (options === null || typeof options !== 'object') {
      throw new TypeError(`RapiParser: options must be an object, got ${options === null ? 'null' : typeof options}`);
    }
    const { maxFrameBytes = 256, ...rest } = options;
    if (typeof maxFrameBytes !== 'number' || !Number.isInteger(maxFrameBytes) || maxFrameBytes < 4 || maxFrameBytes > 65536) {
      throw new TypeError(`RapiParser: maxFrameBytes must be an integer from 4 to 65536, got ${String(maxFrameBytes)}`);
    }
    super({ ...rest, readableObjectMode: true });
    this.maxFrameBytes = maxFrameBytes;
    // The `\r` is never stored, so the held part is at most maxFrameBytes - 1.
    this.frame = Buffer.alloc(maxFrameBytes - 1);
  }

  /** Bytes of the partial frame held now; never more than maxFrameBytes - 1. */
  get bufferedBytes(): number {
    return this.length;
  }

  override _transform(chunk: unknown, _encoding: BufferEncoding, callback: TransformCallback): void {
    // Strings arrive as Buffers (decodeStrings), unless a caller turned that off.
    let bytes: Buffer;
    if (Buffer.isBuffer(chunk)) bytes = chunk;
    else if (typeof chunk === 'string') bytes = Buffer.from(chunk, 'latin1');
    else if (chunk instanceof Uint8Array) bytes = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    else return callback(new TypeError('RapiParser: write Buffers or strings'));

    let i = 0;
    while (i < bytes.length) {
      if (!this.inFrame) {
        const start = bytes.indexOf(SOC, i);
        if (start < 0) {
          this.discardedBytes += bytes.length - i;
          break;
        }
        this.discardedBytes += start - i;
        this.inFrame = true;
        this.frame[0] = SOC;
        this.length = 1;
        i = start + 1;
        continue;
      }
      const byte = bytes[i++] as number;
      if (byte === EOC) {
        this.push(this.frame.toString('latin1', 0, this.length));
        this.inFrame = false;
        this.length = 0;
      } else if (byte === SOC) {
        this.discardedBytes += this.length;
        this.frame[0] = SOC;
        this.length = 1;
      } else if (this.length >= this.frame.length) {
        // Too long for a frame: drop it and resynchronise at the next '$'.
        this.discardedBytes += this.length + 1;
        this.overflows++;
        this.inFrame = false;
        this.length = 0;
      } else {
        this.frame[this.length++] = byte;
      }
    }
    callback();
  }

  override _flush(callback: TransformCallback): void {
    this.discardedBytes += this.length;
    this.inFrame = false;
    this.length = 0;
    callback();
  }
}

/**
 * Reads RAPI frames from `stream` until the returned function is called: each complete
 * frame goes to `onFrame`, the stream closing or failing to `onEnd`. Both ends of the
 * link (the driver and the simulator) read their stream this way. Once let go of, the
 * stream's late errors are swallowed: they are no longer news, and an 'error' with no
 * listener would crash the process.
 */
export function readRapiFrames(stream: Duplex, handlers: { onFrame(text: string): void; onEnd(reason: string): void }): () => void {
  const parser = new RapiParser();
  const onFrame = (text: string): void => handlers.onFrame(text);
  const onClose = (): void => handlers.onEnd('the serial link closed');
  const onError = (error: Error): void => handlers.onEnd(`the serial link failed: ${error.message}`);
  parser.on('data', onFrame);
  stream.on('close', onClose);
  stream.on('error', onError);
  stream.pipe(parser);
  return () => {
    stream.unpipe(parser);
    parser.off('data', onFrame);
    parser.destroy();
    stream.off('close', onClose);
    stream.off('error', onError);
    stream.on('error', () => {});
  };
}
