// The web host stopped and started again mid-session: the terminal keeps at most one
// hold for the session, the energy never goes backwards, the charging screen comes back,
// and the session is paid once.
import { test, expect, tapConnector, simCharger, payByCard, energyShownWh } from './fixtures.js';

for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
  test(`restart (${signal}) while the card terminal is authorising: nothing is held twice, the driver pays again`, async ({ page, kiosk }) => {
    await page.goto(kiosk.url);
    await tapConnector(page, '1');
    await page.getByRole('button', { name: 'Bank card' }).click();
    await expect(page.getByRole('heading', { name: /Present your card/ })).toBeVisible();
    await kiosk.restart(signal);
    await page.goto(kiosk.url);
    // The simulated ZVT terminal runs in the kiosk process: the reservation under way went
    // with it. ZVT cannot be asked about it, so once the open reservations are settled the
    // kiosk knows nothing is held, and says the payment was cancelled.
    await expect(page.getByText('The payment was cancelled.')).toBeVisible();
    expect((await kiosk.snapshot()).sim!.terminal!.openHolds).toBe(0);
    await page.getByRole('button', { name: 'Try again' }).click();
    await expect(page.getByRole('heading', { name: 'Plug in your car' })).toBeVisible();
    expect((await kiosk.snapshot()).sim!.terminal!.openHolds).toBe(1);

    await simCharger(page, '1').getByRole('button', { name: 'Plug in car' }).click();
    await expect.poll(() => energyShownWh(page), { timeout: 10_000 }).toBeGreaterThan(0);
    await simCharger(page, '1').getByRole('button', { name: 'Unplug car' }).click();
    await expect(page.getByRole('button', { name: 'No receipt' })).toBeVisible();
    const snapshot = await kiosk.snapshot();
    expect(snapshot.sim!.terminal!.openHolds).toBe(0);
    expect(snapshot.connectors[0]!.lastSummary!.capturedMinor).toBe(snapshot.connectors[0]!.lastSummary!.costMinor);
  });

  test(`restart (${signal}) while charging goes on and is paid exactly once`, async ({ page, kiosk }) => {
    await page.goto(kiosk.url);
    await tapConnector(page, '1');
    await payByCard(page);
    await simCharger(page, '1').getByRole('button', { name: 'Plug in car' }).click();
    await expect.poll(() => energyShownWh(page), { timeout: 10_000 }).toBeGreaterThan(10);
    const stored = (await kiosk.snapshot()).connectors[0]!.session!.energyWh;
    const sessionId = (await kiosk.snapshot()).connectors[0]!.session!.id;

    await kiosk.restart(signal);
    await page.goto(kiosk.url);
    // The driver who was watching the charge sees it again, without a tap.
    await expect(page.getByRole('heading', { name: 'Charging' })).toBeVisible();
    // the screen shows 0.01 kWh steps
    expect(await energyShownWh(page)).toBeGreaterThanOrEqual(Math.floor(stored / 10) * 10);
    const after = await kiosk.snapshot();
    expect(after.connectors[0]!.session!.energyWh).toBeGreaterThanOrEqual(stored);
    expect(after.connectors[0]!.session!.id).toBe(sessionId);
    expect(after.sim!.terminal!.openHolds).toBe(1);

    await simCharger(page, '1').getByRole('button', { name: 'Unplug car' }).click();
    await expect(page.getByRole('button', { name: 'No receipt' })).toBeVisible();
    const done = await kiosk.snapshot();
    const summary = done.connectors[0]!.lastSummary!;
    expect(summary.sessionId).toBe(sessionId);
    expect(summary.energyWh).toBeGreaterThanOrEqual(stored);
    expect(summary.capturedMinor).toBe(summary.costMinor);
    expect(done.sim!.terminal!.openHolds).toBe(0);
  });
}

test('a second kiosk on the same data folder refuses to start', async ({ kiosk }) => {
  const { spawnSync } = await import('node:child_process');
  const second = spawnSync(process.execPath, ['dist/main/web-main.js', '--data', kiosk.dataDir, '--port', '0'], { encoding: 'utf8', timeout: 15_000 });
  expect(second.status).toBe(2);
  expect(second.stderr).toMatch(/another kiosk \(pid \d+\) is running/);
});
