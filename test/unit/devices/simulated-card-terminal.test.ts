import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../devices/clock.js';
import type { Clock } from '../../../devices/clock.js';
import { DeviceUnavailableError } from '../../../devices/charger/charger-port.js';
import type { AuthorizeResult, Hold, HoldRequest, TerminalEvent } from '../../../devices/payment/card-terminal-port.js';
import { SimulatedCardTerminal } from '../../../devices/payment/simulated-card-terminal.js';
import type { SimulatedCardTerminalOptions } from '../../../devices/payment/simulated-card-terminal.js';
import { processClock, settle, tempDir } from './helpers.js';

const APPROVAL_MS = 1_200;

function makeTerminal(clock: Clock, options: Partial<SimulatedCardTerminalOptions> = {}): SimulatedCardTerminal {
  return new SimulatedCardTerminal({ clock, approvalDelayMs: APPROVAL_MS, ...options });
}

const request = (key: string, amountMinor = 5_000): HoldRequest => ({ key, amountMinor, currency: 'EUR' });

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
    const pending = track(terminal.authorize(request('k1')));
    expect(events).toEqual([
      { type: 'busy', busy: true },
      { type: 'prompt', prompt: 'presentCard' },
    ]);
    expect(await terminal.lookup('k1')).toEqual({ state: 'pending' });
    clock.advance(APPROVAL_MS - 1);
    await settle();
    expect(pending.settled()).toBe(false);
    clock.advance(1);
    const hold = approvedHold(await pending.promise);
    expect(hold).toEqual({
      holdId: 'sim-h-1',
      key: 'k1',
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
    expect(await terminal.lookup('k1')).toEqual({ state: 'open', hold });
    expect(await terminal.openHolds()).toEqual([hold]);
    expect(terminal.simState()).toMatchObject({ nextOutcome: 'approve', openHolds: 1, busy: false });
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
    expect(await terminal.lookup('d3')).toEqual({ state: 'declined', reason: 'insufficientFunds' });
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
  });

  it('serves one request at a time: a second one is answered busy at once, and may try again later', async () => {
    const terminal = makeTerminal(clock);
    const first = terminal.authorize(request('k1'));
    expect(await terminal.authorize(request('k2'))).toEqual({ outcome: 'declined', reason: 'busy' });
    expect(await terminal.lookup('k2')).toEqual({ state: 'unknown' }); // never taken
    clock.advance(APPROVAL_MS);
    approvedHold(await first);
    const retry = terminal.authorize(request('k2'));
    clock.advance(APPROVAL_MS);
    approvedHold(await retry);
    expect(terminal.simState().openHolds).toBe(2);
  });

  it('a repeated key returns the first answer and never places a second hold', async () => {
    const terminal = makeTerminal(clock);
    const first = terminal.authorize(request('k1'));
    const repeat = terminal.authorize(request('k1')); // while the first is pending: waits for it
    clock.advance(APPROVAL_MS);
    const hold = approvedHold(await first);
    expect(approvedHold(await repeat)).toEqual(hold);
    expect(approvedHold(await terminal.authorize(request('k1', 9_999)))).toEqual(hold);
    expect(terminal.simState().openHolds).toBe(1);
    terminal.simSetNextOutcome('decline');
    const declined = terminal.authorize(request('k2'));
    clock.advance(APPROVAL_MS);
    await declined;
    terminal.simSetNextOutcome('approve');
    expect(await terminal.authorize(request('k2'))).toEqual({ outcome: 'declined', reason: 'declined' });
    expect(terminal.simState().openHolds).toBe(1);
  });

  it('abort while waiting for the card cancels the request, and the terminal remembers', async () => {
    const terminal = makeTerminal(clock);
    const events: TerminalEvent[] = [];
    terminal.subscribe((event) => events.push(event));
    const controller = new AbortController();
    const pending = terminal.authorize(request('k1'), controller.signal);
    clock.advance(500);
    controller.abort();
    expect(await pending).toEqual({ outcome: 'declined', reason: 'cancelled' });
    expect(await terminal.lookup('k1')).toEqual({ state: 'declined', reason: 'cancelled' });
    expect(events.at(-1)).toEqual({ type: 'busy', busy: false });
    expect(clock.pendingTimers()).toBe(0);
    clock.advance(APPROVAL_MS);
    expect(terminal.simState()).toMatchObject({ openHolds: 0, busy: false });
    // An already aborted signal cancels at once.
    expect(await terminal.authorize(request('k2'), AbortSignal.abort())).toEqual({ outcome: 'declined', reason: 'cancelled' });
    // Aborting after the answer changes nothing.
    const late = new AbortController();
    const approved = terminal.authorize(request('k3'), late.signal);
    clock.advance(APPROVAL_MS);
    approvedHold(await approved);
    late.abort();
    expect((await terminal.lookup('k3')).state).toBe('open');
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
    expect(await terminal.lookup('a')).toEqual({ state: 'captured', hold: a, capturedMinor: 1_234 });
    await terminal.release(a.holdId); // captured: nothing left to release

    await terminal.release(b.holdId);
    await terminal.release(b.holdId);
    expect(await terminal.lookup('b')).toEqual({ state: 'released', hold: b });
    await expect(terminal.capture({ holdId: b.holdId, amountMinor: 1 })).rejects.toThrow(/released/);
    await expect(terminal.release('sim-h-404')).rejects.toThrow(/unknown hold/);
    expect(await terminal.openHolds()).toEqual([]);
    expect(terminal.simState().holds.map((h) => [h.holdId, h.state, h.capturedMinor])).toEqual([
      [a.holdId, 'captured', 1_234],
      [b.holdId, 'released', null],
    ]);
  });

  it('rejects malformed requests', async () => {
    const terminal = makeTerminal(clock);
    await expect(terminal.authorize({ key: '', amountMinor: 100, currency: 'EUR' })).rejects.toThrow(TypeError);
    await expect(terminal.authorize({ key: 'x', amountMinor: 0, currency: 'EUR' })).rejects.toThrow(RangeError);
    await expect(terminal.authorize({ key: 'x', amountMinor: 100, currency: 'euro' })).rejects.toThrow(TypeError);
    expect(terminal.simState().busy).toBe(false);
  });

  it('after close() every method rejects with DeviceUnavailableError; a waiting caller hears it too', async () => {
    const terminal = makeTerminal(clock);
    const pending = terminal.authorize(request('k1'));
    await terminal.close();
    await expect(pending).rejects.toBeInstanceOf(DeviceUnavailableError);
    expect(clock.pendingTimers()).toBe(0);
    await expect(terminal.authorize(request('k2'))).rejects.toBeInstanceOf(DeviceUnavailableError);
    await expect(terminal.lookup('k1')).rejects.toBeInstanceOf(DeviceUnavailableError);
    await expect(terminal.openHolds()).rejects.toBeInstanceOf(DeviceUnavailableError);
    await expect(terminal.release('sim-h-1')).rejects.toBeInstanceOf(DeviceUnavailableError);
    await expect(terminal.capture({ holdId: 'sim-h-1', amountMinor: 1 })).rejects.toBeInstanceOf(DeviceUnavailableError);
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

    it('a request under way when the kiosk crashes completes at its due time; the key then answers the SAME hold', async () => {
      const down = processClock(clock);
      const before = makeTerminal(down.clock, { stateFile: file });
      void before.authorize(request('k1', 4_000)).catch(() => {});
      clock.advance(400);
      down.kill(); // the kiosk process dies; the terminal does not

      const after = makeTerminal(clock, { stateFile: file });
      expect(await after.lookup('k1')).toEqual({ state: 'pending' });
      expect(after.simState()).toMatchObject({ busy: true, pendingKey: 'k1' });
      expect(await after.authorize(request('other'))).toEqual({ outcome: 'declined', reason: 'busy' });
      const repeat = after.authorize(request('k1', 4_000)); // waits for the same request
      clock.advance(APPROVAL_MS - 400);
      const hold = approvedHold(await repeat);
      expect(hold).toMatchObject({ key: 'k1', amountMinor: 4_000, authorizedAt: clock.now() });
      const lookup = await after.lookup('k1');
      expect(lookup).toEqual({ state: 'open', hold });
      expect(approvedHold(await after.authorize(request('k1', 4_000)))).toEqual(hold);
      expect(await after.openHolds()).toHaveLength(1);
      expect(after.simState().openHolds).toBe(1);
    });

    it('restarted after the due time: the answer is there at once', async () => {
      const before = makeTerminal(clock, { stateFile: file });
      const first = before.authorize(request('k1'));
      clock.advance(100);
      await before.close();
      await expect(first).rejects.toBeInstanceOf(DeviceUnavailableError);
      clock.advance(60_000);
      const after = makeTerminal(clock, { stateFile: file });
      const lookup = await after.lookup('k1');
      expect(lookup.state).toBe('open');
      const hold = approvedHold(await after.authorize(request('k1')));
      expect(lookup).toEqual({ state: 'open', hold });
      expect(hold.authorizedAt).toBe(Date.UTC(2026, 0, 1) + APPROVAL_MS); // when the bank answered, not when we asked
      expect(after.simState().openHolds).toBe(1);
    });

    it('a decline outcome chosen before the restart is kept for the pending request', async () => {
      const before = makeTerminal(clock, { stateFile: file });
      before.simSetNextOutcome('insufficientFunds');
      void before.authorize(request('k1')).catch(() => {});
      await before.close();
      const after = makeTerminal(clock, { stateFile: file });
      expect(after.simState().nextOutcome).toBe('insufficientFunds');
      after.simSetNextOutcome('approve'); // too late for k1: it was sent already
      clock.advance(APPROVAL_MS);
      expect(await after.lookup('k1')).toEqual({ state: 'declined', reason: 'insufficientFunds' });
    });

    it('holds, captures and the hold counter survive a restart', async () => {
      const before = makeTerminal(clock, { stateFile: file });
      const first = before.authorize(request('a'));
      clock.advance(APPROVAL_MS);
      const a = approvedHold(await first);
      await before.capture({ holdId: a.holdId, amountMinor: 700 });
      await before.close();
      const after = makeTerminal(clock, { stateFile: file });
      expect(await after.capture({ holdId: a.holdId, amountMinor: 1 })).toEqual({ capturedMinor: 700 });
      const second = after.authorize(request('b'));
      clock.advance(APPROVAL_MS);
      expect(approvedHold(await second).holdId).not.toBe(a.holdId);
    });

    it('never stores a full card number', async () => {
      const terminal = makeTerminal(clock, { stateFile: file });
      for (let i = 0; i < 8; i++) {
        const result = terminal.authorize(request(`k${i}`, 1_000 + i));
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
      const first = before.authorize(request('k1'));
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
