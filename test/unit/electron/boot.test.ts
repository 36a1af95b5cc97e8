// The start-up shared by the web host and the Electron shell: flags and their
// environment variables, strict and lenient argument lists, the data folder lock,
// and the exit status of each kind of failure.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import { bootKiosk, startupFailure, type Booted } from '../../../electron/boot.js';

let dir = '';
const started: Booted[] = [];
let stdout: MockInstance<typeof process.stdout.write>;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'kiosk-boot-'));
  stdout = vi.spyOn(process.stdout, 'write').mockImplementation(() => true); // the logger's lines
});

afterEach(async () => {
  for (const booted of started.splice(0)) await booted.close();
  vi.restoreAllMocks();
  rmSync(dir, { recursive: true, force: true });
});

async function boot(...args: Parameters<typeof bootKiosk>): Promise<Booted> {
  const booted = await bootKiosk(...args);
  started.push(booted);
  return booted;
}

const env = (extra: Record<string, string> = {}) => ({ KIOSK_CONFIG: undefined, ...extra }) as NodeJS.ProcessEnv;

describe('bootKiosk', () => {
  it('takes the data folder from --data, which wins over KIOSK_DATA_DIR, and locks it until closed', async () => {
    const booted = await bootKiosk({ argv: ['--data', join(dir, 'a')], env: env({ KIOSK_DATA_DIR: join(dir, 'b') }) });
    expect(booted.dataDir).toBe(join(dir, 'a'));
    expect(booted.configSource).toBeNull();
    expect(existsSync(join(dir, 'a', 'kiosk.lock'))).toBe(true);
    expect(existsSync(join(dir, 'b'))).toBe(false);
    expect(booted.kiosk.station.snapshot().connectors.length).toBeGreaterThan(0);
    await booted.close();
    expect(existsSync(join(dir, 'a', 'kiosk.lock'))).toBe(false);
  });

  it('the web host (strict) refuses unknown flags; Electron (lenient) ignores Chromium switches and the app path', async () => {
    const strict = bootKiosk({ argv: ['--data', dir, '--no-sandbox'], env: env() });
    await expect(strict).rejects.toThrow(/unknown option --no-sandbox/);
    expect(startupFailure(await strict.catch((e: unknown) => e), { write: () => true })).toBe(2);

    const lenient = await boot({ argv: ['.', '--no-sandbox', '--remote-debugging-port=0', '--data', dir, '--clock-speed', '10'], env: env(), strict: false });
    expect(lenient.dataDir).toBe(dir);
    expect(lenient.clockSpeed).toBe(10);
  });

  it('--clock-start starts the clock of a simulated station at that moment; a real controller or a bad time is refused (status 2)', async () => {
    const booted = await boot({ argv: ['--data', join(dir, 'a'), '--clock-start', '2026-12-02T21:58:00+01:00'], env: env() });
    expect(Math.abs(booted.clock.now() - Date.parse('2026-12-02T20:58:00Z'))).toBeLessThan(5000);
    await expect(bootKiosk({ argv: ['--data', join(dir, 'b'), '--clock-start', 'tonight'], env: env() })).rejects.toThrow(/--clock-start must be an ISO-8601 date and time/);
    const config = join(dir, 'real.json');
    writeFileSync(config, JSON.stringify({ connectors: [{ id: 1, label: '1', charger: { kind: 'rapi', path: '/dev/serial/by-id/usb-openevse' } }] }));
    const refused = bootKiosk({ argv: ['--config', config, '--data', join(dir, 'c')], env: env({ KIOSK_CLOCK_START: '2026-12-02T21:58:00Z' }) });
    await expect(refused).rejects.toThrow(/--clock-start is for simulated stations only: connector 1 has a real controller \(rapi\)/);
    expect(startupFailure(await refused.catch((error: unknown) => error), { write: () => true })).toBe(2);
    expect(existsSync(join(dir, 'c'))).toBe(false);
  });

  it('checks --port only for the web host, before touching the data folder', async () => {
    const data = join(dir, 'data');
    const bad = await bootKiosk({ argv: ['--data', data, '--port', '70000'], env: env(), port: true }).catch((e: unknown) => e);
    const lines: string[] = [];
    expect(startupFailure(bad, { write: (line: string) => lines.push(line) > 0 })).toBe(2);
    expect(lines.join('')).toMatch(/--port must be 0\.\.65535, got 70000/);
    expect(existsSync(data)).toBe(false);

    expect((await boot({ argv: ['--data', data], env: env({ KIOSK_PORT: '0' }), port: true })).port).toBe(0);
  });

  it('a data folder another kiosk process holds is refused with status 2', async () => {
    writeFileSync(join(dir, 'kiosk.lock'), String(process.ppid)); // a live process that is not us
    const second = await bootKiosk({ argv: ['--data', dir], env: env() }).catch((e: unknown) => e);
    expect(startupFailure(second, { write: () => true })).toBe(2);
  });

  it('a named configuration file must exist (status 2)', async () => {
    const missing = await bootKiosk({ argv: ['--data', dir, '--config', join(dir, 'nope.yaml')], env: env() }).catch((e: unknown) => e);
    expect(startupFailure(missing, { write: () => true })).toBe(2);
  });

  it('prints its start-up on standard output one readable line per event, and the JSON to the log file', async () => {
    const booted = await bootKiosk({ argv: ['--data', dir], env: env() });
    booted.log.warn({ connectorId: 2 }, 'wrong stop code');
    await booted.close(); // flushes the file
    const printed = stdout.mock.calls.map(([text]) => String(text)).join('');
    expect(printed).toMatch(/^\d\d:\d\d:\d\d INFO {2}kiosk: starting \(config="embedded defaults", dataDir=\S+, clockSpeed=1\)$/m);
    expect(printed).toMatch(/^\d\d:\d\d:\d\d INFO {2}kiosk: station started \(connectors=2\)$/m);
    expect(printed).toMatch(/^\d\d:\d\d:\d\d WARN {2}connector 2: wrong stop code$/m);
    expect(printed).not.toContain('{');
    const file = readFileSync(join(dir, 'logs', 'kiosk.log'), 'utf8');
    expect(file).toContain('"msg":"kiosk starting"');
    expect(file).toContain('"msg":"wrong stop code"');
  });

  it('uses the given defaults when neither flag nor environment names a folder', async () => {
    const booted = await boot({ argv: [], env: env(), strict: false, defaults: { dataDir: join(dir, 'userData', 'data'), config: join(dir, 'userData', 'kiosk.yaml') } });
    expect(booted.dataDir).toBe(join(dir, 'userData', 'data'));
  });
});
