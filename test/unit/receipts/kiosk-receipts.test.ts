// Receipts from a whole kiosk (simulated devices, manual clock): each finished session
// numbered in turn as it is settled, never a cancelled one, the number kept across a
// restart; the summary carries the meter readings and the parking time; the QR code
// holds the e-receipt address when the station has one.
import { afterEach, describe, expect, it } from 'vitest';
import { KioskHarness, payAndPlug } from '../station/kiosk-harness.js';

let harness: KioskHarness | null = null;
afterEach(async () => {
  await harness?.close();
  harness = null;
});

/** Charges for ten minutes, stops with the code, stays parked a minute, unplugs: the summary is up. */
async function chargeAndLeave(h: KioskHarness, connectorId: number) {
  await payAndPlug(h, connectorId);
  const code = h.connector(connectorId).session!.stopCode!;
  await h.run(10 * 60_000, 1000);
  expect(await h.command({ type: 'stop', connectorId, code })).toEqual({ ok: true });
  await h.run(60_000, 1000);
  await h.sim({ type: 'plug', connectorId, plugged: false });
  await h.run(500);
  expect(h.connector(connectorId).phase).toBe('summary');
  return h.connector(connectorId).lastSummary!;
}

describe('kiosk receipts', () => {
  it('numbers each settled session in turn, none for a cancelled one, and keeps the number across a restart', async () => {
    harness = await KioskHarness.start({ timeouts: { plugInS: 30 } });
    const h = harness;
    const first = await chargeAndLeave(h, 1);
    expect(first.receiptNumber).toBe(1);
    expect(first.receiptToken).toMatch(/^[A-Za-z0-9_-]{22}$/);
    // The meter readings around the energy delivered; parked for the minute after the stop.
    expect(first.meterStopWh! - first.meterStartWh!).toBeGreaterThanOrEqual(first.energyWh - 1);
    expect(first.meterStopWh! - first.meterStartWh!).toBeLessThanOrEqual(first.energyWh + 1);
    expect(first.parkingS).toBeGreaterThanOrEqual(55);
    expect(first.parkingS).toBeLessThanOrEqual(70);
    expect(first.chargingS + first.parkingS!).toBe(first.durationS);
    // The card terminal's own receipt and approval code, as the (simulated ZVT) terminal gave them.
    expect(first.terminalReceipt![0]).toBe('** Kundenbeleg **');
    expect(first.authCode).toMatch(/\S/);
    expect(await h.command({ type: 'closeSummary', connectorId: 1 })).toEqual({ ok: true });

    // Paid, never plugged in: cancelled, with no receipt.
    await h.command({ type: 'selectConnector', connectorId: 2 });
    await h.command({ type: 'choosePayment', connectorId: 2, method: 'card' });
    await h.run(1500);
    expect(await h.command({ type: 'cancel', connectorId: 2 })).toMatchObject({ ok: true });
    await h.run(5000, 500);
    const cancelled = h.store.listSessions().find((s) => s.status === 'cancelled');
    expect(cancelled).toBeDefined();
    expect(h.store.receiptOf(cancelled!.id)).toBeNull();

    const second = await chargeAndLeave(h, 2);
    expect(second.receiptNumber).toBe(2);
    expect(second.receiptToken).not.toBe(first.receiptToken);
    // The record says the same, and the receipts table holds the content for the export.
    expect(h.store.getSession(second.sessionId)!.summary).toMatchObject({ receiptNumber: 2, receiptToken: second.receiptToken });
    expect(h.store.receiptOf(second.sessionId)).toMatchObject({ number: 2, token: second.receiptToken, issuedAt: second.endedAt });
    expect(h.store.receiptOf(second.sessionId)!.content).toMatchObject({ sessionId: second.sessionId, energyWh: second.energyWh, grossMinor: second.costMinor, meterStartWh: second.meterStartWh, payment: { method: 'card', maskedPan: '**** 0001' } });

    expect(await h.command({ type: 'closeSummary', connectorId: 2 })).toEqual({ ok: true });

    await h.restart();
    expect(h.store.getSession(second.sessionId)!.summary).toMatchObject({ receiptNumber: 2 });
    expect(h.store.receiptOf(first.sessionId)!.number).toBe(1);
    const third = await chargeAndLeave(h, 1);
    expect(third.receiptNumber).toBe(3);
    expect(h.store.receiptsIssued(0, Number.MAX_SAFE_INTEGER).map((r) => r.number)).toEqual([1, 2, 3]);
  });

  it('shows and prints the e-receipt address as the QR code when the station has a template', async () => {
    harness = await KioskHarness.start({
      receipts: { urlTemplate: 'https://example.com/r/{receiptNumber}?k={token}' },
      operator: { name: 'Example Energy GmbH', address: 'Hauptstraße 1, 10115 Berlin', vatId: 'DE123456789' },
      connectors: [{ id: 1, label: '1', evseId: 'DE*ABC*E1234*1' }],
    });
    const h = harness;
    const summary = await chargeAndLeave(h, 1);
    expect(await h.command({ type: 'chooseReceipt', connectorId: 1, receipt: 'qr' })).toEqual({ ok: true });
    expect(h.connector(1).lastSummary!.receiptQr).toBe(`https://example.com/r/1?k=${summary.receiptToken}`);
    expect(await h.command({ type: 'chooseReceipt', connectorId: 1, receipt: 'print' })).toEqual({ ok: true });
    await h.run(1000);
    const printed = h.snapshot().sim!.printer!.lastReceipt!;
    for (const expected of ['Example Energy GmbH', 'Hauptstraße 1, 10115 Berlin', 'DE123456789', 'Receipt no.', 'DE*ABC*E1234*1', 'Meter at start', 'Meter at end', 'Time parked', '**** 0001', 'Auth code', '** Kundenbeleg **']) {
      expect(printed).toContain(expected);
    }
  });
});
