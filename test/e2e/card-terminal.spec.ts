// Bank cards through the ZVT card terminal (issue 11), the way a driver uses them: sim
// mode runs the real ZVT driver against the ZVT terminal simulator inside the kiosk
// process, and the simulator keeps its record in <dataDir>/sim/zvt-terminal.json. Each
// test checks the money there (reservations and the terminal's journal) besides what the
// screen and the snapshot say. What the terminal does next is set on the simulator panel.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test as base, expect, type Page } from '@playwright/test';
import { E2E_CONFIG, KioskProcess } from './kiosk-process.js';
import { energyShownWh, payPlugAndCharge, simCharger, stopWithCode, tapConnector } from './fixtures.js';
import { ZvtSimState, type ReservationRecord } from '../../devices/payment/zvt/zvt-simulator-state.js';

/** Each test starts its own kiosk (its own fresh data folder), with the config it needs. */
const test = base.extend<{ startKiosk: (config?: object, args?: string[]) => Promise<KioskProcess> }>({
  startKiosk: async ({}, use) => {
    const started: KioskProcess[] = [];
    await use(async (config = E2E_CONFIG, args = []) => {
      const kiosk = new KioskProcess(config, args);
      started.push(kiosk);
      await kiosk.start();
      return kiosk;
    });
    for (const kiosk of started) await kiosk.stop();
  },
});

/** The ZVT simulator's record, as it is on disk now (replaced atomically, so always whole). */
function terminalState(kiosk: KioskProcess): ZvtSimState {
  return ZvtSimState.parse(JSON.parse(readFileSync(join(kiosk.dataDir, 'sim', 'zvt-terminal.json'), 'utf8')));
}

const reservationsOf = (kiosk: KioskProcess, sessionId: string): ReservationRecord[] =>
  terminalState(kiosk).reservations.filter((r) => r.reference?.startsWith(`${sessionId}:`));

const openReservations = (kiosk: KioskProcess): ReservationRecord[] => terminalState(kiosk).reservations.filter((r) => r.state === 'open');

/** Chooses what the simulated terminal does with the next payments, on the simulator panel. */
async function nextCard(page: Page, label: string): Promise<void> {
  const group = page.getByRole('group', { name: 'Next card' });
  await group.getByRole('button', { name: label, exact: true }).click();
  await expect(group.getByRole('button', { name: label, exact: true })).toHaveAttribute('aria-pressed', 'true');
}

/** The line the authorising screen shows for what the terminal asks. */
const terminalPrompt = (page: Page) => page.locator('.card-prompt').getByRole('status');

/** The decline screen's message. */
const declineMessage = (page: Page) => page.getByRole('alert').locator('.callout-title');

/** A row of the summary (label → amount shown). */
const summaryRow = (page: Page, label: string) => page.locator('.row', { has: page.locator('dt', { hasText: new RegExp(`^${label}$`) }) }).locator('dd');

/** "€0.51" → 51. */
const minorOf = (text: string): number => {
  const match = /€\s?(\d+)\.(\d{2})/.exec(text);
  if (!match) throw new Error(`no amount in '${text}'`);
  return Number(match[1]) * 100 + Number(match[2]);
};

test('approved: the hold is booked for the cost of the session, less than the hold, once', async ({ page, startKiosk }) => {
  const kiosk = await startKiosk();
  await page.goto(kiosk.url);
  await expect(page.getByText(/We hold €50\.00 on your card/)).toBeVisible();
  const stopCode = await payPlugAndCharge(page);
  const sessionId = (await kiosk.snapshot()).connectors[0]!.session!.id;
  // The hold is open on the terminal while the car charges, under the journal's key.
  expect(reservationsOf(kiosk, sessionId)).toMatchObject([{ reference: `${sessionId}:authorize:1`, amountMinor: 5000, state: 'open' }]);

  await expect.poll(() => energyShownWh(page), { timeout: 10_000 }).toBeGreaterThan(10);
  await stopWithCode(page, stopCode);
  await simCharger(page, '1').getByRole('button', { name: 'Unplug car' }).click();
  await expect(page.getByRole('heading', { name: 'Charging summary' })).toBeVisible();

  const costShown = minorOf(await summaryRow(page, 'Total').innerText());
  const takenShown = minorOf(await summaryRow(page, 'Taken from your card').innerText());
  const summary = (await kiosk.snapshot()).connectors[0]!.lastSummary!;
  expect(summary.sessionId).toBe(sessionId);
  expect(summary.stopReason).toBe('driver');
  expect(summary.energyWh).toBeGreaterThan(10);
  expect(costShown).toBe(summary.costMinor);
  expect(takenShown).toBe(summary.costMinor);
  expect(summary.capturedMinor).toBe(summary.costMinor);
  expect(summary.costMinor).toBeGreaterThan(0);
  expect(summary.costMinor).toBeLessThan(5000);

  // The terminal booked exactly that, on the one reservation this session placed.
  const mine = reservationsOf(kiosk, sessionId);
  expect(mine).toHaveLength(1);
  expect(mine[0]).toMatchObject({ reference: `${sessionId}:authorize:1`, amountMinor: 5000, state: 'booked', bookedMinor: costShown });
  const bookings = terminalState(kiosk).journal.filter((e) => e.event === 'booking');
  expect(bookings).toMatchObject([{ receiptNumber: mine[0]!.receiptNumber, amountMinor: costShown }]);
  expect(openReservations(kiosk)).toHaveLength(0);
  expect((await kiosk.snapshot()).sim!.terminal!.openHolds).toBe(0);
});

