// The brain owns idempotency. Every payment request is an intent in the payments
// journal, written before the request goes out, its outcome written after; keys derive
// from the session. An intent without an outcome (the kiosk died, the device did not
// answer) is resolved by asking the device what it has, never by sending the
// authorisation again: on a terminal without idempotency keys (ZVT) a resend places a
// second hold on the driver's card. Settling and releasing act on one authorisation,
// so sending them again is safe.
//
// The orphan sweep decides what we own from the journal, after the device has
// answered: an open authorisation is ours when a live session holds it, or when its
// request is still being answered; anything else is released, journalled first.
//
// Refunds (a technician gives back what a bank card paid) are journalled the same way, a
// key per refund of the session, before the terminal hears of them. Their outcome cannot be
// asked for afterwards: ZVT has neither a key nor a list of refunds. So a refund without an
// answer (the terminal fell silent, the kiosk died mid-refund) is never sent again, by the
// sweep or by anyone: it stays pending, on the technician's payments page, until they
// check at the terminal and write down how it ended; meanwhile no other refund of that
// session is made. A refund made writes its 'session.refunded' audit entry (what the
// reports and the refund limit count) in the same transaction as its outcome.
import type { Logger } from 'pino';
import { delay, type Clock } from '../../devices/clock.js';
import type { RefundRefusal } from '../../devices/payment/card-terminal-port.js';
import { errorMessage } from '../error-message.js';
import type { DeclineReason } from '../contract/snapshot.js';
import type { KioskStore, PaymentRecord } from '../store/kiosk-store.js';
import type { Authorization, AuthorizeOutcome, Credential, PaymentMethod } from './authorization.js';
import type { IntentStatus, PaymentBackend, RefundOutcome, SettleResult } from './payment-backend.js';

export const authorizeKey = (sessionId: string, attempt: number): string => `${sessionId}:authorize:${attempt}`;
/** The n-th refund of a session (1, 2, …). */
export const refundKey = (sessionId: string, n: number): string => `${sessionId}:refund:${n}`;
const captureKey = (authorization: Pick<Authorization, 'key'>): string => `${authorization.key}:capture`;
const releaseKey = (authorization: Pick<Authorization, 'key'>): string => `${authorization.key}:release`;

export interface AuthorizeRequest {
  sessionId: string;
  connectorId: number;
  method: PaymentMethod;
  /** The session's attempt number: each attempt is its own intent. */
  attempt: number;
  limitMinor: number;
  currency: string;
  /** Who pays, where the backend must be told (the RFID card); absent for a bank card. */
  credential?: Credential | null;
  /** The least a prepaid balance must hold for the session to start. */
  minimumMinor?: number;
}

export interface SettleRequest {
  sessionId: string;
  connectorId: number;
  authorization: Authorization;
  /** What to take; 0 releases the authorisation in full. */
  amountMinor: number;
}

export interface RefundRequest {
  sessionId: string;
  amountMinor: number;
  /** Who gives it back and why (the technician): in the journal's result and the audit. */
  by: string;
  reason: string;
}

/** A refund made (kind: reversed, or credited to the card), or refused for certain by the terminal. */
export type RefundAnswer =
  | { outcome: 'refunded'; key: string; refundedMinor: number; kind: 'reversal' | 'refund' }
  | { outcome: 'refused'; key: string; refusal: RefundRefusal; message: string };

/**
 * Why a refund was not sent, or has no known outcome. 'unknownOutcome': it was sent and
 * no answer came: it stays pending for a technician and is not sent again.
 */
export class RefundError extends Error {
  override readonly name = 'RefundError';
  constructor(
    readonly code: 'nothingToRefund' | 'notSupported' | 'tooMuch' | 'pending' | 'unknownOutcome',
    message: string,
  ) {
    super(message);
  }
}

export interface SweepReport {
  /** Intents without an outcome that the devices answered now. */
  resolved: number;
  /** Authorisations released that no live session owned. */
  released: number;
  /** Settlements of sessions no longer held by any connector, sent again. */
  retried: number;
}

