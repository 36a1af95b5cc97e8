// The ZVT serial link layer as an ApduChannel: frames (framing.ts) over a byte stream
// (a serialport SerialPort opened 8N2, or a MemoryDuplex in sim mode and tests).
//
// Sending: one frame in flight at a time (further sends queue). Each frame is written and
// the peer answers with one byte: ACK (06) resolves the send; NAK (15), or no answer
// within T3 after the write completed, sends the frame again, at most `maxTransmissions`
// (3) in all; then the send rejects with a ZvtLinkError ('nak' or 'noAck' after the last
// transmission's outcome). ACK and NAK bytes that arrive while nothing is in flight are
// ignored (a late or repeated answer).
//
// Receiving: bytes go to ZvtFrameDecoder. A good frame is answered with ACK, then its APDU
// is emitted. A frame that fails its CRC, has a bad DLE escape or is too long is answered
// with NAK (the sender repeats it). A frame cut short by a new DLE STX is dropped without
// an answer (its sender has already moved on to the new frame). Bytes that stall inside
// a frame for longer than T1 drop the partial frame, answered with NAK as framing.ts
// describes, so the sender repeats it at once instead of after its T3.
//
// Duplicates. The ZVT link layer has no sequence numbers: when our ACK is lost (or garbled
// into a NAK) the peer sends the same frame again, and nothing on the wire tells that
// repeat from a new message with the same bytes. We treat a frame as a repeat, ACK it
// again and do not emit it, only when all of these hold:
//   - its APDU is byte-for-byte the last one we ACKed;
//   - it began (its first chunk arrived) within T3 + T1 of that ACK (the peer repeats
//     after its T3 at the latest; T1 is slack for its timer and the line);
//   - the peer has not ACKed a frame of ours since: the application protocol is
//     request/response, so a peer that has taken our answer and then sends the same APDU
//     (the ECR's `80 00 00` to each `04 FF`, a terminal's repeated `04 FF`) means it anew.
// What remains ambiguous: a peer that ACKs our frames while its own waits for an ACK (a
// full-duplex link layer like this one) and repeats after a lost ACK is emitted twice, and
// a peer that really sends the same APDU twice within T3 with nothing from us in between
// is emitted once. Neither arises in the ZVT master/slave exchange with a real terminal.
//
// Never logs APDU bytes: at most class, instruction and length.
import type { Duplex } from 'node:stream';
import type { Clock, TimerHandle } from '../../clock.js';
import { closePort } from '../../serial/serial-link.js';
import { ChannelListeners, type ApduChannel } from './channel.js';
import { hex2 } from './errors.js';
import { ACK_BYTES, encodeFrame, NAK_BYTES, ZVT_TIMEOUTS_MS, ZvtFrameDecoder } from './framing.js';

/** What a ZVT channel logs; pino's logger fits. Never given APDU bytes. */
export interface ZvtLinkLog {
  debug(object: object, message: string): void;
  warn(object: object, message: string): void;
}

export type ZvtLinkErrorCode =
  /** The peer answered every transmission of the frame with NAK (the last one NAKed). */
  | 'nak'
  /** The peer did not answer the last transmission within T3. */
  | 'noAck'
  /** The channel closed before the frame was acknowledged (or was closed already). */
  | 'closed';

export class ZvtLinkError extends Error {
  override readonly name = 'ZvtLinkError';
  constructor(
    readonly code: ZvtLinkErrorCode,
    message: string,
    /** How many times the frame was written. */
    readonly transmissions = 0,
  ) {
    super(message);
  }
}

export interface ZvtSerialChannelOptions {
  clock: Clock;
  log?: ZvtLinkLog | undefined;
  /** What the channel is for, in log lines (default "card terminal"). */
  device?: string;
  /** Timeouts, ms; defaults ZVT_TIMEOUTS_MS (T1 200, T3 5000). */
  t1Ms?: number;
  t3Ms?: number;
  /** Transmissions of one frame in all, first included (default 3). */
  maxTransmissions?: number;
  /** Largest APDU accepted in one frame (ZvtFrameDecoder's bound). */
  maxApduBytes?: number;
  /** close() closes the stream too (default true); the stream ending closes the channel either way. */
  ownsStream?: boolean;
}

