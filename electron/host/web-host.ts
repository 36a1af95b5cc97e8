// The web host: the kiosk in a plain browser, for development, demos and the
// end-to-end tests. It serves the built renderer and the contract over a WebSocket,
// on 127.0.0.1 only. Any local web page can open a WebSocket to loopback and DNS
// rebinding can reach it, so the Host header of every request and the Origin of
// every WebSocket upgrade and non-GET request must name this host exactly.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Logger } from 'pino';
import { MAX_REQUEST_BYTES, WsRequest, type CommandResult, type Snapshot, type WsMessage } from '../contract/index.js';

/** What the web host needs of the brain. */
export interface KioskService {
  handle(command: unknown): Promise<CommandResult>;
  handleSim(command: unknown): Promise<CommandResult>;
  snapshot(): Snapshot;
  subscribe(listener: (snapshot: Snapshot) => void): () => void;
}

export interface WebHostOptions {
  service: KioskService;
  /** Folder of the built renderer. */
  staticDir: string;
  port: number;
  log: Logger;
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

  const server = createServer((req, res) => {
    void route(req, res).catch((error) => {
      log.error({ err: error, url: req.url }, 'web host request failed');
      if (!res.headersSent) send(res, 500, 'text/plain', 'internal error');
      else res.end();
    });
  });

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!hostAllowed(req)) return send(res, 421, 'text/plain', 'wrong host');
    if (req.method !== 'GET' && req.method !== 'HEAD' && !originAllowed(req)) return send(res, 403, 'text/plain', 'wrong origin');
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname === '/api/snapshot' && req.method === 'GET') return sendJson(res, 200, service.snapshot());
    if (url.pathname === '/api/command' || url.pathname === '/api/sim') {
      if (req.method !== 'POST') return send(res, 405, 'text/plain', 'use POST');
      const body = await readBody(req).catch(() => undefined);
      if (body === undefined) {
        res.setHeader('Connection', 'close'); // an over-long body may still be arriving
        return sendJson(res, 400, { ok: false, error: { code: 'invalid', message: `body must be JSON of at most ${MAX_REQUEST_BYTES} bytes` } });
      }
      const result = url.pathname === '/api/command' ? await service.handle(body) : await service.handleSim(body);
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
  server.on('upgrade', (req, socket, head) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path !== '/ws' || !hostAllowed(req) || !originAllowed(req)) {
      log.warn({ host: req.headers.host, origin: req.headers.origin, path }, 'refused a WebSocket upgrade');
      // No one else listens on this socket: a client reset would be an uncaught exception.
      socket.on('error', (error) => log.debug({ err: error }, 'refused WebSocket upgrade socket error'));
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => connect(ws));
  });

  function connect(ws: WebSocket): void {
    const push = (message: WsMessage) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
    };
    const unsubscribe = service.subscribe((snapshot) => push({ type: 'snapshot', snapshot }));
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
      const result = parsed.kind === 'command' ? await service.handle(parsed.body) : await service.handleSim(parsed.body);
      push({ type: 'result', id: parsed.id, result });
    });
    ws.on('close', unsubscribe);
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

function readBody(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_REQUEST_BYTES) {
        // Not req.destroy(): that kills the socket before the 400 is written. What
        // is left is dropped unbuffered and the 400 closes the connection.
        reject(new Error('too large'));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      } catch (error) {
        reject(error);
      }
    });
    req.on('error', reject);
  });
}
