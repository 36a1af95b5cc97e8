// A ZVT payment terminal, simulated: the terminal side of the protocol (a Feig cVEND-like
// unattended terminal), speaking APDUs on an ApduChannel. The ECR driver is tested
// against it, and sim mode runs it.
//
// It behaves as real terminals do, including what drivers get wrong:
//   - every request is answered first with `80 00 00` (or `84 cc 00` refusing it), then,
//     for the commands that have them, the terminal's messages: 04 FF intermediate status
//     (when the registration's config byte asked for it), 04 0F status information, print
//     lines 06 D1 or text blocks 06 D3 (only when the config byte says the ECR prints),
//     and 06 0F completion, or 06 1E abort with a result code. After each of these it waits
//     for the ECR's `80 00 00` (ackTimeoutMs) before the next one; unanswered, it gives up
//     the sequence;
//   - it knows no idempotency: a resent 06 22 places a second reservation. It records the
//     merchant reference (TLV E9 / 1F63) of each request, so tests see which request placed
//     which reservation;
//   - a booking (06 23) and a reversal (06 25) get a receipt number of their own, not the
//     reservation's, as the Feig captures show;
//   - an abort (06 B0) is accepted only while the terminal waits for the card or the PIN;
//     once the card is being authorised, or with the 'lateApproval' behaviour, it is
//     refused and the transaction goes on to approve;
//   - money goes back two ways: a reversal (06 30) of a booking by its receipt number, no
//     card, only until the next end of day (after it, or for a receipt it does not have:
//     06 1E B5); a refund (06 31) to a card, which goes as a payment does (the behaviour,
//     the card delay and timeout apply). A terminal may do neither (`supportsReversal`,
//     `supportsRefund` false): it refuses them with 84 83 00.
//
// Its record (reservations, counters, a bounded journal) lives in a state file replaced
// atomically after every change and before the message that reports the change, so a
// kill -9 never loses a reservation the ECR may have heard about; it is read back at
// construction. A transaction under way when the process dies is lost with it (the file
// holds only what was decided).
//
// It never has a card number: the simulated card is a BIN and last four digits, sent in
// BMP 22 with the hidden digits as `E`, as terminals mask them.
import { CURRENCY_EUR, encodeAmount, encodeBcdDigits, encodeCurrency, encodeReceiptNumber, encodeTraceNumber } from './bcd.js';
import { encodeApdu, encodeBmps } from './apdu.js';
import type { BmpInput } from './apdu.js';
import type { ApduChannel } from './channel.js';
import { RegistrationConfig, ZvtTag, parseRequest } from './messages.js';
import type { ZvtRequest } from './messages.js';
import { encodeCp437 } from './text.js';
import { concatBytes, tlvNode } from './tlv.js';
import type { TlvNode } from './tlv.js';
import { delay } from '../../clock.js';
import type { Clock } from '../../clock.js';
import { JsonStateFile } from '../../sim-state.js';
import { BEHAVIOUR_KINDS, MAX_CLOSED_RESERVATIONS, MAX_JOURNAL, ZvtSimState } from './zvt-simulator-state.js';
import type { JournalEntry, RefundRecord, ReservationRecord, StoredBehaviour, ZvtSimBehaviourKind } from './zvt-simulator-state.js';

export type { RefundRecord, ReservationRecord, JournalEntry, ZvtSimBehaviourKind } from './zvt-simulator-state.js';

/**
 * How the next transactions (06 22 reservation, 06 01 authorisation) go; stays until
 * changed. A kind alone takes the defaults; the object forms set a result code or delay.
 */
export type ZvtSimBehaviour =
  | ZvtSimBehaviourKind
  | { kind: 'decline'; resultCode?: number }
  | { kind: 'cardRemoved'; resultCode?: number }
  | { kind: 'busy'; resultCode?: number }
  | { kind: 'lateApproval'; delayMs?: number }
  | { kind: Exclude<ZvtSimBehaviourKind, 'decline' | 'cardRemoved' | 'busy' | 'lateApproval'> };

/** Result codes and refusal codes the simulator uses (ZVT error codes, result-codes.ts). */
export const ZvtSimCode = {
  /** 84 83 00: command not supported; also an 06 B0 with nothing running. */
  FUNCTION_NOT_POSSIBLE: 0x83,
  /** 84 9A 00: the request could not be read or misses a mandatory field. */
  PROTOCOL_ERROR: 0x9a,
  /** 84 9C 00: busy, repeat later (a command while one runs; the 'busy' behaviour). */
  BUSY: 0x9c,
  /** 06 1E 6C: aborted (the ECR's 06 B0, or no card within the card timeout). */
  ABORTED: 0x6c,
  /** 06 1E 6F: wrong currency. */
  WRONG_CURRENCY: 0x6f,
  /** 06 1E 66: processing error (the card was pulled out mid-transaction). */
  CARD_REMOVED: 0x66,
  DECLINED: 0x05,
  INSUFFICIENT_FUNDS: 0x51,
  CARD_EXPIRED: 0x54,
  /** 06 1E B4: the reservation was reversed already. */
  ALREADY_REVERSED: 0xb4,
  /** 06 1E B5: no open reservation with this receipt number (unknown, or booked already). */
  REVERSAL_NOT_POSSIBLE: 0xb5,
  /** 06 1E B7: the booking is for more than the reservation. */
  AMOUNT_TOO_HIGH: 0xb7,
  /** 06 1E B8: the answer to the open-reservations query. */
  OPEN_RESERVATIONS: 0xb8,
} as const;

/** The simulated card: only what a terminal shows of it. */
export interface ZvtSimCard {
  /** First six digits. */
  bin: string;
  last4: string;
  /** Number of digits of the PAN, 13..19. */
  length: number;
  name: string;
  /** ZVT card type (BMP 8A): 46 Maestro, 6 Mastercard, 10 VISA, 5 girocard. */
  cardType: number;
}

export const DEFAULT_SIM_CARD: ZvtSimCard = { bin: '672559', last4: '0001', length: 19, name: 'Maestro', cardType: 46 };
/** Another card, for a tap that must not match the default one (stop by the same card). */
export const SECOND_SIM_CARD: ZvtSimCard = { bin: '476173', last4: '0119', length: 16, name: 'VISA', cardType: 10 };

