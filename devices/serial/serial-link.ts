// The serial layer every serial device shares: the charger controller now, the card
// terminal (ZVT), the RFID reader (RDM6300) and the receipt printer (ESC/POS) next.
// A driver adds its codec and protocol; this file owns the port:
//   - the stable-path check (validateSerialPath);
//   - opening 8N1 with the port locked for us alone (serialport's default `lock: true`,
//     flock(LOCK_EX) on Linux), and closing it properly on every path: a serialport
//     stream's destroy() does not close the file descriptor, so a port given up after a
//     failed probe kept its lock and every later open failed with "Cannot lock port";
//   - a probe of each newly opened port (the driver's: is its device at the other end?);
//   - reconnect with backoff after a failure, an unplug or a device that is not there yet.
//
// The control lines are left alone: setting RTS/DTR fails on a pseudo-terminal
// ("Inappropriate ioctl for device"), and none of our links needs them.
import type { Duplex } from 'node:stream';
import type { Clock, TimerHandle } from '../clock.js';

/** What a serial link logs; pino's logger fits. */
export interface SerialLog {
  debug(object: object, message: string): void;
  info(object: object, message: string): void;
  warn(object: object, message: string): void;
}

const UNSTABLE_PATH = /^\/dev\/tty(USB|ACM|S)\d+$/;

/**
 * Why `path` is a poor choice for a serial device, or null if it is fine. The kernel
 * numbers /dev/ttyUSB*, /dev/ttyACM* and /dev/ttyS* in the order it finds devices, so
 * after a reboot or a replug "ttyUSB0" may be another adapter.
 */
export function validateSerialPath(path: string): string | null {
  if (typeof path !== 'string' || path.trim() === '') return 'the serial port path is empty';
  if (UNSTABLE_PATH.test(path)) {
    return (
      `${path} is numbered by the kernel in the order devices appear, and may name another device after a reboot or replug; ` +
      'use the stable link under /dev/serial/by-id/ (one per adapter, by its serial number) or /dev/serial/by-path/ (one per USB socket)'
    );
  }
  return null;
}

export interface SerialBackoff {
  /** First delay before reopening, ms (default 250); doubles up to maxMs. */
  initialMs?: number;
  /** Longest delay between attempts, ms (default 10 000). */
  maxMs?: number;
}

export function backoffOf(backoff: SerialBackoff | undefined): Required<SerialBackoff> {
  const initialMs = backoff?.initialMs ?? 250;
  const maxMs = backoff?.maxMs ?? 10_000;
  if (!(initialMs > 0 && maxMs >= initialMs)) throw new RangeError('backoff needs 0 < initialMs <= maxMs');
  return { initialMs, maxMs };
}

/** Opens a port and resolves once it is open. */
export type OpenPort = (path: string, baudRate: number) => Promise<Duplex>;

export interface SerialPortOptions {
  /** Stop bits (default 1: 8N1; ZVT card terminals use 2: 8N2). */
  stopBits?: 1 | 2;
}

/**
 * Opens a serialport SerialPort, 8N1 (8N2 with `stopBits: 2`), no flow control, locked, control lines untouched.
 * serialport is loaded at the first open: a kiosk whose devices are all simulated never
 * loads it (about 60 ms of its start-up).
 */
export async function openSerialPort(path: string, baudRate: number, options: SerialPortOptions = {}): Promise<Duplex> {
  const stopBits = options.stopBits ?? 1;
  const { SerialPort } = await import('serialport');
  return new Promise((resolve, reject) => {
    const port = new SerialPort({ path, baudRate, dataBits: 8, stopBits, parity: 'none', rtscts: false, xon: false, xoff: false, lock: true, autoOpen: false });
    port.open((error) => (error ? reject(error) : resolve(port)));
  });
}

/** An OpenPort that opens with `options` (ZVT: `serialPortOpener({ stopBits: 2 })`). */
export const serialPortOpener =
  (options: SerialPortOptions): OpenPort =>
  (path, baudRate) =>
    openSerialPort(path, baudRate, options);

