// The kiosk window factory with a fake BrowserWindow and session: every
// webPreference, the kiosk flags, the CSP header, navigation, window.open and
// permissions refused, and the crash-loop breaker on a manual clock.
import { beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../devices/clock.js';
import { createKioskWindow, crashPageUrl, isAppIndexUrl, KIOSK_CSP, type KioskWindowOptions } from '../../../electron/shell/window.js';
import { FakeBrowserWindow, FakeSession, fakeLog, INDEX_FILE, INDEX_URL, PRELOAD_FILE } from './fakes.js';

const CRASH_PAGE = { lang: 'en', title: 'This screen is not working', lines: ['Need help? Call +49 30 555 0100 <now>', 'Station DE-BER-0042'] };

function setup(overrides: Partial<KioskWindowOptions> = {}) {
  const clock = new ManualClock();
  const session = new FakeSession();
  const log = fakeLog();
  const win = createKioskWindow(
    { BrowserWindow: FakeBrowserWindow as never, session: session.asSession(), clock, log },
    { role: 'kiosk', indexFile: INDEX_FILE, preload: PRELOAD_FILE, crashPage: () => CRASH_PAGE, ...overrides },
  ) as unknown as FakeBrowserWindow;
  return { clock, session, log, win, contents: win.webContents };
}

function navigationEvent(url: string) {
  let prevented = false;
  return {
    url,
    preventDefault: () => {
      prevented = true;
    },
    get prevented() {
      return prevented;
    },
  };
}

beforeEach(() => {
  FakeBrowserWindow.created = [];
});

describe('kiosk window', () => {
  it('is isolated, sandboxed, without Node, webviews or spellcheck, with the given preload', () => {
    const { win, session } = setup();
    expect(win.options.webPreferences).toEqual({
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
      devTools: false,
      preload: PRELOAD_FILE,
      session,
    });
  });

  it('has developer tools only when asked for (development)', () => {
    expect(setup({ dev: true }).win.options.webPreferences!.devTools).toBe(true);
    expect(setup({ dev: false }).win.options.webPreferences!.devTools).toBe(false);
  });

  it('is a full-screen kiosk window without a menu bar, on the given background', () => {
    const { win } = setup({ backgroundColor: '#0b1f2a' });
    expect(win.options).toMatchObject({ kiosk: true, fullscreen: true, autoHideMenuBar: true, show: true, backgroundColor: '#0b1f2a' });
  });

  it('a payment window is hidden and not a kiosk window, with its own preload and the same hardening', () => {
    const { win } = setup({ role: 'payment', preload: '/opt/kiosk/dist/main/payment-preload.cjs' });
    expect(win.options).toMatchObject({ show: false, kiosk: false, fullscreen: false });
    expect(win.options.webPreferences).toMatchObject({ sandbox: true, contextIsolation: true, nodeIntegration: false, preload: '/opt/kiosk/dist/main/payment-preload.cjs' });
  });

  it('sets the strict CSP on file:// responses and leaves other responses alone', () => {
    const { session } = setup();
    expect(KIOSK_CSP).toBe(
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'; object-src 'none'",
    );
    const answer = session.headersFor(INDEX_URL, 'mainFrame', { 'Last-Modified': ['x'] });
    expect(answer.cancel).toBeUndefined();
    expect(answer.responseHeaders).toEqual({ 'Last-Modified': ['x'], 'Content-Security-Policy': [KIOSK_CSP], 'X-Content-Type-Options': ['nosniff'] });
    expect(session.headersFor('file:///opt/kiosk/dist/renderer/assets/index-abc.js', 'script').responseHeaders!['Content-Security-Policy']).toEqual([KIOSK_CSP]);
    expect(session.headersFor('https://example.com/', 'mainFrame')).toEqual({});
  });

  it('allows navigation only to its own index file', () => {
    const { contents, log } = setup();
    for (const event of ['will-navigate', 'will-redirect']) {
      for (const url of ['https://example.com/', 'file:///etc/passwd', 'file:///opt/kiosk/dist/renderer/other.html', 'data:text/html,<h1>x</h1>', 'javascript:alert(1)', 'file://evil.example/opt/kiosk/dist/renderer/index.html', 'not a url']) {
        const e = navigationEvent(url);
        contents.emit(event, e, url);
        expect(e.prevented, `${event} ${url}`).toBe(true);
      }
      for (const url of [INDEX_URL, `${INDEX_URL}#/charging`, `${INDEX_URL}?reload=1`]) {
        const e = navigationEvent(url);
        contents.emit(event, e, url);
        expect(e.prevented, `${event} ${url}`).toBe(false);
      }
    }
    expect(log.warn).toHaveBeenCalled();
  });

  it('refuses to open windows and to attach webviews', () => {
    const { contents } = setup();
    expect(contents.windowOpenHandler!({ url: 'https://example.com/' })).toEqual({ action: 'deny' });
    expect(contents.windowOpenHandler!({ url: INDEX_URL })).toEqual({ action: 'deny' });
    const e = navigationEvent('');
    contents.emit('will-attach-webview', e);
    expect(e.prevented).toBe(true);
  });

  it('grants no permission, asked or checked', () => {
    const { session } = setup();
    for (const permission of ['media', 'geolocation', 'notifications', 'serial', 'hid', 'usb', 'clipboard-read', 'fullscreen', 'openExternal']) {
      let granted: boolean | undefined;
      session.permissionRequestHandler!({}, permission, (answer) => (granted = answer), {});
      expect(granted, permission).toBe(false);
      expect(session.permissionCheckHandler!({}, permission, 'file:///', {}), permission).toBe(false);
    }
  });

  it('hardens a session once, however many windows use it', () => {
    const clock = new ManualClock();
    const session = new FakeSession();
    let hooks = 0;
    const onHeadersReceived = session.webRequest.onHeadersReceived;
    session.webRequest.onHeadersReceived = (listener) => {
      hooks++;
      onHeadersReceived(listener);
    };
    const deps = { BrowserWindow: FakeBrowserWindow as never, session: session.asSession(), clock, log: fakeLog() };
    createKioskWindow(deps, { role: 'kiosk', indexFile: INDEX_FILE, preload: PRELOAD_FILE, crashPage: () => CRASH_PAGE });
    createKioskWindow(deps, { role: 'payment', indexFile: INDEX_FILE, preload: PRELOAD_FILE, crashPage: () => CRASH_PAGE });
    expect(hooks).toBe(1);
  });

  it('logs an unresponsive renderer', () => {
    const { contents, log } = setup();
    contents.emit('unresponsive');
    expect(log.warn).toHaveBeenCalledWith(expect.objectContaining({ role: 'kiosk' }), 'screen renderer unresponsive');
  });
});

describe('crash-loop breaker', () => {
  const gone = { reason: 'crashed', exitCode: 139 };

  it('reloads the screen after a crash, up to three times within a minute', () => {
    const { win, contents, clock } = setup();
    for (let i = 0; i < 3; i++) {
      contents.emit('render-process-gone', {}, gone);
      clock.advance(10_000);
    }
    expect(win.loads).toEqual([
      { kind: 'file', target: INDEX_FILE },
      { kind: 'file', target: INDEX_FILE },
      { kind: 'file', target: INDEX_FILE },
    ]);
  });

  it('a fourth crash within 60 s stops reloading and shows the crash page with the help line', () => {
    const { win, contents, clock, log } = setup();
    for (let i = 0; i < 4; i++) {
      contents.emit('render-process-gone', {}, gone);
      clock.advance(5_000);
    }
    expect(win.loads.filter((l) => l.kind === 'file')).toHaveLength(3);
    const last = win.loads.at(-1)!;
    expect(last.kind).toBe('url');
    expect(last.target).toBe(crashPageUrl(CRASH_PAGE));
    const html = decodeURIComponent(last.target.replace(/^data:text\/html;charset=utf-8,/, ''));
    expect(html).toContain('This screen is not working');
    expect(html).toContain('Need help? Call +49 30 555 0100 &lt;now&gt;'); // escaped
    expect(html).toContain('Station DE-BER-0042');
    expect(html).not.toMatch(/<script/i);
    expect(log.error).toHaveBeenCalledWith(expect.objectContaining({ recentCrashes: 4 }), expect.stringMatching(/keeps crashing/));

    // further crashes (of the crash page) do not loop either
    contents.emit('render-process-gone', {}, gone);
    expect(win.loads.filter((l) => l.kind === 'file')).toHaveLength(3);
  });

  it('crashes spread over more than a minute never trip it', () => {
    const { win, contents, clock } = setup();
    for (let i = 0; i < 10; i++) {
      contents.emit('render-process-gone', {}, gone);
      clock.advance(25_000); // at most 3 in any 60 s
    }
    expect(win.loads.every((l) => l.kind === 'file')).toBe(true);
    expect(win.loads).toHaveLength(10);
  });

  it('tries the screen again after the retry delay, with a fresh count', () => {
    const { win, contents, clock } = setup({ crashLoop: { retryAfterMs: 120_000 } });
    for (let i = 0; i < 4; i++) contents.emit('render-process-gone', {}, gone);
    expect(win.loads.at(-1)!.kind).toBe('url');
    clock.advance(119_999);
    expect(win.loads.at(-1)!.kind).toBe('url');
    clock.advance(1);
    expect(win.loads.at(-1)).toEqual({ kind: 'file', target: INDEX_FILE });
    contents.emit('render-process-gone', {}, gone);
    expect(win.loads.at(-1)).toEqual({ kind: 'file', target: INDEX_FILE });
  });

  it('with no retry, the crash page stays; closing the window cancels a pending retry', () => {
    const never = setup({ crashLoop: { retryAfterMs: null } });
    for (let i = 0; i < 4; i++) never.contents.emit('render-process-gone', {}, gone);
    never.clock.advance(3_600_000);
    expect(never.win.loads.at(-1)!.kind).toBe('url');
    expect(never.clock.pendingTimers()).toBe(0);

    const closing = setup();
    for (let i = 0; i < 4; i++) closing.contents.emit('render-process-gone', {}, gone);
    expect(closing.clock.pendingTimers()).toBe(1);
    closing.win.close();
    expect(closing.clock.pendingTimers()).toBe(0);
  });

  it('honours a custom limit', () => {
    const { win, contents } = setup({ crashLoop: { maxCrashes: 1, windowMs: 1_000 } });
    contents.emit('render-process-gone', {}, gone);
    contents.emit('render-process-gone', {}, gone);
    expect(win.loads.map((l) => l.kind)).toEqual(['file', 'url']);
  });
});

describe('isAppIndexUrl', () => {
  it('accepts only the index file itself', () => {
    expect(isAppIndexUrl(INDEX_URL, INDEX_FILE)).toBe(true);
    expect(isAppIndexUrl(`${INDEX_URL}#x`, INDEX_FILE)).toBe(true);
    expect(isAppIndexUrl('file://localhost/opt/kiosk/dist/renderer/index.html', INDEX_FILE)).toBe(true);
    expect(isAppIndexUrl('file:///opt/kiosk/dist/renderer/../renderer/index.html', INDEX_FILE)).toBe(true); // URL parsing normalises
    expect(isAppIndexUrl('file:///opt/kiosk/dist/renderer/index.html.evil', INDEX_FILE)).toBe(false);
    expect(isAppIndexUrl('http://127.0.0.1:8080/index.html', INDEX_FILE)).toBe(false);
    expect(isAppIndexUrl('', INDEX_FILE)).toBe(false);
  });
});
