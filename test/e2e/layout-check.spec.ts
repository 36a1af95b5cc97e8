// The layout check's own tests (test/e2e/layout-check.ts), on small synthetic pages: it
// passes a clean page and catches each kind of problem the layout matrix looks for, so a
// green matrix means the screens are right, not that the check cannot fail.
import { expect, test, type Page } from '@playwright/test';
import { findLayoutProblems, layoutReport, type LayoutProblem, type MainAction } from './layout-check.js';

test.use({ viewport: { width: 800, height: 480 } });

const BASE = `<style>
  html, body { margin: 0; height: 100%; font: 20px/1.35 'DejaVu Sans', sans-serif; }
  body { overflow: hidden; }
  p, h1, dl, dd { margin: 0; }
  button { font: inherit; padding: 8px 16px; }
</style>`;

async function check(page: Page, body: string, actions: string[] = [], root?: string): Promise<LayoutProblem[]> {
  await page.setContent(`<!doctype html><html><head>${BASE}</head><body>${body}</body></html>`);
  const main: MainAction[] = actions.map((name) => ({ name, locator: page.getByRole('button', { name, exact: true }) }));
  return findLayoutProblems(page, main, { root });
}

const kinds = (problems: LayoutProblem[]) => problems.map((p) => p.kind);

test('passes a clean page: a heading, a paragraph, a price list and its buttons, all in view', async ({ page }) => {
  const problems = await check(
    page,
    `<main style="padding: 20px">
      <h1 style="margin: 0 0 12px; line-height: 1.1">How would you like to pay?</h1>
      <p style="margin: 0 0 12px">We hold €50.00 on your card; you pay only for what you use.</p>
      <dl style="display: grid; grid-template-columns: auto auto; gap: 4px 24px; width: 300px; margin: 0 0 12px">
        <dt>Energy</dt><dd style="margin: 0; overflow: hidden; white-space: nowrap">€0.39 per kWh</dd>
        <dt>Power</dt><dd style="margin: 0"><span style="font-size: 32px; line-height: 1">11.0 kW</span></dd>
      </dl>
      <button type="button"><span>Bank</span> <span>card</span></button>
      <button type="button">Cancel</button>
      <p class="sr-only" style="position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap">A long announcement for screen readers only, clipped on purpose</p>
    </main>`,
    ['Bank card', 'Cancel'],
  );
  expect(problems).toEqual([]);
});

test('catches text cut off by its own box: overflow hidden, and an ellipsis', async ({ page }) => {
  const problems = await check(
    page,
    `<p class="price" style="width: 120px; overflow: hidden; white-space: nowrap">€0.39 per kWh, €0.10 per minute</p>
     <p class="name" style="width: 120px; overflow: hidden; white-space: nowrap; text-overflow: ellipsis">Connector 1, Available</p>
     <p class="lines" style="width: 300px; height: 30px; overflow: hidden">A text of several lines in a box of one: the second line and the third are lost.</p>`,
  );
  expect(kinds(problems)).toEqual(['cutOff', 'cutOff', 'cutOff']);
  expect(problems[0]!.element).toBe('<p.price> "€0.39 per kWh, €0.10 per minute"');
  expect(problems[0]!.detail).toMatch(/^text cut off \(overflow hidden\/hidden\): scrollWidth \d+ > clientWidth 120$/);
  expect(problems[1]!.detail).toMatch(/ellipsis\): scrollWidth \d+ > clientWidth 120$/);
  expect(problems[2]!.detail).toMatch(/scrollHeight \d+ > clientHeight 30$/);
});

test('catches a value clipped by a box around it ("0.00 kV" for "0.00 kWh")', async ({ page }) => {
  const problems = await check(
    page,
    `<dl><div class="figure" style="width: 160px; overflow: hidden"><dt>Energy</dt>
      <dd style="margin: 0; white-space: nowrap"><span class="figure-value" style="font-size: 40px">0.00 kWh</span></dd></div></dl>`,
  );
  expect(kinds(problems)).toEqual(['clipped']);
  expect(problems[0]!.element).toBe('<span.figure-value> "0.00 kWh"');
  expect(problems[0]!.detail).toMatch(/^text \[.*\] runs [\d.]+ px past the right edge of \[.*\] \(clipped by <div\.figure> "Energy 0\.00 kWh"\)$/);
});

test('catches text that runs out of its box where nothing clips it (a figure wider than its card)', async ({ page }) => {
  const problems = await check(
    page,
    `<dl style="display: flex; gap: 100px"><div class="figure" style="width: 120px; border: 2px solid #36c"><dt>Energy</dt>
      <dd class="figure-value" style="white-space: nowrap; font-size: 40px">0.02 kWh</dd></div></dl>`,
  );
  expect(kinds(problems)).toEqual(['overflow']);
  expect(problems[0]!.element).toBe('<dd.figure-value> "0.02 kWh"');
  expect(problems[0]!.detail).toMatch(/^text \[.*\] runs [\d.]+ px past the right edge of its box \[.*\]$/);
});

test('catches text below the fold of a page that cannot scroll (the body hides its overflow)', async ({ page }) => {
  const problems = await check(page, `<div style="padding-top: 470px"><p>Call +49 30 555 0199 if you need help</p></div>`);
  expect(kinds(problems)).toEqual(['scroll', 'clipped']);
  expect(problems[0]).toMatchObject({ element: 'document', detail: expect.stringMatching(/^scrollHeight \d+ > innerHeight 480$/) });
  expect(problems[1]!.detail).toMatch(/^text \[.*\] runs [\d.]+ px past the bottom edge of the 800×480 viewport$/);
});

