// A simulated card terminal with pre-authorisation that behaves like a real unattended
// one (ZVT-like), so the brain's own idempotency can be tested against it. It knows no
// idempotency: a request sent twice is two requests and, approved, two holds. It
// serves one request at a time and refuses another while one is under way (`busy`).
// It records the merchant reference of every request, so `lookup` (where the
// protocol offers it) and `openHolds` can name it.
//
// It keeps its record of transactions and holds in a file: like a real terminal it
// goes on working while the kiosk restarts, so an authorisation under way when the
// kiosk died still completes at its due time, and the new kiosk finds it by
// reference or among the open holds. Every call can take a link latency, during
// which the kiosk may die without the terminal ever acting on the call.
//
// It never sees a card number: a hold carries only a masked PAN made up from a
// counter, and the state file holds nothing else about the card.
//
// Refunds: it gives money back to a card presented for it, as its next outcome says
// (approve: refunded after the approval delay; decline, insufficientFunds: declined;
// timeout: no card within its card timeout). It keeps no day and no booking numbers, so
// it never reverses: a refund it is asked for always wants the card. One under way when
// the kiosk goes away never completes (the card is never read).
import { z } from 'zod';
import { EventOutbox } from '../event-outbox.js';
import type { Clock, TimerHandle } from '../clock.js';
import { JsonStateFile } from '../sim-state.js';
import { DeviceUnavailableError } from '../device-errors.js';
import type {
  AuthorizeResult,
  CaptureRequest,
  CardTerminal,
  Hold,
  HoldLookup,
  HoldRequest,
  RefundRequest,
  RefundResult,
  TerminalDecline,
  TerminalEvent,
} from './card-terminal-port.js';
import { validateHoldRequest } from './card-terminal-port.js';

export type SimOutcome = 'approve' | 'decline' | 'insufficientFunds' | 'timeout';

export interface SimulatedCardTerminalOptions {
  clock: Clock;
  /** Where the terminal's record survives a kiosk restart; null or absent: memory only. */
  stateFile?: string | null;
  /** From the prompt until the answer when a card is presented (tap plus bank), ms. */
  approvalDelayMs: number;
  /** How long the terminal waits for a card before it gives up, ms. */
  presentCardTimeoutMs?: number;
  /**
   * How long every call takes on the link before the terminal acts on it and answers,
   * kiosk-clock ms (default 0: at once). A kiosk that dies meanwhile leaves it undone.
   */
  latencyMs?: number;
  /**
   * Whether the protocol can answer by reference (default true). When false the
   * instance has no `lookup` at all, and only `openHolds` tells what the terminal has.
   */
  supportsLookup?: boolean;
  /** Whether it gives money back (default true). When false the instance has no `refund`. */
  supportsRefund?: boolean;
}

export type SimHoldState = 'open' | 'captured' | 'released';

export interface SimHoldView extends Hold {
  state: SimHoldState;
  capturedMinor: number | null;
}

/** Finished requests the terminal remembers, besides its open holds (a terminal's journal is finite too). */
export const MAX_REMEMBERED = 1000;
const BRAND = 'VISA';
/** Last digits of well-known test cards; the only card digits this simulator ever has. */
const LAST4 = ['4242', '1881', '0077', '3155', '6789', '1112'] as const;