export interface ZvtSimulatorOptions {
  channel: ApduChannel;
  clock: Clock;
  /** Where the record survives restarts; null or absent: memory only. */
  stateFile?: string | null;
  /** The terminal password of registration and end of day (6 digits), default '123456'. */
  password?: string;
  /** 8 digits, default '52523535'. */
  terminalId?: string;
  card?: ZvtSimCard;
  /** How long the terminal waits for the ECR's 80 00 00 after each of its messages, ms (default 5000). */
  ackTimeoutMs?: number;
  /** From "present card" to the card, ms (default 1500). Overrides the state file. */
  cardDelayMs?: number;
  /** How long it waits for a card under 'timeout', ms (default 60000). Overrides the state file. */
  cardTimeoutMs?: number;
  /** Delay before every APDU the terminal sends, ms (default 0). Overrides the state file. */
  latencyMs?: number;
  /** The PIN entry under 'pin', ms (default 2000). */
  pinDelayMs?: number;
  /** The host's answer after "please wait", ms (default 800). */
  hostDelayMs?: number;
  /** 'lateApproval' without a delay of its own: from the refused abort to the approval, ms (default 3000). */
  lateApprovalDelayMs?: number;
  /**
   * When the ECR does not acknowledge the 04 0F of an approved reservation, reverse it
   * (an auto-reversal, as the ZVT specification asks of payments). Default false: the
   * reservation stays open, an orphan for the ECR to find.
   */
  reverseOnUnackedStatus?: boolean;
  /** Code of the 84 xx 00 refusing a wrong registration / end-of-day password (default 0x83). */
  wrongPasswordCode?: number;
  /** Code of the 84 xx 00 refusing an abort it cannot do (default 0x83). */
  abortRefusedCode?: number;
  /**
   * When the link goes mid-transaction, finish the transaction alone (the card is there,
   * the host answers): an approval then leaves an open reservation nobody was told of, as
   * some terminals do. Default false: the transaction ends with the link. Either way the
   * simulator keeps serving a link given to connect().
   */
  completesAfterLinkLoss?: boolean;
  /** The configuration before any registration (default 0x08: intermediate status, the terminal prints). */
  defaultConfigByte?: number;
  /** Whether it does refunds to a card (06 31); default true. Without, 84 83 00. */
  supportsRefund?: boolean;
  /** Whether it reverses a booking by its receipt number (06 30); default true. Without, 84 83 00. */
  supportsReversal?: boolean;
  softwareVersion?: string;
}

export interface ZvtSimView {
  openReservations: number;
  behaviour: StoredBehaviour;
  latencyMs: number;
  cardDelayMs: number;
  cardTimeoutMs: number;
  /** A command is being served (another one would be refused with 84 9C 00). */
  busy: boolean;
  /** Where the running transaction is, or null. */
  phase: TxPhase | null;
  registered: boolean;
  configByte: number;
  endOfDayCount: number;
  dayTotalMinor: number;
  lastReceiptNumber: number;
  lastTraceNumber: number;
}

type TxPhase = 'presentCard' | 'pin' | 'authorising' | 'finishing';

/** The commands that read a card and ask the host: a payment, a reservation, a refund to the card. */
type CardTransaction = Extract<ZvtRequest, { kind: 'reservation' | 'authorisation' | 'refund' }>;

/** The title of each one's receipt. */
const TITLES: Record<CardTransaction['kind'], string> = { reservation: 'Reservierung', authorisation: 'Zahlung', refund: 'Gutschrift' };

interface Tx {
  phase: TxPhase;
  behaviour: StoredBehaviour;
  abort: AbortController;
  /** An abort was accepted. */
  aborted: boolean;
  /** lateApproval: the approval does not come before this time. */
  approveNotBefore: number;
}

// ---- Builders for the terminal's messages (the codec has the parsers) ----

const bmp = (n: number, value: Uint8Array): BmpInput => ({ bmp: n, value });
const fixedText = (text: string, length: number): Uint8Array => {
  const out = new Uint8Array(length).fill(0x20);
  out.set(encodeCp437(text).subarray(0, length));
  return out;
};
const two = (n: number): string => String(n).padStart(2, '0');

/** BMP 0C time and 0D date of `at` (UTC). */
export function timeFields(at: number): BmpInput[] {
  const d = new Date(at);
  return [
    bmp(0x0c, encodeBcdDigits(two(d.getUTCHours()) + two(d.getUTCMinutes()) + two(d.getUTCSeconds()))),
    bmp(0x0d, encodeBcdDigits(two(d.getUTCMonth() + 1) + two(d.getUTCDate()))),
  ];
}

/** BMP 22 value of a card as the terminal masks it: BIN, `E` per hidden digit, last 4, `F` padding. */
export function maskedPanField(card: ZvtSimCard): Uint8Array {
  const hidden = card.length - 10;
  let nibbles = card.bin + 'E'.repeat(hidden) + card.last4;
  if (nibbles.length % 2 === 1) nibbles += 'F';
  return Uint8Array.from(Buffer.from(nibbles, 'hex'));
}

/** `04 FF` intermediate status: status code, display time 0 (until the next one). */
export function buildIntermediateStatus(code: number): Uint8Array {
  return encodeApdu(0x04, 0xff, Uint8Array.of(code, 0x00));
}

/** `04 0F` status information from BMP fields. */
export function buildStatusInformation(fields: readonly BmpInput[]): Uint8Array {
  return encodeApdu(0x04, 0x0f, encodeBmps(fields));
}

/** `06 0F` completion; a status enquiry's starts with the software version (LLLVAR) and the terminal status. */
export function buildCompletion(options: { fields?: readonly BmpInput[]; softwareVersion?: string; terminalStatus?: number } = {}): Uint8Array {
  let head: Uint8Array = new Uint8Array(0);
  if (options.softwareVersion !== undefined) {
    const text = encodeCp437(options.softwareVersion);
    const digits = String(text.length).padStart(3, '0');
    head = concatBytes([Uint8Array.from([...digits].map((c) => 0xf0 | Number(c))), text, Uint8Array.of(options.terminalStatus ?? 0)]);
  }
  return encodeApdu(0x06, 0x0f, concatBytes([head, encodeBmps(options.fields ?? [])]));
}

/** `06 1E` abort with a result code and optional BMP fields (e.g. 87). */
export function buildTerminalAbort(resultCode: number, fields: readonly BmpInput[] = [], untagged: Uint8Array = new Uint8Array(0)): Uint8Array {
  return encodeApdu(0x06, 0x1e, concatBytes([Uint8Array.of(resultCode), untagged, encodeBmps(fields)]));
}

/** The answer to `06 23 87 FF FF`: `06 1E B8 87 FF FF` when none is open, else the first in 87 and the rest in TLV 23/08. */
export function buildOpenReservationsAnswer(receipts: readonly number[]): Uint8Array {
  if (receipts.length === 0) return buildTerminalAbort(ZvtSimCode.OPEN_RESERVATIONS, [bmp(0x87, encodeReceiptNumber('all'))]);
  const [first, ...rest] = receipts;
  const fields: BmpInput[] = [bmp(0x87, encodeReceiptNumber(first!))];
  if (rest.length > 0) fields.push({ bmp: 0x06, tlv: [tlvNode(ZvtTag.RECEIPT_NUMBERS, rest.map((r) => tlvNode(ZvtTag.RECEIPT_NUMBER, encodeReceiptNumber(r))))] });
  return buildTerminalAbort(ZvtSimCode.OPEN_RESERVATIONS, fields);
}

