// The kiosk's windows and their hardening. No Electron at run time here: the
// BrowserWindow constructor, the session and the clock come in as parameters, so the
// factory is tested in plain Node with fakes (test/unit/electron/window.test.ts).
//
// The screen is untrusted content (README, Layers): it runs sandboxed, with context
// isolation and no Node, sees the brain only through the preload's `window.kiosk`,
// cannot navigate away from its own index file, open windows, ask for permissions or
// reach the network. A renderer that keeps crashing gives way to a static page that
// tells the driver whom to call, instead of a reload loop.
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import type { Clock, TimerHandle } from '../../devices/clock.js';

// What the factory needs of Electron, declared here (only main.ts, the preload and
// the IPC binding may import 'electron', README Layers). Electron's BrowserWindow,
// WebContents and Session fit these shapes; main.ts passes the real ones.

/** A navigation or redirect about to happen; preventDefault() stops it. */
export interface NavigationEvent {
  url: string;
  preventDefault(): void;
}

export interface WindowContents {
  on(event: 'will-navigate', listener: (event: NavigationEvent) => void): unknown;
  on(event: 'will-redirect', listener: (event: NavigationEvent) => void): unknown;
  on(event: 'will-attach-webview', listener: (event: { preventDefault(): void }) => void): unknown;
  on(event: 'render-process-gone', listener: (event: unknown, details: { reason: string; exitCode: number }) => void): unknown;
  on(event: 'unresponsive', listener: () => void): unknown;
  on(event: 'responsive', listener: () => void): unknown;
  on(
    event: 'did-fail-load',
    listener: (event: unknown, errorCode: number, errorDescription: string, validatedURL: string, isMainFrame: boolean) => void,
  ): unknown;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void;
}

export interface KioskWindowHandle {
  readonly webContents: WindowContents;
  loadFile(filePath: string): Promise<void>;
  loadURL(url: string): Promise<void>;
  isDestroyed(): boolean;
  on(event: 'closed', listener: () => void): unknown;
}

export interface HeadersDetails {
  url: string;
  responseHeaders?: Record<string, string[]>;
}

export interface HardenableSession {
  webRequest: {
    onHeadersReceived(listener: (details: HeadersDetails, callback: (response: { responseHeaders?: Record<string, string | string[]> }) => void) => void): void;
  };
  setPermissionRequestHandler(handler: (webContents: unknown, permission: string, callback: (granted: boolean) => void) => void): void;
  setPermissionCheckHandler(handler: (webContents: unknown, permission: string) => boolean): void;
}

export interface KioskWebPreferences<S extends HardenableSession> {
  contextIsolation: true;
  sandbox: true;
  nodeIntegration: false;
  nodeIntegrationInWorker: false;
  nodeIntegrationInSubFrames: false;
  webSecurity: true;
  allowRunningInsecureContent: false;
  webviewTag: false;
  spellcheck: false;
  navigateOnDragDrop: false;
  devTools: boolean;
  preload: string;
  session: S;
}

export interface KioskWindowConstructorOptions<S extends HardenableSession> {
  show: boolean;
  kiosk: boolean;
  fullscreen: boolean;
  autoHideMenuBar: boolean;
  backgroundColor: string;
  title: string;
  webPreferences: KioskWebPreferences<S>;
}

/** The driver's screen, and (later) a hidden window for the card terminal's web UI with its own preload. */
export type WindowRole = 'kiosk' | 'payment';

export type WindowLog = Pick<Logger, 'info' | 'warn' | 'error'>;

/** The screen's policy for file:// documents: the web host's without its ws:// (IPC needs no network). */
export const KIOSK_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'; object-src 'none'";

export interface KioskWindowDeps<W extends KioskWindowHandle, S extends HardenableSession> {
  /** Electron's BrowserWindow (or a fake). */
  BrowserWindow: new (options: KioskWindowConstructorOptions<S>) => W;
  /** The session the window runs in; it is hardened once (CSP, permissions). */
  session: S;
  clock: Clock;
  log: WindowLog;
}

export interface CrashPage {
  /** The language it is written in (the page's lang). */
  lang: string;
  title: string;
  /** Paragraphs below the title: what happened, whom to call. */
  lines: string[];
}

export interface KioskWindowOptions {
  role: WindowRole;
  /** Absolute path of the page the window may show (dist/renderer/index.html). */
  indexFile: string;
  /** Absolute path of the bundled preload (one CommonJS file). */
  preload: string;
  /** Developer tools, only for development. */
  dev?: boolean;
  backgroundColor?: string;
  /** Shown when the renderer keeps crashing: asked for then, in the language the screen was showing. */
  crashPage: () => CrashPage;
  /** More than `maxCrashes` within `windowMs` stops the reloading; `retryAfterMs` later the screen is tried again (null: never). */
  crashLoop?: { maxCrashes?: number; windowMs?: number; retryAfterMs?: number | null };
}

const DEFAULT_CRASH_LOOP = { maxCrashes: 3, windowMs: 60_000, retryAfterMs: 5 * 60_000 as number | null };

/** Whether `url` is the app's own index file (query and fragment aside). */
export function isAppIndexUrl(url: string, indexFile: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.protocol !== 'file:' || (parsed.host !== '' && parsed.host !== 'localhost')) return false;
  parsed.search = '';
  parsed.hash = '';
  try {
    return fileURLToPath(parsed) === indexFile;
  } catch {
    return false;
  }
}

/** The window's webPreferences: isolated, sandboxed, no Node, no webviews. */
export function kioskWebPreferences<S extends HardenableSession>(options: Pick<KioskWindowOptions, 'preload' | 'dev'>, session: S): KioskWebPreferences<S> {
  return {
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    spellcheck: false,
    navigateOnDragDrop: false,
    devTools: options.dev === true,
    preload: options.preload,
    session,
  };
}