export interface PaymentsOptions {
  store: KioskStore;
  backends: readonly PaymentBackend[];
  clock: Clock;
  log: Logger;
  /** How often an unanswered intent is asked about while a session waits for it, ms. */
  resolveIntervalMs?: number;
}

export class Payments {
  private readonly backends = new Map<PaymentMethod, PaymentBackend>();
  /** Intents this process is sending or resolving right now: their answer is on its way. */
  private readonly inFlight = new Set<string>();
  /** Of those, the ones only being asked about (a restored session waiting): the sweep may answer them. */
  private readonly resolving = new Set<string>();
  private stopped = false;
  private readonly resolveIntervalMs: number;

  constructor(private readonly options: PaymentsOptions) {
    for (const backend of options.backends) this.backends.set(backend.method, backend);
    this.resolveIntervalMs = options.resolveIntervalMs ?? 2000;
  }

  /** From now on requests in flight are left to finish on their device; a restart resolves them from the journal. */
  stop(): void {
    this.stopped = true;
  }

  /**
   * Places the session attempt's authorisation once. A request the journal already
   * has is never sent again: its outcome is read from the journal, or asked of the
   * device until it answers. `beforeSend` runs after the request is claimed and before
   * anything is written or sent (the station makes the session's state durable there).
   * Aborting `signal` means the session gave up: an approval that arrives later is released.
   */
  async authorize(request: AuthorizeRequest, signal?: AbortSignal, beforeSend?: () => Promise<void>): Promise<AuthorizeOutcome> {
    const key = authorizeKey(request.sessionId, request.attempt);
    const backend = this.backend(request.method);
    return this.once(key, async () => {
      // A request in the journal already is only asked about, never sent: the sweep may answer it meanwhile.
      if (this.store.payment(key)) this.resolving.add(key);
      try {
        await beforeSend?.();
        const existing = this.store.payment(key);
        if (existing) return await this.resolve(existing, backend, signal);
      } finally {
        this.resolving.delete(key);
      }
      const intent = this.store.beginPayment(
        { key, sessionId: request.sessionId, connectorId: request.connectorId, method: request.method, operation: 'authorize', amountMinor: request.limitMinor, currency: request.currency },
        this.now(),
      );
      let outcome: AuthorizeOutcome;
      try {
        outcome = await backend.place(
          {
            key,
            amountMinor: request.limitMinor,
            currency: request.currency,
            ...(request.credential ? { credential: request.credential } : {}),
            ...(request.minimumMinor !== undefined ? { minimumMinor: request.minimumMinor } : {}),
          },
          signal,
        );
      } catch (error) {
        // No answer: the device may or may not have taken it. The intent stays pending and
        // is resolved by asking; unless the kiosk is stopping, this session has given up on it.
        this.store.notePaymentFailure(key, errorMessage(error), this.now());
        if (!this.stopped) this.store.abandonPayment(key, this.now());
        throw error;
      }
      this.record(key, outcome);
      return signal?.aborted ? this.givenUp(intent, outcome) : outcome;
    });
  }

  /**
   * Takes the final amount (capped at the limit) and releases the rest; 0 releases in full.
   * Safe to repeat: the journal's answer (and the balance it left, for a prepaid card) is given again.
   */
  async settle(request: SettleRequest): Promise<SettleResult> {
    const { authorization } = request;
    const amountMinor = Math.min(request.amountMinor, authorization.limitMinor);
    if (amountMinor === 0) {
      await this.release(request);
      return { capturedMinor: 0, ...balanceOf(this.store.payment(releaseKey(authorization))?.result) };
    }
    const key = captureKey(authorization);
    return this.once(key, async () => {
      // The amount first journalled is the one taken, even if the session is priced again after a restart.
      const intent = this.store.beginPayment(
        { key, sessionId: request.sessionId, connectorId: request.connectorId, method: authorization.method, operation: 'capture', amountMinor, currency: authorization.currency, reference: authorization.reference },
        this.now(),
      );
      if (intent.status === 'done') return { capturedMinor: intent.amountMinor, ...balanceOf(intent.result) };
      try {
        const result = await this.backend(authorization.method).settle(authorization, intent.amountMinor);
        this.store.completePayment(key, 'done', result, this.now(), authorization.reference);
        return { capturedMinor: intent.amountMinor, ...balanceOf(result) };
      } catch (error) {
        this.store.notePaymentFailure(key, errorMessage(error), this.now());
        throw error;
      }
    });
  }