interface PendingSend {
  apdu: Uint8Array;
  frame: Uint8Array;
  resolve: () => void;
  reject: (error: ZvtLinkError) => void;
}

/** Class, instruction and length of an APDU, for log lines (never its content). */
export function apduSummary(apdu: Uint8Array): { apdu: string; bytes: number } {
  const control = apdu.length >= 2 ? `${hex2(apdu[0]!)} ${hex2(apdu[1]!)}` : '?';
  return { apdu: control, bytes: apdu.length };
}

const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((byte, i) => byte === b[i]);

export class ZvtSerialChannel implements ApduChannel {
  private readonly clock: Clock;
  private readonly log: ZvtLinkLog | undefined;
  private readonly device: string;
  private readonly t1Ms: number;
  private readonly t3Ms: number;
  private readonly maxTransmissions: number;
  private readonly ownsStream: boolean;
  private readonly decoder: ZvtFrameDecoder;
  private readonly listeners = new ChannelListeners((error, apdu) =>
    this.log?.warn({ device: this.device, ...(apdu ? apduSummary(apdu) : {}), reason: error instanceof Error ? error.message : String(error) }, apdu ? 'ZVT APDU listener failed' : 'ZVT close listener failed'),
  );
  private readonly queue: PendingSend[] = [];
  private inFlight: PendingSend | null = null;
  private transmissions = 0;
  private t3Timer: TimerHandle | null = null;
  private t1Timer: TimerHandle | null = null;
  /** Clock time of the chunk that began the frame being received (a repeat is judged by when it began). */
  private frameStartedAt = 0;
  /** The decoder is skipping the rest of a broken frame that has been NAKed. */
  private partialAnswered = false;
  /** The last APDU we ACKed and when, for telling a repeat after a lost ACK (null: none to compare). */
  private lastAcked: { apdu: Uint8Array; at: number } | null = null;
  private closedReason: string | null = null;
  private closing: Promise<void> | null = null;
  /** Link statistics (no content). */
  readonly stats = { framesSent: 0, retransmissions: 0, framesReceived: 0, duplicatesDropped: 0, naksSent: 0, stalledFrames: 0 };

  private readonly onData = (chunk: Buffer | Uint8Array | string): void => this.receive(typeof chunk === 'string' ? Buffer.from(chunk, 'latin1') : chunk);
  private readonly onEnd = (): void => this.shutDown('the serial stream ended');
  private readonly onError = (error: Error): void => this.shutDown(`the serial stream failed: ${error.message}`);
  private readonly onStreamClose = (): void => this.shutDown('the serial stream closed');

  constructor(
    private readonly stream: Duplex,
    options: ZvtSerialChannelOptions,
  ) {
    if (!options || typeof options.clock?.setTimeout !== 'function') throw new TypeError('ZvtSerialChannel needs a clock');
    this.clock = options.clock;
    this.log = options.log;
    this.device = options.device ?? 'card terminal';
    this.t1Ms = options.t1Ms ?? ZVT_TIMEOUTS_MS.T1;
    this.t3Ms = options.t3Ms ?? ZVT_TIMEOUTS_MS.T3;
    this.maxTransmissions = options.maxTransmissions ?? 3;
    this.ownsStream = options.ownsStream ?? true;
    for (const [name, value] of [['t1Ms', this.t1Ms], ['t3Ms', this.t3Ms]] as const) {
      if (!(Number.isFinite(value) && value > 0)) throw new RangeError(`ZvtSerialChannel: ${name} must be > 0, got ${String(value)}`);
    }
    if (!Number.isInteger(this.maxTransmissions) || this.maxTransmissions < 1) {
      throw new RangeError(`ZvtSerialChannel: maxTransmissions must be an integer >= 1, got ${String(this.maxTransmissions)}`);
    }
    this.decoder = new ZvtFrameDecoder(options.maxApduBytes === undefined ? {} : { maxApduBytes: options.maxApduBytes });
    stream.on('data', this.onData);
    stream.on('end', this.onEnd);
    stream.on('error', this.onError);
    stream.on('close', this.onStreamClose);
    if (stream.destroyed) this.shutDown('the serial stream is closed');
  }

