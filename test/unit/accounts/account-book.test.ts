// The account book: accounts and their cards, the append-only ledger and its money rules
// (a balance is the sum of its entries, a prepaid one never below zero, a refused
// operation writes nothing), reservations settled and released exactly once. The rules
// are checked as properties against a model of the balances over random operations.
import { afterEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { join } from 'node:path';
import { DatabaseSync } from '@photostructure/sqlite';
import { AccountError, ON_ACCOUNT_LIMIT_MINOR, type AccountBook, type AccountType, type LedgerEntry, type Reservation } from '../../../electron/accounts/account-book.js';
import { stores } from './helpers.js';

const opened = stores();
afterEach(() => opened.cleanup());

const WHO = 'cli:test';

function refusal(work: () => unknown): AccountError {
  try {
    work();
  } catch (error) {
    if (error instanceof AccountError) return error;
    throw error;
  }
  throw new Error('expected the book to refuse');
}

function prepaid(book: AccountBook, balance = 0, name = 'Ann') {
  const account = book.addAccount({ name, type: 'prepaid', currency: 'EUR' }, WHO, 1);
  if (balance > 0) book.topUp(account.id, balance, 'cash', WHO, 2);
  return account;
}

describe('accounts and cards', () => {
  it('gives each account a short readable id, and audits who made it', () => {
    const { store, book } = opened.memory();
    const ids = new Set(Array.from({ length: 50 }, (_, i) => book.addAccount({ name: `driver ${i}`, type: 'prepaid', currency: 'EUR' }, WHO, i).id));
    expect(ids.size).toBe(50);
    for (const id of ids) expect(id).toMatch(/^A[0-9A-HJKMNP-TV-Z]{6}$/);
    const fleet = book.addAccount({ name: ' Fleet ', type: 'account', capMinor: 5000, currency: 'EUR' }, 'cli:ops', 99);
    expect(book.account(fleet.id)).toEqual({ id: fleet.id, name: 'Fleet', type: 'account', capMinor: 5000, blocked: false, currency: 'EUR', createdAt: 99 });
    expect(store.auditLog().at(-1)).toMatchObject({ actor: 'cli:ops', action: 'account.added', data: { accountId: fleet.id, type: 'account', capMinor: 5000 } });
    expect(store.verifyAudit()).toBeNull();
  });

  it('refuses an account without a name, a cap on a prepaid one, a wrong currency or type, a fixed id taken', () => {
    const { book } = opened.memory();
    expect(refusal(() => book.addAccount({ name: '  ', type: 'prepaid', currency: 'EUR' }, WHO, 1)).message).toMatch(/name is needed/);
    expect(refusal(() => book.addAccount({ name: 'x', type: 'prepaid', capMinor: 100, currency: 'EUR' }, WHO, 1)).message).toMatch(/only an on-account/);
    expect(refusal(() => book.addAccount({ name: 'x', type: 'prepaid', currency: 'euro' }, WHO, 1)).code).toBe('invalid');
    expect(refusal(() => book.addAccount({ name: 'x', type: 'gift' as AccountType, currency: 'EUR' }, WHO, 1)).code).toBe('invalid');
    book.addAccount({ id: 'fixed', name: 'x', type: 'prepaid', currency: 'EUR' }, WHO, 1);
    expect(refusal(() => book.addAccount({ id: 'fixed', name: 'y', type: 'prepaid', currency: 'EUR' }, WHO, 1)).message).toMatch(/exists already/);
    expect(book.accounts()).toHaveLength(1);
  });

  it('finds the account of a tag: its exact UID first, then a suffix card (an EM4100 print)', () => {
    const { book } = opened.memory();
    const ann = prepaid(book, 0, 'Ann');
    const bob = prepaid(book, 0, 'Bob');
    expect(book.addCard(ann.id, { uid: '04A1B2C3D4E5F6', suffix: false }, WHO, 1)).toBe(true);
    expect(book.addCard(ann.id, { uid: '04A1B2C3D4E5F6', suffix: false }, WHO, 1)).toBe(false); // has it already
    expect(book.addCard(bob.id, { uid: '005D1DA5', suffix: true }, WHO, 1)).toBe(true);
    expect(book.accountOfTag('04A1B2C3D4E5F6')).toMatchObject({ account: { id: ann.id }, card: { uid: '04A1B2C3D4E5F6', suffix: false } });
    expect(book.accountOfTag('13005D1DA5')).toMatchObject({ account: { id: bob.id }, card: { uid: '005D1DA5', suffix: true } });
    expect(book.accountOfTag('005D1DA5')).toBeNull(); // a suffix matches longer tags only
    expect(book.accountOfTag('0A0B0C0D')).toBeNull();
    expect(book.cards(ann.id).map((c) => c.uid)).toEqual(['04A1B2C3D4E5F6']);
  });

  it('takes a read of only the last bytes of a tag when the cards it matches are all of one account', () => {
    const { book } = opened.memory();
    const ann = prepaid(book, 0, 'Ann');
    const bob = prepaid(book, 0, 'Bob');
    book.addCard(ann.id, { uid: '13005D1DA5', suffix: false }, WHO, 1);
    book.addCard(bob.id, { uid: '11AABBCCDD', suffix: false }, WHO, 1);
    expect(book.accountOfTag({ uid: '005D1DA5', suffix: true })).toMatchObject({ account: { id: ann.id }, card: { uid: '13005D1DA5' } });
    expect(book.accountOfTag({ uid: '13005D1DA5', suffix: true })).toBeNull(); // a read as long as the card is not a suffix of it
    expect(book.accountOfTag({ uid: 'AABBCCDD', suffix: true })?.account.id).toBe(bob.id);
    expect(book.accountOfTag('005D1DA5')).toBeNull();
    const carl = prepaid(book, 0, 'Carl');
    book.addCard(carl.id, { uid: '22AABBCCDD', suffix: false }, WHO, 1); // the same last bytes as Bob's card
    expect(book.accountOfTag({ uid: 'AABBCCDD', suffix: true })).toBeNull(); // two accounts: never guessed
    expect(book.accountOfTag({ uid: '22AABBCCDD', suffix: false })?.account.id).toBe(carl.id);
  });

  it('refuses a UID another account has, and a card that would make one tag match two accounts', () => {
    const { store, book } = opened.memory();
    const ann = prepaid(book, 0, 'Ann');
    const bob = prepaid(book, 0, 'Bob');
    book.addCard(ann.id, { uid: '13005D1DA5', suffix: false }, WHO, 1);
    book.addCard(ann.id, { uid: 'AABBCC', suffix: true }, WHO, 1);
    const audited = store.auditLog().length;
    expect(refusal(() => book.addCard(bob.id, { uid: '13005D1DA5', suffix: false }, WHO, 1))).toMatchObject({ code: 'cardTaken', message: expect.stringMatching(/belongs to account/) });
    expect(refusal(() => book.addCard(bob.id, { uid: '005D1DA5', suffix: true }, WHO, 1)).code).toBe('cardTaken'); // a suffix of Ann's tag
    expect(refusal(() => book.addCard(bob.id, { uid: '11AABBCC', suffix: false }, WHO, 1)).code).toBe('cardTaken'); // ends in Ann's suffix
    expect(refusal(() => book.addCard(bob.id, { uid: '00AABBCC', suffix: true }, WHO, 1)).code).toBe('cardTaken'); // suffixes overlap
    expect(refusal(() => book.addCard(bob.id, { uid: 'BBCC', suffix: false }, WHO, 1)).code).toBe('invalid'); // not a UID
    expect(book.addCard(bob.id, { uid: '11AABBCD', suffix: false }, WHO, 1)).toBe(true);
    expect(book.cards(bob.id)).toHaveLength(1);
    expect(store.auditLog().length).toBe(audited + 1);
  });

  it('removes a card, and blocks and unblocks an account, each audited', () => {
    const { store, book } = opened.memory();
    const ann = prepaid(book);
    book.addCard(ann.id, { uid: '1C78F2BF', suffix: false }, WHO, 1);
    book.removeCard(ann.id, '1C78F2BF', 'cli:ops', 2);
    expect(book.accountOfTag('1C78F2BF')).toBeNull();
    expect(refusal(() => book.removeCard(ann.id, '1C78F2BF', WHO, 3)).code).toBe('unknownCard');
    expect(book.setBlocked(ann.id, true, 'cli:ops', 4).blocked).toBe(true);
    expect(book.setBlocked(ann.id, false, 'cli:ops', 5).blocked).toBe(false);
    expect(refusal(() => book.setBlocked('nobody', true, WHO, 6)).code).toBe('unknownAccount');
    expect(store.auditLog().slice(-3).map((e) => [e.actor, e.action])).toEqual([
      ['cli:ops', 'account.cardRemoved'],
      ['cli:ops', 'account.blocked'],
      ['cli:ops', 'account.unblocked'],
    ]);
  });
});

describe('money', () => {
  it('keeps each entry with who, why and the running balance; the balance is their sum', () => {
    const { store, book } = opened.memory();
    const ann = prepaid(book);
    book.topUp(ann.id, 2000, 'cash at the desk', 'cli:ops', 10);
    book.refund(ann.id, 150, 'session s9 charged twice', 'cli:ops', 11, { sessionId: 's9' });
    book.correct(ann.id, -50, 'typo', 'cli:ops', 12);
    book.writeOff(ann.id, 100, 'expired credit', 'cli:ops', 13);
    const entries = book.entries({ accountId: ann.id });
    expect(entries.map((e) => [e.kind, e.amountMinor, e.balanceMinor, e.who, e.reason, e.sessionId])).toEqual([
      ['topup', 2000, 2000, 'cli:ops', 'cash at the desk', null],
      ['refund', 150, 2150, 'cli:ops', 'session s9 charged twice', 's9'],
      ['correction', -50, 2100, 'cli:ops', 'typo', null],
      ['writeoff', -100, 2000, 'cli:ops', 'expired credit', null],
    ]);
    expect(book.balance(ann.id)).toBe(2000);
    expect(book.entries({ accountId: ann.id, limit: 2 }).map((e) => e.kind)).toEqual(['correction', 'writeoff']);
    expect(store.auditLog().slice(-4).map((e) => e.action)).toEqual(['account.topup', 'account.refund', 'account.correction', 'account.writeoff']);
    expect(store.verifyAudit()).toBeNull();
  });

  it('refuses money entries without a reason or with an amount that is not whole minor units', () => {
    const { book } = opened.memory();
    const ann = prepaid(book);
    expect(refusal(() => book.topUp(ann.id, 100, ' ', WHO, 1)).message).toMatch(/reason is needed/);
    for (const bad of [0, -5, 1.5, Number.NaN, 1e13]) expect(refusal(() => book.topUp(ann.id, bad, 'x', WHO, 1)).code).toBe('invalid');
    expect(refusal(() => book.correct(ann.id, 0, 'x', WHO, 1)).code).toBe('invalid');
    expect(refusal(() => book.topUp('nobody', 100, 'x', WHO, 1)).code).toBe('unknownAccount');
    expect(refusal(() => book.topUp(ann.id, 100, 'x', '', 1)).message).toMatch(/who acts/);
    expect(book.entries()).toEqual([]);
  });

  it('never takes a prepaid balance below zero; a write-off never crosses zero', () => {
    const { book } = opened.memory();
    const ann = prepaid(book, 500);
    expect(refusal(() => book.correct(ann.id, -501, 'x', WHO, 3)).code).toBe('noCredit');
    expect(refusal(() => book.writeOff(ann.id, 501, 'x', WHO, 3)).code).toBe('invalid');
    book.writeOff(ann.id, 500, 'closed', WHO, 3);
    expect(refusal(() => book.writeOff(ann.id, 1, 'x', WHO, 3)).message).toMatch(/nothing to write off/);
    expect(book.balance(ann.id)).toBe(0);
  });

  it('an on-account balance is what is owed: a charge takes it below zero; a write-off forgives, a top-up pays', () => {
    const { book } = opened.memory();
    const fleet = book.addAccount({ name: 'Fleet', type: 'account', currency: 'EUR' }, WHO, 1);
    const reservation = book.reserve({ ref: 'k1', accountId: fleet.id, sessionId: 's1', method: 'account', amountMinor: 5000, at: 2 });
    expect(reservation).toMatchObject({ amountMinor: 0, limitMinor: ON_ACCOUNT_LIMIT_MINOR, state: 'open' });
    expect(book.entries({ accountId: fleet.id })).toEqual([]); // no balance moves
    expect(book.settle({ ref: 'k1', chargeMinor: 1234, at: 3 })).toMatchObject({ state: 'settled', chargedMinor: 1234, balanceAfterMinor: -1234 });
    expect(book.entries({ accountId: fleet.id }).map((e) => [e.kind, e.amountMinor, e.sessionId])).toEqual([['charge', -1234, 's1']]);
    book.writeOff(fleet.id, 234, 'goodwill', WHO, 4);
    book.topUp(fleet.id, 1000, 'invoice 7 paid', WHO, 5);
    expect(book.balance(fleet.id)).toBe(0);
    const capped = book.addAccount({ name: 'Capped', type: 'account', capMinor: 3000, currency: 'EUR' }, WHO, 1);
    expect(book.reserve({ ref: 'k2', accountId: capped.id, sessionId: 's2', method: 'account', amountMinor: 5000, at: 2 }).limitMinor).toBe(3000);
    expect(refusal(() => book.settle({ ref: 'k2', chargeMinor: 3001, at: 3 })).message).toMatch(/more than reservation k2 allows/);
  });

  it('tops up once under a ref', () => {
    const { book } = opened.memory();
    const ann = prepaid(book);
    const first = book.topUp(ann.id, 2000, 'demo', 'sim', 1, { ref: 'demo:topup' });
    expect(book.topUp(ann.id, 2000, 'demo', 'sim', 2, { ref: 'demo:topup' })).toEqual(first);
    expect(book.balance(ann.id)).toBe(2000);
  });
});

describe('reservations', () => {
  it('reserves what the balance holds, up to the amount, when it holds the minimum; exactly the amount without one', () => {
    const { book } = opened.memory();
    const ann = prepaid(book, 1500);
    const partial = book.reserve({ ref: 'k1', accountId: ann.id, sessionId: 's1', method: 'prepaid', amountMinor: 5000, minimumMinor: 100, at: 3 });
    expect(partial).toMatchObject({ amountMinor: 1500, limitMinor: 1500, balanceBeforeMinor: 1500, state: 'open', sessionId: 's1' });
    expect(book.balance(ann.id)).toBe(0);
    expect(refusal(() => book.reserve({ ref: 'k2', accountId: ann.id, sessionId: 's2', method: 'prepaid', amountMinor: 5000, minimumMinor: 100, at: 4 })).code).toBe('noCredit');
    book.release({ ref: 'k1', at: 5 });
    expect(refusal(() => book.reserve({ ref: 'k3', accountId: ann.id, sessionId: 's3', method: 'prepaid', amountMinor: 1501, at: 6 })).code).toBe('noCredit');
    expect(book.reserve({ ref: 'k4', accountId: ann.id, sessionId: 's4', method: 'prepaid', amountMinor: 1000, at: 7 }).amountMinor).toBe(1000);
    expect(book.reservation('k2')).toBeNull();
    expect(book.entries({ accountId: ann.id }).map((e) => [e.kind, e.amountMinor, e.ref])).toEqual([
      ['topup', 1500, null],
      ['reservation', -1500, 'k1:reservation'],
      ['release', 1500, 'k1:release'],
      ['reservation', -1000, 'k4:reservation'],
    ]);
  });

  it('is idempotent by ref, and refuses a blocked account or one of another type', () => {
    const { book } = opened.memory();
    const ann = prepaid(book, 3000);
    const first = book.reserve({ ref: 'k1', accountId: ann.id, sessionId: 's1', method: 'prepaid', amountMinor: 1000, at: 3 });
    expect(book.reserve({ ref: 'k1', accountId: ann.id, sessionId: 's1', method: 'prepaid', amountMinor: 2000, at: 4 })).toEqual(first);
    expect(book.balance(ann.id)).toBe(2000);
    expect(refusal(() => book.reserve({ ref: 'k2', accountId: ann.id, sessionId: 's2', method: 'account', amountMinor: 1000, at: 4 })).code).toBe('wrongType');
    book.setBlocked(ann.id, true, WHO, 5);
    expect(refusal(() => book.reserve({ ref: 'k3', accountId: ann.id, sessionId: 's3', method: 'prepaid', amountMinor: 1000, at: 6 })).code).toBe('blocked');
    expect(book.openReservations('prepaid').map((r) => r.ref)).toEqual(['k1']);
  });

  it('settles in one go: the reservation given back, the cost charged; again, the same answer and nothing new', () => {
    const { book } = opened.memory();
    const ann = prepaid(book, 3000);
    book.reserve({ ref: 'k1', accountId: ann.id, sessionId: 's1', method: 'prepaid', amountMinor: 2500, at: 3 });
    expect(refusal(() => book.settle({ ref: 'k1', chargeMinor: 2501, at: 4 })).code).toBe('invalid');
    const settled = book.settle({ ref: 'k1', chargeMinor: 1234, at: 4 });
    expect(settled).toMatchObject({ state: 'settled', chargedMinor: 1234, balanceBeforeMinor: 3000, balanceAfterMinor: 1766, endedAt: 4 });
    const count = book.entries().length;
    expect(book.settle({ ref: 'k1', chargeMinor: 999, at: 5 })).toEqual(settled);
    expect(book.release({ ref: 'k1', at: 6 })).toEqual(settled); // settled: nothing is held any more
    expect(book.entries().length).toBe(count);
    expect(book.entries().slice(-2).map((e) => [e.kind, e.amountMinor, e.balanceMinor, e.sessionId])).toEqual([
      ['release', 2500, 3000, 's1'],
      ['charge', -1234, 1766, 's1'],
    ]);
    expect(book.openReservations('prepaid')).toEqual([]);
  });

  it('releases once; a released reservation cannot be charged; an unknown one is refused', () => {
    const { book } = opened.memory();
    const ann = prepaid(book, 3000);
    book.reserve({ ref: 'k1', accountId: ann.id, sessionId: 's1', method: 'prepaid', amountMinor: 2500, at: 3 });
    const released = book.release({ ref: 'k1', at: 4 });
    expect(released).toMatchObject({ state: 'released', balanceAfterMinor: 3000, chargedMinor: null });
    expect(book.release({ ref: 'k1', at: 5 })).toEqual(released);
    expect(refusal(() => book.settle({ ref: 'k1', chargeMinor: 100, at: 6 })).code).toBe('ended');
    expect(refusal(() => book.settle({ ref: 'nope', chargeMinor: 100, at: 6 })).code).toBe('unknownReservation');
    expect(refusal(() => book.release({ ref: 'nope', at: 6 })).code).toBe('unknownReservation');
    expect(book.balance(ann.id)).toBe(3000);
  });
});

describe('the ledger is append-only', () => {
  it('refuses UPDATE and DELETE, through the store and through any other connection', () => {
    const dir = opened.dir();
    const file = join(dir, 'kiosk.sqlite');
    const { store, book } = opened.open(file);
    const ann = prepaid(book, 2000);
    const sql = store.sql();
    expect(() => sql.run('UPDATE account_ledger SET amount_minor = 999999')).toThrow(/append-only: entries are never changed/);
    expect(() => sql.run('DELETE FROM account_ledger')).toThrow(/append-only: entries are never deleted/);
    const other = new DatabaseSync(file);
    try {
      expect(() => other.exec(`UPDATE account_ledger SET reason = 'gift' WHERE account_id = '${ann.id}'`)).toThrow(/append-only/);
      expect(() => other.exec('DELETE FROM account_ledger')).toThrow(/append-only/);
    } finally {
      other.close();
    }
    expect(book.entries()).toMatchObject([{ kind: 'topup', amountMinor: 2000, reason: 'cash' }]);
  });
});

// ── the rules as properties ──────────────────────────────────────────────────

type Name = 'P1' | 'P2' | 'F' | 'G';
const NAMES: readonly Name[] = ['P1', 'P2', 'F', 'G'];
const TYPE: Record<Name, AccountType> = { P1: 'prepaid', P2: 'prepaid', F: 'account', G: 'account' };
const CAP: Record<Name, number | null> = { P1: null, P2: null, F: 3000, G: null };

const accountName = fc.constantFrom(...NAMES);
const amount = fc.integer({ min: 1, max: 5000 });
const operation = fc.oneof(
  fc.record({ op: fc.constant('topup' as const), account: accountName, amount }),
  fc.record({ op: fc.constant('reserve' as const), account: accountName, amount, minimum: fc.option(fc.integer({ min: 1, max: 3000 }), { nil: undefined }) }),
  fc.record({ op: fc.constant('settle' as const), pick: fc.nat(), charge: fc.nat({ max: 6000 }) }),
  fc.record({ op: fc.constant('release' as const), pick: fc.nat() }),
  fc.record({ op: fc.constant('writeoff' as const), account: accountName, amount }),
  fc.record({ op: fc.constant('refund' as const), account: accountName, amount }),
  fc.record({ op: fc.constant('correct' as const), account: accountName, amount: fc.integer({ min: -5000, max: 5000 }).filter((n) => n !== 0) }),
  fc.record({ op: fc.constant('block' as const), account: accountName, blocked: fc.boolean() }),
);
type Operation = typeof operation extends fc.Arbitrary<infer T> ? T : never;

interface ModelReservation {
  account: Name;
  amount: number;
  limit: number;
  state: 'open' | 'settled' | 'released';
}

/** What the book should do: the balances and reservations an operation leaves, or null when it refuses. */
class Model {
  balance: Record<Name, number> = { P1: 0, P2: 0, F: 0, G: 0 };
  blocked: Record<Name, boolean> = { P1: false, P2: false, F: false, G: false };
  reservations = new Map<string, ModelReservation>();

  /** Applies the operation; false when the book must refuse it (then the model is left as it was). */
  apply(o: Operation, ref: string | null): boolean {
    switch (o.op) {
      case 'topup':
      case 'refund':
        this.balance[o.account] += o.amount;
        return true;
      case 'correct':
        if (TYPE[o.account] === 'prepaid' && this.balance[o.account] + o.amount < 0) return false;
        this.balance[o.account] += o.amount;
        return true;
      case 'writeoff': {
        const b = this.balance[o.account];
        if (b === 0 || o.amount > Math.abs(b)) return false;
        this.balance[o.account] += b > 0 ? -o.amount : o.amount;
        return true;
      }
      case 'block':
        this.blocked[o.account] = o.blocked;
        return true;
      case 'reserve': {
        if (this.blocked[o.account]) return false;
        if (TYPE[o.account] === 'account') {
          this.reservations.set(ref!, { account: o.account, amount: 0, limit: CAP[o.account] ?? ON_ACCOUNT_LIMIT_MINOR, state: 'open' });
          return true;
        }
        const b = this.balance[o.account];
        if (b < (o.minimum ?? o.amount)) return false;
        const reserved = Math.min(b, o.amount);
        this.balance[o.account] -= reserved;
        this.reservations.set(ref!, { account: o.account, amount: reserved, limit: reserved, state: 'open' });
        return true;
      }
      case 'settle': {
        const r = this.reservations.get(ref!)!;
        if (r.state === 'settled') return true;
        if (r.state === 'released' || o.charge > r.limit) return false;
        this.balance[r.account] += r.amount - o.charge;
        r.state = 'settled';
        return true;
      }
      case 'release': {
        const r = this.reservations.get(ref!)!;
        if (r.state !== 'open') return true;
        this.balance[r.account] += r.amount;
        r.state = 'released';
        return true;
      }
    }
  }
}

function run(book: AccountBook, ids: Record<Name, string>, o: Operation, ref: string | null): unknown {
  switch (o.op) {
    case 'topup':
      return book.topUp(ids[o.account], o.amount, 'cash', WHO, 1);
    case 'refund':
      return book.refund(ids[o.account], o.amount, 'charged twice', WHO, 1);
    case 'correct':
      return book.correct(ids[o.account], o.amount, 'typo', WHO, 1);
    case 'writeoff':
      return book.writeOff(ids[o.account], o.amount, 'expired', WHO, 1);
    case 'block':
      return book.setBlocked(ids[o.account], o.blocked, WHO, 1);
    case 'reserve':
      return book.reserve({ ref: ref!, accountId: ids[o.account], sessionId: ref, method: TYPE[o.account], amountMinor: o.amount, minimumMinor: o.minimum, at: 1 });
    case 'settle':
      return book.settle({ ref: ref!, chargeMinor: o.charge, at: 1 });
    case 'release':
      return book.release({ ref: ref!, at: 1 });
  }
}

/** Everything the book holds, to compare before and after a refused operation. */
function everything(book: AccountBook): { entries: LedgerEntry[]; reservations: Reservation[]; blocked: boolean[] } {
  const reservations = (['prepaid', 'account'] as const).flatMap((m) => book.openReservations(m));
  return { entries: book.entries(), reservations, blocked: book.accounts().map((a) => a.blocked) };
}

function checkLedger(book: AccountBook, ids: Record<Name, string>, model: Model): void {
  for (const name of NAMES) {
    const id = ids[name];
    const entries = book.entries({ accountId: id });
    let running = 0;
    for (const entry of entries) {
      running += entry.amountMinor;
      expect(entry.balanceMinor).toBe(running); // each entry keeps the running balance
    }
    expect(book.balance(id)).toBe(running); // the balance is the sum of the entries
    expect(book.balance(id)).toBe(model.balance[name]);
    if (TYPE[name] === 'prepaid') {
      expect(book.balance(id)).toBeGreaterThanOrEqual(0);
      // What the open reservations hold (from their own table) never exceeds what the
      // balance held before them: money in, less what was charged.
      const open = book.openReservations('prepaid').filter((r) => r.accountId === id).reduce((sum, r) => sum + r.amountMinor, 0);
      const notReserved = entries.filter((e) => e.kind !== 'reservation' && e.kind !== 'release').reduce((sum, e) => sum + e.amountMinor, 0);
      expect(open).toBeLessThanOrEqual(notReserved);
      expect(notReserved - open).toBe(book.balance(id));
    }
  }
}

describe('ledger rules, over random sequences of operations on several accounts', () => {
  it('the balance is the sum of the entries, a prepaid one is never negative, refusals change nothing, repeats write nothing', () => {
    fc.assert(
      fc.property(fc.array(operation, { minLength: 1, maxLength: 40 }), (operations) => {
        const { store, book } = opened.memory();
        try {
          const ids = Object.fromEntries(
            NAMES.map((name) => [name, book.addAccount({ name, type: TYPE[name], capMinor: CAP[name], currency: 'EUR' }, WHO, 0).id]),
          ) as Record<Name, string>;
          const model = new Model();
          const refs: string[] = [];
          const firstResults = new Map<string, unknown>();
          for (const [i, o] of operations.entries()) {
            let ref: string | null = null;
            if (o.op === 'reserve') ref = `s${i}:authorize:1`;
            if (o.op === 'settle' || o.op === 'release') {
              if (refs.length === 0) continue;
              ref = refs[o.pick % refs.length]!;
            }
            const ended = ref !== null && o.op !== 'reserve' ? model.reservations.get(ref)!.state !== 'open' : false;
            const before = everything(book);
            const allowed = model.apply(o, ref);
            let result: unknown;
            try {
              result = run(book, ids, o, ref);
              expect(allowed).toBe(true);
            } catch (error) {
              if (!(error instanceof AccountError)) throw error;
              expect(allowed).toBe(false);
              expect(everything(book)).toEqual(before); // a refused operation writes nothing
            }
            if (o.op === 'reserve' && allowed) refs.push(ref!);
            if (ended && allowed) {
              // Settled or released already: the first answer again, and no new entry.
              expect(result).toEqual(firstResults.get(ref!));
              expect(book.entries()).toEqual(before.entries);
            }
            if ((o.op === 'settle' || o.op === 'release') && allowed && !ended) firstResults.set(ref!, result);
            checkLedger(book, ids, model);
          }
          // The ledger stays append-only whatever it holds (a trigger fires on a row: an empty ledger has none).
          const sql = store.sql();
          const entries = book.entries();
          if (entries.length > 0) expect(() => sql.run('UPDATE account_ledger SET amount_minor = amount_minor + 1')).toThrow(/append-only/);
          if (entries.length > 0) expect(() => sql.run('DELETE FROM account_ledger WHERE id = (SELECT MAX(id) FROM account_ledger)')).toThrow(/append-only/);
          expect(book.entries()).toEqual(entries);
          expect(store.verifyAudit()).toBeNull();
        } finally {
          store.close();
        }
      }),
      { numRuns: 150 },
    );
  });
});