const Outcome = z.enum(['approve', 'decline', 'insufficientFunds', 'timeout']);
const Decline = z.enum(['declined', 'insufficientFunds', 'timeout', 'cancelled', 'busy', 'error']);
// Enforced on load too: a file with anything but a masked PAN is refused as corrupt.
const MaskedPan = z.string().regex(/^\*{4} \*{4} \*{4} \d{4}$/);
const HoldSchema = z.object({
  holdId: z.string(),
  reference: z.string(),
  amountMinor: z.number().int(),
  currency: z.string(),
  maskedPan: MaskedPan,
  brand: z.string(),
  authorizedAt: z.number(),
});
const PendingSchema = z.object({
  reference: z.string(),
  amountMinor: z.number().int(),
  currency: z.string(),
  startedAt: z.number(),
  dueAt: z.number(),
  outcome: Outcome,
});
const TransactionSchema = z.discriminatedUnion('outcome', [
  z.object({ reference: z.string(), outcome: z.literal('approved'), holdId: z.string() }),
  z.object({ reference: z.string(), outcome: z.literal('declined'), reason: Decline }),
]);
const HoldState = z.enum(['open', 'captured', 'released']);
const RefundSchema = z.object({ reference: z.string(), amountMinor: z.number().int(), currency: z.string(), maskedPan: MaskedPan, at: z.number() });
const HoldRecordSchema = z.object({
  hold: HoldSchema,
  state: HoldState,
  capturedMinor: z.number().int().nullable(),
});
const TerminalState = z.object({
  version: z.literal(2),
  nextOutcome: Outcome,
  holdCounter: z.number().int().nonnegative(),
  pending: PendingSchema.nullable(),
  /** Finished transactions, oldest first; a reference may appear more than once. */
  transactions: z.array(TransactionSchema),
  holds: z.array(HoldRecordSchema),
  /** Refunds made, oldest first (absent in older files). */
  refunds: z.array(RefundSchema).default([]),
});
type TerminalState = z.infer<typeof TerminalState>;
type RefundRecord = z.infer<typeof RefundSchema>;
type Pending = z.infer<typeof PendingSchema>;
type Transaction = z.infer<typeof TransactionSchema>;
type HoldRecord = z.infer<typeof HoldRecordSchema>;

// Version 1 named the reference `key` (it was an idempotency key then) and kept one
// answer per key. Its record is still the terminal's money, so it is migrated, not dropped.
const V1State = z.object({
  version: z.literal(1),
  nextOutcome: Outcome,
  holdCounter: z.number().int().nonnegative(),
  pending: PendingSchema.omit({ reference: true }).extend({ key: z.string() }).nullable(),
  answers: z.array(
    z.discriminatedUnion('outcome', [
      z.object({ key: z.string(), outcome: z.literal('approved'), holdId: z.string() }),
      z.object({ key: z.string(), outcome: z.literal('declined'), reason: Decline }),
    ]),
  ),
  holds: z.array(
    z.object({
      hold: HoldSchema.omit({ reference: true }).extend({ key: z.string() }),
      state: HoldState,
      capturedMinor: z.number().int().nullable(),
    }),
  ),
});

/** `key` renamed `reference`, the rest kept as it is. */
function rekey<T extends { key: string }>({ key, ...rest }: T): Omit<T, 'key'> & { reference: string } {
  return { ...rest, reference: key };
}

function migrateV1(old: z.infer<typeof V1State>): TerminalState {
  return {
    version: 2,
    nextOutcome: old.nextOutcome,
    holdCounter: old.holdCounter,
    pending: old.pending && rekey(old.pending),
    // One answer per key, oldest first: already the order of a transaction list.
    transactions: old.answers.map((answer) =>
      answer.outcome === 'approved'
        ? { reference: answer.key, outcome: answer.outcome, holdId: answer.holdId }
        : { reference: answer.key, outcome: answer.outcome, reason: answer.reason },
    ),
    holds: old.holds.map((record) => ({ ...record, hold: rekey(record.hold) })),
    refunds: [],
  };
}

interface Waiter {
  resolve: (result: AuthorizeResult) => void;
  reject: (error: unknown) => void;
  detach: () => void;
}

/** A call on its way to the terminal (during the latency). */
interface InFlight {
  timer: TimerHandle;
  reject: (error: unknown) => void;
}

export class SimulatedCardTerminal implements CardTerminal {
  /**
   * Present only when the protocol can answer by reference (`supportsLookup`): an own
   * property set in the constructor, so without it `terminal.lookup` is undefined, as
   * the port allows. `declare` keeps TypeScript from defining the field anyway.
   */
  declare readonly lookup?: (reference: string) => Promise<HoldLookup>;
  /** Present unless `supportsRefund` is false, likewise. */
  declare readonly refund?: (request: RefundRequest, signal?: AbortSignal) => Promise<RefundResult>;

  private readonly clock: Clock;
  private readonly approvalDelayMs: number;
  private readonly presentCardTimeoutMs: number;
  private readonly latencyMs: number;
  private readonly file: JsonStateFile<TerminalState>;
  private readonly events = new EventOutbox<TerminalEvent>();
  private closed = false;