  /** Releases the authorisation in full, once. Safe to repeat. */
  async release(request: Omit<SettleRequest, 'amountMinor'>): Promise<void> {
    return this.releaseNow(request.sessionId, request.connectorId, request.authorization, null);
  }

  /** Whether the device still has the authorisation open; null where it cannot say. */
  async isOpen(authorization: Authorization): Promise<boolean | null> {
    const status = await this.backend(authorization.method).status(authorization.key).catch((): IntentStatus => ({ state: 'cannotSay' }));
    if (status.state === 'open') return true;
    if (status.state === 'settled' || status.state === 'released') return false;
    return null;
  }

  /** The authorisation the journal holds as approved and not abandoned for a session, if any. */
  approvedFor(sessionId: string): Authorization | null {
    const approved = this.store.paymentsOf(sessionId).filter((p) => p.operation === 'authorize' && p.status === 'done' && !p.abandoned);
    const last = approved.at(-1);
    return last ? approvedAuthorization(last) : null;
  }

  /** The journal's record of a request. */
  intent(key: string): PaymentRecord | null {
    return this.store.payment(key);
  }

  /**
   * Resolves the intents nobody is waiting for, and releases what the devices have
   * open that no live session owns. `live` holds the journal keys of the authorisations
   * that the connectors' sessions hold now, `liveSessions` the ids of the sessions they
   * have (paid or not yet); both are read after the devices answered.
   */
  async sweep(live: () => ReadonlySet<string>, liveSessions: () => ReadonlySet<string>): Promise<SweepReport> {
    const report: SweepReport = { resolved: 0, released: 0, retried: 0 };
    const startedAt = this.now();
    // Intents whose device keeps no record by reference: its open list settles them.
    const notTracked = new Map<PaymentMethod, PaymentRecord[]>();
    for (const intent of this.store.pendingPayments()) {
      if (this.sending(intent.key)) continue;
      const backend = this.backends.get(intent.method as PaymentMethod);
      if (!backend) continue;
      try {
        if (intent.operation === 'authorize') {
          const status = await backend.status(intent.key).catch((): IntentStatus => ({ state: 'cannotSay' }));
          if (this.sending(intent.key)) continue;
          if (status.state === 'notTracked') {
            notTracked.set(backend.method, [...(notTracked.get(backend.method) ?? []), intent]);
            continue;
          }
          const outcome = this.applyStatus(intent, status);
          if (!outcome) continue;
          report.resolved++;
          if (outcome.outcome === 'approved' && !live().has(intent.key)) {
            this.store.abandonPayment(intent.key, this.now());
            await this.releaseNow(intent.sessionId, intent.connectorId ?? 0, outcome.authorization, 'approved after its session had moved on');
            report.released++;
          }
        } else if (intent.operation === 'refund') {
          // Never sent again, never asked about (no device can say): a technician resolves it.
          continue;
        } else {
          // A capture or release whose session no connector holds any more: send it again.
          const authorizationKey = intent.key.replace(/:(capture|release)$/, '');
          if (live().has(authorizationKey)) continue;
          const authorization = this.authorizationOf(authorizationKey);
          if (!authorization) continue;
          if (intent.operation === 'capture') await this.settle({ sessionId: intent.sessionId, connectorId: intent.connectorId ?? 0, authorization, amountMinor: intent.amountMinor });
          else await this.release({ sessionId: intent.sessionId, connectorId: intent.connectorId ?? 0, authorization });
          report.retried++;
        }
      } catch (error) {
        this.options.log.warn({ err: error, key: intent.key }, 'a payment without an outcome could not be resolved yet');
      }
    }

    for (const backend of this.backends.values()) {
      const open = await backend.openAuthorizations().catch((error) => {
        this.options.log.warn({ err: error, method: backend.method }, 'could not ask for open authorisations');
        return null;
      });
      if (!open) continue;
      // Decided now that the device has answered, from the journal as it is now.
      const owned = live();
      for (const listed of open) {
        const authorization = listed.key !== null ? listed : this.unclosedApproval(backend.method, listed.reference);
        try {
          if (!authorization) {
            // Open on the device, and nothing in the journal places it: a request whose answer never came.
            await this.releaseUnrecorded(backend, listed.reference);
            report.released++;
            continue;
          }
          if (owned.has(authorization.key) || this.inFlight.has(authorization.key)) continue;
          const intent = this.store.payment(authorization.key);
          if (intent?.status === 'pending' && !intent.abandoned) continue; // its answer is being written
          // Our records say take the money: the capture is sent again, never replaced by a release.
          if (this.store.payment(captureKey(authorization))?.status === 'pending') continue;
          await this.releaseNow(intent?.sessionId ?? 'orphan', intent?.connectorId ?? 0, authorization, 'no session owns it');
          this.store.appendAudit(this.now(), 'kiosk', 'payment.orphanReleased', { key: authorization.key, reference: authorization.reference, amountMinor: authorization.limitMinor });
          report.released++;
        } catch (error) {
          this.options.log.error({ err: error, reference: listed.reference }, 'could not release an orphan authorisation');
        }
      }
      // Whatever those requests placed was in the list and is settled now: nothing is held for them.
      for (const intent of notTracked.get(backend.method) ?? []) {
        if (this.sending(intent.key) || this.store.payment(intent.key)?.status !== 'pending') continue;
        this.store.completePayment(intent.key, 'failed', { outcome: 'notOpenOnDevice', reason: 'cancelled', resolved: true }, this.now());
        report.resolved++;
      }
      report.resolved += this.settleUnrecordedReleases(backend.method, new Set(open.map((o) => o.reference)), startedAt);
    }
    this.closeLostSessions(liveSessions());
    return report;
  }

