// The ZVT driver (ECR side) against the ZVT terminal simulator, in memory, on a manual
// clock: every command, every decline, abort and late approval, and the link going away.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../devices/clock.js';
import { DeviceUnavailableError } from '../../../devices/device-errors.js';
import type { TerminalEvent } from '../../../devices/payment/card-terminal-port.js';
import type { ApduChannel } from '../../../devices/payment/zvt/channel.js';
import { createApduChannelPair } from '../../../devices/payment/zvt/memory-channel.js';
import { MAX_TRACKED, ZVT_CONFIG_BYTE, ZvtCardTerminal, ZvtTimeoutError } from '../../../devices/payment/zvt/zvt-card-terminal.js';
import type { ZvtCardTerminalOptions, ZvtDriverLog } from '../../../devices/payment/zvt/zvt-card-terminal.js';
import { SECOND_SIM_CARD, ZvtTerminalSimulator } from '../../../devices/payment/zvt/zvt-simulator.js';
import type { ZvtSimulatorOptions } from '../../../devices/payment/zvt/zvt-simulator.js';
import { driveClock, flush, passClock } from './zvt-helpers.js';

const PASSWORD = '123456';

/** A log that keeps every line, to check nothing sensitive is in it. */
function recordingLog(): ZvtDriverLog & { lines: string[] } {
  const lines: string[] = [];
  const keep = (object: object, message: string): void => void lines.push(`${message} ${JSON.stringify(object)}`);
  return { lines, debug: keep, info: keep, warn: keep, error: keep };
}


interface Rig {
  clock: ManualClock;
  driver: ZvtCardTerminal;
  simulator: ZvtTerminalSimulator;
  ecrEnd: ApduChannel;
  terminalEnd: ApduChannel;
  events: TerminalEvent[];
  log: ReturnType<typeof recordingLog>;
  /** Moves the clock in steps until `promise` settles (or `limitMs` passed). */
  drive<T>(promise: Promise<T>, limitMs?: number): Promise<T>;
  /** Moves the clock by `ms` in steps, letting messages pass. */
  pass(ms: number): Promise<void>;
}

let dir: string;
const rigs: Rig[] = [];

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zvt-driver-'));
});
afterEach(async () => {
  for (const rig of rigs.splice(0)) {
    await rig.driver.close();
    await rig.simulator.close();
  }
  fs.rmSync(dir, { recursive: true, force: true });
});

async function rig(options: { simulator?: Partial<ZvtSimulatorOptions>; driver?: Partial<ZvtCardTerminalOptions>; clock?: ManualClock; attach?: boolean } = {}): Promise<Rig> {
  const clock = options.clock ?? new ManualClock();
  const [ecrEnd, terminalEnd] = createApduChannelPair();
  const simulator = new ZvtTerminalSimulator({
    channel: terminalEnd,
    clock,
    stateFile: path.join(dir, 'zvt-terminal.json'),
    password: PASSWORD,
    cardDelayMs: 1000,
    hostDelayMs: 500,
    pinDelayMs: 1000,
    cardTimeoutMs: 30_000,
    ...options.simulator,
  });
  const log = recordingLog();
  const driver = new ZvtCardTerminal({ clock, password: PASSWORD, log, ...options.driver });
  const events: TerminalEvent[] = [];
  driver.subscribe((event) => events.push(event));
  const pass = (ms: number): Promise<void> => passClock(clock, ms);
  const drive = <T,>(promise: Promise<T>, limitMs?: number): Promise<T> => driveClock(clock, promise, limitMs);
  const r: Rig = { clock, driver, simulator, ecrEnd, terminalEnd, events, log, drive, pass };
  rigs.push(r);
  if (options.attach ?? true) await drive(driver.attach(ecrEnd));
  return r;
}

const request = (reference: string, amountMinor = 5000) => ({ reference, amountMinor, currency: 'EUR' });