  private nextOutcome: SimOutcome;
  private holdCounter: number;
  private pending: Pending | null;
  /** Oldest first: the oldest finished ones are forgotten first, the newest answers a lookup. */
  private transactions: Transaction[];
  private readonly holds = new Map<string, HoldRecord>();
  private refunds: RefundRecord[];
  /** The refund waiting for its card, if one is: the terminal is busy meanwhile. */
  private refunding: { finish: (result: RefundResult) => void; fail: (error: unknown) => void } | null = null;
  private refundCounter = 0;

  private pendingTimer: TimerHandle | null = null;
  /** The one caller waiting for the pending request (none after a restart). */
  private waiter: Waiter | null = null;
  private readonly inFlight = new Set<InFlight>();

  constructor(options: SimulatedCardTerminalOptions) {
    const presentCardTimeoutMs = options.presentCardTimeoutMs ?? 60_000;
    const latencyMs = options.latencyMs ?? 0;
    if (!(options.approvalDelayMs >= 0)) throw new RangeError('approvalDelayMs must be >= 0');
    if (!(presentCardTimeoutMs >= 0)) throw new RangeError('presentCardTimeoutMs must be >= 0');
    if (!(latencyMs >= 0)) throw new RangeError('latencyMs must be >= 0');
    this.clock = options.clock;
    this.approvalDelayMs = options.approvalDelayMs;
    this.presentCardTimeoutMs = presentCardTimeoutMs;
    this.latencyMs = latencyMs;
    const clock = options.clock;
    let migrated = false;
    this.file = new JsonStateFile<TerminalState>(
      options.stateFile ?? null,
      (input) => {
        if ((input as { version?: unknown } | null)?.version !== 1) return TerminalState.parse(input);
        migrated = true;
        return migrateV1(V1State.parse(input));
      },
      { version: 2, nextOutcome: 'approve', holdCounter: 0, pending: null, transactions: [], holds: [], refunds: [] },
      { now: () => clock.now() },
    );

    const state = this.file.load();
    this.nextOutcome = state.nextOutcome;
    this.holdCounter = state.holdCounter;
    this.pending = state.pending;
    this.transactions = state.transactions;
    for (const record of state.holds) this.holds.set(record.hold.holdId, record);
    this.refunds = state.refunds;
    this.refundCounter = state.refunds.length;
    // Written back at once, so the file on disk is in the current version.
    if (migrated) this.save();

    if (options.supportsLookup ?? true) {
      this.lookup = (reference) => this.afterLatency(() => this.find(reference));
    }
    if (options.supportsRefund ?? true) {
      this.refund = async (request, signal) => {
        // What never reaches the terminal is refused: a rejection means the outcome is not known.
        if (this.closed) return { outcome: 'refused', reason: 'unavailable', message: 'simulated card terminal is closed' };
        try {
          validateHoldRequest(request, 'refund');
        } catch (error) {
          return { outcome: 'refused', reason: 'error', message: error instanceof Error ? error.message : String(error) };
        }
        return this.afterLatency(() => this.takeRefund(request, signal));
      };
    }

    // A request the terminal was working on when the kiosk went away: it went on
    // without us. If it is due already it is done; otherwise it will be at its time.
    if (this.pending) {
      if (this.pending.dueAt <= this.clock.now()) this.finishPending();
      else this.armPending();
    }
  }

  // ---- CardTerminal ----

  async authorize(request: HoldRequest, signal?: AbortSignal): Promise<AuthorizeResult> {
    this.assertOpen();
    // The driver checks the request before it sends anything.
    validateHoldRequest(request);
    return this.afterLatency(() => this.take(request, signal));
  }

  async capture(request: CaptureRequest): Promise<{ capturedMinor: number }> {
    return this.afterLatency(() => {
      const record = this.holds.get(request.holdId);
      if (!record) throw new Error(`capture: unknown hold ${request.holdId}`);
      if (record.state === 'released') throw new Error(`capture: hold ${request.holdId} was released`);
      // A repeat answers as the first capture did, whatever amount it names.
      if (record.state === 'captured') return { capturedMinor: record.capturedMinor ?? 0 };
      const { amountMinor } = request;
      if (!Number.isInteger(amountMinor) || amountMinor < 0) {
        throw new RangeError(`capture: amount must be a whole number of minor units >= 0, got ${amountMinor}`);
      }
      if (amountMinor > record.hold.amountMinor) {
        throw new RangeError(`capture: ${amountMinor} is more than the hold of ${record.hold.amountMinor}`);
      }
      record.state = 'captured';
      record.capturedMinor = amountMinor;
      this.save();
      return { capturedMinor: amountMinor };
    });
  }