  // ── for the technician (maintenance menu) ───────────────────────────────

  /** Authorisations approved and neither captured nor released yet, oldest first. */
  openHolds(): PaymentRecord[] {
    return this.store.openAuthorizations();
  }

  /** Captures and releases without an outcome yet (being retried, or failing), and refunds without an answer, oldest first. */
  pendingSettlements(): PaymentRecord[] {
    return this.store.pendingPayments().filter((p) => p.operation !== 'authorize');
  }

  /** Sends a pending capture or release again now, as the sweep would. */
  async retrySettlement(key: string): Promise<void> {
    const intent = this.store.payment(key);
    if (!intent || intent.operation === 'authorize' || intent.status !== 'pending') throw new Error(`no pending capture or release ${key}`);
    if (this.inFlight.has(key)) throw new Error(`payment ${key} is being sent now`);
    if (intent.operation === 'refund') {
      throw new Error(`refund ${key} is never sent again: it may have gone through. Check the terminal's journal (or the acquirer) and mark it done or failed`);
    }
    const authorization = this.authorizationOf(key.replace(/:(capture|release)$/, ''));
    if (!authorization) throw new Error(`the authorisation of ${key} is not in the journal`);
    const request = { sessionId: intent.sessionId, connectorId: intent.connectorId ?? 0, authorization };
    if (intent.operation === 'capture') await this.settle({ ...request, amountMinor: intent.amountMinor });
    else await this.release(request);
  }

