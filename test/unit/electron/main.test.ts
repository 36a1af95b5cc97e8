// The Electron entry with a mocked 'electron' and the real brain on a temporary data
// folder: single-instance lock, no menu, display kept awake, the hardened window
// loading the built screen, IPC reaching the station, and a clean stop on quit.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { IPC_CHANNELS } from '../../../electron/contract/ipc-channels.js';
import type { Snapshot } from '../../../electron/contract/index.js';
import type { FakeBrowserWindow, FakeIpcMain, FakeSession } from './fakes.js';

const windows = () => fake.windows as FakeBrowserWindow[];

const fake = vi.hoisted(() => ({
  lock: true,
  exitCodes: [] as number[],
  quitCalls: 0,
  listeners: new Map<string, ((...args: unknown[]) => void)[]>(),
  menu: [] as unknown[],
  blockerStarts: [] as string[],
  blockerStops: [] as number[],
  sandboxEnabled: false,
  switches: [] as [string, string | undefined][],
  ipcMain: null as unknown,
  session: null as unknown,
  windows: [] as unknown[],
}));

vi.mock('electron', async () => {
  const { FakeBrowserWindow, FakeIpcMain, FakeSession } = await import('./fakes.js');
  // (after vi.resetModules this is a fresh copy of fakes.js: windows are collected in `fake`)
  class RecordedWindow extends FakeBrowserWindow {
    constructor(options: ConstructorParameters<typeof FakeBrowserWindow>[0]) {
      super(options);
      fake.windows.push(this);
    }
  }
  fake.ipcMain = new FakeIpcMain();
  fake.session = new FakeSession();
  const emit = (name: string, ...args: unknown[]) => {
    for (const listener of fake.listeners.get(name) ?? []) listener(...args);
  };
  const app = {
    isPackaged: false,
    requestSingleInstanceLock: () => fake.lock,
    enableSandbox: () => {
      fake.sandboxEnabled = true;
    },
    commandLine: {
      appendSwitch: (name: string, value?: string) => {
        fake.switches.push([name, value]);
      },
    },
    getPath: (name: string) => join(tmpdir(), `electron-${name}`),
    whenReady: () => Promise.resolve(),
    on: (name: string, listener: (...args: unknown[]) => void) => {
      fake.listeners.set(name, [...(fake.listeners.get(name) ?? []), listener]);
      return app;
    },
    quit: () => {
      fake.quitCalls++;
      let prevented = false;
      emit('before-quit', { preventDefault: () => (prevented = true) });
      if (!prevented) fake.exitCodes.push(0);
    },
    exit: (code = 0) => {
      fake.exitCodes.push(code);
    },
  };
  return {
    app,
    BrowserWindow: RecordedWindow,
    ipcMain: fake.ipcMain,
    Menu: { setApplicationMenu: (menu: unknown) => fake.menu.push(menu) },
    powerSaveBlocker: {
      start: (type: string) => {
        fake.blockerStarts.push(type);
        return 7;
      },
      stop: (id: number) => fake.blockerStops.push(id),
      isStarted: () => true,
    },
    session: { defaultSession: fake.session },
  };
});

let dataDir = '';
const savedEnv = { ...process.env };

beforeEach(() => {
  vi.resetModules();
  Object.assign(fake, { lock: true, exitCodes: [], quitCalls: 0, menu: [], blockerStarts: [], blockerStops: [], sandboxEnabled: false, switches: [], windows: [] });
  fake.listeners.clear();
  dataDir = mkdtempSync(join(tmpdir(), 'kiosk-electron-main-'));
  process.env.KIOSK_DATA_DIR = join(dataDir, 'data');
  delete process.env.KIOSK_CONFIG;
  delete process.env.KIOSK_DEV;
});

afterEach(() => {
  process.env = { ...savedEnv };
  rmSync(dataDir, { recursive: true, force: true });
});

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 400 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 25));
  if (!condition()) throw new Error(`timed out waiting for ${what}`);
}