/** `06 D1` print line. */
export function buildPrintLine(text: string, attribute = 0x00): Uint8Array {
  return encodeApdu(0x06, 0xd1, concatBytes([Uint8Array.of(attribute), encodeCp437(text)]));
}

/** `06 D3` text block: TLV 1F07 receipt type, 25 with one 07 per line. */
export function buildTextBlock(receiptType: number, lines: readonly string[]): Uint8Array {
  const tlv: TlvNode[] = [tlvNode(ZvtTag.RECEIPT_TYPE, Uint8Array.of(receiptType)), tlvNode(ZvtTag.PRINT_TEXTS, lines.map((l) => tlvNode(ZvtTag.TEXT_LINE, l)))];
  return encodeApdu(0x06, 0xd3, encodeBmps([{ bmp: 0x06, tlv }]));
}

const ACK = encodeApdu(0x80, 0x00);
const nak = (code: number): Uint8Array => encodeApdu(0x84, code);

/** Intermediate status codes used (intermediate-status.ts). */
const Status = { PRESENT_CARD: 0x0a, PIN: 0x01, PLEASE_WAIT: 0x17, REMOVE_CARD: 0x0b, DECLINED: 0x1d } as const;

const RECEIPT_MERCHANT = 1;
const RECEIPT_CUSTOMER = 2;
const RECEIPT_ADMIN = 3;

function normaliseBehaviour(behaviour: ZvtSimBehaviour): StoredBehaviour {
  const b = typeof behaviour === 'string' ? { kind: behaviour } : behaviour;
  if (!b || !(BEHAVIOUR_KINDS as readonly string[]).includes(b.kind)) throw new TypeError(`unknown ZVT sim behaviour ${JSON.stringify(behaviour)}`);
  const out: StoredBehaviour = { kind: b.kind };
  if ('resultCode' in b && b.resultCode !== undefined) {
    if (!Number.isInteger(b.resultCode) || b.resultCode < 0 || b.resultCode > 0xff) throw new RangeError('resultCode must be a byte');
    out.resultCode = b.resultCode;
  }
  if ('delayMs' in b && b.delayMs !== undefined) {
    if (!(b.delayMs >= 0)) throw new RangeError('delayMs must be >= 0');
    out.delayMs = b.delayMs;
  }
  return out;
}

const nonNegative = (value: number, what: string): number => {
  if (!(typeof value === 'number' && value >= 0 && Number.isFinite(value))) throw new RangeError(`${what} must be >= 0, got ${String(value)}`);
  return value;
};

function checkCard(card: ZvtSimCard): ZvtSimCard {
  if (!/^\d{6}$/.test(card.bin) || !/^\d{4}$/.test(card.last4) || !(card.length >= 13 && card.length <= 19)) {
    throw new TypeError('card: bin is 6 digits, last4 4 digits, length 13..19');
  }
  return card;
}

const maskedText = (card: ZvtSimCard): string => card.bin + '*'.repeat(card.length - 10) + card.last4;

export class ZvtTerminalSimulator {
  private channel: ApduChannel;
  private readonly completesAfterLinkLoss: boolean;
  /** The link went while a transaction ran, and the terminal finishes it alone (completesAfterLinkLoss). */
  private linkLost = false;
  private readonly clock: Clock;
  private readonly file: JsonStateFile<ZvtSimState>;
  private readonly password: string;
  private readonly terminalId: string;
  private card: ZvtSimCard;
  /** A read card waiting for a tap. */
  private cardWaiter: (() => void) | null = null;
  private readonly ackTimeoutMs: number;
  private readonly pinDelayMs: number;
  private readonly hostDelayMs: number;
  private readonly lateApprovalDelayMs: number;
  private readonly reverseOnUnackedStatus: boolean;
  private readonly wrongPasswordCode: number;
  private readonly abortRefusedCode: number;
  private readonly defaultConfigByte: number;
  private readonly softwareVersion: string;
  private readonly supportsRefund: boolean;
  private readonly supportsReversal: boolean;
  private readonly unsubscribe: Array<() => void> = [];
  /** Aborted on close: ends every wait. */
  private readonly life = new AbortController();
  private state: ZvtSimState;
  private closed = false;
  private running = false;
  private tx: Tx | null = null;
  private ackWaiter: ((acked: boolean) => void) | null = null;
  /** The message waiting for its ack ends the command (06 0F, 06 1E): once acked, the terminal is free. */
  private ackEndsCommand = false;
  /** The command being served, for tests that wait for the terminal to be idle. */
  private current: Promise<void> = Promise.resolve();

  constructor(options: ZvtSimulatorOptions) {
    this.channel = options.channel;
    this.completesAfterLinkLoss = options.completesAfterLinkLoss ?? false;
    this.clock = options.clock;
    this.password = options.password ?? '123456';
    if (!/^\d{6}$/.test(this.password)) throw new TypeError('password must be 6 digits');
    this.terminalId = options.terminalId ?? '52523535';
    if (!/^\d{8}$/.test(this.terminalId)) throw new TypeError('terminalId must be 8 digits');
    this.card = checkCard(options.card ?? DEFAULT_SIM_CARD);
    this.ackTimeoutMs = nonNegative(options.ackTimeoutMs ?? 5_000, 'ackTimeoutMs');
    this.pinDelayMs = nonNegative(options.pinDelayMs ?? 2_000, 'pinDelayMs');
    this.hostDelayMs = nonNegative(options.hostDelayMs ?? 800, 'hostDelayMs');
    this.lateApprovalDelayMs = nonNegative(options.lateApprovalDelayMs ?? 3_000, 'lateApprovalDelayMs');
    this.reverseOnUnackedStatus = options.reverseOnUnackedStatus ?? false;
    this.wrongPasswordCode = options.wrongPasswordCode ?? ZvtSimCode.FUNCTION_NOT_POSSIBLE;
    this.abortRefusedCode = options.abortRefusedCode ?? ZvtSimCode.FUNCTION_NOT_POSSIBLE;
    this.defaultConfigByte = options.defaultConfigByte ?? RegistrationConfig.INTERMEDIATE_STATUS;
    this.softwareVersion = options.softwareVersion ?? 'SIM-ZVT-1.0';
    this.supportsRefund = options.supportsRefund ?? true;
    this.supportsReversal = options.supportsReversal ?? true;
    const clock = options.clock;
    this.file = new JsonStateFile<ZvtSimState>(
      options.stateFile ?? null,
      ZvtSimState,
      {
        version: 1,
        behaviour: { kind: 'approve' },
        latencyMs: 0,
        cardDelayMs: 1_500,
        cardTimeoutMs: 60_000,
        registration: null,
        traceNumber: 0,
        receiptNumber: 0,
        reservations: [],
        dayTotalMinor: 0,
        endOfDayCount: 0,
        lastEndOfDayAt: null,
        refunds: [],
        journal: [],
      },
      { now: () => clock.now() },
    );
    this.state = this.file.load();
    if (options.latencyMs !== undefined) this.state.latencyMs = nonNegative(options.latencyMs, 'latencyMs');
    if (options.cardDelayMs !== undefined) this.state.cardDelayMs = nonNegative(options.cardDelayMs, 'cardDelayMs');
    if (options.cardTimeoutMs !== undefined) this.state.cardTimeoutMs = nonNegative(options.cardTimeoutMs, 'cardTimeoutMs');
    this.save();
    this.listen(this.channel);
  }

