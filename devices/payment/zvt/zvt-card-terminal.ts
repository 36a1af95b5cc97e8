// The ECR side of ZVT: a CardTerminal (card-terminal-port.ts) over an ApduChannel, so
// the same driver runs on a serial link, on TCP and, in sim mode, against the terminal
// simulator in memory.
//
// One command at a time, as the terminal serves them. A command is sent, answered by
// `80 00 00` (taken) or `84 cc 00` (refused), then the terminal sends its messages, each
// acknowledged with `80 00 00`: intermediate status `04 FF` (shown as a prompt), status
// information `04 0F` (the outcome), receipts `06 D1`/`06 D3` (kept), and last a
// completion `06 0F` or an abort `06 1E`.
//
// ZVT has no idempotency key and no lookup by reference, so the driver never sends an
// `06 22` twice and keeps, for the life of the process, what became of every request it
// sent. A request the caller gave up on (its deadline passed, or an abort the terminal
// refused) is followed until its last message; an approval that arrives after the caller
// was told no is reversed at once (`06 25`). What the process does not know it says it
// does not track, and the open reservations (`06 23 87 FF FF`, receipt numbers only) are
// what the brain's sweep settles against its journal.
//
// Money given back (refund): a reversal (06 30) of the day's booking by its receipt number,
// or a refund (06 31) to the card the terminal asks for. Neither is ever sent twice: an
// answer that does not come leaves the outcome unknown, for the brain to leave to a
// technician (a refund has no open list to settle it against).
//
// PCI: the raw card number never leaves the codec (pan.ts); only the last four digits
// are kept, and log lines carry the class and instruction and the result code, never
// the data.
import { createHmac, randomBytes } from 'node:crypto';
import { delay, type Clock, type TimerHandle } from '../../clock.js';
import { DeviceUnavailableError } from '../../device-errors.js';
import type {
  AuthorizeResult,
  Capture,
  CaptureRequest,
  CardRead,
  CardTerminal,
  Hold,
  HoldLookup,
  HoldRequest,
  OpenHold,
  RefundRefusal,
  RefundRequest,
  RefundResult,
  TerminalDecline,
  TerminalEvent,
  TerminalPrompt,
} from '../card-terminal-port.js';
import { validateHoldRequest } from '../card-terminal-port.js';
import { EventOutbox } from '../../event-outbox.js';
import type { ApduChannel } from './channel.js';
import { hex2 } from './errors.js';
import { apduSummary } from './serial-channel.js';
import type { IntermediateStatusKind } from './intermediate-status.js';
import {
  buildAbort,
  buildAck,
  buildEndOfDay,
  buildOpenReservationsQuery,
  buildPartialReversal,
  buildReadCard,
  buildRefund,
  buildRegistration,
  buildReservation,
  buildReservationReversal,
  buildReversal,
  merchantReferenceTlv,
  parseTerminalMessage,
  RegistrationConfig,
} from './messages.js';
import type { StatusInformation, TerminalAbort, TerminalMessage } from './messages.js';
import type { HostProfile, ResultCodeInfo } from './result-codes.js';
import { describeResultCode } from './result-codes.js';

/** What the driver logs; pino's logger fits. Never given APDU bytes or card data. */
export interface ZvtDriverLog {
  debug(object: object, message: string): void;
  info(object: object, message: string): void;
  warn(object: object, message: string): void;
  error(object: object, message: string): void;
}

/**
 * The registration's config byte: the terminal sends intermediate status (for the
 * screen), sends its payment and administration receipts to us instead of printing them
 * (we keep them for our receipt), and takes payment and administration commands from us
 * only. Receipts come as text blocks (06 D3); print lines (06 D1) are read as well.
 */
export const ZVT_CONFIG_BYTE =
  RegistrationConfig.ECR_PRINTS_PAYMENT_RECEIPTS |
  RegistrationConfig.ECR_PRINTS_ADMIN_RECEIPTS |
  RegistrationConfig.INTERMEDIATE_STATUS |
  RegistrationConfig.ECR_CONTROLS_PAYMENT |
  RegistrationConfig.ECR_CONTROLS_ADMIN |
  RegistrationConfig.PRINT_TYPE;

/** ISO 4217 numeric codes of the currencies a European charger meets. */
const CURRENCY_NUMBERS: Readonly<Record<string, number>> = {
  EUR: 978, CHF: 756, GBP: 826, DKK: 208, SEK: 752, NOK: 578, PLN: 985, CZK: 203, HUF: 348, RON: 946, BGN: 975, ISK: 352, USD: 840,
};

export function zvtCurrencyNumber(currency: string): number {
  const number = CURRENCY_NUMBERS[currency];
  if (number === undefined) throw new RangeError(`ZVT: no numeric code known for currency ${currency}`);
  return number;
}

/** The terminal refused a command (84 cc 00) or ended it with an abort (06 1E cc). */
export class ZvtCommandError extends Error {
  override readonly name = 'ZvtCommandError';
  constructor(
    message: string,
    readonly result: ResultCodeInfo,
    readonly how: 'refused' | 'aborted',
  ) {
    super(message);
  }
}

/** The terminal is not there (offline, not registered, closed): the command was never sent. */
export class ZvtNotSentError extends DeviceUnavailableError {
  override name = 'ZvtNotSentError';
}

/** No answer in time: whether the terminal acted on the command is not known. */
export class ZvtTimeoutError extends DeviceUnavailableError {
  override name = 'ZvtTimeoutError';
}

