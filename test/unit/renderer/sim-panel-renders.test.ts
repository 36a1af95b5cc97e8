// The simulator panel renders only what a snapshot changed in it: a snapshot that changes
// nothing in the panel (the driver's screen moving on, the clock ticking) renders nothing
// there, and one that changes a charger renders it again with the new state. Counted
// with React's Profiler around the panel, in Chromium.
import type { Browser, Page } from '@playwright/test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimView, Snapshot } from '../../../electron/contract/index.js';
import { hasChromium, openHarnessPage, snapshot } from './screen-harness.js';

/** The panel in the store and command context, a Profiler counting its renders: `harness.renders`. */
const HARNESS = String.raw`
import { createElement, Profiler } from 'react';
import { flushSync } from 'react-dom';
import { createRoot } from 'react-dom/client';
import { SimPanel } from './renderer/src/sim/SimPanel.tsx';
import { CommandProvider } from './renderer/src/commands/CommandContext.tsx';
import { initI18n } from './renderer/src/i18n/i18n.ts';
import { StoreContext, useView } from './renderer/src/store/StoreContext.tsx';
import { createSnapshotStore } from './renderer/src/store/snapshot-store.ts';

initI18n();
const listeners = new Set();
let current = null;
const bridge = {
  send: async () => ({ ok: true }),
  sim: async () => ({ ok: true }),
  subscribe: (listener) => { listeners.add(listener); if (current) listener(current); return () => listeners.delete(listener); },
};
const store = createSnapshotStore(bridge);
const renders = { panel: 0 };
const selectSim = (s) => s.snapshot?.sim ?? null;
function Panel() {
  const sim = useView(selectSim);
  return sim ? createElement(SimPanel, { sim, folded: false, onFold: () => {} }) : null;
}
const root = createRoot(document.getElementById('root'));
const publish = (snapshot) => {
  current = snapshot;
  flushSync(() => { for (const listener of listeners) listener(snapshot); });
};
window.harness = { renders, publish };
flushSync(() =>
  root.render(
    createElement(StoreContext.Provider, { value: store },
      createElement(CommandProvider, { bridge },
        createElement(Profiler, { id: 'panel', onRender: () => { renders.panel++; } }, createElement(Panel)))),
  ),
);
`;

type HarnessPage = { harness: { renders: { panel: number }; publish(snapshot: unknown): void } };

const SIM: SimView = {
  chargers: [
    { connectorId: 1, plugged: false, fault: false, charging: false },
    { connectorId: 2, plugged: false, fault: false, charging: false },
  ],
  terminal: { nextOutcome: 'approve', openHolds: 0, protocol: 'generic' },
  printer: { printed: 0, lastReceipt: null, paper: 'ok', coverOpen: false },
  rfid: { cards: [{ uid: '04A1B2C3D4E5F6', account: 'Demo prepaid', type: 'prepaid', blocked: false, balanceMinor: 2000 }] },
};

/** A fresh copy (as each snapshot off the WebSocket is), with connector 2 beside A. */
function station(options: Parameters<typeof snapshot>[0], sim: SimView = SIM): Snapshot {
  const s = snapshot({ ...options, sim: structuredClone(sim) });
  return { ...s, connectors: [...s.connectors, { ...s.connectors[0]!, id: 2, label: 'B', session: null, phase: 'available' }] };
}

describe.skipIf(!hasChromium)('the simulator panel renders only what changed in it', () => {
  let browser: Browser;
  let page: Page;
  beforeAll(async () => {
    ({ browser, page } = await openHarnessPage(HARNESS, 'sim-harness.tsx'));
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
  });

  const publish = (s: Snapshot) => page.evaluate((s) => (globalThis as unknown as HarnessPage).harness.publish(s), s);
  const renders = () => page.evaluate(() => (globalThis as unknown as HarnessPage).harness.renders.panel);

  it('a snapshot that changes the driver screen but nothing in the panel renders nothing there', async () => {
    await publish(station({ phase: 'available' }));
    await expect.poll(() => page.getByRole('group', { name: 'Charger A' }).count()).toBe(1);
    const before = await renders();
    expect(before).toBeGreaterThan(0);
    // Connector A chooses payment, then back to the start, the clock moving: the panel's part is equal each time.
    await publish({ ...station({ phase: 'choosingPayment' }), now: Date.now() });
    await publish({ ...station({ phase: 'available' }), now: Date.now() + 1000 });
    await publish(station({ phase: 'charging' }));
    expect(await renders()).toBe(before);
  });

  it('a charger plugged in renders the panel again, with the new state', async () => {
    const before = await renders();
    const plugged: SimView = { ...SIM, chargers: [{ ...SIM.chargers![0]!, plugged: true }, SIM.chargers![1]!] };
    await publish(station({ phase: 'available' }, plugged));
    expect(await renders()).toBeGreaterThan(before);
    expect(await page.getByRole('group', { name: 'Charger A' }).getByRole('button', { name: 'Unplug' }).count()).toBe(1);
    expect(await page.getByRole('group', { name: 'Charger B' }).getByRole('button', { name: 'Plug in car' }).count()).toBe(1);
  });

  it('a label changed on a connector shows in its row', async () => {
    const s = station({ phase: 'available' });
    await publish({ ...s, connectors: [{ ...s.connectors[0]!, label: 'Left' }, s.connectors[1]!] });
    expect(await page.getByRole('group', { name: 'Charger Left' }).count()).toBe(1);
  });
});
