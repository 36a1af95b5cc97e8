// The inactivity warning and countdown on every waiting screen: the payment choice, the
// card to present (and the refusal it ends in), the car to plug in and the summary. On
// each, the screen counts down visibly, the warning comes with its own countdown and More
// time, More time gives the time back and keeps the screen, and a screen left alone
// returns to the start, with nothing of the driver on it.
//
// The kiosk runs its clock 4 times faster (--clock-speed 4) on short timeouts, so a wait
// of 20 s on the screen takes 5 s. Nothing is timed here: the test waits on what the
// screen shows. A countdown's values are also noted in the page as they are painted (an
// init script watching the DOM), so that "it went down" and "it jumped up" are read from
// what the screen showed, even for a value shown only briefly.
import type { Page } from '@playwright/test';
import { E2E_CONFIG } from './kiosk-process.js';
import { expect, simCharger, tapConnector, test } from './fixtures.js';

const SPEED = 4;
/** Brain seconds; at SPEED 4 the warning's 20 s are 5 s, long enough to read and tap on a busy machine. */
const TIMEOUTS = { inactivityWarnS: 10, inactivityReturnS: 20, presentCardS: 20, plugInS: 30, summaryS: 50 };

test.use({ kioskOptions: { config: { ...E2E_CONFIG, timeouts: TIMEOUTS }, args: ['--clock-speed', String(SPEED)] } });
// Each case waits through its screens twice (about 20–30 s at this speed).
test.describe.configure({ timeout: 120_000 });

const CLOSED = '(dialog closed)';

/** Notes each countdown text the screen shows (every [role=timer]), in order, with the dialog's presence. */
const RECORDER = `(() => {
  const seen = [];
  window.__countdowns = seen;
  let last = '';
  let open = false;
  const note = () => {
    // A dialog going away is noted as CLOSED between the values.
    const dialog = document.querySelector('[role="dialog"]') !== null;
    if (open && !dialog) seen.push(${JSON.stringify(CLOSED)});
    open = dialog;
    const timers = [...document.querySelectorAll('[role="timer"]')].map((t) => t.textContent.trim());
    const key = timers.join('|');
    if (key === last) return;
    last = key;
    seen.push(...timers);
  };
  new MutationObserver(note).observe(document, { subtree: true, childList: true, characterData: true });
})()`;

type Recorded = { __countdowns: string[] };

/** Seconds in "… 0:17" (the last m:ss in the text). */
const secondsOf = (text: string): number => {
  const match = /(\d+):(\d{2})(?!.*\d:\d{2})/.exec(text);
  if (!match) throw new Error(`no time in '${text}'`);
  return Number(match[1]) * 60 + Number(match[2]);
};

/** How many countdown texts the screen has shown so far. */
const shownCount = (page: Page) => page.evaluate(() => (globalThis as unknown as Recorded).__countdowns.length);
/**
 * What the screen showed around the first time a dialog closed since `from`: the last
 * value of the warning's countdown before it, and the first value matching `after` after it.
 */
async function aroundClose(page: Page, from: number, after: RegExp): Promise<{ before: string | null; after: string | null }> {
  const shown = await page.evaluate(() => (globalThis as unknown as Recorded).__countdowns);
  const closed = shown.indexOf(CLOSED, from);
  if (closed < 0) return { before: null, after: null };
  return { before: shown.slice(0, closed).filter((t) => returning.test(t)).at(-1) ?? null, after: shown.slice(closed + 1).find((t) => after.test(t)) ?? null };
}

const warning = (page: Page) => page.getByRole('dialog', { name: 'Are you still there?' });
const returning = /^Returning to the start in \d+:\d{2}$/;

/** A countdown (`timer`, its text matching `pattern`) is on screen and goes down; returns its value then. */
async function countsDown(page: Page, pattern: RegExp, scope: ReturnType<Page['getByRole']> | Page = page): Promise<number> {
  const timer = scope.getByRole('timer').filter({ hasText: pattern });
  await expect(timer).toBeVisible();
  const first = secondsOf(await timer.innerText());
  await expect.poll(async () => secondsOf(await timer.innerText()), { message: `${pattern} goes down` }).toBeLessThan(first);
  return secondsOf(await timer.innerText());
}

/**
 * The warning comes up over `heading` with its countdown going down; More time closes it,
 * the screen stays, and the next countdown shown (`after`: the screen's own, or the next
 * warning's) starts higher than the warning was when tapped.
 */
async function warnsAndGivesMoreTime(page: Page, heading: string, after: RegExp): Promise<void> {
  await expect(warning(page)).toBeVisible({ timeout: 20_000 });
  // The warning is dismissable only by its buttons; its countdown is its own.
  await expect(warning(page).getByRole('button', { name: 'More time' })).toBeVisible();
  const left = await countsDown(page, returning, warning(page));
  // Tapped once it has gone down by at least 2 s, so that a jump back up is plain.
  await expect.poll(async () => secondsOf(await warning(page).getByRole('timer').innerText())).toBeLessThanOrEqual(Math.min(left, TIMEOUTS.inactivityReturnS - 2));
  const from = await shownCount(page);
  await warning(page).getByRole('button', { name: 'More time' }).click();
  await expect(page.getByRole('heading', { name: heading })).toBeVisible();
  // The time came back: the first countdown the screen showed after the warning closed
  // starts above the warning's last value.
  await expect.poll(async () => (await aroundClose(page, from, after)).after, { timeout: 20_000 }).not.toBeNull();
  const shown = await aroundClose(page, from, after);
  expect(shown.before, 'the warning counted down until More time').toMatch(returning);
  expect(secondsOf(shown.after!), `'${shown.before}', then after More time '${shown.after}'`).toBeGreaterThan(secondsOf(shown.before!));
}

