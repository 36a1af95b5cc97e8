// A driver in their own language (issue 16): the language button on the screen, a switch
// mid-flow, the receipt printed in the driver's language, and the station's language again
// for the next driver once the session ends. Names are the catalogues' own words, so the
// test reads the screen as a German or French driver would.
import { readFileSync } from 'node:fs';
import i18next, { type TFunction } from 'i18next';
import type { Page } from '@playwright/test';
import { expect, simCharger, test } from './fixtures.js';

function catalogue(language: string): TFunction {
  const messages = JSON.parse(readFileSync(new URL(`../../electron/contract/messages/${language}.json`, import.meta.url), 'utf8')) as object;
  const instance = i18next.createInstance();
  void instance.init({ lng: language, resources: { [language]: { translation: messages } }, initAsync: false, interpolation: { escapeValue: false } });
  return instance.t;
}
const en = catalogue('en');
const de = catalogue('de');
const fr = catalogue('fr');

/** The root font size, px: the type scale every size on the screen follows. */
const rootFontPx = (page: Page) =>
  page.locator('html').evaluate((html) => parseFloat((globalThis as unknown as { getComputedStyle(e: unknown): { fontSize: string } }).getComputedStyle(html).fontSize));
const heading = (page: Page, name: string) => page.getByRole('heading', { name, exact: true });

async function chooseLanguage(page: Page, current: string, next: string, title: string): Promise<void> {
  await page.getByRole('button', { name: current, exact: true }).click();
  const dialog = page.getByRole('dialog', { name: title });
  await dialog.getByRole('button', { name: next, exact: true }).click();
  await expect(dialog).toHaveCount(0);
}

test('a driver picks German at the start, switches to French mid-flow, gets a French receipt, and the next driver meets English', async ({ page, kiosk }) => {
  await page.goto(kiosk.url);
  await expect(heading(page, en('start.title'))).toBeVisible();
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');

  await chooseLanguage(page, 'English', 'Deutsch', en('language.title'));
  await expect(heading(page, de('start.title'))).toBeVisible();
  await expect(page.locator('html')).toHaveAttribute('lang', 'de');
  // Prices in the German way of writing money.
  await expect(page.getByText(/\d,\d{2}\s€/).first()).toBeVisible();
  // The simulator panel is the developer's: it stays in the station's language.
  await expect(simCharger(page, '1').getByRole('button', { name: 'Plug in car' })).toBeVisible();

  await page.getByRole('button', { name: de('connector.tileName', { label: '1', state: de('connector.state.available') }) }).click();
  await expect(heading(page, de('payment.title'))).toBeVisible();
  // Mid-flow, to French: the flow goes on in French.
  await chooseLanguage(page, 'Deutsch', 'Français', de('language.title'));
  await expect(heading(page, fr('payment.title'))).toBeVisible();
  await page.getByRole('button', { name: fr('actions.bankCard'), exact: true }).click();
  await expect(heading(page, fr('awaiting.title'))).toBeVisible();
  await simCharger(page, '1').getByRole('button', { name: 'Plug in car' }).click();
  await expect(heading(page, fr('charging.title'))).toBeVisible();
  const stopCode = (await page.locator('.stop-code-digits').innerText()).trim();
  await page.getByRole('button', { name: fr('actions.okNoted'), exact: true }).click();

  await page.getByRole('button', { name: fr('actions.stopCharging'), exact: true }).click();
  const keypad = page.getByRole('dialog', { name: fr('keypad.title') });
  for (const digit of stopCode) await keypad.getByRole('button', { name: digit, exact: true }).click();
  await keypad.getByRole('button', { name: fr('actions.ok'), exact: true }).click();
  await expect(heading(page, fr('parked.title'))).toBeVisible();
  await simCharger(page, '1').getByRole('button', { name: 'Unplug car' }).click();

  await expect(heading(page, fr('summary.title'))).toBeVisible();
  await page.getByRole('button', { name: fr('actions.printReceipt'), exact: true }).click();
  // The printed receipt, as the simulated printer decoded it: in French.
  const receipt = page.locator('aside pre');
  await expect(receipt).toContainText(fr('receipt.title'));
  await expect(receipt).not.toContainText(en('receipt.title'));

  await page.getByRole('button', { name: fr('actions.done'), exact: true }).click();
  // The session is over: the next driver meets the station's language.
  await expect(heading(page, en('start.title'))).toBeVisible();
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await expect(page.getByRole('button', { name: 'English', exact: true })).toBeVisible();
});

test('high contrast from the start screen lasts the flow and ends with it', async ({ page, kiosk }) => {
  await page.goto(kiosk.url);
  const toggle = page.getByRole('button', { name: en('display.highContrast'), exact: true });
  await expect(toggle).toHaveAttribute('aria-pressed', 'false');
  const before = await rootFontPx(page);
  await toggle.click();
  await expect(toggle).toHaveAttribute('aria-pressed', 'true');
  await expect(page.locator('html')).toHaveClass(/high-contrast/);
  const after = await rootFontPx(page);
  expect(after).toBeGreaterThan(before * 1.1);

  await page.getByRole('button', { name: /^Connector 1,/ }).click();
  await expect(heading(page, en('payment.title'))).toBeVisible();
  await expect(page.locator('html')).toHaveClass(/high-contrast/);
  await page.getByRole('button', { name: en('actions.cancel'), exact: true }).click();
  await expect(heading(page, en('start.title'))).toBeVisible();
  await expect(page.locator('html')).not.toHaveClass(/high-contrast/);
});
