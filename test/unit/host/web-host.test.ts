// The web host as a browser, a hostile local page and a DNS-rebinding attacker see
// it: static files and their headers, the Host and Origin checks, the HTTP API and
// the WebSocket bridge, its limits, and that it lets go of its port.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http, { type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http';
import { connect, createServer, type Socket } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import WebSocket from 'ws';
import { startWebHost, type KioskService, type WebHost, type WebHostLimits } from '../../../electron/host/web-host.js';
import type { CommandResult, Snapshot, TechResult } from '../../../electron/contract/index.js';

const INDEX_HTML = '<!doctype html><html><body>KIOSK-INDEX</body></html>';
const APP_JS = 'console.log("KIOSK-APP");';
const SECRET = 'TOP-SECRET-OUTSIDE-THE-STATIC-DIR';

function fakeSnapshot(seq: number): Snapshot {
  return { seq, now: 1_700_000_000_000 + seq, connectors: [], sim: null } as unknown as Snapshot;
}

/** A brain that records what it is asked and answers with `result`. */
class FakeService implements KioskService {
  calls: { kind: 'command' | 'sim' | 'tech'; body: unknown; connection?: string | null }[] = [];
  closedConnections: string[] = [];
  listeners = new Set<(snapshot: Snapshot) => void>();
  subscribeCount = 0;
  result: CommandResult = { ok: true };
  current = fakeSnapshot(1);

  async handle(command: unknown): Promise<CommandResult> {
    this.calls.push({ kind: 'command', body: command });
    return this.result;
  }

  async handleTech(request: unknown, connection: string | null): Promise<TechResult> {
    this.calls.push({ kind: 'tech', body: request, connection });
    return connection === null ? { ok: false, error: { code: 'rejected', reason: 'noMenu', message: 'no screen connection' } } : { ok: true, data: null };
  }

  connectionClosed(connection: string): void {
    this.closedConnections.push(connection);
  }

  async handleSim(command: unknown): Promise<CommandResult> {
    this.calls.push({ kind: 'sim', body: command });
    return this.result;
  }

  snapshot(): Snapshot {
    return this.current;
  }

  /** Like the station: the listener gets the current snapshot at once, then every new one. */
  subscribe(listener: (snapshot: Snapshot) => void): () => void {
    this.subscribeCount++;
    this.listeners.add(listener);
    listener(this.current);
    return () => this.listeners.delete(listener);
  }

  publish(snapshot: Snapshot): void {
    this.current = snapshot;
    for (const listener of this.listeners) listener(snapshot);
  }
}

interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** One HTTP request with full control of the Host header (`null` sends none). */
function request(
  port: number,
  options: { method?: string; path?: string; host?: string | null; headers?: OutgoingHttpHeaders; body?: string | Buffer } = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const headers: OutgoingHttpHeaders = { ...options.headers };
    if (options.host !== null) headers.host = options.host ?? `127.0.0.1:${port}`;
    const req = http.request(
      { host: '127.0.0.1', port, method: options.method ?? 'GET', path: options.path ?? '/', headers, setHost: false, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.setTimeout(5000, () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
    req.end(options.body);
  });
}

/** Writes raw bytes to the port and returns everything the server answers until it closes. */
function rawExchange(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error('raw exchange timed out'));
    }, 5000);
    socket.on('connect', () => socket.write(text));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString('utf8'));
    });
  });
}

type Json = Record<string, unknown>;

/** A WebSocket client whose messages queue up from the first one on. */
interface Client {
  ws: WebSocket;
  next(): Promise<Json>;
  opened: Promise<void>;
  closed: Promise<{ code: number }>;
}

const clients: WebSocket[] = [];

