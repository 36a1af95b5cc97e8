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
}

export type TerminalDecline = 'declined' | 'insufficientFunds' | 'timeout' | 'cancelled' | 'busy' | 'error';

export type AuthorizeResult =
  | { outcome: 'approved'; hold: Hold }
  | { outcome: 'declined'; reason: TerminalDecline };

/** What the terminal knows of a request, by its reference ('unknown': it never received it). */
export type HoldLookup =
  | { state: 'unknown' }
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

export type TerminalEvent =
  | { type: 'busy'; busy: boolean }
  | { type: 'prompt'; prompt: 'presentCard' | 'processing' | 'removeCard' | null }
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
  /** Holds the terminal still has open, for finding orphans after a crash. */
  openHolds(): Promise<Hold[]>;
  subscribe(listener: (event: TerminalEvent) => void): () => void;
  close(): Promise<void>;
}