export interface ZvtCardTerminalOptions {
  /** The kiosk's clock: times on holds. */
  clock: Clock;
  /** Timeouts (default: clock); the system clock under an accelerated kiosk clock. */
  linkClock?: Clock;
  /** The terminal password of registration and end of day, 6 digits. */
  password: string;
  /** The currency registered and used, ISO 4217 (default EUR). */
  currency?: string;
  log?: ZvtDriverLog;
  /** How the result codes 01..63 read (default ISO 8583; Feig cVEND on Lavego: 'lavego'). */
  host?: HostProfile;
  /** For the terminal's first answer to a command (80 00 00 or 84 cc 00), ms (default 5000). */
  answerTimeoutMs?: number;
  /** From an 06 22 to its last message: card, PIN and host, ms (default 120 000). */
  reservationTimeoutMs?: number;
  /** From any other command to its last message, ms (default 180 000, ZVT's T4). */
  commandTimeoutMs?: number;
  /** After the caller of a reservation gave up: how much longer its last message is awaited, ms (default 180 000). */
  lateAnswerMs?: number;
  /** How often a command the terminal refused as busy is tried again, and the pause between, ms (default 3, 2000). */
  busyRetries?: number;
  busyRetryMs?: number;
  /**
   * The secret card tokens are keyed with (see CardRead): the same on every start of the
   * station, so a card tapped after a restart still matches. Default: one per process.
   */
  cardTokenKey?: string | Uint8Array;
}

/** What became of a request sent in this process, by its reference. */
type Tracked =
  | { state: 'pending' }
  | { state: 'declined'; reason: TerminalDecline }
  | { state: 'open'; hold: Hold }
  | { state: 'captured'; hold: Hold; capturedMinor: number; receiptNumber?: string | null }
  | { state: 'released'; hold: Hold }
  /** Sent, and its end never heard (the link went, the terminal fell silent). */
  | { state: 'lost' }
  /** Never sent (the terminal was offline when its turn came). */
  | { state: 'notSent' };

/** The messages of one command, as they arrived. */
interface Exchange {
  status: StatusInformation | null;
  /** The last message: 06 0F completion, or 06 1E abort. */
  end: { kind: 'completion' } | TerminalAbort;
  /** The receipts the terminal sent: 06 D3 text blocks with their type (2 customer, 3 administration), 06 D1 lines as type null. */
  receipts: Array<{ type: number | null; lines: string[] }>;
}

/** The customer's receipt lines of an exchange (print lines carry no type: all of them). */
const customerReceipt = (exchange: Exchange): string[] => exchange.receipts.filter((r) => r.type === RECEIPT_CUSTOMER || r.type === null).flatMap((r) => r.lines);

interface RunOptions {
  what: string;
  timeoutMs: number;
  /** Aborting sends 06 B0; the command then ends as the terminal says. */
  signal?: AbortSignal | undefined;
  /** A standby command (read card): no busy or prompt events, and any other command ends it. */
  quiet?: boolean;
  /**
   * Given, the caller is told of a timeout at the deadline while the command is followed
   * to its last message, which comes here (null: it never came, or the link went).
   */
  onLate?: (exchange: Exchange | null) => Promise<void> | void;
}

const PROMPT_OF: Partial<Record<IntermediateStatusKind, TerminalPrompt>> = {
  presentCard: 'presentCard',
  pinEntry: 'enterPin',
  processing: 'processing',
  removeCard: 'removeCard',
};

/** Finished requests remembered for lookups, besides the open and pending ones (memory stays bounded). */
export const MAX_TRACKED = 500;
const RECEIPT_CUSTOMER = 2;
const BUSY = 0x9c;
/** 06 1E codes of a booking or reversal: reversed already / no open reservation with this receipt number. */
const ALREADY_REVERSED = 0xb4;
/** Also the answer to a reversal (06 30) of a payment the terminal no longer has: reversal not possible. */
const NOT_OPEN = 0xb5;
/** 84 83 00 / 06 1E 83: a command this terminal does not do. */
const FUNCTION_NOT_POSSIBLE = 0x83;
const ABORTED = 0x6c;

export class ZvtCardTerminal implements CardTerminal {
  private readonly clock: Clock;
  private readonly linkClock: Clock;
  private readonly password: string;
  private readonly currency: string;
  private readonly currencyNumber: number;
  private readonly log: ZvtDriverLog | undefined;
  private readonly host: HostProfile;
  private readonly answerTimeoutMs: number;
  private readonly reservationTimeoutMs: number;
  private readonly commandTimeoutMs: number;
  private readonly lateAnswerMs: number;
  private readonly busyRetries: number;
  private readonly busyRetryMs: number;
  private readonly events = new EventOutbox<TerminalEvent>();

  private channel: ApduChannel | null = null;
  private unsubscribe: Array<() => void> = [];
  private registered = false;
  private closed = false;
  /** Why the terminal cannot be used now, or null. */
  private offlineReason: string | null = 'not connected';
  /** Commands run one after another: the tail of the queue. */
  private queue: Promise<unknown> = Promise.resolve();
  /** A command given up on by its caller and still followed: the next one waits for it. */
  private lingering: Promise<void> | null = null;
  /** The read card waiting for a tap, ended by any other request. */
  private standby: AbortController | null = null;
  private readonly cardTokenKey: string | Uint8Array;
  /** The command on the wire hears the terminal's APDUs. */
  private listener: ((message: TerminalMessage | { kind: 'unreadable' }) => void) | null = null;
  private readonly tracked = new Map<string, Tracked>();
  /** References of the refunds sent in this process (oldest first, at most MAX_TRACKED): none is sent twice. */
  private readonly refunds = new Set<string>();
  /** Receipt number → reference, for the holds placed in this process. */
  private readonly referenceOf = new Map<string, string>();
  /** Software version and terminal id, from the registration's completion. */
  private identity: { terminalId: string | null } = { terminalId: null };
  /** Counters for diagnostics and the bench: no content. */
  readonly stats = { commands: 0, refusedBusy: 0, timeouts: 0, lateApprovalsReversed: 0, unreadable: 0 };

