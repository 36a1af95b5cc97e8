// A start that cannot go on says why in one line on standard error, with no stack, and
// exits with status 2: the web host's entry run as `npm run start:web` runs it (through
// tsx, so no build is needed), on a fresh data folder, with none of the test run's KIOSK_*.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, toolEnv } from '../tool-process.js';

let dir = '';
let busy: Server;
let busyPort = 0;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kiosk-startup-'));
  busy = createServer();
  await new Promise<void>((done) => busy.listen(0, '127.0.0.1', () => done()));
  busyPort = (busy.address() as { port: number }).port;
});

afterAll(async () => {
  await new Promise<void>((done) => busy.close(() => done()));
  rmSync(dir, { recursive: true, force: true });
});

function startWeb(args: string[], env: Record<string, string> = {}) {
  const data = mkdtempSync(join(dir, 'data-'));
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'electron/web-main.ts', '--data', data, ...args], {
    cwd: ROOT,
    env: toolEnv({ KIOSK_PORT: '', KIOSK_CLOCK_SPEED: '', KIOSK_CLOCK_START: '', KIOSK_NO_SIM_PANEL: '', ...env }),
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr, data };
}

const OPTIONS = 'the options are --config FILE, --data DIR, --port N, --clock-speed X, --clock-start T, --no-sim-panel';

describe('a bad start, in one line', () => {
  const cases: [string, string[], Record<string, string>, string][] = [
    ['an unknown flag', ['--bogus'], {}, `kiosk: unknown option --bogus: ${OPTIONS}`],
    ['a stray argument', ['8080'], {}, `kiosk: unexpected argument "8080": ${OPTIONS}`],
    ['a clock speed that is no number', ['--clock-speed', 'abc'], {}, 'kiosk: --clock-speed must be a number above 0, such as 10 or 0.5, got "abc"'],
    ['a clock speed of 0', ['--clock-speed', '0'], {}, 'kiosk: --clock-speed must be a number above 0, such as 10 or 0.5, got "0"'],
    ['a bad clock speed in the environment', [], { KIOSK_CLOCK_SPEED: 'fast' }, 'kiosk: KIOSK_CLOCK_SPEED must be a number above 0, such as 10 or 0.5, got "fast"'],
    ['a port that is no number', ['--port', 'abc'], {}, 'kiosk: --port must be 0..65535, got abc'],
    ['a port out of range in the environment', [], { KIOSK_PORT: '70000' }, 'kiosk: KIOSK_PORT must be 0..65535, got 70000'],
    ['a flag without its value', ['--port'], {}, 'kiosk: --port needs a value: --port N'],
    ['a flag followed by another flag', ['--config', '--port', '0'], {}, 'kiosk: --config needs a value: --config FILE'],
    ['a switch given a value', ['--no-sim-panel=yes'], {}, 'kiosk: --no-sim-panel takes no value, got "yes"'],
    ['a switch variable that is neither 1 nor 0', [], { KIOSK_NO_SIM_PANEL: 'yes' }, 'kiosk: KIOSK_NO_SIM_PANEL must be 1 or 0, got "yes"'],
    ['a bad clock start', ['--clock-start', 'tonight'], {}, 'kiosk: --clock-start must be an ISO-8601 date and time such as 2026-12-02T21:58:00+01:00, got "tonight"'],
  ];
  it.each(cases)('%s', (_what, args, env, line) => {
    const run = startWeb(args, env);
    expect(run.stderr).toBe(`${line}\n`);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
  });

  it('a configuration file that is not there', () => {
    const missing = join(dir, 'nope.yaml');
    const run = startWeb(['--config', missing]);
    expect(run.stderr).toBe(`kiosk: configuration file ${missing} does not exist\n`);
    expect(run.code).toBe(2);
  });

  it('a data folder that cannot be made (a file is in the way)', () => {
    const file = join(dir, 'a-file');
    writeFileSync(file, '');
    const run = startWeb(['--data', join(file, 'data')]); // the last --data wins
    expect(run.stderr).toBe(`kiosk: the data folder ${join(file, 'data')} cannot be used: ENOTDIR: not a directory, mkdir '${join(file, 'data')}'\n`);
    expect(run.code).toBe(2);
  });

  it('a port another program listens on, before the brain starts: nothing is printed on standard output and the data folder is left unlocked', () => {
    const run = startWeb(['--port', String(busyPort)]);
    expect(run.stderr).toBe(`kiosk: port ${busyPort} on 127.0.0.1 is already in use (another kiosk or program listens there): stop it, or choose another port with --port or KIOSK_PORT\n`);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(existsSync(join(run.data, 'kiosk.lock'))).toBe(false);
  });

  it('a second kiosk on the port of a running one (its own data folder)', async () => {
    const first = spawn(process.execPath, ['--import', 'tsx', 'electron/web-main.ts', '--data', mkdtempSync(join(dir, 'first-')), '--port', '0'], {
      cwd: ROOT,
      env: toolEnv({ KIOSK_PORT: '' }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const port = await new Promise<number>((done, fail) => {
        let output = '';
        first.stdout.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          const ready = /Kiosk ready at http:\/\/127\.0\.0\.1:(\d+)\//.exec(output);
          if (ready) done(Number(ready[1]));
        });
        first.once('exit', (code) => fail(new Error(`the first kiosk exited with ${code}: ${output}`)));
      });
      const run = startWeb(['--port', String(port)]);
      expect(run.stderr).toBe(`kiosk: port ${port} on 127.0.0.1 is already in use (another kiosk or program listens there): stop it, or choose another port with --port or KIOSK_PORT\n`);
      expect(run.code).toBe(2);
    } finally {
      await new Promise<void>((done) => {
        first.once('exit', () => done());
        first.kill('SIGTERM');
      });
    }
  });
});
