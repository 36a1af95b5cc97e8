// An ESC/POS receipt printer over any byte stream (attach/detach: a memory link, a port
// someone else keeps), or on a serial port or USB printer-class device kept open by
// the shared serial layer (openEscPosSerial: stable path, reopen with backoff).
//
// Status: `10 04 04` (paper) and `10 04 02` (cover) are sent together and their answers
// read with a timeout (statusTimeoutMs). Printers differ: most answer at once, some
// only when they are not busy printing, some late, some never (old and non-Epson
// models). Answers are matched to requests in the order they were sent, so a late
// answer is taken for the request it belongs to, never for a later one. A printer that
// does not answer in time is online with paper and cover unknown (PrinterStatus.unknown);
// a printer whose port is gone is offline.
//
// Printing: one job at a time, in the order asked. Each job reads the status first and
// is refused with a PrinterError ('paperOut', 'coverOpen', 'offline') when it cannot
// print; a printer that does not answer gets the job anyway. A print() settles within
// printTimeoutMs of being called, queue wait included ('timeout' otherwise: a write
// stuck that long drops the port, which the serial layer reopens).
import type { Duplex } from 'node:stream';
import type { Clock, TimerHandle } from '../clock.js';
import { DeviceUnavailableError } from '../device-errors.js';
import { SerialLink, validateSerialPath, type OpenPort, type SerialBackoff, type SerialLog } from '../serial/serial-link.js';
import { openPrinterPort } from './character-device.js';
import { encodeReceipt, encoderWidthFor, isStatusByte, OFFLINE_STATUS_REQUEST, PAPER_STATUS_REQUEST, statusFromAnswers } from './escpos-encoding.js';
import type { PrinterStatus, ReceiptDocument, ReceiptPrinter } from './receipt-printer-port.js';

export type PrinterLog = SerialLog;

export type PrinterErrorCode = 'paperOut' | 'coverOpen' | 'offline' | 'timeout';

