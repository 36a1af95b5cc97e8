// Starts the built web host (`node dist/main/web-main.js`) as a separate process on a
// fresh data folder and a free port, as `npm run start:web` does, so tests can stop,
// kill and restart it. Every process started here is stopped by `stop()`.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Snapshot } from '../../electron/contract/snapshot.js';

const ENTRY = resolve('dist/main/web-main.js');

/** Test configuration: real time, a quick terminal, every device simulated. */
export const E2E_CONFIG = {
  station: { id: 'E2E-STATION-7', helpLine: '+49 30 555 0199' },
  devices: { terminal: { kind: 'simulated', approvalDelayMs: 600 } },
  charging: { sampleIntervalMs: 250 },
  // 32 A × 3 × 230 V: 22 kW, about 6 Wh a second
  connectors: [
    { id: 1, label: '1', charger: { kind: 'simulated', vehicleMaxCurrentA: 32 } },
    { id: 2, label: '2', charger: { kind: 'simulated', vehicleMaxCurrentA: 32 } },
  ],
  timeouts: { summaryS: 120 },
};

export class KioskProcess {
  url = '';
  private child: ChildProcess | null = null;
  readonly dataDir = mkdtempSync(join(tmpdir(), 'kiosk-e2e-'));
  /** The configuration file the kiosk runs on (for tools run beside it, e.g. `npm run accounts`). */
  readonly configFile = join(this.dataDir, 'kiosk.json');
  private port = 0;

  /** `args`: more command-line options (--clock-start, --clock-speed); `env`: more environment variables (KIOSK_NO_SIM_PANEL). */
  constructor(
    config: object = E2E_CONFIG,
    private readonly args: string[] = [],
    private readonly env: Record<string, string> = {},
  ) {
    writeFileSync(this.configFile, JSON.stringify(config));
  }

  /** Starts the host; resolves with the time from spawn to its ready line, ms. */
  async start(): Promise<number> {
    const started = performance.now();
    const child = spawn(process.execPath, [ENTRY, '--config', this.configFile, '--data', this.dataDir, '--port', String(this.port), ...this.args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...this.env },
    });
    this.child = child;
    let output = '';
    await new Promise<void>((resolveReady, reject) => {
      const timer = setTimeout(() => reject(new Error(`kiosk did not start in 15 s:\n${output}`)), 15_000);
      child.stdout!.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        const match = /Kiosk ready at (http:\/\/127\.0\.0\.1:(\d+)\/)/.exec(output);
        if (match) {
          clearTimeout(timer);
          this.url = match[1]!;
          this.port = Number(match[2]); // a restart comes back on the same address
          resolveReady();
        }
      });
      child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`kiosk exited with ${code}:\n${output}`));
      });
    });
    return performance.now() - started;
  }

  /** Stops the host: SIGTERM lets it shut down cleanly, SIGKILL is a crash. */
  async halt(signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    await new Promise<void>((done) => {
      child.once('exit', () => done());
      child.kill(signal);
    });
    this.child = null;
  }

  async restart(signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): Promise<void> {
    await this.halt(signal);
    await this.start();
  }

  async sim(body: object): Promise<void> {
    const response = await fetch(new URL('/api/sim', this.url), { method: 'POST', body: JSON.stringify(body) });
    if (!response.ok) throw new Error(`sim ${JSON.stringify(body)}: ${response.status} ${await response.text()}`);
  }

  async snapshot(): Promise<Snapshot> {
    return (await fetch(new URL('/api/snapshot', this.url))).json() as never;
  }

  async stop(): Promise<void> {
    await this.halt('SIGKILL');
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}