  /**
   * Writes by hand how a request without an outcome ended, once a technician checked it at
   * the terminal or the acquirer: 'done' (it went through) or 'failed' (it did not).
   */
  resolveByHand(key: string, outcome: 'done' | 'failed', by: string, reason: string): void {
    const intent = this.store.payment(key);
    if (!intent || intent.status !== 'pending') throw new Error(`no payment without an outcome ${key}`);
    if (this.inFlight.has(key)) throw new Error(`payment ${key} is being sent now`);
    // A refund that went through counts from now on, as one the terminal confirmed does.
    const refunded = intent.operation === 'refund' && outcome === 'done' ? refundedAudit(intent, intent.amountMinor, by, reason, { resolvedByHand: true }) : undefined;
    this.store.completePayment(key, outcome, { resolvedByHand: true, by, reason }, this.now(), null, refunded);
  }

  // ── refunds ─────────────────────────────────────────────────────────────

  /** Whether the backend of `method` gives money back (a card terminal with refunds). */
  canRefund(method: string): boolean {
    return this.backends.get(method as PaymentMethod)?.refund !== undefined;
  }

  /**
   * Gives back `amountMinor` of what a session's payment took, journalled before it is
   * sent (see the head of this file). The terminal reverses the payment where it can (the
   * whole of it, booked since the last end of day the kiosk ran: no card needed) and
   * otherwise refunds to the card it asks for. Resolves with the refund or the terminal's
   * refusal; rejects with RefundError when nothing was sent, or when no answer came.
   */
  async refund(request: RefundRequest, signal?: AbortSignal): Promise<RefundAnswer> {
    const journal = this.store.paymentsOf(request.sessionId);
    const capture = journal.find((p) => p.operation === 'capture' && p.status === 'done' && p.amountMinor > 0);
    if (!capture) throw new RefundError('nothingToRefund', `the journal has no capture of session ${request.sessionId} to refund`);
    const backend = this.backends.get(capture.method as PaymentMethod);
    if (!backend?.refund) throw new RefundError('notSupported', `the ${capture.method} payments of this station cannot be refunded here`);
    const refunds = journal.filter((p) => p.operation === 'refund');
    const open = refunds.find((p) => p.status === 'pending');
    if (open) {
      throw new RefundError('pending', `refund ${open.key} of this session has no answer: check it at the terminal and mark it done or failed on the payments page first`);
    }
    const refundedMinor = refunds.filter((p) => p.status === 'done').reduce((sum, p) => sum + refundedOf(p), 0);
    const left = capture.amountMinor - refundedMinor;
    if (request.amountMinor > left) throw new RefundError('tooMuch', `at most ${left} (minor units) is left to refund of this session's card payment`);
    const key = refundKey(request.sessionId, refunds.length + 1);
    // A reversal: the whole payment, none of it given back yet, booked after the last end of day.
    const lastEndOfDay = this.store.lastAuditAt('terminal.endOfDay');
    const booking = (capture.result as { receiptNumber?: unknown } | null)?.receiptNumber;
    const reversible = request.amountMinor === capture.amountMinor && refundedMinor === 0 && typeof booking === 'string' && (lastEndOfDay === null || capture.updatedAt > lastEndOfDay);
    return this.once(key, async () => {
      this.store.beginPayment(
        { key, sessionId: request.sessionId, connectorId: capture.connectorId, method: capture.method, operation: 'refund', amountMinor: request.amountMinor, currency: capture.currency },
        this.now(),
      );
      let outcome: RefundOutcome;
      try {
        outcome = await backend.refund!({ key, amountMinor: request.amountMinor, currency: capture.currency, ...(reversible ? { receiptNumber: booking } : {}) }, signal);
      } catch (error) {
        // Sent, and no answer: it may have gone through. Pending, for the technician; never sent again.
        this.store.notePaymentFailure(key, errorMessage(error), this.now());
        this.options.log.error({ err: error, key, sessionId: request.sessionId }, 'a refund got no answer: left for the technician, not sent again');
        throw new RefundError('unknownOutcome', `the card terminal did not say whether it refunded (${errorMessage(error)}): refund ${key} is left on the payments page to check at the terminal; it is not sent again`);
      }
      const { by, reason } = request;
      const source = { captureKey: capture.key, holdId: capture.reference };
      if (outcome.outcome === 'refused') {
        this.store.completePayment(key, 'failed', { outcome: 'refused', refusal: outcome.reason, message: outcome.message, by, reason, ...source }, this.now());
        return { outcome: 'refused', key, refusal: outcome.reason, message: outcome.message };
      }
      const { refund } = outcome;
      const intent = this.store.payment(key)!;
      this.store.completePayment(
        key,
        'done',
        { outcome: 'refunded', refundedMinor: refund.refundedMinor, kind: refund.kind, receiptNumber: refund.receiptNumber, maskedPan: refund.maskedPan ?? null, by, reason, ...source },
        this.now(),
        null,
        refundedAudit(intent, refund.refundedMinor, by, reason, { kind: refund.kind }),
      );
      return { outcome: 'refunded', key, refundedMinor: refund.refundedMinor, kind: refund.kind };
    });
  }

