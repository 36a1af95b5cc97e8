// Figures as a screen reader says them (issue 16): money with the currency's name, energy,
// power and prices with their units in words (units.spoken.*, plural by the number said),
// times in hours, minutes and seconds; and on the screen, the figure shown to sight with
// these words in its place for a screen reader (components/Spoken.tsx), its text unchanged.
import type { Page } from '@playwright/test';
import { describe, expect, it } from 'vitest';
import type { CostLine, PriceChange } from '../../../electron/contract/index.js';
import { makeUnitFormats, type UnitFormats } from '../../../renderer/src/format/format.js';
import { costLineLabel, mainPrice, priceChangeShortText, priceLineText, unitPriceText } from '../../../renderer/src/format/price-text.js';
import { initI18n } from '../../../renderer/src/i18n/i18n.js';
import { hasChromium, screenForSuite, snapshot, summaryOf } from './screen-harness.js';

const i18n = initI18n();
const t = i18n.t.bind(i18n);
const formats = (locale = 'en', currency = 'EUR'): UnitFormats => makeUnitFormats(locale, currency, (key, options) => t(key, options));
const f = formats();

describe('spoken formats', () => {
  it('says money with the currency’s name, to the digits shown', () => {
    expect(f.moneySpoken(1234)).toBe('12.34 euros');
    expect(f.moneySpoken(0)).toBe('0.00 euros');
    expect(f.moneySpoken(100)).toBe('1.00 euros');
    expect(formats('en', 'USD').moneySpoken(250)).toBe('2.50 US dollars');
    expect(formats('en', 'JPY').moneySpoken(53)).toBe('53 Japanese yen');
    expect(formats('de').moneySpoken(1234)).toBe('12,34 Euro');
    // A unit price keeps every digit the operator gave.
    expect(f.priceSpoken('0.3450')).toBe('0.3450 euros');
    expect(f.priceSpoken('6')).toBe('6.00 euros');
  });

  it('says energy and power in words, the plural by the number said (no padding zeros)', () => {
    expect(f.energySpoken(12_345)).toBe('12.35 kilowatt-hours');
    expect(f.energySpoken(1_000)).toBe('1 kilowatt-hour');
    expect(f.energySpoken(1_500)).toBe('1.5 kilowatt-hours');
    expect(f.energySpoken(0)).toBe('0 kilowatt-hours');
    // The one energy rounding (kwhText), as the figure shown.
    expect(f.energy(5_499.6)).toBe('5.50 kWh');
    expect(f.energySpoken(5_499.6)).toBe('5.5 kilowatt-hours');
    expect(f.powerSpoken(7_400)).toBe('7.4 kilowatts');
    expect(f.powerSpoken(1_000)).toBe('1 kilowatt');
    expect(f.powerSpoken(22_000)).toBe('22 kilowatts');
    expect(f.powerSpoken(-5)).toBe('0 kilowatts');
    expect(formats('de').kwhSpoken(12_345)).toBe('12,35');
  });

  it('says a time in hours, minutes and seconds, leaving out what is 0', () => {
    expect(f.duration(3723)).toBe('1:02:03');
    expect(f.durationSpoken(3723)).toBe('1 hour, 2 minutes, 3 seconds');
    expect(f.durationSpoken(3600)).toBe('1 hour');
    expect(f.durationSpoken(125)).toBe('2 minutes, 5 seconds');
    expect(f.durationSpoken(1)).toBe('1 second');
    expect(f.durationSpoken(0)).toBe('0 seconds');
    expect(f.durationSpoken(-4)).toBe('0 seconds');
    expect(f.durationSpoken(7260.9)).toBe('2 hours, 1 minute');
    expect(formats('de').durationSpoken(3723)).toBe('1 Stunde, 2 Minuten und 3 Sekunden');
  });

  it('says unit prices with the unit in words', () => {
    expect(unitPriceText(t, f, '0.29', 'kWh')).toBe('€0.29/kWh');
    expect(unitPriceText(t, f, '0.29', 'kWh', true)).toBe('0.29 euros per kilowatt-hour');
    expect(unitPriceText(t, f, '0.01', 'minute', true)).toBe('0.01 euros per minute');
    expect(unitPriceText(t, f, '0.60', 'hour', true)).toBe('0.60 euros per hour');
    expect(unitPriceText(t, f, '0.50', 'session', true)).toBe('0.50 euros');
    expect(priceLineText(t, f, { kind: 'energy', price: '0.39', unit: 'kWh' }, true)).toBe('0.39 euros per kilowatt-hour');
    expect(priceLineText(t, f, { kind: 'parking', price: '0.10', unit: 'minute' }, true)).toBe('Idle fee 0.10 euros per minute after charging');
    expect(mainPrice(t, f, { currency: 'EUR', vatPercent: '19', lines: [{ kind: 'energy', price: '0.49', unit: 'kWh' }], changes: [], minPriceMinor: null, maxPriceMinor: null, holdMinor: 5000 }, true)).toBe(
      '0.49 euros per kilowatt-hour',
    );
  });

  it('says a price change and a cost line in words', () => {
    const change = (c: Partial<PriceChange>): PriceChange => ({ kind: 'energy', price: '0.29', unit: 'kWh', fromTime: null, afterMinutes: null, afterKwh: null, free: false, ...c });
    expect(priceChangeShortText(t, f, change({ fromTime: '22:00' }), true)).toBe('from 22:00 0.29 euros per kilowatt-hour');
    expect(priceChangeShortText(t, f, change({ afterKwh: '1.5' }), true)).toBe('after 1.5 kilowatt-hours 0.29 euros per kilowatt-hour');
    expect(priceChangeShortText(t, f, change({ kind: 'time', price: '0.02', unit: 'minute', afterMinutes: 60 }))).toBe('after 60 min €0.02/min');
    expect(priceChangeShortText(t, f, change({ kind: 'time', price: '0.02', unit: 'minute', afterMinutes: 60 }), true)).toBe('after 1 hour 0.02 euros per minute');
    const line: CostLine = { kind: 'energy', quantity: 5_500, unit: 'kWh', unitPrice: '0.29', vatPercent: '19', amountMinor: 160, netMinor: 134, vatMinor: 26 };
    expect(costLineLabel(t, f, line)).toBe('Energy 5.50 kWh × €0.29/kWh');
    expect(costLineLabel(t, f, line, true)).toBe('Energy 5.5 kilowatt-hours × 0.29 euros per kilowatt-hour');
    const parking: CostLine = { ...line, kind: 'parking', quantity: 1_200, unit: 'hour', unitPrice: '0.60' };
    expect(costLineLabel(t, f, parking, true)).toBe('Idle fee 20 minutes × 0.01 euros per minute');
  });
});

