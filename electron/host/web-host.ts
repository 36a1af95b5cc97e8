// The web host: the kiosk in a plain browser, for development, demos and the
// end-to-end tests. It serves the built renderer and the contract over a WebSocket,
// on 127.0.0.1 only. Any local web page can open a WebSocket to loopback and DNS
// rebinding can reach it, so the Host header of every request and the Origin of
// every WebSocket upgrade and non-GET request must name this host exactly.
//
// Nothing a client does can make it hold memory or sockets without bound (limits:
// WebHostLimits): a WebSocket client that stops reading is sent only the latest
// snapshot and is dropped once it is too far behind; headers and bodies must arrive
// in time and bodies are read up to MAX_REQUEST_BYTES; connections and WebSocket
// clients are capped.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Logger } from 'pino';
import { MAX_REQUEST_BYTES, WsRequest, type CommandResult, type Snapshot, type TechResult, type WsMessage } from '../contract/index.js';

/** What the web host needs of the brain. */
export interface KioskService {
  handle(command: unknown): Promise<CommandResult>;
  handleSim(command: unknown): Promise<CommandResult>;
  /**
   * A technician request (TechRequest) from one screen connection: its menu token is bound
   * to it. `null`: no screen connection (the HTTP API), which the maintenance menu refuses.
   */
  handleTech(request: unknown, connection: string | null): Promise<TechResult>;
  /** A screen connection closed: a menu opened on it closes too. */
  connectionClosed(connection: string): void;
  snapshot(): Snapshot;
  subscribe(listener: (snapshot: Snapshot) => void): () => void;
}

/** Bounds on what clients can make the host hold; each has a default in WEB_HOST_LIMITS. */
export interface WebHostLimits {
  /**
   * A WebSocket client this far behind is dropped (it reconnects and gets the latest
   * snapshot): bytes queued for it plus the snapshots it skipped since it last caught up.
   */
  maxWsBacklogBytes: number;
  /** WebSocket clients at once; a further upgrade is answered 503. */
  maxWsClients: number;
  /** TCP connections at once, WebSockets included; a further one is closed unread. */
  maxConnections: number;
  /** Time for a request's headers to arrive; then 408 and the connection is closed. */
  headersTimeoutMs: number;
  /** Time for a whole request, body included, to arrive; then 408 and the connection is closed. */
  requestTimeoutMs: number;
  /** An idle keep-alive connection is closed after this long. */
  keepAliveTimeoutMs: number;
}

export const WEB_HOST_LIMITS: Readonly<WebHostLimits> = Object.freeze({
  maxWsBacklogBytes: 1024 * 1024,
  maxWsClients: 16,
  maxConnections: 64,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 15_000,
  keepAliveTimeoutMs: 5_000,
});

export interface WebHostOptions {
  service: KioskService;
  /** Folder of the built renderer. */
  staticDir: string;
  port: number;
  log: Logger;
  /** Overrides of WEB_HOST_LIMITS. */
  limits?: Partial<WebHostLimits>;
}

export interface WebHost {
  url: string;
  port: number;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
  '.ico': 'image/x-icon',
};

const SECURITY_HEADERS = {
  'Content-Security-Policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self' ws://127.0.0.1:* ws://localhost:*; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
};