describe('ZVT driver: registration', () => {
  it('registers with its config byte and comes online', async () => {
    const { simulator, driver, events } = await rig();
    expect(driver.online).toBe(true);
    expect(simulator.view()).toMatchObject({ registered: true, configByte: ZVT_CONFIG_BYTE });
    expect(events).toContainEqual({ type: 'online' });
    expect(driver.terminalId).toBe('52523535');
    // Intermediate status, receipts to the ECR (payment and administration), ECR in control, text blocks.
    expect(ZVT_CONFIG_BYTE).toBe(0xbe);
  });

  it('a wrong password leaves it offline, and requests fail as unavailable', async () => {
    const r = await rig({ attach: false, driver: { password: '999999' } });
    await expect(r.drive(r.driver.attach(r.ecrEnd))).rejects.toThrow(/registration.*refused|refused the registration/);
    expect(r.driver.online).toBe(false);
    await expect(r.driver.authorize(request('k1'))).rejects.toBeInstanceOf(DeviceUnavailableError);
    // Never sent: the terminal never received it.
    expect(await r.driver.lookup('k1')).toEqual({ state: 'unknown' });
  });
});

describe('ZVT driver: reservation, booking, reversal', () => {
  it('places a hold with the masked card, the approval code and the terminal receipt, and shows prompts', async () => {
    const { driver, simulator, drive, events } = await rig();
    const result = await drive(driver.authorize(request('s1:authorize:1', 5000)));
    expect(result.outcome).toBe('approved');
    if (result.outcome !== 'approved') return;
    const { hold } = result;
    expect(hold).toMatchObject({ reference: 's1:authorize:1', amountMinor: 5000, currency: 'EUR', maskedPan: '**** **** **** 0001', brand: 'Maestro' });
    expect(hold.authCode).toMatch(/^\d+$/);
    expect(hold.terminalReceipt?.[0]).toContain('Kundenbeleg');
    const reservation = simulator.reservations().at(-1)!;
    expect(reservation).toMatchObject({ state: 'open', amountMinor: 5000, reference: 's1:authorize:1' });
    expect(hold.holdId).toBe(String(reservation.receiptNumber));
    const prompts = events.filter((e) => e.type === 'prompt').map((e) => (e as { prompt: unknown }).prompt);
    expect(prompts).toEqual(expect.arrayContaining(['presentCard', 'processing', 'removeCard', null]));
    expect(await driver.lookup('s1:authorize:1')).toMatchObject({ state: 'open', hold: { holdId: hold.holdId } });
  });

  it('books less than the hold (06 23) and the rest is released; a repeat answers the same', async () => {
    const { driver, simulator, drive } = await rig();
    const result = await drive(driver.authorize(request('s2:authorize:1', 5000)));
    if (result.outcome !== 'approved') throw new Error('not approved');
    // The booking's own receipt number comes with it: a reversal (06 30) names it.
    const booked = { capturedMinor: 1295, receiptNumber: String(simulator.view().lastReceiptNumber + 1) };
    expect(await drive(driver.capture({ holdId: result.hold.holdId, amountMinor: 1295 }))).toEqual(booked);
    expect(simulator.reservations().at(-1)).toMatchObject({ state: 'booked', bookedMinor: 1295, closeReference: 's2:authorize:1:capture', closeReceiptNumber: Number(booked.receiptNumber) });
    expect(await drive(driver.capture({ holdId: result.hold.holdId, amountMinor: 1295 }))).toEqual(booked);
    expect(await driver.lookup('s2:authorize:1')).toMatchObject({ state: 'captured', capturedMinor: 1295 });
  });

  it('a booking repeated by a new process after its answer was lost is taken as booked (06 1E B5)', async () => {
    const first = await rig();
    const result = await first.drive(first.driver.authorize(request('s3:authorize:1')));
    if (result.outcome !== 'approved') throw new Error('not approved');
    await first.drive(first.driver.capture({ holdId: result.hold.holdId, amountMinor: 700 }));
    // A new kiosk process, the same terminal: it knows nothing of the hold but its number.
    await first.driver.close();
    const second = new ZvtCardTerminal({ clock: first.clock, password: PASSWORD });
    const [ecr, term] = createApduChannelPair();
    const simulator = new ZvtTerminalSimulator({ channel: term, clock: first.clock, stateFile: path.join(dir, 'zvt-terminal.json'), password: PASSWORD, hostDelayMs: 500 });
    rigs.push({ ...first, driver: second, simulator });
    await first.drive(second.attach(ecr));
    expect(await first.drive(second.capture({ holdId: result.hold.holdId, amountMinor: 700 }))).toEqual({ capturedMinor: 700 });
    expect(simulator.reservations().filter((r) => r.state === 'booked')).toHaveLength(1);
  });

  it('a capture of 0 reverses the whole reservation (06 25); releasing again is harmless', async () => {
    const { driver, simulator, drive } = await rig();
    const result = await drive(driver.authorize(request('s4:authorize:1')));
    if (result.outcome !== 'approved') throw new Error('not approved');
    expect(await drive(driver.capture({ holdId: result.hold.holdId, amountMinor: 0 }))).toEqual({ capturedMinor: 0 });
    expect(simulator.reservations().at(-1)).toMatchObject({ state: 'reversed' });
    await drive(driver.release(result.hold.holdId));
    expect(await driver.lookup('s4:authorize:1')).toMatchObject({ state: 'released' });
  });

  it('a booking for more than the reservation is refused with the terminal’s reason', async () => {
    const { driver, drive } = await rig();
    const result = await drive(driver.authorize(request('s5:authorize:1', 1000)));
    if (result.outcome !== 'approved') throw new Error('not approved');
    await expect(drive(driver.capture({ holdId: result.hold.holdId, amountMinor: 1001 }))).rejects.toThrow(/ended the booking/);
  });

  it('lists open reservations: its own in full, the others by receipt number only', async () => {
    const first = await rig();
    const earlier = await first.drive(first.driver.authorize(request('old:authorize:1')));
    if (earlier.outcome !== 'approved') throw new Error('not approved');
    const mine = await first.drive(first.driver.authorize(request('new:authorize:1')));
    if (mine.outcome !== 'approved') throw new Error('not approved');
    const fresh = new ZvtCardTerminal({ clock: first.clock, password: PASSWORD });
    await first.driver.close();
    const [ecr, term] = createApduChannelPair();
    await first.simulator.close();
    const simulator = new ZvtTerminalSimulator({ channel: term, clock: first.clock, stateFile: path.join(dir, 'zvt-terminal.json'), password: PASSWORD });
    rigs.push({ ...first, driver: fresh, simulator });
    await first.drive(fresh.attach(ecr));
    const open = await first.drive(fresh.openHolds());
    expect(open).toEqual([
      { holdId: earlier.hold.holdId, reference: null },
      { holdId: mine.hold.holdId, reference: null },
    ]);
    expect(await fresh.lookup('new:authorize:1')).toEqual({ state: 'notTracked' });
    // The first process would have named its own.
    expect(await first.drive(first.driver.openHolds()).catch((e: Error) => e)).toBeInstanceOf(Error); // closed
  });

  it('remembers finished requests only up to a bound, and never forgets an open hold', async () => {
    const { driver, simulator, drive } = await rig({ simulator: { cardDelayMs: 0, hostDelayMs: 0 } });
    const kept = await drive(driver.authorize(request('kept:authorize:1')));
    if (kept.outcome !== 'approved') throw new Error('not approved');
    simulator.setBehaviour('decline');
    for (let i = 0; i < MAX_TRACKED + 20; i++) await drive(driver.authorize(request(`many-${i}:authorize:1`)));
    const tracked = (driver as unknown as { tracked: Map<string, unknown> }).tracked;
    expect(tracked.size).toBeLessThanOrEqual(MAX_TRACKED);
    expect(await driver.lookup('kept:authorize:1')).toMatchObject({ state: 'open' });
    expect(await driver.lookup('many-0:authorize:1')).toEqual({ state: 'notTracked' });
    expect(await drive(driver.openHolds())).toEqual([expect.objectContaining({ holdId: kept.hold.holdId, reference: 'kept:authorize:1' })]);
  });

  it('never sends a reservation twice for one reference, even while the first waits its turn', async () => {
    const { driver, simulator, drive } = await rig();
    const first = driver.authorize(request('once:authorize:1'));
    await expect(driver.authorize(request('once:authorize:1'))).rejects.toThrow(/never sent twice/);
    await drive(first);
    await expect(driver.authorize(request('once:authorize:1'))).rejects.toThrow(/never sent twice/);
    expect(simulator.reservations().filter((r) => r.reference === 'once:authorize:1')).toHaveLength(1);
  });

  it('runs the end of day (06 50) and returns the day total', async () => {
    const { driver, drive } = await rig();
    const result = await drive(driver.authorize(request('eod:authorize:1')));
    if (result.outcome !== 'approved') throw new Error('not approved');
    await drive(driver.capture({ holdId: result.hold.holdId, amountMinor: 2500 }));
    const eod = await drive(driver.endOfDay());
    expect(eod.totalMinor).toBe(2500);
    expect(eod.receipt.join('\n')).toContain('Kassenschnitt');
  });
});

