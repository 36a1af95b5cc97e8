// The account payment backend on its own (every decline, place / settle / release /
// status / openAuthorizations, each idempotent), and driven by the payment core: an
// authorisation settled exactly once, also when the process dies between the backend's
// ledger write and the journal's outcome (a second Payments on the same file takes over).
import { afterEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import pino from 'pino';
import { ManualClock } from '../../../devices/clock.js';
import { ON_ACCOUNT_LIMIT_MINOR, type AccountBook } from '../../../electron/accounts/account-book.js';
import { AccountBackend } from '../../../electron/payments/account-backend.js';
import type { Authorization, AuthorizeOutcome } from '../../../electron/payments/authorization.js';
import type { PlaceRequest } from '../../../electron/payments/payment-backend.js';
import { Payments, authorizeKey, type AuthorizeRequest } from '../../../electron/payments/payments.js';
import { stores } from './helpers.js';

const log = pino({ level: 'silent' });
const opened = stores();
afterEach(() => opened.cleanup());

const CARD = '04A1B2C3D4E5F6';
const FLEET_CARD = '1C78F2BF';

/** A book with Ann (prepaid, `balance`) and Fleet (on account, `cap`), each with a card. */
function accounts(book: AccountBook, balance = 2000, cap: number | null = null) {
  const ann = book.addAccount({ name: 'Ann', type: 'prepaid', currency: 'EUR' }, 'cli:test', 1);
  book.addCard(ann.id, { uid: CARD, suffix: false }, 'cli:test', 1);
  if (balance > 0) book.topUp(ann.id, balance, 'cash', 'cli:test', 1);
  const fleet = book.addAccount({ name: 'Fleet', type: 'account', capMinor: cap, currency: 'EUR' }, 'cli:test', 1);
  book.addCard(fleet.id, { uid: FLEET_CARD, suffix: false }, 'cli:test', 1);
  return { ann, fleet };
}

function backends(book: AccountBook, clock = new ManualClock(1_000)) {
  return { prepaid: new AccountBackend({ book, method: 'prepaid', clock }), account: new AccountBackend({ book, method: 'account', clock }), clock };
}

const request = (key: string, uid: string | null, amountMinor = 5000, minimumMinor?: number): PlaceRequest => ({
  key,
  amountMinor,
  currency: 'EUR',
  ...(uid === null ? {} : { credential: { kind: 'rfid' as const, uid } }),
  ...(minimumMinor === undefined ? {} : { minimumMinor }),
});

function approved(outcome: AuthorizeOutcome): Authorization {
  if (outcome.outcome !== 'approved') throw new Error(`declined: ${outcome.reason}`);
  return outcome.authorization;
}

describe('AccountBackend', () => {
  it('declines an absent or unknown card, a blocked account, too little credit, and another type', async () => {
    const { book } = opened.memory();
    const { ann, fleet } = accounts(book, 50);
    const { prepaid, account } = backends(book);
    expect(await prepaid.place(request('k1', null))).toEqual({ outcome: 'declined', reason: 'unknownCard' });
    expect(await prepaid.place(request('k2', '0A0B0C0D'))).toEqual({ outcome: 'declined', reason: 'unknownCard' });
    expect(await prepaid.place(request('k3', CARD, 5000, 100))).toEqual({ outcome: 'declined', reason: 'noCredit' });
    expect(await prepaid.place(request('k4', FLEET_CARD))).toEqual({ outcome: 'declined', reason: 'error' }); // a race: the station picks by type
    expect(await account.place(request('k5', CARD))).toEqual({ outcome: 'declined', reason: 'error' });
    expect(await prepaid.place({ ...request('k6', CARD, 5000, 10), currency: 'CHF' })).toEqual({ outcome: 'declined', reason: 'error' });
    book.setBlocked(ann.id, true, 'cli:test', 2);
    book.setBlocked(fleet.id, true, 'cli:test', 2);
    expect(await prepaid.place(request('k7', CARD, 5000, 10))).toEqual({ outcome: 'declined', reason: 'cardBlocked' });
    expect(await account.place(request('k8', FLEET_CARD))).toEqual({ outcome: 'declined', reason: 'cardBlocked' });
    // An empty balance is no credit even without a minimum.
    const { book: other } = opened.memory();
    accounts(other, 0);
    expect(await backends(other).prepaid.place(request('k9', CARD))).toEqual({ outcome: 'declined', reason: 'noCredit' });
    expect(book.openReservations('prepaid')).toEqual([]);
    expect(book.openReservations('account')).toEqual([]);
  });

  it('reserves what a prepaid balance holds, up to the hold amount, under the journal key', async () => {
    const { book } = opened.memory();
    const { ann } = accounts(book, 2000);
    const { prepaid } = backends(book);
    const key = authorizeKey('s1', 1);
    const authorization = approved(await prepaid.place(request(key, CARD, 5000, 100)));
    expect(authorization).toEqual({
      method: 'prepaid',
      key,
      reference: key,
      limitMinor: 2000,
      currency: 'EUR',
      authorizedAt: 1_000,
      display: { kind: 'account', name: 'Ann' },
      account: { id: ann.id, name: 'Ann', type: 'prepaid', balanceMinor: 2000 },
    });
    expect(book.reservation(key)).toMatchObject({ sessionId: 's1', amountMinor: 2000, state: 'open' });
    expect(book.balance(ann.id)).toBe(0);
    expect(await prepaid.place(request(authorizeKey('s3', 1), CARD, 5000, 100))).toEqual({ outcome: 'declined', reason: 'noCredit' }); // all of it is reserved
    const smaller = approved(await backends(book).prepaid.place(request(key, CARD, 300)));
    expect(smaller).toEqual(authorization); // the same key: the same authorisation, nothing reserved again
  });

  it('places an on-account card at its cap, or the large default limit, moving no balance', async () => {
    const { book } = opened.memory();
    const { fleet } = accounts(book, 0, 2500);
    const { account } = backends(book);
    const capped = approved(await account.place(request('s1:authorize:1', FLEET_CARD, 5000)));
    expect(capped).toMatchObject({ method: 'account', limitMinor: 2500, account: { id: fleet.id, type: 'account', balanceMinor: null }, display: { kind: 'account', name: 'Fleet' } });
    const { book: other } = opened.memory();
    accounts(other, 0, null);
    expect(approved(await backends(other).account.place(request('s1:authorize:1', FLEET_CARD, 5000))).limitMinor).toBe(ON_ACCOUNT_LIMIT_MINOR);
    expect(book.entries({ accountId: fleet.id })).toEqual([]);
  });

  it('place is idempotent by key: the same authorisation, even if the account was blocked since', async () => {
    const { book } = opened.memory();
    const { ann } = accounts(book, 2000);
    const { prepaid } = backends(book);
    const first = approved(await prepaid.place(request('k1', CARD, 1500)));
    book.setBlocked(ann.id, true, 'cli:test', 2);
    expect(approved(await prepaid.place(request('k1', CARD, 1500)))).toEqual(first);
    expect(book.entries({ accountId: ann.id }).filter((e) => e.kind === 'reservation')).toHaveLength(1);
  });

  it('settles once and answers the same again: what was taken and the balance left', async () => {
    const { book } = opened.memory();
    const { ann } = accounts(book, 2000);
    const { prepaid, account } = backends(book);
    const authorization = approved(await prepaid.place(request('k1', CARD, 1500)));
    expect(await prepaid.settle(authorization, 1234)).toEqual({ capturedMinor: 1234, balanceMinor: 766 });
    const entries = book.entries().length;
    expect(await prepaid.settle(authorization, 1234)).toEqual({ capturedMinor: 1234, balanceMinor: 766 });
    expect(book.entries().length).toBe(entries);
    expect(book.balance(ann.id)).toBe(766);
    const fleet = approved(await account.place(request('k2', FLEET_CARD)));
    expect(await account.settle(fleet, 999)).toEqual({ capturedMinor: 999, balanceMinor: null });
    await expect(prepaid.settle(authorization, 10_000)).resolves.toEqual({ capturedMinor: 1234, balanceMinor: 766 });
  });

  it('releases in full, harmlessly again', async () => {
    const { book } = opened.memory();
    const { ann } = accounts(book, 2000);
    const { prepaid } = backends(book);
    const authorization = approved(await prepaid.place(request('k1', CARD, 1500)));
    expect(await prepaid.release(authorization)).toEqual({ balanceMinor: 2000 });
    expect(await prepaid.release(authorization)).toEqual({ balanceMinor: 2000 });
    expect(book.balance(ann.id)).toBe(2000);
    await expect(prepaid.settle(authorization, 100)).rejects.toThrow(/released/);
  });

  it('says what it has of a key: unknown, open, settled, released; and lists the open ones of its method', async () => {
    const { book } = opened.memory();
    accounts(book, 5000);
    const { prepaid, account } = backends(book);
    expect(await prepaid.status('never')).toEqual({ state: 'unknown' });
    const a = approved(await prepaid.place(request('a', CARD, 1000)));
    const b = approved(await prepaid.place(request('b', CARD, 1000)));
    const c = approved(await prepaid.place(request('c', CARD, 1000)));
    const f = approved(await account.place(request('f', FLEET_CARD)));
    expect(await prepaid.status('a')).toEqual({ state: 'open', authorization: a });
    expect(await account.status('a')).toEqual({ state: 'unknown' }); // not of its method
    await prepaid.settle(b, 400);
    await prepaid.release(c);
    expect(await prepaid.status('b')).toEqual({ state: 'settled', authorization: b, capturedMinor: 400, balanceMinor: 2600 });
    expect(await prepaid.status('c')).toEqual({ state: 'released', authorization: c });
    expect(await prepaid.openAuthorizations()).toEqual([a]);
    expect(await account.openAuthorizations()).toEqual([f]);
  });

  it('finds the account of a tag by a suffix card (an EM4100 print)', async () => {
    const { book } = opened.memory();
    const { ann } = accounts(book, 2000);
    book.addCard(ann.id, { uid: '005D1DA5', suffix: true }, 'cli:test', 1);
    expect(approved(await backends(book).prepaid.place(request('k1', '13005D1DA5', 500))).account?.id).toBe(ann.id);
  });
});

// ── driven by the payment core ───────────────────────────────────────────────

const never = new Promise<never>(() => {});

/** The kiosk process: its store on the file, its book, its backends, its payment core. */
function kiosk(file: string, clock = new ManualClock(10_000)) {
  const { store, book } = opened.open(file);
  const { prepaid, account } = backends(book, clock);
  const payments = new Payments({ store, backends: [prepaid, account], clock, log, resolveIntervalMs: 1000 });
  return { store, book, prepaid, account, payments, clock };
}

const authorizeRequest = (sessionId: string): AuthorizeRequest => ({
  sessionId,
  connectorId: 1,
  method: 'prepaid',
  attempt: 1,
  limitMinor: 5000,
  currency: 'EUR',
  credential: { kind: 'rfid', uid: CARD },
  minimumMinor: 100,
});

const none = () => new Set<string>();

describe('the payment core driving it', () => {
  it('authorises and settles exactly once', async () => {
    const file = join(opened.dir(), 'kiosk.sqlite');
    const k = kiosk(file);
    const { ann } = accounts(k.book, 3000);
    const outcome = await k.payments.authorize(authorizeRequest('s1'));
    const authorization = approved(outcome);
    expect(authorization).toMatchObject({ limitMinor: 3000, account: { balanceMinor: 3000 } });
    expect(k.store.payment(authorizeKey('s1', 1))).toMatchObject({ status: 'done', reference: authorizeKey('s1', 1) });
    const settle = { sessionId: 's1', connectorId: 1, authorization, amountMinor: 1234 };
    expect(await k.payments.settle(settle)).toMatchObject({ capturedMinor: 1234 });
    expect(await k.payments.settle(settle)).toMatchObject({ capturedMinor: 1234 });
    const report = await k.payments.sweep(none, none);
    expect(report.released).toBe(0);
    expect(k.book.entries({ accountId: ann.id }).map((e) => [e.kind, e.amountMinor])).toEqual([
      ['topup', 3000],
      ['reservation', -3000],
      ['release', 3000],
      ['charge', -1234],
    ]);
    expect(k.book.balance(ann.id)).toBe(1766);
  });

  it('a session whose approval the kiosk never journalled (it died after the reservation) is resumed, never reserved twice, and settled once', async () => {
    const file = join(opened.dir(), 'kiosk.sqlite');
    const first = kiosk(file);
    const { ann } = accounts(first.book, 3000);
    // The first process writes the reservation, then dies before the journal hears the answer.
    const place = first.prepaid.place.bind(first.prepaid);
    first.prepaid.place = async (r) => {
      await place(r);
      return never;
    };
    void first.payments.authorize(authorizeRequest('s1'));
    await new Promise((resolve) => setImmediate(resolve));
    expect(first.store.payment(authorizeKey('s1', 1))?.status).toBe('pending');
    expect(first.book.reservation(authorizeKey('s1', 1))?.state).toBe('open');

    // The restarted kiosk restores the session and asks again: the journal has the intent,
    // so the backend is asked what it has, never placed again.
    const second = kiosk(file);
    let placed = 0;
    const again = second.prepaid.place.bind(second.prepaid);
    second.prepaid.place = async (r) => {
      placed++;
      return again(r);
    };
    const authorization = approved(await second.payments.authorize(authorizeRequest('s1')));
    expect(placed).toBe(0);
    expect(second.store.payment(authorizeKey('s1', 1))).toMatchObject({ status: 'done', result: { resolved: true } });
    // It dies again, this time between the ledger's charge and the journal's capture outcome.
    const settle = second.prepaid.settle.bind(second.prepaid);
    second.prepaid.settle = async (a, amount) => {
      await settle(a, amount);
      return never;
    };
    void second.payments.settle({ sessionId: 's1', connectorId: 1, authorization, amountMinor: 1000 });
    await new Promise((resolve) => setImmediate(resolve));
    expect(second.store.payment(`${authorizeKey('s1', 1)}:capture`)?.status).toBe('pending');

    // The third process finds a capture no connector holds and sends it again: the book answers the first settlement.
    const third = kiosk(file);
    const report = await third.payments.sweep(none, none);
    expect(report.retried).toBe(1);
    expect(third.store.payment(`${authorizeKey('s1', 1)}:capture`)).toMatchObject({ status: 'done', result: { capturedMinor: 1000, balanceMinor: 2000 } });
    expect(await third.payments.settle({ sessionId: 's1', connectorId: 1, authorization, amountMinor: 1500 })).toMatchObject({ capturedMinor: 1000 });
    expect(third.book.entries({ accountId: ann.id }).map((e) => e.kind)).toEqual(['topup', 'reservation', 'release', 'charge']);
    expect(third.book.balance(ann.id)).toBe(2000);
    expect(third.store.getSession('s1')?.status).toBe('finished'); // the lost session's record is closed with its capture
  });

  it('a reservation whose session is gone is released by the sweep, once', async () => {
    const file = join(opened.dir(), 'kiosk.sqlite');
    const first = kiosk(file);
    const { ann } = accounts(first.book, 3000);
    const place = first.prepaid.place.bind(first.prepaid);
    first.prepaid.place = async (r) => {
      await place(r);
      return never;
    };
    // A reservation with no journal entry at all (a tool, a bug): open, owned by nobody.
    first.book.reserve({ ref: 'stray', accountId: ann.id, sessionId: null, method: 'prepaid', amountMinor: 500, at: 1 });
    void first.payments.authorize(authorizeRequest('s1'));
    await new Promise((resolve) => setImmediate(resolve));
    expect(first.book.reservation(authorizeKey('s1', 1))?.amountMinor).toBe(2500);

    const second = kiosk(file);
    const report = await second.payments.sweep(none, none);
    expect(report).toMatchObject({ resolved: 1, released: 2 });
    expect(second.book.openReservations('prepaid')).toEqual([]);
    expect(second.book.balance(ann.id)).toBe(3000);
    const entries = second.book.entries().length;
    await second.payments.sweep(none, none);
    expect(second.book.entries().length).toBe(entries);
  });

  it('a session still live when the sweep runs keeps its reservation', async () => {
    const file = join(opened.dir(), 'kiosk.sqlite');
    const first = kiosk(file);
    accounts(first.book, 3000);
    const authorization = approved(await first.payments.authorize(authorizeRequest('s1')));
    const report = await first.payments.sweep(() => new Set([authorization.key]), () => new Set(['s1']));
    expect(report.released).toBe(0);
    expect(first.book.reservation(authorization.key)?.state).toBe('open');
  });

  it('declines reach the journal as failed, with their reason', async () => {
    const file = join(opened.dir(), 'kiosk.sqlite');
    const k = kiosk(file);
    accounts(k.book, 50);
    expect(await k.payments.authorize(authorizeRequest('s1'))).toEqual({ outcome: 'declined', reason: 'noCredit' });
    expect(k.store.payment(authorizeKey('s1', 1))).toMatchObject({ status: 'failed', result: { outcome: 'declined', reason: 'noCredit' } });
    expect(await k.prepaid.status(authorizeKey('s1', 1))).toEqual({ state: 'unknown' });
  });
});