  constructor(options: ZvtCardTerminalOptions) {
    if (!/^\d{6}$/.test(options.password)) throw new TypeError('ZVT password must be 6 digits');
    this.clock = options.clock;
    this.linkClock = options.linkClock ?? options.clock;
    this.password = options.password;
    this.currency = options.currency ?? 'EUR';
    this.currencyNumber = zvtCurrencyNumber(this.currency);
    this.log = options.log;
    this.host = options.host ?? 'iso8583';
    this.answerTimeoutMs = options.answerTimeoutMs ?? 5_000;
    this.reservationTimeoutMs = options.reservationTimeoutMs ?? 120_000;
    this.commandTimeoutMs = options.commandTimeoutMs ?? 180_000;
    this.lateAnswerMs = options.lateAnswerMs ?? 180_000;
    this.busyRetries = options.busyRetries ?? 3;
    this.busyRetryMs = options.busyRetryMs ?? 2_000;
    this.cardTokenKey = options.cardTokenKey ?? randomBytes(32);
  }

  /** The terminal id it reported at registration, or null. */
  get terminalId(): string | null {
    return this.identity.terminalId;
  }

  get online(): boolean {
    return this.offlineReason === null;
  }

  // ---- The link ----

  /**
   * Takes a new channel to the terminal and registers on it (06 00). Rejects, leaving
   * the terminal offline, when the terminal refuses or does not answer: the link layer
   * then tries again later.
   */
  async attach(channel: ApduChannel): Promise<void> {
    if (this.closed) throw new DeviceUnavailableError('the ZVT card terminal is closed');
    this.dropChannel();
    this.channel = channel;
    this.unsubscribe = [
      channel.onApdu((apdu) => this.receive(apdu)),
      channel.onClose((reason) => this.detach(`the link to the card terminal closed: ${reason}`)),
    ];
    try {
      await this.serialised(async () => {
        // A terminal still finishing a transaction alone (its last ECR gone) refuses as busy first.
        const exchange = await this.whileBusy(
          () => this.run(buildRegistration({ password: this.password, configByte: ZVT_CONFIG_BYTE, currency: this.currencyNumber }), { what: 'registration', timeoutMs: this.commandTimeoutMs }),
          this.busyRetryMs,
        );
        if (exchange.end.kind !== 'completion') throw this.commandError('registration', exchange.end);
      }, { needsRegistration: false });
    } catch (error) {
      this.setOffline(`registration failed: ${errorText(error)}`);
      throw error;
    }
    this.registered = true;
    this.log?.info({ device: 'card terminal' }, 'ZVT terminal registered');
    this.setOnline();
  }

  /** The channel went away: whatever is on the wire is lost, and the terminal is offline until the next attach. */
  detach(reason: string): void {
    this.dropChannel();
    this.setOffline(reason);
  }

  private dropChannel(): void {
    for (const off of this.unsubscribe.splice(0)) off();
    const channel = this.channel;
    this.channel = null;
    this.registered = false;
    if (channel) void channel.close().catch(() => {});
    this.listener?.({ kind: 'unreadable' });
  }

  // ---- CardTerminal ----

  async authorize(request: HoldRequest, signal?: AbortSignal): Promise<AuthorizeResult> {
    validateZvtRequest(request, this.currency);
    if (this.tracked.has(request.reference)) throw new Error(`ZVT: a request with reference ${request.reference} was sent already; it is never sent twice`);
    if (signal?.aborted) return { outcome: 'declined', reason: 'cancelled' };
    // Claimed at once, so a second call with this reference fails even while the first waits its turn.
    this.track(request.reference, { state: 'notSent' });
    return this.serialised(async () => {
      if (signal?.aborted) {
        this.track(request.reference, { state: 'declined', reason: 'cancelled' });
        return { outcome: 'declined', reason: 'cancelled' };
      }
      this.track(request.reference, { state: 'pending' });
      let exchange: Exchange;
      let abortSent = false;
      try {
        // Refused as busy, the request was not taken: sending it again places nothing twice.
        exchange = await this.whileBusy(
          () =>
            this.run(
              buildReservation({ amountMinor: request.amountMinor, currency: this.currencyNumber, tlv: merchantReferenceTlv(request.reference) }),
              { what: 'reservation', timeoutMs: this.reservationTimeoutMs, signal, onLate: (late) => this.lateEnd(request, late) },
              () => (abortSent = true),
            ),
          Math.min(this.busyRetryMs, 500),
          signal,
        );
      } catch (error) {
        if (error instanceof ZvtCommandError && error.how === 'refused') {
          // 84 cc 00: the terminal did not take the request; nothing was placed.
          const reason = error.result.code === BUSY ? 'busy' : declineOf(error.result, false);
          this.track(request.reference, { state: 'declined', reason });
          return { outcome: 'declined', reason };
        }
        // Still followed (a timeout): it stays pending until its last message. Otherwise its end is not known.
        if (!(error instanceof ZvtTimeoutError && this.lingering)) this.track(request.reference, { state: 'lost' });
        throw error;
      }
      const outcome = this.reservationOutcome(request, exchange, abortSent);
      if (outcome.outcome === 'approved') {
        this.track(request.reference, { state: 'open', hold: outcome.hold });
        this.referenceOf.set(outcome.hold.holdId, request.reference);
      } else {
        this.track(request.reference, { state: 'declined', reason: outcome.reason });
      }
      return outcome;
    });
  }

