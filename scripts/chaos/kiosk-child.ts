// The kiosk as the chaos harness runs it: its real entry (the built web host,
// dist/main/web-main.js) as a child process on one data folder, started, killed with
// SIGKILL and started again, its HTTP API, and a screen connection of its WebSocket for
// the technician's requests (which the HTTP API does not take).
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import WebSocket from 'ws';
import type { CommandResult, Snapshot, TechRequest, TechResult } from '../../electron/contract/index.js';

const ENTRY = resolve('dist/main/web-main.js');

export interface StartOptions {
  /** Environment added for this start (a fault point). */
  env?: Record<string, string>;
  /** Called the moment the process is spawned, before it is ready (to aim at start-up). */
  onSpawn?: (child: ChildProcess) => void;
}

export class KioskChild {
  private child: ChildProcess | null = null;
  private base = '';
  private port = 0;
  /** Last lines the process wrote, for a report when it fails to start. */
  private output = '';

  constructor(
    private readonly configFile: string,
    private readonly dataDir: string,
    private readonly clockSpeed: number,
  ) {}

  get running(): boolean {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }

  /**
   * Starts the kiosk and resolves with the time from spawn to its first snapshot
   * served, ms; or with null when the process died before that (a fault point, or an
   * aimed kill during start-up). Rejects when it neither starts nor dies in 30 s.
   */
  async start(options: StartOptions = {}): Promise<number | null> {
    const started = performance.now();
    this.output = '';
    const child = spawn(process.execPath, [ENTRY, '--config', this.configFile, '--data', this.dataDir, '--port', String(this.port), '--clock-speed', String(this.clockSpeed)], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...options.env },
    });
    this.child = child;
    const exited = new Promise<null>((done) => child.once('exit', () => done(null)));
    const remember = (chunk: Buffer) => (this.output = (this.output + chunk.toString()).slice(-4000));
    child.stderr!.on('data', remember);
    options.onSpawn?.(child);
    const ready = new Promise<string>((done) => {
      let text = '';
      child.stdout!.on('data', (chunk: Buffer) => {
        remember(chunk);
        text += chunk.toString();
        const match = /Kiosk ready at (http:\/\/127\.0\.0\.1:(\d+))\//.exec(text);
        if (match) done(match[1]!);
      });
    });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`the kiosk did not start in 30 s:\n${this.output}`)), 30_000);
    });
    try {
      const base = await Promise.race([ready, exited, timeout]);
      if (base === null) return null;
      this.base = base;
      this.port = Number(new URL(base).port); // a restart comes back on the same address
      for (;;) {
        const snapshot = await Promise.race([this.snapshot().catch(() => null), exited, timeout]);
        if (snapshot) return performance.now() - started;
        if (!this.running) return null;
        await new Promise((resolve) => setTimeout(resolve, 10)); // not served yet: ask again shortly
      }
    } finally {
      clearTimeout(timer);
    }
  }

  /** Last output of the process (stdout and stderr). */
  get lastOutput(): string {
    return this.output;
  }

  /** SIGKILL: a crash or a power cut. Resolves once the process is gone. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child) return;
    if (child.exitCode === null && child.signalCode === null) {
      await new Promise<void>((done) => {
        child.once('exit', () => done());
        child.kill('SIGKILL');
      });
    }
    this.child = null;
  }

  /** Resolves when the process has exited by itself (a fault point), or after `ms`. */
  async exitWithin(ms: number): Promise<boolean> {
    const child = this.child;
    if (!child || !this.running) return true;
    return new Promise((done) => {
      const timer = setTimeout(() => done(false), ms);
      child.once('exit', () => {
        clearTimeout(timer);
        done(true);
      });
    });
  }

  async snapshot(): Promise<Snapshot> {
    const response = await fetch(`${this.base}/api/snapshot`, { signal: AbortSignal.timeout(2000) });
    if (!response.ok) throw new Error(`snapshot: HTTP ${response.status}`);
    return (await response.json()) as Snapshot;
  }

  /** A screen connection of the web host's WebSocket, for technician requests. */
  techSocket(): Promise<TechSocket> {
    return TechSocket.open(this.base);
  }

  command(body: object): Promise<CommandResult> {
    return this.post('/api/command', body);
  }

  sim(body: object): Promise<CommandResult> {
    return this.post('/api/sim', body);
  }

  private async post(path: string, body: object): Promise<CommandResult> {
    const response = await fetch(`${this.base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(3000),
    });
    return (await response.json()) as CommandResult;
  }
}

/**
 * One screen connection of the web host's WebSocket (`/ws`), as the maintenance menu has
 * it: requests `{id, kind: 'tech', body: TechRequest}`, answered by `{type: 'result', id,
 * result}` (the snapshots it is also sent are ignored). A request still unanswered when
 * the connection closes (the kiosk killed) is rejected.
 */
export class TechSocket {
  private nextId = 1;
  private readonly pending = new Map<number, { done: (result: TechResult) => void; fail: (error: Error) => void }>();

  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const message = JSON.parse(data.toString()) as { type?: string; id?: number; result?: TechResult };
      const waiting = message.type === 'result' && message.id !== undefined ? this.pending.get(message.id) : undefined;
      if (!waiting) return;
      this.pending.delete(message.id!);
      waiting.done(message.result!);
    });
    ws.on('close', () => {
      for (const waiting of this.pending.values()) waiting.fail(new Error('the connection closed before the answer'));
      this.pending.clear();
    });
    ws.on('error', () => {}); // a close follows
  }

  static open(base: string): Promise<TechSocket> {
    const ws = new WebSocket(new URL('/ws', base).href.replace(/^http/, 'ws'));
    return new Promise((done, fail) => {
      ws.once('open', () => done(new TechSocket(ws)));
      ws.once('error', fail);
    });
  }

  request(body: TechRequest): Promise<TechResult> {
    const id = this.nextId++;
    return new Promise((done, fail) => {
      if (this.ws.readyState !== WebSocket.OPEN) return fail(new Error('the connection is closed'));
      this.pending.set(id, { done, fail });
      this.ws.send(JSON.stringify({ id, kind: 'tech', body }));
    });
  }

  close(): void {
    this.ws.close();
  }
}