  // ---- Panel and tests ----

  view(): ZvtSimView {
    return {
      openReservations: this.state.reservations.filter((r) => r.state === 'open').length,
      behaviour: { ...this.state.behaviour },
      latencyMs: this.state.latencyMs,
      cardDelayMs: this.state.cardDelayMs,
      cardTimeoutMs: this.state.cardTimeoutMs,
      busy: this.running,
      phase: this.tx?.phase ?? null,
      registered: this.state.registration !== null,
      configByte: this.configByte(),
      endOfDayCount: this.state.endOfDayCount,
      dayTotalMinor: this.state.dayTotalMinor,
      lastReceiptNumber: this.state.receiptNumber,
      lastTraceNumber: this.state.traceNumber,
    };
  }

  /** Every reservation the terminal remembers (open ones always), oldest first: copies. */
  reservations(): ReservationRecord[] {
    return this.state.reservations.map((r) => ({ ...r }));
  }

  journal(): JournalEntry[] {
    return this.state.journal.map((e) => ({ ...e }));
  }

  /** The reversals and refunds it made, oldest first: copies. */
  refunds(): RefundRecord[] {
    return this.state.refunds.map((r) => ({ ...r }));
  }

  setBehaviour(behaviour: ZvtSimBehaviour): void {
    this.state.behaviour = normaliseBehaviour(behaviour);
    this.save();
  }

  setLatencyMs(ms: number): void {
    this.state.latencyMs = nonNegative(ms, 'latencyMs');
    this.save();
  }

  setCardDelayMs(ms: number): void {
    this.state.cardDelayMs = nonNegative(ms, 'cardDelayMs');
    this.save();
  }

  setCardTimeoutMs(ms: number): void {
    this.state.cardTimeoutMs = nonNegative(ms, 'cardTimeoutMs');
    this.save();
  }

  /** The card the terminal reads from now on (reservations and read card). */
  setCard(card: ZvtSimCard): void {
    checkCard(card);
    this.card = card;
  }

  /**
   * A card is held to the reader. A read card (06 C0) waiting for one reads it; a
   * reservation takes its card on its own after cardDelayMs. Returns whether a read card took it.
   */
  tap(): boolean {
    const waiting = this.cardWaiter;
    if (!waiting) return false;
    this.cardWaiter = null;
    waiting();
    return true;
  }

  /** Resolves when the command being served (if any) is over. */
  idle(): Promise<void> {
    return this.current;
  }

  /** Stops listening and ends every wait; the state file stays. Does not close the channel. */
  async close(): Promise<void> {
    this.detach();
    await this.current;
  }

  // ---- Receiving ----

  private listen(channel: ApduChannel): void {
    this.unsubscribe.push(channel.onApdu((apdu) => this.receive(apdu)));
    this.unsubscribe.push(channel.onClose(() => this.linkGone()));
  }

  /**
   * A new link to the same terminal (the ECR reconnected): one terminal, one memory. A
   * transaction it is still finishing alone makes it answer the new link busy until done.
   */
  connect(channel: ApduChannel): void {
    if (this.closed) throw new Error('the ZVT simulator is closed');
    for (const off of this.unsubscribe.splice(0)) off();
    this.channel = channel;
    this.linkLost = false;
    this.listen(channel);
  }

  private linkGone(): void {
    if (this.completesAfterLinkLoss && !this.closed) {
      // Like a terminal whose ECR vanished mid-payment: it goes on with the card it has.
      for (const off of this.unsubscribe.splice(0)) off();
      this.linkLost = true;
      this.ackWaiter?.(false);
      return;
    }
    this.detach();
  }

  private detach(): void {
    if (this.closed) return;
    this.closed = true;
    for (const off of this.unsubscribe.splice(0)) off();
    this.life.abort();
    this.ackWaiter?.(false);
  }

  private receive(apdu: Uint8Array): void {
    if (this.closed) return;
    const request = parseRequest(apdu);
    if (request.kind === 'ack' || request.kind === 'negativeAck') {
      const waiter = this.ackWaiter;
      if (waiter) {
        if (request.kind === 'negativeAck') this.note('ecrRefusedMessage', { resultCode: request.code });
        // A terminal is ready for the next command as soon as its last message is acknowledged,
        // even when that command arrives in the same TCP segment as the ack.
        if (this.ackEndsCommand) {
          this.running = false;
          this.tx = null;
        }
        waiter(true);
      }
      // An ack nobody waits for (late, after the timeout) is dropped, as a terminal does.
      return;
    }
    if (request.kind === 'abort') {
      this.onAbort();
      return;
    }
    if (this.running) {
      this.note('refusedBusy', { detail: request.kind });
      void this.answer(nak(ZvtSimCode.BUSY));
      return;
    }
    this.running = true;
    const serving: Promise<void> = this.serve(request)
      .catch((error: unknown) => this.note('internalError', { detail: error instanceof Error ? error.message : String(error) }))
      .finally(() => {
        // Only the command still current frees the terminal (the next may have begun already).
        if (this.current !== serving) return;
        this.running = false;
        this.tx = null;
      });
    this.current = serving;
  }

  private onAbort(): void {
    const tx = this.tx;
    if (!tx || tx.phase === 'finishing') {
      void this.answer(nak(ZvtSimCode.FUNCTION_NOT_POSSIBLE));
      return;
    }
    const canAbort = tx.behaviour.kind !== 'lateApproval' && (tx.phase === 'presentCard' || tx.phase === 'pin');
    if (!canAbort) {
      this.note('abortRefused', { detail: tx.phase });
      if (tx.behaviour.kind === 'lateApproval') tx.approveNotBefore = this.clock.now() + (tx.behaviour.delayMs ?? this.lateApprovalDelayMs);
      void this.answer(nak(this.abortRefusedCode));
      return;
    }
    tx.aborted = true;
    this.note('abortAccepted', { detail: tx.phase });
    void this.answer(ACK);
    tx.abort.abort();
  }

