// The brain's payment core on the real ZVT driver and the ZVT simulator: a terminal that
// finishes a reservation after the kiosk went away, a kiosk that comes back, and no hold
// left behind or placed twice.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../devices/clock.js';
import type { ApduChannel } from '../../../devices/payment/zvt/channel.js';
import { createApduChannelPair } from '../../../devices/payment/zvt/memory-channel.js';
import { ZvtCardTerminal } from '../../../devices/payment/zvt/zvt-card-terminal.js';
import { ZvtTerminalSimulator } from '../../../devices/payment/zvt/zvt-simulator.js';
import { CardBackend } from '../../../electron/payments/card-backend.js';
import { Payments, RefundError, authorizeKey } from '../../../electron/payments/payments.js';
import { KioskStore } from '../../../electron/store/kiosk-store.js';
import { driveClock, passClock } from './zvt-helpers.js';

const PASSWORD = '123456';
const log = pino({ level: 'silent' });

let dir: string;
let store: KioskStore;
const closers: Array<() => Promise<void>> = [];
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zvt-payments-'));
  store = KioskStore.open(path.join(dir, 'kiosk.sqlite'));
});
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close().catch(() => undefined);
  store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** One kiosk process: a driver on a fresh link to the terminal, and the payment core over it. */
async function kioskOn(clock: ManualClock, simulator: ZvtTerminalSimulator | null, simulatorOptions: { completesAfterLinkLoss?: boolean } = {}) {
  const [ecrEnd, terminalEnd] = createApduChannelPair();
  const terminal =
    simulator ??
    new ZvtTerminalSimulator({ channel: terminalEnd, clock, password: PASSWORD, cardDelayMs: 3000, hostDelayMs: 500, stateFile: path.join(dir, 'zvt.json'), ...simulatorOptions });
  if (simulator) simulator.connect(terminalEnd);
  const driver = new ZvtCardTerminal({ clock, password: PASSWORD });
  const payments = new Payments({ store, backends: [new CardBackend(driver)], clock, log, resolveIntervalMs: 1000 });
  closers.push(() => driver.close());
  const drive = <T,>(promise: Promise<T>): Promise<T> => driveClock(clock, promise, 60_000);
  await drive(driver.attach(ecrEnd));
  return { terminal, driver, payments, ecrEnd: ecrEnd as ApduChannel, drive };
}

const request = { sessionId: 's1', connectorId: 1, method: 'card' as const, attempt: 1, limitMinor: 5000, currency: 'EUR' };

describe('payments on ZVT: the terminal outlives the kiosk', () => {
  it('a reservation the terminal finished after the kiosk died is found by the next kiosk and reversed; the request is never sent again', async () => {
    const clock = new ManualClock();
    const first = await kioskOn(clock, null, { completesAfterLinkLoss: true });
    closers.push(() => first.terminal.close());
    const pending = first.payments.authorize(request);
    pending.catch(() => {});
    await passClock(clock, 1000);
    expect(first.terminal.view().phase).toBe('presentCard');
    // kill -9: the link goes, the journal keeps the intent pending; the terminal goes on.
    first.payments.stop();
    await first.ecrEnd.close();
    await first.drive(pending.catch(() => null));
    await passClock(clock, 6000);
    const placed = first.terminal.reservations();
    expect(placed).toMatchObject([{ state: 'open', reference: authorizeKey('s1', 1), amountMinor: 5000 }]);
    expect(store.payment(authorizeKey('s1', 1))?.status).toBe('pending');

    // The next kiosk process, the same terminal.
    const second = await kioskOn(clock, first.terminal);
    const report = await second.drive(second.payments.sweep(() => new Set(), () => new Set()));
    expect(report).toMatchObject({ released: 1, resolved: 1 });
    expect(first.terminal.reservations()).toMatchObject([{ state: 'reversed' }]);
    expect(store.payment(authorizeKey('s1', 1))).toMatchObject({ status: 'failed', result: { outcome: 'notOpenOnDevice' } });
    // The session that waited on it hears a decline, and the terminal never saw a second 06 22.
    expect(await second.drive(second.payments.authorize(request))).toEqual({ outcome: 'declined', reason: 'cancelled' });
    expect(first.terminal.journal().filter((e) => e.event === 'request')).toHaveLength(1);
  });

  it('a new link while the terminal still finishes alone is answered busy, and the driver waits it out', async () => {
    const clock = new ManualClock();
    const first = await kioskOn(clock, null, { completesAfterLinkLoss: true });
    closers.push(() => first.terminal.close());
    const pending = first.payments.authorize(request);
    pending.catch(() => {});
    await passClock(clock, 1000);
    first.payments.stop();
    await first.ecrEnd.close();
    // Straight back, while the terminal is still waiting for the card: the registration is refused busy, then taken.
    const second = await kioskOn(clock, first.terminal);
    expect(second.driver.online).toBe(true);
    const report = await second.drive(second.payments.sweep(() => new Set(), () => new Set()));
    expect(report.released).toBe(1);
    expect(first.terminal.reservations().filter((r) => r.state === 'open')).toEqual([]);
  });
});

