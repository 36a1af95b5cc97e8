import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../devices/clock.js';
import type { Clock } from '../../../devices/clock.js';
import { DeviceUnavailableError } from '../../../devices/device-errors.js';
import type {
  AuthorizeResult,
  CardTerminal,
  Hold,
  HoldLookup,
  HoldRequest,
  TerminalEvent,
} from '../../../devices/payment/card-terminal-port.js';
import { MAX_REMEMBERED, SimulatedCardTerminal } from '../../../devices/payment/simulated-card-terminal.js';
import type { SimulatedCardTerminalOptions } from '../../../devices/payment/simulated-card-terminal.js';
import { processClock, settle, tempDir } from './helpers.js';

const APPROVAL_MS = 1_200;
const LATENCY_MS = 80;

function makeTerminal(clock: Clock, options: Partial<SimulatedCardTerminalOptions> = {}): SimulatedCardTerminal {
  return new SimulatedCardTerminal({ clock, approvalDelayMs: APPROVAL_MS, ...options });
}

const request = (reference: string, amountMinor = 5_000): HoldRequest => ({ reference, amountMinor, currency: 'EUR' });

/** `lookup` is optional on the port; these terminals have it unless a test says otherwise. */
function lookup(terminal: CardTerminal, reference: string): Promise<HoldLookup> {
  if (!terminal.lookup) throw new Error('this terminal cannot look up by reference');
  return terminal.lookup(reference);
}

/** Tracks a promise so a test can see whether it has settled without awaiting it. */
function track<T>(promise: Promise<T>): { settled: () => boolean; promise: Promise<T> } {
  let done = false;
  promise.then(
    () => (done = true),
    () => (done = true),
  );
  return { settled: () => done, promise };
}

function approvedHold(result: AuthorizeResult): Hold {
  if (result.outcome !== 'approved') throw new Error(`expected approval, got ${JSON.stringify(result)}`);
  return result.hold;
}

