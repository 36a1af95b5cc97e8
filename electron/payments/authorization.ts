// One authorisation model for every way to pay. A session is covered by exactly one
// `Authorization`: a bank card's hold, a prepaid balance's reservation, an on-account
// card's cap, a remote start's limit. The hold check, the auto-stop, settlement,
// receipts and reports work on it, never on a device's own record.
import type { DeclineReason, PaymentMethod } from '../contract/snapshot.js';

export type { PaymentMethod };

/** What a receipt may show of the means of payment: never a full card number. */
export type PaymentDisplay = { kind: 'card'; brand: string; maskedPan: string } | { kind: 'account'; name: string };

export interface Authorization {
  method: PaymentMethod;
  /** The journal key of the request that placed it. */
  key: string;
  /** The backend's reference (the card terminal's hold id, the account's reservation id). */
  reference: string;
  /** The most the session may cost, minor units. */
  limitMinor: number;
  currency: string;
  authorizedAt: number;
  display: PaymentDisplay;
  /** The card's token (a keyed hash, never the PAN), so tapping the same card stops the session; never shown. */
  cardToken?: string | null;
  /** What the device gave for the receipt: its approval code and its own receipt lines. */
  receipt?: { authCode: string | null; lines: string[] };
}

export type AuthorizeOutcome = { outcome: 'approved'; authorization: Authorization } | { outcome: 'declined'; reason: DeclineReason };

export function maskedPanOf(authorization: Pick<Authorization, 'display'> | null | undefined): string | null {
  return authorization?.display.kind === 'card' ? authorization.display.maskedPan : null;
}
