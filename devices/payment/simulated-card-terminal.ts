// A simulated card terminal with pre-authorisation. It serves one request at a time,
// answers a repeated idempotency key with its first answer, and keeps its record of
// requests and holds in a file: like a real terminal it goes on working while the
// kiosk restarts, so an authorisation under way when the kiosk died still completes
// at its due time, and the new kiosk finds its answer by key.
//
// It never sees a card number: a hold carries only a masked PAN made up from a
// counter, and the state file holds nothing else about the card.
import { z } from 'zod';
import { EventOutbox } from '../event-outbox.js';
import type { Clock, TimerHandle } from '../clock.js';
import { JsonStateFile } from '../sim-state.js';
import { DeviceUnavailableError } from '../charger/charger-port.js';
import type {
  AuthorizeResult,
  CaptureRequest,
  CardTerminal,
  Hold,
  HoldLookup,
  HoldRequest,
  TerminalDecline,
  TerminalEvent,
} from './card-terminal-port.js';

export type SimOutcome = 'approve' | 'decline' | 'insufficientFunds' | 'timeout';

export interface SimulatedCardTerminalOptions {
  clock: Clock;
  /** Where the terminal's record survives a kiosk restart; null or absent: memory only. */
  stateFile?: string | null;
  /** From the prompt until the answer when a card is presented (tap plus bank), ms. */
  approvalDelayMs: number;
  /** How long the terminal waits for a card before it gives up, ms. */
  presentCardTimeoutMs?: number;
}

export type SimHoldState = 'open' | 'captured' | 'released';

export interface SimHoldView extends Hold {
  state: SimHoldState;
  capturedMinor: number | null;
}

/** Finished requests the terminal remembers, besides its open holds (a terminal's journal is finite too). */
const MAX_REMEMBERED = 1000;
const BRAND = 'VISA';
/** Last digits of well-known test cards; the only card digits this simulator ever has. */
const LAST4 = ['4242', '1881', '0077', '3155', '6789', '1112'] as const;

const Outcome = z.enum(['approve', 'decline', 'insufficientFunds', 'timeout']);
const Decline = z.enum(['declined', 'insufficientFunds', 'timeout', 'cancelled', 'busy', 'error']);
const HoldSchema = z.object({
  holdId: z.string(),
  key: z.string(),
  amountMinor: z.number().int(),
  currency: z.string(),
  // Enforced on load too: a file with anything but a masked PAN is refused as corrupt.
  maskedPan: z.string().regex(/^\*{4} \*{4} \*{4} \d{4}$/),
  brand: z.string(),
  authorizedAt: z.number(),
});
const PendingSchema = z.object({
  key: z.string(),
  amountMinor: z.number().int(),
  currency: z.string(),
  startedAt: z.number(),
  dueAt: z.number(),
  outcome: Outcome,
});
const AnswerSchema = z.discriminatedUnion('outcome', [
  z.object({ key: z.string(), outcome: z.literal('approved'), holdId: z.string() }),
  z.object({ key: z.string(), outcome: z.literal('declined'), reason: Decline }),
]);
const HoldRecordSchema = z.object({
  hold: HoldSchema,
  state: z.enum(['open', 'captured', 'released']),
  capturedMinor: z.number().int().nullable(),
});
const TerminalState = z.object({
  version: z.literal(1),
  nextOutcome: Outcome,
  holdCounter: z.number().int().nonnegative(),
  pending: PendingSchema.nullable(),
  /** Answers by idempotency key, oldest first. */
  answers: z.array(AnswerSchema),
  holds: z.array(HoldRecordSchema),
});
type TerminalState = z.infer<typeof TerminalState>;
type Pending = z.infer<typeof PendingSchema>;
type Answer = z.infer<typeof AnswerSchema>;
type HoldRecord = z.infer<typeof HoldRecordSchema>;

interface Waiter {
  resolve: (result: AuthorizeResult) => void;
  reject: (error: unknown) => void;
  detach: () => void;
}

export class SimulatedCardTerminal implements CardTerminal {
  private readonly clock: Clock;
  private readonly approvalDelayMs: number;
  private readonly presentCardTimeoutMs: number;
  private readonly file: JsonStateFile<TerminalState>;
  private readonly events = new EventOutbox<TerminalEvent>();
  private closed = false;