function open(port: number, options: WebSocket.ClientOptions = {}, path = '/ws'): Client {
  const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`, { origin: `http://127.0.0.1:${port}`, ...options });
  clients.push(ws);
  const queue: Json[] = [];
  const waiters: ((message: Json) => void)[] = [];
  ws.on('message', (data) => {
    const message = JSON.parse(String(data)) as Json;
    const waiter = waiters.shift();
    if (waiter) waiter(message);
    else queue.push(message);
  });
  const opened = new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const closed = new Promise<{ code: number }>((resolve) => ws.once('close', (code) => resolve({ code })));
  opened.catch(() => undefined); // refused clients are awaited through `refused`
  return {
    ws,
    opened,
    closed,
    next: () => {
      const queued = queue.shift();
      if (queued) return Promise.resolve(queued);
      return new Promise<Json>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no message within 3 s')), 3000);
        waiters.push((message) => {
          clearTimeout(timer);
          resolve(message);
        });
      });
    },
  };
}

/** Resolves with the HTTP status the server refused the upgrade with (or the error text). */
function refused(client: Client): Promise<string> {
  return new Promise((resolve, reject) => {
    client.ws.once('open', () => reject(new Error('the upgrade was accepted')));
    client.ws.once('error', (error) => resolve(error.message));
  });
}

let dir: string;
let staticDir: string;
let service: FakeService;
let host: WebHost | null;

async function start(limits?: Partial<WebHostLimits>, log = pino({ level: 'silent' })): Promise<WebHost> {
  host = await startWebHost({ service, staticDir, port: 0, log, limits });
  return host;
}

/** A logger that keeps its warnings and errors, parsed. */
function capturingLog(): { log: pino.Logger; messages: (msg: string) => Json[] } {
  const lines: Json[] = [];
  const log = pino({ level: 'warn' }, { write: (line: string) => void lines.push(JSON.parse(line) as Json) });
  return { log, messages: (msg) => lines.filter((line) => line.msg === msg) };
}

const sockets: Socket[] = [];

/** A raw TCP client that opens the WebSocket, reads the 101 and then never reads again. */
function stalledWsClient(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    sockets.push(socket);
    socket.on('error', () => undefined); // the server drops it: that is the point
    socket.on('connect', () =>
      socket.write(
        `GET /ws HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`,
      ),
    );
    socket.once('data', (chunk: Buffer) => {
      socket.pause();
      if (chunk.toString('latin1').startsWith('HTTP/1.1 101 ')) resolve(socket);
      else reject(new Error(`upgrade refused: ${chunk.toString('latin1').split('\r\n')[0]}`));
    });
  });
}

/** A raw TCP connection, open (and idle) once this resolves. */
async function idleConnection(port: number): Promise<Socket> {
  const socket = connect(port, '127.0.0.1');
  sockets.push(socket);
  socket.on('error', () => undefined);
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  return socket;
}

/** A snapshot of about `bytes` bytes of JSON. */
function bigSnapshot(seq: number, bytes: number): Snapshot {
  return { ...fakeSnapshot(seq), pad: 'x'.repeat(bytes) } as unknown as Snapshot;
}

/** Reads a client's messages until the snapshot with this seq; returns how many snapshots it read. */
async function readUntilSeq(client: Client, seq: number): Promise<number> {
  for (let read = 1; ; read++) {
    const message = await client.next();
    if (message.type === 'snapshot' && (message.snapshot as { seq: number }).seq === seq) return read;
  }
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'kiosk-web-host-'));
  staticDir = join(dir, 'static');
  mkdirSync(join(staticDir, 'assets'), { recursive: true });
  writeFileSync(join(staticDir, 'index.html'), INDEX_HTML);
  writeFileSync(join(staticDir, 'assets', 'app.js'), APP_JS);
  // Next to the static folder, where a traversal would land.
  writeFileSync(join(dir, 'secret.txt'), SECRET);
  writeFileSync(join(dir, 'package.json'), `{"secret":"${SECRET}"}`);
  service = new FakeService();
  host = null;
});

afterEach(async () => {
  for (const ws of clients.splice(0)) ws.terminate();
  for (const socket of sockets.splice(0)) socket.destroy();
  await host?.close();
  host = null;
  rmSync(dir, { recursive: true, force: true });
});