describe('refunds on ZVT: the terminal outlives the kiosk', () => {
  it('a kiosk that dies while the terminal waits for the card of a refund: the terminal refunds alone, the next kiosk never sends it again', async () => {
    const clock = new ManualClock();
    const first = await kioskOn(clock, null, { completesAfterLinkLoss: true });
    closers.push(() => first.terminal.close());
    const placed = await first.drive(first.payments.authorize(request));
    if (placed.outcome !== 'approved') throw new Error('not approved');
    await first.drive(first.payments.settle({ sessionId: 's1', connectorId: 1, authorization: placed.authorization, amountMinor: 1500 }));
    // Part of it: a refund to the card (06 31), which the terminal waits for.
    const refunding = first.payments.refund({ sessionId: 's1', amountMinor: 500, by: 'Alice', reason: 'slow charge' });
    refunding.catch(() => {});
    await passClock(clock, 1000);
    expect(first.terminal.view().phase).toBe('presentCard');
    expect(store.payment('s1:refund:1')?.status).toBe('pending');
    // kill -9 while the card is on its way.
    first.payments.stop();
    await first.ecrEnd.close();
    expect(await first.drive(refunding.catch((error: unknown) => error))).toBeInstanceOf(RefundError);
    await passClock(clock, 6000);
    expect(first.terminal.refunds()).toMatchObject([{ kind: 'refund', amountMinor: 500 }]);

    // The next kiosk process, the same terminal: the refund is the technician's, never sent again.
    const second = await kioskOn(clock, first.terminal);
    await second.drive(second.payments.sweep(() => new Set(), () => new Set()));
    expect(store.payment('s1:refund:1')).toMatchObject({ status: 'pending', operation: 'refund' });
    await expect(second.payments.retrySettlement('s1:refund:1')).rejects.toThrow(/never sent again/);
    await expect(second.payments.refund({ sessionId: 's1', amountMinor: 500, by: 'Alice', reason: 'again' })).rejects.toMatchObject({ code: 'pending' });
    expect(first.terminal.journal().filter((e) => e.event === 'request' && e.detail === 'refund')).toHaveLength(1);
    // The technician sees it on the terminal's receipt roll and marks it done: counted once.
    second.payments.resolveByHand('s1:refund:1', 'done', 'Alice', 'refund on the terminal journal');
    expect(store.auditLog().filter((a) => a.action === 'session.refunded')).toHaveLength(1);
  });

  it('the whole of the booking, the same day: reversed by its receipt number from the journal, no card', async () => {
    const clock = new ManualClock();
    const kiosk = await kioskOn(clock, null);
    closers.push(() => kiosk.terminal.close());
    const placed = await kiosk.drive(kiosk.payments.authorize(request));
    if (placed.outcome !== 'approved') throw new Error('not approved');
    await kiosk.drive(kiosk.payments.settle({ sessionId: 's1', connectorId: 1, authorization: placed.authorization, amountMinor: 1500 }));
    const booking = store.payment(`${authorizeKey('s1', 1)}:capture`)!.result as { receiptNumber: string };
    expect(booking.receiptNumber).toMatch(/^\d+$/);
    expect(await kiosk.drive(kiosk.payments.refund({ sessionId: 's1', amountMinor: 1500, by: 'Alice', reason: 'never charged' }))).toMatchObject({ outcome: 'refunded', kind: 'reversal', refundedMinor: 1500 });
    expect(kiosk.terminal.refunds()).toMatchObject([{ kind: 'reversal', originalReceiptNumber: Number(booking.receiptNumber), amountMinor: 1500 }]);
  });
});
