// RAPI over a real serial port, with reconnection: the port of a USB serial adapter
// vanishes when the cable is pulled or the controller reboots through its USB chip,
// and comes back. openRapiSerial() keeps a RapiChargerController supplied with an open,
// answering port: it opens the port, checks that an OpenEVSE answers `$GV` before
// handing the port to the controller, and when the port closes or fails it opens it
// again with exponential backoff (the controller reports 'offline' meanwhile and
// 'online' once the new port answers). serveRapiSimulatorSerial() does the same for
// the simulator's end of a pseudo-terminal pair.
//
// The control lines are left alone: setting RTS/DTR fails on a pseudo-terminal
// ("Inappropriate ioctl for device"), and the RAPI link does not need them.
import type { Duplex } from 'node:stream';
import { SerialPort } from 'serialport';
import type { Clock, TimerHandle } from '../clock.js';
import { RapiChargerController } from './rapi-driver.js';
import type { RapiChargerControllerOptions, RapiLog } from './rapi-driver.js';
import { decodeFrame, encodeCommand, parseVersion } from './rapi-codec.js';
import { RapiParser } from './rapi-parser.js';
import type { RapiEvseSimulator } from './rapi-simulator.js';

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

/** Opens a port and resolves once it is open. */
export type OpenPort = (path: string, baudRate: number) => Promise<Duplex>;

/** Opens a serialport SerialPort, 8N1, no flow control, control lines untouched. */
export const openSerialPort: OpenPort = (path, baudRate) =>
  new Promise((resolve, reject) => {
    const port = new SerialPort({ path, baudRate, dataBits: 8, stopBits: 1, parity: 'none', rtscts: false, xon: false, xoff: false, autoOpen: false });
    port.open((error) => (error ? reject(error) : resolve(port)));
  });

interface SupervisorOptions {
  path: string;
  baudRate: number;
  clock: Clock;
  log?: RapiLog | undefined;
  openPort: OpenPort;
  backoff: Required<SerialBackoff>;
  /** Called with each newly opened port; throwing (or rejecting) counts as a failed attempt. */
  onOpen: (port: Duplex) => Promise<void> | void;
  /** Called when an attempt fails (the port could not be opened, or onOpen refused it). */
  onFail: (reason: string) => void;
}

/** Keeps one port open: opens it, and after a failure or a close opens it again, with backoff. */
class SerialSupervisor {
  private port: Duplex | null = null;
  private opening: Duplex | null = null;
  private timer: TimerHandle | null = null;
  private delay: number;
  private closed = false;
  private attempting = false;

  constructor(private readonly options: SupervisorOptions) {
    this.delay = options.backoff.initialMs;
  }

  start(): void {
    void this.attempt();
  }