/** Why a print did not happen. */
export class PrinterError extends Error {
  override name = 'PrinterError';
  constructor(
    readonly code: PrinterErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export const DEFAULT_STATUS_TIMEOUT_MS = 1000;
export const DEFAULT_PRINT_TIMEOUT_MS = 15_000;
/** A request unanswered this many timeouts ago gets no answer any more: later bytes belong to later requests. */
const EXPIRY_TIMEOUTS = 10;

export interface EscPosPrinterOptions {
  columns: number;
  /** Status and print timeouts: real time even under an accelerated kiosk clock. */
  clock: Clock;
  log?: PrinterLog | undefined;
  /** Where the printer is, for the log and diagnostics ("/dev/kiosk-printer", "memory"). */
  address?: string;
  /** How long to wait for the status answers, ms (default 1000). */
  statusTimeoutMs?: number;
  /** The longest a print() takes to settle, queue wait included, ms (default 15 000). */
  printTimeoutMs?: number;
  /** Called by close() (the serial link to stop). */
  onClose?: () => Promise<void>;
}

/** How the printer has answered status requests on its current link. */
export type StatusAnswers = 'answers' | 'late' | 'none' | 'unknown';

export interface EscPosDiagnostics {
  address: string;
  online: boolean;
  offlineReason: string | null;
  statusAnswers: StatusAnswers;
  /** Answers that came after their request had timed out. */
  lateAnswers: number;
  /** Requests that got no answer in time. */
  unansweredRequests: number;
  /** Bytes from the printer that are no status answer, or answer nothing asked. */
  strayBytes: number;
  printed: number;
  /** The last print refused or failed, and why. */
  lastError: string | null;
}

interface StatusRequest {
  sentAt: number;
  /** Null once it timed out: its answer, if one comes, is late. */
  settle: ((byte: number | null) => void) | null;
}

export class EscPosPrinter implements ReceiptPrinter {
  readonly columns: number;
  readonly address: string;
  private readonly clock: Clock;
  private readonly log: PrinterLog | undefined;
  private readonly statusTimeoutMs: number;
  private readonly printTimeoutMs: number;
  private stream: Duplex | null = null;
  private detachStream: (() => void) | null = null;
  private reason: string | null = 'not connected yet';
  private closed = false;
  private requests: StatusRequest[] = [];
  private queue: Promise<void> = Promise.resolve();
  private readonly jobs = new Set<{ fail: (error: unknown) => void }>();
  private answered = 0;
  private warnedUnknown = false;
  private counters = { lateAnswers: 0, unansweredRequests: 0, strayBytes: 0, printed: 0 };
  private lastError: string | null = null;

  constructor(private readonly options: EscPosPrinterOptions) {
    encoderWidthFor(options.columns); // refuses a width the encoder cannot lay out
    this.columns = options.columns;
    this.clock = options.clock;
    this.log = options.log;
    this.address = options.address ?? 'memory';
    this.statusTimeoutMs = options.statusTimeoutMs ?? DEFAULT_STATUS_TIMEOUT_MS;
    this.printTimeoutMs = options.printTimeoutMs ?? DEFAULT_PRINT_TIMEOUT_MS;
  }

  get online(): boolean {
    return this.stream !== null;
  }

  get offlineReason(): string | null {
    return this.stream ? null : this.reason;
  }

  /** Talks to the printer over `stream`. `watchClose` (default true): the stream closing takes it offline (off when a serial link reports it). */
  attach(stream: Duplex, options: { watchClose?: boolean } = {}): void {
    if (this.closed) return;
    this.release();
    const onData = (chunk: Buffer | string): void => {
      for (const byte of typeof chunk === 'string' ? Buffer.from(chunk, 'latin1') : chunk) this.onByte(byte);
    };
    const onClose = (): void => this.detach('the printer link closed');
    stream.on('data', onData);
    if (options.watchClose !== false) stream.once('close', onClose);
    this.detachStream = () => {
      stream.off('data', onData);
      stream.off('close', onClose);
    };
    this.stream = stream;
    this.reason = null;
    this.answered = 0;
    this.counters.lateAnswers = 0;
    this.counters.unansweredRequests = 0;
    this.warnedUnknown = false;
    this.log?.info({ device: 'printer', address: this.address }, 'printer link up');
  }

  /** The stream is gone: the printer is offline for `reason`. */
  detach(reason: string): void {
    const was = this.stream !== null;
    this.release();
    this.reason = reason;
    if (was) this.log?.warn({ device: 'printer', address: this.address, reason }, 'printer offline');
  }

  async status(): Promise<PrinterStatus> {
    this.assertOpen();
    return this.readStatus();
  }

  async print(document: ReceiptDocument): Promise<void> {
    this.assertOpen();
    const bytes = encodeReceipt(document, this.columns); // a document that cannot print is refused before it queues
    const job = { cancelled: false, fail: (_error: unknown) => {} };
    const done = new Promise<void>((resolve, reject) => {
      let running = false;
      const deadline = this.clock.setTimeout(() => {
        job.cancelled = true;
        this.jobs.delete(job);
        // A write stuck this long (a full or jammed printer) will not finish: drop the port.
        if (running) this.stream?.destroy();
        reject(new PrinterError('timeout', `printer ${this.address}: the print did not finish within ${this.printTimeoutMs} ms`));
      }, this.printTimeoutMs);
      const finish = (error?: unknown): void => {
        job.cancelled = true; // settled: its turn in the queue, if still to come, is skipped
        this.clock.clearTimeout(deadline);
        this.jobs.delete(job);
        if (error === undefined) resolve();
        else reject(error);
      };
      job.fail = finish;
      this.jobs.add(job);
      const run = async (): Promise<void> => {
        if (job.cancelled) return;
        running = true;
        try {
          await this.runJob(bytes, job);
          finish();
        } catch (error) {
          finish(error);
        }
      };
      this.queue = this.queue.then(run, run);
    });
    return done.catch((error: unknown) => {
      this.lastError = error instanceof Error ? error.message : String(error);
      throw error;
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const job of [...this.jobs]) job.fail(new DeviceUnavailableError(`printer ${this.address} closed`));
    this.release();
    this.reason = 'closed';
    await this.options.onClose?.();
  }

  diagnostics(): EscPosDiagnostics {
    return {
      address: this.address,
      online: this.online,
      offlineReason: this.offlineReason,
      statusAnswers: this.statusAnswers(),
      ...this.counters,
      lastError: this.lastError,
    };
  }

  // ---- Internals ----

  private statusAnswers(): StatusAnswers {
    if (this.counters.lateAnswers > 0) return 'late';
    if (this.answered > 0) return 'answers';
    return this.counters.unansweredRequests > 0 ? 'none' : 'unknown';
  }

  private async runJob(bytes: Uint8Array, job: { cancelled: boolean }): Promise<void> {
    const status = await this.readStatus();
    if (job.cancelled) return;
    if (!status.online) throw new PrinterError('offline', `printer ${this.address} is offline: ${status.unknown ?? 'no link'}`);
    if (status.paper === 'out') throw new PrinterError('paperOut', 'printer: out of paper');
    if (status.coverOpen) throw new PrinterError('coverOpen', 'printer: cover open');
    const stream = this.stream;
    if (!stream) throw new PrinterError('offline', `printer ${this.address} is offline: ${this.reason ?? 'no link'}`);
    try {
      await writeAll(stream, bytes);
    } catch (error) {
      if (job.cancelled) return;
      throw new PrinterError('offline', `printer ${this.address}: writing the receipt failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    this.counters.printed++;
  }

  private async readStatus(): Promise<PrinterStatus> {
    const stream = this.stream;
    if (!stream) return { online: false, paper: 'ok', coverOpen: false, unknown: `offline: ${this.reason ?? 'no link'}` };
    this.prune();
    const answers = [this.request(), this.request()];
    stream.write(Buffer.concat([PAPER_STATUS_REQUEST, OFFLINE_STATUS_REQUEST]), () => {});
    const [paperByte, offlineByte] = await Promise.all(answers);
    if (this.stream !== stream) return { online: false, paper: 'ok', coverOpen: false, unknown: `offline: ${this.reason ?? 'no link'}` };
    const read = paperByte == null || offlineByte == null ? null : statusFromAnswers(paperByte, offlineByte);
    if (!read) {
      const unknown = `the printer did not answer the status request within ${this.statusTimeoutMs} ms (paper and cover not known)`;
      if (!this.warnedUnknown) {
        this.warnedUnknown = true;
        this.log?.warn({ device: 'printer', address: this.address }, `${unknown}; printing without a paper check`);
      }
      return { online: true, paper: 'ok', coverOpen: false, unknown };
    }
    return { online: true, paper: read.paper, coverOpen: read.coverOpen };
  }

  private request(): Promise<number | null> {
    return new Promise((resolve) => {
      const entry: StatusRequest = { sentAt: this.clock.now(), settle: null };
      const timer: TimerHandle = this.clock.setTimeout(() => {
        entry.settle = null;
        this.counters.unansweredRequests++;
        resolve(null);
      }, this.statusTimeoutMs);
      entry.settle = (byte) => {
        this.clock.clearTimeout(timer);
        entry.settle = null;
        resolve(byte);
      };
      this.requests.push(entry);
    });
  }

  /** Drops timed-out requests too old to be answered still (a printer that never answers). */
  private prune(): void {
    const now = this.clock.now();
    const expiry = this.statusTimeoutMs * EXPIRY_TIMEOUTS;
    while (this.requests[0] && this.requests[0].settle === null && now - this.requests[0].sentAt > expiry) this.requests.shift();
  }

  private onByte(byte: number): void {
    this.prune();
    const request = isStatusByte(byte) ? this.requests.shift() : undefined;
    if (!request) {
      this.counters.strayBytes++;
      return;
    }
    if (request.settle) {
      this.answered++;
      request.settle(byte);
    } else {
      if (this.counters.lateAnswers === 0) {
        this.log?.info({ device: 'printer', address: this.address, timeoutMs: this.statusTimeoutMs }, 'the printer answers status late');
      }
      this.counters.lateAnswers++;
    }
  }

  private release(): void {
    this.detachStream?.();
    this.detachStream = null;
    this.stream = null;
    const pending = this.requests;
    this.requests = [];
    for (const request of pending) request.settle?.(null);
  }

  private assertOpen(): void {
    if (this.closed) throw new DeviceUnavailableError(`printer ${this.address} is closed`);
  }
}

/** Writes and waits until the bytes are out (a serial port's drain: sent on the wire). */
function writeAll(stream: Duplex, bytes: Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.write(bytes, (error) => {
      if (error) return reject(error);
      const drain = (stream as Duplex & { drain?: (callback: (error?: Error | null) => void) => void }).drain;
      if (typeof drain !== 'function') return resolve();
      drain.call(stream, (drainError) => (drainError ? reject(drainError) : resolve()));
    });
  });
}

const KERNEL_NUMBERED_LP = /^\/dev\/usb\/lp\d+$/;

export interface OpenEscPosSerialOptions {
  /** A stable link: /dev/serial/by-id/… (serial), or a udev link such as /dev/kiosk-printer (USB printer class). */
  path: string;
  /** Default 19200 (a tty only; a USB printer-class device has none). */
  baudRate?: number;
  columns: number;
  /** Status and print timeouts: real time. */
  clock: Clock;
  /** The link's backoff, when it should run on another clock. */
  linkClock?: Clock;
  log?: PrinterLog | undefined;
  backoff?: SerialBackoff;
  statusTimeoutMs?: number;
  printTimeoutMs?: number;
  /** Accept /dev/ttyUSB0, /dev/usb/lp0 and the like anyway (default false). */
  allowUnstablePath?: boolean;
  /** How to open the device (default: a tty through serialport, anything else as a file). For tests. */
  openPort?: OpenPort;
}

/** Why `path` is a poor choice for a printer, or null. */
export function validatePrinterPath(path: string): string | null {
  if (KERNEL_NUMBERED_LP.test(path)) {
    return `${path} is numbered by the kernel in the order printers appear; give the printer a udev link by vendor, product and serial (SYMLINK+="kiosk-printer") and use /dev/kiosk-printer`;
  }
  return validateSerialPath(path);
}

/**
 * An ESC/POS printer on a device kept open: resolves after the first attempt to open
 * it, online or (absent, refused) offline and trying again with backoff. close() on
 * the printer closes the device. Rejects only for a path refused by validatePrinterPath,
 * or a width the encoder cannot lay out.
 */
export async function openEscPosSerial(options: OpenEscPosSerialOptions): Promise<EscPosPrinter> {
  const problem = options.allowUnstablePath ? null : validatePrinterPath(options.path);
  if (problem) throw new Error(`device for the printer: ${problem}`);
  let link: SerialLink | null = null;
  const printer = new EscPosPrinter({
    columns: options.columns,
    clock: options.clock,
    log: options.log,
    address: options.path,
    statusTimeoutMs: options.statusTimeoutMs,
    printTimeoutMs: options.printTimeoutMs,
    onClose: async () => {
      await link?.close();
    },
  });
  let settle: () => void = () => {};
  const settled = new Promise<void>((resolve) => (settle = resolve));
  link = new SerialLink({
    device: 'printer',
    path: options.path,
    baudRate: options.baudRate ?? 19200,
    clock: options.linkClock ?? options.clock,
    log: options.log,
    openPort: options.openPort ?? openPrinterPort,
    backoff: options.backoff,
    onOpen: (port) => {
      printer.attach(port, { watchClose: false });
      settle();
    },
    onLost: (reason) => {
      printer.detach(`device ${options.path}: ${reason}`);
      settle();
    },
  });
  link.start();
  await settled;
  return printer;
}
