// Receipts the way a driver gets them: printed (decoded back by the ESC/POS printer
// simulator), then the QR code too; a printer out of paper, and the QR code instead; the
// receipt's legal content and totals, which are the capture.
import { expect, test as base, type Page } from '@playwright/test';
import { E2E_CONFIG, KioskProcess } from './kiosk-process.js';
import { payPlugAndCharge, stopWithCode, simCharger, energyShownWh } from './fixtures.js';

const CONFIG = {
  ...E2E_CONFIG,
  operator: { name: 'Stadtwerke Beispiel GmbH', address: 'Hauptstraße 5, 10115 Berlin', vatId: 'DE123456789' },
  connectors: E2E_CONFIG.connectors.map((c) => ({ ...c, evseId: `DE*SWB*E0042*${c.id}` })),
};

const test = base.extend<{ kiosk: KioskProcess }>({
  kiosk: async ({}, use) => {
    const kiosk = new KioskProcess(CONFIG);
    await kiosk.start();
    await use(kiosk);
    await kiosk.stop();
  },
});

/** Charges on connector 1 for a few seconds, stops with the code and unplugs: the summary is up. */
async function finishSession(page: Page): Promise<void> {
  const code = await payPlugAndCharge(page, '1');
  await expect.poll(() => energyShownWh(page), { timeout: 10_000 }).toBeGreaterThan(10);
  await stopWithCode(page, code);
  await simCharger(page, '1').getByRole('button', { name: 'Unplug car' }).click();
  await expect(page.getByRole('button', { name: 'Print receipt' })).toBeVisible();
}

test('print, then the QR code too: the printed receipt has the legal content, and its total is what was captured', async ({ page, kiosk }) => {
  await page.goto(kiosk.url);
  await finishSession(page);
  await page.getByRole('button', { name: 'Print receipt' }).click();
  // exact: the simulator panel's "No receipt printed yet." must not pass for it.
  await expect(page.getByText('Receipt printed', { exact: true })).toBeVisible();
  // Printed, the QR code is still offered.
  await page.getByRole('button', { name: 'Show QR code' }).click();
  await expect(page.getByRole('img', { name: /QR/i })).toBeVisible();

  // "Printed" once the printer has the bytes; the simulated printer takes its time to put them on paper.
  await expect.poll(async () => (await kiosk.snapshot()).sim?.printer?.lastReceipt ?? null).not.toBeNull();
  const snapshot = await kiosk.snapshot();
  const summary = snapshot.connectors[0]!.lastSummary!;
  const paper = snapshot.sim!.printer!.lastReceipt!;
  for (const text of ['Stadtwerke Beispiel GmbH', 'Hauptstraße 5, 10115 Berlin', 'DE123456789', 'DE*SWB*E0042*1', 'E2E-STATION-7', '**** 0001']) expect(paper).toContain(text);
  expect(summary.receiptNumber).toBe(1);
  expect(paper).toMatch(/Receipt.*\b1\b/);
  // The total on paper is the capture, to the cent.
  const total = /Total\s+€?\s*([\d.,]+)/.exec(paper)![1]!;
  expect(Math.round(Number(total.replace(',', '')) * 100)).toBe(summary.capturedMinor);
  expect(summary.capturedMinor).toBe(summary.costMinor);
  // The QR code holds the same receipt as text (no e-receipt site configured).
  expect(snapshot.connectors[0]!.lastSummary!.receiptQr).toContain(total);
});

test('paper out: printing is not offered, the QR code is, and the driver is never held up', async ({ page, kiosk }) => {
  await page.goto(kiosk.url);
  await page.getByRole('group', { name: 'Printer paper and cover' }).getByRole('button', { name: 'Paper out' }).click();
  await expect.poll(async () => (await kiosk.snapshot()).printer?.available).toBe(false);
  expect((await kiosk.snapshot()).devices.printer).toMatchObject({ details: { paper: 'out' } });
  await finishSession(page);
  await expect(page.getByRole('button', { name: 'Print receipt' })).toBeDisabled();
  await page.getByRole('button', { name: 'Show QR code' }).click();
  await expect(page.getByRole('img', { name: /QR/i })).toBeVisible();
  // The QR code opens over the summary; Done there ends it.
  await page.getByRole('dialog', { name: 'Your receipt' }).getByRole('button', { name: 'Done' }).click();
  await expect(page.getByRole('button', { name: /^Connector 1,/ })).toBeVisible();
  // New paper: the printer is offered again.
  await page.getByRole('group', { name: 'Printer paper and cover' }).getByRole('button', { name: 'Paper OK' }).click();
  await expect.poll(async () => (await kiosk.snapshot()).printer?.available).toBe(true);
});
