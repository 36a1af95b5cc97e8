// Bank cards: a card terminal places a hold, captures the final cost and releases the rest;
// later it may give money back (a reversal or a refund to the card), where it can.
import type { CardTerminal, Hold, HoldLookup } from '../../devices/payment/card-terminal-port.js';
import type { Authorization, AuthorizeOutcome } from './authorization.js';
import type { IntentStatus, OpenAuthorization, PaymentBackend, PlaceRequest, RefundOutcome, RefundPlaceRequest, SettleResult } from './payment-backend.js';

export function authorizationOfHold(hold: Hold): Authorization {
  const receipt = hold.authCode || hold.terminalReceipt?.length ? { receipt: { authCode: hold.authCode ?? null, lines: hold.terminalReceipt ?? [] } } : {};
  return {
    method: 'card',
    key: hold.reference,
    reference: hold.holdId,
    limitMinor: hold.amountMinor,
    currency: hold.currency,
    authorizedAt: hold.authorizedAt,
    display: { kind: 'card', brand: hold.brand, maskedPan: hold.maskedPan },
    ...(hold.cardToken ? { cardToken: hold.cardToken } : {}),
    ...receipt,
  };
}

export class CardBackend implements PaymentBackend {
  readonly method = 'card' as const;
  /** Present only where the terminal gives money back (an own property, as the port's is optional). */
  declare readonly refund?: (request: RefundPlaceRequest, signal?: AbortSignal) => Promise<RefundOutcome>;

  constructor(private readonly terminal: CardTerminal) {
    const refund = terminal.refund?.bind(terminal);
    if (refund) {
      this.refund = (request, signal) =>
        refund({ reference: request.key, amountMinor: request.amountMinor, currency: request.currency, ...(request.receiptNumber ? { receiptNumber: request.receiptNumber } : {}) }, signal);
    }
  }

  async place(request: PlaceRequest, signal?: AbortSignal): Promise<AuthorizeOutcome> {
    const result = await this.terminal.authorize({ reference: request.key, amountMinor: request.amountMinor, currency: request.currency }, signal);
    return result.outcome === 'approved' ? { outcome: 'approved', authorization: authorizationOfHold(result.hold) } : result;
  }

  async settle(authorization: Authorization, amountMinor: number): Promise<SettleResult> {
    // The booking's receipt number, where the terminal gave one, is journalled with it: a reversal names it.
    const { capturedMinor, receiptNumber } = await this.terminal.capture({ holdId: authorization.reference, amountMinor });
    return receiptNumber ? { capturedMinor, receiptNumber } : { capturedMinor };
  }

  async release(authorization: Authorization): Promise<void> {
    await this.terminal.release(authorization.reference);
  }

  async status(key: string): Promise<IntentStatus> {
    if (this.terminal.lookup) return statusOf(await this.terminal.lookup(key));
    // A terminal that cannot be asked by reference: an open hold carrying it is still an answer.
    const open = (await this.terminal.openHolds()).find((hold): hold is Hold => hold.reference === key);
    return open ? { state: 'open', authorization: authorizationOfHold(open) } : { state: 'cannotSay' };
  }

  async openAuthorizations(): Promise<OpenAuthorization[]> {
    return (await this.terminal.openHolds()).map((hold) =>
      hold.reference === null ? { method: 'card', reference: hold.holdId, key: null } : authorizationOfHold(hold),
    );
  }
}

function statusOf(lookup: HoldLookup): IntentStatus {
  switch (lookup.state) {
    case 'unknown':
    case 'notTracked':
    case 'pending':
      return { state: lookup.state };
    case 'declined':
      return { state: 'declined', reason: lookup.reason };
    case 'open':
      return { state: 'open', authorization: authorizationOfHold(lookup.hold) };
    case 'captured':
      return { state: 'settled', authorization: authorizationOfHold(lookup.hold), capturedMinor: lookup.capturedMinor };
    case 'released':
      return { state: 'released', authorization: authorizationOfHold(lookup.hold) };
  }
}
