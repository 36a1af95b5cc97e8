// Issue 16's "done means", as a driver does it: in each of the five languages, on a station
// whose language it is, in the high-contrast mode at 800×480, pay by card, charge, stop with
// the code and print the receipt, finding every control by the name a screen reader says
// (the catalogue's words), and reading the charging and summary screens as Chromium gives
// them to a screen reader (its accessibility tree): units and currency in words, no symbol.
// npm test runs Dutch and Spanish (German and French have their own journey in
// languages.spec.ts); A11Y=full runs all five.
import type { Page } from '@playwright/test';
import type { TFunction } from 'i18next';
import { expect, test } from './fixtures.js';
import { E2E_CONFIG } from './kiosk-process.js';
import { catalogue, expectLanguage, stationIn } from './screen-tour.js';

const LANGUAGES = process.env.A11Y === 'full' ? ['en', 'de', 'fr', 'nl', 'es'] : ['nl', 'es'];

interface AXNode {
  nodeId: string;
  ignored: boolean;
  role?: { value: string };
  name?: { value: unknown };
  childIds?: string[];
}

/** The texts a screen reader reads inside the page's main landmark: Chromium's accessibility tree, not the DOM. */
async function spokenTexts(page: Page): Promise<string[]> {
  const cdp = await page.context().newCDPSession(page);
  try {
    const { nodes } = (await cdp.send('Accessibility.getFullAXTree')) as { nodes: AXNode[] };
    const byId = new Map(nodes.map((n) => [n.nodeId, n]));
    const main = nodes.find((n) => !n.ignored && n.role?.value === 'main');
    if (!main) throw new Error('no main landmark in the accessibility tree');
    const texts: string[] = [];
    const walk = (node: AXNode) => {
      if (!node.ignored && node.role?.value === 'StaticText') texts.push(String(node.name?.value ?? ''));
      for (const id of node.childIds ?? []) {
        const child = byId.get(id);
        if (child) walk(child);
      }
    };
    walk(main);
    return texts;
  } finally {
    await cdp.detach();
  }
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const NUMBER = '\\d+(?:[.,]\\d+)?';

/** A catalogue message with a number in it, in every plural form the language has, as a pattern. */
function spokenPattern(t: TFunction, key: 'units.spoken.kWh' | 'units.spoken.kW'): RegExp {
  const forms = [0, 1, 2, 0.5, 1_000_000].map((count) => escape(t(key, { count, value: '\u0000' })).replace('\u0000', NUMBER));
  return new RegExp(`(?:${[...new Set(forms)].join('|')})`);
}

/** The driver's screen read aloud: the energy, power (while charging) and money in words, and no unit or currency symbol anywhere. */
async function expectSpokenInWords(page: Page, t: TFunction, language: string, withPower: boolean): Promise<void> {
  // The currency's name in the language, singular or plural as the amount says it ("0,50 euro", "2,00 euros").
  const names = new Intl.NumberFormat(language, { style: 'currency', currency: 'EUR', currencyDisplay: 'name' });
  const euros = new RegExp(`\\b(?:${[0.5, 2].map((n) => escape(names.formatToParts(n).find((p) => p.type === 'currency')!.value)).join('|')})\\b`, 'i');
  await expect(async () => {
    const spoken = (await spokenTexts(page)).join(' | ');
    expect(spoken).toMatch(spokenPattern(t, 'units.spoken.kWh'));
    if (withPower) expect(spoken).toMatch(spokenPattern(t, 'units.spoken.kW'));
    expect(spoken).toMatch(euros);
    expect(spoken).not.toMatch(/€|\bkWh?\b/);
  }).toPass({ timeout: 10_000 });
}

for (const language of LANGUAGES) {
  test.describe(`a driver in ${language}, high contrast, 800x480`, () => {
    test.use({ kioskOptions: { config: stationIn(language, E2E_CONFIG) }, viewport: { width: 800, height: 480 } });

    test('pays, charges, stops and gets a receipt by the names a screen reader says', async ({ page, kiosk }) => {
      const t = catalogue(language);
      const heading = (key: string) => page.getByRole('heading', { name: t(key), exact: true });
      const button = (key: string, scope: Page | ReturnType<Page['getByRole']> = page) => scope.getByRole('button', { name: t(key), exact: true });

      await page.goto(kiosk.url);
      await expect(heading('start.title')).toBeVisible();
      await expectLanguage(page, language);
      await button('display.highContrast').click();
      await expect(page.locator('html')).toHaveClass(/high-contrast/);

      await page.getByRole('button', { name: new RegExp(`^${escape(t('connector.tileName', { label: '1', state: t('connector.state.available') }))}`) }).click();
      await expect(heading('payment.title')).toBeVisible();
      await button('actions.bankCard').click();
      await expect(heading('awaiting.title')).toBeVisible();
      // The simulator panel (the test's hands, not the driver's) speaks the station's language too.
      const simulated = page.getByRole('group', { name: t('sim.charger', { label: '1' }) });
      await simulated.getByRole('button', { name: t('sim.plugIn') }).click();

      await expect(heading('charging.title')).toBeVisible();
      const stopCode = (await page.locator('.stop-code-digits').innerText()).replace(/\D/g, '');
      expect(stopCode).toMatch(/^\d{4}$/);
      await button('actions.okNoted').click();
      await expectSpokenInWords(page, t, language, true);

      await button('actions.stopCharging').click();
      const keypad = page.getByRole('dialog', { name: t('keypad.title') });
      for (const digit of stopCode) await keypad.getByRole('button', { name: digit, exact: true }).click();
      await button('actions.ok', keypad).click();
      await expect(heading('parked.title')).toBeVisible();
      await simulated.getByRole('button', { name: t('sim.unplug') }).click();

      await expect(heading('summary.title')).toBeVisible();
      await expect(page.locator('html')).toHaveClass(/high-contrast/);
      await expectSpokenInWords(page, t, language, false);
      await button('actions.printReceipt').click();
      const receipt = page.locator('aside pre');
      await expect(receipt).toContainText(t('receipt.title'));

      await button('actions.done').click();
      await expect(heading('start.title')).toBeVisible();
      await expectLanguage(page, language);
      await expect(page.locator('html')).not.toHaveClass(/high-contrast/);
    });
  });
}
