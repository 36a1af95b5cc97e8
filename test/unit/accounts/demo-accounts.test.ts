// The demo accounts of a simulated station: made once, never topped up again.
import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_UNKNOWN_UID, ensureDemoAccounts } from '../../../electron/accounts/demo-accounts.js';
import { stores } from './helpers.js';

const opened = stores();
afterEach(() => opened.cleanup());

describe('ensureDemoAccounts', () => {
  it('makes the four demo accounts with their cards and balances, and names the unknown card', () => {
    const { store, book } = opened.memory();
    const cards = ensureDemoAccounts(book, 1_000, 'EUR');
    expect(cards).toEqual([
      { uid: '04A1B2C3D4E5F6', accountId: 'demo-prepaid', description: 'prepaid, 20.00 of credit' },
      { uid: '04D5E6F7A8B9C0', accountId: 'demo-empty', description: 'prepaid, no credit' },
      { uid: '1C78F2BF', accountId: 'demo-fleet', description: 'on account, no cap' },
      { uid: '13005D1DA5', accountId: 'demo-blocked', description: 'prepaid, 5.00 of credit, blocked' },
      { uid: DEMO_UNKNOWN_UID, accountId: null, description: 'no account knows it' },
    ]);
    const view = (uid: string) => {
      const found = book.accountOfTag(uid);
      return found && { id: found.account.id, name: found.account.name, type: found.account.type, cap: found.account.capMinor, blocked: found.account.blocked, balance: book.balance(found.account.id) };
    };
    expect(view('04A1B2C3D4E5F6')).toEqual({ id: 'demo-prepaid', name: 'Demo prepaid', type: 'prepaid', cap: null, blocked: false, balance: 2000 });
    expect(view('04D5E6F7A8B9C0')).toEqual({ id: 'demo-empty', name: 'Demo empty', type: 'prepaid', cap: null, blocked: false, balance: 0 });
    expect(view('1C78F2BF')).toEqual({ id: 'demo-fleet', name: 'Demo fleet', type: 'account', cap: null, blocked: false, balance: 0 });
    expect(view('13005D1DA5')).toEqual({ id: 'demo-blocked', name: 'Demo blocked', type: 'prepaid', cap: null, blocked: true, balance: 500 });
    expect(view(DEMO_UNKNOWN_UID)).toBeNull();
    expect(book.entries().every((e) => e.kind === 'topup' && e.who === 'sim')).toBe(true);
    expect(store.auditLog().every((e) => e.actor === 'sim')).toBe(true);
  });

  it('later starts change nothing: a spent balance is not topped up again', () => {
    const { book } = opened.memory();
    ensureDemoAccounts(book, 1_000, 'EUR');
    book.reserve({ ref: 's1:authorize:1', accountId: 'demo-prepaid', sessionId: 's1', method: 'prepaid', amountMinor: 5000, minimumMinor: 100, at: 2_000 });
    book.settle({ ref: 's1:authorize:1', chargeMinor: 1500, at: 3_000 });
    const entries = book.entries();
    ensureDemoAccounts(book, 4_000, 'EUR');
    expect(book.entries()).toEqual(entries);
    expect(book.balance('demo-prepaid')).toBe(500);
    expect(book.accounts()).toHaveLength(4);
  });

  it('converts the demo balances to the currency minor units, and leaves a demo UID an operator took to them', () => {
    const { book } = opened.memory();
    const mine = book.addAccount({ name: 'Mine', type: 'prepaid', currency: 'JPY' }, 'cli:ops', 1);
    book.addCard(mine.id, { uid: '1C78F2BF', suffix: false }, 'cli:ops', 1);
    ensureDemoAccounts(book, 1_000, 'JPY');
    expect(book.balance('demo-prepaid')).toBe(20);
    expect(book.accountOfTag('1C78F2BF')?.account.id).toBe(mine.id);
    expect(book.cards('demo-fleet')).toEqual([]);
  });
});
