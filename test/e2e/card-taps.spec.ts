// Cards held to the card terminal outside a payment, the way a driver uses them: stop a
// charge by tapping the card that paid, and (tap to start) tap first, then pay where the
// car is plugged in. The taps come through /api/sim, as the simulated terminal's reader.
import { test as base, expect } from '@playwright/test';
import { E2E_CONFIG, KioskProcess } from './kiosk-process.js';
import { energyShownWh, payPlugAndCharge, simCharger, tapConnector } from './fixtures.js';

const test = base.extend<{ kiosk: KioskProcess }>({
  kiosk: async ({}, use, testInfo) => {
    const tapToStart = testInfo.title.includes('tap to start');
    const kiosk = new KioskProcess({ ...E2E_CONFIG, payment: { tapToStart } });
    await kiosk.start();
    await use(kiosk);
    await kiosk.stop();
  },
});

test('stop by the same card: the card that paid stops the charge; another card does not', async ({ page, kiosk }) => {
  await page.goto(kiosk.url);
  await payPlugAndCharge(page);
  await expect.poll(() => energyShownWh(page), { timeout: 10_000 }).toBeGreaterThan(0);

  // Someone else's card: nothing stops, and the start screen would say why.
  await kiosk.sim({ type: 'tapCard', card: 'second' });
  await expect.poll(async () => (await kiosk.snapshot()).cardTap?.kind ?? null).toBe('noSession');
  expect((await kiosk.snapshot()).connectors[0]!.phase).toBe('charging');

  // The card that paid, from the simulator panel.
  await page.getByRole('group', { name: 'Hold a card to the terminal' }).getByRole('button', { name: 'Tap card •••• 0001' }).click();
  await expect(page.getByRole('heading', { name: /Charging stopped/ })).toBeVisible();
  await simCharger(page, '1').getByRole('button', { name: 'Unplug car' }).click();
  await expect(page.getByRole('button', { name: 'No receipt' })).toBeVisible();
  const summary = (await kiosk.snapshot()).connectors[0]!.lastSummary!;
  expect(summary.stopReason).toBe('driver');
  expect(summary.capturedMinor).toBe(summary.costMinor);
});

test('tap to start: a tap with the car plugged in pays on that connector, and charging begins', async ({ page, kiosk }) => {
  await page.goto(kiosk.url);
  await simCharger(page, '2').getByRole('button', { name: 'Plug in car' }).click();
  await expect(page.getByRole('button', { name: /^Connector 2,/ })).toBeVisible();
  await kiosk.sim({ type: 'tapCard', card: 'first' });
  // The hold is placed on the next tap (the simulated card comes on its own).
  await expect(page.getByRole('heading', { name: 'Charging' })).toBeVisible({ timeout: 15_000 });
  const snapshot = await kiosk.snapshot();
  expect(snapshot.connectors[1]!.phase).toBe('charging');
  expect(snapshot.sim!.terminal!.openHolds).toBe(1);
});

test('tap to start with cars at both connectors: the screen asks which one, and choosing it pays there', async ({ page, kiosk }) => {
  await page.goto(kiosk.url);
  await simCharger(page, '1').getByRole('button', { name: 'Plug in car' }).click();
  await simCharger(page, '2').getByRole('button', { name: 'Plug in car' }).click();
  await expect.poll(async () => (await kiosk.snapshot()).connectors.every((c) => c.vehiclePlugged)).toBe(true);
  await kiosk.sim({ type: 'tapCard', card: 'first' });
  await expect(page.getByText('Card read. Now tap the connector your car is plugged into.')).toBeVisible();
  await tapConnector(page, '1');
  await expect(page.getByRole('heading', { name: 'Charging' })).toBeVisible({ timeout: 15_000 });
  expect((await kiosk.snapshot()).connectors[1]!.phase).toBe('available');
});

test('tap to start with no car plugged in asks to plug in first', async ({ page, kiosk }) => {
  await page.goto(kiosk.url);
  await expect(page.getByRole('button', { name: /^Connector 1,/ })).toBeVisible();
  await kiosk.sim({ type: 'tapCard', card: 'first' });
  await expect(page.getByText(/Plug in your car first/)).toBeVisible();
});
