// ZVT over TCP as an ApduChannel: bare APDUs on the byte stream (no frames, no ACK/NAK:
// TCP delivers and orders), default port 20007. The stream is split into APDUs by their
// own length field (apdu.ts: `LEN`, or `FF lo hi`), across chunk boundaries either way.
// A length the channel cannot accept (over maxApduBytes) means we are no longer in step
// with the peer: the channel closes with that reason rather than guess where the next
// APDU starts.
//
// Never logs APDU bytes: at most class, instruction and length.
import net from 'node:net';
import type { Duplex } from 'node:stream';
import { systemClock } from '../../clock.js';
import type { Clock } from '../../clock.js';
import { apduLength, MAX_APDU_BYTES, readApdu } from './apdu.js';
import { ChannelListeners, type ApduChannel } from './channel.js';
import { apduSummary, ZvtLinkError } from './serial-channel.js';
import type { ZvtLinkLog } from './serial-channel.js';

/** The TCP port ZVT terminals listen on unless configured otherwise. */
export const ZVT_TCP_PORT = 20007;

export interface ZvtTcpChannelOptions {
  log?: ZvtLinkLog | undefined;
  /** What the channel is for, in log lines (default "card terminal"). */
  device?: string;
  /** Largest APDU accepted, whole (default 65540, the most the length field can say). */
  maxApduBytes?: number;
  /** For the grace period of close() (default the system clock). */
  clock?: Clock;
}

export class ZvtTcpChannel implements ApduChannel {
  private readonly log: ZvtLinkLog | undefined;
  private readonly device: string;
  private readonly maxApduBytes: number;
  private readonly clock: Clock;
  private readonly listeners = new ChannelListeners((error, apdu) =>
    this.log?.warn({ device: this.device, ...(apdu ? apduSummary(apdu) : {}), reason: error instanceof Error ? error.message : String(error) }, apdu ? 'ZVT APDU listener failed' : 'ZVT close listener failed'),
  );
  /** Bytes received and not yet a whole APDU. */
  private buffer: Buffer = Buffer.alloc(0);
  private closedReason: string | null = null;
  private closing: Promise<void> | null = null;

  private readonly onData = (chunk: Buffer | string): void => this.receive(typeof chunk === 'string' ? Buffer.from(chunk, 'latin1') : chunk);
  private readonly onEnd = (): void => this.shutDown('the peer closed the connection');
  private readonly onError = (error: Error): void => this.shutDown(`the connection failed: ${error.message}`);
  private readonly onStreamClose = (): void => this.shutDown('the connection closed');

  constructor(
    private readonly socket: Duplex,
    options: ZvtTcpChannelOptions = {},
  ) {
    this.log = options.log;
    this.device = options.device ?? 'card terminal';
    this.maxApduBytes = options.maxApduBytes ?? MAX_APDU_BYTES;
    this.clock = options.clock ?? systemClock;
    if (!Number.isInteger(this.maxApduBytes) || this.maxApduBytes < 3 || this.maxApduBytes > MAX_APDU_BYTES) {
      throw new RangeError(`ZvtTcpChannel: maxApduBytes must be an integer from 3 to ${MAX_APDU_BYTES}, got ${String(this.maxApduBytes)}`);
    }
    if (socket instanceof net.Socket) socket.setNoDelay(true); // one APDU, one segment, now
    socket.on('data', this.onData);
    socket.on('end', this.onEnd);
    socket.on('error', this.onError);
    socket.on('close', this.onStreamClose);
    if (socket.destroyed) this.shutDown('the connection is closed');
  }

  get closed(): boolean {
    return this.closedReason !== null;
  }