  // ---- Sending ----

  private async pause(ms: number, signal: AbortSignal = this.life.signal): Promise<void> {
    if (ms > 0) await delay(this.clock, ms, signal);
  }

  /** An answer that needs no ack (80 00 00, 84 cc 00), after the latency. */
  private async answer(apdu: Uint8Array): Promise<boolean> {
    await this.pause(this.state.latencyMs);
    if (this.closed) return false;
    try {
      await this.channel.send(apdu);
      return true;
    } catch {
      this.note('sendFailed', {});
      return false;
    }
  }

  /** A terminal message, after the latency; resolves true once the ECR answered it, false on timeout or close. */
  private async message(apdu: Uint8Array): Promise<boolean> {
    await this.pause(this.state.latencyMs);
    if (this.closed) return false;
    const answered = new Promise<boolean>((resolve) => {
      const timer = this.clock.setTimeout(() => finish(false), this.ackTimeoutMs);
      const finish = (acked: boolean): void => {
        this.clock.clearTimeout(timer);
        if (this.ackWaiter === finish) this.ackWaiter = null;
        resolve(acked);
      };
      this.ackWaiter = finish;
      this.ackEndsCommand = apdu[0] === 0x06 && (apdu[1] === 0x0f || apdu[1] === 0x1e);
    });
    try {
      await this.channel.send(apdu);
    } catch {
      this.ackWaiter?.(false);
      this.note('sendFailed', {});
      return false;
    }
    const acked = await answered;
    if (!acked && !this.closed) this.note('ackTimeout', { detail: `${apdu[0]!.toString(16)} ${apdu[1]!.toString(16)}` });
    return acked;
  }

  private async intermediate(code: number): Promise<boolean> {
    // Nobody to show it to: the transaction goes on.
    if (this.linkLost) return true;
    if ((this.configByte() & RegistrationConfig.INTERMEDIATE_STATUS) === 0) return true;
    return this.message(buildIntermediateStatus(code));
  }

  /** Receipts, if the ECR prints them: text blocks (config bit 0x80) or print lines. */
  private async receipts(admin: boolean, receipts: ReadonlyArray<{ type: number; lines: string[] }>): Promise<boolean> {
    const config = this.configByte();
    const wanted = admin ? RegistrationConfig.ECR_PRINTS_ADMIN_RECEIPTS : RegistrationConfig.ECR_PRINTS_PAYMENT_RECEIPTS;
    if ((config & wanted) === 0) return true;
    for (const receipt of receipts) {
      if (config & RegistrationConfig.PRINT_TYPE) {
        if (!(await this.message(buildTextBlock(receipt.type, receipt.lines)))) return false;
      } else {
        for (const line of receipt.lines) if (!(await this.message(buildPrintLine(line)))) return false;
      }
    }
    return true;
  }

  // ---- Serving ----

  private configByte(): number {
    return this.state.registration?.configByte ?? this.defaultConfigByte;
  }

  private async serve(request: ZvtRequest | { kind: 'error' }): Promise<void> {
    switch (request.kind) {
      case 'registration':
        return this.registration(request);
      case 'reservation':
      case 'authorisation':
        return this.transaction(request);
      case 'refund':
        if (!this.supportsRefund) return this.unsupported('refund');
        if (!(await this.passwordAccepted(request.password, 'refund'))) return;
        return this.transaction(request);
      case 'reversal':
        if (!this.supportsReversal) return this.unsupported('reversal');
        if (!(await this.passwordAccepted(request.password, 'reversal'))) return;
        return this.reversal(request.receiptNumber);
      case 'partialReversal':
        return this.closeReservation('book', request.receiptNumber, request.amountMinor, request.merchantReference?.value ?? null);
      case 'reservationReversal':
        return this.closeReservation('reverse', request.receiptNumber, null, null);
      case 'openReservationsQuery':
        return this.openReservationsQuery();
      case 'endOfDay':
        return this.endOfDay(request.password);
      case 'statusEnquiry':
        return this.statusEnquiry();
      case 'readCard':
        return this.readCard(request.timeoutS);
      case 'error':
        this.note('unreadableRequest', {});
        await this.answer(nak(ZvtSimCode.PROTOCOL_ERROR));
        return;
      default:
        return this.unsupported(request.kind === 'other' ? request.control.toString(16) : request.kind);
    }
  }

  private async unsupported(what: string): Promise<void> {
    this.note('unsupportedCommand', { detail: what });
    await this.answer(nak(ZvtSimCode.FUNCTION_NOT_POSSIBLE));
  }

  /** Refuses a wrong password (84 xx 00) and says whether it was right. */
  private async passwordAccepted(password: string | null, what: string): Promise<boolean> {
    if (password === this.password) return true;
    this.note(`${what}Refused`, { detail: 'wrong password' });
    await this.answer(nak(this.wrongPasswordCode));
    return false;
  }

  private async registration(request: Extract<ZvtRequest, { kind: 'registration' }>): Promise<void> {
    if (request.password !== this.password) {
      this.note('registrationRefused', { detail: 'wrong password' });
      await this.answer(nak(this.wrongPasswordCode));
      return;
    }
    const currency = request.currency ?? CURRENCY_EUR;
    this.state.registration = { configByte: request.configByte, currency };
    this.note('registration', { detail: `config ${request.configByte.toString(16)}` });
    this.save();
    if (!(await this.answer(ACK))) return;
    await this.message(buildCompletion({ fields: [bmp(0x19, Uint8Array.of(0x00)), this.tidField(), bmp(0x49, encodeCurrency(currency))] }));
  }

  private tidField(): BmpInput {
    return bmp(0x29, encodeBcdDigits(this.terminalId));
  }

  private nextTrace(): number {
    this.state.traceNumber = this.state.traceNumber >= 999_999 ? 1 : this.state.traceNumber + 1;
    return this.state.traceNumber;
  }

  /** The next receipt number, skipping those of open reservations (the counter wraps at 9999). */
  private nextReceipt(): number {
    const open = new Set(this.state.reservations.filter((r) => r.state === 'open').map((r) => r.receiptNumber));
    let n = this.state.receiptNumber;
    do n = n >= 9_999 ? 1 : n + 1;
    while (open.has(n));
    this.state.receiptNumber = n;
    return n;
  }

  private async transaction(request: CardTransaction): Promise<void> {
    // The waits end on an abort or when the simulator closes. Linked by hand: AbortSignal.any
    // with the simulator's long-lived signal keeps every transaction's signal alive (Node 20).
    const wait = new AbortController();
    const end = (): void => wait.abort();
    this.life.signal.addEventListener('abort', end, { once: true });
    try {
      await this.transactionWith(request, wait);
    } finally {
      this.life.signal.removeEventListener('abort', end);
    }
  }