  // ── internals ─────────────────────────────────────────────────────────────

  /** Being sent by this process now (not merely asked about): only its sender may write its outcome. */
  private sending(key: string): boolean {
    return this.inFlight.has(key) && !this.resolving.has(key);
  }

  private get store(): KioskStore {
    return this.options.store;
  }

  private now(): number {
    return this.options.clock.now();
  }

  private backend(method: PaymentMethod): PaymentBackend {
    const backend = this.backends.get(method);
    if (!backend) throw new Error(`no payment backend for ${method}`);
    return backend;
  }

  /** Runs the request of a key at most once at a time in this process; while it runs, its answer is on its way. */
  private async once<T>(key: string, work: () => Promise<T>): Promise<T> {
    if (this.inFlight.has(key)) throw new Error(`payment ${key} is already in flight`);
    this.inFlight.add(key);
    try {
      return await work();
    } finally {
      this.inFlight.delete(key);
    }
  }

  private async releaseNow(sessionId: string, connectorId: number, authorization: Authorization, why: string | null): Promise<void> {
    const key = releaseKey(authorization);
    return this.once(key, async () => {
      const intent = this.store.beginPayment(
        { key, sessionId, connectorId, method: authorization.method, operation: 'release', amountMinor: authorization.limitMinor, currency: authorization.currency, reference: authorization.reference },
        this.now(),
      );
      if (intent.status === 'done') return;
      try {
        const released = await this.backend(authorization.method).release(authorization);
        const result = { ...(why ? { why } : {}), ...balanceOf(released) };
        this.store.completePayment(key, 'done', Object.keys(result).length > 0 ? result : null, this.now(), authorization.reference);
      } catch (error) {
        this.store.notePaymentFailure(key, errorMessage(error), this.now());
        throw error;
      }
      if (why) this.options.log.warn({ key: authorization.key, reference: authorization.reference, why }, 'authorisation released');
    });
  }

  private record(key: string, outcome: AuthorizeOutcome): void {
    if (outcome.outcome === 'approved') {
      this.store.completePayment(key, 'done', { outcome: 'approved', authorization: outcome.authorization }, this.now(), outcome.authorization.reference);
    } else {
      this.store.completePayment(key, 'failed', { outcome: 'declined', reason: outcome.reason }, this.now());
    }
  }

  /** The outcome of an intent already in the journal: read from it, or asked of the device until it answers. */
  private async resolve(intent: PaymentRecord, backend: PaymentBackend, signal: AbortSignal | undefined): Promise<AuthorizeOutcome> {
    for (;;) {
      const known = outcomeOf(this.store.payment(intent.key)!);
      if (known) return known;
      const status = await backend.status(intent.key).catch((): IntentStatus => ({ state: 'cannotSay' }));
      const outcome = this.applyStatus(intent, status);
      if (outcome) return signal?.aborted ? this.givenUp(intent, outcome) : outcome;
      if (signal?.aborted || this.stopped) {
        if (!this.stopped) this.store.abandonPayment(intent.key, this.now());
        return { outcome: 'declined', reason: 'cancelled' };
      }
      await delay(this.options.clock, this.resolveIntervalMs, signal);
    }
  }

