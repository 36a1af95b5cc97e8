// Every screen that waits for the driver says until when: the inactivity warning on the
// payment choice (no session yet), on a declined card and while waiting for the car; the
// time to present a card; the time to plug in; the summary closing. The snapshot moves
// each second while one runs, so the screen's countdown moves with the brain's clock.
import { afterEach, describe, expect, it } from 'vitest';
import { KioskHarness, payAndPlug } from './kiosk-harness.js';

let harness: KioskHarness | null = null;
afterEach(async () => {
  await harness?.close();
  harness = null;
});

const timeouts = { inactivityWarnS: 45, inactivityReturnS: 20, presentCardS: 60, plugInS: 120, summaryS: 60 };

describe('countdowns on the waiting screens', () => {
  it('choosing payment: no countdown at first, then the warning with 20 s to go, and More time starts over', async () => {
    harness = await KioskHarness.start({ timeouts });
    const h = harness;
    expect(await h.command({ type: 'selectConnector', connectorId: 1 })).toEqual({ ok: true });
    expect(h.connector(1).phase).toBe('choosingPayment');
    expect(h.connector(1).countdown).toBeNull();
    await h.run(45_000, 500);
    const warned = h.connector(1).countdown!;
    expect(warned.kind).toBe('inactivity');
    expect(warned.until - h.snapshot().now).toBeGreaterThan(19_000);
    expect(warned.until - h.snapshot().now).toBeLessThanOrEqual(20_000);
    // The screens are sent a snapshot each second while it counts (only its time moves).
    const sent: number[] = [];
    const unsubscribe = h.station.subscribe((snapshot) => sent.push(snapshot.now));
    await h.run(3000, 100);
    unsubscribe();
    expect(sent.length).toBeGreaterThanOrEqual(4);
    expect(new Set(sent).size).toBe(sent.length);
    expect(await h.command({ type: 'moreTime', connectorId: 1 })).toEqual({ ok: true });
    expect(h.connector(1).countdown).toBeNull();
    await h.run(45_000 + 20_000, 500);
    expect(h.connector(1).phase).toBe('available');
    expect(h.connector(1).countdown).toBeNull();
  });

  it('waiting for the card: presentCardS from the moment the terminal asks', async () => {
    harness = await KioskHarness.start({ timeouts, devices: { terminal: { kind: 'simulated', approvalDelayMs: 30_000 } } });
    const h = harness;
    expect(await h.command({ type: 'selectConnector', connectorId: 1 })).toEqual({ ok: true });
    const asked = h.clock.now();
    expect(await h.command({ type: 'choosePayment', connectorId: 1, method: 'card' })).toEqual({ ok: true });
    expect(h.connector(1).countdown).toMatchObject({ kind: 'presentCard' });
    expect(Math.abs(h.connector(1).countdown!.until - (asked + 60_000))).toBeLessThan(1000);
  });

  it('waiting for the car: plugInS, then the warning', async () => {
    harness = await KioskHarness.start({ timeouts });
    const h = harness;
    expect(await h.command({ type: 'selectConnector', connectorId: 1 })).toEqual({ ok: true });
    expect(await h.command({ type: 'choosePayment', connectorId: 1, method: 'card' })).toEqual({ ok: true });
    await h.run(1500);
    expect(h.connector(1).phase).toBe('awaitingVehicle');
    const plugIn = h.connector(1).countdown!;
    expect(plugIn.kind).toBe('plugIn');
    expect(plugIn.until - h.snapshot().now).toBeGreaterThan(118_000);
    await h.run(120_000, 1000);
    expect(h.connector(1).countdown).toMatchObject({ kind: 'inactivity' });
  });

  it('the summary: counts down to its warning, which has More time; left alone it closes when summaryS is up', async () => {
    harness = await KioskHarness.start({ timeouts });
    const h = harness;
    await payAndPlug(h, 1);
    await h.sim({ type: 'plug', connectorId: 1, plugged: false });
    await h.run(3000);
    expect(h.connector(1).phase).toBe('summary');
    const shown = h.connector(1).countdown!;
    expect(shown.kind).toBe('summary');
    // 60 s in all: 40 s to the warning, then its 20 s.
    expect(shown.until - h.snapshot().now).toBeGreaterThan(35_000);
    expect(shown.until - h.snapshot().now).toBeLessThanOrEqual(40_000);
    await h.run(41_000, 500);
    expect(h.connector(1).countdown).toMatchObject({ kind: 'inactivity' });
    expect(await h.command({ type: 'moreTime', connectorId: 1 })).toEqual({ ok: true });
    expect(h.connector(1).countdown).toMatchObject({ kind: 'summary' });
    expect(h.connector(1).phase).toBe('summary');
    await h.run(61_000, 500);
    expect(h.connector(1).phase).toBe('available');
    expect(h.snapshot().focus).toBeNull();
  });
});