  private async transactionWith(request: CardTransaction, wait: AbortController): Promise<void> {
    const behaviour = { ...this.state.behaviour };
    const reference = request.kind === 'authorisation' ? null : (request.merchantReference?.value ?? null);
    const amountMinor = request.amountMinor;
    if (amountMinor === null || amountMinor <= 0) {
      this.note('refusedRequest', { detail: `${request.kind} without an amount`, reference });
      await this.answer(nak(ZvtSimCode.PROTOCOL_ERROR));
      return;
    }
    if (behaviour.kind === 'busy') {
      this.note('refusedBusy', { detail: request.kind, reference, amountMinor });
      await this.answer(nak(behaviour.resultCode ?? ZvtSimCode.BUSY));
      return;
    }
    const tx: Tx = { phase: 'presentCard', behaviour, abort: new AbortController(), aborted: false, approveNotBefore: 0 };
    this.tx = tx;
    this.note('request', { detail: request.kind, reference, amountMinor });
    if (!(await this.answer(ACK))) return;
    const currency = request.currency ?? CURRENCY_EUR;
    const registered = this.state.registration?.currency ?? CURRENCY_EUR;
    if (currency !== registered) {
      tx.phase = 'finishing';
      this.note('declined', { resultCode: ZvtSimCode.WRONG_CURRENCY, reference, amountMinor });
      this.save();
      await this.message(buildTerminalAbort(ZvtSimCode.WRONG_CURRENCY, [], encodeCurrency(registered)));
      return;
    }

    tx.abort.signal.addEventListener('abort', () => wait.abort(), { once: true });
    const waitSignal = wait.signal;
    const abortEnd = async (): Promise<void> => {
      tx.phase = 'finishing';
      this.note('aborted', { resultCode: ZvtSimCode.ABORTED, reference, amountMinor });
      this.save();
      await this.message(buildTerminalAbort(ZvtSimCode.ABORTED));
    };

    if (!(await this.intermediate(Status.PRESENT_CARD))) return;
    if (tx.aborted) return abortEnd();
    if (behaviour.kind === 'timeout') {
      await this.pause(this.state.cardTimeoutMs, waitSignal);
      if (this.closed) return;
      if (tx.aborted) return abortEnd();
      tx.phase = 'finishing';
      this.note('timeout', { resultCode: ZvtSimCode.ABORTED, reference, amountMinor, detail: 'no card' });
      this.save();
      await this.message(buildTerminalAbort(ZvtSimCode.ABORTED));
      return;
    }
    await this.pause(this.state.cardDelayMs, waitSignal);
    if (this.closed) return;
    if (tx.aborted) return abortEnd();

    if (behaviour.kind === 'pin') {
      tx.phase = 'pin';
      if (!(await this.intermediate(Status.PIN))) return;
      if (tx.aborted) return abortEnd();
      await this.pause(this.pinDelayMs, waitSignal);
      if (this.closed) return;
      if (tx.aborted) return abortEnd();
    }
    tx.phase = 'authorising';
    if (behaviour.kind === 'cardRemoved') {
      tx.phase = 'finishing';
      const code = behaviour.resultCode ?? ZvtSimCode.CARD_REMOVED;
      this.note('declined', { resultCode: code, reference, amountMinor, detail: 'card removed' });
      this.save();
      if (!(await this.intermediate(Status.REMOVE_CARD))) return;
      await this.message(buildTerminalAbort(code));
      return;
    }
    if (!(await this.intermediate(Status.PLEASE_WAIT))) return;
    await this.pause(this.hostDelayMs);
    // lateApproval: an abort was refused meanwhile; the host's answer comes only later.
    while (!this.closed && this.clock.now() < tx.approveNotBefore) await this.pause(tx.approveNotBefore - this.clock.now());
    if (this.closed) return;
    tx.phase = 'finishing';

    const at = this.clock.now();
    const declineCode =
      behaviour.kind === 'decline'
        ? (behaviour.resultCode ?? ZvtSimCode.DECLINED)
        : behaviour.kind === 'insufficientFunds'
          ? ZvtSimCode.INSUFFICIENT_FUNDS
          : behaviour.kind === 'cardExpired'
            ? ZvtSimCode.CARD_EXPIRED
            : null;
    if (declineCode !== null) {
      const trace = this.nextTrace();
      this.note('declined', { resultCode: declineCode, reference, amountMinor });
      this.save();
      if (!(await this.intermediate(Status.DECLINED))) return;
      if (!(await this.message(buildStatusInformation([bmp(0x27, Uint8Array.of(declineCode)), bmp(0x04, encodeAmount(amountMinor)), bmp(0x49, encodeCurrency(currency)), bmp(0x0b, encodeTraceNumber(trace)), ...timeFields(at), this.tidField()]))))
        return;
      await this.message(buildTerminalAbort(declineCode));
      return;
    }

    // Approved: on record (and on disk) before the ECR hears of it.
    const trace = this.nextTrace();
    const receipt = this.nextReceipt();
    let record: ReservationRecord | null = null;
    if (request.kind === 'reservation') {
      record = {
        receiptNumber: receipt,
        traceNumber: trace,
        amountMinor,
        currency,
        state: 'open',
        bookedMinor: null,
        reference,
        closeReference: null,
        closeReceiptNumber: null,
        at,
        closedAt: null,
        card: maskedText(this.card),
        cardName: this.card.name,
      };
      this.state.reservations.push(record);
      this.trimReservations();
    } else if (request.kind === 'refund') {
      // Listed, not taken off the day's total: the end of day reports what was paid.
      this.keepRefund({ kind: 'refund', receiptNumber: receipt, traceNumber: trace, originalReceiptNumber: null, amountMinor, currency, reference, at, card: maskedText(this.card) });
    } else {
      this.state.dayTotalMinor += amountMinor;
    }
    this.note(request.kind === 'authorisation' ? 'payment' : request.kind, { resultCode: 0, receiptNumber: receipt, amountMinor, reference });
    this.save();
    if (!(await this.intermediate(Status.REMOVE_CARD))) return;
    const acked = await this.message(buildStatusInformation(this.approvalFields(amountMinor, currency, trace, receipt, at)));
    if (!acked) {
      if (record && this.reverseOnUnackedStatus && !this.closed) {
        record.state = 'reversed';
        record.closedAt = this.clock.now();
        this.note('autoReversal', { receiptNumber: receipt, amountMinor, reference });
        this.save();
      }
      return;
    }
    const title = TITLES[request.kind];
    if (!(await this.receipts(false, this.paymentReceipts(title, amountMinor, trace, receipt, at)))) return;
    await this.message(buildCompletion());
  }