describe('SimulatedCardTerminal', () => {
  let clock: ManualClock;
  beforeEach(() => {
    clock = new ManualClock();
  });

  it('approves after the approval delay, with a masked PAN, and prompts for the card meanwhile', async () => {
    const terminal = makeTerminal(clock);
    const events: TerminalEvent[] = [];
    terminal.subscribe((event) => events.push(event));
    const pending = track(terminal.authorize(request('r1')));
    expect(events).toEqual([
      { type: 'busy', busy: true },
      { type: 'prompt', prompt: 'presentCard' },
    ]);
    expect(await lookup(terminal, 'r1')).toEqual({ state: 'pending' });
    clock.advance(APPROVAL_MS - 1);
    await settle();
    expect(pending.settled()).toBe(false);
    clock.advance(1);
    const hold = approvedHold(await pending.promise);
    expect(hold).toEqual({
      holdId: 'sim-h-1',
      reference: 'r1',
      amountMinor: 5_000,
      currency: 'EUR',
      maskedPan: '**** **** **** 4242',
      brand: 'VISA',
      authorizedAt: clock.now(),
    });
    expect(events.slice(2)).toEqual([
      { type: 'prompt', prompt: null },
      { type: 'busy', busy: false },
    ]);
    expect(await lookup(terminal, 'r1')).toEqual({ state: 'open', hold });
    expect(await terminal.openHolds()).toEqual([hold]);
    expect(terminal.simState()).toMatchObject({ nextOutcome: 'approve', openHolds: 1, busy: false, pendingReference: null });
  });

  it('gives each hold its own id and last digits', async () => {
    const terminal = makeTerminal(clock);
    const first = terminal.authorize(request('a'));
    clock.advance(APPROVAL_MS);
    const second = terminal.authorize(request('b'));
    clock.advance(APPROVAL_MS);
    const [a, b] = [approvedHold(await first), approvedHold(await second)];
    expect(a.holdId).not.toBe(b.holdId);
    expect(a.maskedPan).not.toBe(b.maskedPan);
    expect(b.maskedPan).toMatch(/^\*{4} \*{4} \*{4} \d{4}$/);
  });

  it('declines as told; the outcome is sticky until changed', async () => {
    const terminal = makeTerminal(clock);
    terminal.simSetNextOutcome('decline');
    const first = terminal.authorize(request('d1'));
    clock.advance(APPROVAL_MS);
    expect(await first).toEqual({ outcome: 'declined', reason: 'declined' });
    const second = terminal.authorize(request('d2'));
    clock.advance(APPROVAL_MS);
    expect(await second).toEqual({ outcome: 'declined', reason: 'declined' });
    terminal.simSetNextOutcome('insufficientFunds');
    const third = terminal.authorize(request('d3'));
    clock.advance(APPROVAL_MS);
    expect(await third).toEqual({ outcome: 'declined', reason: 'insufficientFunds' });
    expect(await lookup(terminal, 'd3')).toEqual({ state: 'declined', reason: 'insufficientFunds' });
    expect(terminal.simState().openHolds).toBe(0);
    expect(() => terminal.simSetNextOutcome('maybe' as never)).toThrow(TypeError);
  });

  it("'timeout': no card comes, the terminal gives up after presentCardTimeoutMs", async () => {
    const terminal = makeTerminal(clock, { presentCardTimeoutMs: 30_000 });
    terminal.simSetNextOutcome('timeout');
    const pending = track(terminal.authorize(request('t1')));
    clock.advance(29_999);
    await settle();
    expect(pending.settled()).toBe(false);
    expect(terminal.simState().busy).toBe(true);
    clock.advance(1);
    expect(await pending.promise).toEqual({ outcome: 'declined', reason: 'timeout' });
    expect(terminal.simState().busy).toBe(false);
    expect(await lookup(terminal, 't1')).toEqual({ state: 'declined', reason: 'timeout' });
  });

  it('serves one request at a time: another one, whatever its reference, is answered busy at once and not joined', async () => {
    const terminal = makeTerminal(clock);
    const first = track(terminal.authorize(request('r1')));
    expect(await terminal.authorize(request('r2'))).toEqual({ outcome: 'declined', reason: 'busy' });
    expect(await lookup(terminal, 'r2')).toEqual({ state: 'unknown' }); // never taken
    // The same reference again is a new request too: refused, not joined to the first.
    expect(await terminal.authorize(request('r1'))).toEqual({ outcome: 'declined', reason: 'busy' });
    expect(await lookup(terminal, 'r1')).toEqual({ state: 'pending' }); // still the first one
    expect(first.settled()).toBe(false);
    clock.advance(APPROVAL_MS);
    approvedHold(await first.promise);
    expect(terminal.simState().openHolds).toBe(1);
    const retry = terminal.authorize(request('r2'));
    clock.advance(APPROVAL_MS);
    approvedHold(await retry);
    expect(terminal.simState().openHolds).toBe(2);
  });

  it('knows no idempotency: a request sent again with the same reference places a second hold', async () => {
    const terminal = makeTerminal(clock);
    const first = terminal.authorize(request('r1'));
    clock.advance(APPROVAL_MS);
    const a = approvedHold(await first);
    const again = terminal.authorize(request('r1'));
    clock.advance(APPROVAL_MS);
    const b = approvedHold(await again);
    expect(b.holdId).not.toBe(a.holdId);
    expect([a.reference, b.reference]).toEqual(['r1', 'r1']);
    expect(await terminal.openHolds()).toEqual([a, b]);
    expect(terminal.simState().openHolds).toBe(2);
    // A decline answered once is no reason to decline the next request: it is asked again.
    terminal.simSetNextOutcome('decline');
    const declined = terminal.authorize(request('r2'));
    clock.advance(APPROVAL_MS);
    expect(await declined).toEqual({ outcome: 'declined', reason: 'declined' });
    terminal.simSetNextOutcome('approve');
    const retried = terminal.authorize(request('r2'));
    clock.advance(APPROVAL_MS);
    approvedHold(await retried);
    expect(terminal.simState().openHolds).toBe(3);
  });

  it('lookup answers the most recent transaction with the reference, through every state', async () => {
    const terminal = makeTerminal(clock);
    expect(await lookup(terminal, 'r1')).toEqual({ state: 'unknown' });
    terminal.simSetNextOutcome('decline');
    const declined = terminal.authorize(request('r1'));
    expect(await lookup(terminal, 'r1')).toEqual({ state: 'pending' });
    clock.advance(APPROVAL_MS);
    await declined;
    expect(await lookup(terminal, 'r1')).toEqual({ state: 'declined', reason: 'declined' });

    terminal.simSetNextOutcome('approve');
    const approved = terminal.authorize(request('r1', 3_000));
    expect(await lookup(terminal, 'r1')).toEqual({ state: 'pending' });
    clock.advance(APPROVAL_MS);
    const a = approvedHold(await approved);
    expect(await lookup(terminal, 'r1')).toEqual({ state: 'open', hold: a });
    await terminal.capture({ holdId: a.holdId, amountMinor: 1_000 });
    expect(await lookup(terminal, 'r1')).toEqual({ state: 'captured', hold: a, capturedMinor: 1_000 });

    const third = terminal.authorize(request('r1', 4_000));
    clock.advance(APPROVAL_MS);
    const b = approvedHold(await third);
    expect(await lookup(terminal, 'r1')).toEqual({ state: 'open', hold: b }); // the newest, not the captured one
    await terminal.release(b.holdId);
    expect(await lookup(terminal, 'r1')).toEqual({ state: 'released', hold: b });
    expect(await lookup(terminal, 'other')).toEqual({ state: 'unknown' });
  });

  it(`forgets the oldest finished requests beyond ${MAX_REMEMBERED}, never an open hold`, async () => {
    const terminal = makeTerminal(clock, { approvalDelayMs: 0 });
    const authorize = async (reference: string): Promise<AuthorizeResult> => {
      const result = terminal.authorize(request(reference));
      clock.advance(0);
      return result;
    };
    const kept = approvedHold(await authorize('open-old'));
    const released = approvedHold(await authorize('released-old'));
    await terminal.release(released.holdId);
    terminal.simSetNextOutcome('decline');
    for (let i = 0; i < MAX_REMEMBERED; i++) await authorize(`d${i}`);
    // Besides the open hold the terminal remembers MAX_REMEMBERED finished requests: the
    // released one went first, then none other.
    expect(await lookup(terminal, 'released-old')).toEqual({ state: 'unknown' });
    expect(terminal.simState().holds.map((h) => h.holdId)).toEqual([kept.holdId]);
    expect(await lookup(terminal, 'd0')).toEqual({ state: 'declined', reason: 'declined' });
    expect(await lookup(terminal, 'open-old')).toEqual({ state: 'open', hold: kept });
    await authorize('one-more');
    expect(await lookup(terminal, 'd0')).toEqual({ state: 'unknown' });
    expect(await lookup(terminal, 'd1')).toEqual({ state: 'declined', reason: 'declined' });
    expect(await terminal.openHolds()).toEqual([kept]);
  });

  it('abort while waiting for the card cancels the request, and the terminal remembers', async () => {
    const terminal = makeTerminal(clock);
    const events: TerminalEvent[] = [];
    terminal.subscribe((event) => events.push(event));
    const controller = new AbortController();
    const pending = terminal.authorize(request('r1'), controller.signal);
    clock.advance(500);
    controller.abort();
    expect(await pending).toEqual({ outcome: 'declined', reason: 'cancelled' });
    expect(await lookup(terminal, 'r1')).toEqual({ state: 'declined', reason: 'cancelled' });
    expect(events.at(-1)).toEqual({ type: 'busy', busy: false });
    expect(clock.pendingTimers()).toBe(0);
    clock.advance(APPROVAL_MS);
    expect(terminal.simState()).toMatchObject({ openHolds: 0, busy: false });
    // An already aborted signal cancels at once.
    expect(await terminal.authorize(request('r2'), AbortSignal.abort())).toEqual({ outcome: 'declined', reason: 'cancelled' });
    expect(await lookup(terminal, 'r2')).toEqual({ state: 'declined', reason: 'cancelled' });
    // Aborting after the answer changes nothing.
    const late = new AbortController();
    const approved = terminal.authorize(request('r3'), late.signal);
    clock.advance(APPROVAL_MS);
    approvedHold(await approved);
    late.abort();
    expect((await lookup(terminal, 'r3')).state).toBe('open');
  });

  it('captures up to the hold, once; repeats answer the same; release is idempotent', async () => {
    const terminal = makeTerminal(clock);
    const results = [terminal.authorize(request('a', 5_000))];
    clock.advance(APPROVAL_MS);
    results.push(terminal.authorize(request('b', 5_000)));
    clock.advance(APPROVAL_MS);
    const [a, b] = [approvedHold(await results[0]!), approvedHold(await results[1]!)];

    await expect(terminal.capture({ holdId: a.holdId, amountMinor: 5_001 })).rejects.toThrow(/more than the hold/);
    await expect(terminal.capture({ holdId: a.holdId, amountMinor: -1 })).rejects.toThrow(Error);
    await expect(terminal.capture({ holdId: a.holdId, amountMinor: 1.5 })).rejects.toThrow(Error);
    await expect(terminal.capture({ holdId: 'sim-h-404', amountMinor: 1 })).rejects.toThrow(/unknown hold/);
    expect(await terminal.capture({ holdId: a.holdId, amountMinor: 1_234 })).toEqual({ capturedMinor: 1_234 });
    expect(await terminal.capture({ holdId: a.holdId, amountMinor: 1_234 })).toEqual({ capturedMinor: 1_234 });
    expect(await terminal.capture({ holdId: a.holdId, amountMinor: 99 })).toEqual({ capturedMinor: 1_234 });
    expect(await lookup(terminal, 'a')).toEqual({ state: 'captured', hold: a, capturedMinor: 1_234 });
    await terminal.release(a.holdId); // captured: nothing left to release

    await terminal.release(b.holdId);
    await terminal.release(b.holdId);
    expect(await lookup(terminal, 'b')).toEqual({ state: 'released', hold: b });
    await expect(terminal.capture({ holdId: b.holdId, amountMinor: 1 })).rejects.toThrow(/released/);
    await expect(terminal.release('sim-h-404')).rejects.toThrow(/unknown hold/);
    expect(await terminal.openHolds()).toEqual([]);
    expect(terminal.simState().holds.map((h) => [h.holdId, h.state, h.capturedMinor])).toEqual([
      [a.holdId, 'captured', 1_234],
      [b.holdId, 'released', null],
    ]);
  });

  it('rejects malformed requests and options', async () => {
    const terminal = makeTerminal(clock);
    await expect(terminal.authorize({ reference: '', amountMinor: 100, currency: 'EUR' })).rejects.toThrow(TypeError);
    await expect(terminal.authorize({ reference: 'x', amountMinor: 0, currency: 'EUR' })).rejects.toThrow(RangeError);
    await expect(terminal.authorize({ reference: 'x', amountMinor: 100, currency: 'euro' })).rejects.toThrow(TypeError);
    expect(terminal.simState().busy).toBe(false);
    expect(() => makeTerminal(clock, { latencyMs: -1 })).toThrow(RangeError);
    expect(() => makeTerminal(clock, { latencyMs: Number.NaN })).toThrow(RangeError);
    expect(() => makeTerminal(clock, { approvalDelayMs: -1 })).toThrow(RangeError);
  });

  it('after close() every method rejects with DeviceUnavailableError; a waiting caller hears it too', async () => {
    const terminal = makeTerminal(clock);
    const pending = terminal.authorize(request('r1'));
    await terminal.close();
    await expect(pending).rejects.toBeInstanceOf(DeviceUnavailableError);
    expect(clock.pendingTimers()).toBe(0);
    await expect(terminal.authorize(request('r2'))).rejects.toBeInstanceOf(DeviceUnavailableError);
    await expect(lookup(terminal, 'r1')).rejects.toBeInstanceOf(DeviceUnavailableError);
    await expect(terminal.openHolds()).rejects.toBeInstanceOf(DeviceUnavailableError);
    await expect(terminal.release('sim-h-1')).rejects.toBeInstanceOf(DeviceUnavailableError);
    await expect(terminal.capture({ holdId: 'sim-h-1', amountMinor: 1 })).rejects.toBeInstanceOf(DeviceUnavailableError);
  });

  describe('without lookup (a protocol that cannot answer by reference)', () => {
    it('has no lookup method at all; openHolds names each hold by its reference', async () => {
      const terminal = makeTerminal(clock, { supportsLookup: false });
      expect(terminal.lookup).toBeUndefined();
      expect('lookup' in terminal).toBe(false);
      const port: CardTerminal = terminal;
      expect(port.lookup).toBeUndefined();
      const first = terminal.authorize(request('r1', 1_000));
      clock.advance(APPROVAL_MS);
      const second = terminal.authorize(request('r2', 2_000));
      clock.advance(APPROVAL_MS);
      const [a, b] = [approvedHold(await first), approvedHold(await second)];
      const holds = await terminal.openHolds();
      expect(holds).toEqual([a, b]);
      expect(holds.map((hold) => [hold.reference, hold.amountMinor])).toEqual([
        ['r1', 1_000],
        ['r2', 2_000],
      ]);
      expect(typeof makeTerminal(clock).lookup).toBe('function'); // the default can
    });
  });

  describe('with link latency (every call takes latencyMs before the terminal acts and answers)', () => {
    it('authorize: the terminal takes the request after the latency, then the approval delay runs', async () => {
      const terminal = makeTerminal(clock, { latencyMs: LATENCY_MS });
      const events: TerminalEvent[] = [];
      terminal.subscribe((event) => events.push(event));
      const pending = track(terminal.authorize(request('r1')));
      clock.advance(LATENCY_MS - 1);
      await settle();
      expect(events).toEqual([]);
      expect(terminal.simState()).toMatchObject({ busy: false, pendingReference: null });
      clock.advance(1);
      expect(events).toEqual([
        { type: 'busy', busy: true },
        { type: 'prompt', prompt: 'presentCard' },
      ]);
      expect(terminal.simState()).toMatchObject({ busy: true, pendingReference: 'r1' });
      clock.advance(APPROVAL_MS - 1);
      await settle();
      expect(pending.settled()).toBe(false);
      clock.advance(1);
      const hold = approvedHold(await pending.promise);
      expect(hold.authorizedAt).toBe(Date.UTC(2026, 0, 1) + LATENCY_MS + APPROVAL_MS);
    });

    it('busy is answered after the latency too, not joined', async () => {
      const terminal = makeTerminal(clock, { latencyMs: LATENCY_MS });
      const first = terminal.authorize(request('r1'));
      clock.advance(LATENCY_MS);
      const second = track(terminal.authorize(request('r1')));
      clock.advance(LATENCY_MS - 1);
      await settle();
      expect(second.settled()).toBe(false);
      clock.advance(1);
      expect(await second.promise).toEqual({ outcome: 'declined', reason: 'busy' });
      clock.advance(APPROVAL_MS);
      approvedHold(await first);
      expect(terminal.simState().openHolds).toBe(1);
    });

    it('capture and release act after the latency, right before the answer', async () => {
      const terminal = makeTerminal(clock, { latencyMs: LATENCY_MS });
      const results = [terminal.authorize(request('a'))];
      clock.advance(LATENCY_MS + APPROVAL_MS);
      results.push(terminal.authorize(request('b')));
      clock.advance(LATENCY_MS + APPROVAL_MS);
      const [a, b] = [approvedHold(await results[0]!), approvedHold(await results[1]!)];
      const stateOf = (holdId: string): string | undefined => terminal.simState().holds.find((h) => h.holdId === holdId)?.state;

      const capture = track(terminal.capture({ holdId: a.holdId, amountMinor: 700 }));
      const release = track(terminal.release(b.holdId));
      clock.advance(LATENCY_MS - 1);
      await settle();
      expect([capture.settled(), release.settled()]).toEqual([false, false]);
      expect([stateOf(a.holdId), stateOf(b.holdId)]).toEqual(['open', 'open']);
      clock.advance(1);
      expect([stateOf(a.holdId), stateOf(b.holdId)]).toEqual(['captured', 'released']);
      expect(await capture.promise).toEqual({ capturedMinor: 700 });
      await release.promise;
      // A refusal comes after the latency as well.
      const refused = track(terminal.capture({ holdId: b.holdId, amountMinor: 1 }));
      await settle();
      expect(refused.settled()).toBe(false);
      clock.advance(LATENCY_MS);
      await expect(refused.promise).rejects.toThrow(/released/);
    });

    it('lookup and openHolds read the state after the latency', async () => {
      const terminal = makeTerminal(clock, { latencyMs: LATENCY_MS });
      const authorized = terminal.authorize(request('r1'));
      clock.advance(LATENCY_MS + APPROVAL_MS - 10); // the approval lands 10 ms from now
      const found = track(lookup(terminal, 'r1'));
      const open = track(terminal.openHolds());
      clock.advance(LATENCY_MS - 1);
      await settle();
      expect([found.settled(), open.settled()]).toEqual([false, false]);
      clock.advance(1);
      const hold = approvedHold(await authorized);
      expect(await found.promise).toEqual({ state: 'open', hold });
      expect(await open.promise).toEqual([hold]);
    });

    it('closed during the latency: the call rejects and never reaches the terminal', async () => {
      const terminal = makeTerminal(clock, { latencyMs: LATENCY_MS });
      const authorized = terminal.authorize(request('r1'));
      const found = lookup(terminal, 'r1');
      const open = terminal.openHolds();
      const released = terminal.release('sim-h-1');
      clock.advance(LATENCY_MS - 1);
      await terminal.close();
      expect(clock.pendingTimers()).toBe(0);
      for (const call of [authorized, found, open, released]) await expect(call).rejects.toBeInstanceOf(DeviceUnavailableError);
    });
  });

  describe('with a state file (the terminal keeps working while the kiosk restarts)', () => {
    let dir: string;
    let cleanup: () => void;
    let file: string;
    beforeEach(() => {
      ({ dir, cleanup } = tempDir());
      file = path.join(dir, 'terminal.json');
    });
    afterEach(() => cleanup());

    const readFile = (): {
      version: number;
      pending: { reference: string } | null;
      transactions: Array<{ reference: string; outcome: string; reason?: string; holdId?: string }>;
      holds: Array<{ hold: Hold; state: string; capturedMinor: number | null }>;
    } => JSON.parse(fs.readFileSync(file, 'utf8'));

    it('a request under way when the kiosk crashes completes at its due time; the next kiosk finds it by reference and among the open holds', async () => {
      const down = processClock(clock);
      const before = makeTerminal(down.clock, { stateFile: file });
      void before.authorize(request('r1', 4_000)).catch(() => {});
      clock.advance(400);
      down.kill(); // the kiosk process dies; the terminal does not

      const after = makeTerminal(clock, { stateFile: file });
      expect(await lookup(after, 'r1')).toEqual({ state: 'pending' });
      expect(after.simState()).toMatchObject({ busy: true, pendingReference: 'r1' });
      expect(await after.openHolds()).toEqual([]);
      expect(await after.authorize(request('other'))).toEqual({ outcome: 'declined', reason: 'busy' });
      expect(await after.authorize(request('r1', 4_000))).toEqual({ outcome: 'declined', reason: 'busy' }); // not joined
      clock.advance(APPROVAL_MS - 400);
      const found = await lookup(after, 'r1');
      if (found.state !== 'open') throw new Error(`expected an open hold, got ${JSON.stringify(found)}`);
      expect(found.hold).toMatchObject({ reference: 'r1', amountMinor: 4_000, authorizedAt: clock.now() });
      expect(await after.openHolds()).toEqual([found.hold]);
      expect(after.simState()).toMatchObject({ openHolds: 1, busy: false, pendingReference: null });
    });

    it('restarted after the due time: the answer is there at once', async () => {
      const before = makeTerminal(clock, { stateFile: file });
      const first = before.authorize(request('r1'));
      clock.advance(100);
      await before.close();
      await expect(first).rejects.toBeInstanceOf(DeviceUnavailableError);
      clock.advance(60_000);
      const after = makeTerminal(clock, { stateFile: file });
      const found = await lookup(after, 'r1');
      if (found.state !== 'open') throw new Error(`expected an open hold, got ${JSON.stringify(found)}`);
      expect(found.hold.authorizedAt).toBe(Date.UTC(2026, 0, 1) + APPROVAL_MS); // when the bank answered, not when we asked
      expect(await after.openHolds()).toEqual([found.hold]);
      expect(after.simState().openHolds).toBe(1);
    });

    it('a decline outcome chosen before the restart is kept for the pending request', async () => {
      const before = makeTerminal(clock, { stateFile: file });
      before.simSetNextOutcome('insufficientFunds');
      void before.authorize(request('r1')).catch(() => {});
      await before.close();
      const after = makeTerminal(clock, { stateFile: file });
      expect(after.simState().nextOutcome).toBe('insufficientFunds');
      after.simSetNextOutcome('approve'); // too late for r1: it was sent already
      clock.advance(APPROVAL_MS);
      expect(await lookup(after, 'r1')).toEqual({ state: 'declined', reason: 'insufficientFunds' });
    });

    it('holds, captures, the hold counter and repeated references survive a restart', async () => {
      const before = makeTerminal(clock, { stateFile: file });
      const first = before.authorize(request('a'));
      clock.advance(APPROVAL_MS);
      const a = approvedHold(await first);
      await before.capture({ holdId: a.holdId, amountMinor: 700 });
      const again = before.authorize(request('a'));
      clock.advance(APPROVAL_MS);
      const a2 = approvedHold(await again);
      await before.close();
      const after = makeTerminal(clock, { stateFile: file });
      expect(await after.capture({ holdId: a.holdId, amountMinor: 1 })).toEqual({ capturedMinor: 700 });
      expect(await lookup(after, 'a')).toEqual({ state: 'open', hold: a2 });
      const second = after.authorize(request('b'));
      clock.advance(APPROVAL_MS);
      expect(approvedHold(await second).holdId).not.toBe(a.holdId);
      expect(after.simState().holds.map((h) => h.holdId)).toEqual(['sim-h-1', 'sim-h-2', 'sim-h-3']);
    });

    it('every answer is in the file before the caller hears it', async () => {
      const terminal = makeTerminal(clock, { stateFile: file, latencyMs: LATENCY_MS });
      const seen: string[] = [];
      const heard = <T>(promise: Promise<T>, check: () => void): Promise<T> =>
        promise.then((value) => {
          check(); // runs as the caller hears the answer, before anything else can happen
          seen.push('checked');
          return value;
        });

      const approved = heard(terminal.authorize(request('r1')), () => {
        const state = readFile();
        expect(state.pending).toBeNull();
        expect(state.transactions.at(-1)).toEqual({ reference: 'r1', outcome: 'approved', holdId: 'sim-h-1' });
        expect(state.holds[0]?.state).toBe('open');
      });
      clock.advance(LATENCY_MS);
      expect(readFile().pending).toMatchObject({ reference: 'r1' }); // taken: on disk before the card is asked for
      clock.advance(APPROVAL_MS);
      const hold = approvedHold(await approved);

      const captured = heard(terminal.capture({ holdId: hold.holdId, amountMinor: 1_500 }), () => {
        expect(readFile().holds[0]).toMatchObject({ state: 'captured', capturedMinor: 1_500 });
      });
      clock.advance(LATENCY_MS);
      await captured;

      terminal.simSetNextOutcome('decline');
      const declined = heard(terminal.authorize(request('r2')), () => {
        expect(readFile().transactions.at(-1)).toEqual({ reference: 'r2', outcome: 'declined', reason: 'declined' });
      });
      clock.advance(LATENCY_MS + APPROVAL_MS);
      await declined;

      terminal.simSetNextOutcome('approve');
      const controller = new AbortController();
      const cancelled = heard(terminal.authorize(request('r3'), controller.signal), () => {
        expect(readFile().transactions.at(-1)).toEqual({ reference: 'r3', outcome: 'declined', reason: 'cancelled' });
      });
      clock.advance(LATENCY_MS);
      controller.abort();
      await cancelled;

      const other = terminal.authorize(request('r4'));
      clock.advance(LATENCY_MS + APPROVAL_MS);
      const b = approvedHold(await other);
      const released = heard(terminal.release(b.holdId), () => {
        expect(readFile().holds.find((record) => record.hold.holdId === b.holdId)?.state).toBe('released');
      });
      clock.advance(LATENCY_MS);
      await released;
      expect(seen).toHaveLength(5);
      expect(readFile().version).toBe(2);
    });

    it('a kiosk killed during the latency leaves the terminal untouched', async () => {
      const first = processClock(clock);
      const before = makeTerminal(first.clock, { stateFile: file, latencyMs: LATENCY_MS });
      const authorized = before.authorize(request('r1'));
      clock.advance(LATENCY_MS + APPROVAL_MS);
      const hold = approvedHold(await authorized);
      void before.capture({ holdId: hold.holdId, amountMinor: 100 }).catch(() => {});
      void before.authorize(request('r2')).catch(() => {});
      clock.advance(LATENCY_MS - 1);
      first.kill(); // neither call reached the terminal
      clock.advance(LATENCY_MS);

      const after = makeTerminal(clock, { stateFile: file, latencyMs: LATENCY_MS });
      const open = after.openHolds();
      const r1 = lookup(after, 'r1');
      const r2 = lookup(after, 'r2');
      clock.advance(LATENCY_MS);
      expect(await open).toEqual([hold]);
      expect(await r1).toEqual({ state: 'open', hold });
      expect(await r2).toEqual({ state: 'unknown' });
      expect(after.simState()).toMatchObject({ busy: false, openHolds: 1 });
    });

    it('a version-1 file (keys) is migrated to references, not discarded', async () => {
      const start = clock.now();
      const v1Hold = (n: number, key: string, last4: string) => ({
        holdId: `sim-h-${n}`,
        key,
        amountMinor: 1_000 * n,
        currency: 'EUR',
        maskedPan: `**** **** **** ${last4}`,
        brand: 'VISA',
        authorizedAt: start - 10_000,
      });
      fs.writeFileSync(
        file,
        JSON.stringify({
          version: 1,
          nextOutcome: 'decline',
          holdCounter: 2,
          pending: { key: 'k3', amountMinor: 3_000, currency: 'EUR', startedAt: start - 200, dueAt: start + 1_000, outcome: 'approve' },
          answers: [
            { key: 'k0', outcome: 'declined', reason: 'insufficientFunds' },
            { key: 'k1', outcome: 'approved', holdId: 'sim-h-1' },
            { key: 'k2', outcome: 'approved', holdId: 'sim-h-2' },
          ],
          holds: [
            { hold: v1Hold(1, 'k1', '4242'), state: 'open', capturedMinor: null },
            { hold: v1Hold(2, 'k2', '1881'), state: 'captured', capturedMinor: 1_500 },
          ],
        }),
      );
      const terminal = makeTerminal(clock, { stateFile: file });
      const { key: _k1, ...hold1 } = v1Hold(1, 'k1', '4242');
      const { key: _k2, ...hold2 } = v1Hold(2, 'k2', '1881');
      expect(await lookup(terminal, 'k0')).toEqual({ state: 'declined', reason: 'insufficientFunds' });
      expect(await lookup(terminal, 'k1')).toEqual({ state: 'open', hold: { ...hold1, reference: 'k1' } });
      expect(await lookup(terminal, 'k2')).toEqual({ state: 'captured', hold: { ...hold2, reference: 'k2' }, capturedMinor: 1_500 });
      expect(await lookup(terminal, 'k3')).toEqual({ state: 'pending' });
      expect(terminal.simState()).toMatchObject({ nextOutcome: 'decline', busy: true, pendingReference: 'k3', openHolds: 1 });
      expect(fs.readdirSync(dir).some((name) => name.includes('.corrupt-'))).toBe(false);
      // Written back in the new version at once.
      const migrated = readFile();
      expect(migrated.version).toBe(2);
      expect(migrated.pending).toMatchObject({ reference: 'k3' });
      expect(migrated.transactions.map((t) => t.reference)).toEqual(['k0', 'k1', 'k2']);
      expect(migrated.holds.map((record) => record.hold.reference)).toEqual(['k1', 'k2']);
      expect(JSON.stringify(migrated)).not.toContain('"key"');
      // The request it had under way goes on, and the counter goes on from where it was.
      clock.advance(1_000);
      const found = await lookup(terminal, 'k3');
      expect(found).toMatchObject({ state: 'open', hold: { holdId: 'sim-h-3', reference: 'k3', amountMinor: 3_000 } });
    });

    it('never stores a full card number', async () => {
      const terminal = makeTerminal(clock, { stateFile: file });
      for (let i = 0; i < 8; i++) {
        const result = terminal.authorize(request(`r${i}`, 1_000 + i));
        clock.advance(APPROVAL_MS);
        await result;
      }
      const text = fs.readFileSync(file, 'utf8');
      expect(text).toContain('**** **** **** ');
      const strings: string[] = [];
      const walk = (value: unknown): void => {
        if (typeof value === 'string') strings.push(value);
        else if (Array.isArray(value)) value.forEach(walk);
        else if (value && typeof value === 'object') Object.values(value).forEach(walk);
      };
      walk(JSON.parse(text));
      // No string holds more than the 4 digits a receipt may show, however it is spaced.
      for (const value of strings) expect(value.replace(/[\s-]/g, '')).not.toMatch(/\d{5,}/);
    });

    it('a state file with an unmasked card number is refused as corrupt', async () => {
      const before = makeTerminal(clock, { stateFile: file });
      const first = before.authorize(request('r1'));
      clock.advance(APPROVAL_MS);
      await first;
      await before.close();
      fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('**** **** **** 4242', '4242 4242 4242 4242'));
      const after = makeTerminal(clock, { stateFile: file });
      expect(after.simState().holds).toEqual([]);
      expect(fs.readdirSync(dir).some((name) => name.startsWith('terminal.json.corrupt-'))).toBe(true);
    });
  });
});
