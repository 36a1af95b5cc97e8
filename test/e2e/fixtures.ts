import { test as base, expect, type Page } from '@playwright/test';
import { KioskProcess } from './kiosk-process.js';

/** How the `kiosk` fixture starts the kiosk (test.use({ kioskOptions })): its configuration, more options, more environment. */
export interface KioskOptions {
  config?: object;
  args?: string[];
  env?: Record<string, string>;
}

export const test = base.extend<{ kioskOptions: KioskOptions; kiosk: KioskProcess }>({
  kioskOptions: [{}, { option: true }],
  kiosk: async ({ kioskOptions }, use) => {
    const kiosk = new KioskProcess(kioskOptions.config, kioskOptions.args, kioskOptions.env);
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

/** From the start screen: pays by card on connector `label`, plugs the car in, notes the stop code and returns it. */
export async function payPlugAndCharge(page: Page, label = '1'): Promise<string> {
  await tapConnector(page, label);
  await payByCard(page);
  await simCharger(page, label).getByRole('button', { name: 'Plug in car' }).click();
  await expect(page.getByRole('heading', { name: 'Charging' })).toBeVisible();
  const stopCode = (await page.locator('.stop-code-digits').innerText()).trim();
  expect(stopCode).toMatch(/^\d{4}$/);
  await page.getByRole('button', { name: 'OK, noted' }).click();
  return stopCode;
}

/** Stops charging with the stop code on the keypad, and waits for the parked screen. */
export async function stopWithCode(page: Page, stopCode: string): Promise<void> {
  await page.getByRole('button', { name: 'Stop charging' }).click();
  const keypad = page.getByRole('dialog');
  for (const digit of stopCode) await keypad.getByRole('button', { name: digit, exact: true }).click();
  await keypad.getByRole('button', { name: 'OK', exact: true }).click();
  await expect(page.getByRole('heading', { name: /Charging stopped/ })).toBeVisible();
}

/** Reads the energy figure on the charging screen, Wh. */
export async function energyShownWh(page: Page): Promise<number> {
  const figure = page.locator('.figure', { has: page.locator('dt', { hasText: /^Energy$/ }) });
  const text = await figure.locator('dd').innerText();
  const kwh = Number(/([\d.,]+)\s*kWh/.exec(text)![1]!.replace(',', ''));
  return Math.round(kwh * 1000);
}