describe('ZVT driver: declines and aborts come back as typed reasons', () => {
  const cases = [
    ['decline', 'declined'],
    ['insufficientFunds', 'insufficientFunds'],
    ['cardExpired', 'cardExpired'],
    ['cardRemoved', 'error'],
    ['busy', 'busy'],
    ['timeout', 'timeout'],
  ] as const;
  for (const [behaviour, reason] of cases) {
    it(`${behaviour} → ${reason}, and nothing is held`, async () => {
      const { driver, simulator, drive } = await rig();
      simulator.setBehaviour(behaviour);
      expect(await drive(driver.authorize(request(`d-${behaviour}:authorize:1`)))).toEqual({ outcome: 'declined', reason });
      expect(simulator.view().openReservations).toBe(0);
      expect(await driver.lookup(`d-${behaviour}:authorize:1`)).toEqual({ state: 'declined', reason });
    });
  }

  it('the host\'s own codes read as their reasons: incorrect PIN (55) → pinRequired, insufficient funds (51)', async () => {
    const { driver, simulator, drive } = await rig();
    simulator.setBehaviour({ kind: 'decline', resultCode: 0x55 });
    expect(await drive(driver.authorize(request('pin55:authorize:1')))).toEqual({ outcome: 'declined', reason: 'pinRequired' });
    simulator.setBehaviour({ kind: 'decline', resultCode: 0x51 });
    expect(await drive(driver.authorize(request('nsf:authorize:1')))).toEqual({ outcome: 'declined', reason: 'insufficientFunds' });
  });

  it('a PIN is asked for on the terminal, then approved', async () => {
    const { driver, simulator, drive, events } = await rig();
    simulator.setBehaviour('pin');
    expect((await drive(driver.authorize(request('pin:authorize:1')))).outcome).toBe('approved');
    expect(events).toContainEqual({ type: 'prompt', prompt: 'enterPin' });
  });

  it('aborting while the terminal waits for the card sends 06 B0: cancelled, nothing held', async () => {
    const { driver, simulator, drive, pass } = await rig({ simulator: { cardDelayMs: 20_000 } });
    const cancel = new AbortController();
    const pending = driver.authorize(request('ab:authorize:1'), cancel.signal);
    await pass(2000);
    expect(simulator.view().phase).toBe('presentCard');
    cancel.abort();
    expect(await drive(pending)).toEqual({ outcome: 'declined', reason: 'cancelled' });
    expect(simulator.journal().map((e) => e.event)).toContain('abortAccepted');
    expect(simulator.view().openReservations).toBe(0);
  });

  it('an abort the terminal refuses: the approval that follows is returned, for the brain to release', async () => {
    const { driver, simulator, drive, pass } = await rig();
    simulator.setBehaviour({ kind: 'lateApproval', delayMs: 3000 });
    const cancel = new AbortController();
    const pending = driver.authorize(request('late:authorize:1'), cancel.signal);
    await pass(300);
    cancel.abort();
    const result = await drive(pending);
    expect(result.outcome).toBe('approved');
    expect(simulator.journal().map((e) => e.event)).toContain('abortRefused');
  });

  it('a reservation past its deadline: the caller hears a timeout, and an approval that comes later is reversed at once', async () => {
    const { driver, simulator, drive, pass } = await rig({ driver: { reservationTimeoutMs: 1200 } });
    simulator.setBehaviour({ kind: 'lateApproval', delayMs: 10_000 });
    const pending = driver.authorize(request('gone:authorize:1'));
    await expect(drive(pending)).rejects.toBeInstanceOf(ZvtTimeoutError);
    expect(await driver.lookup('gone:authorize:1')).toEqual({ state: 'pending' });
    // The terminal refused the abort and approves later; the driver reverses it.
    await pass(20_000);
    await simulator.idle();
    await pass(2_000);
    expect(simulator.reservations().at(-1)).toMatchObject({ reference: 'gone:authorize:1', state: 'reversed' });
    expect(await driver.lookup('gone:authorize:1')).toMatchObject({ state: 'released' });
    expect(driver.stats.lateApprovalsReversed).toBe(1);
  });

  it('the next command waits for a reservation still followed after its deadline', async () => {
    const { driver, simulator, drive, pass } = await rig({ driver: { reservationTimeoutMs: 1200 } });
    simulator.setBehaviour({ kind: 'lateApproval', delayMs: 5000 });
    await expect(drive(driver.authorize(request('q:authorize:1')))).rejects.toBeInstanceOf(ZvtTimeoutError);
    const listing = driver.openHolds();
    await pass(30_000);
    const open = await drive(listing);
    // Listed after the late approval was reversed: nothing open, nothing refused as busy.
    expect(open).toEqual([]);
    expect(simulator.journal().map((e) => e.event)).not.toContain('refusedBusy');
  });
});