  async capture(request: CaptureRequest): Promise<Capture> {
    const receiptNumber = receiptNumberOf(request.holdId);
    if (!Number.isInteger(request.amountMinor) || request.amountMinor < 0) throw new RangeError(`capture: amount must be a whole number of minor units >= 0, got ${request.amountMinor}`);
    const reference = this.referenceOf.get(request.holdId);
    const known = reference ? this.tracked.get(reference) : undefined;
    if (known?.state === 'captured') return { capturedMinor: known.capturedMinor, ...(known.receiptNumber ? { receiptNumber: known.receiptNumber } : {}) };
    if (request.amountMinor === 0) {
      await this.release(request.holdId);
      return { capturedMinor: 0 };
    }
    const exchange = await this.closeCommand('booking', () =>
      buildPartialReversal({
        receiptNumber,
        amountMinor: request.amountMinor,
        currency: this.currencyNumber,
        ...(reference ? { tlv: merchantReferenceTlv(`${reference}:capture`) } : {}),
      }),
    );
    if (exchange.end.kind === 'abort') {
      const code = exchange.end.resultCode;
      // B5: no open reservation with this number. The reservation was ours and only we
      // book it: an earlier booking whose answer was lost (a crash) took it.
      if (code === NOT_OPEN) {
        this.log?.warn({ device: 'card terminal', receiptNumber, resultCode: hexCode(code) }, 'booking: the reservation is no longer open; taken as booked by an earlier request');
        this.markClosed(request.holdId, { capturedMinor: request.amountMinor });
        return { capturedMinor: request.amountMinor };
      }
      throw this.commandError('booking', exchange.end);
    }
    // The booking's own receipt number: what a reversal (06 30) names later.
    const booked = { capturedMinor: exchange.status?.amountMinor ?? request.amountMinor, receiptNumber: receiptOf(exchange.status) };
    this.markClosed(request.holdId, booked);
    return booked;
  }

  async release(holdId: string): Promise<void> {
    const receiptNumber = receiptNumberOf(holdId);
    const exchange = await this.closeCommand('reversal', () => buildReservationReversal({ receiptNumber, currency: this.currencyNumber }));
    if (exchange.end.kind === 'abort') {
      const code = exchange.end.resultCode;
      // Reversed already, or not open (booked, or unknown): nothing is held any more.
      if (code !== ALREADY_REVERSED && code !== NOT_OPEN) throw this.commandError('reversal', exchange.end);
      this.log?.info({ device: 'card terminal', receiptNumber, resultCode: hexCode(code) }, 'reversal: the reservation was not open any more');
    }
    this.markClosed(holdId, null);
  }

  /**
   * Gives money back (see RefundRequest): with a receipt number, a reversal (06 30) of that
   * booking first, no card needed; where the terminal cannot (it does not reverse, 84 83
   * 00, or no longer has the booking: its end of day came, 06 1E B5) a refund (06 31) to the
   * card it asks for. Either is sent once: a refusal (84 cc 00, 06 1E cc, a status with a
   * result code) moved nothing; no answer in time, or the link going, rejects (the outcome
   * is not known). A refund whose caller was told of a timeout is followed to its last
   * message, which is logged, so the technician finds it.
   */
  async refund(request: RefundRequest, signal?: AbortSignal): Promise<RefundResult> {
    // What cannot be sent is refused, not thrown: a rejection means the outcome is not known.
    try {
      validateZvtRequest(request, this.currency, 'refund');
    } catch (error) {
      return refused('error', errorText(error));
    }
    if (this.refunds.has(request.reference)) throw new Error(`ZVT: a refund with reference ${request.reference} was sent already; it is never sent twice`);
    if (signal?.aborted) return refused('cancelled', 'the refund was cancelled before it was sent');
    this.refunds.add(request.reference);
    while (this.refunds.size > MAX_TRACKED) this.refunds.delete(this.refunds.values().next().value!);
    const receiptNumber = reversibleReceipt(request.receiptNumber);
    try {
      return await this.serialised(async () => {
        if (receiptNumber !== null) {
          const reversal = await this.refundCommand('reversal', buildReversal({ password: this.password, receiptNumber }), request, signal);
          if (reversal !== 'notReversible') return reversal;
          this.log?.info({ device: 'card terminal', receiptNumber }, 'ZVT: the terminal cannot reverse the payment; refunding it to the card');
        }
        const refund = await this.refundCommand('refund', buildRefund({ password: this.password, amountMinor: request.amountMinor, currency: this.currencyNumber }), request, signal);
        return refund === 'notReversible' ? refused('notSupported', 'the card terminal does not do refunds') : refund;
      });
    } catch (error) {
      // Offline or closed before the command went out: the terminal knows nothing of it.
      if (error instanceof ZvtNotSentError) return refused('unavailable', error.message);
      throw error;
    }
  }

  async lookup(reference: string): Promise<HoldLookup> {
    const tracked = this.tracked.get(reference);
    if (!tracked) return { state: 'notTracked' };
    switch (tracked.state) {
      case 'pending':
        return { state: 'pending' };
      case 'lost':
        return { state: 'notTracked' };
      case 'notSent':
        return { state: 'unknown' };
      case 'declined':
        return { state: 'declined', reason: tracked.reason };
      case 'open':
        return { state: 'open', hold: { ...tracked.hold } };
      case 'captured':
        return { state: 'captured', hold: { ...tracked.hold }, capturedMinor: tracked.capturedMinor };
      case 'released':
        return { state: 'released', hold: { ...tracked.hold } };
    }
  }

