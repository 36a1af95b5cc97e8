// Pseudo-terminal pairs made by socat, for tests of serial code through real serialport
// (not a test file itself), and the RAPI simulator as a process on one of them. Used by
// the integration and end-to-end tests, scripts/rapi-rtt.ts and bench/chargers.ts.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';

export const SOCAT = process.env.SOCAT_PATH ?? '/usr/bin/socat';

export interface PtyPair {
  /** The two link paths: what one side writes to `a` the other reads from `b`. */
  a: string;
  b: string;
  /** Kills socat (both ends close) and waits until it has exited and its links are gone. */
  kill: () => Promise<void>;
}

function exists(path: string): boolean {
  try {
    fs.statSync(path); // follows the link: the pty behind it exists too
    return true;
  } catch {
    return false;
  }
}

/** Starts `socat pty,raw,echo=0,link=A pty,raw,echo=0,link=B` and waits until both links exist. */
export async function startPtyPair(a: string, b: string, timeoutMs = 5000): Promise<PtyPair> {
  for (const link of [a, b]) fs.rmSync(link, { force: true });
  const child: ChildProcess = spawn(SOCAT, ['-d', '-d', `pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + timeoutMs;
  while (!(exists(a) && exists(b))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`socat did not make ${a} and ${b}: ${stderr.trim() || `exit ${child.exitCode}`}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return {
    a,
    b,
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
      for (const link of [a, b]) fs.rmSync(link, { force: true });
    },
  };
}

/** Polls `condition` in real time until it holds, or fails after `timeoutMs`. */
export async function waitFor(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const SIM_PROCESS = path.resolve(import.meta.dirname, '../../../devices/charger/rapi-sim-process.ts');

/** The RAPI simulator process (devices/charger/rapi-sim-process.ts): a controller and a car, driven through its stdin. */
export class ControllerProcess {
  private readonly child: ChildProcess;
  private readonly answers: ((line: string) => void)[] = [];
  readonly ready: Promise<void>;

  /** `args`: the simulator's options after `--port` (`--state FILE`, `--firmware quiet`, …). */
  constructor(port: string, args: string[] = []) {
    this.child = spawn(process.execPath, ['--import', 'tsx', SIM_PROCESS, '--port', port, ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
    const lines = createInterface({ input: this.child.stdout! });
    this.ready = new Promise((resolve) => {
      lines.on('line', (line) => {
        if (line === 'ready') resolve();
        else this.answers.shift()?.(line);
      });
    });
  }

  /** One control line (plug, unplug, fault, clear, full, reset, state); resolves with its answer. */
  send(command: string): Promise<string> {
    return new Promise((resolve) => {
      this.answers.push(resolve);
      this.child.stdin!.write(`${command}\n`);
    });
  }

  async state(): Promise<{ plugged: boolean; charging: boolean; mode: string; relayClosed: boolean }> {
    return JSON.parse((await this.send('state')).replace(/^ok /, ''));
  }

  stop(): void {
    this.child.kill('SIGKILL');
  }
}
