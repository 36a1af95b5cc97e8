// Station RFID cards as a way to pay: a prepaid balance (part of it reserved for the
// session) or an account billed later (the session limited by its cap). One instance per
// method; both work on the account book (electron/accounts/account-book.ts), where each
// reservation is kept under the payment journal's key. That key makes every call
// idempotent: a second place, settle or release answers what the first did.
import type { Clock } from '../../devices/clock.js';
import { AccountError, type Account, type AccountBook, type AccountType, type Reservation } from '../accounts/account-book.js';
import type { Authorization, AuthorizeOutcome } from './authorization.js';
import type { IntentStatus, OpenAuthorization, PaymentBackend, PlaceRequest, SettleResult } from './payment-backend.js';

export interface AccountBackendOptions {
  book: AccountBook;
  method: AccountType;
  clock: Pick<Clock, 'now'>;
}

/** The session of a journal key, `<session>:authorize:<attempt>` (payments.ts authorizeKey); null for another form. */
function sessionOfKey(key: string): string | null {
  return /^(.+):authorize:\d+$/.exec(key)?.[1] ?? null;
}

export class AccountBackend implements PaymentBackend {
  readonly method: AccountType;
  private readonly book: AccountBook;
  private readonly clock: Pick<Clock, 'now'>;

  constructor(options: AccountBackendOptions) {
    this.method = options.method;
    this.book = options.book;
    this.clock = options.clock;
  }

  async place(request: PlaceRequest): Promise<AuthorizeOutcome> {
    // Placed before (a retry of the same key): the same authorisation, whatever changed since.
    const placed = this.book.reservation(request.key);
    if (placed) return { outcome: 'approved', authorization: this.authorizationOf(placed) };
    if (request.credential?.kind !== 'rfid') return { outcome: 'declined', reason: 'unknownCard' };
    const found = this.book.accountOfTag(request.credential);
    if (!found) return { outcome: 'declined', reason: 'unknownCard' };
    const { account } = found;
    if (account.blocked) return { outcome: 'declined', reason: 'cardBlocked' };
    // The station looks the type up before it picks a backend: a mismatch is a race (the account changed meanwhile).
    if (account.type !== this.method || account.currency !== request.currency) return { outcome: 'declined', reason: 'error' };
    try {
      const reservation = this.book.reserve({
        ref: request.key,
        accountId: account.id,
        sessionId: sessionOfKey(request.key),
        method: this.method,
        amountMinor: request.amountMinor,
        minimumMinor: Math.max(1, request.minimumMinor ?? 1),
        at: this.clock.now(),
      });
      return { outcome: 'approved', authorization: this.authorizationOf(reservation, account) };
    } catch (error) {
      if (!(error instanceof AccountError)) throw error;
      // Checked again inside the reservation's transaction: the tool may have changed the account meanwhile.
      if (error.code === 'noCredit') return { outcome: 'declined', reason: 'noCredit' };
      if (error.code === 'blocked') return { outcome: 'declined', reason: 'cardBlocked' };
      if (error.code === 'unknownAccount') return { outcome: 'declined', reason: 'unknownCard' };
      return { outcome: 'declined', reason: 'error' };
    }
  }

  async settle(authorization: Authorization, amountMinor: number): Promise<SettleResult> {
    const settled = this.book.settle({ ref: authorization.reference, chargeMinor: amountMinor, at: this.clock.now() });
    return { capturedMinor: settled.chargedMinor ?? 0, balanceMinor: this.balanceAfter(settled) };
  }

  /** Gives the reservation back; answers the balance it left (null on account). */
  async release(authorization: Authorization): Promise<{ balanceMinor: number | null }> {
    const released = this.book.release({ ref: authorization.reference, at: this.clock.now() });
    return { balanceMinor: this.balanceAfter(released) };
  }

  async status(key: string): Promise<IntentStatus> {
    const reservation = this.book.reservation(key);
    // A reservation is written synchronously while the request is being placed, in its
    // own transaction: none means the request never got this far, and nothing is held.
    if (!reservation || reservation.method !== this.method) return { state: 'unknown' };
    const authorization = this.authorizationOf(reservation);
    switch (reservation.state) {
      case 'open':
        return { state: 'open', authorization };
      case 'settled':
        return { state: 'settled', authorization, capturedMinor: reservation.chargedMinor ?? 0, balanceMinor: this.balanceAfter(reservation) };
      case 'released':
        return { state: 'released', authorization };
    }
  }

  async openAuthorizations(): Promise<OpenAuthorization[]> {
    return this.book.openReservations(this.method).map((reservation) => this.authorizationOf(reservation));
  }

  private balanceAfter(reservation: Reservation): number | null {
    return reservation.method === 'prepaid' ? reservation.balanceAfterMinor : null;
  }

  private authorizationOf(reservation: Reservation, known?: Account): Authorization {
    const account = known ?? this.book.account(reservation.accountId);
    if (!account) throw new Error(`reservation ${reservation.ref} names no account (${reservation.accountId})`);
    return {
      method: reservation.method,
      key: reservation.ref,
      reference: reservation.ref,
      limitMinor: reservation.limitMinor,
      currency: account.currency,
      authorizedAt: reservation.createdAt,
      display: { kind: 'account', name: account.name },
      account: {
        id: account.id,
        name: account.name,
        type: account.type,
        balanceMinor: reservation.method === 'prepaid' ? reservation.balanceBeforeMinor : null,
      },
    };
  }
}
