// The port the brain uses for a card terminal that places a hold (pre-authorisation)
// and later captures the final amount or releases it, and gives money back afterwards
// (a reversal or a refund). Implementations: the ZVT driver, the simulated terminal.
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

/** What every terminal checks of a request (a hold, or a refund: `what`) before it sends anything. */
export function validateHoldRequest(request: HoldRequest, what: 'authorize' | 'refund' = 'authorize'): void {
  if (typeof request.reference !== 'string' || request.reference.length === 0) {
    throw new TypeError(`${what}: reference must be a non-empty string`);
  }
  if (!Number.isInteger(request.amountMinor) || request.amountMinor <= 0) {
    throw new RangeError(`${what}: amount must be a whole number of minor units > 0, got ${request.amountMinor}`);
  }
  if (!/^[A-Z]{3}$/.test(request.currency)) throw new TypeError(`${what}: currency must be an ISO 4217 code, got ${request.currency}`);
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

export interface Capture {
  capturedMinor: number;
  /**
   * The terminal's own number of the booking, where it gave one (ZVT: the receipt number
   * of the 06 23), so that the payment can be reversed later (RefundRequest.receiptNumber).
   */
  receiptNumber?: string | null;
}

/**
 * Money given back to the card of a payment. Two ways, and the brain says which may apply:
 *   - a reversal (ZVT 06 30, Storno) cancels the whole payment by its receipt number. No
 *     card is needed, but only the terminal's own day is open to it: before its end of day;
 *   - a refund (ZVT 06 31, Gutschrift) credits any amount, any day, to a card the terminal
 *     asks for (the technician holds the driver's card to it, or the driver does).
 * `receiptNumber` is given only when a reversal may apply (the whole of a payment booked
 * since the terminal's last end of day the kiosk knows of): the terminal then reverses it,
 * and where it cannot (a terminal without reversals, an end of day the kiosk did not run)
 * it refunds to the card instead. Without it, it refunds to the card.
 */
export interface RefundRequest extends HoldRequest {
  /** The booking's receipt number (Capture.receiptNumber), when the whole of it is given back the same day. */
  receiptNumber?: string | null;
}

export interface Refund {
  refundedMinor: number;
  /** How the terminal gave it back: the payment reversed, or a credit to the card presented. */
  kind: 'reversal' | 'refund';
  /** The terminal's receipt number of the reversal or refund, where it gave one. */
  receiptNumber: string | null;
  /** The terminal's customer receipt lines, where it sent them. */
  terminalReceipt?: string[];
  /** The card credited, masked as a receipt shows it (a refund); null when not known. */
  maskedPan?: string | null;
}

/**
 * Why a terminal gave nothing back; each is certain (no money moved). 'noCard': the card
 * was not presented in time; 'notSupported': the terminal does not do refunds (ZVT 84 83
 * 00); 'cancelled': the kiosk aborted; 'busy', 'unavailable': it could not serve now.
 */
export type RefundRefusal = 'declined' | 'noCard' | 'notSupported' | 'cancelled' | 'busy' | 'unavailable' | 'error';

export type RefundResult = { outcome: 'refunded'; refund: Refund } | { outcome: 'refused'; reason: RefundRefusal; message: string };

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
  capture(request: CaptureRequest): Promise<Capture>;
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
  /**
   * Gives money of a captured payment back (see RefundRequest). A refusal is certain:
   * nothing moved; a request the terminal never got (invalid, terminal offline) is refused
   * too. It rejects only when the outcome is not known (no answer in time, the link went
   * mid-command): the money may have moved, and with no idempotency key (ZVT) the request
   * is never sent again; the brain leaves it for a technician. Absent where the terminal cannot.
   */
  refund?(request: RefundRequest, signal?: AbortSignal): Promise<RefundResult>;
  /** Holds the terminal still has open, for finding orphans after a crash. */
  openHolds(): Promise<OpenHold[]>;
  subscribe(listener: (event: TerminalEvent) => void): () => void;
  close(): Promise<void>;
}
