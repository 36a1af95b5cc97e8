import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../devices/clock.js';
import type { ApduChannel } from '../../../devices/payment/zvt/channel.js';
import {
  buildAbort,
  buildAck,
  buildEndOfDay,
  buildOpenReservationsQuery,
  buildPartialReversal,
  buildRefund,
  buildRegistration,
  buildReservation,
  buildReservationReversal,
  buildReversal,
  buildStatusEnquiry,
  merchantReferenceTlv,
  parseTerminalMessage,
} from '../../../devices/payment/zvt/messages.js';
import type { StatusInformation, TerminalAbort, TerminalMessage, TextBlock } from '../../../devices/payment/zvt/messages.js';
import { ZvtSimCode, ZvtTerminalSimulator } from '../../../devices/payment/zvt/zvt-simulator.js';
import type { ZvtSimulatorOptions } from '../../../devices/payment/zvt/zvt-simulator.js';

// ---- An in-test channel pair: each send reaches the peer in a later turn (setImmediate). ----

class TestChannel implements ApduChannel {
  peer!: TestChannel;
  closed = false;
  /** Called synchronously when this side sends, before delivery (to look at the state file then). */
  onSend: ((apdu: Uint8Array) => void) | null = null;
  private readonly listeners = new Set<(apdu: Uint8Array) => void>();
  private readonly closeListeners = new Set<(reason: string) => void>();

  send(apdu: Uint8Array): Promise<void> {
    if (this.closed) return Promise.reject(new Error('channel closed'));
    this.onSend?.(apdu);
    const copy = apdu.slice();
    setImmediate(() => {
      for (const listener of [...this.peer.listeners]) listener(copy);
    });
    return Promise.resolve();
  }