describe('electron main', () => {
  it('quits at once when another instance holds the lock, touching nothing', async () => {
    fake.lock = false;
    await import('../../../electron/shell/main.js');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(fake.quitCalls).toBe(1);
    expect(windows()).toHaveLength(0);
    expect(existsSync(join(dataDir, 'data'))).toBe(false);
  });

  it('starts the brain, opens the hardened kiosk window on the built screen, binds IPC, and stops cleanly on quit', async () => {
    const main = await import('../../../electron/shell/main.js');
    await until(() => windows()[0]?.loads.length === 1, 'the window to load');
    const win = windows()[0]!;

    expect(fake.sandboxEnabled).toBe(true);
    // A tap's answer is read before Chromium's next frame, not after it (chromium-switches.ts).
    expect(fake.switches).toEqual([['disable-features', 'DeferRendererTasksAfterInput']]);
    expect(fake.menu).toEqual([null]);
    expect(fake.blockerStarts).toEqual(['prevent-display-sleep']);
    expect(windows()).toHaveLength(1);
    expect(win.options).toMatchObject({ kiosk: true, fullscreen: true, autoHideMenuBar: true });
    expect(win.options.webPreferences).toMatchObject({ sandbox: true, contextIsolation: true, nodeIntegration: false, devTools: false, preload: main.PRELOAD_FILE });
    expect(main.PRELOAD_FILE).toMatch(/preload\.cjs$/);
    expect(main.INDEX_FILE).toMatch(/renderer[/\\]index\.html$/);
    expect(win.loads).toEqual([{ kind: 'file', target: main.INDEX_FILE }]);
    expect((fake.session as FakeSession).headersListener).not.toBeNull();
    expect(existsSync(join(dataDir, 'data', 'kiosk.lock'))).toBe(true);

    // the screen's messages reach the real station; snapshots come back
    win.webContents.mainFrame.url = pathToFileURL(main.INDEX_FILE).href;
    const ipc = fake.ipcMain as FakeIpcMain;
    expect(await ipc.invoke(IPC_CHANNELS.command, win.webContents, { type: 'selectConnector', connectorId: 1 })).toEqual({ ok: true });
    expect(await ipc.invoke(IPC_CHANNELS.command, win.webContents, { type: 'selectConnector', connectorId: 'one' })).toMatchObject({ ok: false, error: { code: 'invalid' } });
    await until(() => win.webContents.sent.some((m) => (m.args[0] as Snapshot).focus === 1), 'a snapshot with the focus');
    expect(new Set(win.webContents.sent.map((m) => m.channel))).toEqual(new Set([IPC_CHANNELS.snapshot]));

    // quitting stops the brain and releases the data folder before exiting
    const before = fake.listeners.get('before-quit')!;
    expect(before).toHaveLength(1);
    let prevented = false;
    before[0]!({ preventDefault: () => (prevented = true) });
    expect(prevented).toBe(true);
    await until(() => fake.exitCodes.length > 0, 'the exit');
    expect(fake.exitCodes).toEqual([0]);
    expect(fake.blockerStops).toEqual([7]);
    expect(existsSync(join(dataDir, 'data', 'kiosk.lock'))).toBe(false);
    expect(ipc.handlers.size).toBe(0);
  });

  it('exits with status 2 and no window when the configuration is wrong', async () => {
    const config = join(dataDir, 'kiosk.json');
    writeFileSync(config, JSON.stringify({ payment: { holdMinor: 'lots' } }));
    process.env.KIOSK_CONFIG = config;
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      await import('../../../electron/shell/main.js');
      await until(() => fake.exitCodes.length > 0, 'the exit');
    } finally {
      stderr.mockRestore();
    }
    expect(fake.exitCodes).toEqual([2]);
    expect(windows()).toHaveLength(0);
  });
});
