// Station RFID cards through the whole kiosk in sim mode (the simulated reader runs the
// real keyboard-wedge decoding; the demo accounts are made at start-up): a card held to
// the reader pays for the flow on the screen, or starts one where a car waits; the card
// that paid stops its session; refused cards; two sessions on one prepaid account; a
// restart mid-charge; the ways to pay the screen offers.
import { afterEach, describe, expect, it } from 'vitest';
import { AccountBook } from '../../../electron/accounts/account-book.js';
import { KioskHarness } from './kiosk-harness.js';

const PREPAID = '04A1B2C3D4E5F6';
const EMPTY = '04D5E6F7A8B9C0';
const FLEET = '1C78F2BF';
const BLOCKED = '13005D1DA5';
const UNKNOWN = '0A0B0C0D';

let harness: KioskHarness | null = null;
afterEach(async () => {
  await harness?.close();
  harness = null;
});

const tag = (h: KioskHarness, uid: string) => h.sim({ type: 'tag', uid });
const book = (h: KioskHarness) => new AccountBook(h.store);

/** On connector `id`'s payment screen, holds card `uid` to the reader; returns the phase it comes to. */
async function payWithCard(h: KioskHarness, id: number, uid: string) {
  expect(await h.command({ type: 'selectConnector', connectorId: id })).toEqual({ ok: true });
  expect(await tag(h, uid)).toEqual({ ok: true });
  await h.run(500);
  return h.connector(id).phase;
}