describe('web host: static files', () => {
  it('serves index.html and the JS with their content types and the security headers', async () => {
    const { port, url } = await start();
    expect(url).toBe(`http://127.0.0.1:${port}/`);

    const index = await request(port, { path: '/' });
    expect(index.status).toBe(200);
    expect(index.body).toBe(INDEX_HTML);
    expect(index.headers['content-type']).toBe('text/html; charset=utf-8');

    const js = await request(port, { path: '/assets/app.js' });
    expect(js.status).toBe(200);
    expect(js.body).toBe(APP_JS);
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');

    for (const res of [index, js]) {
      const csp = res.headers['content-security-policy'];
      expect(csp).toBeDefined();
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['referrer-policy']).toBe('no-referrer');
      expect(res.headers['cross-origin-opener-policy']).toBe('same-origin');
      expect(res.headers['cache-control']).toBe('no-store');
    }
  });

  it('answers unknown paths without an extension with index.html (single page) and unknown files with 404', async () => {
    const { port } = await start();
    for (const path of ['/charging/1', '/summary', '/index.html', '/assets']) {
      const res = await request(port, { path });
      expect(res.status, path).toBe(200);
      expect(res.body, path).toBe(INDEX_HTML);
      expect(res.headers['content-type'], path).toBe('text/html; charset=utf-8');
    }
    const missing = await request(port, { path: '/assets/missing.js' });
    expect(missing.status).toBe(404);
    expect(missing.headers['content-security-policy']).toBeDefined();
  });

  it('never serves a file outside the static folder, however the path is spelled', async () => {
    const { port } = await start();
    const attempts = [
      '/../package.json',
      '/../secret.txt',
      '/%2e%2e/secret.txt',
      '/%2e%2e/%2e%2e/etc/passwd',
      '/..%2fsecret.txt',
      '/%2e%2e%2fsecret.txt',
      '/assets/..%2f..%2fsecret.txt',
      '/..%5csecret.txt',
      '/..\\secret.txt',
      '//../secret.txt',
      '/%2fetc%2fpasswd',
      '/.%2e/.%2e/.%2e/.%2e/etc/passwd',
      '/assets/%00.js',
    ];
    for (const path of attempts) {
      const res = await request(port, { path });
      expect(res.body, path).not.toContain(SECRET);
      expect(res.body, path).not.toMatch(/root:.*:0:0:/);
      // A traversal lands back inside the folder: a file name there is not found, an
      // extensionless path is the single page.
      if (res.status === 200) expect(res.body, path).toBe(INDEX_HTML);
      else expect(res.status, path).toBe(404);
    }
    // The spellings the brief names with a file extension are plain 404s.
    expect((await request(port, { path: '/../package.json' })).status).toBe(404);
    expect((await request(port, { path: '/%2e%2e/secret.txt' })).status).toBe(404);
    expect((await request(port, { path: '/..%2fsecret.txt' })).status).toBe(404);
  });

  it('answers a malformed percent-encoding with 404, not a server error', async () => {
    const { port } = await start();
    for (const path of ['/%', '/%E0%A4%A', '/assets/%zz.js']) {
      const res = await request(port, { path });
      expect(res.status, path).toBe(404);
    }
    // and keeps serving
    expect((await request(port, { path: '/' })).status).toBe(200);
  });
});

