// After a restart each driver's screen comes back where it was: a driver watching their
// charge sees it again, one who had gone back to the start sees the start; a connector
// that came back without its session never takes the screen.
import { afterEach, describe, expect, it } from 'vitest';
import { KioskHarness, payAndPlug } from './kiosk-harness.js';

let harness: KioskHarness | null = null;
afterEach(async () => {
  await harness?.close();
  harness = null;
});

describe('the screen after a restart', () => {
  it('shows the charging screen a driver was watching', async () => {
    harness = await KioskHarness.start();
    const h = harness;
    await payAndPlug(h, 2);
    expect(h.snapshot().focus).toBe(2);
    await h.restart();
    expect(h.connector(2).phase).toBe('charging');
    expect(h.snapshot().focus).toBe(2);
  });

  it('shows the start screen when the driver had gone back to it', async () => {
    harness = await KioskHarness.start();
    const h = harness;
    await payAndPlug(h, 1);
    expect(await h.command({ type: 'goHome' })).toEqual({ ok: true });
    await h.run(100);
    expect(h.snapshot().focus).toBeNull();
    await h.restart();
    expect(h.connector(1).phase).toBe('charging');
    expect(h.snapshot().focus).toBeNull();
  });

  it('shows the start screen when the watched session ended while the kiosk was down', async () => {
    harness = await KioskHarness.start();
    const h = harness;
    expect(await h.command({ type: 'selectConnector', connectorId: 1 })).toEqual({ ok: true });
    expect(await h.command({ type: 'cancel', connectorId: 1 })).toEqual({ ok: true });
    await h.run(100);
    expect(h.snapshot().focus).toBeNull();
    await payAndPlug(h, 1);
    await h.sim({ type: 'plug', connectorId: 1, plugged: false });
    await h.run(5000);
    expect(await h.command({ type: 'closeSummary', connectorId: 1 })).toEqual({ ok: true });
    await h.run(100);
    await h.restart();
    expect(h.connector(1).phase).toBe('available');
    expect(h.snapshot().focus).toBeNull();
  });
});
