// Cards held to the ZVT terminal outside a payment, through the whole kiosk in sim mode:
// the card that paid stops its session, another card does not, and with tap to start a
// tap starts the connector where a car is plugged in (or asks which one).
import { afterEach, describe, expect, it } from 'vitest';
import { KioskHarness, payAndPlug } from './kiosk-harness.js';

let harness: KioskHarness | null = null;
afterEach(async () => {
  await harness?.close();
  harness = null;
});

const audited = (h: KioskHarness, action: string) => h.store.auditLog().filter((a) => a.action === action);

describe('stop by tapping the same card', () => {
  it('the card that paid stops its session; the driver unplugs and gets the summary', async () => {
    harness = await KioskHarness.start();
    const h = harness;
    await payAndPlug(h, 1);
    await h.run(60_000, 1000);
    const sessionId = h.connector(1).session!.id;
    expect(await h.sim({ type: 'tapCard', card: 'first' })).toEqual({ ok: true });
    await h.run(3000);
    expect(h.connector(1).phase).toBe('parked');
    expect(h.connector(1).session!.stopReason).toBe('driver');
    expect(audited(h, 'session.stoppedByCard')).toMatchObject([{ data: { connectorId: 1, sessionId } }]);
    await h.sim({ type: 'plug', connectorId: 1, plugged: false });
    await h.run(2000);
    expect(h.connector(1).phase).toBe('summary');
  });

  it('another card stops nothing, and the screen says it has no session here', async () => {
    harness = await KioskHarness.start();
    const h = harness;
    await payAndPlug(h, 1);
    await h.run(5000, 1000);
    await h.sim({ type: 'tapCard', card: 'second' });
    await h.run(1000);
    expect(h.connector(1).phase).toBe('charging');
    expect(h.snapshot().cardTap).toMatchObject({ kind: 'noSession' });
    await h.run(20_000, 1000);
    expect(h.snapshot().cardTap).toBeNull();
    // The right card still stops it afterwards.
    await h.sim({ type: 'tapCard', card: 'first' });
    await h.run(2000);
    expect(h.connector(1).phase).toBe('parked');
  });

  it('a payment on another connector is never kept waiting by the standing read, and the stop code stays the fallback', async () => {
    harness = await KioskHarness.start();
    const h = harness;
    await payAndPlug(h, 1);
    const code = h.connector(1).session!.stopCode!;
    expect(code).toMatch(/^\d{4}$/);
    await h.command({ type: 'ackStopCode', connectorId: 1 });
    await h.command({ type: 'goHome' });
    await h.run(3000, 1000);
    // Connector 2 pays while the terminal waits for a tap for connector 1's session.
    await payAndPlug(h, 2);
    expect(await h.command({ type: 'stop', connectorId: 1, code })).toEqual({ ok: true });
    await h.run(3000);
    expect(h.connector(1).phase).toBe('parked');
    expect(h.connector(2).phase).toBe('charging');
  });
});

describe('tap to start (payment.tapToStart)', () => {
  it('a tap with a car plugged in at one connector starts paying there; a second tap places the hold', async () => {
    harness = await KioskHarness.start({ payment: { tapToStart: true } });
    const h = harness;
    await h.sim({ type: 'plug', connectorId: 2, plugged: true });
    await h.run(1000);
    await h.sim({ type: 'tapCard', card: 'first' });
    await h.run(100);
    expect(h.snapshot().focus).toBe(2);
    expect(h.connector(2).phase).toBe('authorizing');
    await h.run(3000);
    expect(h.connector(2).phase).toBe('charging');
  });

  it('with cars at several connectors it asks which one; choosing it pays there', async () => {
    harness = await KioskHarness.start({ payment: { tapToStart: true } });
    const h = harness;
    await h.sim({ type: 'plug', connectorId: 1, plugged: true });
    await h.sim({ type: 'plug', connectorId: 2, plugged: true });
    await h.run(1000);
    await h.sim({ type: 'tapCard', card: 'first' });
    await h.run(200);
    expect(h.snapshot().cardTap).toMatchObject({ kind: 'chooseConnector', connectorIds: [1, 2] });
    expect(await h.command({ type: 'selectConnector', connectorId: 1 })).toEqual({ ok: true });
    expect(h.connector(1).phase).toBe('authorizing');
    expect(h.snapshot().cardTap).toBeNull();
    await h.run(3000);
    expect(h.connector(1).phase).toBe('charging');
    expect(h.connector(2).phase).toBe('available');
  });

  it('with no car plugged in, it asks to plug in first', async () => {
    harness = await KioskHarness.start({ payment: { tapToStart: true } });
    const h = harness;
    await h.sim({ type: 'tapCard', card: 'first' });
    await h.run(200);
    expect(h.snapshot().cardTap).toMatchObject({ kind: 'plugInFirst' });
    expect(h.connector(1).phase).toBe('available');
    expect(h.connector(2).phase).toBe('available');
  });

  it('without tap to start and without a card session, the terminal does not wait for cards', async () => {
    harness = await KioskHarness.start();
    const h = harness;
    await h.sim({ type: 'tapCard', card: 'first' });
    await h.run(500);
    expect(h.snapshot().cardTap).toBeNull();
    expect(h.snapshot().sim!.terminal).toMatchObject({ openHolds: 0 });
  });
});
