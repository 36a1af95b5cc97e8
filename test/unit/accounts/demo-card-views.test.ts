// The simulator panel's demo cards (electron/kiosk.ts demoCardViewsOf): read from the
// accounts only when they may have changed, yet never stale: a balance, a block or a card
// changed by this process or by another connection to the file (the accounts tool) shows
// at the next snapshot.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { join } from 'node:path';
import { ensureDemoAccounts } from '../../../electron/accounts/demo-accounts.js';
import { demoCardViewsOf } from '../../../electron/kiosk.js';
import { stores } from './helpers.js';

const opened = stores();
afterEach(() => opened.cleanup());

function kioskAndTool() {
  const file = join(opened.dir(), 'kiosk.sqlite');
  const kiosk = opened.open(file);
  const uids = ensureDemoAccounts(kiosk.book, 1, 'EUR').map(({ uid }) => uid);
  const tool = opened.open(file);
  const reads = vi.spyOn(kiosk.book, 'accountOfTag');
  return { kiosk, tool, uids, reads, views: demoCardViewsOf(kiosk.store, kiosk.book, uids) };
}

const prepaid = (cards: { account: string | null; balanceMinor: number | null; blocked: boolean }[]) => cards.find((c) => c.account === 'Demo prepaid')!;

describe('the demo cards of the simulator panel', () => {
  it('are read once, then not again while nothing changed (the same array)', () => {
    const { uids, reads, views } = kioskAndTool();
    const first = views();
    expect(first.map((c) => c.uid)).toEqual(uids);
    expect(prepaid(first).balanceMinor).toBe(2000);
    const readsOnce = reads.mock.calls.length;
    expect(readsOnce).toBe(uids.length);
    for (let i = 0; i < 5; i++) expect(views()).toBe(first);
    expect(reads.mock.calls.length).toBe(readsOnce);
  });

  it('show a reservation and a top-up made by this process at the next read', () => {
    const { kiosk, views } = kioskAndTool();
    views();
    kiosk.book.reserve({ ref: 'r1', accountId: 'demo-prepaid', sessionId: 's1', method: 'prepaid', amountMinor: 1500, at: 2 });
    expect(prepaid(views()).balanceMinor).toBe(500);
    kiosk.book.release({ ref: 'r1', at: 3 });
    expect(prepaid(views()).balanceMinor).toBe(2000);
    kiosk.book.topUp('demo-prepaid', 100, 'cash', 'tech:ann', 4);
    expect(prepaid(views()).balanceMinor).toBe(2100);
  });

  it('show a block and a card removed by this process (no ledger entry) at the next read', () => {
    const { kiosk, views } = kioskAndTool();
    views();
    kiosk.book.setBlocked('demo-prepaid', true, 'tech:ann', 2);
    expect(prepaid(views()).blocked).toBe(true);
    kiosk.book.removeCard('demo-fleet', '1C78F2BF', 'tech:ann', 3);
    expect(views().find((c) => c.uid === '1C78F2BF')?.account).toBeNull();
  });

  it('show what the accounts tool (another connection) changed at the next read', () => {
    const { tool, views, reads } = kioskAndTool();
    views();
    tool.book.topUp('demo-prepaid', 500, 'cash', 'cli:ops', 2);
    expect(prepaid(views()).balanceMinor).toBe(2500);
    tool.book.setBlocked('demo-prepaid', true, 'cli:ops', 3);
    expect(prepaid(views()).blocked).toBe(true);
    const after = reads.mock.calls.length;
    views();
    expect(reads.mock.calls.length).toBe(after);
  });

  it('are an empty list without demo cards', () => {
    const { kiosk } = kioskAndTool();
    expect(demoCardViewsOf(kiosk.store, kiosk.book, [])()).toEqual([]);
  });
});