  /**
   * The session gave up while the answer was on its way: the intent is abandoned and an
   * approval is released at once. A kiosk that is stopping leaves both to the restart.
   */
  private async givenUp(intent: Pick<PaymentRecord, 'key' | 'sessionId' | 'connectorId'>, outcome: AuthorizeOutcome): Promise<AuthorizeOutcome> {
    if (this.stopped) return outcome;
    this.store.abandonPayment(intent.key, this.now());
    // The session reached a payment: its record came with the approval, and its flow or the sweep closes it.
    if (outcome.outcome === 'approved') await this.releaseNow(intent.sessionId, intent.connectorId ?? 0, outcome.authorization, 'late approval of an abandoned request');
    return { outcome: 'declined', reason: 'cancelled' };
  }

  /**
   * Closes the records of sessions the kiosk lost in a crash: open in the store, held by
   * no connector, nothing pending and every approval captured or released. A session
   * that reached a payment is never left open, nor lost.
   */
  private closeLostSessions(liveSessions: ReadonlySet<string>): number {
    let closed = 0;
    for (const session of this.store.activeSessions()) {
      if (liveSessions.has(session.id)) continue;
      const requests = this.store.paymentsOf(session.id);
      if (requests.some((p) => p.status === 'pending')) continue;
      const done = new Map(requests.filter((p) => p.status === 'done').map((p) => [p.key, p]));
      const approvals = requests.filter((p) => p.operation === 'authorize' && p.status === 'done');
      if (!approvals.every((a) => done.has(captureKey(a)) || done.has(releaseKey(a)))) continue;
      const capturedMinor = approvals.reduce((sum, a) => sum + (done.get(captureKey(a))?.amountMinor ?? 0), 0);
      if (this.store.closeLostSession(session.id, capturedMinor, this.now())) closed++;
    }
    if (closed > 0) this.options.log.warn({ closed }, 'closed the records of sessions lost in a crash');
    return closed;
  }

  /** Writes what the device said of a pending intent into the journal; null while it cannot say. */
  private applyStatus(intent: PaymentRecord, status: IntentStatus): AuthorizeOutcome | null {
    const at = this.now();
    switch (status.state) {
      case 'open':
        this.store.completePayment(intent.key, 'done', { outcome: 'approved', authorization: status.authorization, resolved: true }, at, status.authorization.reference);
        return { outcome: 'approved', authorization: status.authorization };
      case 'declined':
        this.store.completePayment(intent.key, 'failed', { outcome: 'declined', reason: status.reason, resolved: true }, at);
        return { outcome: 'declined', reason: status.reason };
      case 'unknown':
        // The device never received it: nothing was placed.
        this.store.completePayment(intent.key, 'failed', { outcome: 'neverReached', reason: 'unavailable', resolved: true }, at);
        return { outcome: 'declined', reason: 'unavailable' };
      case 'settled':
      case 'released':
        // It was placed and has ended on the device already: nothing is left to own.
        this.store.completePayment(intent.key, 'failed', { outcome: 'endedOnDevice', reason: 'unavailable', state: status.state, resolved: true }, at, status.authorization.reference);
        return { outcome: 'declined', reason: 'unavailable' };
      case 'pending':
      case 'cannotSay':
      case 'notTracked':
        return null;
    }
  }

  /**
   * The approval the journal has under a device reference that no capture or release has
   * closed yet; null when there is none (a device reference can come round again: ZVT
   * receipt numbers wrap at 9999).
   */
  private unclosedApproval(method: PaymentMethod, reference: string): Authorization | null {
    const approval = this.store.approvalByReference(method, reference);
    if (!approval) return null;
    const authorization = approvedAuthorization(approval);
    if (!authorization) return null;
    const closed = [captureKey(authorization), releaseKey(authorization)].some((key) => this.store.payment(key)?.status === 'done');
    return closed ? null : authorization;
  }