  private nextOutcome: SimOutcome;
  private holdCounter: number;
  private pending: Pending | null;
  /** Insertion order is age: the oldest finished ones are forgotten first. */
  private readonly answers = new Map<string, Answer>();
  private readonly holds = new Map<string, HoldRecord>();

  private pendingTimer: TimerHandle | null = null;
  /** Callers waiting for the pending request: the first one and any repeats of its key. */
  private waiters: Waiter[] = [];

  constructor(options: SimulatedCardTerminalOptions) {
    const presentCardTimeoutMs = options.presentCardTimeoutMs ?? 60_000;
    if (!(options.approvalDelayMs >= 0)) throw new RangeError('approvalDelayMs must be >= 0');
    if (!(presentCardTimeoutMs >= 0)) throw new RangeError('presentCardTimeoutMs must be >= 0');
    this.clock = options.clock;
    this.approvalDelayMs = options.approvalDelayMs;
    this.presentCardTimeoutMs = presentCardTimeoutMs;
    const clock = options.clock;
    this.file = new JsonStateFile(
      options.stateFile ?? null,
      TerminalState,
      { version: 1, nextOutcome: 'approve', holdCounter: 0, pending: null, answers: [], holds: [] },
      { now: () => clock.now() },
    );

    const state = this.file.load();
    this.nextOutcome = state.nextOutcome;
    this.holdCounter = state.holdCounter;
    this.pending = state.pending;
    for (const answer of state.answers) this.answers.set(answer.key, answer);
    for (const record of state.holds) this.holds.set(record.hold.holdId, record);

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
    validateRequest(request);
    // Idempotency first: a key the terminal has answered gets the same answer, even
    // while it is busy with another request.
    const answer = this.answers.get(request.key);
    if (answer) return this.resultOf(answer);
    if (this.pending) {
      if (this.pending.key === request.key) return this.waitForPending(signal);
      // Not recorded: the terminal never took the request, so the same key may try again.
      return { outcome: 'declined', reason: 'busy' };
    }
    const now = this.clock.now();
    if (signal?.aborted) {
      this.remember({ key: request.key, outcome: 'declined', reason: 'cancelled' });
      this.save();
      return { outcome: 'declined', reason: 'cancelled' };
    }
    const outcome = this.nextOutcome;
    this.pending = {
      key: request.key,
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

  async capture(request: CaptureRequest): Promise<{ capturedMinor: number }> {
    this.assertOpen();
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
  }

  async release(holdId: string): Promise<void> {
    this.assertOpen();
    const record = this.holds.get(holdId);
    if (!record) throw new Error(`release: unknown hold ${holdId}`);
    // Released already, or captured (which released the rest): nothing left to do.
    if (record.state !== 'open') return;
    record.state = 'released';
    this.save();
  }

  async lookup(key: string): Promise<HoldLookup> {
    this.assertOpen();
    if (this.pending?.key === key) return { state: 'pending' };
    const answer = this.answers.get(key);
    if (!answer) return { state: 'unknown' };
    if (answer.outcome === 'declined') return { state: 'declined', reason: answer.reason };
    const record = this.holds.get(answer.holdId);
    if (!record) return { state: 'unknown' };
    const hold = { ...record.hold };
    if (record.state === 'open') return { state: 'open', hold };
    if (record.state === 'released') return { state: 'released', hold };
    return { state: 'captured', hold, capturedMinor: record.capturedMinor ?? 0 };
  }

  async openHolds(): Promise<Hold[]> {
    this.assertOpen();
    return [...this.holds.values()].filter((record) => record.state === 'open').map((record) => ({ ...record.hold }));
  }

  subscribe(listener: (event: TerminalEvent) => void): () => void {
    if (this.closed) return () => {};
    return this.events.subscribe(listener);
  }

  /**
   * The kiosk lets go of the terminal. A request under way stays in the file and
   * completes in the next instance; whoever was waiting here hears that the device
   * is gone and can ask again by key.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.pendingTimer !== null) this.clock.clearTimeout(this.pendingTimer);
    this.pendingTimer = null;
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) {
      waiter.detach();
      waiter.reject(new DeviceUnavailableError('simulated card terminal closed'));
    }
    this.events.close();
  }

  // ---- Simulation controls ----

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

  simState(): { nextOutcome: SimOutcome; openHolds: number; busy: boolean; pendingKey: string | null; holds: SimHoldView[] } {
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
      pendingKey: this.pending?.key ?? null,
      holds,
    };
  }

  // ---- Internals ----

  private assertOpen(): void {
    if (this.closed) throw new DeviceUnavailableError('simulated card terminal is closed');
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
      const waiter: Waiter = { resolve, reject, detach: () => signal?.removeEventListener('abort', onAbort) };
      this.waiters.push(waiter);
      if (!signal) return;
      // Any caller of the one request may cancel it: there is one transaction on the terminal.
      if (signal.aborted) this.cancelPending();
      else signal.addEventListener('abort', onAbort, { once: true });
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
        key: pending.key,
        amountMinor: pending.amountMinor,
        currency: pending.currency,
        maskedPan: `**** **** **** ${LAST4[(n - 1) % LAST4.length]}`,
        brand: BRAND,
        authorizedAt: pending.dueAt,
      };
      this.holds.set(hold.holdId, { hold, state: 'open', capturedMinor: null });
      this.settle({ key: pending.key, outcome: 'approved', holdId: hold.holdId });
    } else {
      const reason: TerminalDecline =
        pending.outcome === 'decline' ? 'declined' : pending.outcome === 'insufficientFunds' ? 'insufficientFunds' : 'timeout';
      this.settle({ key: pending.key, outcome: 'declined', reason });
    }
  }

  /** The driver or the kiosk cancelled while the terminal waited for the card. */
  private cancelPending(): void {
    if (!this.pending || this.closed) return;
    if (this.pendingTimer !== null) this.clock.clearTimeout(this.pendingTimer);
    this.pendingTimer = null;
    this.settle({ key: this.pending.key, outcome: 'declined', reason: 'cancelled' });
  }

  /** Records the answer to the pending request, saves it, then tells everyone. */
  private settle(answer: Answer): void {
    this.pending = null;
    this.remember(answer);
    this.save();
    const result = this.resultOf(answer);
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) {
      waiter.detach();
      waiter.resolve(result);
    }
    this.events.emit({ type: 'prompt', prompt: null });
    this.events.emit({ type: 'busy', busy: false });
  }

  private remember(answer: Answer): void {
    this.answers.set(answer.key, answer);
    if (this.answers.size <= MAX_REMEMBERED) return;
    // Forget the oldest finished requests; an open hold is never forgotten, it is money.
    for (const [key, old] of this.answers) {
      if (this.answers.size <= MAX_REMEMBERED) break;
      if (old.outcome === 'approved') {
        const record = this.holds.get(old.holdId);
        if (record?.state === 'open') continue;
        this.holds.delete(old.holdId);
      }
      this.answers.delete(key);
    }
  }

  private resultOf(answer: Answer): AuthorizeResult {
    if (answer.outcome === 'declined') return { outcome: 'declined', reason: answer.reason };
    const record = this.holds.get(answer.holdId);
    if (!record) return { outcome: 'declined', reason: 'error' };
    return { outcome: 'approved', hold: { ...record.hold } };
  }

  private save(): void {
    this.file.save({
      version: 1,
      nextOutcome: this.nextOutcome,
      holdCounter: this.holdCounter,
      pending: this.pending,
      answers: [...this.answers.values()],
      holds: [...this.holds.values()],
    });
  }

}

function validateRequest(request: HoldRequest): void {
  if (typeof request.key !== 'string' || request.key.length === 0) throw new TypeError('authorize: key must be a non-empty string');
  if (!Number.isInteger(request.amountMinor) || request.amountMinor <= 0) {
    throw new RangeError(`authorize: amount must be a whole number of minor units > 0, got ${request.amountMinor}`);
  }
  if (!/^[A-Z]{3}$/.test(request.currency)) throw new TypeError(`authorize: currency must be an ISO 4217 code, got ${request.currency}`);
}
