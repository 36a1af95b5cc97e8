// A payment backend places, settles and releases the authorisations of one method of
// payment, and (a card terminal) gives money back. It knows nothing of idempotency: `Payments` (payments.ts) journals every
// request before it reaches a backend, and never sends an authorisation twice.
import type { RefundResult } from '../../devices/payment/card-terminal-port.js';
import type { DeclineReason } from '../contract/snapshot.js';
import type { Authorization, AuthorizeOutcome, Credential, PaymentMethod } from './authorization.js';

export interface PlaceRequest {
  /** The journal key; a device that records a merchant reference keeps it with the transaction. */
  key: string;
  amountMinor: number;
  currency: string;
  /** Who pays, where the backend needs to be told (an RFID card); absent for a bank card. */
  credential?: Credential;
  /** The least a session needs: a prepaid balance below it is declined ('noCredit'). */
  minimumMinor?: number;
}

/** What settling took, and (prepaid) the balance it left. */
export interface SettleResult {
  capturedMinor: number;
  /** The account's balance after the charge, minor units; absent where the backend has none. */
  balanceMinor?: number | null;
  /** The device's own number of the booking (a card terminal's receipt number), for a reversal later; absent where it gave none. */
  receiptNumber?: string | null;
}

/** Money of a settled payment to give back (see the card terminal port's RefundRequest). */
export interface RefundPlaceRequest {
  /** The refund's journal key. */
  key: string;
  amountMinor: number;
  currency: string;
  /** The booking's receipt number, only when the whole of it goes back the same day: a reversal may then apply. */
  receiptNumber?: string | null;
}

/** A refund made, or refused for certain (nothing moved). */
export type RefundOutcome = RefundResult;

/** What the backend knows of a request, by its journal key. */
export type IntentStatus =
  /** The device cannot tell (its protocol has no lookup, or it did not answer): ask again later. */
  | { state: 'cannotSay' }
  /** The device never received the request. */
  | { state: 'unknown' }
  /**
   * The device keeps no record by reference (ZVT): what it placed shows only in its open
   * list, under its own reference. Once that list has been settled, nothing is held for it.
   */
  | { state: 'notTracked' }
  | { state: 'pending' }
  | { state: 'declined'; reason: DeclineReason }
  | { state: 'open'; authorization: Authorization }
  | { state: 'settled'; authorization: Authorization; capturedMinor: number; balanceMinor?: number | null }
  | { state: 'released'; authorization: Authorization };

/**
 * An authorisation a device has open: whole where the device can say whose it is, or only
 * its reference on the device (`key: null`) for the journal to match.
 */
export type OpenAuthorization = Authorization | { method: PaymentMethod; reference: string; key: null };

export interface PaymentBackend {
  readonly method: PaymentMethod;
  /** Places an authorisation. Aborting cancels the request on the device where it can. */
  place(request: PlaceRequest, signal?: AbortSignal): Promise<AuthorizeOutcome>;
  /** Takes `amountMinor` (never more than the limit) and releases the rest. Repeating it answers the same. */
  settle(authorization: Authorization, amountMinor: number): Promise<SettleResult>;
  /** Releases the whole authorisation. Repeating it is harmless. A prepaid account answers the balance it leaves. */
  release(authorization: Authorization): Promise<void | Pick<SettleResult, 'balanceMinor'>>;
  status(key: string): Promise<IntentStatus>;
  /** Authorisations the device still has open, for the orphan sweep; null where it cannot list them. */
  openAuthorizations(): Promise<OpenAuthorization[] | null>;
  /**
   * Gives money of a settled payment back, once; rejects when the outcome is not known
   * (the money may have moved: never sent again). Absent where the backend cannot.
   */
  refund?(request: RefundPlaceRequest, signal?: AbortSignal): Promise<RefundOutcome>;
}
