// A session across 22:00 on a tariff with energy, charging time, a session fee, an idle
// fee and a night rate: the screen, the capture on the card and the receipt show the
// same money, from the same rounded lines. The kiosk's clock starts at 21:57 in Berlin
// and runs ten times faster, so the night rate begins a few seconds into the test.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test as base, expect } from '@playwright/test';
import { E2E_CONFIG, KioskProcess } from './kiosk-process.js';
import { payPlugAndCharge, simCharger, stopWithCode } from './fixtures.js';
import { readTerminalHolds } from '../../scripts/chaos/observe.js';

const NIGHT_TARIFF = {
  id: 'night-rate',
  currency: 'EUR',
  elements: [
    { price_components: [{ type: 'ENERGY', price_incl_vat: 0.29, vat: 19 }], restrictions: { start_time: '22:00', end_time: '06:00' } },
    {
      price_components: [
        { type: 'ENERGY', price_incl_vat: 0.39, vat: 19 },
        { type: 'TIME', price_incl_vat: 0.6, vat: 19, step_size: 60 },
        { type: 'FLAT', price_incl_vat: 0.5, vat: 19 },
        { type: 'PARKING_TIME', price_incl_vat: 6, vat: 19, step_size: 60 },
      ],
    },
  ],
};

const test = base.extend<{ kiosk: KioskProcess }>({
  kiosk: async ({}, use) => {
    const kiosk = new KioskProcess({ ...E2E_CONFIG, station: { ...E2E_CONFIG.station, timeZone: 'Europe/Berlin' }, tariff: NIGHT_TARIFF }, ['--clock-start', '2026-12-02T21:57:00+01:00', '--clock-speed', '10']);
    await kiosk.start();
    await use(kiosk);
    await kiosk.stop();
  },
});

/** The euro amounts in a text, in minor units: "€4.25" → 425. */
const minorIn = (text: string): number[] => [...text.matchAll(/€\s?(\d+)\.(\d{2})/g)].map((m) => Number(m[1]) * 100 + Number(m[2]));

test('a session across 22:00 costs the same on the screen, on the card and on the receipt', async ({ page, kiosk }) => {
  await page.goto(kiosk.url);
  // Before committing: the day price now, and when it changes.
  await expect(page.getByText(/€0\.39.*per kWh|per kWh.*€0\.39/).first()).toBeVisible();
  await expect(page.getByText(/from 22:00 €0\.29/).first()).toBeVisible();

  const stopCode = await payPlugAndCharge(page);

  // Charge until the kiosk's clock is past 22:01 (about 20 s of real time at ten times).
  await expect.poll(async () => (await kiosk.snapshot()).now, { timeout: 40_000, intervals: [1000] }).toBeGreaterThan(Date.parse('2026-12-02T22:01:00+01:00'));
  await stopWithCode(page, stopCode);
  // Parked a little over a minute of kiosk time: the idle fee runs.
  const stoppedAt = (await kiosk.snapshot()).now;
  await expect.poll(async () => (await kiosk.snapshot()).now, { timeout: 20_000, intervals: [500] }).toBeGreaterThan(stoppedAt + 70_000);
  await simCharger(page, '1').getByRole('button', { name: 'Unplug car' }).click();
  await expect(page.getByRole('button', { name: 'Print receipt' })).toBeVisible();

  const summary = (await kiosk.snapshot()).connectors[0]!.lastSummary!;
  // Priced in parts: energy by day and by night, charging time, the session fee, the idle fee.
  expect(summary.lines.map((l) => `${l.kind} ${l.unitPrice}`).sort()).toEqual(['energy 0.29', 'energy 0.39', 'flat 0.50', 'parking 6.00', 'time 0.60'].sort());
  const sum = (key: 'amountMinor' | 'netMinor' | 'vatMinor') => summary.lines.reduce((total, line) => total + line[key], 0);
  expect(summary.costMinor).toBe(sum('amountMinor'));
  expect(summary.netMinor).toBe(sum('netMinor'));
  expect(summary.vatMinor).toBe(sum('vatMinor'));
  expect(summary.costMinor).toBeGreaterThan(50);

  // The screen: the total and every line's amount, as the summary has them.
  const shown = await page.locator('main').innerText();
  expect(minorIn(shown)).toContain(summary.costMinor);
  for (const line of summary.lines) expect(minorIn(shown)).toContain(line.amountMinor);

  // The card: the hold was captured at exactly that amount.
  const holds = readTerminalHolds(kiosk.dataDir);
  expect(holds).toHaveLength(1);
  expect(holds[0]).toMatchObject({ state: 'captured', capturedMinor: summary.costMinor });

  // The receipt: the same total and lines.
  await page.getByRole('button', { name: 'Print receipt' }).click();
  await expect(page.getByText('Receipt printed', { exact: true })).toBeVisible();
  const paper = join(kiosk.dataDir, 'sim', 'printer-paper.txt');
  await expect.poll(() => (existsSync(paper) ? readFileSync(paper, 'utf8') : '')).toContain('Charging receipt');
  const receipt = readFileSync(paper, 'utf8');
  expect(minorIn(receipt)).toContain(summary.costMinor);
  for (const line of summary.lines) expect(minorIn(receipt)).toContain(line.amountMinor);
  expect(receipt).toMatch(/0\.29/);
  expect(receipt).toMatch(/0\.39/);
});
