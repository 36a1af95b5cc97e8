// The driver's journey on the web host in sim mode, used by visible text and roles.
import { test, expect, tapConnector, simCharger, payByCard, energyShownWh } from './fixtures.js';

test('a driver pays by card, charges, stops with the stop code, unplugs and gets a receipt', async ({ page, kiosk }) => {
  await page.goto(kiosk.url);
  // the price before choosing
  await expect(page.getByText(/per kWh/)).toBeVisible();
  await expect(page.getByText(/We hold €50\.00 on your card/)).toBeVisible();
  await expect(page.getByRole('button', { name: 'Connector 1, Available' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Connector 2, Available' })).toBeVisible();

  await tapConnector(page, '1');
  await page.getByRole('button', { name: 'Bank card' }).click();
  await expect(page.getByRole('heading', { name: /Present your card/ })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Plug in your car' })).toBeVisible();

  await simCharger(page, '1').getByRole('button', { name: 'Plug in car' }).click();
  await expect(page.getByRole('heading', { name: 'Charging' })).toBeVisible();
  const stopCode = (await page.locator('.stop-code-digits').innerText()).trim();
  expect(stopCode).toMatch(/^\d{4}$/);
  await page.getByRole('button', { name: 'OK, noted' }).click();
  await expect(page.locator('.stop-code-digits')).toHaveCount(0);

  // live figures move at least once a second
  await expect.poll(() => energyShownWh(page), { timeout: 10_000 }).toBeGreaterThan(0);
  const first = await energyShownWh(page);
  await expect.poll(() => energyShownWh(page), { timeout: 5_000 }).toBeGreaterThan(first);
  await expect(page.getByText(/kW$/).first()).toBeVisible();

  // a wrong code does not stop it
  await page.getByRole('button', { name: 'Stop charging' }).click();
  const keypad = page.getByRole('dialog');
  const wrong = stopCode === '0000' ? '1111' : '0000';
  for (const digit of wrong) await keypad.getByRole('button', { name: digit, exact: true }).click();
  await keypad.getByRole('button', { name: 'OK', exact: true }).click();
  await expect(keypad.getByText(/not stopped/i)).toBeVisible();
  await expect(keypad.getByText('0 of 4 digits entered')).toBeVisible();
  for (const digit of stopCode) await keypad.getByRole('button', { name: digit, exact: true }).click();
  await keypad.getByRole('button', { name: 'OK', exact: true }).click();

  await expect(page.getByRole('heading', { name: /Charging stopped/ })).toBeVisible();
  await simCharger(page, '1').getByRole('button', { name: 'Unplug car' }).click();

  await expect(page.getByRole('button', { name: 'Print receipt' })).toBeVisible();
  await expect(page.getByText(/\*\*\*\* 0001|0001/).first()).toBeVisible();
  await page.getByRole('button', { name: 'Print receipt' }).click();
  await expect(page.getByText('Receipt printed', { exact: true })).toBeVisible();
  await expect(page.locator('aside pre')).toContainText('Charging receipt');

  const snapshot = await kiosk.snapshot();
  const summary = snapshot.connectors[0]!.lastSummary!;
  expect(summary.capturedMinor).toBe(summary.costMinor);
  expect(summary.stopReason).toBe('driver');
  expect(snapshot.sim!.terminal!.openHolds).toBe(0);

  await page.getByRole('button', { name: 'Done' }).click();
  await expect(page.getByRole('button', { name: 'Connector 1, Available' })).toBeVisible();
  // the summary is the driver's: reachable again from the tile with the stop code, and the QR code is still on offer
  expect((await kiosk.snapshot()).connectors[0]!.lastSummary).toBeNull();
  await page.getByRole('button', { name: 'Last session' }).click();
  const again = page.getByRole('dialog', { name: 'Your last session' });
  for (const digit of wrong) await again.getByRole('button', { name: digit, exact: true }).click();
  await again.getByRole('button', { name: 'OK', exact: true }).click();
  await expect(again.getByText(/not shown/i)).toBeVisible();
  for (const digit of stopCode) await again.getByRole('button', { name: digit, exact: true }).click();
  await again.getByRole('button', { name: 'OK', exact: true }).click();
  await expect(page.getByText('Receipt printed', { exact: true })).toBeVisible();
  await page.getByRole('button', { name: 'Show QR code' }).click();
  await expect(page.getByRole('img', { name: /QR/i })).toBeVisible();
  // The QR code opens over the summary; Done there ends it.
  await page.getByRole('dialog', { name: 'Your receipt' }).getByRole('button', { name: 'Done' }).click();
  await expect(page.getByRole('button', { name: 'Connector 1, Available' })).toBeVisible();
});

test('a declined card offers another try, and the retry charges', async ({ page, kiosk }) => {
  await page.goto(kiosk.url);
  await page.getByRole('group', { name: 'Next card' }).getByRole('button', { name: 'Decline', exact: true }).click();
  await tapConnector(page, '1');
  await page.getByRole('button', { name: 'Bank card' }).click();
  await expect(page.getByRole('button', { name: 'Try again' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Choose another way' })).toBeVisible();
  await expect(page.getByText('+49 30 555 0199').first()).toBeVisible();
  await expect(page.getByText(/E2E-STATION-7/).first()).toBeVisible();

  await page.getByRole('group', { name: 'Next card' }).getByRole('button', { name: 'Approve', exact: true }).click();
  await page.getByRole('button', { name: 'Try again' }).click();
  await expect(page.getByRole('heading', { name: 'Plug in your car' })).toBeVisible();
  await simCharger(page, '1').getByRole('button', { name: 'Plug in car' }).click();
  await expect(page.getByRole('heading', { name: 'Charging' })).toBeVisible();
  expect((await kiosk.snapshot()).sim!.terminal!.openHolds).toBe(1);
});

test('pulling the cable mid-charge ends the session and bills what was delivered', async ({ page, kiosk }) => {
  await page.goto(kiosk.url);
  await tapConnector(page, '1');
  await payByCard(page);
  await simCharger(page, '1').getByRole('button', { name: 'Plug in car' }).click();
  await expect.poll(() => energyShownWh(page), { timeout: 10_000 }).toBeGreaterThan(0);
  await simCharger(page, '1').getByRole('button', { name: 'Unplug car' }).click();
  await expect(page.getByRole('button', { name: 'No receipt' })).toBeVisible();
  const summary = (await kiosk.snapshot()).connectors[0]!.lastSummary!;
  expect(summary.stopReason).toBe('unplugged');
  expect(summary.energyWh).toBeGreaterThan(0);
  expect(summary.capturedMinor).toBe(summary.costMinor);
  await page.getByRole('button', { name: 'Show QR code' }).click();
  await expect(page.getByRole('img', { name: /QR/i })).toBeVisible();
  expect((await kiosk.snapshot()).connectors[0]!.lastSummary!.receiptQr).toContain(summary.sessionId);
});

test('two connectors charge at once; one flow holds the screen; tiles show the other', async ({ page, kiosk }) => {
  await page.goto(kiosk.url);
  await tapConnector(page, '1');
  await payByCard(page);
  await simCharger(page, '1').getByRole('button', { name: 'Plug in car' }).click();
  await expect(page.getByRole('heading', { name: 'Charging' })).toBeVisible();
  await page.getByRole('button', { name: 'Back to start' }).click();
  await expect(page.getByRole('button', { name: /^Connector 1, Charging/ })).toBeVisible();

  await tapConnector(page, '2');
  await payByCard(page);
  await simCharger(page, '2').getByRole('button', { name: 'Plug in car' }).click();
  await expect(page.getByRole('heading', { name: 'Charging' })).toBeVisible();
  await page.getByRole('button', { name: 'Back to start' }).click();
  await expect(page.getByRole('button', { name: /^Connector 1, Charging/ })).toBeVisible();
  await expect(page.getByRole('button', { name: /^Connector 2, Charging/ })).toBeVisible();

  // connector 1's car leaves while the screen is free: its summary comes up
  await simCharger(page, '1').getByRole('button', { name: 'Unplug car' }).click();
  await expect(page.getByRole('button', { name: 'Print receipt' })).toBeVisible();
  await page.getByRole('button', { name: 'Done' }).click();
  await expect(page.getByRole('button', { name: /^Connector 2, Charging/ })).toBeVisible();
  const snapshot = await kiosk.snapshot();
  expect(snapshot.connectors.map((c) => c.phase)).toEqual(['available', 'charging']);
});

test('a reload mid-charge shows the same session', async ({ page, kiosk }) => {
  await page.goto(kiosk.url);
  await tapConnector(page, '1');
  await payByCard(page);
  await simCharger(page, '1').getByRole('button', { name: 'Plug in car' }).click();
  await expect.poll(() => energyShownWh(page), { timeout: 10_000 }).toBeGreaterThan(0);
  const before = await energyShownWh(page);
  await page.reload();
  await expect(page.getByRole('heading', { name: 'Charging' })).toBeVisible();
  expect(await energyShownWh(page)).toBeGreaterThanOrEqual(before);
  await expect(page.getByRole('button', { name: 'Stop charging' })).toBeVisible();
});
