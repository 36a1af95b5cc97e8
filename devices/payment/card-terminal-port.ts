// The port the brain uses for a card terminal that places a hold (pre-authorisation)
// and later captures the final amount or releases it. Implementations: the simulated
// terminal now; ZVT and Stripe Terminal later.
//
// Every request carries an idempotency key chosen by the brain and journalled before
// the request is sent: asking again with the same key returns the first answer and
// never places a second hold (Stripe has this natively; a ZVT driver must emulate it
// from its journal and the terminal's record of open pre-authorisations).

export interface HoldRequest {
  key: string;
  amountMinor: number;
  currency: string;
}

export interface Hold {
  holdId: string;
  key: string;
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

/** What the terminal knows of a request, by its idempotency key. */
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
  /** Takes `amountMinor` (0 releases all) and releases the rest. Repeating it answers the same. */
  capture(request: CaptureRequest): Promise<{ capturedMinor: number }>;
  /** Releases the whole hold. Repeating it is harmless. */
  release(holdId: string): Promise<void>;
  lookup(key: string): Promise<HoldLookup>;
  /** Holds the terminal still has open, for finding orphans after a crash. */
  openHolds(): Promise<Hold[]>;
  subscribe(listener: (event: TerminalEvent) => void): () => void;
  close(): Promise<void>;
}