describe('web host: Host header (DNS rebinding)', () => {
  it('refuses a wrong Host with 421 and accepts 127.0.0.1:PORT and localhost:PORT', async () => {
    const { port } = await start();
    for (const hostHeader of [`evil.example:${port}`, `127.0.0.1:${port + 1}`, 'evil.example', '127.0.0.1', `localhost:${port}.evil.example`, `[::1]:${port}`]) {
      const res = await request(port, { path: '/', host: hostHeader });
      expect(res.status, hostHeader).toBe(421);
      expect(res.body, hostHeader).not.toContain('KIOSK-INDEX');
      const api = await request(port, { path: '/api/snapshot', host: hostHeader });
      expect(api.status, hostHeader).toBe(421);
      const post = await request(port, { method: 'POST', path: '/api/command', host: hostHeader, body: '{"type":"x"}' });
      expect(post.status, hostHeader).toBe(421);
    }
    expect(service.calls).toEqual([]);
    expect((await request(port, { path: '/', host: `localhost:${port}` })).body).toBe(INDEX_HTML);
    expect((await request(port, { path: '/', host: `127.0.0.1:${port}` })).body).toBe(INDEX_HTML);
  });

  it('refuses a request without a Host header', async () => {
    const { port } = await start();
    // HTTP/1.1 without Host: Node itself answers 400 before the host sees it.
    const http11 = await request(port, { path: '/', host: null });
    expect(http11.status).toBe(400);
    expect(http11.body).not.toContain('KIOSK-INDEX');
    // HTTP/1.0 may omit Host and reaches the host's own check.
    const http10 = await rawExchange(port, 'GET / HTTP/1.0\r\n\r\n');
    expect(http10).toMatch(/^HTTP\/1\.[01] 421 /);
    expect(http10).not.toContain('KIOSK-INDEX');
  });
});

