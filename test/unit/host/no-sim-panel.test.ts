// `--no-sim-panel` and KIOSK_NO_SIM_PANEL=1: the screens' snapshots (what the web host and
// the IPC bridge hand out) carry no simulator panel, while the simulated devices go on
// existing and their commands still work (the end-to-end tests drive them that way).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Snapshot } from '../../../electron/contract/index.js';
import { bootKiosk, type Booted } from '../../../electron/boot.js';

let dir = '';
const started: Booted[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'kiosk-no-sim-panel-'));
  vi.spyOn(process.stdout, 'write').mockImplementation(() => true); // the logger's lines
});

afterEach(async () => {
  for (const booted of started.splice(0)) await booted.close();
  vi.restoreAllMocks();
  rmSync(dir, { recursive: true, force: true });
});

async function boot(argv: string[], env: Record<string, string> = {}): Promise<Booted> {
  const booted = await bootKiosk({ argv: ['--data', join(dir, String(started.length)), ...argv], env: env as NodeJS.ProcessEnv });
  started.push(booted);
  return booted;
}

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((done) => setTimeout(done, 25));
  expect(condition()).toBe(true);
}

describe('the simulator panel', () => {
  it('is in the snapshot by default, for every simulated device', async () => {
    const booted = await boot([]);
    expect(booted.simPanel).toBe(true);
    expect(booted.kiosk.service.snapshot().sim).toMatchObject({ chargers: [{ connectorId: 1 }, { connectorId: 2 }], terminal: { protocol: 'zvt' } });
  });

  it.each([
    ['--no-sim-panel', ['--no-sim-panel'], {}],
    ['KIOSK_NO_SIM_PANEL=1', [], { KIOSK_NO_SIM_PANEL: '1' }],
  ])('%s: no sim part in the snapshots; the simulated car still plugs in', async (_how, argv, env) => {
    const booted = await boot(argv, env);
    expect(booted.simPanel).toBe(false);
    const { service, station } = booted.kiosk;
    const seen: Snapshot[] = [];
    const unsubscribe = service.subscribe((snapshot) => seen.push(snapshot));
    try {
      expect(service.snapshot().sim).toBeNull();
      expect(await service.handleSim({ type: 'plug', connectorId: 1, plugged: true })).toEqual({ ok: true });
      await until(() => station.snapshot().sim?.chargers?.[0]?.plugged === true && seen.length > 0);
      expect(seen.every((snapshot) => snapshot.sim === null)).toBe(true);
      expect(service.snapshot().sim).toBeNull();
      expect(service.snapshot().connectors).toHaveLength(2);
    } finally {
      unsubscribe();
    }
  });

  it('KIOSK_NO_SIM_PANEL=0 keeps it', async () => {
    const booted = await boot([], { KIOSK_NO_SIM_PANEL: '0' });
    expect(booted.kiosk.service.snapshot().sim).not.toBeNull();
  });

  it('the Electron shell (lenient) takes the flag among Chromium switches', async () => {
    const booted = await bootKiosk({ argv: ['.', '--no-sandbox', '--no-sim-panel', '--data', join(dir, 'shell')], env: {} as NodeJS.ProcessEnv, strict: false });
    started.push(booted);
    expect(booted.kiosk.service.snapshot().sim).toBeNull();
  });
});