  private async attempt(): Promise<void> {
    if (this.closed || this.attempting) return;
    this.attempting = true;
    const { path, baudRate, log } = this.options;
    let port: Duplex | null = null;
    try {
      port = await this.options.openPort(path, baudRate);
      port.on('error', () => {}); // its close is what matters; an unhandled 'error' would crash the process
      if (this.closed) throw new Error('closed');
      this.opening = port; // close() ends a probe under way by closing its port
      await this.options.onOpen(port);
      if (this.closed) throw new Error('closed');
      const opened = port;
      this.port = opened;
      this.delay = this.options.backoff.initialMs;
      log?.info({ path }, 'serial port open');
      opened.once('close', () => {
        if (this.port === opened) this.port = null;
        if (this.closed) return;
        log?.warn({ path }, 'serial port closed; reopening');
        this.schedule();
      });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      if (port && !port.destroyed) port.destroy();
      if (!this.closed) {
        log?.debug({ path, reason, retryInMs: this.delay }, 'serial port not available');
        this.options.onFail(reason);
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
    this.delay = Math.min(this.delay * 2, this.options.backoff.maxMs);
    this.timer = this.options.clock.setTimeout(() => {
      this.timer = null;
      void this.attempt();
    }, delay);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer !== null) this.options.clock.clearTimeout(this.timer);
    this.timer = null;
    if (this.opening && !this.opening.destroyed) this.opening.destroy();
    const port = this.port;
    this.port = null;
    if (port && !port.destroyed) {
      await new Promise<void>((resolve) => {
        port.once('close', () => resolve());
        port.destroy();
      });
    }
  }
}

function backoffOf(backoff: SerialBackoff | undefined): Required<SerialBackoff> {
  const initialMs = backoff?.initialMs ?? 250;
  const maxMs = backoff?.maxMs ?? 10_000;
  if (!(initialMs > 0 && maxMs >= initialMs)) throw new RangeError('backoff needs 0 < initialMs <= maxMs');
  return { initialMs, maxMs };
}

/**
 * Sends `$GV` on a freshly opened port and waits for the answer: is there an OpenEVSE
 * at the other end? Resolves with its versions, rejects after `attempts` timeouts.
 */
export async function probeRapiVersion(port: Duplex, clock: Clock, options: { timeoutMs?: number; attempts?: number } = {}): Promise<{ firmware: string; rapi: string | null }> {
  const timeoutMs = options.timeoutMs ?? 500;
  const attempts = options.attempts ?? 3;
  const parser = new RapiParser();
  port.pipe(parser);
  try {
    for (let attempt = 0; attempt < attempts; attempt++) {
      // Ids from the top of the range, away from the controller's first ones.
      const seq = 0xf0 + attempt;
      const answer = await new Promise<string[] | null>((resolve) => {
        const timer = clock.setTimeout(() => done(null), timeoutMs);
        const onFrame = (text: string): void => {
          const frame = decodeFrame(text);
          if (frame.kind === 'reply' && frame.seq === seq) done(frame.ok ? frame.params : []);
        };
        const onClose = (): void => done(null);
        function done(result: string[] | null): void {
          clock.clearTimeout(timer);
          parser.off('data', onFrame);
          port.off('close', onClose);
          resolve(result);
        }
        parser.on('data', onFrame);
        port.once('close', onClose);
        port.write(encodeCommand('GV', [], { seq }), 'latin1');
      });
      if (port.destroyed) throw new Error('the port closed during the probe');
      if (answer) {
        const version = parseVersion(answer);
        return version ?? { firmware: 'unknown', rapi: null };
      }
    }
    throw new Error(`no RAPI answer to $GV after ${attempts} tries`);
  } finally {
    port.unpipe(parser);
    parser.destroy();
  }
}

export interface OpenRapiSerialOptions {
  /** Device path; a stable /dev/serial/by-id/… link (see validateSerialPath). */
  path: string;
  /** Default 115200, the RAPI rate. */
  baudRate?: number;
  /** The controller's clock (meter samples, heartbeat). */
  clock: Clock;
  /** Reopen backoff, port probes and reply timeouts (default: clock); systemClock under an accelerated clock. */
  linkClock?: Clock;
  log?: RapiLog;
  /** Options of the controller (timeouts, sample interval, heartbeat, …). */
  controller?: Omit<RapiChargerControllerOptions, 'clock' | 'linkClock' | 'stream' | 'onClose' | 'log'>;
  backoff?: SerialBackoff;
  /** Reply timeout and tries of the `$GV` probe of each newly opened port (default 500 ms, 3). */
  probe?: { timeoutMs?: number; attempts?: number };
  /** How long to wait for the first port before handing over an offline controller, ms (default 5000). */
  startupTimeoutMs?: number;
  /** Accept /dev/ttyUSB0 and the like anyway (default false). */
  allowUnstablePath?: boolean;
  /** How to open the port (default: serialport's SerialPort). For tests. */
  openPort?: OpenPort;
}

/**
 * A RAPI controller on a serial port that it keeps open. Resolves once the first port
 * answered (the controller is online) or, failing that, after `startupTimeoutMs` with
 * the controller offline and still trying: a charger switched off must not keep the
 * kiosk from starting. close() on the controller stops the reconnecting and closes the port.
 * Rejects only for a path refused by validateSerialPath.
 */
export async function openRapiSerial(options: OpenRapiSerialOptions): Promise<RapiChargerController> {
  const problem = options.allowUnstablePath ? null : validateSerialPath(options.path);
  if (problem) throw new Error(`serial port for the charger controller: ${problem}`);
  const baudRate = options.baudRate ?? 115200;
  const { log } = options;
  const clock = options.linkClock ?? options.clock;
  let supervisor: SerialSupervisor | null = null;
  const controller = new RapiChargerController({
    ...options.controller,
    clock: options.clock,
    linkClock: clock,
    ...(log ? { log } : {}),
    onClose: async () => {
      await supervisor?.close();
    },
  });

  let settle: () => void = () => {};
  const settled = new Promise<void>((resolve) => (settle = resolve));
  const unsubscribe = controller.subscribe((event) => {
    if (event.type === 'status' || event.type === 'offline') settle();
  });
  const startupTimer = clock.setTimeout(() => settle(), options.startupTimeoutMs ?? 5000);

  supervisor = new SerialSupervisor({
    path: options.path,
    baudRate,
    clock,
    log,
    openPort: options.openPort ?? openSerialPort,
    backoff: backoffOf(options.backoff),
    onOpen: async (port) => {
      const version = await probeRapiVersion(port, clock, options.probe);
      log?.info({ path: options.path, ...version }, 'OpenEVSE answered on the serial port');
      controller.attach(port);
    },
    // No port, or nothing answering on it: the controller is offline until the next attempt succeeds.
    onFail: (reason) => controller.detach(`serial port ${options.path}: ${reason}`),
  });
  supervisor.start();
  await settled;
  clock.clearTimeout(startupTimer);
  unsubscribe();
  return controller;
}

export interface ServeRapiSimulatorSerialOptions {
  path: string;
  baudRate?: number;
  simulator: RapiEvseSimulator;
  clock: Clock;
  log?: RapiLog;
  backoff?: SerialBackoff;
  openPort?: OpenPort;
}

/**
 * Serves a RAPI simulator on a serial port (one end of a pseudo-terminal pair), opening
 * the port again whenever it goes away. `ready` resolves when the port is first open.
 */
export function serveRapiSimulatorSerial(options: ServeRapiSimulatorSerialOptions): { ready: Promise<void>; close: () => Promise<void> } {
  let opened: () => void = () => {};
  const ready = new Promise<void>((resolve) => (opened = resolve));
  const supervisor = new SerialSupervisor({
    path: options.path,
    baudRate: options.baudRate ?? 115200,
    clock: options.clock,
    log: options.log,
    openPort: options.openPort ?? openSerialPort,
    backoff: backoffOf(options.backoff),
    onOpen: (port) => {
      options.simulator.attach(port);
      opened();
    },
    onFail: () => {},
  });
  supervisor.start();
  return {
    ready,
    close: async () => {
      options.simulator.detach();
      await supervisor.close();
    },
  };
}
