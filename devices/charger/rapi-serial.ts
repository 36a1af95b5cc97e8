// RAPI over a real serial port, with reconnection: the port of a USB serial adapter
// vanishes when the cable is pulled or the controller reboots through its USB chip,
// and comes back. openRapiSerial() keeps a RapiChargerController supplied with an open,
// answering port through the shared serial layer (devices/serial/): each newly opened
// port must answer `$GV` before the controller gets it, and when the port closes or
// fails it is opened again with backoff (the controller reports 'offline' meanwhile and
// 'online' once the new port answers). serveRapiSimulatorSerial() does the same for
// the simulator's end of a pseudo-terminal pair.
import type { Duplex } from 'node:stream';
import type { Clock } from '../clock.js';
import { SerialLink, validateSerialPath, type OpenPort, type SerialBackoff } from '../serial/serial-link.js';
import { RapiChargerController } from './rapi-driver.js';
import type { RapiChargerControllerOptions, RapiLog } from './rapi-driver.js';
import { decodeFrame, encodeCommand, parseVersion } from './rapi-codec.js';
import { RapiParser } from './rapi-parser.js';
import type { RapiEvseSimulator } from './rapi-simulator.js';

/**
 * Sends `$GV` on a freshly opened port and waits for the answer: is there an OpenEVSE
 * at the other end? Resolves with its versions, rejects after `attempts` timeouts. The
 * answer may come without the sequence id: some firmware never echoes it.
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
          // The probe is the only request on the port: a reply without an id (firmware
          // that does not echo ids) is its answer too. An `$NK` says a RAPI device is there.
          if (frame.kind === 'reply' && (frame.seq === seq || frame.seq === null)) done(frame.ok ? frame.params : []);
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
  let supervisor: SerialLink | null = null;
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

  supervisor = new SerialLink({
    device: 'charger controller',
    path: options.path,
    baudRate,
    clock,
    log,
    openPort: options.openPort,
    backoff: options.backoff,
    onOpen: async (port) => {
      const version = await probeRapiVersion(port, clock, options.probe);
      log?.info({ path: options.path, ...version }, 'OpenEVSE answered on the serial port');
      controller.attach(port);
    },
    // No port, or nothing answering on it: the controller is offline until the next attempt succeeds.
    onLost: (reason) => controller.detach(`serial port ${options.path}: ${reason}`),
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
  const supervisor = new SerialLink({
    device: 'charger controller simulator',
    path: options.path,
    baudRate: options.baudRate ?? 115200,
    clock: options.clock,
    log: options.log,
    openPort: options.openPort,
    backoff: options.backoff,
    onOpen: (port) => {
      options.simulator.attach(port);
      opened();
    },
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