/** What Chromium gives a screen reader: the names of the accessibility tree's text nodes, in order. */
async function spokenTexts(page: Page): Promise<string[]> {
  const cdp = await page.context().newCDPSession(page);
  try {
    const { nodes } = (await cdp.send('Accessibility.getFullAXTree')) as { nodes: { ignored: boolean; role?: { value: string }; name?: { value: string } }[] };
    return nodes.filter((n) => !n.ignored && n.role?.value === 'StaticText').map((n) => String(n.name?.value ?? ''));
  } finally {
    await cdp.detach();
  }
}

describe.skipIf(!hasChromium)('spoken figures on the screen, in Chromium', () => {
  const screen = screenForSuite();

  it('the charging figures are shown with symbols and said in words; their text stays what is shown', async () => {
    await screen.publish(snapshot({ phase: 'charging', session: { energyWh: 5_500, costMinor: 214, powerW: 7_400, elapsedS: 3723, limitMinor: 5000 } }));
    const figure = (label: string) => screen.page.locator('.figure', { has: screen.page.locator('dt', { hasText: new RegExp(`^${label}$`) }) }).locator('dd');
    await expect(figure('Energy').innerText()).resolves.toBe('5.50 kWh');
    await expect(figure('Energy').textContent()).resolves.toBe('5.50 kWh');
    await expect(figure('Cost so far').innerText()).resolves.toBe('€2.14');
    await expect(figure('Time').innerText()).resolves.toBe('1:02:03');
    const said = await spokenTexts(screen.page);
    for (const words of ['5.5 kilowatt-hours', '2.14 euros', '7.4 kilowatts', '1 hour, 2 minutes, 3 seconds', '50.00 euros']) expect(said).toContain(words);
    for (const shown of ['5.50 kWh', '€2.14', '7.4 kW', '1:02:03', '€50.00']) expect(said).not.toContain(shown);
  });

  it('the summary says its figures and prices in words', async () => {
    await screen.publish(snapshot({ phase: 'summary', lastSummary: summaryOf() }));
    const said = (await spokenTexts(screen.page)).join(' | ');
    expect(said).toContain('10 kilowatt-hours');
    expect(said).toContain('1 hour');
    expect(said).toContain('50 minutes');
    expect(said).toContain('10 kilowatt-hours × 0.39 euros per kilowatt-hour');
    expect(said).toContain('3.90 euros');
    expect(said).not.toContain('€');
    expect(said).not.toContain('kWh');
  });
});
