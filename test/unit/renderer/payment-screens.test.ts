// The screen as a driver and a tester see it, in Chromium: the real App (screens, i18n,
// command context, snapshot store) bundled with esbuild, fed snapshots by a stand-in
// bridge that also records what the screen sends. Checks what the authorizing screen
// says for each terminal prompt, what the decline screen says for each reason, and that
// the simulator panel's outcome buttons send their outcome.
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { chromium, type Browser, type Page } from '@playwright/test';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CardOutcome,
  DECLINE_REASONS,
  TERMINAL_PROMPTS,
  type ConnectorPhase,
  type DeclineReason,
  type SimView,
  type Snapshot,
  type TariffView,
  type TerminalPrompt,
} from '../../../electron/contract/index.js';
import en from '../../../electron/contract/messages/en.json';

const ROOT = resolve(import.meta.dirname, '../../..');
const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

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

const tariff: TariffView = {
  currency: 'EUR',
  vatPercent: '19',
  lines: [{ kind: 'energy', price: '0.39', unit: 'kWh' }],
  changes: [],
  minPriceMinor: null,
  maxPriceMinor: null,
  holdMinor: 5000,
};

const ZVT_SIM: SimView = { chargers: null, terminal: { nextOutcome: 'approve', openHolds: 0, protocol: 'zvt' }, printer: null };

let seq = 0;
function snapshot(options: {
  phase?: ConnectorPhase;
  prompt?: TerminalPrompt | null;
  declineReason?: DeclineReason | null;
  terminal?: { available: boolean; busy: boolean } | null;
  sim?: SimView | null;
}): Snapshot {
  const phase = options.phase ?? 'available';
  const now = 1_780_000_000_000;
  return {
    seq: ++seq,
    now,
    station: { id: 'DE-TST-0001', name: 'Test station', helpLine: '+49 30 555 0100', locale: 'en', timeZone: 'Europe/Berlin', serviceState: 'inService', outOfServiceReason: null },
    alarms: [],
    tariff,
    focus: phase === 'available' ? null : 1,
    cardTap: null,
    terminal: options.terminal === null ? null : { available: true, busy: false, ...options.terminal, prompt: options.prompt ?? null },
    printer: null,
    devices: { chargers: [], terminal: null, printer: null, rfid: null },
    connectors: [
      {
        id: 1,
        label: 'A',
        phase,
        vehiclePlugged: false,
        maxPowerW: 11_040,
        problem: null,
        problemKind: null,
        tariff,
        lastSummary: null,
        session:
          phase === 'available'
            ? null
            : {
                id: 'S-1',
                method: 'card',
                startedAt: now,
                energyWh: 0,
                powerW: 0,
                elapsedS: 0,
                costMinor: 0,
                currency: 'EUR',
                limitMinor: 5000,
                maskedPan: null,
                parkingCapped: false,
                stopCode: null,
                declineReason: options.declineReason ?? null,
                stopReason: null,
                inactivityWarning: false,
              },
      },
    ],
    sim: options.sim ?? null,
  };
}

type Sent = { kind: 'command' | 'sim'; body: unknown };
/** The page's globals as the harness sets them (this file is type-checked without the DOM library). */
type HarnessPage = { harness: { publish(snapshot: unknown): void; sent: Sent[] } };
/** What the size check reads of a button. */
type Box = { getBoundingClientRect(): { width: number; height: number }; scrollWidth: number; clientWidth: number };

