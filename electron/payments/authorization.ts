// One authorisation model for every way to pay. A session is covered by exactly one
// `Authorization`: a bank card's hold, a prepaid balance's reservation, an on-account
// card's cap, a remote start's limit. The hold check, the auto-stop, settlement,
// receipts and reports work on it, never on a device's own record.
import type { AccountView, DeclineReason, PaymentMethod } from '../contract/snapshot.js';

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
  /** The station account (RFID card) it reserves on: its balance before the reservation (null on account). */
  account?: AccountAuthorization;
  /** What the device gave for the receipt: its approval code and its own receipt lines. */
  receipt?: { authCode: string | null; lines: string[] };
}

export interface AccountAuthorization {
  id: string;
  name: string;
  type: 'prepaid' | 'account';
  /** Prepaid: the balance before this reservation, minor units; null on account. */
  balanceMinor: number | null;
}

/**
 * What identifies the payer to a backend that needs it: the RFID card held to the reader,
 * its canonical UID (`suffix`: only the tag's last bytes, as a USB reader typing an EM4100 print gives them).
 */
export type Credential = { kind: 'rfid'; uid: string; suffix?: true };

export type AuthorizeOutcome = { outcome: 'approved'; authorization: Authorization } | { outcome: 'declined'; reason: DeclineReason };

export function maskedPanOf(authorization: Pick<Authorization, 'display'> | null | undefined): string | null {
  return authorization?.display.kind === 'card' ? authorization.display.maskedPan : null;
}

/**
 * The account as the driver sees it: its balance before the session (in a running one),
 * or `balanceMinor` once given (the balance the settlement left). Null for a bank card.
 */
export function accountView(authorization: Pick<Authorization, 'account'> | null | undefined, balanceMinor?: number | null): AccountView | null {
  const account = authorization?.account;
  if (!account) return null;
  return { name: account.name, type: account.type, balanceMinor: account.type === 'prepaid' ? (balanceMinor !== undefined ? balanceMinor : account.balanceMinor) : null };
}
