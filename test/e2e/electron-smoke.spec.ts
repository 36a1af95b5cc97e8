// The Electron shell, launched from the build as `npm start` runs it: the screen comes
// up in a locked-down kiosk window and works through the preload bridge. Needs
// Electron's binary, which `npm ci` downloads; where it is absent (no network) every
// test here is reported as skipped with the reason. The binary is looked up on disk:
// requiring 'electron' would try to download it.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { _electron, expect, test, type ElectronApplication, type Page } from '@playwright/test';
import { E2E_CONFIG } from './kiosk-process.js';

const ROOT = resolve(import.meta.dirname, '..', '..');

/** Path of the installed Electron executable, or why there is none. */
function electronBinary(): { path: string } | { missing: string } {
  const pkg = join(ROOT, 'node_modules', 'electron');
  const pathFile = join(pkg, 'path.txt');
  if (!existsSync(pathFile)) return { missing: `${pathFile} is absent` };
  const executable = join(pkg, 'dist', readFileSync(pathFile, 'utf8').trim());
  if (!existsSync(executable)) return { missing: `${executable} is absent` };
  return { path: executable };
}

const binary = electronBinary();

test.describe('Electron kiosk shell', () => {
  test.skip(
    !('path' in binary),
    `Electron binary not installed (no network on this machine): ${'missing' in binary ? binary.missing : ''}; ` +
      'run `node node_modules/electron/install.js` once with network access',
  );

  let app: ElectronApplication;
  let page: Page;
  let dataDir: string;

  test.beforeEach(async () => {
    if (!('path' in binary)) return;
    expect(existsSync(join(ROOT, 'dist/main/electron-main.cjs')), 'run npm run build first').toBe(true);
    dataDir = mkdtempSync(join(tmpdir(), 'kiosk-electron-e2e-'));
    const config = join(dataDir, 'kiosk.json');
    writeFileSync(config, JSON.stringify(E2E_CONFIG));
    app = await _electron.launch({
      executablePath: binary.path,
      // Chromium refuses to run as root with its OS sandbox (CI containers); the
      // renderer stays sandboxed in Electron's sense (no Node, isolated world).
      args: [...(process.getuid?.() === 0 ? ['--no-sandbox'] : []), '.', '--config', config, '--data', join(dataDir, 'data')],
      cwd: ROOT,
      env: { ...process.env, KIOSK_DEV: '' } as Record<string, string>,
    });
    page = await app.firstWindow();
  });

  test.afterEach(async () => {
    if (!('path' in binary)) return;
    await app?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('shows the start screen in a locked-down kiosk window', async () => {
    await expect(page.getByRole('button', { name: 'Connector 1, Available' })).toBeVisible();
    expect(page.url()).toMatch(/^file:\/\/.*\/dist\/renderer\/index\.html$/);

    const shell = await app.evaluate(({ BrowserWindow }) => {
      const windows = BrowserWindow.getAllWindows();
      const win = windows[0]!;
      return {
        count: windows.length,
        kiosk: win.isKiosk(),
        fullScreen: win.isFullScreen(),
        menuBarVisible: win.isMenuBarVisible(),
        devToolsOpen: win.webContents.isDevToolsOpened(),
      };
    });
    expect(shell.count).toBe(1);
    expect(shell.kiosk).toBe(true);
    expect(shell.fullScreen).toBe(true);
    expect(shell.menuBarVisible).toBe(false);
    expect(shell.devToolsOpen).toBe(false);

    // the page sees the bridge and nothing of Node or Electron (no Node integration, isolated context)
    const surface = await page.evaluate(() => {
      const page = globalThis as unknown as { kiosk: object; require?: unknown; process?: unknown; ipcRenderer?: unknown; module?: unknown };
      return {
        kiosk: Object.keys(page.kiosk).sort(),
        require: typeof page.require,
        process: typeof page.process,
        module: typeof page.module,
        ipc: typeof page.ipcRenderer,
      };
    });
    expect(surface).toEqual({ kiosk: ['send', 'sim', 'subscribe'], require: 'undefined', process: 'undefined', module: 'undefined', ipc: 'undefined' });
  });

  test('a tap reaches the brain over IPC and the next screen comes back', async () => {
    await page.getByRole('button', { name: /^Connector 1,/ }).click();
    await expect(page.getByRole('button', { name: 'Bank card' })).toBeVisible();
    await page.getByRole('button', { name: 'Cancel' }).click();
    await expect(page.getByRole('button', { name: 'Connector 1, Available' })).toBeVisible();
  });

  test('the screen cannot open windows or navigate away', async () => {
    await expect(page.getByRole('button', { name: /^Connector 1,/ })).toBeVisible();
    const url = page.url();
    type Browserish = { open(url: string): unknown; location: { href: string } };
    expect(await page.evaluate(() => (globalThis as unknown as Browserish).open('https://example.com/') === null)).toBe(true);
    await page.evaluate(() => {
      (globalThis as unknown as Browserish).location.href = 'https://example.com/';
    });
    await page.waitForTimeout(500);
    expect(page.url()).toBe(url);
    expect(app.windows()).toHaveLength(1);
  });
});
