// The kiosk with its charger real: an OpenEVSE (RAPI) controller on a serial port, here
// a pseudo-terminal made by socat and served by the RAPI simulator running as a separate
// process. The other devices stay simulated.
import { test as base, expect } from '@playwright/test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ControllerProcess, startPtyPair, type PtyPair } from '../integration/charger/pty-helpers.js';
import { E2E_CONFIG, KioskProcess } from './kiosk-process.js';
import { energyShownWh, payByCard, tapConnector } from './fixtures.js';

const test = base.extend<{
  /** The simulator's --firmware: a variant, or several joined by commas. */
  firmware: string;
  rig: { kiosk: KioskProcess; controller: ControllerProcess; pty: PtyPair; links: { evse: string; kiosk: string } };
}>({
  firmware: ['standard', { option: true }],
  rig: async ({ firmware }, use) => {
    const dir = mkdtempSync(join(tmpdir(), 'kiosk-rapi-'));
    const links = { evse: join(dir, 'evse'), kiosk: join(dir, 'kiosk-port') };
    const rig = {
      links,
      pty: await startPtyPair(links.evse, links.kiosk),
      controller: new ControllerProcess(links.evse, ['--state', join(dir, 'controller.json'), '--firmware', firmware]),
      kiosk: new KioskProcess({
        ...E2E_CONFIG,
        connectors: [
          { id: 1, label: '1', charger: { kind: 'rapi', path: links.kiosk } },
          { id: 2, label: '2', charger: { kind: 'simulated', vehicleMaxCurrentA: 32 } },
        ],
      }),
    };
    await rig.controller.ready;
    await rig.kiosk.start();
    await use(rig);
    await rig.kiosk.stop();
    rig.controller.stop();
    await rig.pty.kill();
    rmSync(dir, { recursive: true, force: true });
  },
});

test('a full paid session on a charger controller over a serial line', async ({ page, rig }) => {
  await page.goto(rig.kiosk.url);
  // only the simulated charger has controls in the simulator panel
  await expect(page.getByRole('group', { name: 'Charger 2' })).toBeVisible();
  await expect(page.getByRole('group', { name: 'Charger 1' })).toHaveCount(0);
  await tapConnector(page, '1');
  await payByCard(page);
  await rig.controller.send('plug');
  await expect(page.getByRole('heading', { name: 'Charging' })).toBeVisible();
  await expect.poll(() => energyShownWh(page), { timeout: 15_000 }).toBeGreaterThan(0);
  expect((await rig.controller.state()).relayClosed).toBe(true);
  await rig.controller.send('unplug');
  await expect(page.getByRole('button', { name: 'No receipt' })).toBeVisible();
  const summary = (await rig.kiosk.snapshot()).connectors[0]!.lastSummary!;
  expect(summary.energyWh).toBeGreaterThan(0);
  expect(summary.capturedMinor).toBe(summary.costMinor);
  await expect.poll(async () => (await rig.controller.state()).mode).toBe('sleeping');
});

test('a controller that re-enables itself with no session is put back to sleep', async ({ page, rig }) => {
  await page.goto(rig.kiosk.url);
  await expect(page.getByRole('button', { name: 'Connector 1, Available' })).toBeVisible();
  await expect.poll(async () => (await rig.controller.state()).mode).toBe('sleeping');
  await rig.controller.send('plug');
  // a power glitch: the controller boots enabled, with a car plugged in and nobody paying
  await rig.controller.send('reset');
  await expect.poll(async () => (await rig.controller.state()).mode, { timeout: 5_000 }).toBe('sleeping');
  expect((await rig.controller.state()).charging).toBe(false);
  await page.waitForTimeout(1000);
  expect((await rig.controller.state()).relayClosed).toBe(false);
});

test('pulling the device mid-charge ends the session safely; the connector returns with the device', async ({ page, rig }) => {
  await page.goto(rig.kiosk.url);
  await tapConnector(page, '1');
  await payByCard(page);
  await rig.controller.send('plug');
  await expect.poll(() => energyShownWh(page), { timeout: 15_000 }).toBeGreaterThan(0);
  const before = (await rig.kiosk.snapshot()).connectors[0]!.session!.energyWh;

  await rig.pty.kill(); // the cable to the controller is pulled
  await expect(page.getByRole('button', { name: 'No receipt' })).toBeVisible({ timeout: 15_000 });
  const snapshot = await rig.kiosk.snapshot();
  const summary = snapshot.connectors[0]!.lastSummary!;
  expect(summary.stopReason).toBe('deviceLost');
  expect(summary.energyWh).toBeGreaterThanOrEqual(before);
  expect(summary.capturedMinor).toBe(summary.costMinor);
  expect(snapshot.sim!.terminal!.openHolds).toBe(0);
  await page.getByRole('button', { name: 'No receipt' }).click();
  await page.getByRole('button', { name: 'Done' }).click();
  await expect(page.getByRole('button', { name: /^Connector 1, Out of service/ })).toBeVisible({ timeout: 15_000 });

  rig.pty = await startPtyPair(rig.links.evse, rig.links.kiosk); // plugged back in
  await expect(page.getByRole('button', { name: 'Connector 1, Available' })).toBeVisible({ timeout: 30_000 });
});

// Firmware that differs from the stock one: quiet while asleep (the plug-in sends no
// $AT), and the third-party emulator (no sequence ids, sleep as 0xFD).
for (const firmware of ['quiet', 'noSeqId,fd-sleep']) {
  test.describe(`controller firmware ${firmware}`, () => {
    test.use({ firmware });

    test('a driver who paid, then plugged in, is charged; the unplug settles the session', async ({ page, rig }) => {
      await page.goto(rig.kiosk.url);
      await expect(page.getByRole('button', { name: 'Connector 1, Available' })).toBeVisible();
      expect((await rig.controller.state()).mode).toBe('sleeping');
      await tapConnector(page, '1');
      await payByCard(page);
      await rig.controller.send('plug');
      await expect(page.getByRole('heading', { name: 'Charging' })).toBeVisible();
      await expect.poll(async () => (await rig.controller.state()).relayClosed).toBe(true);
      await rig.controller.send('unplug');
      await expect(page.getByRole('button', { name: 'No receipt' })).toBeVisible();
      const summary = (await rig.kiosk.snapshot()).connectors[0]!.lastSummary!;
      expect(summary.capturedMinor).toBe(summary.costMinor);
      await expect.poll(async () => (await rig.controller.state()).mode).toBe('sleeping');
    });
  });
}
