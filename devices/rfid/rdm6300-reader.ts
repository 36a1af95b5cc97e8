// An RDM6300 125 kHz reader (and its clones) on a serial line: over any byte stream
// (attach/detach, in memory or a port someone else keeps), or on a serial port kept open
// by the shared serial layer (openRdm6300Serial: stable path, lock, reopen with backoff).
//
// The reader repeats a tag's frame every 100-250 ms while it stays on the reader; it is
// reported once, and again only once it has been away longer than `gapMs` (a lost frame
// or two must not read as a second tap). Another tag is reported at once.
import type { Duplex, Readable } from 'node:stream';
import type { Clock } from '../clock.js';
import { SerialLink, validateSerialPath, type OpenPort, type SerialBackoff } from '../serial/serial-link.js';
import { RfidListeners, type RfidLog } from './listeners.js';
import { Rdm6300Parser } from './rdm6300-codec.js';
import type { RfidEvent, RfidReader } from './rfid-reader-port.js';

export const DEFAULT_REPEAT_GAP_MS = 600;

/** Passes a tag when it is new: another tag, or the same one after more than `gapMs` without it. */
export class RepeatFilter {
  private last: string | null = null;
  private lastAt = 0;

  constructor(
    private readonly clock: Clock,
    private readonly gapMs: number,
  ) {}

  accept(uid: string): boolean {
    const now = this.clock.now();
    const fresh = uid !== this.last || now - this.lastAt > this.gapMs;
    this.last = uid;
    this.lastAt = now;
    return fresh;
  }

  reset(): void {
    this.last = null;
  }
}

export interface Rdm6300ReaderOptions {
  /** Repeat suppression: real time even under an accelerated kiosk clock. */
  clock: Clock;
  /** How long a tag must be away to count as presented again, ms (default 600). */
  gapMs?: number;
  log?: RfidLog | undefined;
  /** Where the reader is, for the log ("/dev/serial/by-id/…", "memory"). */
  address?: string;
  /** Called by close() (the serial link to stop). */
  onClose?: () => Promise<void>;
}

export class Rdm6300Reader implements RfidReader {
  readonly address: string;
  /** Good frames read since the start, repeats included. */
  framesRead = 0;
  /** Frames dropped since the start (garbage, bad checksums): for the diagnostics. */
  droppedFrames = 0;
  private readonly listeners = new RfidListeners();
  private readonly filter: RepeatFilter;
  private detachStream: (() => void) | null = null;
  private closed = false;

  constructor(private readonly options: Rdm6300ReaderOptions) {
    this.address = options.address ?? 'memory';
    this.filter = new RepeatFilter(options.clock, options.gapMs ?? DEFAULT_REPEAT_GAP_MS);
  }

  get online(): boolean {
    return this.listeners.online;
  }

  get offlineReason(): string | null {
    return this.listeners.offlineReason;
  }

  /**
   * Reads tags from `stream`; the reader is online. `watchClose` (default true): the
   * stream closing takes the reader offline (off when a serial link reports it).
   */
  attach(stream: Readable | Duplex, options: { watchClose?: boolean } = {}): void {
    if (this.closed) return;
    this.release();
    const parser = new Rdm6300Parser();
    const onData = (chunk: Buffer | string): void => {
      for (const result of parser.push(typeof chunk === 'string' ? Buffer.from(chunk, 'latin1') : chunk)) {
        if (result.kind === 'tag') {
          this.framesRead++;
          if (this.filter.accept(result.uid)) this.listeners.tag(result.uid);
        } else {
          this.droppedFrames++;
          this.options.log?.debug({ device: 'rfid reader', address: this.address, reason: result.reason }, 'RDM6300 bytes dropped');
        }
      }
    };
    const onClose = (): void => this.detach('the serial link closed');
    stream.on('data', onData);
    if (options.watchClose !== false) stream.once('close', onClose);
    this.detachStream = () => {
      stream.off('data', onData);
      stream.off('close', onClose);
    };
    this.filter.reset();
    this.listeners.setOnline();
  }

  /** The stream is gone: the reader is offline for `reason`. */
  detach(reason: string): void {
    this.release();
    this.listeners.setOffline(reason);
  }

  subscribe(listener: (event: RfidEvent) => void): () => void {
    return this.listeners.subscribe(listener);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.release();
    this.listeners.close();
    await this.options.onClose?.();
  }

  private release(): void {
    this.detachStream?.();
    this.detachStream = null;
  }
}

export interface OpenRdm6300SerialOptions {
  /** A stable /dev/serial/by-id/… link (see validateSerialPath). */
  path: string;
  /** Default 9600. */
  baudRate?: number;
  /** Repeat suppression and the serial link's backoff: real time. */
  clock: Clock;
  /** The serial link's backoff, when it should run on another clock than repeat suppression. */
  linkClock?: Clock;
  gapMs?: number;
  log?: RfidLog | undefined;
  backoff?: SerialBackoff;
  /** Accept /dev/ttyUSB0 and the like anyway (default false). */
  allowUnstablePath?: boolean;
  /** How to open the port (default serialport, 8N1). For tests. */
  openPort?: OpenPort;
}

/**
 * An RDM6300 on a serial port, kept open: resolves after the first attempt to open it,
 * online or (port absent, locked) offline and trying again with backoff; the reader
 * has nothing to answer, so an open port is an online reader. close() on the reader
 * closes the port. Rejects only for a path refused by validateSerialPath.
 */
export async function openRdm6300Serial(options: OpenRdm6300SerialOptions): Promise<Rdm6300Reader> {
  const problem = options.allowUnstablePath ? null : validateSerialPath(options.path);
  if (problem) throw new Error(`serial port for the RFID reader: ${problem}`);
  let link: SerialLink | null = null;
  const reader = new Rdm6300Reader({
    clock: options.clock,
    gapMs: options.gapMs,
    log: options.log,
    address: options.path,
    onClose: async () => {
      await link?.close();
    },
  });
  let settle: () => void = () => {};
  const settled = new Promise<void>((resolve) => (settle = resolve));
  link = new SerialLink({
    device: 'rfid reader',
    path: options.path,
    baudRate: options.baudRate ?? 9600,
    clock: options.linkClock ?? options.clock,
    log: options.log,
    openPort: options.openPort,
    backoff: options.backoff,
    onOpen: (port) => {
      reader.attach(port, { watchClose: false });
      settle();
    },
    onLost: (reason) => {
      reader.detach(`serial port ${options.path}: ${reason}`);
      settle();
    },
  });
  link.start();
  await settled;
  return reader;
}
