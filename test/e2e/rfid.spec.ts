// Station RFID cards, the way a driver uses them: hold the card to the reader on the
// payment screen, charge against the prepaid balance, stop by holding it again, and see
// the new balance; cards the station refuses; a balance that runs out mid-charge. The
// reader is the simulated one (the panel's buttons, /api/sim), the accounts are the
// sim-mode demo accounts and one made with `npm run accounts` while the kiosk runs.
import { execFileSync } from 'node:child_process';
import { expect, test, type Page } from '@playwright/test';
import { E2E_CONFIG, KioskProcess } from './kiosk-process.js';
import { energyShownWh, simCharger, tapConnector } from './fixtures.js';

/** Runs the accounts tool on the kiosk's data folder, as an operator would while it runs. */
function accounts(kiosk: KioskProcess, ...args: string[]): string {
  return execFileSync(process.execPath, ['--import', 'tsx', 'scripts/accounts.ts', '--config', kiosk.configFile, '--data', kiosk.dataDir, ...args], { encoding: 'utf8' }).trim();
}

/** Holds a demo card to the reader from the simulator panel. */
async function tapDemoCard(page: Page, label: string): Promise<void> {
  await page.getByRole('button', { name: `Tap ${label}` }).click();
}

async function startKiosk(config: object = E2E_CONFIG, args: string[] = []): Promise<KioskProcess> {
  const kiosk = new KioskProcess(config, args);
  await kiosk.start();
  return kiosk;
}

test('prepaid card: tap, charge, stop by tapping it again, and the summary shows the new balance', async ({ page }) => {
  const kiosk = await startKiosk();
  try {
    await page.goto(kiosk.url);
    await tapConnector(page, '1');
    await expect(page.getByText(/hold your card to the reader/i).first()).toBeVisible();
    await tapDemoCard(page, 'Demo prepaid');
    // Before charging: the balance and what is reserved of it (€20.00, under the €50.00 hold), and the price.
    await expect(page.getByRole('heading', { name: 'Plug in your car' })).toBeVisible();
    await expect(page.getByText(/Balance\s+€20\.00/).first()).toBeVisible();
    await expect(page.getByText(/€0\.345/).first()).toBeVisible();
    const before = (await kiosk.snapshot()).connectors[0]!.session!;
    expect(before.method).toBe('prepaid');
    expect(before.account).toEqual({ name: 'Demo prepaid', type: 'prepaid', balanceMinor: 2000 });
    expect(before.limitMinor).toBe(2000);

    await simCharger(page, '1').getByRole('button', { name: 'Plug in car' }).click();
    await expect(page.getByRole('heading', { name: 'Charging' })).toBeVisible();
    await expect.poll(() => energyShownWh(page), { timeout: 10_000 }).toBeGreaterThan(20);

    // The same card again stops the charge.
    await tapDemoCard(page, 'Demo prepaid');
    await expect(page.getByRole('heading', { name: /Charging stopped/ })).toBeVisible();
    await simCharger(page, '1').getByRole('button', { name: 'Unplug car' }).click();
    await expect(page.getByRole('button', { name: 'No receipt' })).toBeVisible();

    const summary = (await kiosk.snapshot()).connectors[0]!.lastSummary!;
    expect(summary.stopReason).toBe('driver');
    expect(summary.capturedMinor).toBe(summary.costMinor);
    expect(summary.capturedMinor).toBeGreaterThan(50);
    expect(summary.account).toEqual({ name: 'Demo prepaid', type: 'prepaid', balanceMinor: 2000 - summary.capturedMinor });
    const euros = ((2000 - summary.capturedMinor) / 100).toFixed(2);
    await expect(page.getByText(new RegExp(`New balance.*€${euros.replace('.', '\\.')}`)).first()).toBeVisible();

    // The ledger agrees, read by the tool while the kiosk runs: reserved, released, charged once.
    const csv = accounts(kiosk, 'ledger', 'demo-prepaid', '--csv').split('\n');
    expect(csv[0]).toBe('time,account,entry,amount,balance,session,who,reason');
    const kinds = csv.slice(1).map((line) => line.split(',')[2]);
    expect(kinds.filter((k) => k === 'charge')).toHaveLength(1);
    expect(kinds.filter((k) => k === 'reservation')).toHaveLength(1);
    expect(kinds.filter((k) => k === 'release')).toHaveLength(1);
    expect(csv.at(-1)!.split(',')[4]).toBe(euros);
  } finally {
    await kiosk.stop();
  }
});

