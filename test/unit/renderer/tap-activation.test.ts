// A tap on a button acts when the finger lifts (renderer/src/commands/tap-activation.ts):
// once, never a second time from the browser's own click, and only for what is surely a
// tap on an enabled button. In Chromium with touch, the real touch pipeline (CDP touches).
import { resolve } from 'node:path';
import { chromium, type Browser, type CDPSession, type Page } from '@playwright/test';
import { build } from 'esbuild';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { hasChromium } from './screen-harness.js';

const ROOT = resolve(import.meta.dirname, '../../..');
const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Buttons that note each click (trusted: the browser's own; untrusted: the tap activation's). */
const PAGE = `<!doctype html><html><head><meta name="viewport" content="width=device-width">
<style>button { position: absolute; left: 100px; width: 200px; height: 100px; touch-action: manipulation; } #a, #next { top: 100px; } #off { top: 300px; } #under { top: 500px; }</style></head>
<body><button id="a">A</button><button id="off" disabled>Off</button><div inert><button id="under">Under</button></div></body></html>`;

const HARNESS = String.raw`
import { activateButtonsOnTouchEnd } from './renderer/src/commands/tap-activation.ts';
window.clicks = [];
const note = (event) => window.clicks.push({ id: event.target.id, trusted: event.isTrusted, focused: document.activeElement?.id ?? null });
for (const button of document.querySelectorAll('button')) button.addEventListener('click', note);
// A tap on A shows the next screen at once: a button in the same place, which the tap must not click.
document.getElementById('a').addEventListener('click', () => {
  const next = document.createElement('button');
  next.id = 'next';
  next.textContent = 'Next';
  next.addEventListener('click', note);
  document.getElementById('a').replaceWith(next);
});
window.uninstall = activateButtonsOnTouchEnd(window);
`;

type Clicks = { clicks: { id: string; trusted: boolean; focused: string | null }[] };

describe.skipIf(!hasChromium)('tap activation', () => {
  let browser: Browser;
  let page: Page;
  let cdp: CDPSession;
  let script: string;

  beforeAll(async () => {
    const bundle = await build({ stdin: { contents: HARNESS, resolveDir: ROOT, loader: 'ts', sourcefile: 'harness.ts' }, bundle: true, write: false, format: 'iife', logLevel: 'silent' });
    script = bundle.outputFiles[0]!.text;
    browser = await chromium.launch({ executablePath, args: ['--no-sandbox', '--disable-gpu'] });
    const context = await browser.newContext({ viewport: { width: 800, height: 800 }, hasTouch: true });
    page = await context.newPage();
    cdp = await context.newCDPSession(page);
  });
  afterAll(async () => {
    await browser?.close();
  });
  beforeEach(async () => {
    await page.setContent(PAGE);
    await page.addScriptTag({ content: script });
  });

  const clicks = async () => {
    await page.waitForTimeout(300); // long enough for a click of the browser's own to come
    return page.evaluate(() => (globalThis as unknown as Clicks).clicks);
  };
  const touch = (type: 'touchStart' | 'touchMove' | 'touchEnd', x: number, y: number) =>
    cdp.send('Input.dispatchTouchEvent', { type, touchPoints: type === 'touchEnd' ? [] : [{ x, y, id: 1 }] });

  it('clicks the button once, when the finger lifts, focused, and not what the next screen puts under the finger', async () => {
    await page.touchscreen.tap(200, 150);
    expect(await clicks()).toEqual([{ id: 'a', trusted: false, focused: 'a' }]);
  });

  it('leaves disabled buttons and buttons under an inert layer alone', async () => {
    await page.touchscreen.tap(200, 350);
    await page.touchscreen.tap(200, 550);
    expect(await clicks()).toEqual([]);
  });

  it('does not take over a finger that moved, or a long press', async () => {
    await touch('touchStart', 200, 130);
    await touch('touchMove', 200, 170);
    await touch('touchEnd', 200, 170);
    await touch('touchStart', 200, 150);
    await page.waitForTimeout(700);
    await touch('touchEnd', 200, 150);
    expect((await clicks()).filter((c) => !c.trusted)).toEqual([]);
  });

  it('leaves the mouse to the browser', async () => {
    await page.mouse.click(200, 150);
    expect(await clicks()).toEqual([{ id: 'a', trusted: true, focused: 'a' }]);
  });

  it('stops when removed: the browser clicks a tap again', async () => {
    await page.evaluate(() => (globalThis as unknown as { uninstall(): void }).uninstall());
    await page.touchscreen.tap(200, 150);
    expect(await clicks()).toEqual([{ id: 'a', trusted: true, focused: 'a' }]);
  });
});