describe('paying with a station RFID card', () => {
  it('prepaid: reserves the session maximum of the balance, charges the cost once, and the summary has the new balance', async () => {
    harness = await KioskHarness.start();
    const h = harness;
    expect(h.snapshot().payment.methods).toEqual(['card', 'rfid']);
    expect(h.snapshot().rfid).toEqual({ available: true });
    expect(await payWithCard(h, 1, PREPAID)).toBe('awaitingVehicle');
    const session = h.connector(1).session!;
    expect(session.method).toBe('prepaid');
    expect(session.account).toEqual({ name: 'Demo prepaid', type: 'prepaid', balanceMinor: 2000 });
    expect(session.limitMinor).toBe(2000); // the balance, under the €50.00 hold
    const accountId = book(h).accountOfTag(PREPAID)!.account.id;
    expect(book(h).balance(accountId)).toBe(0); // all of it reserved

    await h.sim({ type: 'plug', connectorId: 1, plugged: true });
    await h.run(120_000, 1000);
    expect(h.connector(1).phase).toBe('charging');
    // The same card again stops the session it started.
    await tag(h, PREPAID);
    await h.run(3000);
    expect(h.connector(1).phase).toBe('parked');
    await h.sim({ type: 'plug', connectorId: 1, plugged: false });
    await h.run(2000);
    const summary = h.connector(1).lastSummary!;
    expect(summary.capturedMinor).toBe(summary.costMinor);
    expect(summary.capturedMinor).toBeGreaterThan(50);
    expect(summary.account).toEqual({ name: 'Demo prepaid', type: 'prepaid', balanceMinor: 2000 - summary.capturedMinor });
    expect(book(h).balance(accountId)).toBe(2000 - summary.capturedMinor);
    const charges = book(h).entries({ accountId }).filter((e) => e.kind === 'charge');
    expect(charges).toHaveLength(1);
    expect(charges[0]!.amountMinor).toBe(-summary.capturedMinor);
    expect(h.store.auditLog().filter((a) => a.action === 'session.stoppedByCard')).toHaveLength(1);
  });

  it('on account: no balance moves before the end, the cost is charged to the account once', async () => {
    harness = await KioskHarness.start();
    const h = harness;
    expect(await payWithCard(h, 1, FLEET)).toBe('awaitingVehicle');
    expect(h.connector(1).session!.method).toBe('account');
    expect(h.connector(1).session!.account).toEqual({ name: 'Demo fleet', type: 'account', balanceMinor: null });
    await h.sim({ type: 'plug', connectorId: 1, plugged: true });
    await h.run(30_000, 1000);
    await h.sim({ type: 'plug', connectorId: 1, plugged: false });
    await h.run(2000);
    const summary = h.connector(1).lastSummary!;
    expect(summary.account).toEqual({ name: 'Demo fleet', type: 'account', balanceMinor: null });
    const accountId = book(h).accountOfTag(FLEET)!.account.id;
    expect(book(h).entries({ accountId }).filter((e) => e.kind === 'charge').map((e) => e.amountMinor)).toEqual([-summary.capturedMinor]);
  });

  it.each([
    [UNKNOWN, 'unknownCard'],
    [BLOCKED, 'cardBlocked'],
    [EMPTY, 'noCredit'],
  ])('card %s is refused (%s); another card tapped on the decline screen pays', async (uid, reason) => {
    harness = await KioskHarness.start();
    const h = harness;
    expect(await payWithCard(h, 1, uid)).toBe('declined');
    expect(h.connector(1).session!.declineReason).toBe(reason);
    await tag(h, PREPAID);
    await h.run(500);
    expect(h.connector(1).phase).toBe('awaitingVehicle');
    expect(h.connector(1).session!.method).toBe('prepaid');
  });

  it('a card tapped at the start screen pays where a car is plugged in; with none it asks to plug in first', async () => {
    harness = await KioskHarness.start();
    const h = harness;
    await tag(h, PREPAID);
    await h.run(500);
    expect(h.snapshot().cardTap).toMatchObject({ kind: 'plugInFirst' });
    await h.sim({ type: 'plug', connectorId: 2, plugged: true });
    await h.run(4000);
    await tag(h, PREPAID);
    await h.run(1500);
    expect(h.snapshot().focus).toBe(2);
    expect(h.connector(2).phase).toBe('charging');
  });

  it('two sessions on one prepaid account never reserve more than its balance', async () => {
    harness = await KioskHarness.start();
    const h = harness;
    const accountId = book(h).accountOfTag(PREPAID)!.account.id;
    // A second card on the same account.
    book(h).addCard(accountId, { uid: '04FFFFFFFFFF01', suffix: false }, 'test', h.clock.now());
    book(h).topUp(accountId, 1000, 'test', 'test', h.clock.now()); // €30.00 in all
    expect(await payWithCard(h, 1, PREPAID)).toBe('awaitingVehicle');
    expect(h.connector(1).session!.limitMinor).toBe(3000); // the whole balance, under the €50.00 hold
    // Connector 1 holds the screen until its car is plugged in.
    await h.sim({ type: 'plug', connectorId: 1, plugged: true });
    await h.run(1000);
    expect(await payWithCard(h, 2, '04FFFFFFFFFF01')).toBe('declined');
    expect(h.connector(2).session!.declineReason).toBe('noCredit');
    expect(book(h).balance(accountId)).toBe(0);
  });

  it('a prepaid session across a restart mid-charge is charged once', async () => {
    harness = await KioskHarness.start();
    const h = harness;
    expect(await payWithCard(h, 1, PREPAID)).toBe('awaitingVehicle');
    await h.sim({ type: 'plug', connectorId: 1, plugged: true });
    await h.run(20_000, 1000);
    await h.restart();
    await h.run(5000, 1000);
    expect(h.connector(1).phase).toBe('charging');
    await tag(h, PREPAID);
    await h.run(3000);
    await h.sim({ type: 'plug', connectorId: 1, plugged: false });
    await h.run(2000);
    const summary = h.connector(1).lastSummary!;
    const accountId = book(h).accountOfTag(PREPAID)!.account.id;
    expect(book(h).entries({ accountId }).filter((e) => e.kind === 'charge')).toHaveLength(1);
    expect(book(h).balance(accountId)).toBe(2000 - summary.capturedMinor);
  });

  it('payment.methods without rfid: the screen does not offer it and a tap pays nothing', async () => {
    harness = await KioskHarness.start({ payment: { methods: ['card'] } });
    const h = harness;
    expect(h.snapshot().payment.methods).toEqual(['card']);
    // The one way to pay left: choosing the connector asks for the bank card at once, and the station card held meanwhile pays nothing.
    expect(await payWithCard(h, 1, PREPAID)).toBe('authorizing');
    expect(h.connector(1).session!.method).toBe('card');
    expect(book(h).balance(book(h).accountOfTag(PREPAID)!.account.id)).toBe(2000);
  });

  it('reports the reader in the device diagnostics', async () => {
    harness = await KioskHarness.start();
    const h = harness;
    await tag(h, UNKNOWN);
    await h.run(200);
    expect(h.snapshot().devices.rfid).toMatchObject({ kind: 'simulated', online: true, details: { tags: 1 } });
  });
});

describe('a card read again at once', () => {
  it('is one presentation: a card left on the reader (or held twice) does not stop the session it just paid for', async () => {
    harness = await KioskHarness.start();
    const h = harness;
    expect(await payWithCard(h, 1, PREPAID)).toBe('awaitingVehicle');
    // The reader types it again, and again, each within 3 s of the last.
    for (let i = 0; i < 4; i++) {
      await h.run(2000);
      await tag(h, PREPAID);
    }
    await h.run(500);
    expect(h.connector(1).phase).toBe('awaitingVehicle');
    // Lifted, and held again later: that stops (here, cancels before charging).
    await h.run(4000);
    await tag(h, PREPAID);
    await h.run(2000);
    expect(h.connector(1).phase).toBe('available');
    const accountId = book(h).accountOfTag(PREPAID)!.account.id;
    expect(book(h).balance(accountId)).toBe(2000);
  });
});