  private approvalFields(amountMinor: number, currency: number, trace: number, receipt: number, at: number, originalTrace?: number): BmpInput[] {
    return [
      bmp(0x27, Uint8Array.of(0x00)),
      bmp(0x04, encodeAmount(amountMinor)),
      bmp(0x49, encodeCurrency(currency)),
      ...timeFields(at),
      bmp(0x22, maskedPanField(this.card)),
      bmp(0x87, encodeReceiptNumber(receipt)),
      bmp(0x3b, fixedText(String(100000 + (trace % 900000)), 8)),
      bmp(0x0b, encodeTraceNumber(trace)),
      ...(originalTrace === undefined ? [] : [bmp(0x37, encodeTraceNumber(originalTrace))]),
      this.tidField(),
      bmp(0x2a, fixedText('SIMVU0000000001', 15)),
      bmp(0x8a, Uint8Array.of(this.card.cardType)),
      bmp(0x8b, encodeCp437(this.card.name)),
    ];
  }

  private paymentReceipts(title: string, amountMinor: number, trace: number, receipt: number, at: number): Array<{ type: number; lines: string[] }> {
    const when = new Date(at).toISOString().slice(0, 19).replace('T', ' ');
    const lines = (who: string): string[] => [
      `** ${who} **`,
      title,
      `Terminal-ID: ${this.terminalId}`,
      `Trace: ${trace}  Beleg: ${receipt}`,
      `Karte: ${this.card.name}`,
      `Karten-Nr.: ${'x'.repeat(this.card.length - 4)}${this.card.last4}`,
      `Betrag EUR ${(amountMinor / 100).toFixed(2)}`,
      when,
      'Zahlung erfolgt',
    ];
    return [
      { type: RECEIPT_MERCHANT, lines: lines('Haendlerbeleg') },
      { type: RECEIPT_CUSTOMER, lines: lines('Kundenbeleg') },
    ];
  }

  private findReservation(receiptNumber: number): ReservationRecord | undefined {
    return this.state.reservations.findLast((r) => r.receiptNumber === receiptNumber);
  }

  /** 06 23 (book `amountMinor`, release the rest) or 06 25 (release all). */
  private async closeReservation(mode: 'book' | 'reverse', receiptNumber: number | null, amountMinor: number | null, reference: string | null): Promise<void> {
    if (receiptNumber === null || (mode === 'book' && amountMinor === null)) {
      this.note('refusedRequest', { detail: `${mode} without receipt number or amount`, reference });
      await this.answer(nak(ZvtSimCode.PROTOCOL_ERROR));
      return;
    }
    if (!(await this.hostOnly(mode === 'book' ? 'bookingRequest' : 'reversalRequest', { receiptNumber, amountMinor, reference }))) return;
    const record = this.findReservation(receiptNumber);
    let refusal: number | null = null;
    if (!record || record.state === 'booked') refusal = ZvtSimCode.REVERSAL_NOT_POSSIBLE;
    else if (record.state === 'reversed') refusal = ZvtSimCode.ALREADY_REVERSED;
    else if (mode === 'book' && amountMinor! > record.amountMinor) refusal = ZvtSimCode.AMOUNT_TOO_HIGH;
    if (refusal !== null || !record) return this.endWith(refusal ?? ZvtSimCode.REVERSAL_NOT_POSSIBLE, mode === 'book' ? 'bookingRefused' : 'reversalRefused', { receiptNumber, amountMinor, reference });
    const at = this.clock.now();
    const trace = this.nextTrace();
    const receipt = this.nextReceipt();
    record.state = mode === 'book' ? 'booked' : 'reversed';
    record.bookedMinor = mode === 'book' ? amountMinor : null;
    record.closeReference = reference;
    record.closeReceiptNumber = receipt;
    record.closedAt = at;
    if (mode === 'book') this.state.dayTotalMinor += amountMinor!;
    this.note(mode === 'book' ? 'booking' : 'reversal', { resultCode: 0, receiptNumber: record.receiptNumber, amountMinor: mode === 'book' ? amountMinor : record.amountMinor, reference, detail: `receipt ${receipt}` });
    this.trimReservations();
    this.save();
    // The Feig capture of a 06 25 reports amount 0: nothing was booked.
    const reported = mode === 'book' ? amountMinor! : 0;
    if (!(await this.message(buildStatusInformation(this.approvalFields(reported, record.currency, trace, receipt, at, record.traceNumber))))) return;
    const title = mode === 'book' ? 'Buchung Reservierung' : 'Storno Reservierung';
    if (!(await this.receipts(false, this.paymentReceipts(title, reported, trace, receipt, at)))) return;
    await this.message(buildCompletion());
  }

  /**
   * The start of a command that reads no card: 80 00 00, "please wait", the host's time.
   * False when the terminal went away meanwhile.
   */
  private async hostOnly(event: string, entry: Partial<Omit<JournalEntry, 'at' | 'event'>>): Promise<boolean> {
    this.tx = { phase: 'authorising', behaviour: this.state.behaviour, abort: new AbortController(), aborted: false, approveNotBefore: 0 };
    this.note(event, entry);
    if (!(await this.answer(ACK))) return false;
    if (!(await this.intermediate(Status.PLEASE_WAIT))) return false;
    await this.pause(this.hostDelayMs);
    if (this.closed) return false;
    this.tx.phase = 'finishing';
    return true;
  }

  /** Ends the command with 06 1E `code`, noted and on disk first. */
  private async endWith(code: number, event: string, entry: Partial<Omit<JournalEntry, 'at' | 'event' | 'resultCode'>>): Promise<void> {
    this.note(event, { ...entry, resultCode: code });
    this.save();
    await this.message(buildTerminalAbort(code));
  }