  async release(holdId: string): Promise<void> {
    return this.afterLatency(() => {
      const record = this.holds.get(holdId);
      if (!record) throw new Error(`release: unknown hold ${holdId}`);
      // Released already, or captured (which released the rest): nothing left to do.
      if (record.state !== 'open') return;
      record.state = 'released';
      this.save();
    });
  }

  async openHolds(): Promise<Hold[]> {
    return this.afterLatency(() =>
      [...this.holds.values()].filter((record) => record.state === 'open').map((record) => ({ ...record.hold })),
    );
  }

  subscribe(listener: (event: TerminalEvent) => void): () => void {
    if (this.closed) return () => {};
    return this.events.subscribe(listener);
  }

  /**
   * The kiosk lets go of the terminal. A request under way stays in the file and
   * completes in the next instance; whoever was waiting here hears that the device
   * is gone and can find the request by reference or among the open holds. A call
   * still on the link never reaches the terminal.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.pendingTimer !== null) this.clock.clearTimeout(this.pendingTimer);
    this.pendingTimer = null;
    const waiter = this.waiter;
    this.waiter = null;
    if (waiter) {
      waiter.detach();
      waiter.reject(new DeviceUnavailableError('simulated card terminal closed'));
    }
    // A refund waiting for its card: its caller cannot know whether it was made.
    this.refunding?.fail(new DeviceUnavailableError('simulated card terminal closed while it waited for the card of a refund'));
    const inFlight = [...this.inFlight];
    this.inFlight.clear();
    for (const call of inFlight) {
      this.clock.clearTimeout(call.timer);
      call.reject(new DeviceUnavailableError('simulated card terminal closed'));
    }
    this.events.close();
  }

  // ---- Simulation controls (the simulator panel, not the protocol: no latency) ----

  /** How the next requests end; stays until changed. */
  simSetNextOutcome(outcome: SimOutcome): void {
    this.assertOpen();
    if (!Outcome.options.includes(outcome)) throw new TypeError(`unknown outcome ${String(outcome)}`);
    this.nextOutcome = outcome;
    this.save();
  }

  /** What a simulator panel shows, cheap enough for every snapshot (simState lists every hold). */
  simSummary(): { nextOutcome: SimOutcome; openHolds: number } {
    this.assertOpen();
    let openHolds = 0;
    for (const record of this.holds.values()) if (record.state === 'open') openHolds++;
    return { nextOutcome: this.nextOutcome, openHolds };
  }

  simState(): {
    nextOutcome: SimOutcome;
    openHolds: number;
    busy: boolean;
    pendingReference: string | null;
    holds: SimHoldView[];
    refunds: RefundRecord[];
  } {
    this.assertOpen();
    const holds = [...this.holds.values()].map((record) => ({
      ...record.hold,
      state: record.state,
      capturedMinor: record.capturedMinor,
    }));
    return {
      nextOutcome: this.nextOutcome,
      openHolds: holds.filter((hold) => hold.state === 'open').length,
      busy: this.pending !== null,
      pendingReference: this.pending?.reference ?? null,
      holds,
      refunds: this.refunds.map((r) => ({ ...r })),
    };
  }

  // ---- Internals ----

  private assertOpen(): void {
    if (this.closed) throw new DeviceUnavailableError('simulated card terminal is closed');
  }

