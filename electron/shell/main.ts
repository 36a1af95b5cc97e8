// `npm start`: the kiosk as it runs on the station, an Electron shell around the same
// brain as the web host. One instance per machine (and one per data folder, boot.ts),
// no menu, the display never sleeps, the screen in a locked-down full-screen window
// (window.ts) that talks to the brain through the preload's bridge (ipc-binding.ts).
//
// Options: those of boot.ts (--config, --data, --clock-speed and their KIOSK_*
// variables); --port is ignored. `--dev` or KIOSK_DEV=1 opens developer tools in an
// unpackaged build. A packaged app keeps its configuration and data in Electron's
// userData folder unless told otherwise.
//
// Bundled by esbuild into dist/main/electron-main.cjs (scripts/build-main.mjs).
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, BrowserWindow, ipcMain, Menu, powerSaveBlocker, session } from 'electron';
import { systemClock } from '../../devices/clock.js';
import { bootKiosk, onStopSignals, startupFailure, type Booted } from '../boot.js';
import { DISABLED_CHROMIUM_FEATURES } from './chromium-switches.js';
import { bindIpc, type IpcBinding } from './ipc-binding.js';
import { createKioskWindow } from './window.js';
import { crashPageIn } from '../messages.js';

const here = dirname(fileURLToPath(import.meta.url));
/** The built screen and the bundled preload, beside this file in dist/. */
export const INDEX_FILE = resolve(here, '..', 'renderer', 'index.html');
export const PRELOAD_FILE = resolve(here, 'preload.cjs');

const windows = new Set<BrowserWindow>();

async function start(): Promise<void> {
  // Every renderer is sandboxed, whatever a window asks for.
  app.enableSandbox();
  // Before the app is ready, as Chromium reads its switches then (chromium-switches.ts).
  app.commandLine.appendSwitch('disable-features', DISABLED_CHROMIUM_FEATURES.join(','));
  const argv = process.argv.slice(1);
  const dev = !app.isPackaged && (argv.includes('--dev') || process.env.KIOSK_DEV === '1');
  const defaults = app.isPackaged
    ? { config: join(app.getPath('userData'), 'kiosk.yaml'), dataDir: join(app.getPath('userData'), 'data') }
    : {};

  let booted: Booted;
  try {
    booted = await bootKiosk({ argv, strict: false, defaults });
  } catch (error) {
    app.exit(startupFailure(error));
    return;
  }
  const { kiosk, log, config } = booted;

  app.on('second-instance', () => {
    const first = [...windows].find((win) => !win.isDestroyed());
    if (first?.isMinimized()) first.restore();
    first?.focus();
  });
  // A backstop for every web contents, whoever made it.
  app.on('web-contents-created', (_event, contents) => {
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
    contents.on('will-attach-webview', (event) => event.preventDefault());
  });

  await app.whenReady();
  Menu.setApplicationMenu(null);
  const blocker = powerSaveBlocker.start('prevent-display-sleep');

  const win = createKioskWindow(
    { BrowserWindow, session: session.defaultSession, clock: systemClock, log },
    {
      role: 'kiosk',
      indexFile: INDEX_FILE,
      preload: PRELOAD_FILE,
      dev,
      crashPage: () => crashPageIn(kiosk.service.snapshot().screen.language, config.station),
    },
  );
  windows.add(win);
  win.on('closed', () => windows.delete(win));
  const binding: IpcBinding = bindIpc(ipcMain, kiosk.service, () => [...windows], log, { indexFile: INDEX_FILE });
  await win.loadFile(INDEX_FILE).catch((error: unknown) => log.error({ err: error }, 'could not load the screen'));
  log.info({ index: INDEX_FILE, dev }, 'kiosk window ready');

  let stopped = false;
  let stopping = false;
  app.on('window-all-closed', () => app.quit());
  app.on('before-quit', (event) => {
    if (stopped) return;
    event.preventDefault();
    if (stopping) return;
    stopping = true;
    void (async () => {
      log.info('kiosk stopping');
      binding();
      if (powerSaveBlocker.isStarted(blocker)) powerSaveBlocker.stop(blocker);
      try {
        await booted.close();
      } finally {
        stopped = true;
        app.exit(0);
      }
    })();
  });
  onStopSignals(() => app.quit());
}

if (!app.requestSingleInstanceLock()) {
  // Another kiosk already runs on this machine: it keeps the screen.
  app.quit();
} else {
  start().catch((error: unknown) => app.exit(startupFailure(error)));
}
