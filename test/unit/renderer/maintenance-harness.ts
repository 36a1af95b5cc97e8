// The screen with its maintenance menu, in Chromium: the real App (as screen-harness.ts
// mounts it) on a stand-in bridge that is also the window's `kiosk` bridge, so the menu
// finds it as it finds Electron's; its technician commands are answered by what the test
// scripts (`reply`) and recorded (`tech()`). The page's clock can be Playwright's, so
// holds, taps and timeouts run in fake time.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { chromium, type Browser, type Page } from '@playwright/test';
import { build } from 'esbuild';
import type { Snapshot, TechCommandType, TechResult } from '../../../electron/contract/index.js';
import { NOW } from './screen-harness.js';

export { hasChromium, snapshot, NOW } from './screen-harness.js';

const ROOT = resolve(import.meta.dirname, '../../..');
const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const HARNESS = String.raw`
import { createElement } from 'react';
import { flushSync } from 'react-dom';
import { createRoot } from 'react-dom/client';
import { App } from './renderer/src/App.tsx';
import { CommandProvider } from './renderer/src/commands/CommandContext.tsx';
import { initI18n } from './renderer/src/i18n/i18n.ts';
import { StoreContext } from './renderer/src/store/StoreContext.tsx';
import { createSnapshotStore } from './renderer/src/store/snapshot-store.ts';

initI18n();
const listeners = new Set();
let current = null;
const sent = [];
const tech = [];
const replies = {};
const bridge = {
  send: async (command) => { sent.push({ kind: 'command', body: command }); return { ok: true }; },
  sim: async (command) => { sent.push({ kind: 'sim', body: command }); return { ok: true }; },
  tech: async (command, options) => {
    tech.push({ command, token: options?.token, background: options?.background });
    const queue = replies[command.type];
    const reply = queue === undefined ? { ok: true, data: null } : queue.length > 1 ? queue.shift() : queue[0];
    return JSON.parse(JSON.stringify(reply));
  },
  subscribe: (listener) => { listeners.add(listener); if (current) listener(current); return () => listeners.delete(listener); },
};
window.kiosk = bridge;
const store = createSnapshotStore(bridge);
const root = createRoot(document.getElementById('root'));
flushSync(() =>
  root.render(createElement(StoreContext.Provider, { value: store }, createElement(CommandProvider, { bridge }, createElement(App)))),
);
window.harness = {
  sent,
  tech,
  replies,
  publish(snapshot) {
    current = snapshot;
    flushSync(() => { for (const listener of listeners) listener(snapshot); });
  },
};
`;

export interface TechSent {
  command: { type: TechCommandType } & Record<string, unknown>;
  token?: string;
  background?: boolean;
}
type HarnessPage = {
  harness: {
    publish(snapshot: unknown): void;
    tech: TechSent[];
    sent: unknown[];
    replies: Record<string, TechResult[]>;
  };
};

export interface MaintenanceHarness {
  page: Page;
  publish(snapshot: Snapshot): Promise<void>;
  /** The technician commands sent since the last call. */
  tech(): Promise<TechSent[]>;
  /** What the brain answers to `type` from now on: each in turn, the last one for every later call. */
  reply(type: TechCommandType, ...results: TechResult[]): Promise<void>;
  /** Advances the page's fake clock (`fakeClock`), ms. */
  runFor(ms: number): Promise<void>;
  close(): Promise<void>;
}

/** Answers most pages need, before a test says otherwise. */
export const DEFAULT_REPLIES: Partial<Record<TechCommandType, TechResult>> = {
  hello: { ok: true, data: { technicians: true, lockedUntil: null } },
  login: { ok: true, data: { token: 'token-1', technician: 'Alice', timeoutS: 120 } },
  log: { ok: true, data: [] },
  accounts: { ok: true, data: [] },
  payments: { ok: true, data: { openHolds: [], pending: [] } },
  receipts: { ok: true, data: [] },
};

export async function openMaintenanceScreen(options: { fakeClock?: boolean; viewport?: { width: number; height: number } } = {}): Promise<MaintenanceHarness> {
  const bundle = await build({
    stdin: { contents: HARNESS, resolveDir: ROOT, loader: 'tsx', sourcefile: 'maintenance-harness.tsx' },
    bundle: true,
    write: false,
    format: 'iife',
    jsx: 'automatic',
    define: { 'process.env.NODE_ENV': '"development"' },
    logLevel: 'silent',
  });
  const script = bundle.outputFiles[0]!.text;
  const css = ['renderer/src/styles.css', 'renderer/src/maintenance/maintenance.css'].map((f) => readFileSync(resolve(ROOT, f), 'utf8')).join('\n');
  const browser: Browser = await chromium.launch({ executablePath, args: ['--no-sandbox', '--disable-gpu'] });
  const page = await browser.newPage({ viewport: options.viewport ?? { width: 1280, height: 800 } });
  // A control that is not there fails the test in seconds, not at the test's timeout.
  page.setDefaultTimeout(5000);
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  if (options.fakeClock) await page.clock.install({ time: NOW });
  await page.setContent(`<!doctype html><html><head><style>${css}</style></head><body><div id="root"></div></body></html>`);
  await page.addScriptTag({ content: script });
  if (errors.length > 0) throw new Error(`The screen failed to load: ${errors.join('; ')}`);
  const harness: MaintenanceHarness = {
    page,
    publish: (s) => page.evaluate((s) => (globalThis as unknown as HarnessPage).harness.publish(s), s),
    tech: () => page.evaluate(() => (globalThis as unknown as HarnessPage).harness.tech.splice(0)),
    reply: (type, ...results) =>
      page.evaluate(({ type, results }) => void ((globalThis as unknown as HarnessPage).harness.replies[type] = results), { type, results }),
    runFor: (ms) => page.clock.runFor(ms),
    close: () => browser.close(),
  };
  for (const [type, result] of Object.entries(DEFAULT_REPLIES)) await harness.reply(type as TechCommandType, result);
  return harness;
}

/** A point inside a corner of the driver's screen (the whole viewport here), `inset` px from its edges. */
export async function cornerPoint(page: Page, corner: 'top-left' | 'top-right' | 'bottom-left' | 'bottom-right', inset = 15): Promise<{ x: number; y: number }> {
  const box = (await page.locator('.driver').boundingBox())!;
  const x = corner.endsWith('left') ? box.x + inset : box.x + box.width - inset;
  const y = corner.startsWith('top') ? box.y + inset : box.y + box.height - inset;
  return { x, y };
}
