// KioskBridge over the web host's WebSocket (framing: WsRequest / WsMessage in the
// contract). Reconnects with backoff; while disconnected, requests fail at once with
// an `unavailable` result and requests in flight fail when the socket closes.
import type {
  Command,
  CommandResult,
  KioskBridge,
  SimCommand,
  Snapshot,
  TechCommand,
  TechResult,
  WsMessage,
  WsRequest,
} from '../../../electron/contract/index.js';
import type { ConnectionSource, ConnectionState } from './connection.js';

/**
 * A technician's command may wait on a device: a card held to the reader (20 s), a refund
 * or end of day on the card terminal (its longest wait is 180 s). The screen waits for the
 * brain's answer rather than calling a command that still completes a failure.
 */
const TECH_REQUEST_TIMEOUT_MS = 200_000;

export interface WsBridgeOptions {
  url: string;
  /** First reconnect delay, ms; doubles up to maxDelayMs. */
  minDelayMs?: number;
  maxDelayMs?: number;
  /** A request without an answer after this long fails, ms. */
  requestTimeoutMs?: number;
}

interface Pending {
  resolve: (result: CommandResult | TechResult) => void;
  timer: ReturnType<typeof setTimeout>;
}

function failure(message: string): CommandResult {
  return { ok: false, error: { code: 'unavailable', message } };
}

export function defaultWsUrl(loc: Location = window.location): string {
  const scheme = loc.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${loc.host}/ws`;
}

export class WsBridge implements KioskBridge, ConnectionSource {
  readonly #url: string;
  readonly #minDelayMs: number;
  readonly #maxDelayMs: number;
  readonly #requestTimeoutMs: number;
  #socket: WebSocket | null = null;
  #state: ConnectionState = 'connecting';
  #delayMs: number;
  #retryTimer: ReturnType<typeof setTimeout> | null = null;
  #nextId = 1;
  #closed = false;
  #snapshot: Snapshot | null = null;
  readonly #pending = new Map<number, Pending>();
  readonly #snapshotListeners = new Set<(snapshot: Snapshot) => void>();
  readonly #connectionListeners = new Set<(state: ConnectionState) => void>();

  constructor(options: WsBridgeOptions) {
    this.#url = options.url;
    this.#minDelayMs = options.minDelayMs ?? 250;
    this.#maxDelayMs = options.maxDelayMs ?? 4000;
    this.#requestTimeoutMs = options.requestTimeoutMs ?? 15000;
    this.#delayMs = this.#minDelayMs;
    this.#connect();
  }

  send(command: Command): Promise<CommandResult> {
    return this.#request('command', command) as Promise<CommandResult>;
  }

  sim(command: SimCommand): Promise<CommandResult> {
    return this.#request('sim', command) as Promise<CommandResult>;
  }

  /** The brain binds the menu's token to this socket: a token from another connection is refused. */
  tech: KioskBridge['tech'] = (command, options = {}) => this.#request('tech', { ...options, command }) as never;

  subscribe(listener: (snapshot: Snapshot) => void): () => void {
    this.#snapshotListeners.add(listener);
    if (this.#snapshot) listener(this.#snapshot);
    return () => {
      this.#snapshotListeners.delete(listener);
    };
  }

  connectionState(): ConnectionState {
    return this.#state;
  }

  onConnectionChange(listener: (state: ConnectionState) => void): () => void {
    this.#connectionListeners.add(listener);
    return () => {
      this.#connectionListeners.delete(listener);
    };
  }

  /** Stops reconnecting and fails everything in flight (for tests and page teardown). */
  close(): void {
    this.#closed = true;
    if (this.#retryTimer !== null) clearTimeout(this.#retryTimer);
    this.#socket?.close();
    this.#failAll('The connection was closed.');
  }

  #request(kind: WsRequest['kind'], body: Command | SimCommand | { command: TechCommand }): Promise<CommandResult | TechResult> {
    const socket = this.#socket;
    if (this.#state !== 'open' || !socket || socket.readyState !== WebSocket.OPEN) {
      return Promise.resolve(failure('Not connected to the station.'));
    }
    const id = this.#nextId++;
    const request: WsRequest = { id, kind, body };
    return new Promise<CommandResult | TechResult>((resolve) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        resolve(failure('The station did not answer in time.'));
      }, kind === 'tech' ? Math.max(this.#requestTimeoutMs, TECH_REQUEST_TIMEOUT_MS) : this.#requestTimeoutMs);
      this.#pending.set(id, { resolve, timer });
      try {
        socket.send(JSON.stringify(request));
      } catch {
        clearTimeout(timer);
        this.#pending.delete(id);
        resolve(failure('Could not reach the station.'));
      }
    });
  }

  #connect(): void {
    if (this.#closed) return;
    let socket: WebSocket;
    try {
      socket = new WebSocket(this.#url);
    } catch {
      this.#scheduleReconnect();
      return;
    }
    this.#socket = socket;
    socket.addEventListener('open', () => {
      if (this.#socket !== socket) return;
      this.#delayMs = this.#minDelayMs;
      this.#setState('open');
    });
    socket.addEventListener('message', (event: MessageEvent) => {
      if (this.#socket !== socket) return;
      this.#onMessage(event.data);
    });
    socket.addEventListener('close', () => {
      if (this.#socket !== socket) return;
      this.#socket = null;
      this.#setState('connecting');
      this.#failAll('The connection to the station was lost.');
      this.#scheduleReconnect();
    });
    // 'error' is always followed by 'close'; nothing to do here.
  }

  #scheduleReconnect(): void {
    if (this.#closed || this.#retryTimer !== null) return;
    const delay = this.#delayMs;
    this.#delayMs = Math.min(this.#delayMs * 2, this.#maxDelayMs);
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = null;
      this.#connect();
    }, delay);
  }

  #onMessage(data: unknown): void {
    if (typeof data !== 'string') return;
    let message: WsMessage;
    try {
      message = JSON.parse(data) as WsMessage;
    } catch {
      return;
    }
    if (message === null || typeof message !== 'object') return;
    if (message.type === 'snapshot') {
      this.#snapshot = message.snapshot;
      for (const listener of [...this.#snapshotListeners]) listener(message.snapshot);
    } else if (message.type === 'result') {
      const pending = this.#pending.get(message.id);
      if (!pending) return;
      this.#pending.delete(message.id);
      clearTimeout(pending.timer);
      pending.resolve(message.result);
    }
  }

  #failAll(message: string): void {
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    for (const { resolve, timer } of pending) {
      clearTimeout(timer);
      resolve(failure(message));
    }
  }

  #setState(state: ConnectionState): void {
    if (this.#state === state) return;
    this.#state = state;
    for (const listener of [...this.#connectionListeners]) listener(state);
  }
}
