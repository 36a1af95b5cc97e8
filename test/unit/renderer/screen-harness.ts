// The screen as a driver and a tester see it, in Chromium: the real App (screens, i18n,
// command context, snapshot store) bundled with esbuild, fed snapshots by a stand-in
// bridge that also records what the screen sends. Shared by the renderer screen tests,
// with a snapshot fixture they adjust per test.
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { chromium, type Browser, type Page } from '@playwright/test';
import { build } from 'esbuild';
import { afterAll, beforeAll } from 'vitest';
import type {
  ConnectorPhase,
  ConnectorView,
  DeclineReason,
  SessionSummary,
  SessionView,
  SimView,
  Snapshot,
  TariffView,
  TerminalPrompt,
} from '../../../electron/contract/index.js';

const ROOT = resolve(import.meta.dirname, '../../..');
const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** The screen tests run where Chromium is; they are skipped elsewhere. */
export const hasChromium = existsSync(executablePath);

/** Mounts the App on a bridge the test drives: `harness.publish(snapshot)`, `harness.sent`. */
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
const bridge = {
  send: async (command) => { sent.push({ kind: 'command', body: command }); return { ok: true }; },
  sim: async (command) => { sent.push({ kind: 'sim', body: command }); return { ok: true }; },
  subscribe: (listener) => { listeners.add(listener); if (current) listener(current); return () => listeners.delete(listener); },
};
const store = createSnapshotStore(bridge);
const root = createRoot(document.getElementById('root'));
flushSync(() =>
  root.render(createElement(StoreContext.Provider, { value: store }, createElement(CommandProvider, { bridge }, createElement(App)))),
);
window.harness = {
  sent,
  publish(snapshot) {
    current = snapshot;
    flushSync(() => { for (const listener of listeners) listener(snapshot); });
  },
};
`;

export type Sent = { kind: 'command' | 'sim'; body: unknown };
/** The page's globals as the harness sets them (this file is type-checked without the DOM library). */
type HarnessPage = { harness: { publish(snapshot: unknown): void; sent: Sent[] } };
/** What a size check reads of an element. */
export type Box = { getBoundingClientRect(): { width: number; height: number }; scrollWidth: number; clientWidth: number };

export interface ScreenHarness {
  page: Page;
  publish(snapshot: Snapshot): Promise<void>;
  /** What the screen sent since the last call. */
  sent(): Promise<Sent[]>;
  close(): Promise<void>;
}

/** A Chromium page running `source` (a harness bundled from the renderer's files) with the screen's styles; fails when it throws while loading. */
export async function openHarnessPage(source: string, sourcefile: string): Promise<{ browser: Browser; page: Page }> {
  const bundle = await build({
    stdin: { contents: source, resolveDir: ROOT, loader: 'tsx', sourcefile },
    bundle: true,
    write: false,
    format: 'iife',
    jsx: 'automatic',
    define: { 'process.env.NODE_ENV': '"development"' },
    logLevel: 'silent',
  });
  const script = bundle.outputFiles[0]!.text;
  const css = readFileSync(resolve(ROOT, 'renderer/src/styles.css'), 'utf8');
  const browser: Browser = await chromium.launch({ executablePath, args: ['--no-sandbox', '--disable-gpu'] });
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.setContent(`<!doctype html><html><head><style>${css}</style></head><body><div id="root"></div></body></html>`);
  await page.addScriptTag({ content: script });
  if (errors.length > 0) throw new Error(`The screen failed to load: ${errors.join('; ')}`);
  return { browser, page };
}

export async function openScreen(): Promise<ScreenHarness> {
  const { browser, page } = await openHarnessPage(HARNESS, 'harness.tsx');
  return {
    page,
    publish: (s) => page.evaluate((s) => (globalThis as unknown as HarnessPage).harness.publish(s), s),
    sent: () => page.evaluate(() => (globalThis as unknown as HarnessPage).harness.sent.splice(0)),
    close: () => browser.close(),
  };
}

/** One Chromium page for the tests of a describe block: opened before them, closed after. */
export function screenForSuite(): ScreenHarness {
  let opened: ScreenHarness | null = null;
  beforeAll(async () => {
    opened = await openScreen();
  }, 60_000);
  afterAll(async () => {
    await opened?.close();
  });
  const current = (): ScreenHarness => {
    if (!opened) throw new Error('the screen is not open yet');
    return opened;
  };
  return {
    get page() {
      return current().page;
    },
    publish: (s) => current().publish(s),
    sent: () => current().sent(),
    close: () => current().close(),
  };
}

export const tariff: TariffView = {
  currency: 'EUR',
  vatPercent: '19',
  lines: [{ kind: 'energy', price: '0.39', unit: 'kWh' }],
  changes: [],
  minPriceMinor: null,
  maxPriceMinor: null,
  holdMinor: 5000,
};

export const NOW = 1_780_000_000_000;

export function summaryOf(fields: Partial<SessionSummary> = {}): SessionSummary {
  return {
    sessionId: 'S-1',
    method: 'card',
    maskedPan: null,
    startedAt: NOW - 3_600_000,
    endedAt: NOW,
    energyWh: 10_000,
    durationS: 3600,
    chargingS: 3000,
    currency: 'EUR',
    costMinor: 390,
    netMinor: 328,
    vatMinor: 62,
    vatRates: [{ vatPercent: '19', netMinor: 328, vatMinor: 62, grossMinor: 390 }],
    capturedMinor: 390,
    account: null,
    writtenOffMinor: 0,
    noCharge: false,
    parkingCapped: false,
    lines: [{ kind: 'energy', quantity: 10_000, unit: 'kWh', unitPrice: '0.39', vatPercent: '19', amountMinor: 390, netMinor: 328, vatMinor: 62 }],
    stopReason: 'driver',
    receipt: 'none',
    receiptQr: null,
    ...fields,
  };
}

let seq = 0;

/** A station with one connector A, in `phase`; a session in every phase but available and summary. */
export function snapshot(options: {
  phase?: ConnectorPhase;
  prompt?: TerminalPrompt | null;
  declineReason?: DeclineReason | null;
  terminal?: { available: boolean; busy: boolean } | null;
  methods?: Snapshot['payment']['methods'];
  rfid?: Snapshot['rfid'];
  session?: Partial<SessionView>;
  lastSummary?: SessionSummary | null;
  /** Until when the tile offers the last summary again (ConnectorView.lastSummaryUntil). */
  lastSummaryUntil?: number | null;
  sim?: SimView | null;
  /** Connector A's plug, waiting time and problem (ConnectorView). */
  connector?: Partial<Pick<ConnectorView, 'type' | 'maxPowerW' | 'countdown' | 'problem' | 'problemKind'>>;
}): Snapshot {
  const phase = options.phase ?? 'available';
  const withSession = phase !== 'available' && phase !== 'summary';
  return {
    seq: ++seq,
    now: NOW,
    station: { id: 'DE-TST-0001', name: 'Test station', helpLine: '+49 30 555 0100', locale: 'en', timeZone: 'Europe/Berlin', serviceState: 'inService', outOfServiceReason: null, serviceNote: null, maintenanceGesture: { holdCorner: 'top-left', holdS: 3, tapCorner: 'top-right', taps: 3, withinS: 4 } },
    alarms: [],
    screen: { language: 'en', languages: ['en', 'de', 'fr', 'nl', 'es'], highContrast: false },
    tariff,
    focus: phase === 'available' ? null : 1,
    cardTap: null,
    terminal: options.terminal === null ? null : { available: true, busy: false, ...options.terminal, prompt: options.prompt ?? null },
    payment: { methods: options.methods ?? (options.terminal === null ? [] : ['card']) },
    rfid: options.rfid ?? null,
    printer: null,
    devices: { chargers: [], terminal: null, printer: null, rfid: null },
    connectors: [
      {
        id: 1,
        label: 'A',
        type: 'type2',
        countdown: null,
        phase,
        vehiclePlugged: false,
        maxPowerW: 11_040,
        problem: null,
        problemKind: null,
        ...options.connector,
        service: null,
        tariff,
        lastSummary: options.lastSummary ?? null,
        lastSummaryUntil: options.lastSummaryUntil ?? null,
        session: withSession
          ? {
              id: 'S-1',
              method: 'card',
              startedAt: NOW,
              energyWh: 0,
              powerW: 0,
              elapsedS: 0,
              costMinor: 0,
              currency: 'EUR',
              limitMinor: 5000,
              maskedPan: null,
              account: null,
              parkingCapped: false,
              stopCode: null,
              declineReason: options.declineReason ?? null,
              stopReason: null,
              inactivityWarning: false,
              ...options.session,
            }
          : null,
      },
    ],
    sim: options.sim ?? null,
  };
}