const hardened = new WeakSet<HardenableSession>();

/**
 * Hardens a session once: a strict CSP header on every file:// response (the meta
 * tag in index.html stays as a second line), and no permission is ever granted.
 */
export function hardenSession(session: HardenableSession, log: WindowLog): void {
  if (hardened.has(session)) return;
  hardened.add(session);
  session.webRequest.onHeadersReceived((details, callback) => {
    if (!details.url.startsWith('file:')) {
      callback({});
      return;
    }
    callback({
      responseHeaders: {
        ...details.responseHeaders,
        'Content-Security-Policy': [KIOSK_CSP],
        'X-Content-Type-Options': ['nosniff'],
      },
    });
  });
  session.setPermissionRequestHandler((_webContents, permission, callback) => {
    log.warn({ permission }, 'refused a permission request from the screen');
    callback(false);
  });
  session.setPermissionCheckHandler(() => false);
}

/** Creates (but does not load) a kiosk window; the caller loads `indexFile` with loadFile. */
export function createKioskWindow<W extends KioskWindowHandle, S extends HardenableSession>(deps: KioskWindowDeps<W, S>, options: KioskWindowOptions): W {
  const { clock, log } = deps;
  const { role, indexFile } = options;
  const crashLoop = { ...DEFAULT_CRASH_LOOP, ...options.crashLoop };
  const visible = role === 'kiosk';
  hardenSession(deps.session, log);

  const win = new deps.BrowserWindow({
    show: visible,
    kiosk: visible,
    fullscreen: visible,
    autoHideMenuBar: true,
    backgroundColor: options.backgroundColor ?? '#eef1f4', // the screen's --bg: no white flash while it loads
    title: 'Chargepoint Kiosk',
    webPreferences: kioskWebPreferences(options, deps.session),
  });
  const contents = win.webContents;

  // Only the index file: links, form posts, drops and redirects elsewhere are refused.
  const guard = (kind: string) => (event: NavigationEvent) => {
    if (isAppIndexUrl(event.url, indexFile)) return;
    event.preventDefault();
    log.warn({ role, url: event.url }, `refused ${kind}`);
  };
  contents.on('will-navigate', guard('navigation'));
  contents.on('will-redirect', guard('redirect'));
  contents.on('will-attach-webview', (event) => {
    event.preventDefault();
    log.warn({ role }, 'refused a webview');
  });
  contents.setWindowOpenHandler(({ url }) => {
    log.warn({ role, url }, 'refused to open a window');
    return { action: 'deny' };
  });

  // A crashed renderer comes back; a renderer that keeps crashing does not loop.
  let crashes: number[] = [];
  let brokenSince: number | null = null;
  let retryTimer: TimerHandle | null = null;
  const loadIndex = () => {
    if (win.isDestroyed()) return;
    win.loadFile(indexFile).catch((error: unknown) => log.error({ err: error, role }, 'could not load the screen'));
  };
  contents.on('render-process-gone', (_event, details) => {
    if (win.isDestroyed()) return;
    const now = clock.now();
    if (brokenSince !== null) {
      log.error({ role, reason: details.reason, exitCode: details.exitCode }, 'the crash page\'s renderer is gone too');
      return;
    }
    crashes = [...crashes.filter((at) => now - at < crashLoop.windowMs), now];
    if (crashes.length <= crashLoop.maxCrashes) {
      log.error({ role, reason: details.reason, exitCode: details.exitCode, recentCrashes: crashes.length }, 'screen renderer gone; reloading');
      loadIndex();
      return;
    }
    brokenSince = now;
    log.error(
      { role, reason: details.reason, exitCode: details.exitCode, recentCrashes: crashes.length, retryAfterMs: crashLoop.retryAfterMs },
      'screen renderer keeps crashing; showing the crash page',
    );
    win.loadURL(crashPageUrl(options.crashPage())).catch((error: unknown) => log.error({ err: error, role }, 'could not show the crash page'));
    if (crashLoop.retryAfterMs !== null) {
      retryTimer = clock.setTimeout(() => {
        retryTimer = null;
        brokenSince = null;
        crashes = [];
        log.info({ role }, 'trying the screen again after its crash loop');
        loadIndex();
      }, crashLoop.retryAfterMs);
    }
  });
  contents.on('unresponsive', () => log.warn({ role }, 'screen renderer unresponsive'));
  contents.on('responsive', () => log.info({ role }, 'screen renderer responsive again'));
  contents.on('did-fail-load', (_event, errorCode, errorDescription, validatedURL, isMainFrame) => {
    if (isMainFrame) log.error({ role, errorCode, errorDescription, url: validatedURL }, 'screen failed to load');
  });
  win.on('closed', () => {
    if (retryTimer !== null) clock.clearTimeout(retryTimer);
    retryTimer = null;
  });
  return win;
}

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** A self-contained page without scripts: the title and lines, large and legible. */
export function crashPageUrl(page: CrashPage): string {
  const html =
    `<!doctype html><html lang="${escapeHtml(page.lang)}"><head><meta charset="utf-8">` +
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">` +
    `<title>${escapeHtml(page.title)}</title>` +
    '<style>body{font:1.6rem/1.5 system-ui,sans-serif;margin:10vh 8vw;color:#111;background:#fff}h1{font-size:2.6rem}</style>' +
    `</head><body><h1>${escapeHtml(page.title)}</h1>` +
    page.lines.map((line) => `<p>${escapeHtml(line)}</p>`).join('') +
    '</body></html>';
  return `data:text/html;charset=utf-8,${encodeURIComponent(html)}`;
}