export async function startWebHost(options: WebHostOptions): Promise<WebHost> {
  const { service, staticDir, log } = options;
  const limits: WebHostLimits = { ...WEB_HOST_LIMITS, ...options.limits };
  let allowedHosts = new Set<string>();
  const hostAllowed = (req: IncomingMessage) => allowedHosts.has(req.headers.host ?? '');
  // Browsers always send Origin on upgrades and non-GET requests; a request without
  // one comes from a local program (a script, a test), which loopback already trusts.
  const originAllowed = (req: IncomingMessage) => {
    const origin = req.headers.origin;
    if (origin === undefined) return true;
    try {
      const url = new URL(origin);
      return url.protocol === 'http:' && allowedHosts.has(url.host);
    } catch {
      return false;
    }
  };

  // Node answers a request whose headers or body are late with 408 and closes the
  // connection; it looks for late ones every connectionsCheckingInterval.
  const server = createServer(
    {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      connectionsCheckingInterval: Math.max(50, Math.min(1000, limits.headersTimeoutMs / 4)),
    },
    (req, res) => {
      void route(req, res).catch((error) => {
        log.error({ err: error, url: req.url }, 'web host request failed');
        if (!res.headersSent) send(res, 500, 'text/plain', 'internal error');
        else res.end();
      });
    },
  );
  server.keepAliveTimeout = limits.keepAliveTimeoutMs;
  // Beyond the cap Node closes a new connection at once, unread.
  server.maxConnections = limits.maxConnections;
  const warnDroppedConnection = throttledWarn(log, 'refused a connection: too many connections');
  server.on('drop', () => warnDroppedConnection({ limit: limits.maxConnections }));

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!hostAllowed(req)) return send(res, 421, 'text/plain', 'wrong host');
    if (req.method !== 'GET' && req.method !== 'HEAD' && !originAllowed(req)) return send(res, 403, 'text/plain', 'wrong origin');
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname === '/api/snapshot' && req.method === 'GET') return sendJson(res, 200, service.snapshot());
    // Technician commands need a menu token bound to a screen connection: over HTTP there is none.
    if (url.pathname === '/api/tech') return sendJson(res, 403, await service.handleTech({ command: { type: 'hello' } }, null));
    if (url.pathname === '/api/command' || url.pathname === '/api/sim') {
      if (req.method !== 'POST') return send(res, 405, 'text/plain', 'use POST');
      const body = await readBody(req);
      if (body.kind === 'gone') return; // timed out (Node answered 408) or the client went away
      if (body.kind !== 'json') {
        if (body.kind === 'tooLarge') res.setHeader('Connection', 'close'); // the rest of it may still be arriving
        const message = body.kind === 'tooLarge' ? `body must be at most ${MAX_REQUEST_BYTES} bytes` : 'body must be JSON';
        return sendJson(res, body.kind === 'tooLarge' ? 413 : 400, { ok: false, error: { code: 'invalid', message } });
      }
      const result = url.pathname === '/api/command' ? await service.handle(body.value) : await service.handleSim(body.value);
      return sendJson(res, result.ok ? 200 : result.error.code === 'invalid' ? 400 : result.error.code === 'unavailable' ? 404 : 409, result);
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'text/plain', 'method not allowed');
    return serveStatic(url.pathname, res);
  }

  async function serveStatic(pathname: string, res: ServerResponse): Promise<void> {
    let decoded: string;
    try {
      decoded = decodeURIComponent(pathname);
    } catch {
      return send(res, 404, 'text/plain', 'not found'); // malformed percent-encoding
    }
    const relative = normalize(decoded).replace(/^([/\\])+/, '');
    const file = join(staticDir, relative === '' ? 'index.html' : relative);
    if (!file.startsWith(staticDir + sep) && file !== staticDir) return send(res, 404, 'text/plain', 'not found');
    try {
      const body = await readFile(file);
      return send(res, 200, TYPES[extname(file)] ?? 'application/octet-stream', body);
    } catch {
      // The screen is a single page: unknown paths without an extension get it.
      if (extname(file) !== '') return send(res, 404, 'text/plain', 'not found');
      try {
        return send(res, 200, TYPES['.html']!, await readFile(join(staticDir, 'index.html')));
      } catch {
        return send(res, 503, 'text/plain', 'the screen is not built: run npm run build');
      }
    }
  }

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_REQUEST_BYTES });
  const warnTooManyClients = throttledWarn(log, 'refused a WebSocket upgrade: too many clients');
  server.on('upgrade', (req, socket: Duplex, head) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    // No one else listens on a refused socket: a client reset would be an uncaught exception.
    const refuse = (status: string) => {
      socket.on('error', (error) => log.debug({ err: error }, 'refused WebSocket upgrade socket error'));
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    if (path !== '/ws' || !hostAllowed(req) || !originAllowed(req)) {
      log.warn({ host: req.headers.host, origin: req.headers.origin, path }, 'refused a WebSocket upgrade');
      return refuse('403 Forbidden');
    }
    if (wss.clients.size >= limits.maxWsClients) {
      warnTooManyClients({ limit: limits.maxWsClients });
      return refuse('503 Service Unavailable');
    }
    wss.handleUpgrade(req, socket, head, (ws) => connect(ws));
  });

  // Every client gets the same text of a snapshot: serialised once.
  let lastSnapshot: Snapshot | null = null;
  let lastSnapshotText = '';
  const snapshotText = (snapshot: Snapshot): string => {
    if (snapshot !== lastSnapshot) {
      lastSnapshot = snapshot;
      lastSnapshotText = JSON.stringify({ type: 'snapshot', snapshot } satisfies WsMessage);
    }
    return lastSnapshotText;
  };

  let connections = 0;
  function connect(ws: WebSocket): void {
    const connection = `ws-${++connections}`;
    const outbox = new ClientOutbox(ws, limits.maxWsBacklogBytes, (backlogBytes) => {
      log.warn({ backlogBytes, bufferedBytes: ws.bufferedAmount, limitBytes: limits.maxWsBacklogBytes }, 'dropped a WebSocket client that stopped reading');
      unsubscribe?.();
    });
    const push = (message: WsMessage) => outbox.send(JSON.stringify(message));
    let unsubscribe: (() => void) | null = null;
    unsubscribe = service.subscribe((snapshot) => outbox.offerSnapshot(snapshotText(snapshot)));
    if (outbox.dropped) unsubscribe();
    ws.on('message', async (data, isBinary) => {
      let parsed: WsRequest | null = null;
      try {
        if (isBinary) throw new Error('binary');
        const request = WsRequest.safeParse(JSON.parse(data.toString()));
        if (request.success) parsed = request.data;
      } catch {
        parsed = null;
      }
      if (!parsed) {
        push({ type: 'result', id: -1, result: { ok: false, error: { code: 'invalid', message: 'malformed request' } } });
        return;
      }
      const result =
        parsed.kind === 'command' ? await service.handle(parsed.body) : parsed.kind === 'sim' ? await service.handleSim(parsed.body) : await service.handleTech(parsed.body, connection);
      push({ type: 'result', id: parsed.id, result });
    });
    ws.on('close', () => {
      unsubscribe?.();
      service.connectionClosed(connection);
    });
    ws.on('error', (error) => log.warn({ err: error }, 'WebSocket error'));
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  allowedHosts = new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
  const url = `http://127.0.0.1:${port}/`;
  log.info({ url }, 'web host listening');

  return {
    url,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of wss.clients) client.terminate();
        wss.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function send(res: ServerResponse, status: number, type: string, body: string | Buffer): void {
  res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store', ...SECURITY_HEADERS });
  res.end(body);
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  send(res, status, 'application/json', JSON.stringify(value));
}

type Body = { kind: 'json'; value: unknown } | { kind: 'notJson' } | { kind: 'tooLarge' } | { kind: 'gone' };

/**
 * Reads a JSON body of at most MAX_REQUEST_BYTES. A declared or arriving length over
 * it stops the read at once ('tooLarge'); a body that does not arrive in time ends
 * with the request (Node answers 408 and closes the connection: 'gone').
 */
function readBody(req: IncomingMessage): Promise<Body> {
  return new Promise((resolve) => {
    if (Number(req.headers['content-length'] ?? 0) > MAX_REQUEST_BYTES) return resolve({ kind: 'tooLarge' });
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_REQUEST_BYTES) return void chunks.push(chunk);
      // Not req.destroy(): that kills the socket before the 413 is written. What is
      // left is dropped unbuffered and the 413 closes the connection.
      req.off('data', onData);
      chunks.length = 0;
      resolve({ kind: 'tooLarge' });
    };
    req.on('data', onData);
    req.on('end', () => {
      try {
        resolve({ kind: 'json', value: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
      } catch {
        resolve({ kind: 'notJson' });
      }
    });
    req.on('error', () => resolve({ kind: 'gone' }));
    req.on('close', () => resolve({ kind: 'gone' })); // after 'end' this changes nothing
  });
}

/**
 * What is sent to one WebSocket client. While the socket is busy (its last frame not
 * yet taken by the kernel) only the latest snapshot waits; the ones it replaces are
 * skipped. A client whose backlog (bytes queued plus bytes skipped since it last
 * caught up) passes the limit has stopped reading: it is terminated, once.
 */
class ClientOutbox {
  dropped = false;
  #waiting: string | null = null;
  #waitingBytes = 0;
  #skippedBytes = 0;

  constructor(
    private readonly ws: WebSocket,
    private readonly limitBytes: number,
    private readonly onDrop: (backlogBytes: number) => void,
  ) {}

  offerSnapshot(text: string): void {
    if (this.dropped) return;
    if (this.#waiting === null && this.ws.bufferedAmount === 0) return this.send(text);
    this.#skippedBytes += this.#waitingBytes;
    this.#waiting = text;
    this.#waitingBytes = Buffer.byteLength(text);
    this.#check();
  }

  /** Sends at once, after the waiting snapshot: the client sees messages in the order they were made. */
  send(text: string): void {
    if (this.dropped || this.ws.readyState !== this.ws.OPEN) return;
    if (this.#waiting !== null) this.ws.send(this.#takeWaiting(), this.#written);
    this.ws.send(text, this.#written);
    this.#check();
  }

  readonly #written = (): void => {
    if (this.dropped || this.ws.bufferedAmount > 0) return; // a later frame's callback follows
    this.#skippedBytes = 0; // caught up
    if (this.#waiting !== null) this.send(this.#takeWaiting());
  };

  #takeWaiting(): string {
    const text = this.#waiting!;
    this.#waiting = null;
    this.#waitingBytes = 0;
    return text;
  }

  #check(): void {
    const backlog = this.ws.bufferedAmount + this.#skippedBytes + this.#waitingBytes;
    if (this.dropped || backlog <= this.limitBytes) return;
    this.dropped = true;
    this.#waiting = null;
    this.onDrop(backlog);
    this.ws.terminate();
  }
}

/** A warning that says how often it happened instead of repeating itself: at most one line every 10 s. */
function throttledWarn(log: Logger, message: string): (fields: Record<string, unknown>) => void {
  let lastAt = -Infinity;
  let suppressed = 0;
  return (fields) => {
    const now = Date.now();
    if (now - lastAt < 10_000) return void suppressed++;
    log.warn({ ...fields, ...(suppressed > 0 && { repeatsNotLogged: suppressed }) }, message);
    lastAt = now;
    suppressed = 0;
  };
}