describe('ZVT driver: money given back (06 30 reversal, 06 31 refund)', () => {
  /** A hold booked for `amountMinor`: the booking's receipt number, as the brain journals it. */
  async function booked(r: Rig, reference: string, amountMinor = 1295): Promise<string> {
    const held = await r.drive(r.driver.authorize(request(`${reference}:authorize:1`)));
    if (held.outcome !== 'approved') throw new Error('not approved');
    const capture = await r.drive(r.driver.capture({ holdId: held.hold.holdId, amountMinor }));
    return capture.receiptNumber!;
  }
  const refund = (reference: string, amountMinor = 1295, receiptNumber?: string) => ({ reference, amountMinor, currency: 'EUR', ...(receiptNumber ? { receiptNumber } : {}) });
  const prompts = (events: TerminalEvent[]) => events.flatMap((e) => (e.type === 'prompt' && e.prompt ? [e.prompt] : []));

  it('the whole of a booking of the day is reversed by its receipt number: no card asked for', async () => {
    const r = await rig();
    const receiptNumber = await booked(r, 'rv');
    r.events.length = 0;
    const result = await r.drive(r.driver.refund(refund('rv:refund:1', 1295, receiptNumber)));
    expect(result).toMatchObject({ outcome: 'refunded', refund: { kind: 'reversal', refundedMinor: 1295, receiptNumber: expect.stringMatching(/^\d+$/) } });
    if (result.outcome !== 'refunded') return;
    expect(result.refund.receiptNumber).not.toBe(receiptNumber);
    expect(result.refund.terminalReceipt?.join('\n')).toContain('Storno');
    expect(r.simulator.refunds()).toMatchObject([{ kind: 'reversal', originalReceiptNumber: Number(receiptNumber), amountMinor: 1295, card: null }]);
    expect(prompts(r.events)).not.toContain('presentCard');
    // The day's total no longer has it.
    expect(r.simulator.view().dayTotalMinor).toBe(0);
  });

  it('after the end of day the terminal cannot reverse (06 1E B5): the driver refunds to the card instead', async () => {
    const r = await rig();
    const receiptNumber = await booked(r, 'eod');
    await r.drive(r.driver.endOfDay());
    r.events.length = 0;
    const result = await r.drive(r.driver.refund(refund('eod:refund:1', 1295, receiptNumber)));
    expect(result).toMatchObject({ outcome: 'refunded', refund: { kind: 'refund', refundedMinor: 1295, maskedPan: '**** **** **** 0001' } });
    expect(r.simulator.journal().map((e) => [e.event, e.resultCode])).toEqual(expect.arrayContaining([['reversalRefused', 0xb5], ['refund', 0]]));
    expect(r.simulator.refunds()).toMatchObject([{ kind: 'refund', amountMinor: 1295, originalReceiptNumber: null }]);
    expect(prompts(r.events)).toContain('presentCard');
  });

  it('part of a payment, or without a receipt number, is a refund (06 31) to the card the terminal asks for', async () => {
    const r = await rig();
    const receiptNumber = await booked(r, 'part');
    const result = await r.drive(r.driver.refund(refund('part:refund:1', 300)));
    expect(result).toMatchObject({ outcome: 'refunded', refund: { kind: 'refund', refundedMinor: 300, maskedPan: '**** **** **** 0001' } });
    if (result.outcome !== 'refunded') return;
    expect(result.refund.terminalReceipt?.join('\n')).toContain('Gutschrift');
    expect(r.simulator.journal().map((e) => e.event)).not.toContain('reversalRequest');
    // The booking itself stays as it was.
    expect(r.simulator.reservations().find((b) => b.closeReceiptNumber === Number(receiptNumber))).toMatchObject({ state: 'booked', bookedMinor: 1295 });
  });

  it('a booking is reversed once: asked again, the terminal says already reversed and nothing more moves', async () => {
    const r = await rig();
    const receiptNumber = await booked(r, 'twice');
    expect((await r.drive(r.driver.refund(refund('twice:refund:1', 1295, receiptNumber)))).outcome).toBe('refunded');
    expect(await r.drive(r.driver.refund(refund('twice:refund:2', 1295, receiptNumber)))).toMatchObject({ outcome: 'refused', reason: 'error', message: expect.stringMatching(/already reversed/) });
    expect(r.simulator.refunds()).toHaveLength(1);
  });

  it('a terminal without refunds answers 84 83 00: not supported, nothing moved', async () => {
    const r = await rig({ simulator: { supportsRefund: false } });
    expect(await r.drive(r.driver.refund(refund('none:refund:1', 100)))).toMatchObject({ outcome: 'refused', reason: 'notSupported' });
    expect(r.simulator.journal().map((e) => e.event)).toContain('unsupportedCommand');
    expect(r.simulator.refunds()).toEqual([]);
  });

  it('a terminal without reversals: the refund goes to the card', async () => {
    const r = await rig({ simulator: { supportsReversal: false } });
    const receiptNumber = await booked(r, 'norev');
    expect(await r.drive(r.driver.refund(refund('norev:refund:1', 1295, receiptNumber)))).toMatchObject({ outcome: 'refunded', refund: { kind: 'refund' } });
  });

  it('declined by the host, or no card within the terminal’s card time: refused with the reason, nothing moved', async () => {
    const r = await rig();
    r.simulator.setBehaviour('decline');
    expect(await r.drive(r.driver.refund(refund('dec:refund:1', 100)))).toMatchObject({ outcome: 'refused', reason: 'declined', message: expect.stringMatching(/declined/) });
    r.simulator.setBehaviour('timeout');
    expect(await r.drive(r.driver.refund(refund('nocard:refund:1', 100)))).toMatchObject({ outcome: 'refused', reason: 'noCard' });
    r.simulator.setBehaviour('busy');
    expect(await r.drive(r.driver.refund(refund('busy:refund:1', 100)))).toMatchObject({ outcome: 'refused', reason: 'busy' });
    expect(r.simulator.refunds()).toEqual([]);
  });

  it('a slow card is waited for, the screen shown the prompt; aborting while it waits cancels', async () => {
    const r = await rig({ simulator: { cardDelayMs: 40_000 } });
    r.events.length = 0;
    const slow = r.driver.refund(refund('slow:refund:1', 250));
    await r.pass(20_000);
    expect(r.simulator.view().phase).toBe('presentCard');
    expect(prompts(r.events)).toContain('presentCard');
    expect(await r.drive(slow)).toMatchObject({ outcome: 'refunded', refund: { refundedMinor: 250 } });
    const cancel = new AbortController();
    const cancelled = r.driver.refund(refund('ab:refund:1', 250), cancel.signal);
    await r.pass(2000);
    cancel.abort();
    expect(await r.drive(cancelled)).toMatchObject({ outcome: 'refused', reason: 'cancelled' });
    expect(r.simulator.refunds()).toHaveLength(1);
  });

  it('no answer in time: the outcome is not known, so it rejects; the late end is logged and the reference is never sent again', async () => {
    const r = await rig({ driver: { reservationTimeoutMs: 5000 }, simulator: { cardDelayMs: 8000 } });
    r.simulator.setBehaviour({ kind: 'lateApproval', delayMs: 4000 });
    await expect(r.drive(r.driver.refund(refund('late:refund:1', 400)))).rejects.toBeInstanceOf(ZvtTimeoutError);
    await r.pass(20_000);
    await r.simulator.idle();
    await r.pass(1000);
    // The terminal refused the abort and refunded after all: money moved that the caller was not told of.
    expect(r.simulator.refunds()).toMatchObject([{ kind: 'refund', amountMinor: 400 }]);
    expect(r.log.lines.some((l) => l.includes('a refund ended after its caller was told') && l.includes('"outcome":"refunded"'))).toBe(true);
    await expect(r.driver.refund(refund('late:refund:1', 400))).rejects.toThrow(/never sent twice/);
  });

  it('the link going while the terminal waits for the card: rejected as unavailable, not a refusal', async () => {
    const r = await rig({ simulator: { cardDelayMs: 20_000 } });
    const pending = r.driver.refund(refund('cut:refund:1', 100));
    await r.pass(1000);
    await r.ecrEnd.close();
    await expect(r.drive(pending)).rejects.toBeInstanceOf(DeviceUnavailableError);
  });

  it('what never reaches the terminal is refused, not left unknown: a request ZVT cannot carry, a terminal offline', async () => {
    const r = await rig();
    expect(await r.driver.refund({ reference: 'x', amountMinor: 100, currency: 'CHF' })).toMatchObject({ outcome: 'refused', reason: 'error', message: expect.stringMatching(/registered for EUR/) });
    expect(await r.driver.refund({ reference: 'y', amountMinor: 0, currency: 'EUR' })).toMatchObject({ outcome: 'refused', reason: 'error', message: expect.stringMatching(/refund: amount/) });
    expect(r.simulator.journal().map((e) => e.event)).not.toContain('request');
    await r.ecrEnd.close();
    expect(await r.driver.refund(refund('offline:refund:1', 100))).toMatchObject({ outcome: 'refused', reason: 'unavailable', message: expect.stringMatching(/unavailable/) });
  });
});