/** Left alone, the warning comes again and the screen returns to the start, with no trace of the driver. */
async function leftAloneReturnsToStart(page: Page, traces: (string | RegExp)[]): Promise<void> {
  await expect(warning(page)).toBeVisible({ timeout: 20_000 });
  await countsDown(page, returning, warning(page));
  await expect(page.getByRole('heading', { name: 'Choose a connector' })).toBeVisible({ timeout: 20_000 });
  await expect(warning(page)).toHaveCount(0);
  await expect(page.getByRole('timer')).toHaveCount(0);
  await expect(page.getByRole('button', { name: /^Connector 1, Available/ })).toBeEnabled();
  const driver = page.locator('.driver');
  for (const trace of traces) await expect(driver.getByText(trace)).toHaveCount(0);
}

test.beforeEach(async ({ page }) => {
  await page.addInitScript(RECORDER);
});

test('the payment choice: the warning counts down, More time keeps the screen, left alone it returns to the start', async ({ page, kiosk }) => {
  await page.goto(kiosk.url);
  await tapConnector(page, '1');
  const heading = 'How would you like to pay?';
  await expect(page.getByRole('heading', { name: heading })).toBeVisible();
  // More time: the warning goes, and the next one starts its countdown afresh.
  await warnsAndGivesMoreTime(page, heading, returning);
  await leftAloneReturnsToStart(page, [heading, 'Bank card']);
});

test('the card to present counts down, then the refusal warns like any waiting screen', async ({ page, kiosk }) => {
  await page.goto(kiosk.url);
  // The simulated terminal waits for a card that never comes.
  await page.getByRole('group', { name: 'Next card' }).getByRole('button', { name: 'No card' }).click();
  await tapConnector(page, '1');
  await page.getByRole('button', { name: 'Bank card' }).click();
  await expect(page.getByRole('heading', { name: 'Present your card on the card terminal' })).toBeVisible();
  await countsDown(page, /^Time left to present your card: \d+:\d{2}$/);
  // Left alone, the time to present a card runs out: the refusal says so.
  const heading = 'Payment not completed';
  await expect(page.getByRole('heading', { name: heading })).toBeVisible({ timeout: 20_000 });
  await expect(page.getByText('No card was presented in time.')).toBeVisible();
  await warnsAndGivesMoreTime(page, heading, returning);
  await expect(page.getByText('No card was presented in time.')).toBeVisible();
  await leftAloneReturnsToStart(page, [heading, 'No card was presented in time.']);
});

test('plug in your car: its countdown, then the warning; More time gives the plug-in time back; left alone the hold is released', async ({ page, kiosk }) => {
  await page.goto(kiosk.url);
  await tapConnector(page, '1');
  await page.getByRole('button', { name: 'Bank card' }).click();
  const heading = 'Plug in your car';
  await expect(page.getByRole('heading', { name: heading })).toBeVisible();
  const plugIn = /^Plug in within \d+:\d{2}$/;
  await countsDown(page, plugIn);
  // After More time the plug-in countdown is back, near its whole time.
  await warnsAndGivesMoreTime(page, heading, plugIn);
  await countsDown(page, plugIn);
  await leftAloneReturnsToStart(page, [heading, /Payment approved/]);
  // The hold on the card went with the flow.
  await expect.poll(async () => (await kiosk.snapshot()).sim!.terminal!.openHolds).toBe(0);
  expect((await kiosk.snapshot()).connectors[0]!.session).toBeNull();
});

test('the summary: it counts down, warns, More time keeps it; left alone the start screen shows nothing of the session', async ({ page, kiosk }) => {
  await page.goto(kiosk.url);
  await tapConnector(page, '1');
  await page.getByRole('button', { name: 'Bank card' }).click();
  await expect(page.getByRole('heading', { name: 'Plug in your car' })).toBeVisible();
  await simCharger(page, '1').getByRole('button', { name: 'Plug in car' }).click();
  await expect(page.getByRole('heading', { name: 'Charging' })).toBeVisible();
  await page.getByRole('button', { name: 'OK, noted' }).click();
  // The car leaves: the session ends and its summary comes up.
  await simCharger(page, '1').getByRole('button', { name: 'Unplug car' }).click();
  const heading = 'Charging summary';
  await expect(page.getByRole('heading', { name: heading })).toBeVisible();
  const paidBy = (await page.locator('.driver').getByText(/^Bank card /).first().innerText()).trim();
  const closes = /^This screen closes in \d+:\d{2}$/;
  await countsDown(page, closes);
  await warnsAndGivesMoreTime(page, heading, closes);
  await expect(page.getByRole('button', { name: 'Print receipt' })).toBeVisible();
  await leftAloneReturnsToStart(page, [heading, paidBy, 'Taken from your card', 'Print receipt']);
  expect((await kiosk.snapshot()).connectors[0]!.lastSummary).toBeNull();
});