  /**
   * Releases what a device has open under a reference no journal entry places. Each try
   * is its own journal entry, answered at once: the next sweep lists it again if it failed.
   */
  private async releaseUnrecorded(backend: PaymentBackend, reference: string): Promise<void> {
    const at = this.now();
    const key = `orphan:${backend.method}:${reference}:${at}`;
    const authorization: Authorization = {
      method: backend.method,
      key,
      reference,
      limitMinor: 0,
      currency: '',
      authorizedAt: at,
      display: { kind: 'account', name: 'unrecorded' },
    };
    this.store.beginPayment({ key, sessionId: 'orphan', connectorId: null, method: backend.method, operation: 'release', amountMinor: 0, currency: '', reference }, at);
    try {
      await backend.release(authorization);
    } catch (error) {
      this.store.completePayment(key, 'failed', { why: 'unrecorded', error: errorMessage(error) }, this.now(), reference);
      throw error;
    }
    this.store.completePayment(key, 'done', { why: 'unrecorded' }, this.now(), reference);
    this.store.appendAudit(this.now(), 'kiosk', 'payment.orphanReleased', { key, reference, unrecorded: true });
    this.options.log.warn({ method: backend.method, reference }, 'released an authorisation no journal entry placed');
  }

  /**
   * Unrecorded releases an earlier process sent without hearing the answer (a kill during
   * the 06 25): the open list, read after them, says how they ended. Not listed any more,
   * the release went through; listed, it did not, and this sweep released it again under
   * an entry of its own.
   */
  private settleUnrecordedReleases(method: PaymentMethod, listed: ReadonlySet<string>, before: number): number {
    let settled = 0;
    for (const intent of this.store.pendingPayments()) {
      if (intent.method !== method || intent.operation !== 'release' || !intent.key.startsWith(`orphan:${method}:`)) continue;
      if (this.inFlight.has(intent.key) || intent.createdAt >= before) continue;
      const stillOpen = intent.reference !== null && listed.has(intent.reference);
      this.store.completePayment(intent.key, stillOpen ? 'failed' : 'done', { why: 'unrecorded', resolved: true, ...(stillOpen ? { superseded: true } : {}) }, this.now(), intent.reference);
      settled++;
    }
    return settled;
  }

  private authorizationOf(key: string): Authorization | null {
    const intent = this.store.payment(key);
    return intent ? approvedAuthorization(intent) : null;
  }
}

/** What a refund made gave back: the terminal's amount where it said one. */
function refundedOf(refund: PaymentRecord): number {
  const minor = (refund.result as { refundedMinor?: unknown } | null)?.refundedMinor;
  return typeof minor === 'number' ? minor : refund.amountMinor;
}

/** The audit entry that counts a refund in the reports and against what is left (maintenance/reports.ts). */
function refundedAudit(refund: PaymentRecord, amountMinor: number, by: string, reason: string, extra: Record<string, unknown>) {
  return { actor: by, action: 'session.refunded', data: { sessionId: refund.sessionId, amountMinor, via: 'terminal', key: refund.key, reason, ...extra } };
}

/** The authorisation an answered authorise intent placed, if it was approved. */
function approvedAuthorization(intent: PaymentRecord): Authorization | null {
  const result = intent.result as { authorization?: Authorization } | null;
  return intent.status === 'done' && result?.authorization ? result.authorization : null;
}

/** The balance a settlement's journalled result carries, where it has one. */
function balanceOf(result: unknown): Pick<SettleResult, 'balanceMinor'> {
  const balance = (result as { balanceMinor?: unknown } | null)?.balanceMinor;
  return typeof balance === 'number' || balance === null ? { balanceMinor: balance } : {};
}

/** The outcome the journal holds for an authorisation intent, if it has one. */
function outcomeOf(intent: PaymentRecord): AuthorizeOutcome | null {
  if (intent.status === 'pending') return null;
  const authorization = approvedAuthorization(intent);
  if (authorization) return intent.abandoned ? { outcome: 'declined', reason: 'cancelled' } : { outcome: 'approved', authorization };
  return { outcome: 'declined', reason: (intent.result as { reason?: DeclineReason } | null)?.reason ?? 'error' };
}
