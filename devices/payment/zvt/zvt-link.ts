// Keeps a ZvtCardTerminal supplied with a registered link to its terminal: on a serial
// port through the shared serial layer (stable path, lock, reopen with backoff; 8N2 and
// the DLE/ACK link layer), or over TCP (reconnect with backoff). Each new link is
// registered (06 00) before the terminal counts as online; a refused registration counts
// as a failed attempt and is tried again later. Both resolve once the first link is up,
// or after `startupTimeoutMs` with the terminal offline and still trying: a terminal
// switched off must not keep the kiosk from starting.
import type { Clock, TimerHandle } from '../../clock.js';
import { backoffOf, SerialLink, serialPortOpener, validateSerialPath, type OpenPort, type SerialBackoff } from '../../serial/serial-link.js';
import type { ApduChannel } from './channel.js';
import { ZvtSerialChannel } from './serial-channel.js';
import { connectZvtTcp, ZVT_TCP_PORT } from './tcp-channel.js';
import type { ZvtCardTerminal, ZvtDriverLog } from './zvt-card-terminal.js';

export interface ZvtLinkOptions {
  terminal: ZvtCardTerminal;
  /** Backoff, connect and link timers: real time even under an accelerated kiosk clock. */
  clock: Clock;
  log?: ZvtDriverLog;
  backoff?: SerialBackoff;
  /** How long to wait for the first link before going on offline, ms (default 5000). */
  startupTimeoutMs?: number;
}

export interface ZvtLink {
  /** Where the terminal is: the serial path, or host:port. */
  readonly address: string;
  close(): Promise<void>;
}

/** Resolves when the terminal first comes online, or after the timeout. */
function firstOnline(terminal: ZvtCardTerminal, clock: Clock, timeoutMs: number): Promise<void> {
  return new Promise<void>((resolve) => {
    let timer: TimerHandle | null = null;
    const done = (): void => {
      if (timer !== null) clock.clearTimeout(timer);
      off();
      resolve();
    };
    const off = terminal.subscribe((event) => {
      if (event.type === 'online') done();
    });
    if (terminal.online) return done();
    timer = clock.setTimeout(done, timeoutMs);
  });
}

export interface ZvtSerialOptions extends ZvtLinkOptions {
  path: string;
  baudRate?: number;
  /** Accept /dev/ttyUSB0 and the like anyway (default false). */
  allowUnstablePath?: boolean;
  /** How to open the port (default serialport, 8N2). For tests. */
  openPort?: OpenPort;
}

export async function openZvtSerial(options: ZvtSerialOptions): Promise<ZvtLink> {
  const problem = options.allowUnstablePath ? null : validateSerialPath(options.path);
  if (problem) throw new Error(`serial port for the card terminal: ${problem}`);
  const { terminal, clock, log } = options;
  const link = new SerialLink({
    device: 'card terminal',
    path: options.path,
    baudRate: options.baudRate ?? 9600,
    clock,
    log,
    openPort: options.openPort ?? serialPortOpener({ stopBits: 2 }),
    backoff: options.backoff,
    onOpen: async (port) => {
      // The channel does not own the port: the serial layer closes it.
      const channel = new ZvtSerialChannel(port, { clock, log, ownsStream: false });
      await terminal.attach(channel);
    },
    onLost: (reason) => terminal.detach(`serial port ${options.path}: ${reason}`),
  });
  const ready = firstOnline(terminal, clock, options.startupTimeoutMs ?? 5000);
  link.start();
  await ready;
  return { address: options.path, close: () => link.close() };
}

export interface ZvtTcpOptions extends ZvtLinkOptions {
  host: string;
  port?: number;
  /** For one connection attempt, ms (default 5000). */
  connectTimeoutMs?: number;
}

export async function openZvtTcp(options: ZvtTcpOptions): Promise<ZvtLink> {
  const { terminal, clock, log, host } = options;
  const port = options.port ?? ZVT_TCP_PORT;
  const address = `${host}:${port}`;
  const backoff = backoffOf(options.backoff);
  let delay = backoff.initialMs;
  let closed = false;
  let timer: TimerHandle | null = null;
  let channel: ApduChannel | null = null;

  const schedule = (): void => {
    if (closed || timer !== null) return;
    const wait = delay;
    delay = Math.min(delay * 2, backoff.maxMs);
    timer = clock.setTimeout(() => {
      timer = null;
      void attempt();
    }, wait);
  };
  const attempt = async (): Promise<void> => {
    if (closed) return;
    let opened: ApduChannel | null = null;
    try {
      opened = await connectZvtTcp(host, port, { clock, log, timeoutMs: options.connectTimeoutMs ?? 5000 });
      if (closed) throw new Error('closed');
      channel = opened;
      const mine = opened;
      mine.onClose(() => {
        if (channel === mine) channel = null;
        if (!closed) schedule();
      });
      await terminal.attach(mine);
      delay = backoff.initialMs;
      log?.info({ device: 'card terminal', address }, 'ZVT terminal connected over TCP');
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      if (opened) await opened.close().catch(() => {});
      if (!closed) {
        log?.debug({ device: 'card terminal', address, reason, retryInMs: delay }, 'ZVT terminal not reachable');
        terminal.detach(`ZVT terminal at ${address}: ${reason}`);
        schedule();
      }
    }
  };
  const ready = firstOnline(terminal, clock, options.startupTimeoutMs ?? 5000);
  void attempt();
  await ready;
  return {
    address,
    close: async () => {
      closed = true;
      if (timer !== null) clock.clearTimeout(timer);
      timer = null;
      await channel?.close().catch(() => {});
    },
  };
}
