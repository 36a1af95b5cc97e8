// Station RFID accounts: the cards a driver may tap instead of a bank card, the account
// each belongs to, and an append-only ledger of their money, in the kiosk's SQLite file
// (tables of migration 4). The kiosk reads them at every tap; the operator's tool
// (scripts/accounts.ts) writes them while the kiosk runs.
//
// Money rules. Amounts are integers of minor units. The ledger is never changed or
// deleted from (SQLite triggers refuse it); an account's balance is the sum of its
// entries, and each entry keeps the running balance after it.
// - prepaid: the balance is credit and never goes below zero. Every operation checks it
//   inside its transaction and refuses with AccountError('noCredit'), writing nothing.
//   A session reserves part of it (a negative 'reservation' entry); settling gives the
//   reservation back ('release') and takes the cost ('charge', never more than reserved)
//   in one transaction; releasing gives it back whole.
// - on account ('account'): no balance is reserved. A session's reservation is a row
//   with amount 0 and no ledger entry, its limit the account's cap (or a large constant);
//   settling writes one 'charge'. Their balance is what they owe (≤ 0 once charged),
//   billed later: the never-negative rule is for prepaid accounts only.
// - topup adds money paid in; refund gives back a charge; writeoff moves a balance toward
//   zero (credit taken away, or a debt forgiven), never across it; correction is signed.
//   Each carries who made it and why.
//
// Concurrency: each operation is one BEGIN IMMEDIATE transaction (KioskStore.transaction),
// so a balance is checked and written under one write lock: two sessions on one prepaid
// account, from any process on the file, never reserve more than it holds.
import { randomInt } from 'node:crypto';
import { RFID_UID, uidMatches, type CardId } from '../../devices/rfid/uid.js';
import type { KioskStore, SqlValue, StoreSql } from '../store/kiosk-store.js';

export type AccountType = 'prepaid' | 'account';
export const ACCOUNT_TYPES = ['prepaid', 'account'] as const;

export const LEDGER_KINDS = ['topup', 'reservation', 'release', 'charge', 'writeoff', 'refund', 'correction'] as const;
export type LedgerKind = (typeof LEDGER_KINDS)[number];

/** The limit of an on-account session without a cap: 1,000,000.00 in a currency of two decimals. */
export const ON_ACCOUNT_LIMIT_MINOR = 100_000_000;
/** The largest amount one operation moves: far above any session, far below unsafe integers. */
export const MAX_AMOUNT_MINOR = 10_000_000_000;

export interface Account {
  id: string;
  name: string;
  type: AccountType;
  /** On account: the most one session may cost, minor units; null for none (and for prepaid). */
  capMinor: number | null;
  blocked: boolean;
  currency: string;
  createdAt: number;
}

export interface AccountCard extends CardId {
  accountId: string;
  addedAt: number;
}

export interface LedgerEntry {
  id: number;
  at: number;
  accountId: string;
  kind: LedgerKind;
  /** Signed: what the entry adds to the balance. */
  amountMinor: number;
  /** The balance after this entry. */
  balanceMinor: number;
  sessionId: string | null;
  /** The idempotency key of the entry, where it has one. */
  ref: string | null;
  who: string;
  reason: string | null;
}

export type ReservationState = 'open' | 'settled' | 'released';

export interface Reservation {
  /** The payment journal's key of the authorisation. */
  ref: string;
  accountId: string;
  sessionId: string | null;
  method: AccountType;
  /** What the reservation holds of the balance: the limit (prepaid), 0 (on account). */
  amountMinor: number;
  /** The most the session may cost. */
  limitMinor: number;
  state: ReservationState;
  /** What settling charged; null until settled. */
  chargedMinor: number | null;
  /** The account's balance before the reservation. */
  balanceBeforeMinor: number;
  /** The balance once settled or released; null while open. */
  balanceAfterMinor: number | null;
  createdAt: number;
  endedAt: number | null;
}

export type AccountErrorCode = 'unknownAccount' | 'unknownCard' | 'unknownReservation' | 'blocked' | 'noCredit' | 'wrongType' | 'cardTaken' | 'ended' | 'invalid';