  /**
   * 06 30: reverses a booking (06 23) by the receipt number the booking got, the whole of
   * it, no card; only a booking since the last end of day, and only once.
   */
  private async reversal(receiptNumber: number | null): Promise<void> {
    if (receiptNumber === null) {
      this.note('refusedRequest', { detail: 'reversal without receipt number' });
      await this.answer(nak(ZvtSimCode.PROTOCOL_ERROR));
      return;
    }
    if (!(await this.hostOnly('reversalRequest', { receiptNumber }))) return;
    const since = this.state.lastEndOfDayAt ?? -Infinity;
    const booking = this.state.reservations.findLast((r) => r.state === 'booked' && r.closeReceiptNumber === receiptNumber && (r.closedAt ?? 0) > since);
    const reversed = this.state.refunds.some((r) => r.kind === 'reversal' && r.originalReceiptNumber === receiptNumber && r.at > since);
    if (!booking || reversed) return this.endWith(reversed ? ZvtSimCode.ALREADY_REVERSED : ZvtSimCode.REVERSAL_NOT_POSSIBLE, 'reversalRefused', { receiptNumber });
    const at = this.clock.now();
    const trace = this.nextTrace();
    const receipt = this.nextReceipt();
    const amountMinor = booking.bookedMinor!;
    this.state.dayTotalMinor = Math.max(0, this.state.dayTotalMinor - amountMinor);
    this.keepRefund({ kind: 'reversal', receiptNumber: receipt, traceNumber: trace, originalReceiptNumber: receiptNumber, amountMinor, currency: booking.currency, reference: booking.reference, at, card: null });
    this.note('reversal', { resultCode: 0, receiptNumber, amountMinor, reference: booking.reference, detail: `receipt ${receipt}` });
    this.save();
    if (!(await this.message(buildStatusInformation(this.approvalFields(amountMinor, booking.currency, trace, receipt, at, booking.traceNumber))))) return;
    if (!(await this.receipts(false, this.paymentReceipts('Storno', amountMinor, trace, receipt, at)))) return;
    await this.message(buildCompletion());
  }

  private keepRefund(record: RefundRecord): void {
    this.state.refunds.push(record);
    if (this.state.refunds.length > MAX_CLOSED_RESERVATIONS) this.state.refunds.splice(0, this.state.refunds.length - MAX_CLOSED_RESERVATIONS);
  }

  private async openReservationsQuery(): Promise<void> {
    const open = this.state.reservations.filter((r) => r.state === 'open').map((r) => r.receiptNumber);
    this.note('openReservationsQuery', { detail: open.join(',') || 'none' });
    if (!(await this.answer(ACK))) return;
    await this.message(buildOpenReservationsAnswer(open));
  }

  private async endOfDay(password: string | null): Promise<void> {
    if (!(await this.passwordAccepted(password, 'endOfDay'))) return;
    this.tx = { phase: 'finishing', behaviour: this.state.behaviour, abort: new AbortController(), aborted: false, approveNotBefore: 0 };
    if (!(await this.answer(ACK))) return;
    if (!(await this.intermediate(Status.PLEASE_WAIT))) return;
    await this.pause(this.hostDelayMs);
    if (this.closed) return;
    const at = this.clock.now();
    const total = this.state.dayTotalMinor;
    const trace = this.nextTrace();
    this.state.dayTotalMinor = 0;
    this.state.endOfDayCount += 1;
    this.state.lastEndOfDayAt = at;
    this.note('endOfDay', { resultCode: 0, amountMinor: total, detail: `#${this.state.endOfDayCount}` });
    this.save();
    if (!(await this.message(buildStatusInformation([bmp(0x27, Uint8Array.of(0x00)), bmp(0x04, encodeAmount(total)), bmp(0x0b, encodeTraceNumber(trace)), ...timeFields(at), this.tidField()])))) return;
    const lines = ['** Kassenschnitt **', `Terminal-ID: ${this.terminalId}`, `Gesamt EUR ${(total / 100).toFixed(2)}`, new Date(at).toISOString().slice(0, 19).replace('T', ' ')];
    if (!(await this.receipts(true, [{ type: RECEIPT_ADMIN, lines }]))) return;
    await this.message(buildCompletion());
  }

  /** 06 C0: waits for a tap (or the timeout, or an abort), then reports the card without any payment. */
  private async readCard(timeoutS: number | null): Promise<void> {
    // A read card is always abortable: the kiosk ends it whenever it needs the terminal.
    const tx: Tx = { phase: 'presentCard', behaviour: { kind: 'approve' }, abort: new AbortController(), aborted: false, approveNotBefore: 0 };
    this.tx = tx;
    this.note('readCardRequest', {});
    if (!(await this.answer(ACK))) return;
    if (!(await this.intermediate(Status.PRESENT_CARD))) return;
    const timeoutMs = (timeoutS || 60) * 1000;
    const tapped = await new Promise<boolean>((resolve) => {
      const timer = this.clock.setTimeout(() => done(false), timeoutMs);
      const onEnd = (): void => done(false);
      const done = (value: boolean): void => {
        this.clock.clearTimeout(timer);
        tx.abort.signal.removeEventListener('abort', onEnd);
        this.life.signal.removeEventListener('abort', onEnd);
        if (this.cardWaiter === tap) this.cardWaiter = null;
        resolve(value);
      };
      const tap = (): void => done(true);
      this.cardWaiter = tap;
      tx.abort.signal.addEventListener('abort', onEnd, { once: true });
      this.life.signal.addEventListener('abort', onEnd, { once: true });
    });
    if (this.closed) return;
    tx.phase = 'finishing';
    if (!tapped) {
      this.note(tx.aborted ? 'aborted' : 'timeout', { resultCode: ZvtSimCode.ABORTED, detail: 'read card' });
      await this.message(buildTerminalAbort(ZvtSimCode.ABORTED));
      return;
    }
    this.note('cardRead', { detail: this.card.name });
    const fields: BmpInput[] = [bmp(0x27, Uint8Array.of(0x00)), bmp(0x22, maskedPanField(this.card)), bmp(0x8a, Uint8Array.of(this.card.cardType)), bmp(0x8b, encodeCp437(this.card.name))];
    if (!(await this.message(buildStatusInformation(fields)))) return;
    await this.message(buildCompletion());
  }

  private async statusEnquiry(): Promise<void> {
    if (!(await this.answer(ACK))) return;
    await this.message(buildCompletion({ softwareVersion: this.softwareVersion, terminalStatus: 0x00, fields: [this.tidField()] }));
  }

  // ---- Record ----

  private note(event: string, entry: Partial<Omit<JournalEntry, 'at' | 'event'>>): void {
    this.state.journal.push({
      at: this.clock.now(),
      event,
      resultCode: entry.resultCode ?? null,
      receiptNumber: entry.receiptNumber ?? null,
      amountMinor: entry.amountMinor ?? null,
      reference: entry.reference ?? null,
      detail: entry.detail ?? null,
    });
    if (this.state.journal.length > MAX_JOURNAL) this.state.journal.splice(0, this.state.journal.length - MAX_JOURNAL);
    this.save();
  }

  private trimReservations(): void {
    let excess = this.state.reservations.filter((r) => r.state !== 'open').length - MAX_CLOSED_RESERVATIONS;
    if (excess <= 0) return;
    this.state.reservations = this.state.reservations.filter((r) => {
      if (excess <= 0 || r.state === 'open') return true;
      excess--;
      return false;
    });
  }

  /** Synchronous and atomic (sim-state.ts): on disk before whatever is sent next. */
  private save(): void {
    this.file.save(this.state);
  }
}