  /**
   * Runs `act` when the call reaches the terminal, `latencyMs` after it was made, and
   * answers with what it returns. Acting inside the timer means whatever `act` saves
   * is on disk right before the answer, and a kiosk that dies first leaves it undone.
   * With no latency it acts at once, in the caller's turn.
   */
  private afterLatency<T>(act: () => T | Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new DeviceUnavailableError('simulated card terminal is closed'));
    if (this.latencyMs === 0) {
      try {
        return Promise.resolve(act());
      } catch (error) {
        return Promise.reject(error);
      }
    }
    return new Promise<T>((resolve, reject) => {
      const call: InFlight = {
        reject,
        timer: this.clock.setTimeout(() => {
          this.inFlight.delete(call);
          if (this.closed) return reject(new DeviceUnavailableError('simulated card terminal is closed'));
          try {
            resolve(act());
          } catch (error) {
            reject(error);
          }
        }, this.latencyMs),
      };
      this.inFlight.add(call);
    });
  }

  /** The terminal receives an authorisation request. */
  private take(request: HoldRequest, signal: AbortSignal | undefined): Promise<AuthorizeResult> | AuthorizeResult {
    // Not joined and not recorded: the terminal never took the request, so a lookup
    // of its reference answers whatever the terminal had for it before.
    if (this.pending || this.refunding) return { outcome: 'declined', reason: 'busy' };
    if (signal?.aborted) {
      this.remember({ reference: request.reference, outcome: 'declined', reason: 'cancelled' });
      this.save();
      return { outcome: 'declined', reason: 'cancelled' };
    }
    const now = this.clock.now();
    const outcome = this.nextOutcome;
    this.pending = {
      reference: request.reference,
      amountMinor: request.amountMinor,
      currency: request.currency,
      startedAt: now,
      // With 'timeout' no card comes: the terminal gives up after its own timeout.
      dueAt: now + (outcome === 'timeout' ? this.presentCardTimeoutMs : this.approvalDelayMs),
      outcome,
    };
    // Saved before anything else happens, so a restart finds the request under way.
    this.save();
    this.armPending();
    const result = this.waitForPending(signal);
    this.events.emit({ type: 'busy', busy: true });
    this.events.emit({ type: 'prompt', prompt: 'presentCard' });
    return result;
  }

  /** The terminal receives a refund: it asks for the card and ends as its next outcome says. */
  private takeRefund(request: RefundRequest, signal: AbortSignal | undefined): Promise<RefundResult> | RefundResult {
    if (this.pending || this.refunding) return { outcome: 'refused', reason: 'busy', message: 'the terminal is busy' };
    if (signal?.aborted) return { outcome: 'refused', reason: 'cancelled', message: 'the refund was cancelled' };
    const outcome = this.nextOutcome;
    const delayMs = outcome === 'timeout' ? this.presentCardTimeoutMs : this.approvalDelayMs;
    return new Promise<RefundResult>((resolve, reject) => {
      const end = (): void => {
        this.clock.clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.refunding = null;
        this.events.emit({ type: 'prompt', prompt: null });
        this.events.emit({ type: 'busy', busy: false });
      };
      const finish = (result: RefundResult): void => {
        end();
        resolve(result);
      };
      const onAbort = (): void => finish({ outcome: 'refused', reason: 'cancelled', message: 'the refund was cancelled' });
      const timer = this.clock.setTimeout(() => finish(this.endRefund(request, outcome)), delayMs);
      this.refunding = {
        finish,
        fail: (error) => {
          end();
          reject(error);
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.events.emit({ type: 'busy', busy: true });
      this.events.emit({ type: 'prompt', prompt: 'presentCard' });
    });
  }

  /** The card came and the bank answered (approve), declined, or no card came. */
  private endRefund(request: RefundRequest, outcome: SimOutcome): RefundResult {
    if (outcome === 'timeout') return { outcome: 'refused', reason: 'noCard', message: 'no card was presented in time' };
    if (outcome !== 'approve') return { outcome: 'refused', reason: 'declined', message: 'the refund was declined' };
    const n = ++this.refundCounter;
    const record: RefundRecord = { reference: request.reference, amountMinor: request.amountMinor, currency: request.currency, maskedPan: `**** **** **** ${LAST4[(n - 1) % LAST4.length]}`, at: this.clock.now() };
    this.refunds.push(record);
    if (this.refunds.length > MAX_REMEMBERED) this.refunds.splice(0, this.refunds.length - MAX_REMEMBERED);
    // On disk before the caller hears of it.
    this.save();
    return { outcome: 'refunded', refund: { refundedMinor: record.amountMinor, kind: 'refund', receiptNumber: `sim-r-${n}`, maskedPan: record.maskedPan } };
  }

  /** What the terminal has for the most recent transaction with this reference. */
  private find(reference: string): HoldLookup {
    // The pending request is always the newest one.
    if (this.pending?.reference === reference) return { state: 'pending' };
    const transaction = this.transactions.findLast((t) => t.reference === reference);
    if (!transaction) return { state: 'unknown' };
    if (transaction.outcome === 'declined') return { state: 'declined', reason: transaction.reason };
    const record = this.holds.get(transaction.holdId);
    if (!record) return { state: 'unknown' };
    const hold = { ...record.hold };
    if (record.state === 'open') return { state: 'open', hold };
    if (record.state === 'released') return { state: 'released', hold };
    return { state: 'captured', hold, capturedMinor: record.capturedMinor ?? 0 };
  }

  private armPending(): void {
    if (!this.pending) return;
    const delay = Math.max(0, this.pending.dueAt - this.clock.now());
    this.pendingTimer = this.clock.setTimeout(() => {
      this.pendingTimer = null;
      if (!this.closed) this.finishPending();
    }, delay);
  }

  private waitForPending(signal: AbortSignal | undefined): Promise<AuthorizeResult> {
    return new Promise<AuthorizeResult>((resolve, reject) => {
      const onAbort = (): void => this.cancelPending();
      this.waiter = { resolve, reject, detach: () => signal?.removeEventListener('abort', onAbort) };
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** The driver presented the card and the bank answered, or no card came in time. */
  private finishPending(): void {
    const pending = this.pending;
    if (!pending) return;
    if (pending.outcome === 'approve') {
      const n = ++this.holdCounter;
      const hold: Hold = {
        holdId: `sim-h-${n}`,
        reference: pending.reference,
        amountMinor: pending.amountMinor,
        currency: pending.currency,
        maskedPan: `**** **** **** ${LAST4[(n - 1) % LAST4.length]}`,
        brand: BRAND,
        authorizedAt: pending.dueAt,
      };
      this.holds.set(hold.holdId, { hold, state: 'open', capturedMinor: null });
      this.settle({ reference: pending.reference, outcome: 'approved', holdId: hold.holdId });
    } else {
      const reason: TerminalDecline =
        pending.outcome === 'decline' ? 'declined' : pending.outcome === 'insufficientFunds' ? 'insufficientFunds' : 'timeout';
      this.settle({ reference: pending.reference, outcome: 'declined', reason });
    }
  }

  /** The driver or the kiosk cancelled while the terminal waited for the card. */
  private cancelPending(): void {
    if (!this.pending || this.closed) return;
    if (this.pendingTimer !== null) this.clock.clearTimeout(this.pendingTimer);
    this.pendingTimer = null;
    this.settle({ reference: this.pending.reference, outcome: 'declined', reason: 'cancelled' });
  }

  /** Records the answer to the pending request, saves it, then tells the caller and the listeners. */
  private settle(transaction: Transaction): void {
    this.pending = null;
    this.remember(transaction);
    this.save();
    const result = this.resultOf(transaction);
    const waiter = this.waiter;
    this.waiter = null;
    if (waiter) {
      waiter.detach();
      waiter.resolve(result);
    }
    this.events.emit({ type: 'prompt', prompt: null });
    this.events.emit({ type: 'busy', busy: false });
  }

  private remember(transaction: Transaction): void {
    this.transactions.push(transaction);
    const isOpen = (t: Transaction): boolean => t.outcome === 'approved' && this.holds.get(t.holdId)?.state === 'open';
    let excess = this.transactions.length - MAX_REMEMBERED;
    if (excess <= 0) return;
    for (const t of this.transactions) if (isOpen(t)) excess--;
    if (excess <= 0) return;
    // Forget the oldest finished requests; an open hold is never forgotten, it is money.
    this.transactions = this.transactions.filter((t) => {
      if (excess <= 0 || isOpen(t)) return true;
      excess--;
      if (t.outcome === 'approved') this.holds.delete(t.holdId);
      return false;
    });
  }

  private resultOf(transaction: Transaction): AuthorizeResult {
    if (transaction.outcome === 'declined') return { outcome: 'declined', reason: transaction.reason };
    const record = this.holds.get(transaction.holdId);
    if (!record) return { outcome: 'declined', reason: 'error' };
    return { outcome: 'approved', hold: { ...record.hold } };
  }

  private save(): void {
    this.file.save({
      version: 2,
      nextOutcome: this.nextOutcome,
      holdCounter: this.holdCounter,
      pending: this.pending,
      transactions: this.transactions,
      holds: [...this.holds.values()],
      refunds: this.refunds,
    });
  }
}