  /**
   * Waits for a card (06 C0) and reads it: a tap to start, or to stop the session the
   * card started. Any other request ends the wait (06 B0) and goes first; null then, and
   * when no card came in 60 s.
   */
  async readCard(signal?: AbortSignal): Promise<CardRead | null> {
    if (this.standby) throw new Error('ZVT: a card read is waiting already');
    const standby = new AbortController();
    this.standby = standby;
    // Linked by hand: AbortSignal.any with a long-lived signal (the watcher's) keeps every read's signal alive (Node 20).
    const end = (): void => standby.abort();
    signal?.addEventListener('abort', end, { once: true });
    if (signal?.aborted) standby.abort();
    const ended = standby.signal;
    try {
      return await this.serialised(
        async () => {
          if (ended.aborted) return null;
          const exchange = await this.run(buildReadCard({ timeoutS: 60 }), { what: 'read card', timeoutMs: 70_000, signal: ended, quiet: true });
          if (exchange.end.kind !== 'completion' || exchange.status?.resultCode !== 0) return null;
          const cardToken = this.tokenOf(exchange.status);
          if (!cardToken) return null;
          return { cardToken, maskedPan: maskedPanOf(exchange.status), brand: exchange.status.cardName ?? 'card' };
        },
        { quiet: true },
      );
    } finally {
      signal?.removeEventListener('abort', end);
      if (this.standby === standby) this.standby = null;
    }
  }

  /** Asks which reservations are open (06 23 87 FF FF): receipt numbers, named where this process placed them. */
  async openHolds(): Promise<OpenHold[]> {
    const exchange = await this.closeCommand('open reservations query', () => buildOpenReservationsQuery());
    const end = exchange.end;
    if (end.kind !== 'abort' || end.openReservations === null) {
      throw new Error(`ZVT: the open reservations query got ${end.kind === 'abort' ? `result ${hexCode(end.resultCode)}` : 'a completion'} instead of the list`);
    }
    return end.openReservations.map((receipt) => {
      const holdId = String(receipt);
      const reference = this.referenceOf.get(holdId);
      const tracked = reference ? this.tracked.get(reference) : undefined;
      return tracked?.state === 'open' ? { ...tracked.hold } : { holdId, reference: null };
    });
  }

  /** End of day (06 50): submits the day's bookings. Returns the total the terminal reported and its receipt. */
  async endOfDay(): Promise<{ totalMinor: number | null; receipt: string[] }> {
    const exchange = await this.closeCommand('end of day', () => buildEndOfDay({ password: this.password }));
    if (exchange.end.kind === 'abort') throw this.commandError('end of day', exchange.end);
    return { totalMinor: exchange.status?.amountMinor ?? null, receipt: exchange.receipts.flatMap((r) => r.lines) };
  }

  subscribe(listener: (event: TerminalEvent) => void): () => void {
    if (this.closed) return () => {};
    return this.events.subscribe(listener);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.dropChannel();
    this.events.close();
    await this.queue.catch(() => {});
  }

  // ---- Internals ----

  /**
   * Runs `work` after the commands before it. Refused while not registered (unless
   * `needsRegistration: false`); a command that is not `quiet` ends a waiting card read first.
   */
  private serialised<T>(work: () => Promise<T>, options: { needsRegistration?: boolean; quiet?: boolean } = {}): Promise<T> {
    const quiet = options.quiet ?? false;
    if (!quiet) this.standby?.abort();
    const run = this.queue.then(async () => {
      while (this.lingering) await this.lingering;
      if (this.closed) throw new ZvtNotSentError('the ZVT card terminal is closed');
      if ((options.needsRegistration ?? true) && !this.registered) throw new ZvtNotSentError(`the card terminal is unavailable: ${this.offlineReason ?? 'not registered'}`);
      this.stats.commands++;
      if (!quiet) this.events.emit({ type: 'busy', busy: true });
      try {
        return await work();
      } finally {
        if (!quiet) {
          this.events.emit({ type: 'prompt', prompt: null });
          this.events.emit({ type: 'busy', busy: false });
        }
      }
    });
    this.queue = run.catch(() => {});
    return run;
  }

  /**
   * One 06 30 or 06 31, in the queue's turn. 'notReversible': the terminal does not do it
   * (84 83 00) or, for a reversal, no longer has the payment (06 1E B5): nothing moved.
   */
  private async refundCommand(what: 'reversal' | 'refund', command: Uint8Array, request: RefundRequest, signal: AbortSignal | undefined): Promise<RefundResult | 'notReversible'> {
    let abortSent = false;
    let exchange: Exchange;
    try {
      // A reversal needs no card: a booking's time. A refund waits for the card, as a reservation does.
      const timeoutMs = what === 'reversal' ? this.commandTimeoutMs : this.reservationTimeoutMs;
      exchange = await this.whileBusy(
        () => this.run(command, { what, timeoutMs, signal, onLate: (late) => this.lateRefund(what, request, late) }, () => (abortSent = true)),
        Math.min(this.busyRetryMs, 500),
        signal,
      );
    } catch (error) {
      if (!(error instanceof ZvtCommandError && error.how === 'refused')) throw error;
      // 84 cc 00: the terminal did not take it.
      if (error.result.code === FUNCTION_NOT_POSSIBLE) return 'notReversible';
      return refused(error.result.code === BUSY ? 'busy' : refusalOf(error.result, false), `the terminal refused the ${what}: ${error.result.meaning}`);
    }
    const status = exchange.status;
    if (exchange.end.kind === 'completion') {
      if (status?.resultCode === 0) {
        const refundedMinor = status.amountMinor ?? request.amountMinor;
        this.log?.info({ device: 'card terminal', what, receiptNumber: receiptOf(status), refundedMinor }, `ZVT: ${what} done`);
        return {
          outcome: 'refunded',
          refund: { refundedMinor, kind: what, receiptNumber: receiptOf(status), terminalReceipt: customerReceipt(exchange), maskedPan: status.card ? maskedPanOf(status) : null },
        };
      }
      // A result code says how it ended; a completion with nothing to read says nothing.
      if (status?.result) return refused(refusalOf(status.result, abortSent), `the terminal declined the ${what}: ${status.result.meaning}`);
      throw new Error(`ZVT: the terminal completed the ${what} without a result: whether money moved is not known`);
    }
    const code = exchange.end.resultCode;
    if (what === 'reversal' && (code === NOT_OPEN || code === FUNCTION_NOT_POSSIBLE)) return 'notReversible';
    const result = exchange.end.result ?? status?.result ?? describeResultCode(code ?? 0xff, { host: this.host });
    return refused(refusalOf(result, abortSent), `the terminal ended the ${what}: ${result.meaning}`);
  }