describe.skipIf(!existsSync(executablePath))('payment screens and the simulator panel, in Chromium', () => {
  let browser: Browser;
  let page: Page;

  const publish = (s: Snapshot) => page.evaluate((s) => (globalThis as unknown as HarnessPage).harness.publish(s), s);
  const sent = () => page.evaluate(() => (globalThis as unknown as HarnessPage).harness.sent.splice(0));

  beforeAll(async () => {
    const bundle = await build({
      stdin: { contents: HARNESS, resolveDir: ROOT, loader: 'tsx', sourcefile: 'harness.tsx' },
      bundle: true,
      write: false,
      format: 'iife',
      jsx: 'automatic',
      define: { 'process.env.NODE_ENV': '"development"' },
      logLevel: 'silent',
    });
    const script = bundle.outputFiles[0]!.text;
    const css = readFileSync(resolve(ROOT, 'renderer/src/styles.css'), 'utf8');
    browser = await chromium.launch({ executablePath, args: ['--no-sandbox', '--disable-gpu'] });
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.setContent(`<!doctype html><html><head><style>${css}</style></head><body><div id="root"></div></body></html>`);
    await page.addScriptTag({ content: script });
    expect(errors).toEqual([]);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
  });

  describe('authorizing screen', () => {
    it('says to wait for the card while the terminal has asked nothing', async () => {
      await publish(snapshot({ phase: 'authorizing', prompt: null }));
      await expect(page.getByRole('status').textContent()).resolves.toBe(` ${en.authorizing.waiting}`);
    });

    it.each(TERMINAL_PROMPTS)('shows the prompt %s in the polite live region', async (prompt) => {
      await publish(snapshot({ phase: 'authorizing', prompt }));
      const status = page.getByRole('status');
      await expect(status.textContent()).resolves.toBe(` ${en.authorizing.prompt[prompt]}`);
      await expect(status.getAttribute('aria-live')).resolves.toBeNull(); // role=status is polite by itself, not made assertive
    });

    it('words each prompt as the terminal asks it', () => {
      expect(en.authorizing.prompt).toEqual({
        presentCard: 'Present your card on the card terminal',
        enterPin: 'Enter your PIN on the card terminal',
        processing: 'Processing, please wait…',
        removeCard: 'Please remove your card',
      });
    });

    it('follows the prompt as it changes, then falls back when it is cleared', async () => {
      await publish(snapshot({ phase: 'authorizing', prompt: 'presentCard' }));
      await publish(snapshot({ phase: 'authorizing', prompt: 'enterPin' }));
      await expect(page.getByRole('status').textContent()).resolves.toBe(` ${en.authorizing.prompt.enterPin}`);
      await publish(snapshot({ phase: 'authorizing', prompt: null }));
      await expect(page.getByRole('status').textContent()).resolves.toBe(` ${en.authorizing.waiting}`);
    });
  });

  describe('decline screen', () => {
    const next: Partial<Record<DeclineReason, string>> = {
      cardExpired: en.declined.nextOtherCard,
      busy: en.declined.nextLater,
      unavailable: en.declined.nextLater,
    };

    it.each(DECLINE_REASONS)('says why (%s) and offers try again, another way to pay and cancel', async (reason) => {
      await publish(snapshot({ phase: 'declined', declineReason: reason }));
      const alert = page.getByRole('alert');
      await expect(alert.locator('.callout-title').textContent()).resolves.toBe(en.declined.reason[reason]);
      await expect(alert.locator('p:not(.callout-title)').textContent()).resolves.toBe(next[reason] ?? en.declined.next);
      for (const name of [en.actions.tryAgain, en.actions.otherPayment, en.actions.cancel]) {
        await expect(page.getByRole('button', { name, exact: true }).isEnabled()).resolves.toBe(true);
      }
    });

    it('unavailable: keeps Try again, disabled while the terminal is still away, and says so', async () => {
      await publish(snapshot({ phase: 'declined', declineReason: 'unavailable', terminal: { available: false, busy: false } }));
      await expect(page.getByRole('alert').locator('.callout-title').textContent()).resolves.toBe('The card terminal is unavailable.');
      const tryAgain = page.getByRole('button', { name: en.actions.tryAgain, exact: true });
      await expect(tryAgain.isDisabled()).resolves.toBe(true);
      await expect(page.getByText(en.payment.unavailable, { exact: true }).isVisible()).resolves.toBe(true);
      await expect(page.getByRole('button', { name: en.actions.otherPayment, exact: true }).isEnabled()).resolves.toBe(true);
    });

    it('each button sends its command', async () => {
      await publish(snapshot({ phase: 'declined', declineReason: 'pinRequired' }));
      await sent();
      for (const name of [en.actions.tryAgain, en.actions.otherPayment, en.actions.cancel]) await page.getByRole('button', { name, exact: true }).click();
      await expect(sent()).resolves.toEqual([
        { kind: 'command', body: { type: 'retryPayment', connectorId: 1 } },
        { kind: 'command', body: { type: 'otherPayment', connectorId: 1 } },
        { kind: 'command', body: { type: 'cancel', connectorId: 1 } },
      ]);
    });
  });

  describe('simulator panel', () => {
    const outcomeButton = (name: string) => page.getByRole('group', { name: en.sim.outcomeLabel }).getByRole('button', { name, exact: true });

    it('offers a button for every outcome, in the contract order, and each sends {type: cardOutcome, outcome}', async () => {
      await publish(snapshot({ sim: ZVT_SIM }));
      const group = page.getByRole('group', { name: en.sim.outcomeLabel });
      await expect(group.getByRole('button').allTextContents()).resolves.toEqual(CardOutcome.options.map((o) => en.sim.outcome[o]));
      await sent();
      for (const outcome of CardOutcome.options) await outcomeButton(en.sim.outcome[outcome]).click();
      await expect(sent()).resolves.toEqual(CardOutcome.options.map((outcome) => ({ kind: 'sim', body: { type: 'cardOutcome', outcome } })));
    });

    it.each(CardOutcome.options)('marks %s pressed when it is the next outcome, and only it', async (nextOutcome) => {
      await publish(snapshot({ sim: { ...ZVT_SIM, terminal: { nextOutcome, openHolds: 0, protocol: 'zvt' } } }));
      const pressed = await page.getByRole('group', { name: en.sim.outcomeLabel }).getByRole('button', { pressed: true }).allTextContents();
      expect(pressed).toEqual([en.sim.outcome[nextOutcome]]);
      await expect(page.getByText(`Next card: ${en.sim.outcome[nextOutcome]}`, { exact: true }).isVisible()).resolves.toBe(true);
    });

    it('says which terminal it simulates', async () => {
      await publish(snapshot({ sim: ZVT_SIM }));
      await expect(page.getByText('Simulates a ZVT terminal', { exact: true }).isVisible()).resolves.toBe(true);
      await publish(snapshot({ sim: { ...ZVT_SIM, terminal: { nextOutcome: 'approve', openHolds: 2, protocol: 'generic' } } }));
      await expect(page.getByText('Simulates a generic terminal', { exact: true }).isVisible()).resolves.toBe(true);
      await expect(page.getByText('Open holds: 2', { exact: true }).isVisible()).resolves.toBe(true);
    });

    it('keeps every outcome button at least 48 px, its label inside it', async () => {
      await publish(snapshot({ sim: ZVT_SIM }));
      const boxes = await page
        .getByRole('group', { name: en.sim.outcomeLabel })
        .getByRole('button')
        .evaluateAll((buttons) =>
          (buttons as unknown as Box[]).map((b) => ({ w: b.getBoundingClientRect().width, h: b.getBoundingClientRect().height, overflow: b.scrollWidth > b.clientWidth })),
        );
      expect(boxes).toHaveLength(CardOutcome.options.length);
      for (const box of boxes) {
        expect(box.w).toBeGreaterThanOrEqual(48);
        expect(box.h).toBeGreaterThanOrEqual(48);
        expect(box.overflow).toBe(false);
      }
    });
  });
});