describe('ZVT driver: the link', () => {
  it('the link going mid-reservation fails the request as unavailable; its end is then not tracked', async () => {
    const { driver, ecrEnd, drive, pass, events } = await rig({ simulator: { cardDelayMs: 20_000 } });
    const pending = driver.authorize(request('cut:authorize:1'));
    await pass(1000);
    await ecrEnd.close();
    await expect(drive(pending)).rejects.toBeInstanceOf(DeviceUnavailableError);
    expect(events).toContainEqual(expect.objectContaining({ type: 'offline' }));
    expect(await driver.lookup('cut:authorize:1')).toEqual({ state: 'notTracked' });
    await expect(driver.authorize(request('after:authorize:1'))).rejects.toBeInstanceOf(DeviceUnavailableError);
  });

  it('a terminal that never answers: the command times out and says so', async () => {
    const clock = new ManualClock();
    const [ecrEnd] = createApduChannelPair();
    const driver = new ZvtCardTerminal({ clock, password: PASSWORD, answerTimeoutMs: 1000 });
    const attach = driver.attach(ecrEnd);
    attach.catch(() => {});
    await flush();
    clock.advance(1000);
    await expect(attach).rejects.toThrow(/did not answer the registration within 1000 ms/);
    await driver.close();
  });

  it('logs class, instruction and result codes, never card digits or APDU bytes', async () => {
    const { driver, simulator, drive, log } = await rig();
    const result = await drive(driver.authorize(request('pci:authorize:1')));
    if (result.outcome !== 'approved') throw new Error('not approved');
    simulator.setBehaviour('decline');
    await drive(driver.authorize(request('pci:authorize:2')));
    await drive(driver.capture({ holdId: result.hold.holdId, amountMinor: 100 }));
    const all = log.lines.join('\n');
    expect(all.length).toBeGreaterThan(0);
    expect(all).not.toMatch(/672559/); // the simulated card's BIN
    expect(all).not.toMatch(/0001\b/); // nor its last digits
    expect(all).not.toMatch(/[0-9a-f]{16,}/i); // nor any hex dump
    expect(JSON.stringify(result.hold)).not.toMatch(/672559/);
  });
});