  /** The last message of a refund whose caller was told of a timeout: logged, for the technician who checks it. */
  private lateRefund(what: 'reversal' | 'refund', request: RefundRequest, exchange: Exchange | null): void {
    const refunded = exchange?.end.kind === 'completion' && exchange.status?.resultCode === 0;
    const outcome = exchange === null ? 'never heard' : refunded ? 'refunded' : `not refunded (${hexCode(exchange.end.kind === 'abort' ? exchange.end.resultCode : (exchange.status?.resultCode ?? null))})`;
    this.log?.warn(
      { device: 'card terminal', what, reference: request.reference, outcome, receiptNumber: exchange ? receiptOf(exchange.status) : null },
      'ZVT: a refund ended after its caller was told it had no answer; the journal leaves it to the technician',
    );
  }

  /** A booking, reversal, query or end of day, tried again while the terminal says it is busy. */
  private closeCommand(what: string, build: () => Uint8Array): Promise<Exchange> {
    return this.serialised(() => this.whileBusy(() => this.run(build(), { what, timeoutMs: this.commandTimeoutMs }), this.busyRetryMs));
  }

  /** Runs `send` again while the terminal refuses it as busy (84 9C 00), up to busyRetries times. */
  private async whileBusy(send: () => Promise<Exchange>, pauseMs: number, signal?: AbortSignal): Promise<Exchange> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await send();
      } catch (error) {
        const busy = error instanceof ZvtCommandError && error.how === 'refused' && error.result.code === BUSY;
        if (!busy || attempt >= this.busyRetries || signal?.aborted) throw error;
        this.stats.refusedBusy++;
        // An abort ends the pause; the terminal took nothing, so the refusal is the answer.
        await delay(this.linkClock, pauseMs, signal);
        if (signal?.aborted) throw error;
      }
    }
  }

  /**
   * Sends one command and collects the terminal's messages until its last one. Rejects
   * with ZvtCommandError('refused') on 84 cc 00, ZvtTimeoutError when the terminal falls
   * silent, DeviceUnavailableError when the link goes.
   */
  private run(command: Uint8Array, options: RunOptions, onAbortSent?: () => void): Promise<Exchange> {
    const channel = this.channel;
    if (!channel) return Promise.reject(new ZvtNotSentError('the card terminal is not connected'));
    const control = apduSummary(command).apdu;
    const startedAt = this.linkClock.now();
    return new Promise<Exchange>((resolve, reject) => {
      let taken = false;
      let status: StatusInformation | null = null;
      const receipts: Exchange['receipts'] = [];
      let abortState: 'none' | 'sent' | 'refused' | 'accepted' = 'none';
      let givenUp = false;
      let settled = false;
      let timer: TimerHandle | null = null;
      const arm = (ms: number, onTimeout: () => void): void => {
        if (timer !== null) this.linkClock.clearTimeout(timer);
        timer = this.linkClock.setTimeout(onTimeout, ms);
      };
      const finish = (error: Error | null, exchange?: Exchange): void => {
        if (settled) return;
        settled = true;
        if (timer !== null) this.linkClock.clearTimeout(timer);
        timer = null;
        if (this.listener === onMessage) this.listener = null;
        options.signal?.removeEventListener('abort', onAbort);
        const ms = this.linkClock.now() - startedAt;
        if (error) this.log?.warn({ device: 'card terminal', apdu: control, what: options.what, ms, reason: error.message }, 'ZVT command failed');
        else this.log?.debug({ device: 'card terminal', apdu: control, what: options.what, ms, end: exchange!.end.kind === 'abort' ? hexCode(exchange!.end.resultCode) : '06 0F' }, 'ZVT command done');
        if (!givenUp) {
          if (error) reject(error);
          else resolve(exchange!);
          return;
        }
        // The late end is dealt with before any other command runs.
        void Promise.resolve()
          .then(() => options.onLate?.(exchange ?? null))
          .catch(() => {})
          .finally(() => {
            this.lingering = null;
            endLingering();
          });
      };
      let endLingering: () => void = () => {};
      const sendAbort = (): void => {
        if (abortState !== 'none' || settled) return;
        abortState = 'sent';
        onAbortSent?.();
        this.log?.info({ device: 'card terminal', what: options.what }, 'ZVT: asking the terminal to abort (06 B0)');
        channel.send(buildAbort()).catch(() => {});
      };
      // Before the terminal took the command, the abort waits for its 80 00 00.
      const onAbort = (): void => {
        if (taken) sendAbort();
      };
      const onMessage = (message: TerminalMessage | { kind: 'unreadable' }): void => {
        if (settled) return;
        if (message.kind === 'unreadable') {
          // The link went (dropChannel), or a message we cannot read.
          if (!this.channel) finish(new DeviceUnavailableError(`the link to the card terminal went during the ${options.what}`));
          return;
        }
        if (message.kind === 'ack' || message.kind === 'negativeAck') {
          if (!taken) {
            if (message.kind === 'negativeAck') return finish(new ZvtCommandError(`the terminal refused the ${options.what}: ${message.result.meaning}`, message.result, 'refused'));
            taken = true;
            arm(options.timeoutMs - (this.linkClock.now() - startedAt), onDeadline);
            if (options.signal?.aborted) sendAbort();
            return;
          }
          // The answer to our 06 B0.
          if (abortState === 'sent') {
            abortState = message.kind === 'ack' ? 'accepted' : 'refused';
            this.log?.info({ device: 'card terminal', what: options.what, abort: abortState }, 'ZVT: the terminal answered the abort');
          }
          return;
        }
        // Every terminal message is acknowledged, whatever it says.
        channel.send(buildAck()).catch(() => {});
        switch (message.kind) {
          case 'intermediateStatus': {
            if (!options.quiet) this.events.emit({ type: 'prompt', prompt: PROMPT_OF[message.status.kind] ?? 'processing' });
            return;
          }
          case 'statusInformation':
            status = message;
            return;
          case 'textBlock':
            receipts.push({ type: message.receiptType, lines: message.lines });
            return;
          case 'printLine': {
            const last = receipts.at(-1);
            if (last?.type === null) last.lines.push(message.text);
            else receipts.push({ type: null, lines: [message.text] });
            return;
          }
          case 'completion':
            if (message.terminalId) this.identity.terminalId = message.terminalId;
            return finish(null, { status, end: { kind: 'completion' }, receipts });
          case 'abort':
            return finish(null, { status, end: message, receipts });
          default:
            return;
        }
      };
      const onDeadline = (): void => {
        if (settled) return;
        if (!taken) return finish(new ZvtTimeoutError(`the card terminal did not answer the ${options.what} within ${this.answerTimeoutMs} ms`));
        this.stats.timeouts++;
        if (options.onLate && !givenUp) {
          // The caller is told now; the command is followed to its last message, and
          // the next command waits for it (the terminal would refuse it as busy).
          givenUp = true;
          this.lingering = new Promise<void>((done) => (endLingering = done));
          sendAbort();
          reject(new ZvtTimeoutError(`the card terminal did not finish the ${options.what} within ${options.timeoutMs} ms`));
          arm(this.lateAnswerMs, onDeadline);
          return;
        }
        finish(new ZvtTimeoutError(`the card terminal did not finish the ${options.what} within ${options.timeoutMs} ms`));
      };
      this.listener = onMessage;
      options.signal?.addEventListener('abort', onAbort, { once: true });
      arm(this.answerTimeoutMs, onDeadline);
      channel.send(command).catch((error: unknown) => finish(new DeviceUnavailableError(`could not send the ${options.what} to the card terminal: ${errorText(error)}`)));
    });
  }

  /** The last message of a reservation whose caller had given up (null: it never came): an approval is reversed at once. */
  private async lateEnd(request: HoldRequest, exchange: Exchange | null): Promise<void> {
    if (!exchange) {
      this.track(request.reference, { state: 'lost' });
      return;
    }
    const status = exchange.status;
    if (!(exchange.end.kind === 'completion' && status?.resultCode === 0 && status.receiptNumber !== null)) {
      this.track(request.reference, { state: 'declined', reason: 'timeout' });
      return;
    }
    const hold = this.holdOf(request.reference, status, status.amountMinor ?? request.amountMinor, customerReceipt(exchange));
    this.track(request.reference, { state: 'open', hold });
    this.referenceOf.set(hold.holdId, request.reference);
    this.stats.lateApprovalsReversed++;
    this.log?.warn({ device: 'card terminal', receiptNumber: hold.holdId }, 'ZVT: a reservation approved after its request was given up; reversing it');
    try {
      // Still in the reservation's turn: nothing else is sent before the reversal.
      const reversal = await this.run(buildReservationReversal({ receiptNumber: receiptNumberOf(hold.holdId), currency: this.currencyNumber }), { what: 'reversal', timeoutMs: this.commandTimeoutMs });
      if (reversal.end.kind === 'abort' && reversal.end.resultCode !== ALREADY_REVERSED && reversal.end.resultCode !== NOT_OPEN) throw this.commandError('reversal', reversal.end);
      this.markClosed(hold.holdId, null);
    } catch (error) {
      this.log?.error({ device: 'card terminal', receiptNumber: hold.holdId, reason: errorText(error) }, 'ZVT: could not reverse a late approval; the sweep will find it open');
    }
  }

  private reservationOutcome(request: HoldRequest, exchange: Exchange, abortSent: boolean): AuthorizeResult {
    const status = exchange.status;
    if (exchange.end.kind === 'completion') {
      if (status && status.resultCode === 0 && status.receiptNumber !== null) {
        return { outcome: 'approved', hold: this.holdOf(request.reference, status, status.amountMinor ?? request.amountMinor, customerReceipt(exchange)) };
      }
      // A completion without an approval to read: nothing we can capture later.
      this.log?.warn({ device: 'card terminal', resultCode: hexCode(status?.resultCode ?? null) }, 'ZVT: a reservation completed without a receipt number; taken as declined');
      return { outcome: 'declined', reason: status?.result ? declineOf(status.result, abortSent) : 'error' };
    }
    const result = exchange.end.result ?? status?.result ?? null;
    return { outcome: 'declined', reason: result ? declineOf(result, abortSent) : 'error' };
  }

  /** A keyed hash of what the terminal shows of the card; null when it shows too little to tell cards apart. */
  private tokenOf(status: StatusInformation): string | null {
    const card = status.card;
    if (!card?.bin || !card.last4) return null;
    return createHmac('sha256', this.cardTokenKey).update(`${card.bin}|${card.last4}|${card.length}|${status.cardType ?? ''}`).digest('hex').slice(0, 32);
  }

  private holdOf(reference: string, status: StatusInformation, amountMinor: number, receipt: string[]): Hold {
    return {
      holdId: String(status.receiptNumber),
      reference,
      amountMinor,
      currency: this.currency,
      maskedPan: maskedPanOf(status),
      cardToken: this.tokenOf(status),
      brand: status.cardName ?? 'card',
      authorizedAt: this.clock.now(),
      authCode: status.authorisationAttribute?.trim() || null,
      terminalReceipt: receipt,
    };
  }

  /**
   * Records what became of a request. Finished ones are forgotten, oldest first, beyond
   * MAX_TRACKED (their outcome is in the brain's journal); open and pending ones never are.
   */
  private track(reference: string, value: Tracked): void {
    this.tracked.delete(reference);
    this.tracked.set(reference, value);
    if (this.tracked.size <= MAX_TRACKED) return;
    for (const [oldest, tracked] of this.tracked) {
      if (this.tracked.size <= MAX_TRACKED) break;
      if (tracked.state === 'open' || tracked.state === 'pending') continue;
      this.tracked.delete(oldest);
      if ('hold' in tracked && this.referenceOf.get(tracked.hold.holdId) === oldest) this.referenceOf.delete(tracked.hold.holdId);
    }
  }

  /** A hold placed in this process was booked (capturedMinor) or reversed (null). */
  private markClosed(holdId: string, captured: Capture | null): void {
    const reference = this.referenceOf.get(holdId);
    const tracked = reference ? this.tracked.get(reference) : undefined;
    if (!reference || tracked?.state !== 'open') return;
    this.track(reference, captured ? { state: 'captured', hold: tracked.hold, ...captured } : { state: 'released', hold: tracked.hold });
  }

  private receive(apdu: Uint8Array): void {
    const message = parseTerminalMessage(apdu, { host: this.host });
    if (message.kind === 'error') {
      this.stats.unreadable++;
      this.log?.warn({ device: 'card terminal', apdu: apduSummary(apdu).apdu, reason: message.error.message }, 'ZVT: unreadable message from the terminal');
      // Acknowledged all the same, so the terminal does not wait on us.
      if (apdu[0] === 0x04 || apdu[0] === 0x06) this.channel?.send(buildAck()).catch(() => {});
      return;
    }
    if (this.listener) {
      this.listener(message);
      return;
    }
    // A message outside any command (a late one, or the terminal's own): acknowledged and logged.
    if (message.kind !== 'ack' && message.kind !== 'negativeAck') {
      this.channel?.send(buildAck()).catch(() => {});
      this.log?.debug({ device: 'card terminal', message: message.kind }, 'ZVT: message outside a command');
    }
  }

  private commandError(what: string, end: TerminalAbort): ZvtCommandError {
    const result = end.result ?? describeResultCode(end.resultCode ?? 0xff, { host: this.host });
    return new ZvtCommandError(`the terminal ended the ${what}: ${result.meaning}`, result, 'aborted');
  }

  private setOnline(): void {
    if (this.offlineReason === null) return;
    this.offlineReason = null;
    this.events.emit({ type: 'online' });
  }

  private setOffline(reason: string): void {
    const wasOnline = this.offlineReason === null;
    this.offlineReason = reason;
    if (wasOnline && !this.closed) {
      this.log?.warn({ device: 'card terminal', reason }, 'card terminal offline');
      this.events.emit({ type: 'offline', reason });
    }
  }
}