for (const [card, words] of [
  ['Demo empty', /balance is too low/i],
  ['Demo blocked', /card is blocked/i],
  ['Unknown card', /not known at this station/i],
] as const) {
  test(`${card}: refused with a clear message, and the offer to pay another way`, async ({ page }) => {
    const kiosk = await startKiosk();
    try {
      await page.goto(kiosk.url);
      await tapConnector(page, '1');
      await tapDemoCard(page, card);
      await expect(page.getByRole('heading', { name: 'Payment not completed' })).toBeVisible();
      await expect(page.getByText(words).first()).toBeVisible();
      await expect(page.getByRole('button', { name: 'Try again' })).toHaveCount(0);
      await page.getByRole('button', { name: /another way/i }).click();
      await expect(page.getByRole('button', { name: 'Bank card' })).toBeVisible();
      const snapshot = await kiosk.snapshot();
      expect(snapshot.connectors[0]!.phase).toBe('choosingPayment');
      expect(snapshot.sim!.terminal!.openHolds).toBe(0);
    } finally {
      await kiosk.stop();
    }
  });
}

test('the balance runs out mid-charge: charging stops before the cost passes it, and the card is charged no more than it held', async ({ page }) => {
  // €4.00 a kWh and no session fee: €1.00 of balance is 250 Wh, about 40 s at 22 kW, 10 s at 4× speed.
  const tariff = { id: 'expensive', currency: 'EUR', elements: [{ price_components: [{ type: 'ENERGY', price_incl_vat: '4.00', vat: '19', step_size: 1 }] }] };
  const kiosk = await startKiosk({ ...E2E_CONFIG, tariff }, ['--clock-speed', '4']);
  try {
    // A new prepaid card, made and topped up with the tool while the kiosk runs.
    const id = accounts(kiosk, 'add', 'Low balance', '--type', 'prepaid');
    accounts(kiosk, 'card', id, '04:C0:FF:EE:00:11:22');
    accounts(kiosk, 'topup', id, '1.00', '--reason', 'e2e');
    await page.goto(kiosk.url);
    await tapConnector(page, '1');
    await kiosk.sim({ type: 'tag', uid: '04c0ffee001122' });
    await expect(page.getByRole('heading', { name: 'Plug in your car' })).toBeVisible();
    await simCharger(page, '1').getByRole('button', { name: 'Plug in car' }).click();
    await expect(page.getByRole('heading', { name: 'Charging' })).toBeVisible();
    await expect(page.getByRole('heading', { name: /Charging stopped/ })).toBeVisible({ timeout: 30_000 });
    await simCharger(page, '1').getByRole('button', { name: 'Unplug car' }).click();
    await expect(page.getByRole('button', { name: 'No receipt' })).toBeVisible();
    const summary = (await kiosk.snapshot()).connectors[0]!.lastSummary!;
    expect(summary.stopReason).toBe('holdLimit');
    expect(summary.capturedMinor).toBeLessThanOrEqual(100);
    expect(summary.capturedMinor).toBeGreaterThan(80);
    expect(summary.account!.balanceMinor).toBe(100 - summary.capturedMinor);
    expect(accounts(kiosk, 'show', id)).toMatch(new RegExp(`Balance\\s*:?\\s*€?\\s*${((100 - summary.capturedMinor) / 100).toFixed(2).replace('.', '\\.')}`, 'i'));
  } finally {
    await kiosk.stop();
  }
});
