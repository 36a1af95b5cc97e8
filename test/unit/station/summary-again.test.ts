// The last session's summary (and receipt) again, after it left the screen: only to the
// driver who proves it is theirs (the session's stop code, or the card that paid held to
// the reader), only for receipts.showAgainS; both receipt choices stay on offer.
import { afterEach, describe, expect, it } from 'vitest';
import { KioskHarness, payAndPlug } from './kiosk-harness.js';

let harness: KioskHarness | null = null;
afterEach(async () => {
  await harness?.close();
  harness = null;
});

/** Pays by card on connector 1, charges a minute, unplugs; returns the stop code once the summary is up. */
async function finishedSession(h: KioskHarness): Promise<string> {
  await payAndPlug(h, 1);
  const code = h.connector(1).session!.stopCode!;
  await h.run(60_000, 1000);
  await h.sim({ type: 'plug', connectorId: 1, plugged: false });
  await h.run(2000);
  expect(h.connector(1).phase).toBe('summary');
  return code;
}

describe('the last summary again', () => {
  it('opens with the stop code, not with another one or none, and only for a while', async () => {
    harness = await KioskHarness.start({ receipts: { showAgainS: 600 } });
    const h = harness;
    const code = await finishedSession(h);
    // The driver says no receipt, and the summary closes.
    expect(await h.command({ type: 'chooseReceipt', connectorId: 1, receipt: 'none' })).toEqual({ ok: true });
    expect(await h.command({ type: 'closeSummary', connectorId: 1 })).toEqual({ ok: true });
    expect(h.connector(1).lastSummary).toBeNull();
    expect(h.connector(1).lastSummaryUntil).not.toBeNull();

    const wrong = code === '0000' ? '1111' : '0000';
    expect(await h.command({ type: 'showSummary', connectorId: 1, code: wrong })).toMatchObject({ ok: false, error: { reason: 'wrongStopCode' } });
    expect(h.connector(1).lastSummary).toBeNull();
    expect(await h.command({ type: 'showSummary', connectorId: 1 } as never)).toMatchObject({ ok: false, error: { code: 'invalid' } });

    expect(await h.command({ type: 'showSummary', connectorId: 1, code })).toEqual({ ok: true });
    expect(h.snapshot().focus).toBe(1);
    expect(h.connector(1).phase).toBe('summary');
    // "No receipt" was not final: the QR code is still there to be had.
    expect(await h.command({ type: 'chooseReceipt', connectorId: 1, receipt: 'qr' })).toEqual({ ok: true });
    expect(h.connector(1).lastSummary!.receiptQr).toEqual(expect.any(String));
    expect(await h.command({ type: 'closeSummary', connectorId: 1 })).toEqual({ ok: true });

    // Past the window it cannot be had from the screen any more.
    await h.run(600_000, 10_000);
    expect(h.connector(1).lastSummaryUntil).toBeNull();
    expect(await h.command({ type: 'showSummary', connectorId: 1, code })).toMatchObject({ ok: false, error: { reason: 'noSummary' } });
  });

  it('after printing, the QR code is still offered, and printing again', async () => {
    harness = await KioskHarness.start();
    const h = harness;
    await finishedSession(h);
    expect(await h.command({ type: 'chooseReceipt', connectorId: 1, receipt: 'print' })).toEqual({ ok: true });
    await h.run(1000);
    expect(h.connector(1).lastSummary!.receipt).toBe('printed');
    expect(await h.command({ type: 'chooseReceipt', connectorId: 1, receipt: 'qr' })).toEqual({ ok: true });
    expect(h.connector(1).lastSummary).toMatchObject({ receipt: 'qr', receiptQr: expect.any(String) });
  });

  it('a print the kiosk did not see end (it stopped while printing) is offered again after the restart', async () => {
    harness = await KioskHarness.start();
    const h = harness;
    await finishedSession(h);
    // Answered at once; the printer's time has not passed when the kiosk stops.
    expect(await h.command({ type: 'chooseReceipt', connectorId: 1, receipt: 'print' })).toEqual({ ok: true });
    expect(h.connector(1).lastSummary!.receipt).toBe('printing');
    await h.restart();
    expect(h.connector(1).lastSummary!.receipt).toBe('pending');
  });

  it('wrong codes lock the keypad as they do for a stop', async () => {
    harness = await KioskHarness.start();
    const h = harness;
    const code = await finishedSession(h);
    await h.command({ type: 'closeSummary', connectorId: 1 });
    const wrong = code === '0000' ? '1111' : '0000';
    for (let i = 0; i < 4; i++) await h.command({ type: 'showSummary', connectorId: 1, code: wrong });
    expect(await h.command({ type: 'showSummary', connectorId: 1, code: wrong })).toMatchObject({ ok: false, error: { reason: 'stopCodeLocked' } });
    expect(await h.command({ type: 'showSummary', connectorId: 1, code })).toMatchObject({ ok: false, error: { reason: 'stopCodeLocked' } });
  });

  it('the station card that paid opens it at the reader when no car waits; another card does not', async () => {
    harness = await KioskHarness.start();
    const h = harness;
    await h.command({ type: 'selectConnector', connectorId: 1 });
    await h.sim({ type: 'tag', uid: '04A1B2C3D4E5F6' });
    await h.run(500);
    await h.sim({ type: 'plug', connectorId: 1, plugged: true });
    await h.run(30_000, 1000);
    await h.sim({ type: 'plug', connectorId: 1, plugged: false });
    await h.run(2000);
    await h.command({ type: 'closeSummary', connectorId: 1 });
    expect(h.connector(1).lastSummary).toBeNull();

    await h.sim({ type: 'tag', uid: '1C78F2BF' }); // someone else's card
    await h.run(200);
    expect(h.connector(1).lastSummary).toBeNull();
    expect(h.snapshot().cardTap).toMatchObject({ kind: 'plugInFirst' });

    await h.run(4000);
    await h.sim({ type: 'tag', uid: '04A1B2C3D4E5F6' });
    await h.run(200);
    expect(h.snapshot().focus).toBe(1);
    expect(h.connector(1).lastSummary).toMatchObject({ method: 'prepaid', account: { name: 'Demo prepaid' } });
  });

  it('a summary saved by a kiosk before proofs existed is not offered again', async () => {
    harness = await KioskHarness.start();
    const h = harness;
    await finishedSession(h);
    await h.command({ type: 'closeSummary', connectorId: 1 });
    // The saved state without its proof, as an older kiosk wrote it.
    const saved = h.store.loadConnector(1)!;
    const snapshot = saved.snapshot as { context: Record<string, unknown> };
    delete snapshot.context.lastProof;
    h.store.saveConnector(1, { schemaVersion: saved.schemaVersion, phase: saved.phase, snapshot }, h.clock.now());
    await h.restart();
    expect(h.connector(1).lastSummaryUntil).toBeNull();
  });
});