  /** True once the channel is closed (for whatever reason). */
  get closed(): boolean {
    return this.closedReason !== null;
  }

  send(apdu: Uint8Array): Promise<void> {
    if (!(apdu instanceof Uint8Array)) return Promise.reject(new TypeError('ZvtSerialChannel.send takes a Uint8Array'));
    if (this.closedReason !== null) return Promise.reject(new ZvtLinkError('closed', `the ZVT serial channel is closed: ${this.closedReason}`));
    let frame: Uint8Array;
    try {
      frame = encodeFrame(apdu);
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ apdu: Uint8Array.from(apdu), frame, resolve, reject });
      this.next();
    });
  }

  onApdu(listener: (apdu: Uint8Array) => void): () => void {
    return this.listeners.onApdu(listener);
  }

  onClose(listener: (reason: string) => void): () => void {
    return this.listeners.onClose(listener);
  }

  close(): Promise<void> {
    this.shutDown('closed by this side');
    return this.closing ?? Promise.resolve();
  }

  // ---- sending ----

  private next(): void {
    if (this.inFlight || this.closedReason !== null) return;
    const pending = this.queue.shift();
    if (!pending) return;
    this.inFlight = pending;
    this.transmissions = 0;
    this.transmit();
  }

  private transmit(): void {
    const pending = this.inFlight;
    if (!pending || this.closedReason !== null) return;
    this.clearT3();
    this.transmissions++;
    if (this.transmissions === 1) this.stats.framesSent++;
    else this.stats.retransmissions++;
    const transmission = this.transmissions;
    this.log?.debug({ device: this.device, ...apduSummary(pending.apdu), transmission }, transmission === 1 ? 'ZVT frame sent' : 'ZVT frame sent again');
    this.stream.write(pending.frame, (error) => {
      if (error) return this.shutDown(`writing to the serial stream failed: ${error.message}`);
      // T3 runs from the write's completion; an answer that came first has ended this transmission.
      if (this.inFlight === pending && this.transmissions === transmission && this.t3Timer === null) {
        this.t3Timer = this.clock.setTimeout(() => {
          this.t3Timer = null;
          this.failedTransmission('noAck');
        }, this.t3Ms);
      }
    });
  }

  private clearT3(): void {
    if (this.t3Timer !== null) this.clock.clearTimeout(this.t3Timer);
    this.t3Timer = null;
  }

  private acknowledged(): void {
    const pending = this.inFlight;
    if (!pending) return; // nothing in flight: a late or repeated ACK
    this.clearT3();
    this.inFlight = null;
    this.lastAcked = null; // the peer has taken our frame: its next identical APDU is a new one
    pending.resolve();
    this.next();
  }

  private failedTransmission(outcome: 'nak' | 'noAck'): void {
    const pending = this.inFlight;
    if (!pending) return; // nothing in flight: a stray NAK
    this.clearT3();
    if (this.transmissions < this.maxTransmissions) {
      this.log?.debug({ device: this.device, ...apduSummary(pending.apdu), outcome, transmission: this.transmissions }, 'ZVT frame not acknowledged; sending again');
      this.transmit();
      return;
    }
    this.inFlight = null;
    const why = outcome === 'nak' ? 'answered with NAK' : `not answered within T3 (${this.t3Ms} ms)`;
    this.log?.warn({ device: this.device, ...apduSummary(pending.apdu), outcome, transmissions: this.transmissions }, 'ZVT frame not delivered');
    pending.reject(new ZvtLinkError(outcome, `the ${this.device} did not acknowledge the frame: ${this.transmissions} transmissions, the last ${why}`, this.transmissions));
    this.next();
  }

  // ---- receiving ----

  private receive(chunk: Uint8Array): void {
    if (this.closedReason !== null) return;
    const wasInFrame = this.decoder.inFrame;
    const events = this.decoder.push(chunk);
    const now = this.clock.now();
    // The first frame this chunk completes may have begun in an earlier chunk; any later one began in this chunk.
    let startedAt = wasInFrame ? this.frameStartedAt : now;
    // Whether the broken frame the decoder is skipping through has had its NAK already.
    let answered = wasInFrame && this.partialAnswered;
    for (const event of events) {
      switch (event.type) {
        case 'ack':
          this.acknowledged();
          break;
        case 'nak':
          this.failedTransmission('nak');
          break;
        case 'frame':
          this.frameReceived(event.apdu, startedAt);
          startedAt = now;
          answered = false;
          break;
        case 'error':
          this.log?.debug({ device: this.device, code: event.error.code, bytes: event.error.apduBytes }, 'ZVT frame rejected');
          if (event.error.code !== 'interrupted') this.writeLinkByte(NAK_BYTES);
          answered = event.error.code !== 'interrupted';
          startedAt = now;
          break;
      }
      if (this.closedReason !== null) return;
    }
    if (this.decoder.inFrame && !(wasInFrame && events.length === 0)) this.frameStartedAt = now;
    this.partialAnswered = this.decoder.inFrame && answered;
    this.restartT1();
  }

  private frameReceived(apdu: Uint8Array, startedAt: number): void {
    this.stats.framesReceived++;
    const last = this.lastAcked;
    this.writeLinkByte(ACK_BYTES);
    if (last && startedAt - last.at <= this.t3Ms + this.t1Ms && sameBytes(last.apdu, apdu)) {
      this.stats.duplicatesDropped++;
      this.log?.debug({ device: this.device, ...apduSummary(apdu) }, 'ZVT frame repeated after our ACK: acknowledged again, not passed on');
      last.at = this.clock.now();
      return;
    }
    this.lastAcked = { apdu, at: this.clock.now() };
    this.log?.debug({ device: this.device, ...apduSummary(apdu) }, 'ZVT frame received');
    this.listeners.apdu(apdu);
  }

  private restartT1(): void {
    if (this.t1Timer !== null) this.clock.clearTimeout(this.t1Timer);
    this.t1Timer = null;
    if (!this.decoder.inFrame || this.closedReason !== null) return;
    this.t1Timer = this.clock.setTimeout(() => {
      this.t1Timer = null;
      if (!this.decoder.inFrame || this.closedReason !== null) return;
      const dropped = this.decoder.reset();
      this.stats.stalledFrames++;
      this.log?.debug({ device: this.device, bytes: dropped, t1Ms: this.t1Ms }, 'ZVT frame stalled past T1: dropped');
      // A broken frame whose end never came was NAKed when it broke: one NAK per frame.
      if (!this.partialAnswered) this.writeLinkByte(NAK_BYTES);
      this.partialAnswered = false;
    }, this.t1Ms);
  }

  private writeLinkByte(byte: Uint8Array): void {
    if (this.closedReason !== null) return;
    if (byte === NAK_BYTES) this.stats.naksSent++;
    this.stream.write(byte, (error) => {
      if (error) this.shutDown(`writing to the serial stream failed: ${error.message}`);
    });
  }

  // ---- closing ----

  private shutDown(reason: string): void {
    if (this.closedReason !== null) return;
    this.closedReason = reason;
    this.clearT3();
    if (this.t1Timer !== null) this.clock.clearTimeout(this.t1Timer);
    this.t1Timer = null;
    this.lastAcked = null;
    const pending = [...(this.inFlight ? [this.inFlight] : []), ...this.queue.splice(0)];
    this.inFlight = null;
    for (const send of pending) send.reject(new ZvtLinkError('closed', `the ZVT serial channel closed before the frame was acknowledged: ${reason}`, 0));
    this.stream.off('data', this.onData);
    this.stream.off('end', this.onEnd);
    this.stream.off('close', this.onStreamClose);
    // Keep an 'error' listener: a late stream error must not crash the process.
    this.stream.off('error', this.onError);
    this.stream.on('error', () => {});
    this.log?.debug({ device: this.device, reason }, 'ZVT serial channel closed');
    this.closing = this.ownsStream ? closePort(this.stream) : Promise.resolve();
    this.listeners.closed(reason);
  }
}