  onApdu(listener: (apdu: Uint8Array) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onClose(listener: (reason: string) => void): () => void {
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  close(): Promise<void> {
    for (const side of [this, this.peer]) {
      if (side.closed) continue;
      side.closed = true;
      for (const listener of [...side.closeListeners]) listener('closed');
    }
    return Promise.resolve();
  }
}

function channelPair(): { ecrSide: TestChannel; terminalSide: TestChannel } {
  const ecrSide = new TestChannel();
  const terminalSide = new TestChannel();
  ecrSide.peer = terminalSide;
  terminalSide.peer = ecrSide;
  return { ecrSide, terminalSide };
}

const hex2 = (n: number): string => n.toString(16).toUpperCase().padStart(2, '0');

/** A short name of a terminal APDU: '80', '84:9C', '04FF:0A', '040F', '061E:6C', '06D3' … */
function label(apdu: Uint8Array): string {
  const head = hex2(apdu[0]!) + hex2(apdu[1]!);
  if (apdu[0] === 0x80) return '80';
  if (apdu[0] === 0x84) return `84:${hex2(apdu[1]!)}`;
  if (head === '04FF' || head === '061E') return `${head}:${hex2(apdu[3]!)}`;
  return head;
}

/** The scripted ECR: sends requests with the codec's builders, acks every terminal message (unless told not to). */
class Ecr {
  received: Uint8Array[] = [];
  autoAck = true;
  /** Messages (by label) the ECR leaves unanswered, as an ECR that died would. */
  noAckFor: ReadonlySet<string> = new Set();
  constructor(readonly channel: TestChannel) {
    channel.onApdu((apdu) => {
      this.received.push(apdu);
      if (this.autoAck && apdu[0] !== 0x80 && apdu[0] !== 0x84 && !this.noAckFor.has(label(apdu))) void channel.send(buildAck());
    });
  }
  send(apdu: Uint8Array): Promise<void> {
    return this.channel.send(apdu);
  }
  labels(): string[] {
    return this.received.map(label);
  }
  messages(): TerminalMessage[] {
    return this.received.map((apdu) => {
      const message = parseTerminalMessage(apdu);
      if (message.kind === 'error') throw new Error(`unreadable terminal message: ${message.error.message}`);
      return message;
    });
  }
  last(): string | undefined {
    return this.labels().at(-1);
  }
  /** Forgets what was received so far. */
  clear(): void {
    this.received = [];
  }
  statusInformation(): StatusInformation {
    const found = this.messages().filter((m): m is StatusInformation => m.kind === 'statusInformation');
    if (found.length !== 1) throw new Error(`expected one 04 0F, got ${found.length}`);
    return found[0]!;
  }
  abort(): TerminalAbort {
    const found = this.messages().filter((m): m is TerminalAbort => m.kind === 'abort');
    if (found.length !== 1) throw new Error(`expected one 06 1E, got ${found.length}`);
    return found[0]!;
  }
}

const flush = async (): Promise<void> => {
  for (let i = 0; i < 4; i++) await new Promise<void>((resolve) => setImmediate(resolve));
};

describe('ZvtTerminalSimulator', () => {
  let clock: ManualClock;
  let dir: string;
  let stateFile: string;
  let sims: ZvtTerminalSimulator[];

  beforeEach(() => {
    clock = new ManualClock(Date.UTC(2026, 3, 5, 22, 55, 58));
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zvt-sim-'));
    stateFile = path.join(dir, 'zvt-terminal.json');
    sims = [];
  });
  afterEach(async () => {
    for (const sim of sims) await sim.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  function setup(options: Partial<ZvtSimulatorOptions> = {}): { sim: ZvtTerminalSimulator; ecr: Ecr; terminalSide: TestChannel } {
    const { ecrSide, terminalSide } = channelPair();
    const sim = new ZvtTerminalSimulator({ channel: terminalSide, clock, stateFile, cardDelayMs: 1_000, ...options });
    sims.push(sim);
    return { sim, ecr: new Ecr(ecrSide), terminalSide };
  }

  /** Lets the channel deliver and the clock run, `step` ms at a time, until `done` holds. */
  async function runUntil(done: () => boolean, maxMs = 120_000, step = 100): Promise<void> {
    for (let t = 0; ; t += step) {
      await flush();
      if (done()) return;
      if (t > maxMs) throw new Error(`still waiting after ${maxMs} ms`);
      clock.advance(step);
    }
  }

  /** Runs until the terminal has ended the command (06 0F, 06 1E, or a lone 80 / 84 answer) and is idle. */
  async function runToEnd(sim: ZvtTerminalSimulator, ecr: Ecr, maxMs?: number): Promise<void> {
    await runUntil(() => ecr.received.length > 0 && !sim.view().busy, maxMs);
  }

  async function register(sim: ZvtTerminalSimulator, ecr: Ecr, configByte = 0x08): Promise<void> {
    ecr.clear();
    await ecr.send(buildRegistration({ password: '123456', configByte }));
    await runToEnd(sim, ecr);
    expect(ecr.labels()).toEqual(['80', '060F']);
    ecr.clear();
  }

  async function reserve(sim: ZvtTerminalSimulator, ecr: Ecr, amountMinor: number, reference?: string): Promise<StatusInformation> {
    ecr.clear();
    await ecr.send(buildReservation({ amountMinor, tlv: reference ? merchantReferenceTlv(reference) : null }));
    await runToEnd(sim, ecr);
    expect(ecr.last()).toBe('060F');
    return ecr.statusInformation();
  }

  describe('registration', () => {
    it('accepts the right password: 80 00 00, then a completion with the terminal id', async () => {
      const { sim, ecr } = setup();
      await ecr.send(buildRegistration({ password: '123456', configByte: 0xba }));
      await runToEnd(sim, ecr);
      expect(ecr.labels()).toEqual(['80', '060F']);
      const completion = ecr.messages()[1]!;
      expect(completion).toMatchObject({ kind: 'completion', terminalId: '52523535', currency: 978 });
      expect(sim.view()).toMatchObject({ registered: true, configByte: 0xba });
    });

    it('refuses a wrong password with 84 xx 00 and stays unregistered', async () => {
      const { sim, ecr } = setup();
      await ecr.send(buildRegistration({ password: '654321', configByte: 0xba }));
      await runToEnd(sim, ecr);
      expect(ecr.labels()).toEqual([`84:${hex2(ZvtSimCode.FUNCTION_NOT_POSSIBLE)}`]);
      expect(sim.view().registered).toBe(false);
    });
  });

  describe('reservation', () => {
    it('approves with the full sequence, each message waiting for the ECR ack; the PAN masked to BIN + last 4', async () => {
      const { sim, ecr } = setup();
      await register(sim, ecr, 0x08);
      ecr.autoAck = false;
      await ecr.send(buildReservation({ amountMinor: 2_500, tlv: merchantReferenceTlv('sess-1') }));
      // Without the ECR's acks the terminal goes no further than its first message.
      await runUntil(() => ecr.received.length >= 2);
      clock.advance(1_000);
      await flush();
      expect(ecr.labels()).toEqual(['80', '04FF:0A']);
      await ecr.send(buildAck());
      ecr.autoAck = true;
      await runToEnd(sim, ecr);
      expect(ecr.labels()).toEqual(['80', '04FF:0A', '04FF:17', '04FF:0B', '040F', '060F']);
      const status = ecr.statusInformation();
      expect(status).toMatchObject({ resultCode: 0, amountMinor: 2_500, currency: 978, terminalId: '52523535', cardName: 'Maestro', cardType: 46 });
      expect(status.card).toEqual({ masked: '672559*********0001', bin: '672559', last4: '0001', length: 19 });
      expect(status.receiptNumber).toBe(1);
      expect(status.traceNumber).toBe(1);
      expect(status.date).toEqual({ month: 4, day: 5 });
      expect(sim.reservations()).toMatchObject([{ receiptNumber: 1, amountMinor: 2_500, state: 'open', reference: 'sess-1', card: '672559*********0001' }]);
      expect(sim.view().openReservations).toBe(1);
      // The full PAN is nowhere: not in the state file, not in any APDU.
      const file = fs.readFileSync(stateFile, 'utf8');
      expect(file).not.toMatch(/672559\d{9}0001/);
      expect(Buffer.concat(ecr.received).toString('hex')).toContain('672559eeeeeeeee0001f');
    });

    it('sends receipts only when the config byte asks: text blocks with 0x80, print lines without', async () => {
      const { sim, ecr } = setup();
      await register(sim, ecr, 0xba);
      await reserve(sim, ecr, 1_000);
      expect(ecr.labels()).toEqual(['80', '04FF:0A', '04FF:17', '04FF:0B', '040F', '06D3', '06D3', '060F']);
      const blocks = ecr.messages().filter((m): m is TextBlock => m.kind === 'textBlock');
      expect(blocks.map((b) => b.receiptType)).toEqual([1, 2]);
      expect(blocks[1]!.lines.join('\n')).toContain('xxxxxxxxxxxxxxx0001');

      await register(sim, ecr, 0x0a);
      await reserve(sim, ecr, 1_000);
      expect(ecr.labels().filter((l) => l === '06D1').length).toBeGreaterThan(4);
      expect(ecr.labels()).not.toContain('06D3');

      await register(sim, ecr, 0x00);
      await reserve(sim, ecr, 1_000);
      expect(ecr.labels()).toEqual(['80', '040F', '060F']);
    });

    it('has no idempotency: a resent reservation places a second one, each with its reference', async () => {
      const { sim, ecr } = setup();
      await register(sim, ecr);
      const first = await reserve(sim, ecr, 2_500, 'req-A');
      const second = await reserve(sim, ecr, 2_500, 'req-A');
      expect(second.receiptNumber).not.toBe(first.receiptNumber);
      expect(sim.reservations().map((r) => [r.receiptNumber, r.reference, r.state])).toEqual([
        [first.receiptNumber, 'req-A', 'open'],
        [second.receiptNumber, 'req-A', 'open'],
      ]);
    });

    it('writes the state file before the 04 0F and the 06 0F that report the reservation', async () => {
      const { sim, ecr, terminalSide } = setup();
      await register(sim, ecr);
      const seen: Record<string, unknown[]> = {};
      terminalSide.onSend = (apdu) => {
        const name = label(apdu);
        if (name === '040F' || name === '060F') {
          const state = JSON.parse(fs.readFileSync(stateFile, 'utf8')) as { reservations: unknown[] };
          seen[name] = state.reservations;
        }
      };
      await reserve(sim, ecr, 4_200, 'durable');
      expect(seen['040F']).toMatchObject([{ amountMinor: 4_200, state: 'open', reference: 'durable' }]);
      expect(seen['060F']).toMatchObject([{ amountMinor: 4_200, state: 'open', reference: 'durable' }]);
    });

    it('refuses a command while one runs with 84 9C 00', async () => {
      const { sim, ecr } = setup();
      await register(sim, ecr);
      await ecr.send(buildReservation({ amountMinor: 100 }));
      await runUntil(() => ecr.labels().includes('04FF:0A'));
      await ecr.send(buildReservation({ amountMinor: 200 }));
      await runToEnd(sim, ecr);
      expect(ecr.labels()).toContain('84:9C');
      expect(sim.reservations()).toHaveLength(1);
    });
  });

  describe('behaviours', () => {
    const declines = [
      ['decline', 0x05],
      ['insufficientFunds', 0x51],
      ['cardExpired', 0x54],
    ] as const;
    for (const [behaviour, code] of declines) {
      it(`${behaviour}: status information with result ${hex2(code)}, then 06 1E ${hex2(code)}; no reservation`, async () => {
        const { sim, ecr } = setup();
        await register(sim, ecr);
        sim.setBehaviour(behaviour);
        await ecr.send(buildReservation({ amountMinor: 2_500 }));
        await runToEnd(sim, ecr);
        expect(ecr.labels()).toEqual(['80', '04FF:0A', '04FF:17', '04FF:1D', '040F', `061E:${hex2(code)}`]);
        expect(ecr.statusInformation().resultCode).toBe(code);
        expect(ecr.abort().resultCode).toBe(code);
        expect(sim.reservations()).toEqual([]);
      });
    }

    it('decline with a result code of its own', async () => {
      const { sim, ecr } = setup();
      await register(sim, ecr);
      sim.setBehaviour({ kind: 'decline', resultCode: 0x62 });
      await ecr.send(buildReservation({ amountMinor: 2_500 }));
      await runToEnd(sim, ecr);
      expect(ecr.last()).toBe('061E:62');
    });

    it('pin: asks for the PIN, then approves', async () => {
      const { sim, ecr } = setup();
      await register(sim, ecr);
      sim.setBehaviour('pin');
      await reserve(sim, ecr, 3_000);
      expect(ecr.labels()).toEqual(['80', '04FF:0A', '04FF:01', '04FF:17', '04FF:0B', '040F', '060F']);
      expect(sim.view().openReservations).toBe(1);
    });

    it('timeout: no card; 06 1E 6C after the card timeout, not before', async () => {
      const { sim, ecr } = setup({ cardTimeoutMs: 30_000 });
      await register(sim, ecr);
      sim.setBehaviour('timeout');
      const start = clock.now();
      await ecr.send(buildReservation({ amountMinor: 2_500 }));
      await runToEnd(sim, ecr);
      expect(ecr.labels()).toEqual(['80', '04FF:0A', '061E:6C']);
      expect(clock.now() - start).toBeGreaterThanOrEqual(30_000);
      expect(clock.now() - start).toBeLessThan(31_000);
      expect(sim.reservations()).toEqual([]);
    });

    it('cardRemoved: remove card, then 06 1E', async () => {
      const { sim, ecr } = setup();
      await register(sim, ecr);
      sim.setBehaviour('cardRemoved');
      await ecr.send(buildReservation({ amountMinor: 2_500 }));
      await runToEnd(sim, ecr);
      expect(ecr.labels()).toEqual(['80', '04FF:0A', '04FF:0B', `061E:${hex2(ZvtSimCode.CARD_REMOVED)}`]);
      expect(sim.reservations()).toEqual([]);
    });

    it('busy: refuses the transaction with 84 9C 00 and sends nothing else', async () => {
      const { sim, ecr } = setup();
      await register(sim, ecr);
      sim.setBehaviour('busy');
      await ecr.send(buildReservation({ amountMinor: 2_500 }));
      await runToEnd(sim, ecr);
      clock.advance(10_000);
      await flush();
      expect(ecr.labels()).toEqual(['84:9C']);
      expect(sim.reservations()).toEqual([]);
    });

    it('latencyMs delays every answer; cardDelayMs is the time to the card', async () => {
      const { sim, ecr } = setup({ latencyMs: 300, cardDelayMs: 5_000 });
      await register(sim, ecr);
      const start = clock.now();
      await ecr.send(buildReservation({ amountMinor: 2_500 }));
      await runUntil(() => ecr.received.length >= 1, 10_000, 10);
      expect(clock.now() - start).toBeGreaterThanOrEqual(300);
      await runToEnd(sim, ecr);
      // 80, present card, please wait, remove card, 04 0F, 06 0F: 6 × 300 ms, the card 5 s, the host 800 ms.
      expect(clock.now() - start).toBeGreaterThanOrEqual(6 * 300 + 5_000 + 800);
      expect(sim.view()).toMatchObject({ latencyMs: 300, cardDelayMs: 5_000 });
    });
  });

  describe('abort (06 B0)', () => {
    it('accepted while waiting for the card: 80 00 00, then 06 1E 6C; no reservation', async () => {
      const { sim, ecr } = setup({ cardDelayMs: 10_000 });
      await register(sim, ecr);
      await ecr.send(buildReservation({ amountMinor: 2_500 }));
      await runUntil(() => ecr.labels().includes('04FF:0A'));
      await ecr.send(buildAbort());
      await runToEnd(sim, ecr);
      expect(ecr.labels()).toEqual(['80', '04FF:0A', '80', '061E:6C']);
      clock.advance(20_000);
      await flush();
      expect(sim.reservations()).toEqual([]);
      expect(sim.journal().map((e) => e.event)).toContain('abortAccepted');
    });

    it('refused under lateApproval: 84 xx 00, and the reservation is approved later anyway', async () => {
      const { sim, ecr } = setup({ cardDelayMs: 10_000 });
      await register(sim, ecr);
      sim.setBehaviour({ kind: 'lateApproval', delayMs: 20_000 });
      await ecr.send(buildReservation({ amountMinor: 2_500, tlv: merchantReferenceTlv('late') }));
      await runUntil(() => ecr.labels().includes('04FF:0A'));
      const abortAt = clock.now();
      await ecr.send(buildAbort());
      await runToEnd(sim, ecr);
      expect(ecr.labels()).toEqual(['80', '04FF:0A', `84:${hex2(ZvtSimCode.FUNCTION_NOT_POSSIBLE)}`, '04FF:17', '04FF:0B', '040F', '060F']);
      expect(clock.now() - abortAt).toBeGreaterThanOrEqual(20_000);
      expect(ecr.statusInformation().resultCode).toBe(0);
      expect(sim.reservations()).toMatchObject([{ state: 'open', reference: 'late' }]);
    });

    it('refused once the card is being authorised', async () => {
      const { sim, ecr } = setup({ cardDelayMs: 100, hostDelayMs: 5_000 });
      await register(sim, ecr);
      await ecr.send(buildReservation({ amountMinor: 2_500 }));
      await runUntil(() => ecr.labels().includes('04FF:17'));
      await ecr.send(buildAbort());
      await runToEnd(sim, ecr);
      expect(ecr.labels()).toContain('84:83');
      expect(ecr.last()).toBe('060F');
      expect(sim.view().openReservations).toBe(1);
    });
  });

  describe('booking, reversal, open reservations', () => {
    it('books less than the reservation (the rest released), with a receipt number of its own', async () => {
      const { sim, ecr } = setup();
      await register(sim, ecr);
      const reservation = await reserve(sim, ecr, 2_500, 'sess-9');
      ecr.clear();
      await ecr.send(buildPartialReversal({ receiptNumber: reservation.receiptNumber!, amountMinor: 1_295 }));
      await runToEnd(sim, ecr);
      expect(ecr.labels()).toEqual(['80', '04FF:17', '040F', '060F']);
      const status = ecr.statusInformation();
      expect(status).toMatchObject({ resultCode: 0, amountMinor: 1_295, originalTraceNumber: reservation.traceNumber });
      expect(status.receiptNumber).not.toBe(reservation.receiptNumber);
      expect(sim.reservations()).toMatchObject([{ receiptNumber: reservation.receiptNumber, state: 'booked', bookedMinor: 1_295, reference: 'sess-9' }]);
      expect(sim.view()).toMatchObject({ openReservations: 0, dayTotalMinor: 1_295 });
    });

    it('refuses booking more than the reservation (B7), and booking a closed one (B5)', async () => {
      const { sim, ecr } = setup();
      await register(sim, ecr);
      const reservation = await reserve(sim, ecr, 2_500);
      ecr.clear();
      await ecr.send(buildPartialReversal({ receiptNumber: reservation.receiptNumber!, amountMinor: 2_501 }));
      await runToEnd(sim, ecr);
      expect(ecr.labels()).toEqual(['80', '04FF:17', '061E:B7']);
      expect(sim.reservations()[0]!.state).toBe('open');

      ecr.clear();
      await ecr.send(buildPartialReversal({ receiptNumber: reservation.receiptNumber!, amountMinor: 2_500 }));
      await runToEnd(sim, ecr);
      expect(ecr.last()).toBe('060F');
      ecr.clear();
      await ecr.send(buildPartialReversal({ receiptNumber: reservation.receiptNumber!, amountMinor: 100 }));
      await runToEnd(sim, ecr);
      expect(ecr.last()).toBe('061E:B5');
      expect(sim.reservations()[0]).toMatchObject({ state: 'booked', bookedMinor: 2_500 });
    });

    it('reverses a whole reservation (06 25); a second reversal is refused (B4)', async () => {
      const { sim, ecr } = setup();
      await register(sim, ecr);
      const reservation = await reserve(sim, ecr, 2_500);
      ecr.clear();
      await ecr.send(buildReservationReversal({ receiptNumber: reservation.receiptNumber! }));
      await runToEnd(sim, ecr);
      expect(ecr.labels()).toEqual(['80', '04FF:17', '040F', '060F']);
      expect(sim.reservations()[0]).toMatchObject({ state: 'reversed', bookedMinor: null });
      ecr.clear();
      await ecr.send(buildReservationReversal({ receiptNumber: reservation.receiptNumber! }));
      await runToEnd(sim, ecr);
      expect(ecr.last()).toBe('061E:B4');
    });

    it('answers the open-reservations query as the codec reads it, before and after', async () => {
      const { sim, ecr } = setup();
      await register(sim, ecr);
      const query = async (): Promise<number[] | null> => {
        ecr.clear();
        await ecr.send(buildOpenReservationsQuery());
        await runToEnd(sim, ecr);
        expect(ecr.labels()).toEqual(['80', '061E:B8']);
        return ecr.abort().openReservations;
      };
      expect(await query()).toEqual([]);
      const a = await reserve(sim, ecr, 1_000);
      expect(await query()).toEqual([a.receiptNumber]);
      const b = await reserve(sim, ecr, 2_000);
      const c = await reserve(sim, ecr, 3_000);
      expect(await query()).toEqual([a.receiptNumber, b.receiptNumber, c.receiptNumber]);
      ecr.clear();
      await ecr.send(buildReservationReversal({ receiptNumber: b.receiptNumber! }));
      await runToEnd(sim, ecr);
      expect(await query()).toEqual([a.receiptNumber, c.receiptNumber]);
    });
  });

  describe('money given back', () => {
    /** A reservation booked for `amountMinor`: the booking's status information (its own receipt number). */
    async function book(sim: ZvtTerminalSimulator, ecr: Ecr, amountMinor: number): Promise<StatusInformation> {
      const reservation = await reserve(sim, ecr, 5_000, 'sess-r');
      ecr.clear();
      await ecr.send(buildPartialReversal({ receiptNumber: reservation.receiptNumber!, amountMinor }));
      await runToEnd(sim, ecr);
      return ecr.statusInformation();
    }

    it('06 30 reverses a booking of the day by its receipt number, no card: 80, please wait, 04 0F, 06 0F', async () => {
      const { sim, ecr } = setup();
      await register(sim, ecr);
      const booking = await book(sim, ecr, 1_295);
      ecr.clear();
      await ecr.send(buildReversal({ password: '123456', receiptNumber: booking.receiptNumber! }));
      await runToEnd(sim, ecr);
      expect(ecr.labels()).toEqual(['80', '04FF:17', '040F', '060F']);
      const status = ecr.statusInformation();
      expect(status).toMatchObject({ resultCode: 0, amountMinor: 1_295 });
      expect(status.receiptNumber).not.toBe(booking.receiptNumber);
      expect(sim.refunds()).toMatchObject([{ kind: 'reversal', originalReceiptNumber: booking.receiptNumber, amountMinor: 1_295, reference: 'sess-r', card: null }]);
      expect(sim.view().dayTotalMinor).toBe(0);
      // Once only: B4.
      ecr.clear();
      await ecr.send(buildReversal({ password: '123456', receiptNumber: booking.receiptNumber! }));
      await runToEnd(sim, ecr);
      expect(ecr.last()).toBe('061E:B4');
    });

    it('06 30 after the end of day, for an unknown receipt, or with a wrong password: refused, nothing reversed', async () => {
      const { sim, ecr } = setup();
      await register(sim, ecr);
      const booking = await book(sim, ecr, 700);
      ecr.clear();
      await ecr.send(buildReversal({ password: '000000', receiptNumber: booking.receiptNumber! }));
      await runToEnd(sim, ecr);
      expect(ecr.labels()).toEqual(['84:83']);
      ecr.clear();
      await ecr.send(buildReversal({ password: '123456', receiptNumber: 4321 }));
      await runToEnd(sim, ecr);
      expect(ecr.labels()).toEqual(['80', '04FF:17', '061E:B5']);
      await ecr.send(buildEndOfDay({ password: '123456' }));
      await runToEnd(sim, ecr);
      ecr.clear();
      await ecr.send(buildReversal({ password: '123456', receiptNumber: booking.receiptNumber! }));
      await runToEnd(sim, ecr);
      expect(ecr.last()).toBe('061E:B5');
      expect(sim.refunds()).toEqual([]);
    });

    it('06 31 credits the card it asks for, as a payment goes, and keeps the refund before the 04 0F reports it', async () => {
      const { sim, ecr } = setup();
      await register(sim, ecr);
      let onDiskAtStatus: unknown = null;
      ecr.channel.peer.onSend = (apdu) => {
        if (apdu[0] === 0x04 && apdu[1] === 0x0f) onDiskAtStatus = JSON.parse(fs.readFileSync(stateFile, 'utf8')).refunds;
      };
      await ecr.send(buildRefund({ password: '123456', amountMinor: 450, tlv: merchantReferenceTlv('s9:refund:1') }));
      await runToEnd(sim, ecr);
      expect(ecr.labels()).toEqual(['80', '04FF:0A', '04FF:17', '04FF:0B', '040F', '060F']);
      expect(ecr.statusInformation()).toMatchObject({ resultCode: 0, amountMinor: 450, cardName: 'Maestro' });
      expect(onDiskAtStatus).toMatchObject([{ kind: 'refund', amountMinor: 450, reference: 's9:refund:1', card: '672559*********0001' }]);
      // Listed, not netted against the day's payments.
      expect(sim.view().dayTotalMinor).toBe(0);
    });

    it('06 31 declined, timed out, or on a terminal without refunds (84 83 00)', async () => {
      const { sim, ecr } = setup({ cardTimeoutMs: 5_000 });
      await register(sim, ecr);
      sim.setBehaviour('decline');
      await ecr.send(buildRefund({ password: '123456', amountMinor: 450 }));
      await runToEnd(sim, ecr);
      expect(ecr.last()).toBe('061E:05');
      ecr.clear();
      sim.setBehaviour('timeout');
      await ecr.send(buildRefund({ password: '123456', amountMinor: 450 }));
      await runToEnd(sim, ecr);
      expect(ecr.last()).toBe('061E:6C');
      expect(sim.refunds()).toEqual([]);

      const none = setup({ supportsRefund: false, supportsReversal: false });
      await none.ecr.send(buildRefund({ password: '123456', amountMinor: 450 }));
      await runToEnd(none.sim, none.ecr);
      expect(none.ecr.labels()).toEqual(['84:83']);
      none.ecr.clear();
      await none.ecr.send(buildReversal({ password: '123456', receiptNumber: 1 }));
      await runToEnd(none.sim, none.ecr);
      expect(none.ecr.labels()).toEqual(['84:83']);
    });

    it('reads a state file written before refunds existed', async () => {
      const first = setup();
      await register(first.sim, first.ecr);
      await first.sim.close();
      const old = JSON.parse(fs.readFileSync(stateFile, 'utf8'));
      delete old.refunds;
      delete old.lastEndOfDayAt;
      fs.writeFileSync(stateFile, JSON.stringify(old));
      const second = setup();
      expect(second.sim.view().registered).toBe(true);
      expect(second.sim.refunds()).toEqual([]);
      expect(fs.readdirSync(dir).filter((f) => f.includes('corrupt'))).toEqual([]);
    });
  });

  describe('administration', () => {
    it('end of day: wrong password refused; right one reports the day total and counts', async () => {
      const { sim, ecr } = setup();
      await register(sim, ecr);
      const reservation = await reserve(sim, ecr, 2_500);
      await ecr.send(buildPartialReversal({ receiptNumber: reservation.receiptNumber!, amountMinor: 958 }));
      await runToEnd(sim, ecr);
      ecr.clear();
      await ecr.send(buildEndOfDay({ password: '000000' }));
      await runToEnd(sim, ecr);
      expect(ecr.labels()).toEqual(['84:83']);
      ecr.clear();
      await ecr.send(buildEndOfDay({ password: '123456' }));
      await runToEnd(sim, ecr);
      expect(ecr.labels()).toEqual(['80', '04FF:17', '040F', '060F']);
      expect(ecr.statusInformation()).toMatchObject({ resultCode: 0, amountMinor: 958 });
      expect(sim.view()).toMatchObject({ endOfDayCount: 1, dayTotalMinor: 0 });
    });

    it('status enquiry: completion with software version and terminal ready', async () => {
      const { sim, ecr } = setup();
      await ecr.send(buildStatusEnquiry());
      await runToEnd(sim, ecr);
      expect(ecr.labels()).toEqual(['80', '060F']);
      expect(ecr.messages()[1]).toMatchObject({ kind: 'completion', softwareVersion: 'SIM-ZVT-1.0', terminalStatus: { code: 0, ready: true }, terminalId: '52523535' });
    });

    it('an unknown command is refused with 84 83 00', async () => {
      const { sim, ecr } = setup();
      await ecr.send(Uint8Array.of(0x06, 0x93, 0x00));
      await runToEnd(sim, ecr);
      expect(ecr.labels()).toEqual(['84:83']);
    });
  });

  describe('state file', () => {
    it('survives a new simulator on the same file: reservations, counters, behaviour, registration', async () => {
      const first = setup();
      await register(first.sim, first.ecr, 0x0a);
      const a = await reserve(first.sim, first.ecr, 2_500, 'before-restart');
      first.sim.setBehaviour({ kind: 'decline', resultCode: 0x05 });
      await first.sim.close();

      const second = setup();
      expect(second.sim.reservations()).toMatchObject([{ receiptNumber: a.receiptNumber, state: 'open', reference: 'before-restart' }]);
      expect(second.sim.view()).toMatchObject({ registered: true, configByte: 0x0a, openReservations: 1, behaviour: { kind: 'decline', resultCode: 5 } });
      second.sim.setBehaviour('approve');
      const b = await reserve(second.sim, second.ecr, 1_000);
      expect(b.receiptNumber).toBe(a.receiptNumber! + 1);
      expect(b.traceNumber).toBe(a.traceNumber! + 1);
      second.ecr.clear();
      await second.ecr.send(buildPartialReversal({ receiptNumber: a.receiptNumber!, amountMinor: 2_000 }));
      await runToEnd(second.sim, second.ecr);
      expect(second.ecr.statusInformation().resultCode).toBe(0);
    });

    it('keeps the reservation when the ECR never acks its 04 0F (an orphan), unless told to auto-reverse', async () => {
      for (const reverseOnUnackedStatus of [false, true]) {
        const { sim, ecr } = setup({ reverseOnUnackedStatus, ackTimeoutMs: 5_000 });
        await register(sim, ecr);
        ecr.noAckFor = new Set(['040F']);
        await ecr.send(buildReservation({ amountMinor: 2_500 }));
        await runUntil(() => ecr.labels().includes('040F') && !sim.view().busy, 20_000);
        expect(ecr.labels()).not.toContain('060F');
        expect(sim.reservations().at(-1)!.state).toBe(reverseOnUnackedStatus ? 'reversed' : 'open');
        expect(sim.journal().map((e) => e.event)).toContain('ackTimeout');
        await sim.close();
      }
    });
  });
});
