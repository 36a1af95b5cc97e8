// The hidden gesture that opens the technician's PIN pad (useMaintenanceGesture), in
// Chromium on the page's fake clock: a press held on one corner for holdS, then taps on
// another within withinS opens it; lifted early, on the wrong corner, too slow or moved,
// it does not. It only listens: a button in the corner still gets its press and click.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { MaintenanceGesture, Snapshot } from '../../../electron/contract/index.js';
import en from '../../../electron/contract/messages/en.json';
import { cornerPoint, hasChromium, openMaintenanceScreen, snapshot, type MaintenanceHarness } from './maintenance-harness.js';

type Corner = MaintenanceGesture['holdCorner'];

/** What the page scripts below use of the browser (this file is type-checked without the DOM library). */
interface TestElement {
  id: string;
  textContent: string | null;
  setAttribute(name: string, value: string): void;
  addEventListener(type: string, listener: (event: { defaultPrevented: boolean }) => void): void;
  remove(): void;
}
interface PageGlobals {
  document: { body: TestElement & { appendChild(e: TestElement): void }; createElement(tag: string): TestElement; getElementById(id: string): TestElement | null };
  getComputedStyle(element: unknown): { cursor: string };
  clicks: number;
  prevented: number;
  seen: string[];
}

function withGesture(gesture: Partial<MaintenanceGesture>): Snapshot {
  const s = snapshot({});
  return { ...s, station: { ...s.station, maintenanceGesture: { ...s.station.maintenanceGesture, ...gesture } } };
}

describe.skipIf(!hasChromium)('the maintenance gesture, in Chromium', () => {
  let screen: MaintenanceHarness;
  const pad = () => screen.page.getByRole('dialog', { name: en.maintenance.pin.title });

  async function press(corner: Corner, holdMs: number, options: { moveBy?: number } = {}) {
    const { x, y } = await cornerPoint(screen.page, corner);
    await screen.page.mouse.move(x, y);
    await screen.page.mouse.down();
    if (options.moveBy) await screen.page.mouse.move(x + options.moveBy, y, { steps: 3 });
    await screen.runFor(holdMs);
    await screen.page.mouse.up();
  }

  async function taps(corner: Corner, n: number, gapMs = 150) {
    const { x, y } = await cornerPoint(screen.page, corner);
    for (let i = 0; i < n; i++) {
      await screen.page.mouse.click(x, y);
      await screen.runFor(gapMs);
    }
  }

  /** The pad is not open; the test gives the gesture's leftovers time to expire. */
  async function expectClosed() {
    await expect(pad().count()).resolves.toBe(0);
    await screen.runFor(6000);
  }

  beforeAll(async () => {
    screen = await openMaintenanceScreen({ fakeClock: true });
  }, 60_000);

  afterAll(async () => {
    await screen?.close();
  });

  beforeEach(async () => {
    // The default gesture: 3 s on the top left, then 3 taps on the top right within 4 s.
    await screen.publish(withGesture({}));
    if ((await pad().count()) > 0) await pad().getByRole('button', { name: en.maintenance.actions.cancel, exact: true }).click();
    await screen.runFor(6000);
    // The driver's screen is live again (the pad's dialog made it inert): each test starts from it.
    await screen.page.locator('.frame:not([inert])').waitFor();
    await screen.tech();
  });

  it('a press held 3 s on the top left, then 3 taps on the top right, opens the PIN pad (and it says hello)', async () => {
    await press('top-left', 3100);
    await taps('top-right', 3);
    await expect(pad().isVisible()).resolves.toBe(true);
    await expect((await screen.tech()).map((s) => s.command.type)).toContain('hello');
  });

  it('lifted early: no', async () => {
    await press('top-left', 2500);
    await taps('top-right', 3);
    await expectClosed();
  });

  it('the wrong corners: no', async () => {
    await press('bottom-left', 3100);
    await taps('top-right', 3);
    await expectClosed();
    await press('top-left', 3100);
    await taps('bottom-right', 3);
    await expectClosed();
    // Taps alone, or a hold alone, neither.
    await taps('top-right', 3);
    await expectClosed();
  });

  it('too few taps, or taps too slow: no', async () => {
    await press('top-left', 3100);
    await taps('top-right', 2);
    await expectClosed();
    await press('top-left', 3100);
    await screen.runFor(3000);
    await taps('top-right', 3, 600); // the third tap comes after 4 s
    await expectClosed();
  });

  it('a press that moves more than 20 px: no', async () => {
    await press('top-left', 3100, { moveBy: 30 });
    await taps('top-right', 3);
    await expectClosed();
  });

  it('a tap elsewhere in between starts over', async () => {
    await press('top-left', 3100);
    await taps('top-right', 2);
    await screen.page.mouse.click(640, 400);
    await taps('top-right', 1);
    await expectClosed();
  });

  it('follows the configured gesture: 1 s on the bottom right, 2 taps on the bottom left within 2 s', async () => {
    await screen.publish(withGesture({ holdCorner: 'bottom-right', holdS: 1, tapCorner: 'bottom-left', taps: 2, withinS: 2 }));
    await press('top-left', 3100);
    await taps('top-right', 3);
    await expectClosed();
    await press('bottom-right', 1100);
    await taps('bottom-left', 2);
    await expect(pad().isVisible()).resolves.toBe(true);
  });

  it('leaves no trace for drivers: nothing in the page, no cursor, no announcement while it is made', async () => {
    const before = await screen.page.locator('#root').innerHTML();
    const { x, y } = await cornerPoint(screen.page, 'top-left');
    await screen.page.mouse.move(x, y);
    await screen.page.mouse.down();
    await screen.runFor(3100);
    await expect(screen.page.locator('#root').innerHTML()).resolves.toBe(before);
    await expect(screen.page.evaluate(() => {
      const g = globalThis as unknown as PageGlobals;
      return g.getComputedStyle(g.document.body).cursor;
    })).resolves.toBe('auto');
    await screen.page.mouse.up();
    await expect(screen.page.locator('#root').innerHTML()).resolves.toBe(before);
  });

  it('a normal press on a button in the corner still works, during the gesture too, and no event is prevented or stopped', async () => {
    await screen.page.evaluate(() => {
      const w = globalThis as unknown as PageGlobals;
      const document = w.document;
      w.clicks = 0;
      w.prevented = 0;
      w.seen = [];
      const button = document.createElement('button');
      button.id = 'corner-button';
      button.textContent = 'Corner';
      button.setAttribute('style', 'position:fixed;left:0;top:0;width:70px;height:70px;z-index:100');
      button.addEventListener('click', () => w.clicks++);
      for (const type of ['pointerdown', 'pointerup', 'click']) {
        button.addEventListener(type, (e) => {
          w.seen.push(type);
          if (e.defaultPrevented) w.prevented++;
        });
      }
      document.body.appendChild(button);
    });
    const state = () => screen.page.evaluate(() => {
      const w = globalThis as unknown as PageGlobals;
      return { clicks: w.clicks, prevented: w.prevented, seen: w.seen.join(',') };
    });
    await screen.page.mouse.click(20, 20);
    await expect(state()).resolves.toEqual({ clicks: 1, prevented: 0, seen: 'pointerdown,pointerup,click' });
    await expectClosed();
    // The held press on that button is the gesture's first half, and still the button's click.
    await press('top-left', 3100);
    await taps('top-right', 3);
    await expect(pad().isVisible()).resolves.toBe(true);
    await expect(state()).resolves.toMatchObject({ clicks: 2, prevented: 0 });
    await screen.page.evaluate(() => (globalThis as unknown as PageGlobals).document.getElementById('corner-button')?.remove());
  });
});
