// The port the brain uses for a card terminal that places a hold (pre-authorisation)
// and later captures the final amount or releases it. Implementations: the simulated
// terminal now; ZVT and Stripe Terminal later.
//
// The port knows nothing of idempotency: like a real terminal (ZVT has no keys), a
// request sent twice places two holds. The brain owns idempotency (electron/payments):
// it journals every request before sending it and resolves one without an answer by
// asking the terminal what it has (`lookup`, `openHolds`), never by sending it again.

export interface HoldRequest {
  /**
   * The brain's reference for the request (its journal key). The terminal records it
   * with the transaction, as a merchant reference, so `lookup` and `openHolds` can name
   * it; it is not an idempotency key.
   */
  reference: string;
  amountMinor: number;
  currency: string;
}

/** What every terminal checks of a request before it sends anything. */
export function validateHoldRequest(request: HoldRequest): void {
  if (typeof request.reference !== 'string' || request.reference.length === 0) {
    throw new TypeError('authorize: reference must be a non-empty string');
  }
  if (!Number.isInteger(request.amountMinor) || request.amountMinor <= 0) {
    throw new RangeError(`authorize: amount must be a whole number of minor units > 0, got ${request.amountMinor}`);
  }
  if (!/^[A-Z]{3}$/.test(request.currency)) throw new TypeError(`authorize: currency must be an ISO 4217 code, got ${request.currency}`);
}

export interface Hold {
  holdId: string;
  /** The reference of the request that placed it. */
  reference: string;
  amountMinor: number;
  currency: string;
  /** Masked PAN as the receipt may show it, e.g. '**** **** **** 4242'. Never the full number. */
  maskedPan: string;
  brand: string;
  authorizedAt: number;
  /** The approval code the terminal printed, where it gave one. */
  authCode?: string | null;
  /** The terminal's own customer receipt lines for the hold, where it sent them (ZVT 06 D3 / 06 D1). */
  terminalReceipt?: string[];
  /** The card's token (cardToken in CardRead), so the same card can stop the session; never the PAN. */
  cardToken?: string | null;
}

/** A card held to the terminal outside a payment (read card). */
export interface CardRead {
  /**
   * A keyed hash of what the terminal shows of the card (BIN, last four, length, card
   * type): the same card gives the same token on this station, and it is never the PAN.
   */
  cardToken: string;
  /** As the receipt may show it, e.g. '**** **** **** 4242'. */
  maskedPan: string;
  brand: string;
}

/**
 * A hold the terminal has open. Where the protocol lists only the terminal's own id (ZVT
 * lists receipt numbers) and this process did not place it, `reference` is null: the
 * brain matches it against its journal.
 */
export type OpenHold = Hold | { holdId: string; reference: null };

/**
 * Why a terminal did not place a hold. 'cancelled': the kiosk or the cardholder aborted;
 * 'unavailable': the terminal could not serve (offline, not registered, host down).
 */
export type TerminalDecline =
  | 'declined'
  | 'insufficientFunds'
  | 'cardExpired'
  | 'pinRequired'
  | 'timeout'
  | 'cancelled'
  | 'busy'
  | 'unavailable'
  | 'error';

export type AuthorizeResult =
  | { outcome: 'approved'; hold: Hold }
  | { outcome: 'declined'; reason: TerminalDecline };

/**
 * What the terminal knows of a request, by its reference ('unknown': it never received
 * it; 'notTracked': the protocol cannot say, and only the open holds tell what it placed).
 */
export type HoldLookup =
  | { state: 'unknown' }
  | { state: 'notTracked' }
  | { state: 'pending' }
  | { state: 'declined'; reason: TerminalDecline }
  | { state: 'open'; hold: Hold }
  | { state: 'captured'; hold: Hold; capturedMinor: number }
  | { state: 'released'; hold: Hold };

export interface CaptureRequest {
  holdId: string;
  /** Never more than the hold; the terminal refuses more. */
  amountMinor: number;
}

/** What the terminal asks of the cardholder, for the screen. */
export type TerminalPrompt = 'presentCard' | 'enterPin' | 'processing' | 'removeCard';

export type TerminalEvent =
  | { type: 'busy'; busy: boolean }
  | { type: 'prompt'; prompt: TerminalPrompt | null }
  | { type: 'offline'; reason: string }
  | { type: 'online' };

export interface CardTerminal {
  /** Asks the driver for a card and places a hold. Aborting cancels the request on the terminal. */
  authorize(request: HoldRequest, signal?: AbortSignal): Promise<AuthorizeResult>;
  /** Takes `amountMinor` (0 releases all) and releases the rest. Repeating it on a captured hold answers the same. */
  capture(request: CaptureRequest): Promise<{ capturedMinor: number }>;
  /** Releases the whole hold. Repeating it is harmless. */
  release(holdId: string): Promise<void>;
  /** What the terminal has for a reference; absent where the protocol cannot say. */
  lookup?(reference: string): Promise<HoldLookup>;
  /**
   * Waits for a card to be held to the terminal and reads it, without any payment. The
   * terminal stays free for payments: any other request ends the wait first (it then
   * resolves null, as it does when no card came). Absent where the terminal cannot.
   */
  readCard?(signal?: AbortSignal): Promise<CardRead | null>;
  /** Holds the terminal still has open, for finding orphans after a crash. */
  openHolds(): Promise<OpenHold[]>;
  subscribe(listener: (event: TerminalEvent) => void): () => void;
  close(): Promise<void>;
}