/** What the kiosk does with a result code; 6C after our 06 B0 is a cancel, without it the card never came. */
function declineOf(result: ResultCodeInfo, abortSent: boolean): TerminalDecline {
  if (result.code === ABORTED) return abortSent ? 'cancelled' : 'timeout';
  switch (result.reason) {
    case null:
      return 'error';
    case 'aborted':
      return abortSent ? 'cancelled' : 'timeout';
    default:
      return result.reason;
  }
}

/** Only the last four digits, as the screen and the receipt show a card. */
function maskedPanOf(status: StatusInformation): string {
  const last4 = status.card?.last4 ?? null;
  return last4 ? `**** **** **** ${last4}` : '****';
}

/** Beyond what every terminal checks: what ZVT can carry (a 99-character reference, 12 BCD digits) and the registered currency. */
function validateZvtRequest(request: HoldRequest, currency: string, what: 'authorize' | 'refund' = 'authorize'): void {
  validateHoldRequest(request, what);
  if (request.reference.length > 99) throw new TypeError(`${what}: a ZVT merchant reference is at most 99 characters`);
  if (request.amountMinor > 999_999_999_999) throw new RangeError(`${what}: ${request.amountMinor} does not fit a ZVT amount (12 digits)`);
  if (request.currency !== currency) throw new RangeError(`${what}: the terminal is registered for ${currency}, not ${request.currency}`);
}

