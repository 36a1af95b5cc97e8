import { test as base, expect, type Page } from '@playwright/test';
import { KioskProcess } from './kiosk-process.js';

export const test = base.extend<{ kiosk: KioskProcess }>({
  kiosk: async ({}, use) => {
    const kiosk = new KioskProcess();
    await kiosk.start();
    await use(kiosk);
    await kiosk.stop();
  },
});
export { expect };

/** Taps a connector tile on the start screen. */
export async function tapConnector(page: Page, label: string): Promise<void> {
  await page.getByRole('button', { name: new RegExp(`^Connector ${label},`) }).click();
}

/** The simulator panel's group for one charger. */
export function simCharger(page: Page, label: string) {
  return page.getByRole('group', { name: `Charger ${label}` });
}

/** Pays by card on the connector's screen and waits for the plug-in prompt. */
export async function payByCard(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Bank card' }).click();
  await expect(page.getByRole('heading', { name: 'Plug in your car' })).toBeVisible();
}

/** Reads the energy figure on the charging screen, Wh. */
export async function energyShownWh(page: Page): Promise<number> {
  const figure = page.locator('.figure', { has: page.locator('dt', { hasText: /^Energy$/ }) });
  const text = await figure.locator('dd').innerText();
  const kwh = Number(/([\d.,]+)\s*kWh/.exec(text)![1]!.replace(',', ''));
  return Math.round(kwh * 1000);
}