test('catches two texts on top of each other, but not the parts of one control', async ({ page }) => {
  const problems = await check(
    page,
    `<aside class="prices" style="position: absolute; top: 10px; left: 10px">Prices: €0.39 per kWh</aside>
     <h1 style="position: absolute; top: 14px; left: 40px; margin: 0; font-size: 20px">Charging summary</h1>
     <button type="button" style="position: absolute; top: 200px; left: 10px"><span>Connector 1</span><span style="margin-left: -60px">Available</span></button>`,
  );
  // The price card's text lies on the heading's: one overlap (text under text is not also 'covered');
  // the button's two labels lie on each other too, but they are one control.
  expect(kinds(problems)).toEqual(['overlap']);
  expect(problems[0]!.element).toBe('<aside.prices> "Prices: €0.39 per kWh"');
  expect(problems[0]!.detail).toMatch(/^overlaps <h1> "Charging summary" by [\d.]+×[\d.]+ px$/);
});

test('catches a main action off screen, and the page that scrolls to it', async ({ page }) => {
  const problems = await check(
    page,
    `<div style="height: 100%; overflow: auto">
      <p>Charging</p>
      <div style="height: 500px"></div>
      <button type="button">Stop charging</button>
    </div>`,
    ['Stop charging'],
  );
  expect(kinds(problems)).toEqual(['scroll', 'offscreen']);
  // The texts it hides are listed with the scroll container, not each on its own.
  expect(problems[0]!.detail).toMatch(/^needs scrolling: scrollHeight \d+ > clientHeight 480; 1 text hidden past its edge: "Stop charging"$/);
  expect(problems[1]!.element).toBe('Stop charging <button> "Stop charging"');
  expect(problems[1]!.detail).toMatch(/^box \[.*\] reaches [\d.]+ px past the bottom edge of \[0,0 → 800,480\] \(<div> "Charging Stop charging"\)$/);
});

test("text hidden past a scroll container's edge is listed with it, not taken as covered by or overlapping what lies beyond", async ({ page }) => {
  const problems = await check(
    page,
    `<div style="display: flex; flex-direction: column; height: 100%">
      <main class="screen" style="flex: 1; min-height: 0; overflow-y: auto"><div style="height: 440px"></div><p>All prices include 19% VAT.</p></main>
      <footer style="background: #eee"><p>Need help? Call +49 30 555 0199</p></footer>
    </div>`,
  );
  expect(kinds(problems)).toEqual(['scroll']);
  expect(problems[0]).toMatchObject({ element: '<main.screen> "All prices include 19% VAT."', detail: expect.stringMatching(/; 1 text hidden past its edge: "All prices include 19% VAT\."$/) });
});

test('catches a main action past the viewport, on a document that scrolls', async ({ page }) => {
  const problems = await check(page, `<style>body { overflow: visible }</style><button type="button" style="margin: 460px 0 0 760px">Done</button>`, ['Done']);
  expect(kinds(problems)).toEqual(['scroll', 'scroll', 'offscreen', 'clipped']);
  expect(problems[0]).toMatchObject({ element: 'document', detail: expect.stringMatching(/^scrollHeight \d+ > innerHeight 480$/) });
  expect(problems[1]).toMatchObject({ element: 'document', detail: expect.stringMatching(/^scrollWidth \d+ > innerWidth 800$/) });
  expect(problems[2]!.detail).toMatch(/past the (bottom|right) edge of the 800×480 viewport$/);
});

test('catches a main action covered by something else (a QR code over Done), and a main action missing', async ({ page }) => {
  const problems = await check(
    page,
    `<button type="button" style="position: absolute; top: 300px; left: 20px; width: 200px">Done</button>
     <img alt="QR code of your receipt" style="position: absolute; top: 250px; left: 0; width: 240px; height: 150px; background: #000">`,
    ['Done', 'Print receipt'],
  );
  expect(kinds(problems)).toEqual(['missing', 'covered', 'covered']);
  expect(problems[0]).toMatchObject({ element: 'Print receipt', detail: expect.stringMatching(/^no element matches /) });
  expect(problems[1]).toMatchObject({ element: 'Done <button> "Done"', detail: expect.stringMatching(/under <img> "QR code of your receipt"$/) });
  expect(problems[2]).toMatchObject({ element: '<button> "Done"', detail: expect.stringMatching(/^text \[.*\] is under <img>/) });
});

test('with a modal dialog open, checks only the dialog; outside the root (the simulator panel), nothing', async ({ page }) => {
  const problems = await check(
    page,
    `<div class="driver" style="position: relative; height: 100%">
       <p style="position: absolute; top: 100px">Behind the dialog</p><p style="position: absolute; top: 102px; left: 20px">overlapping text</p>
       <div class="backdrop" style="position: absolute; inset: 0; background: rgba(0,0,0,.6)">
         <div role="dialog" aria-modal="true" aria-label="Enter your stop code" style="background: #fff; margin: 40px; padding: 20px">
           <p>Type the 4-digit code</p><button type="button">OK</button>
         </div>
       </div>
     </div>
     <aside class="sim" style="position: absolute; top: 0; right: 0; width: 100px; overflow: hidden; white-space: nowrap">Simulator panel with a long line</aside>`,
    ['OK'],
    '.driver',
  );
  expect(problems).toEqual([]);
});

test('words each problem on one line with the screen and size', () => {
  const lines = layoutReport('summary @ 800×480', [{ kind: 'overlap', element: '<h1> "Charging summary"', detail: 'overlaps <p> "x" by 3×4 px' }]);
  expect(lines).toEqual(['summary @ 800×480: overlap <h1> "Charging summary": overlaps <p> "x" by 3×4 px']);
});
