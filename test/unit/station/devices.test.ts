// Devices as the station reports and offers them: one diagnostics shape for every
// device, and a station without a card terminal or a printer that offers neither.
import { afterEach, describe, expect, it } from 'vitest';
import { KioskHarness } from './kiosk-harness.js';

let harness: KioskHarness | null = null;
afterEach(async () => {
  await harness?.close();
  harness = null;
});

describe('device diagnostics in the snapshot', () => {
  it('every controller, the terminal and the printer, in one shape', async () => {
    harness = await KioskHarness.start();
    const { devices } = harness.snapshot();
    expect(devices.chargers.map((c) => c.connectorId)).toEqual([1, 2]);
    for (const charger of devices.chargers) {
      expect(charger).toMatchObject({ kind: 'simulated', online: true, port: 'memory', firmware: expect.any(String), errorCount: 0, lastError: null });
      expect(charger.lastMessageAt).toEqual(expect.any(Number));
      // the controller was put to sleep at start-up, and says what it can do
      expect(charger.details).toMatchObject({ mode: 'sleeping', relayClosed: false, protocol: expect.stringMatching(/^\d+\.\d+\.\d+$/), energyBackstop: expect.any(Boolean) });
    }
    expect(devices.terminal).toMatchObject({ kind: 'simulated', online: true, errorCount: 0 });
    expect(devices.printer).toMatchObject({ kind: 'simulated', online: true, details: { paper: 'ok' } });
    expect(devices.rfid).toMatchObject({ kind: 'simulated', online: true, errorCount: 0, lastError: null });
  });

  it('a controller in use shows enabled with its relay closed; one that reboots counts it', async () => {
    harness = await KioskHarness.start();
    const h = harness;
    await h.command({ type: 'selectConnector', connectorId: 1 });
    await h.command({ type: 'choosePayment', connectorId: 1, method: 'card' });
    await h.run(1500);
    await h.sim({ type: 'plug', connectorId: 1, plugged: true });
    await h.run(3000);
    expect(h.snapshot().devices.chargers[0]!.details).toMatchObject({ mode: 'enabled', relayClosed: true, vehicleConnected: true });
    const boots = Number(h.snapshot().devices.chargers[1]!.details.boots ?? 0);
    await h.sim({ type: 'reboot', connectorId: 2 });
    await h.run(3000);
    expect(h.snapshot().devices.chargers[1]!.details).toMatchObject({ boots: boots + 1, mode: 'sleeping' });
  });
});

describe('a station without a card terminal or a printer', () => {
  it('offers neither, refuses them, and keeps the simulator panel for the chargers only', async () => {
    harness = await KioskHarness.start({ devices: { terminal: { kind: 'none' }, printer: { kind: 'none' } } });
    const h = harness;
    const snapshot = h.snapshot();
    expect(snapshot.terminal).toBeNull();
    expect(snapshot.printer).toBeNull();
    expect(snapshot.devices.terminal).toBeNull();
    expect(snapshot.devices.printer).toBeNull();
    expect(snapshot.sim).toMatchObject({ terminal: null, printer: null, chargers: [{ connectorId: 1 }, { connectorId: 2 }] });
    expect(await h.command({ type: 'selectConnector', connectorId: 1 })).toEqual({ ok: true });
    expect(await h.command({ type: 'choosePayment', connectorId: 1, method: 'card' })).toMatchObject({ ok: false, error: { code: 'unavailable', reason: 'paymentUnavailable' } });
    expect(await h.sim({ type: 'cardOutcome', outcome: 'decline' })).toMatchObject({ ok: false });
    expect(h.connector(1).phase).toBe('choosingPayment');
  });
});
