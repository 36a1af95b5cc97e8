// The bundles as scripts/build-main.mjs makes them, the Electron ones checked without the
// Electron binary: the preload is one CommonJS file that needs nothing but 'electron'
// (all a sandboxed preload can load) and runs in a sandbox-like context; the main
// bundle runs under Node with a stand-in 'electron', finds its preload and screen
// beside itself, and carries a command from the window to the real station and back.
// Both main entries turn Node's module compile cache on before any package loads.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { runInNewContext } from 'node:vm';
import { build, type BuildOptions, type Metafile } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IPC_CHANNELS } from '../../../electron/contract/ipc-channels.js';

const ROOT = resolve(import.meta.dirname, '../../..');
let out = '';
let preloadMeta: Metafile;
let webMeta: Metafile;

beforeAll(async () => {
  out = mkdtempSync(join(tmpdir(), 'kiosk-bundles-'));
  const options = (await import(pathToFileURL(join(ROOT, 'scripts/build-main.mjs')).href)) as Record<string, BuildOptions>;
  const common = { absWorkingDir: ROOT, outdir: join(out, 'dist/main'), metafile: true, logLevel: 'silent' } as const;
  const [, preload, web] = await Promise.all([
    build({ ...options.electronMainOptions, ...common }),
    build({ ...options.preloadOptions, ...common }),
    build({ ...options.webMainOptions, ...common }),
  ]);
  preloadMeta = preload.metafile!;
  webMeta = web.metafile!;
});

afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('preload bundle', () => {
  it('is one CommonJS file whose only import is electron', () => {
    const outputs = Object.entries(preloadMeta.outputs).filter(([file]) => file.endsWith('.cjs'));
    expect(outputs).toHaveLength(1);
    const [file, output] = outputs[0]!;
    expect(file).toMatch(/preload\.cjs$/);
    expect(output.imports.map((i) => i.path)).toEqual(['electron']);
    const code = readFileSync(join(out, 'dist/main/preload.cjs'), 'utf8');
    expect([...code.matchAll(/require\(["']([^"']+)["']\)/g)].map((m) => m[1])).toEqual(['electron']);
    expect(code).not.toMatch(/\bimport\s*\(|\bimport\s+[\w{*]/); // no ESM left
  });

  it('runs where only electron can be required, exposing window.kiosk on the fixed channels', async () => {
    const exposed: [string, unknown][] = [];
    const invoked: [string, unknown][] = [];
    const listening: string[] = [];
    const electron = {
      contextBridge: { exposeInMainWorld: (key: string, api: unknown) => exposed.push([key, api]) },
      ipcRenderer: {
        invoke: async (channel: string, body: unknown) => {
          invoked.push([channel, body]);
          return { ok: true };
        },
        on: (channel: string) => listening.push(channel),
      },
    };
    const sandboxRequire = (id: string) => {
      if (id === 'electron') return electron;
      throw new Error(`module not found: ${id}`);
    };
    const module = { exports: {} };
    runInNewContext(readFileSync(join(out, 'dist/main/preload.cjs'), 'utf8'), { require: sandboxRequire, module, exports: module.exports, console });
    expect(exposed.map(([key]) => key)).toEqual(['kiosk']);
    const kiosk = exposed[0]![1] as { send(c: unknown): Promise<unknown>; sim(c: unknown): Promise<unknown> };
    expect(Object.keys(kiosk).sort()).toEqual(['send', 'sim', 'subscribe', 'tech']);
    expect(await kiosk.send({ type: 'goHome' })).toEqual({ ok: true });
    expect(await kiosk.sim({ type: 'cardOutcome', outcome: 'decline' })).toEqual({ ok: true });
    expect(invoked.map(([channel]) => channel)).toEqual([IPC_CHANNELS.command, IPC_CHANNELS.sim]);
    expect(listening).toEqual([IPC_CHANNELS.snapshot]);
  });
});

/** A stand-in 'electron' for the bundled main under plain Node: drives one command, then quits. */
const FAKE_ELECTRON = String.raw`
const Module = require('node:module');
const { EventEmitter } = require('node:events');
const { pathToFileURL } = require('node:url');
const report = { lock: 0, sandbox: false, switches: [], menu: [], blocker: [], windows: [], loads: [], handlers: [], results: [], snapshots: 0, exit: null };
const appEvents = new EventEmitter();
const handlers = new Map();
const windows = [];
class WebContents extends EventEmitter {
  constructor() { super(); this.id = windows.length + 1; this.mainFrame = { url: 'about:blank', parent: null }; }
  send(channel) { if (channel === process.env.FAKE_SNAPSHOT_CHANNEL) report.snapshots++; }
  isDestroyed() { return false; }
  setWindowOpenHandler() {}
}
class BrowserWindow extends EventEmitter {
  constructor(options) {
    super();
    this.webContents = new WebContents();
    windows.push(this);
    report.windows.push({ ...options, webPreferences: { ...options.webPreferences, session: undefined } });
  }
  isDestroyed() { return false; }
  async loadFile(file) {
    report.loads.push(file);
    this.webContents.mainFrame.url = pathToFileURL(file).href;
    setTimeout(() => drive(this), 50);
  }
}
async function drive(win) {
  const event = { sender: win.webContents, senderFrame: win.webContents.mainFrame };
  const handler = handlers.get(process.env.FAKE_COMMAND_CHANNEL);
  report.results.push(await handler(event, { type: 'selectConnector', connectorId: 1 }));
  report.results.push(await handler(event, { type: 'selectConnector' }));
  report.results.push(await handler({ sender: win.webContents, senderFrame: { url: win.webContents.mainFrame.url, parent: win.webContents.mainFrame } }, { type: 'goHome' }));
  app.quit();
}
const app = {
  isPackaged: false,
  requestSingleInstanceLock() { report.lock++; return true; },
  enableSandbox() { report.sandbox = true; },
  commandLine: { appendSwitch(name, value) { report.switches.push([name, value]); } },
  getPath(name) { return '/nonexistent/' + name; },
  whenReady() { return Promise.resolve(); },
  on(name, listener) { appEvents.on(name, listener); return app; },
  quit() { let prevented = false; appEvents.emit('before-quit', { preventDefault() { prevented = true; } }); if (!prevented) app.exit(0); },
  exit(code) { report.exit = code; report.handlers = [...handlers.keys()]; process.stdout.write('REPORT ' + JSON.stringify(report) + '\n'); process.exit(code); },
};
const electron = {
  app,
  BrowserWindow,
  ipcMain: { handle(channel, fn) { handlers.set(channel, fn); }, removeHandler(channel) { handlers.delete(channel); } },
  Menu: { setApplicationMenu(menu) { report.menu.push(menu); } },
  powerSaveBlocker: { start(type) { report.blocker.push(type); return 1; }, stop() { report.blocker.push('stopped'); }, isStarted() { return true; } },
  session: { defaultSession: { webRequest: { onHeadersReceived() {} }, setPermissionRequestHandler() {}, setPermissionCheckHandler() {} } },
};
const load = Module._load;
Module._load = function (request, ...rest) { return request === 'electron' ? electron : load.call(this, request, ...rest); };
`;

describe('electron main bundle', () => {
  it('boots under Node with a stand-in electron, serves a command from its window and stops cleanly', async () => {
    const hook = join(out, 'fake-electron.cjs');
    writeFileSync(hook, FAKE_ELECTRON);
    const main = join(out, 'dist/main/electron-main.cjs');
    const child = spawn(process.execPath, ['-r', hook, main, '--data', join(out, 'data'), '--no-sandbox', '--remote-debugging-port=0'], {
      env: {
        ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('KIOSK_'))),
        NODE_PATH: join(ROOT, 'node_modules'),
        FAKE_COMMAND_CHANNEL: IPC_CHANNELS.command,
        FAKE_SNAPSHOT_CHANNEL: IPC_CHANNELS.snapshot,
      },
      cwd: out,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((done) => child.once('exit', done));
    expect(code, stderr + stdout).toBe(0);
    const report = JSON.parse(/^REPORT (.*)$/m.exec(stdout)![1]!);

    expect(report.lock).toBe(1);
    expect(report.sandbox).toBe(true);
    expect(report.switches).toEqual([['disable-features', 'DeferRendererTasksAfterInput']]);
    expect(report.menu).toEqual([null]);
    expect(report.blocker).toEqual(['prevent-display-sleep', 'stopped']);
    expect(report.windows).toHaveLength(1);
    expect(report.windows[0]).toMatchObject({ kiosk: true, fullscreen: true, webPreferences: { sandbox: true, contextIsolation: true, nodeIntegration: false } });
    // the bundle finds its files beside itself (import.meta.url is defined for CommonJS)
    expect(report.windows[0].webPreferences.preload).toBe(join(out, 'dist/main/preload.cjs'));
    expect(report.loads).toEqual([join(out, 'dist/renderer/index.html')]);
    expect(report.results).toEqual([
      { ok: true },
      { ok: false, error: expect.objectContaining({ code: 'invalid' }) },
      { ok: false, error: expect.objectContaining({ code: 'rejected' }) },
    ]);
    expect(report.snapshots).toBeGreaterThan(0);
    expect(report.handlers).toEqual([]); // unbound before exit
    expect(report.exit).toBe(0);
  }, 30_000);
});

describe('the main entries and the compile cache', () => {
  it('web-main.js turns the cache on, then imports the kiosk, a file of its own that loads the packages', () => {
    const outputs = Object.fromEntries(Object.entries(webMeta.outputs).filter(([file]) => file.endsWith('.js')).map(([file, o]) => [file.split('/').pop()!, o]));
    expect(Object.keys(outputs).sort()).toEqual(['web-kiosk.js', 'web-main.js']);
    const entry = outputs['web-main.js']!;
    expect(entry.imports.map((i) => [i.path, i.kind])).toEqual([
      ['node:module', 'import-statement'],
      [expect.stringMatching(/web-kiosk\.js$/), 'dynamic-import'],
    ]);
    const code = readFileSync(join(out, 'dist/main/web-main.js'), 'utf8');
    expect(code.indexOf('enableCompileCache?.()')).toBeGreaterThan(-1);
    expect(code.indexOf('enableCompileCache?.()')).toBeLessThan(code.indexOf('import("./web-kiosk.js")'));
    const packages = outputs['web-kiosk.js']!.imports.filter((i) => !i.path.startsWith('node:')).map((i) => i.path);
    expect(packages).toEqual(expect.arrayContaining(['zod', 'pino', 'ws', 'xstate', '@photostructure/sqlite']));
  });

  it('electron-main.cjs turns the cache on in its first line, before any require', () => {
    const code = readFileSync(join(out, 'dist/main/electron-main.cjs'), 'utf8');
    expect(code.split('\n')[0]).toBe('require("node:module").enableCompileCache?.();');
  });

  it('serialport is required only when a port opens: never in a kiosk whose devices are all simulated', () => {
    const kiosk = webMeta.outputs[Object.keys(webMeta.outputs).find((f) => f.endsWith('web-kiosk.js'))!]!;
    expect(kiosk.imports.filter((i) => i.path === 'serialport').map((i) => i.kind)).toEqual(['dynamic-import']);
  });
});