describe('ZVT driver: reading a card (06 C0) for tap to start and stop by the same card', () => {

  it('reads a tapped card as a token: the same card as its hold, another card another token, never the PAN', async () => {
    const { driver, simulator, drive, pass } = await rig();
    const held = await drive(driver.authorize(request('tok:authorize:1')));
    if (held.outcome !== 'approved') throw new Error('not approved');
    expect(held.hold.cardToken).toMatch(/^[0-9a-f]{32}$/);

    const first = driver.readCard();
    await pass(500);
    expect(simulator.tap()).toBe(true);
    const read = await drive(first);
    expect(read).toEqual({ cardToken: held.hold.cardToken, maskedPan: '**** **** **** 0001', brand: 'Maestro' });

    simulator.setCard(SECOND_SIM_CARD);
    const second = driver.readCard();
    await pass(500);
    simulator.tap();
    const other = await drive(second);
    expect(other?.cardToken).not.toBe(held.hold.cardToken);
    expect(other?.maskedPan).toBe('**** **** **** 0119');
    expect(JSON.stringify([read, other])).not.toMatch(/672559|476173/);
  });

  it('tokens are keyed per station: another key, another token for the same card', async () => {
    const a = await rig({ driver: { cardTokenKey: 'station-a' } });
    const held = await a.drive(a.driver.authorize(request('key:authorize:1')));
    const b = new ZvtCardTerminal({ clock: a.clock, password: PASSWORD, cardTokenKey: 'station-b' });
    await a.driver.close();
    const [ecr, term] = createApduChannelPair();
    await a.simulator.close();
    const simulator = new ZvtTerminalSimulator({ channel: term, clock: a.clock, password: PASSWORD });
    rigs.push({ ...a, driver: b, simulator });
    await a.drive(b.attach(ecr));
    const reading = b.readCard();
    await a.pass(300);
    simulator.tap();
    const read = await a.drive(reading);
    expect(held.outcome === 'approved' && held.hold.cardToken).toBeTruthy();
    expect(read?.cardToken).not.toBe(held.outcome === 'approved' ? held.hold.cardToken : '');
  });

  it('a waiting card read is no business of the screen, and any payment request ends it first', async () => {
    const { driver, simulator, drive, pass, events } = await rig();
    events.length = 0;
    const reading = driver.readCard();
    await pass(1000);
    expect(simulator.view().busy).toBe(true);
    // No busy and no prompt while the terminal merely waits for a tap.
    expect(events).toEqual([]);
    const held = driver.authorize(request('pre:authorize:1'));
    expect(await drive(reading)).toBeNull();
    expect((await drive(held)).outcome).toBe('approved');
    expect(simulator.journal().map((e) => e.event)).toEqual(expect.arrayContaining(['readCardRequest', 'abortAccepted', 'reservation']));
  });

  it('no card within the read card’s time: null, and it can wait again', async () => {
    const { driver, simulator, drive, pass } = await rig();
    expect(await drive(driver.readCard())).toBeNull();
    const again = driver.readCard();
    await pass(200);
    simulator.tap();
    expect(await drive(again)).toMatchObject({ maskedPan: '**** **** **** 0001' });
  });
});