/** Why a refund gave nothing back, from its result code; 6C after our 06 B0 is a cancel, without it the card never came. */
function refusalOf(result: ResultCodeInfo, abortSent: boolean): RefundRefusal {
  if (result.code === FUNCTION_NOT_POSSIBLE) return 'notSupported';
  switch (declineOf(result, abortSent)) {
    case 'cancelled':
      return 'cancelled';
    case 'timeout':
      return 'noCard';
    case 'unavailable':
      return 'unavailable';
    case 'error':
      return 'error';
    default:
      return 'declined';
  }
}

const refused = (reason: RefundRefusal, message: string): RefundResult => ({ outcome: 'refused', reason, message });

/** The receipt number of a status information as the port writes it, or null. */
const receiptOf = (status: StatusInformation | null): string | null => (status?.receiptNumber == null ? null : String(status.receiptNumber));

/** A receipt number a reversal can name (1..9999), or null: a refund to the card then. */
function reversibleReceipt(receiptNumber: string | null | undefined): number | null {
  if (!receiptNumber || !/^\d{1,4}$/.test(receiptNumber)) return null;
  const n = Number(receiptNumber);
  return n >= 1 ? n : null;
}

function receiptNumberOf(holdId: string): number {
  const n = Number(holdId);
  if (!/^\d{1,4}$/.test(holdId) || n < 1 || n > 9999) throw new RangeError(`ZVT: ${holdId} is not a reservation's receipt number (1..9999)`);
  return n;
}

const hexCode = (code: number | null): string => (code === null ? 'none' : hex2(code));
const errorText = (error: unknown): string => (error instanceof Error ? error.message : String(error));