interface Closable {
  isOpen?: boolean;
  close?: (callback?: (error?: Error | null) => void) => void;
}

/**
 * Closes a port for good: the device's file descriptor and its lock, then the stream.
 * Resolves once both are gone; never rejects (a port that is already gone is closed).
 */
export async function closePort(port: Duplex): Promise<void> {
  const closable = port as Duplex & Closable;
  if (typeof closable.close === 'function' && closable.isOpen) {
    await new Promise<void>((resolve) => closable.close!(() => resolve()));
  }
  if (!port.destroyed) {
    await new Promise<void>((resolve) => {
      port.once('close', () => resolve());
      port.destroy();
    });
  }
}

export interface SerialLinkOptions {
  /** What the link is for, in log lines ("charger controller", "card terminal"). */
  device: string;
  path: string;
  baudRate: number;
  /** Backoff timers; real time even under an accelerated clock. */
  clock: Clock;
  log?: SerialLog | undefined;
  openPort?: OpenPort | undefined;
  backoff?: SerialBackoff | undefined;
  /**
   * Called with each newly opened port: probe it and hand it to the driver. Throwing
   * (or rejecting) counts as a failed attempt: the port is closed and tried again later.
   */
  onOpen: (port: Duplex) => Promise<void> | void;
  /** Called when an attempt fails (no port, or onOpen refused it) and when an open port goes away. */
  onLost?: ((reason: string) => void) | undefined;
}

/**
 * Keeps one port open: opens it, and after a failure or a close opens it again, with
 * backoff. A device missing at start-up is reached when it appears; an unplugged one
 * when it comes back. start() once; close() stops it and closes the port.
 */
export class SerialLink {
  private port: Duplex | null = null;
  private opening: Duplex | null = null;
  private timer: TimerHandle | null = null;
  private delay: number;
  private closed = false;
  private attempting = false;
  private readonly backoff: Required<SerialBackoff>;
  private readonly openPort: OpenPort;

  constructor(private readonly options: SerialLinkOptions) {
    this.backoff = backoffOf(options.backoff);
    this.delay = this.backoff.initialMs;
    this.openPort = options.openPort ?? openSerialPort;
  }

  /** The path this link opens. */
  get path(): string {
    return this.options.path;
  }

  start(): void {
    void this.attempt();
  }

  private async attempt(): Promise<void> {
    if (this.closed || this.attempting) return;
    this.attempting = true;
    const { path, baudRate, log, device } = this.options;
    let port: Duplex | null = null;
    try {
      port = await this.openPort(path, baudRate);
      port.on('error', () => {}); // its close is what matters; an unhandled 'error' would crash the process
      if (this.closed) throw new Error('closed');
      this.opening = port; // close() ends a probe under way by closing its port
      await this.options.onOpen(port);
      if (this.closed) throw new Error('closed');
      const opened = port;
      this.port = opened;
      this.delay = this.backoff.initialMs;
      log?.info({ device, path }, 'serial port open');
      opened.once('close', () => {
        if (this.port === opened) this.port = null;
        if (this.closed) return;
        log?.warn({ device, path }, 'serial port closed; reopening');
        this.options.onLost?.('the serial port closed');
        this.schedule();
      });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      if (port) await closePort(port);
      if (!this.closed) {
        log?.debug({ device, path, reason, retryInMs: this.delay }, 'serial port not available');
        this.options.onLost?.(reason);
        this.schedule();
      }
    } finally {
      this.attempting = false;
      this.opening = null;
    }
  }

  private schedule(): void {
    if (this.closed || this.timer !== null) return;
    const delay = this.delay;
    this.delay = Math.min(this.delay * 2, this.backoff.maxMs);
    this.timer = this.options.clock.setTimeout(() => {
      this.timer = null;
      void this.attempt();
    }, delay);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer !== null) this.options.clock.clearTimeout(this.timer);
    this.timer = null;
    const ports = [this.opening, this.port].filter((port): port is Duplex => port !== null);
    this.opening = null;
    this.port = null;
    await Promise.all(ports.map((port) => closePort(port)));
  }
}