/** An operation the book refuses, with why; nothing of it was written. */
export class AccountError extends Error {
  override name = 'AccountError';
  constructor(
    readonly code: AccountErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export interface NewAccount {
  name: string;
  type: AccountType;
  /** On account only: the most one session may cost. */
  capMinor?: number | null;
  currency: string;
  /** A fixed id (the demo accounts); otherwise one is made. */
  id?: string;
}

export interface ReserveRequest {
  ref: string;
  accountId: string;
  sessionId: string | null;
  method: AccountType;
  /** Prepaid: the most to reserve. On account it is not used: the limit is the cap. */
  amountMinor: number;
  /**
   * Prepaid: when given, what the balance holds is reserved, up to `amountMinor`, as long as
   * it is at least this much; without it, exactly `amountMinor` or nothing.
   */
  minimumMinor?: number;
  at: number;
  who?: string;
}

type Row = Record<string, unknown>;

/** Crockford's base32: no I, L, O or U to misread. */
const ID_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const ACCOUNT_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$/;
const SUFFIX_UID = /^(?:[0-9A-F]{2}){3,9}$/;
const CURRENCY = /^[A-Z]{3}$/;
const KIOSK = 'kiosk';

export class AccountBook {
  private readonly sql: StoreSql;

  constructor(private readonly store: KioskStore) {
    this.sql = store.sql();
  }

  /** Runs `work` as one transaction: the book's operations inside it join it (all land, or none). */
  atomically<T>(work: () => T): T {
    return this.tx(work);
  }

  // ── accounts and cards ────────────────────────────────────────────────────

  addAccount(input: NewAccount, who: string, at: number): Account {
    const name = text(input.name, 'an account name', 80);
    if (!ACCOUNT_TYPES.includes(input.type)) throw new AccountError('invalid', `an account type is prepaid or account, not ${JSON.stringify(input.type)}`);
    const cap = input.capMinor ?? null;
    if (cap !== null) {
      if (input.type !== 'account') throw new AccountError('invalid', 'only an on-account account has a cap per session');
      amount(cap, 'a cap');
    }
    if (!CURRENCY.test(input.currency)) throw new AccountError('invalid', `a currency is an ISO 4217 code such as EUR, not ${JSON.stringify(input.currency)}`);
    if (input.id !== undefined && !ACCOUNT_ID.test(input.id)) throw new AccountError('invalid', `not an account id: ${JSON.stringify(input.id)}`);
    return this.tx(() => {
      let id = input.id ?? newAccountId();
      if (input.id !== undefined && this.account(id)) throw new AccountError('invalid', `account ${id} exists already`);
      while (this.account(id)) id = newAccountId();
      this.sql.run('INSERT INTO accounts (id, name, type, cap_minor, blocked, currency, created_at) VALUES (?, ?, ?, ?, 0, ?, ?)', id, name, input.type, cap, input.currency, at);
      this.sql.audit(at, actor(who), 'account.added', { accountId: id, name, type: input.type, capMinor: cap, currency: input.currency });
      return this.account(id)!;
    });
  }

  account(id: string): Account | null {
    const row = this.sql.get('SELECT * FROM accounts WHERE id = ?', id);
    return row ? toAccount(row) : null;
  }

  accounts(): Account[] {
    return this.sql.all('SELECT * FROM accounts ORDER BY created_at, id').map(toAccount);
  }

  cards(accountId: string): AccountCard[] {
    return this.sql.all('SELECT * FROM account_cards WHERE account_id = ? ORDER BY added_at, uid', accountId).map(toCard);
  }

  /**
   * Gives the account a card. Refuses a UID another account has, and a suffix (an EM4100
   * print) that would let one tag match cards of two accounts. Returns false when the
   * account has the card already.
   */
  addCard(accountId: string, card: CardId, who: string, at: number): boolean {
    const uid = card.uid;
    if (typeof uid !== 'string' || !(card.suffix ? SUFFIX_UID : RFID_UID).test(uid)) {
      throw new AccountError('invalid', `not a canonical card UID${card.suffix ? ' suffix' : ''}: ${JSON.stringify(uid)}`);
    }
    return this.tx(() => {
      this.requireAccount(accountId);
      const same = this.sql.get('SELECT * FROM account_cards WHERE uid = ?', uid);
      if (same && String(same.account_id) === accountId) return false;
      for (const other of this.sql.all('SELECT * FROM account_cards WHERE account_id != ?', accountId).map(toCard)) {
        if (other.uid === uid) throw new AccountError('cardTaken', `card ${uid} belongs to account ${other.accountId}`);
        if (overlap(card, other)) throw new AccountError('cardTaken', `card ${uid} would match the same tags as card ${other.uid}${other.suffix ? ' (a suffix)' : ''} of account ${other.accountId}`);
      }
      this.sql.run('INSERT INTO account_cards (uid, suffix, account_id, added_at) VALUES (?, ?, ?, ?)', uid, card.suffix ? 1 : 0, accountId, at);
      this.sql.audit(at, actor(who), 'account.cardAdded', { accountId, uid, suffix: card.suffix });
      return true;
    });
  }

  removeCard(accountId: string, uid: string, who: string, at: number): void {
    this.tx(() => {
      this.requireAccount(accountId);
      if (this.sql.run('DELETE FROM account_cards WHERE uid = ? AND account_id = ?', uid, accountId).changes === 0) {
        throw new AccountError('unknownCard', `account ${accountId} has no card ${uid}`);
      }
      this.sql.audit(at, actor(who), 'account.cardRemoved', { accountId, uid });
    });
  }

  /**
   * The account and card a tag belongs to; null for none. A tag read whole (a string)
   * matches its exact UID first, then a suffix card. A read of only the tag's last bytes
   * (`{ uid, suffix: true }`: a USB reader typing the EM4100 print) matches every card that
   * ends with them, and is taken only when those cards are all of one account.
   */
  accountOfTag(tag: string | { uid: string; suffix?: boolean }): { account: Account; card: AccountCard } | null {
    let row: Row | undefined;
    if (typeof tag === 'string' || tag.suffix !== true) {
      const uid = typeof tag === 'string' ? tag : tag.uid;
      row =
        this.sql.get('SELECT * FROM account_cards WHERE uid = ? AND suffix = 0', uid) ??
        this.sql.get('SELECT * FROM account_cards WHERE suffix = 1 AND length(uid) < length(?1) AND substr(?1, -length(uid)) = uid ORDER BY length(uid) DESC LIMIT 1', uid);
    } else {
      const read = { uid: tag.uid, suffix: true };
      const matching = this.sql.all('SELECT * FROM account_cards ORDER BY uid').filter((r) => uidMatches(toCard(r), read));
      if (new Set(matching.map((r) => r.account_id)).size === 1) row = matching[0];
    }
    if (!row) return null;
    const card = toCard(row);
    return { account: this.requireAccount(card.accountId), card };
  }

  setBlocked(accountId: string, blocked: boolean, who: string, at: number): Account {
    return this.tx(() => {
      this.requireAccount(accountId);
      this.sql.run('UPDATE accounts SET blocked = ? WHERE id = ?', blocked ? 1 : 0, accountId);
      this.sql.audit(at, actor(who), blocked ? 'account.blocked' : 'account.unblocked', { accountId });
      return this.account(accountId)!;
    });
  }

  // ── money entries of the operator ─────────────────────────────────────────

  /** Money paid in. `ref` makes it happen once (a second call with it returns the first entry). */
  topUp(accountId: string, amountMinor: number, reason: string, who: string, at: number, options: { ref?: string } = {}): LedgerEntry {
    amount(amountMinor, 'a top-up');
    return this.operatorEntry(accountId, 'topup', amountMinor, reason, who, at, options.ref ?? null, null);
  }

  /** A charge given back to the account, of a session where given. */
  refund(accountId: string, amountMinor: number, reason: string, who: string, at: number, options: { sessionId?: string } = {}): LedgerEntry {
    amount(amountMinor, 'a refund');
    return this.operatorEntry(accountId, 'refund', amountMinor, reason, who, at, null, options.sessionId ?? null);
  }

  /** Moves the balance toward zero by the amount (credit taken away, a debt forgiven), never across zero. */
  writeOff(accountId: string, amountMinor: number, reason: string, who: string, at: number): LedgerEntry {
    amount(amountMinor, 'a write-off');
    return this.tx(() => {
      const balance = this.balance(this.requireAccount(accountId).id);
      if (balance === 0) throw new AccountError('invalid', `account ${accountId} has a balance of 0: nothing to write off`);
      if (amountMinor > Math.abs(balance)) throw new AccountError('invalid', `a write-off of ${amountMinor} is more than the balance's ${Math.abs(balance)} (minor units)`);
      return this.operatorEntry(accountId, 'writeoff', balance > 0 ? -amountMinor : amountMinor, reason, who, at, null, null);
    });
  }

  /** A signed correction of a mistake. */
  correct(accountId: string, signedAmountMinor: number, reason: string, who: string, at: number): LedgerEntry {
    if (signedAmountMinor === 0) throw new AccountError('invalid', 'a correction of 0 changes nothing');
    amount(Math.abs(signedAmountMinor), 'a correction');
    return this.operatorEntry(accountId, 'correction', signedAmountMinor, reason, who, at, null, null);
  }

  /** The balance: the sum of the account's ledger entries. */
  balance(accountId: string): number {
    return Number(this.sql.get('SELECT COALESCE(SUM(amount_minor), 0) AS balance FROM account_ledger WHERE account_id = ?', accountId)!.balance);
  }

  /** Ledger entries, oldest first: all of them, or the newest `limit`; of one account or all. */
  entries(options: { accountId?: string; limit?: number } = {}): LedgerEntry[] {
    const limit = options.limit ?? -1; // SQLite: a negative limit is none
    const rows =
      options.accountId === undefined
        ? this.sql.all('SELECT * FROM (SELECT * FROM account_ledger ORDER BY id DESC LIMIT ?) ORDER BY id', limit)
        : this.sql.all('SELECT * FROM (SELECT * FROM account_ledger WHERE account_id = ? ORDER BY id DESC LIMIT ?) ORDER BY id', options.accountId, limit);
    return rows.map(toEntry);
  }

  // ── reservations of sessions ──────────────────────────────────────────────

  /**
   * Reserves for a session under `ref` (the payment journal's key). Idempotent: a ref
   * reserved already returns its reservation as it is. Refuses a blocked account, one of
   * another type than `method`, and (prepaid) a balance that does not hold the amount.
   */
  reserve(request: ReserveRequest): Reservation {
    const ref = text(request.ref, 'a reservation ref', 200);
    return this.tx(() => {
      const existing = this.reservation(ref);
      if (existing) {
        if (existing.accountId !== request.accountId) throw new AccountError('invalid', `reservation ${ref} is of account ${existing.accountId}`);
        return existing;
      }
      const account = this.requireAccount(request.accountId);
      if (account.blocked) throw new AccountError('blocked', `account ${account.id} is blocked`);
      if (account.type !== request.method) throw new AccountError('wrongType', `account ${account.id} is ${account.type}, not ${request.method}`);
      const balance = this.balance(account.id);
      let reserved = 0;
      let limit: number;
      if (account.type === 'prepaid') {
        amount(request.amountMinor, 'a reservation');
        const least = request.minimumMinor === undefined ? request.amountMinor : Math.max(1, request.minimumMinor);
        if (balance < least) throw new AccountError('noCredit', `account ${account.id} holds ${balance}, less than the ${least} a session needs (minor units)`);
        reserved = limit = Math.min(balance, request.amountMinor);
      } else {
        limit = account.capMinor ?? ON_ACCOUNT_LIMIT_MINOR;
      }
      this.sql.run(
        `INSERT INTO account_reservations (ref, account_id, session_id, method, amount_minor, limit_minor, state, balance_before_minor, created_at)
         VALUES (?, ?, ?, ?, ?, ?, 'open', ?, ?)`,
        ref, account.id, request.sessionId, account.type, reserved, limit, balance, request.at,
      );
      if (reserved > 0) this.append({ accountId: account.id, kind: 'reservation', amountMinor: -reserved, at: request.at, sessionId: request.sessionId, ref: `${ref}:reservation`, who: request.who ?? KIOSK, reason: null });
      this.sql.audit(request.at, actor(request.who ?? KIOSK), 'account.reserved', { accountId: account.id, ref, sessionId: request.sessionId, amountMinor: reserved, limitMinor: limit, balanceMinor: balance });
      return this.reservation(ref)!;
    });
  }

  /**
   * Takes the cost of a session and gives the rest of its reservation back, in one
   * transaction. Idempotent: settling it again returns the first settlement, whatever
   * the amount (the first one journalled is the one taken).
   */
  settle(request: { ref: string; chargeMinor: number; at: number; who?: string }): Reservation {
    return this.tx(() => {
      const reservation = this.requireReservation(request.ref);
      if (reservation.state === 'settled') return reservation;
      if (reservation.state === 'released') throw new AccountError('ended', `reservation ${request.ref} was released: there is nothing to charge`);
      const charge = request.chargeMinor;
      if (!Number.isSafeInteger(charge) || charge < 0) throw new AccountError('invalid', `a charge is a whole number of minor units ≥ 0, not ${charge}`);
      if (charge > reservation.limitMinor) throw new AccountError('invalid', `a charge of ${charge} is more than reservation ${request.ref} allows (${reservation.limitMinor})`);
      const who = request.who ?? KIOSK;
      const base = { accountId: reservation.accountId, at: request.at, sessionId: reservation.sessionId, who, reason: null };
      if (reservation.amountMinor > 0) this.append({ ...base, kind: 'release', amountMinor: reservation.amountMinor, ref: `${request.ref}:release` });
      if (charge > 0) this.append({ ...base, kind: 'charge', amountMinor: -charge, ref: `${request.ref}:charge` });
      const balance = this.balance(reservation.accountId);
      this.sql.run(`UPDATE account_reservations SET state = 'settled', charged_minor = ?, balance_after_minor = ?, ended_at = ? WHERE ref = ?`, charge, balance, request.at, request.ref);
      this.sql.audit(request.at, actor(who), 'account.settled', { accountId: reservation.accountId, ref: request.ref, sessionId: reservation.sessionId, chargedMinor: charge, balanceMinor: balance });
      return this.reservation(request.ref)!;
    });
  }

  /** Gives a reservation back whole. Idempotent; a settled reservation is left as it is (nothing is held for it). */
  release(request: { ref: string; at: number; who?: string }): Reservation {
    return this.tx(() => {
      const reservation = this.requireReservation(request.ref);
      if (reservation.state !== 'open') return reservation;
      const who = request.who ?? KIOSK;
      if (reservation.amountMinor > 0) {
        this.append({ accountId: reservation.accountId, kind: 'release', amountMinor: reservation.amountMinor, at: request.at, sessionId: reservation.sessionId, ref: `${request.ref}:release`, who, reason: null });
      }
      const balance = this.balance(reservation.accountId);
      this.sql.run(`UPDATE account_reservations SET state = 'released', balance_after_minor = ?, ended_at = ? WHERE ref = ?`, balance, request.at, request.ref);
      this.sql.audit(request.at, actor(who), 'account.released', { accountId: reservation.accountId, ref: request.ref, sessionId: reservation.sessionId, balanceMinor: balance });
      return this.reservation(request.ref)!;
    });
  }

  reservation(ref: string): Reservation | null {
    const row = this.sql.get('SELECT * FROM account_reservations WHERE ref = ?', ref);
    return row ? toReservation(row) : null;
  }

  /** Every reservation, oldest first (tools and the chaos harness). */
  reservations(): Reservation[] {
    return this.sql.all('SELECT * FROM account_reservations ORDER BY created_at, ref').map(toReservation);
  }

  openReservations(method: AccountType): Reservation[] {
    return this.sql.all(`SELECT * FROM account_reservations WHERE method = ? AND state = 'open' ORDER BY created_at, ref`, method).map(toReservation);
  }

  // ── internals ─────────────────────────────────────────────────────────────

  /** One transaction; inside another (`atomically`) a savepoint, so that a refused operation still leaves nothing. */
  private tx<T>(work: () => T): T {
    if (!this.sql.inTransaction) return this.store.transaction(work);
    this.sql.run('SAVEPOINT account_book');
    try {
      const result = work();
      this.sql.run('RELEASE account_book');
      return result;
    } catch (error) {
      this.sql.run('ROLLBACK TO account_book');
      this.sql.run('RELEASE account_book');
      throw error;
    }
  }

  private requireAccount(id: string): Account {
    const account = this.account(id);
    if (!account) throw new AccountError('unknownAccount', `no account ${JSON.stringify(id)}`);
    return account;
  }

  private requireReservation(ref: string): Reservation {
    const reservation = this.reservation(ref);
    if (!reservation) throw new AccountError('unknownReservation', `no reservation ${JSON.stringify(ref)}`);
    return reservation;
  }

  private operatorEntry(accountId: string, kind: LedgerKind, amountMinor: number, reason: string, who: string, at: number, ref: string | null, sessionId: string | null): LedgerEntry {
    const why = text(reason, 'a reason', 500);
    return this.tx(() => {
      this.requireAccount(accountId);
      if (ref !== null) {
        const done = this.sql.get('SELECT * FROM account_ledger WHERE ref = ?', ref);
        if (done) {
          const entry = toEntry(done);
          if (entry.accountId !== accountId || entry.kind !== kind) throw new AccountError('invalid', `entry ${ref} exists already, of another account or kind`);
          return entry;
        }
      }
      const entry = this.append({ accountId, kind, amountMinor, at, sessionId, ref, who, reason: why });
      this.sql.audit(at, actor(who), `account.${kind}`, { accountId, amountMinor, balanceMinor: entry.balanceMinor, reason: why, ...(ref ? { ref } : {}), ...(sessionId ? { sessionId } : {}) });
      return entry;
    });
  }

  /** Appends one entry with its running balance; refuses to take a prepaid balance below zero. Inside a transaction. */
  private append(entry: Omit<LedgerEntry, 'id' | 'balanceMinor'>): LedgerEntry {
    const account = this.requireAccount(entry.accountId);
    const balance = this.balance(account.id) + entry.amountMinor;
    if (account.type === 'prepaid' && balance < 0) {
      throw new AccountError('noCredit', `account ${account.id} holds ${balance - entry.amountMinor}: ${-entry.amountMinor} would take it below zero (minor units)`);
    }
    const params: SqlValue[] = [entry.at, entry.accountId, entry.kind, entry.amountMinor, balance, entry.sessionId, entry.ref, actor(entry.who), entry.reason];
    const { lastInsertRowid } = this.sql.run(
      'INSERT INTO account_ledger (at, account_id, kind, amount_minor, balance_minor, session_id, ref, who, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      ...params,
    );
    return toEntry(this.sql.get('SELECT * FROM account_ledger WHERE id = ?', lastInsertRowid)!);
  }
}

/** 'A' and six base32 characters: short enough to read out, 2^30 of them. */
function newAccountId(): string {
  let id = 'A';
  for (let i = 0; i < 6; i++) id += ID_ALPHABET[randomInt(ID_ALPHABET.length)];
  return id;
}

/** Whether two cards could match one tag read whole. */
function overlap(a: CardId, b: CardId): boolean {
  if (a.suffix && b.suffix) return a.uid.endsWith(b.uid) || b.uid.endsWith(a.uid);
  if (a.suffix) return uidMatches(a, b.uid);
  if (b.suffix) return uidMatches(b, a.uid);
  return a.uid === b.uid;
}

function amount(value: number, what: string): void {
  if (!Number.isSafeInteger(value) || value <= 0 || value > MAX_AMOUNT_MINOR) {
    throw new AccountError('invalid', `${what} is a whole number of minor units from 1 to ${MAX_AMOUNT_MINOR}, not ${value}`);
  }
}

function text(value: string, what: string, max: number): string {
  const trimmed = typeof value === 'string' ? value.trim() : '';
  if (trimmed === '') throw new AccountError('invalid', `${what} is needed`);
  if (trimmed.length > max) throw new AccountError('invalid', `${what} is at most ${max} characters`);
  return trimmed;
}

function actor(who: string): string {
  return text(who, 'who acts', 100);
}

const nullableNumber = (value: unknown): number | null => (value == null ? null : Number(value));
const nullableString = (value: unknown): string | null => (value == null ? null : String(value));

function toAccount(row: Row): Account {
  return {
    id: String(row.id),
    name: String(row.name),
    type: row.type as AccountType,
    capMinor: nullableNumber(row.cap_minor),
    blocked: Number(row.blocked) === 1,
    currency: String(row.currency),
    createdAt: Number(row.created_at),
  };
}

function toCard(row: Row): AccountCard {
  return { uid: String(row.uid), suffix: Number(row.suffix) === 1, accountId: String(row.account_id), addedAt: Number(row.added_at) };
}

function toEntry(row: Row): LedgerEntry {
  return {
    id: Number(row.id),
    at: Number(row.at),
    accountId: String(row.account_id),
    kind: row.kind as LedgerKind,
    amountMinor: Number(row.amount_minor),
    balanceMinor: Number(row.balance_minor),
    sessionId: nullableString(row.session_id),
    ref: nullableString(row.ref),
    who: String(row.who),
    reason: nullableString(row.reason),
  };
}

function toReservation(row: Row): Reservation {
  return {
    ref: String(row.ref),
    accountId: String(row.account_id),
    sessionId: nullableString(row.session_id),
    method: row.method as AccountType,
    amountMinor: Number(row.amount_minor),
    limitMinor: Number(row.limit_minor),
    state: row.state as ReservationState,
    chargedMinor: nullableNumber(row.charged_minor),
    balanceBeforeMinor: Number(row.balance_before_minor),
    balanceAfterMinor: nullableNumber(row.balance_after_minor),
    createdAt: Number(row.created_at),
    endedAt: nullableNumber(row.ended_at),
  };
}