test('declined: the reason is shown; another way to pay goes back to the choice; try again after insufficient funds holds', async ({ page, startKiosk }) => {
  const kiosk = await startKiosk();
  await page.goto(kiosk.url);
  await nextCard(page, 'Decline');
  await tapConnector(page, '1');
  await page.getByRole('button', { name: 'Bank card' }).click();
  await expect(page.getByRole('heading', { name: 'Payment not completed' })).toBeVisible();
  await expect(declineMessage(page)).toHaveText('Your card was declined.');
  await expect(page.getByRole('button', { name: 'Try again' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Cancel' })).toBeVisible();
  const first = (await kiosk.snapshot()).connectors[0]!.session!;
  expect(first.declineReason).toBe('declined');

  // Another way to pay: back to the choice of payment, the declined session dropped.
  await page.getByRole('button', { name: 'Choose another way' }).click();
  await expect(page.getByRole('heading', { name: 'How would you like to pay?' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Bank card' })).toBeEnabled();

  // Insufficient funds has its own message.
  await nextCard(page, 'Insufficient funds');
  await page.getByRole('button', { name: 'Bank card' }).click();
  await expect(declineMessage(page)).toHaveText('Your card was declined: insufficient funds.');
  const second = (await kiosk.snapshot()).connectors[0]!.session!;
  expect(second.declineReason).toBe('insufficientFunds');
  expect(second.id).not.toBe(first.id);

  // Try again, approved this time: the second attempt of this session holds.
  await nextCard(page, 'Approve');
  await page.getByRole('button', { name: 'Try again' }).click();
  await expect(page.getByRole('heading', { name: 'Plug in your car' })).toBeVisible();
  const state = terminalState(kiosk);
  expect(state.reservations).toMatchObject([{ reference: `${second.id}:authorize:2`, amountMinor: 5000, state: 'open' }]);
  // Both declines reached the terminal and were declined there; nothing was held for them.
  const declined = state.journal.filter((e) => e.event === 'declined').map((e) => e.reference);
  expect(declined).toEqual([`${first.id}:authorize:1`, `${second.id}:authorize:1`]);
  expect((await kiosk.snapshot()).sim!.terminal!.openHolds).toBe(1);

  // Cancel before plugging in releases the hold in full.
  await page.getByRole('button', { name: 'Cancel' }).click();
  await expect(page.getByRole('button', { name: /^Connector 1, Available/ })).toBeVisible();
  await expect.poll(() => openReservations(kiosk).length).toBe(0);
  expect(terminalState(kiosk).reservations).toMatchObject([{ reference: `${second.id}:authorize:2`, state: 'reversed', bookedMinor: null }]);
});

test('terminal timeout: no card presented in time, nothing held', async ({ page, startKiosk }) => {
  // The shortest present-card timeout there is (10 s), on a clock ten times as fast; the
  // screens' inactivity timers pushed out of the way.
  const kiosk = await startKiosk({ ...E2E_CONFIG, timeouts: { ...E2E_CONFIG.timeouts, presentCardS: 10, inactivityWarnS: 600 } }, ['--clock-speed', '10']);
  await page.goto(kiosk.url);
  await nextCard(page, 'No card');
  await tapConnector(page, '1');
  await page.getByRole('button', { name: 'Bank card' }).click();
  await expect(terminalPrompt(page)).toHaveText('Present your card on the card terminal');
  const sessionId = (await kiosk.snapshot()).connectors[0]!.session!.id;
  await expect(declineMessage(page)).toHaveText('No card was presented in time.', { timeout: 5_000 });
  expect((await kiosk.snapshot()).connectors[0]!.session!.declineReason).toBe('timeout');

  // The terminal timed the request out itself; it holds nothing.
  const state = terminalState(kiosk);
  expect(state.journal.filter((e) => e.event === 'timeout').map((e) => e.reference)).toEqual([`${sessionId}:authorize:1`]);
  expect(state.reservations).toHaveLength(0);
  expect((await kiosk.snapshot()).sim!.terminal!.openHolds).toBe(0);
  await page.getByRole('button', { name: 'Cancel' }).click();
  await expect(page.getByRole('button', { name: /^Connector 1, Available/ })).toBeVisible();
  expect(openReservations(kiosk)).toHaveLength(0);
});

test('a kiosk killed between hold and booking: the session goes on and its hold is booked exactly once', async ({ page, startKiosk }) => {
  const kiosk = await startKiosk();
  await page.goto(kiosk.url);
  const stopCode = await payPlugAndCharge(page);
  await expect.poll(() => energyShownWh(page), { timeout: 10_000 }).toBeGreaterThan(10);
  const before = (await kiosk.snapshot()).connectors[0]!.session!;
  expect(reservationsOf(kiosk, before.id)).toMatchObject([{ reference: `${before.id}:authorize:1`, state: 'open' }]);

  await kiosk.restart('SIGKILL');
  await page.goto(kiosk.url);
  // The charging screen the driver was watching comes back by itself.
  await expect(page.getByRole('heading', { name: 'Charging' })).toBeVisible();
  const after = (await kiosk.snapshot()).connectors[0]!.session!;
  expect(after.id).toBe(before.id);
  expect(after.energyWh).toBeGreaterThanOrEqual(before.energyWh);
  // The start-up sweep kept the live session's reservation: still the one, still open.
  expect(reservationsOf(kiosk, before.id)).toMatchObject([{ reference: `${before.id}:authorize:1`, state: 'open' }]);
  expect(openReservations(kiosk)).toHaveLength(1);

  await stopWithCode(page, stopCode);
  await simCharger(page, '1').getByRole('button', { name: 'Unplug car' }).click();
  await expect(page.getByRole('heading', { name: 'Charging summary' })).toBeVisible();
  const costShown = minorOf(await summaryRow(page, 'Total').innerText());
  const summary = (await kiosk.snapshot()).connectors[0]!.lastSummary!;
  expect(summary.sessionId).toBe(before.id);
  expect(summary.costMinor).toBe(costShown);
  expect(summary.capturedMinor).toBe(costShown);
  expect(summary.energyWh).toBeGreaterThanOrEqual(before.energyWh);

  const state = terminalState(kiosk);
  const mine = state.reservations.filter((r) => r.reference?.startsWith(`${before.id}:`));
  expect(mine).toHaveLength(1);
  expect(mine[0]).toMatchObject({ state: 'booked', bookedMinor: costShown });
  // One 06 22 for the session, one booking of it, and nothing else released or left open.
  expect(state.journal.filter((e) => e.event === 'request' && e.reference?.startsWith(`${before.id}:`))).toHaveLength(1);
  expect(state.journal.filter((e) => e.event === 'booking' && e.receiptNumber === mine[0]!.receiptNumber)).toHaveLength(1);
  expect(state.journal.filter((e) => e.event === 'reversal' || e.event === 'autoReversal')).toHaveLength(0);
  expect(state.reservations.filter((r) => r.state === 'open')).toHaveLength(0);
  expect((await kiosk.snapshot()).sim!.terminal!.openHolds).toBe(0);
});

test('PIN: the authorising screen asks for the PIN before the approval', async ({ page, startKiosk }) => {
  const kiosk = await startKiosk();
  await page.goto(kiosk.url);
  await nextCard(page, 'Ask for PIN');
  await tapConnector(page, '1');
  await page.getByRole('button', { name: 'Bank card' }).click();
  await expect(terminalPrompt(page)).toHaveText('Enter your PIN on the card terminal');
  // Nothing is held while the PIN is being entered.
  expect(terminalState(kiosk).reservations).toHaveLength(0);
  expect((await kiosk.snapshot()).connectors[0]!.phase).toBe('authorizing');
  await expect(page.getByRole('heading', { name: 'Plug in your car' })).toBeVisible();
  const sessionId = (await kiosk.snapshot()).connectors[0]!.session!.id;
  expect(terminalState(kiosk).reservations).toMatchObject([{ reference: `${sessionId}:authorize:1`, amountMinor: 5000, state: 'open' }]);
});