describe('web host: HTTP API', () => {
  it('passes a JSON command to handle and returns its result with 200', async () => {
    const { port } = await start();
    const body = { type: 'selectConnector', connectorId: 1 };
    const res = await request(port, { method: 'POST', path: '/api/command', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json');
    expect(JSON.parse(res.body)).toEqual({ ok: true });
    expect(service.calls).toEqual([{ kind: 'command', body }]);
  });

  it('passes simulator commands to handleSim', async () => {
    const { port } = await start();
    const body = { type: 'plug', connectorId: 1, plugged: true };
    const res = await request(port, { method: 'POST', path: '/api/sim', body: JSON.stringify(body) });
    expect(res.status).toBe(200);
    expect(service.calls).toEqual([{ kind: 'sim', body }]);
  });

  it('maps failed results to their status codes', async () => {
    const { port } = await start();
    const cases: [CommandResult, number][] = [
      [{ ok: false, error: { code: 'invalid', message: 'no' } }, 400],
      [{ ok: false, error: { code: 'unavailable', message: 'no' } }, 404],
      [{ ok: false, error: { code: 'rejected', message: 'no' } }, 409],
      [{ ok: false, error: { code: 'internal', message: 'no' } }, 409],
    ];
    for (const [result, status] of cases) {
      service.result = result;
      const res = await request(port, { method: 'POST', path: '/api/command', body: '{}' });
      expect(res.status, result.ok ? 'ok' : result.error.code).toBe(status);
      expect(JSON.parse(res.body)).toEqual(result);
    }
  });

  it('answers invalid JSON with 400 without calling handle', async () => {
    const { port } = await start();
    for (const body of ['{not json', '', '{"a":1', '\u0000']) {
      const res = await request(port, { method: 'POST', path: '/api/command', body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(JSON.parse(res.body)).toMatchObject({ ok: false, error: { code: 'invalid' } });
    }
    expect(service.calls).toEqual([]);
  });

  it('refuses a body over 4096 bytes with 413 without calling handle, and keeps serving', async () => {
    const { port } = await start();
    const justFits = JSON.stringify({ pad: 'a'.repeat(4096 - 10) });
    expect(Buffer.byteLength(justFits)).toBe(4096);
    const fits = await request(port, { method: 'POST', path: '/api/command', body: justFits });
    expect(fits.status).toBe(200);
    expect(service.calls).toHaveLength(1);

    for (const size of [4097, 5000, 200_000]) {
      const body = JSON.stringify({ pad: 'a'.repeat(size - 10) });
      expect(Buffer.byteLength(body)).toBe(size);
      const res = await request(port, { method: 'POST', path: '/api/command', headers: { 'content-type': 'application/json' }, body });
      expect(res.status, String(size)).toBe(413);
      expect(JSON.parse(res.body)).toMatchObject({ ok: false, error: { code: 'invalid', message: 'body must be at most 4096 bytes' } });
    }
    // Without a declared length (chunked), the read stops where the body passes the limit.
    const chunk = 'a'.repeat(1000);
    const chunked = await rawExchange(
      port,
      `POST /api/command HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nTransfer-Encoding: chunked\r\n\r\n` + `3e8\r\n${chunk}\r\n`.repeat(5) + '0\r\n\r\n',
    );
    expect(chunked).toMatch(/^HTTP\/1\.1 413 /);
    expect(chunked).toMatch(/connection: close/i);
    expect(service.calls).toHaveLength(1);
    expect((await request(port, { path: '/api/snapshot' })).status).toBe(200);
  });

  it('refuses a POST from a foreign Origin with 403 and accepts its own', async () => {
    const { port } = await start();
    for (const origin of ['http://evil.example', `http://evil.example:${port}`, 'null', `https://127.0.0.1:${port}`, `http://127.0.0.1:${port + 1}`, 'not a url']) {
      const res = await request(port, { method: 'POST', path: '/api/command', headers: { origin }, body: '{"type":"x"}' });
      expect(res.status, origin).toBe(403);
      const sim = await request(port, { method: 'POST', path: '/api/sim', headers: { origin }, body: '{"type":"x"}' });
      expect(sim.status, origin).toBe(403);
    }
    expect(service.calls).toEqual([]);

    for (const origin of [`http://127.0.0.1:${port}`, `http://localhost:${port}`]) {
      const res = await request(port, { method: 'POST', path: '/api/command', headers: { origin }, body: '{"type":"x"}' });
      expect(res.status, origin).toBe(200);
    }
    expect(service.calls).toHaveLength(2);
  });

  it('serves the snapshot as JSON and refuses other methods on the API', async () => {
    const { port } = await start();
    service.current = fakeSnapshot(42);
    const res = await request(port, { path: '/api/snapshot' });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json');
    expect(JSON.parse(res.body)).toEqual(fakeSnapshot(42));
    expect((await request(port, { path: '/api/command' })).status).toBe(405);
    expect((await request(port, { method: 'PUT', path: '/', body: 'x' })).status).toBe(405);
  });
});

describe('web host: WebSocket', () => {
  it('sends the snapshot first, then answers a command with its result', async () => {
    const { port } = await start();
    const client = open(port);
    await client.opened;
    expect(await client.next()).toEqual({ type: 'snapshot', snapshot: fakeSnapshot(1) });
    expect(service.subscribeCount).toBe(1);

    const body = { type: 'selectConnector', connectorId: 2 };
    client.ws.send(JSON.stringify({ id: 1, kind: 'command', body }));
    expect(await client.next()).toEqual({ type: 'result', id: 1, result: { ok: true } });
    service.result = { ok: false, error: { code: 'rejected', message: 'busy' } };
    client.ws.send(JSON.stringify({ id: 2, kind: 'sim', body: { type: 'plug' } }));
    expect(await client.next()).toEqual({ type: 'result', id: 2, result: service.result });
    expect(service.calls).toEqual([
      { kind: 'command', body },
      { kind: 'sim', body: { type: 'plug' } },
    ]);
  });

  it('accepts the localhost origin and a client without Origin (a local program)', async () => {
    const { port } = await start();
    const viaLocalhost = open(port, { origin: `http://localhost:${port}`, headers: { host: `localhost:${port}` } });
    await viaLocalhost.opened;
    expect((await viaLocalhost.next()).type).toBe('snapshot');
    const noOrigin = new WebSocket(`ws://127.0.0.1:${port}/ws`);
    clients.push(noOrigin);
    await new Promise<void>((resolve, reject) => {
      noOrigin.once('open', () => resolve());
      noOrigin.once('error', reject);
    });
    expect(service.subscribeCount).toBe(2);
  });

  it('refuses an upgrade from a foreign or null Origin, never subscribing', async () => {
    const { port } = await start();
    for (const origin of ['http://evil.example', 'null', `http://evil.example:${port}`, `https://127.0.0.1:${port}`, `http://127.0.0.1:${port + 1}`]) {
      const client = open(port, { origin });
      expect(await refused(client), origin).toMatch(/403/);
    }
    expect(service.subscribeCount).toBe(0);
    expect(service.listeners.size).toBe(0);
  });

  it('refuses an upgrade with a wrong Host or on another path', async () => {
    const { port } = await start();
    for (const hostHeader of [`evil.example:${port}`, `127.0.0.1:${port + 1}`]) {
      const client = open(port, { headers: { host: hostHeader }, origin: `http://${hostHeader}` });
      expect(await refused(client), hostHeader).toMatch(/403/);
    }
    expect(await refused(open(port, {}, '/not-ws'))).toMatch(/403/);
    // An upgrade over HTTP/1.0 without any Host header.
    const noHost = await rawExchange(
      port,
      'GET /ws HTTP/1.0\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
    );
    expect(noHost).toMatch(/^HTTP\/1\.[01] (403|400|421) /);
    expect(service.subscribeCount).toBe(0);
  });

  it('answers malformed messages with an id -1 result and stays usable', async () => {
    const { port } = await start();
    const client = open(port);
    await client.opened;
    await client.next(); // snapshot
    const malformed: (string | Buffer)[] = [
      'not json',
      '',
      'null',
      '[]',
      '42',
      JSON.stringify({ id: 1, kind: 'other', body: {} }),
      JSON.stringify({ id: -1, kind: 'command', body: {} }),
      JSON.stringify({ id: 1.5, kind: 'command', body: {} }),
      JSON.stringify({ id: '1', kind: 'command', body: {} }),
      JSON.stringify({ kind: 'command', body: {} }),
      JSON.stringify({ id: 1, kind: 'command', body: {}, extra: true }),
    ];
    for (const message of malformed) {
      client.ws.send(message);
      expect(await client.next(), String(message)).toEqual({ type: 'result', id: -1, result: { ok: false, error: { code: 'invalid', message: 'malformed request' } } });
    }
    // A well-formed request sent as a binary frame is refused too.
    client.ws.send(Buffer.from(JSON.stringify({ id: 7, kind: 'command', body: {} })), { binary: true });
    expect(await client.next()).toMatchObject({ type: 'result', id: -1, result: { ok: false } });
    expect(service.calls).toEqual([]);

    client.ws.send(JSON.stringify({ id: 8, kind: 'command', body: { type: 'ok' } }));
    expect(await client.next()).toEqual({ type: 'result', id: 8, result: { ok: true } });
    expect(client.ws.readyState).toBe(WebSocket.OPEN);
  });

  it('closes a connection that sends more than 4096 bytes, and keeps serving the others', async () => {
    const { port } = await start();
    const big = open(port);
    const other = open(port);
    await Promise.all([big.opened, other.opened]);
    await big.next();
    await other.next();
    expect(service.listeners.size).toBe(2);

    big.ws.on('error', () => undefined); // the close is the point
    big.ws.send(JSON.stringify({ id: 1, kind: 'command', body: { pad: 'a'.repeat(5000) } }));
    const { code } = await big.closed;
    expect(code).toBe(1009); // message too big
    expect(service.calls).toEqual([]);
    await expect.poll(() => service.listeners.size).toBe(1); // the closed one unsubscribed

    other.ws.send(JSON.stringify({ id: 2, kind: 'command', body: { type: 'still here' } }));
    expect(await other.next()).toEqual({ type: 'result', id: 2, result: { ok: true } });
    const fresh = open(port);
    await fresh.opened;
    expect((await fresh.next()).type).toBe('snapshot');
  });

  it('pushes every snapshot the service publishes to every client, and unsubscribes on close', async () => {
    const { port } = await start();
    const a = open(port);
    const b = open(port);
    await Promise.all([a.opened, b.opened]);
    await a.next();
    await b.next();
    service.publish(fakeSnapshot(2));
    service.publish(fakeSnapshot(3));
    for (const client of [a, b]) {
      expect(await client.next()).toEqual({ type: 'snapshot', snapshot: fakeSnapshot(2) });
      expect(await client.next()).toEqual({ type: 'snapshot', snapshot: fakeSnapshot(3) });
    }
    a.ws.close();
    await a.closed;
    await expect.poll(() => service.listeners.size).toBe(1);
    service.publish(fakeSnapshot(4)); // must not throw for the closed client
    expect(await b.next()).toEqual({ type: 'snapshot', snapshot: fakeSnapshot(4) });
  });

  it('survives a client that resets its connection right after a refused upgrade', async () => {
    const { port } = await start();
    for (let i = 0; i < 20; i++) {
      const socket: Socket = connect(port, '127.0.0.1');
      await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
      socket.write(
        `GET /ws HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nOrigin: http://evil.example\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`,
      );
      socket.resetAndDestroy();
    }
    expect((await request(port, { path: '/' })).status).toBe(200);
  });
});

describe('web host: bounds', () => {
  it('drops a WebSocket client that stops reading once it is too far behind, while a healthy one keeps getting every snapshot', async () => {
    const capture = capturingLog();
    const { port } = await start({ maxWsBacklogBytes: 256 * 1024 }, capture.log);
    const healthy = open(port);
    await healthy.opened;
    await healthy.next();
    await stalledWsClient(port);
    await expect.poll(() => service.listeners.size).toBe(2);

    // 32 kB snapshots: the kernel's buffers take a few MB for the stalled client,
    // then its backlog grows past 256 kB. Without a bound it would take all 64 MB.
    let seq = 1;
    while (service.listeners.size === 2 && seq < 2000) {
      service.publish(bigSnapshot(++seq, 32 * 1024));
      expect(await readUntilSeq(healthy, seq)).toBe(1); // the healthy one misses nothing
    }
    expect(service.listeners.size).toBe(1); // the stalled one was dropped (and unsubscribed)
    expect(capture.messages('dropped a WebSocket client that stopped reading')).toHaveLength(1);
    const [warning] = capture.messages('dropped a WebSocket client that stopped reading');
    expect(warning).toMatchObject({ level: 40, limitBytes: 256 * 1024 });
    expect(warning!.backlogBytes as number).toBeGreaterThan(256 * 1024);

    for (let i = 0; i < 5; i++) {
      service.publish(fakeSnapshot(++seq));
      expect(await healthy.next()).toEqual({ type: 'snapshot', snapshot: fakeSnapshot(seq) });
    }
    expect(capture.messages('dropped a WebSocket client that stopped reading')).toHaveLength(1); // logged once
    expect(healthy.ws.readyState).toBe(WebSocket.OPEN);
  });

  it('sends a client that reads slowly only the latest snapshot when it catches up, and keeps it', async () => {
    const { port } = await start({ maxWsBacklogBytes: 64 * 1024 * 1024 });
    const slow = open(port);
    await slow.opened;
    await slow.next();
    const socket = (slow.ws as unknown as { _socket: Socket })._socket;
    socket.pause();
    const published = 400; // 400 × 32 kB: more than the kernel's buffers hold
    for (let seq = 2; seq <= published + 1; seq++) {
      service.publish(bigSnapshot(seq, 32 * 1024));
      await new Promise((resolve) => setImmediate(resolve));
    }
    socket.resume();
    const received = await readUntilSeq(slow, published + 1);
    expect(received).toBeLessThan(published); // the ones replaced while it was busy were skipped
    expect(slow.ws.readyState).toBe(WebSocket.OPEN);
    // and once caught up it gets every one again
    service.publish(fakeSnapshot(published + 2));
    expect(await slow.next()).toEqual({ type: 'snapshot', snapshot: fakeSnapshot(published + 2) });
  });

  it('answers a request whose body stalls with 408 and closes it, within the request timeout', async () => {
    const { port } = await start({ headersTimeoutMs: 200, requestTimeoutMs: 300 });
    const started = performance.now();
    const answer = await rawExchange(port, `POST /api/command HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Length: 100\r\n\r\n{"type":`);
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(performance.now() - started).toBeLessThan(1500);
    expect(service.calls).toEqual([]);
    expect((await request(port, { path: '/api/snapshot' })).status).toBe(200);
  });

  it('answers a request whose headers stall with 408 and closes it, within the headers timeout', async () => {
    const { port } = await start({ headersTimeoutMs: 200, requestTimeoutMs: 300 });
    const started = performance.now();
    const answer = await rawExchange(port, `GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nX-Slow: `);
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(performance.now() - started).toBeLessThan(1500);
  });

  it('refuses connections beyond the cap at once, and takes new ones when one closes', async () => {
    const capture = capturingLog();
    const { port } = await start({ maxConnections: 3 }, capture.log);
    const idle = [await idleConnection(port), await idleConnection(port), await idleConnection(port)];
    await expect(request(port, { path: '/' })).rejects.toThrow(/ECONNRESET|socket hang up|EPIPE/);
    expect(capture.messages('refused a connection: too many connections')).toMatchObject([{ limit: 3 }]);
    idle[0]!.destroy();
    await expect.poll(async () => (await request(port, { path: '/' }).catch(() => null))?.status).toBe(200);
  });

  it('answers a WebSocket upgrade beyond the client cap with 503, and takes new ones when one closes', async () => {
    const capture = capturingLog();
    const { port } = await start({ maxWsClients: 2 }, capture.log);
    const a = open(port);
    const b = open(port);
    await Promise.all([a.opened, b.opened]);
    expect(await refused(open(port))).toMatch(/503/);
    expect(service.subscribeCount).toBe(2);
    expect(capture.messages('refused a WebSocket upgrade: too many clients')).toMatchObject([{ limit: 2 }]);
    a.ws.close();
    await a.closed;
    await expect.poll(() => service.listeners.size).toBe(1);
    const c = open(port);
    await c.opened;
    expect((await c.next()).type).toBe('snapshot');
  });
});

describe('web host: lifecycle', () => {
  it('listens on loopback only', async () => {
    const { port, url } = await start();
    expect(url.startsWith('http://127.0.0.1:')).toBe(true);
    const external = Object.values(networkInterfaces())
      .flat()
      .filter((a): a is NonNullable<typeof a> => a !== undefined && !a.internal && a.family === 'IPv4')
      .map((a) => a.address);
    for (const address of external) {
      const outcome = await new Promise<string>((resolve) => {
        const socket = connect(port, address);
        socket.setTimeout(1000, () => {
          socket.destroy();
          resolve('timeout');
        });
        socket.once('connect', () => {
          socket.destroy();
          resolve('connected');
        });
        socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
      });
      expect(outcome, address).not.toBe('connected');
    }
  });

  it('frees its port on close(), also with clients connected', async () => {
    const { port } = await start();
    const client = open(port);
    await client.opened;
    const closedAt = client.closed;
    await host!.close();
    host = null;
    await closedAt;
    await expect(request(port, { path: '/' })).rejects.toThrow(/ECONNREFUSED/);
    // The port can be bound again at once.
    const probe = createServer();
    await new Promise<void>((resolve, reject) => {
      probe.once('error', reject);
      probe.listen(port, '127.0.0.1', () => resolve());
    });
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    // and a new web host can take it
    const again = await startWebHost({ service, staticDir, port, log: pino({ level: 'silent' }) });
    host = again;
    expect(again.port).toBe(port);
    expect((await request(port, { path: '/' })).status).toBe(200);
  });
});