  send(apdu: Uint8Array): Promise<void> {
    if (!(apdu instanceof Uint8Array)) return Promise.reject(new TypeError('ZvtTcpChannel.send takes a Uint8Array'));
    if (this.closedReason !== null) return Promise.reject(new ZvtLinkError('closed', `the ZVT TCP channel is closed: ${this.closedReason}`));
    // An APDU whose length field disagrees with its size would put the peer out of step.
    if (apduLength(apdu) !== apdu.length) return Promise.reject(new RangeError(`not one whole APDU: its length field says ${String(apduLength(apdu))} bytes, it has ${apdu.length}`));
    return new Promise<void>((resolve, reject) => {
      this.log?.debug({ device: this.device, ...apduSummary(apdu) }, 'ZVT APDU sent');
      this.socket.write(Buffer.from(apdu), (error) => {
        if (!error) return resolve();
        reject(new ZvtLinkError('closed', `writing to the ZVT TCP connection failed: ${error.message}`));
        this.shutDown(`writing failed: ${error.message}`);
      });
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

  private receive(chunk: Buffer): void {
    if (this.closedReason !== null) return;
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    let offset = 0;
    while (this.closedReason === null) {
      const announced = apduLength(this.buffer, offset);
      if (announced !== null && announced > this.maxApduBytes) {
        return this.shutDown(`the peer sent an APDU header announcing ${announced} bytes, more than the ${this.maxApduBytes} accepted: out of step with the stream`);
      }
      const read = readApdu(this.buffer, offset);
      if (!read.ok) {
        if (read.error.code === 'truncated') break; // wait for the rest
        return this.shutDown(`the peer sent bytes that are not an APDU (${read.error.message}): out of step with the stream`);
      }
      const apdu = this.buffer.subarray(offset, read.next);
      offset = read.next;
      this.emit(Uint8Array.from(apdu));
    }
    if (this.closedReason !== null) return;
    this.buffer = offset === 0 ? this.buffer : Buffer.from(this.buffer.subarray(offset));
  }

  private emit(apdu: Uint8Array): void {
    this.log?.debug({ device: this.device, ...apduSummary(apdu) }, 'ZVT APDU received');
    this.listeners.apdu(apdu);
  }

  private shutDown(reason: string): void {
    if (this.closedReason !== null) return;
    this.closedReason = reason;
    this.buffer = Buffer.alloc(0);
    this.socket.off('data', this.onData);
    this.socket.off('end', this.onEnd);
    this.socket.off('close', this.onStreamClose);
    this.socket.off('error', this.onError);
    this.socket.on('error', () => {}); // a late error must not crash the process
    this.log?.debug({ device: this.device, reason }, 'ZVT TCP channel closed');
    this.closing = closeSocket(this.socket, this.clock);
    this.listeners.closed(reason);
  }
}

/**
 * Ends the socket (what was written still goes out), then destroys it, at the latest after
 * `graceMs`; resolves once it is closed.
 */
function closeSocket(socket: Duplex, clock: Clock, graceMs = 1000): Promise<void> {
  if (socket.destroyed) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const timer = clock.setTimeout(() => socket.destroy(), graceMs);
    socket.once('close', () => {
      clock.clearTimeout(timer);
      resolve();
    });
    if (socket.writable) socket.end(() => socket.destroy());
    else socket.destroy();
  });
}

export interface ConnectZvtTcpOptions extends ZvtTcpChannelOptions {
  /** How long to wait for the connection, ms (default 5000), on `clock`. */
  timeoutMs?: number;
}

/** Connects to a ZVT terminal (or the simulator) and resolves with the channel. */
export function connectZvtTcp(host: string, port: number = ZVT_TCP_PORT, options: ConnectZvtTcpOptions = {}): Promise<ZvtTcpChannel> {
  const { timeoutMs = 5000, ...channelOptions } = options;
  const clock = options.clock ?? systemClock;
  const where = `${host}:${port}`;
  if (!Number.isInteger(port) || port < 1 || port > 65535) return Promise.reject(new RangeError(`ZVT terminal port must be 1..65535, got ${String(port)}`));
  if (!(timeoutMs > 0)) return Promise.reject(new RangeError(`connect timeoutMs must be > 0, got ${String(timeoutMs)}`));
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    let settled = false;
    const timer = clock.setTimeout(() => fail(new Error(`could not connect to the ZVT terminal at ${where}: no connection within ${timeoutMs} ms`)), timeoutMs);
    function fail(error: Error): void {
      if (settled) return;
      settled = true;
      clock.clearTimeout(timer);
      socket.off('connect', connected);
      socket.on('error', () => {});
      socket.destroy();
      reject(error);
    }
    function connected(): void {
      if (settled) return;
      settled = true;
      clock.clearTimeout(timer);
      socket.off('error', failed);
      resolve(new ZvtTcpChannel(socket, channelOptions));
    }
    function failed(error: Error): void {
      const code = (error as NodeJS.ErrnoException).code;
      fail(new Error(`could not connect to the ZVT terminal at ${where}: ${code ? `${code}, ` : ''}${error.message}`));
    }
    socket.once('connect', connected);
    socket.once('error', failed);
  });
}

export interface ZvtTcpServer {
  /** The port listened on (the one given, or the one chosen for port 0). */
  readonly port: number;
  readonly host: string;
  /** Stops listening and closes every channel it accepted. */
  close(): Promise<void>;
}

/** Listens for ZVT connections (the terminal simulator's side, and tests); each one becomes a ZvtTcpChannel. */
export function listenZvtTcp(port: number, host = '127.0.0.1', onChannel: (channel: ZvtTcpChannel) => void, options: ZvtTcpChannelOptions = {}): Promise<ZvtTcpServer> {
  const channels = new Set<ZvtTcpChannel>();
  const server = net.createServer((socket) => {
    const channel = new ZvtTcpChannel(socket, options);
    channels.add(channel);
    channel.onClose(() => channels.delete(channel));
    onChannel(channel);
  });
  return new Promise((resolve, reject) => {
    server.once('error', (error) => reject(new Error(`cannot listen for ZVT on ${host}:${port}: ${error.message}`)));
    server.listen(port, host, () => {
      const address = server.address();
      const bound = typeof address === 'object' && address ? address.port : port;
      resolve({
        port: bound,
        host,
        close: async () => {
          const closed = new Promise<void>((done) => server.close(() => done()));
          await Promise.all([...channels].map((channel) => channel.close()));
          await closed;
        },
      });
    });
  });
}
