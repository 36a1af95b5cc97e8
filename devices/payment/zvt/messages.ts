// The ZVT messages the kiosk sends and the ones the terminal answers with, as typed
// values: builders for our requests (and a parser for them, for the simulator and the
// tests), and parsers for the terminal's messages. Pure functions over APDUs (apdu.ts);
// the serial framing is framing.ts, the link and the sequence of a payment are the
// driver's.
//
// A payment with a hold, as the kiosk runs it (EVerest's Feig flow, in captures):
//   06 22 reservation → 04 FF … intermediate status → 04 0F status information (result,
//   receipt number) → 06 0F completion; later 06 23 books the final amount against the
//   receipt number (partial reversal), or 06 25 releases the whole hold. ZVT has no
//   idempotency key: `06 23 87 FF FF` asks which reservations are still open.
// Money given back afterwards: `06 30` reverses a payment of the same day (before the end
// of day) by its receipt number, no card needed; `06 31` credits an amount to the card the
// terminal asks for (Gutschrift), any amount, any day. Both start with the password.
//
// Parsers never throw: a message that cannot be read comes back as `{ kind: 'error' }`.
// Card data never comes out of them: the PAN only masked (pan.ts), track 2, expiry date
// and the like only as "present" (their BMP numbers in `withheld`).
import { decodeApdu, decodeBmps, encodeApdu, encodeBmps, controlField, isSensitiveBmp, BMP_SPECS } from './apdu.js';
import type { Apdu, BmpField, BmpInput } from './apdu.js';
import {
  bcdNibbles,
  decodeAmount,
  decodeBcd,
  decodeCurrency,
  decodePassword,
  decodeReceiptNumber,
  decodeTraceNumber,
  encodeAmount,
  encodeCurrency,
  encodePassword,
  encodeReceiptNumber,
  CURRENCY_EUR,
  RECEIPT_NUMBER_ALL,
} from './bcd.js';
import type { ReceiptNumber } from './bcd.js';
import { hex2, zvtError } from './errors.js';
import type { ZvtError } from './errors.js';
import { describeIntermediateStatus } from './intermediate-status.js';
import type { IntermediateStatusInfo } from './intermediate-status.js';
import { maskPanField, maskPanFromTrack2 } from './pan.js';
import type { MaskedPan } from './pan.js';
import { describeResultCode, describeTerminalStatus } from './result-codes.js';
import type { HostProfile, ResultCodeInfo } from './result-codes.js';
import { decodeCp437, decodeFieldText } from './text.js';
import { concatBytes, encodeTlv, findAllTlv, findTlv, tlvNode } from './tlv.js';
import type { TlvNode } from './tlv.js';

/** Control fields (class and instruction) of the messages used here. */
export const ZvtControl = {
  REGISTRATION: 0x0600,
  AUTHORISATION: 0x0601,
  COMPLETION: 0x060f,
  ABORT_FROM_TERMINAL: 0x061e,
  RESERVATION: 0x0622,
  PARTIAL_REVERSAL: 0x0623,
  BOOK_TOTAL: 0x0624,
  RESERVATION_REVERSAL: 0x0625,
  REVERSAL: 0x0630,
  REFUND: 0x0631,
  END_OF_DAY: 0x0650,
  ABORT: 0x06b0,
  READ_CARD: 0x06c0,
  PRINT_LINE: 0x06d1,
  PRINT_TEXT_BLOCK: 0x06d3,
  STATUS_INFORMATION: 0x040f,
  INTERMEDIATE_STATUS: 0x04ff,
  STATUS_ENQUIRY: 0x0501,
  ACK: 0x8000,
} as const;

/** Payment type (BMP 19) "the terminal decides", without GeldKarte: what we always send. */
export const PAYMENT_TYPE_TERMINAL_DECIDES = 0x40;

/**
 * Registration config byte bits (ecrterm's names). 0xBA, the usual value, sets all but
 * "ECR prints administration receipts". 0x80 selects how receipts reach the ECR (print
 * lines 06 D1 or text blocks 06 D3: a Feig cVEND registered with 0xDE sends text blocks).
 */
export const RegistrationConfig = {
  ECR_PRINTS_PAYMENT_RECEIPTS: 0x02,
  ECR_PRINTS_ADMIN_RECEIPTS: 0x04,
  INTERMEDIATE_STATUS: 0x08,
  ECR_CONTROLS_PAYMENT: 0x10,
  ECR_CONTROLS_ADMIN: 0x20,
  PRINT_TYPE: 0x80,
} as const;

/** Status enquiry service byte bits (ecrterm's names). */
export const StatusEnquiryService = {
  NO_SOFTWARE_VERSION: 0x02,
  SEND_TLV: 0x04,
} as const;

/** TLV tags read or written here. */
export const ZvtTag = {
  TEXT_LINE: 0x07,
  RECEIPT_NUMBER: 0x08,
  ATTRIBUTE: 0x09,
  RECEIPT_NUMBERS: 0x23,
  DISPLAY_TEXTS: 0x24,
  PRINT_TEXTS: 0x25,
  /** Feig/Lavego: the container of the merchant reference sent with 06 22 / 06 23. */
  MERCHANT_REFERENCE: 0xe9,
  RECEIPT_TYPE: 0x1f07,
  EXTENDED_ERROR_CODE: 0x1f16,
  EXTENDED_ERROR_TEXT: 0x1f17,
  MERCHANT_REFERENCE_PREFIX: 0x1f62,
  MERCHANT_REFERENCE_VALUE: 0x1f63,
} as const;

/** EMV tags that carry card data (PAN, tracks, cardholder name, expiry); never passed on. */
export const SENSITIVE_TLV_TAGS: ReadonlySet<number> = new Set([0x56, 0x57, 0x5a, 0x5f20, 0x5f24, 0x9f1f, 0x9f20, 0x9f6b]);

// ---- Our requests ----

const byte = (value: number, what: string): number => {
  if (!Number.isInteger(value) || value < 0 || value > 0xff) throw new RangeError(`${what} must be a byte (0..255), got ${String(value)}`);
  return value;
};

const bmp = (n: number, value: Uint8Array): BmpInput => ({ bmp: n, value });
const tlvField = (tlv: readonly TlvNode[] | null | undefined): BmpInput[] => (tlv && tlv.length > 0 ? [{ bmp: 0x06, tlv }] : []);
const paymentTypeField = (paymentType: number | null | undefined): BmpInput[] =>
  paymentType === null ? [] : [bmp(0x19, Uint8Array.of(byte(paymentType ?? PAYMENT_TYPE_TERMINAL_DECIDES, 'ZVT payment type')))];
/** BMP 19 only when a payment type is given. */
const optionalPaymentType = (paymentType: number | null | undefined): BmpInput[] => (paymentType === undefined || paymentType === null ? [] : paymentTypeField(paymentType));

/**
 * The reference Feig terminals pass to the host with a reservation or booking (TLV E9 with
 * 1F62 prefix and 1F63 value; EVerest sends prefix "AC", which the Lavego host files as
 * the merchant's reference). Text as CP437.
 */
export function merchantReferenceTlv(value: string, prefix = 'AC'): TlvNode[] {
  if (typeof value !== 'string' || value.length === 0 || value.length > 99) throw new RangeError('merchant reference must be 1..99 characters');
  return [tlvNode(ZvtTag.MERCHANT_REFERENCE, [tlvNode(ZvtTag.MERCHANT_REFERENCE_PREFIX, prefix), tlvNode(ZvtTag.MERCHANT_REFERENCE_VALUE, value)])];
}

export interface RegistrationRequest {
  password: string | number;
  /** See RegistrationConfig; 0xBA is the usual value. */
  configByte: number;
  /** ISO 4217 numeric, default 978 (EUR). Sent untagged, right after the config byte. */
  currency?: number;
  serviceByte?: number | null;
  tlv?: readonly TlvNode[] | null;
}

/** `06 00` registration: password, config byte, currency, [03 service byte], [06 TLV]. */
export function buildRegistration(request: RegistrationRequest): Uint8Array {
  const serviceByte = request.serviceByte ?? null;
  return encodeApdu(
    0x06,
    0x00,
    concatBytes([
      encodePassword(request.password),
      Uint8Array.of(byte(request.configByte, 'ZVT config byte')),
      encodeCurrency(request.currency ?? CURRENCY_EUR),
      encodeBmps([...(serviceByte === null ? [] : [bmp(0x03, Uint8Array.of(byte(serviceByte, 'ZVT service byte')))]), ...tlvField(request.tlv)]),
    ]),
  );
}

export interface AuthorisationRequest {
  amountMinor: number;
  currency?: number;
  /** Default: none (the terminal decides); 0x40 for "terminal decides, no GeldKarte". */
  paymentType?: number | null;
}

/** `06 01` authorisation (a payment without hold): 04 amount, 49 currency, [19 payment type]. */
export function buildAuthorisation(request: AuthorisationRequest): Uint8Array {
  return encodeApdu(
    0x06,
    0x01,
    encodeBmps([
      bmp(0x04, encodeAmount(request.amountMinor)),
      bmp(0x49, encodeCurrency(request.currency ?? CURRENCY_EUR)),
      ...optionalPaymentType(request.paymentType),
    ]),
  );
}

export interface ReservationRequest {
  /** The hold, in minor units. */
  amountMinor: number;
  currency?: number;
  /** Default 0x40 (terminal decides); null leaves BMP 19 out. */
  paymentType?: number | null;
  /** TLV objects to send, e.g. merchantReferenceTlv(...). */
  tlv?: readonly TlvNode[] | null;
}

/** `06 22` reservation (pre-authorisation): 19 payment type, 49 currency, 04 amount, [06 TLV], in the order a Feig terminal was sent them. */
export function buildReservation(request: ReservationRequest): Uint8Array {
  return encodeApdu(
    0x06,
    0x22,
    encodeBmps([
      ...paymentTypeField(request.paymentType),
      bmp(0x49, encodeCurrency(request.currency ?? CURRENCY_EUR)),
      bmp(0x04, encodeAmount(request.amountMinor)),
      ...tlvField(request.tlv),
    ]),
  );
}

export interface PartialReversalRequest {
  /** The reservation's receipt number (from its status information). */
  receiptNumber: number;
  /** The final amount to book, minor units; the rest of the hold is released. */
  amountMinor: number;
  currency?: number;
  paymentType?: number | null;
  tlv?: readonly TlvNode[] | null;
}

/** `06 23` partial reversal of a reservation = book the final amount: 19, 87 receipt, 49, 04, [06]. */
export function buildPartialReversal(request: PartialReversalRequest): Uint8Array {
  return encodeApdu(
    0x06,
    0x23,
    encodeBmps([
      ...paymentTypeField(request.paymentType),
      bmp(0x87, encodeReceiptNumber(request.receiptNumber)),
      bmp(0x49, encodeCurrency(request.currency ?? CURRENCY_EUR)),
      bmp(0x04, encodeAmount(request.amountMinor)),
      ...tlvField(request.tlv),
    ]),
  );
}

/** `06 23 03 87 FF FF`: which reservations are open? Answered by `06 1E B8` with the receipt numbers. */
export function buildOpenReservationsQuery(): Uint8Array {
  return encodeApdu(0x06, 0x23, encodeBmps([bmp(0x87, encodeReceiptNumber(RECEIPT_NUMBER_ALL))]));
}

export interface ReservationReversalRequest {
  receiptNumber: number;
  currency?: number;
  paymentType?: number | null;
}

/** `06 25` reversal of a whole reservation (releases the hold): 19, 87 receipt, 49. */
export function buildReservationReversal(request: ReservationReversalRequest): Uint8Array {
  return encodeApdu(
    0x06,
    0x25,
    encodeBmps([...paymentTypeField(request.paymentType), bmp(0x87, encodeReceiptNumber(request.receiptNumber)), bmp(0x49, encodeCurrency(request.currency ?? CURRENCY_EUR))]),
  );
}

export interface ReversalRequest {
  password: string | number;
  /** The receipt number of the payment to reverse (BMP 87 of its status information). */
  receiptNumber: number;
  /** Default: none sent (the terminal reverses the payment as it was made). */
  paymentType?: number | null;
  tlv?: readonly TlvNode[] | null;
}

/**
 * `06 30` reversal (Storno) of a payment booked since the terminal's last end of day, by
 * its receipt number: password, 87 receipt number, [19 payment type], [06 TLV]. The whole
 * payment is reversed and no card is read; after the end of day (or for a receipt number
 * the terminal does not have) it ends `06 1E B5`, reversal not possible.
 */
export function buildReversal(request: ReversalRequest): Uint8Array {
  return encodeApdu(
    0x06,
    0x30,
    concatBytes([
      encodePassword(request.password),
      encodeBmps([bmp(0x87, encodeReceiptNumber(request.receiptNumber)), ...optionalPaymentType(request.paymentType), ...tlvField(request.tlv)]),
    ]),
  );
}

export interface CardRefundRequest {
  password: string | number;
  /** What to credit to the card, minor units. */
  amountMinor: number;
  currency?: number;
  /** Default: none sent (the terminal decides). */
  paymentType?: number | null;
  tlv?: readonly TlvNode[] | null;
}

/**
 * `06 31` refund (Gutschrift): password, 04 amount, 49 currency, [19 payment type], [06
 * TLV]. The terminal asks for the card and credits it; any amount, any day. Answered like
 * a payment: 04 0F status information, then 06 0F, or 06 1E with the result code.
 */
export function buildRefund(request: CardRefundRequest): Uint8Array {
  return encodeApdu(
    0x06,
    0x31,
    concatBytes([
      encodePassword(request.password),
      encodeBmps([
        bmp(0x04, encodeAmount(request.amountMinor)),
        bmp(0x49, encodeCurrency(request.currency ?? CURRENCY_EUR)),
        ...optionalPaymentType(request.paymentType),
        ...tlvField(request.tlv),
      ]),
    ]),
  );
}

/** `06 50` end of day (submits the day's bookings): password. */
export function buildEndOfDay(request: { password: string | number }): Uint8Array {
  return encodeApdu(0x06, 0x50, encodePassword(request.password));
}

/**
 * `06 C0` read card: the terminal waits up to `timeoutS` seconds (1 byte, binary; 0 = the
 * terminal's own default) for a card and reports it in a status information (masked PAN,
 * card type), without any payment.
 */
export function buildReadCard(request: { timeoutS: number }): Uint8Array {
  return encodeApdu(0x06, 0xc0, Uint8Array.of(byte(request.timeoutS, 'ZVT read-card timeout')));
}

/** `06 B0 00`: abort the command the terminal is running (answered by `06 1E 6C` if it could). */
export function buildAbort(): Uint8Array {
  return encodeApdu(0x06, 0xb0);
}

export interface StatusEnquiryRequest {
  password?: string | number | null;
  /** See StatusEnquiryService; needs the password before it. */
  serviceByte?: number | null;
  tlv?: readonly TlvNode[] | null;
}

/** `05 01` status enquiry: [password], [03 service byte], [06 TLV]. */
export function buildStatusEnquiry(request: StatusEnquiryRequest = {}): Uint8Array {
  const password = request.password ?? null;
  const serviceByte = request.serviceByte ?? null;
  if (password === null && (serviceByte !== null || (request.tlv && request.tlv.length > 0))) {
    throw new TypeError('ZVT status enquiry: a service byte or TLV needs the password before it');
  }
  return encodeApdu(
    0x05,
    0x01,
    concatBytes([
      password === null ? new Uint8Array(0) : encodePassword(password),
      encodeBmps([...(serviceByte === null ? [] : [bmp(0x03, Uint8Array.of(byte(serviceByte, 'ZVT service byte')))]), ...tlvField(request.tlv)]),
    ]),
  );
}

/** `80 00 00`: the application-level acknowledgement of a terminal message. */
export function buildAck(): Uint8Array {
  return encodeApdu(0x80, 0x00);
}

/** `84 cc 00`: refuse a terminal message with error code `cc` (e.g. 0x83 function not possible). */
export function buildNegativeAck(code: number): Uint8Array {
  return encodeApdu(0x84, byte(code, 'ZVT error code'));
}

// ---- Shared reading ----

export type ParseError = { kind: 'error'; error: ZvtError };

const fail = (code: ZvtError['code'], message: string, offset?: number): ParseError => ({ kind: 'error', error: zvtError(code, message, offset) });

function toApdu(input: Uint8Array | Apdu): { ok: true; apdu: Apdu } | ParseError {
  if (input instanceof Uint8Array) {
    const decoded = decodeApdu(input);
    return decoded.ok ? decoded : { kind: 'error', error: decoded.error };
  }
  if (input && typeof input === 'object' && input.body instanceof Uint8Array && Number.isInteger(input.cls) && Number.isInteger(input.instr)) {
    return { ok: true, apdu: input };
  }
  return fail('unexpectedMessage', 'not an APDU');
}

/** The fields of a BMP sequence by number (the first of each), with what stopped the reading. */
interface Fields {
  get(n: number): BmpField | undefined;
  list: BmpField[];
  /** Why the BMP sequence could not be read to its end, or null. */
  stop: ZvtError | null;
  /** Bytes after the last field read. */
  unparsed: number;
}

function readFields(body: Uint8Array, offset: number): Fields {
  const { fields, rest, stop } = decodeBmps(body, offset);
  const byNumber = new Map<number, BmpField>();
  for (const field of fields) if (!byNumber.has(field.bmp)) byNumber.set(field.bmp, field);
  return { get: (n) => byNumber.get(n), list: fields, stop, unparsed: rest.length };
}

const binaryOf = (field: BmpField | undefined): number | null => (field && field.value.length === 1 ? field.value[0]! : null);
const bcdOf = (field: BmpField | undefined): number | null => (field ? decodeBcd(field.value) : null);
const textOf = (field: BmpField | undefined): string | null => (field ? decodeFieldText(field.value) : null);
const digitsOf = (field: BmpField | undefined): string | null => (field ? bcdNibbles(field.value) : null);

/** TLV objects without the EMV card-data tags; `withheld` lists the tags taken out. */
export function redactTlv(nodes: readonly TlvNode[], withheld: number[] = []): { nodes: TlvNode[]; withheld: number[] } {
  const out: TlvNode[] = [];
  for (const node of nodes) {
    if (SENSITIVE_TLV_TAGS.has(node.tag)) {
      withheld.push(node.tag);
      continue;
    }
    if (node.children) {
      const inner = redactTlv(node.children, withheld).nodes;
      out.push({ tag: node.tag, value: encodeTlv(inner), children: inner });
    } else {
      out.push(node);
    }
  }
  return { nodes: out, withheld };
}

/** The TLV of BMP 06, redacted; [] when absent. */
function tlvOf(fields: Fields, withheldTags: number[]): TlvNode[] {
  const tlv = fields.get(0x06)?.tlv;
  return tlv ? redactTlv(tlv, withheldTags).nodes : [];
}

export interface TimeOfDay {
  hour: number;
  minute: number;
  second: number;
}

export interface MonthDay {
  month: number;
  day: number;
}

function timeOf(field: BmpField | undefined): TimeOfDay | null {
  if (!field || field.value.length !== 3) return null;
  const [h, m, s] = [decodeBcd(field.value.subarray(0, 1)), decodeBcd(field.value.subarray(1, 2)), decodeBcd(field.value.subarray(2, 3))];
  if (h === null || m === null || s === null || h > 23 || m > 59 || s > 60) return null;
  return { hour: h, minute: m, second: s };
}

function dateOf(field: BmpField | undefined): MonthDay | null {
  if (!field || field.value.length !== 2) return null;
  const [month, day] = [decodeBcd(field.value.subarray(0, 1)), decodeBcd(field.value.subarray(1, 2))];
  if (month === null || day === null || month < 1 || month > 12 || day < 1 || day > 31) return null;
  return { month, day };
}

function merchantReferenceOf(tlv: readonly TlvNode[]): { prefix: string; value: string } | null {
  const container = findTlv(tlv, ZvtTag.MERCHANT_REFERENCE);
  const prefix = findTlv(container?.children, ZvtTag.MERCHANT_REFERENCE_PREFIX);
  const value = findTlv(container?.children, ZvtTag.MERCHANT_REFERENCE_VALUE);
  return prefix && value ? { prefix: decodeCp437(prefix.value), value: decodeCp437(value.value) } : null;
}

// ---- Parsing our requests (the simulator's side, and the tests') ----

export type ZvtRequest =
  | { kind: 'registration'; password: string | null; configByte: number; currency: number | null; serviceByte: number | null; tlv: TlvNode[] }
  | { kind: 'authorisation'; amountMinor: number | null; currency: number | null; paymentType: number | null }
  | { kind: 'reservation'; amountMinor: number | null; currency: number | null; paymentType: number | null; tlv: TlvNode[]; merchantReference: { prefix: string; value: string } | null }
  | {
      kind: 'partialReversal';
      receiptNumber: number | null;
      amountMinor: number | null;
      currency: number | null;
      paymentType: number | null;
      tlv: TlvNode[];
      merchantReference: { prefix: string; value: string } | null;
    }
  | { kind: 'openReservationsQuery' }
  | { kind: 'reservationReversal'; receiptNumber: number | null; currency: number | null; paymentType: number | null }
  | { kind: 'reversal'; password: string | null; receiptNumber: number | null; paymentType: number | null; tlv: TlvNode[] }
  | { kind: 'refund'; password: string | null; amountMinor: number | null; currency: number | null; paymentType: number | null; tlv: TlvNode[]; merchantReference: { prefix: string; value: string } | null }
  | { kind: 'endOfDay'; password: string | null }
  | { kind: 'abort' }
  | { kind: 'readCard'; timeoutS: number | null }
  | { kind: 'statusEnquiry'; password: string | null; serviceByte: number | null; tlv: TlvNode[] }
  | { kind: 'ack' }
  | { kind: 'negativeAck'; code: number }
  | { kind: 'other'; control: number; apdu: Apdu };

/** A request as the terminal (or our simulator) reads it. Never throws. */
export function parseRequest(input: Uint8Array | Apdu): ZvtRequest | ParseError {
  const read = toApdu(input);
  if (!('ok' in read)) return read;
  const { apdu } = read;
  const body = apdu.body;
  const control = controlField(apdu);
  const withheld: number[] = [];
  switch (control) {
    case ZvtControl.REGISTRATION: {
      if (body.length < 4) return fail('missingField', 'a registration holds a password and a config byte');
      const hasCurrency = body.length >= 6 && !BMP_SPECS.has(body[4]!);
      const fields = readFields(body, hasCurrency ? 6 : 4);
      if (fields.stop) return { kind: 'error', error: fields.stop };
      return {
        kind: 'registration',
        password: decodePassword(body.subarray(0, 3)),
        configByte: body[3]!,
        currency: hasCurrency ? decodeCurrency(body.subarray(4, 6)) : null,
        serviceByte: binaryOf(fields.get(0x03)),
        tlv: tlvOf(fields, withheld),
      };
    }
    case ZvtControl.AUTHORISATION: {
      const fields = readFields(body, 0);
      if (fields.stop) return { kind: 'error', error: fields.stop };
      return { kind: 'authorisation', amountMinor: amountOf(fields), currency: currencyOf(fields), paymentType: binaryOf(fields.get(0x19)) };
    }
    case ZvtControl.RESERVATION: {
      const fields = readFields(body, 0);
      if (fields.stop) return { kind: 'error', error: fields.stop };
      const tlv = tlvOf(fields, withheld);
      return { kind: 'reservation', amountMinor: amountOf(fields), currency: currencyOf(fields), paymentType: binaryOf(fields.get(0x19)), tlv, merchantReference: merchantReferenceOf(tlv) };
    }
    case ZvtControl.PARTIAL_REVERSAL: {
      const fields = readFields(body, 0);
      if (fields.stop) return { kind: 'error', error: fields.stop };
      const receipt = receiptOf(fields);
      if (receipt === RECEIPT_NUMBER_ALL && !fields.get(0x04)) return { kind: 'openReservationsQuery' };
      const tlv = tlvOf(fields, withheld);
      return {
        kind: 'partialReversal',
        receiptNumber: receipt === RECEIPT_NUMBER_ALL ? null : receipt,
        amountMinor: amountOf(fields),
        currency: currencyOf(fields),
        paymentType: binaryOf(fields.get(0x19)),
        tlv,
        merchantReference: merchantReferenceOf(tlv),
      };
    }
    case ZvtControl.RESERVATION_REVERSAL: {
      const fields = readFields(body, 0);
      if (fields.stop) return { kind: 'error', error: fields.stop };
      const receipt = receiptOf(fields);
      return { kind: 'reservationReversal', receiptNumber: receipt === RECEIPT_NUMBER_ALL ? null : receipt, currency: currencyOf(fields), paymentType: binaryOf(fields.get(0x19)) };
    }
    case ZvtControl.REVERSAL:
    case ZvtControl.REFUND: {
      // Both start with the password, then BMP fields.
      if (body.length < 3) return fail('missingField', `a ${control === ZvtControl.REVERSAL ? 'reversal' : 'refund'} starts with the password`);
      const fields = readFields(body, 3);
      if (fields.stop) return { kind: 'error', error: fields.stop };
      const password = decodePassword(body.subarray(0, 3));
      const tlv = tlvOf(fields, withheld);
      const paymentType = binaryOf(fields.get(0x19));
      if (control === ZvtControl.REFUND) {
        return { kind: 'refund', password, amountMinor: amountOf(fields), currency: currencyOf(fields), paymentType, tlv, merchantReference: merchantReferenceOf(tlv) };
      }
      const receipt = receiptOf(fields);
      return { kind: 'reversal', password, receiptNumber: receipt === RECEIPT_NUMBER_ALL ? null : receipt, paymentType, tlv };
    }
    case ZvtControl.END_OF_DAY:
      return { kind: 'endOfDay', password: decodePassword(body.subarray(0, 3)) };
    case ZvtControl.ABORT:
      return { kind: 'abort' };
    case ZvtControl.READ_CARD:
      return { kind: 'readCard', timeoutS: body.length >= 1 ? body[0]! : null };
    case ZvtControl.STATUS_ENQUIRY: {
      const hasPassword = body.length >= 3;
      const fields = readFields(body, hasPassword ? 3 : 0);
      if (fields.stop) return { kind: 'error', error: fields.stop };
      return { kind: 'statusEnquiry', password: hasPassword ? decodePassword(body.subarray(0, 3)) : null, serviceByte: binaryOf(fields.get(0x03)), tlv: tlvOf(fields, withheld) };
    }
    default:
      if (apdu.cls === 0x80 && apdu.instr === 0x00) return { kind: 'ack' };
      if (apdu.cls === 0x84) return { kind: 'negativeAck', code: apdu.instr };
      return { kind: 'other', control, apdu };
  }
}

const amountOf = (fields: Fields): number | null => {
  const field = fields.get(0x04);
  return field ? decodeAmount(field.value) : null;
};
const currencyOf = (fields: Fields): number | null => {
  const field = fields.get(0x49);
  return field ? decodeCurrency(field.value) : null;
};
const receiptOf = (fields: Fields): ReceiptNumber | null => {
  const field = fields.get(0x87);
  return field ? decodeReceiptNumber(field.value) : null;
};

// ---- The terminal's messages ----

/** Common to the messages that carry BMP fields. */
interface BmpMessage {
  /** TLV objects (BMP 06), without EMV card-data tags. */
  tlv: TlvNode[];
  /**
   * Sensitive BMPs and TLV tags that were present but are not passed on (e.g. 0x23
   * track 2, 0x0E expiry date, 0x22 the raw PAN: its masked form is in `card`).
   */
  withheld: number[];
  /** Why the BMP fields could not be read to the end (an unknown BMP …), or null. */
  stop: ZvtError | null;
  /** Bytes left unread after `stop`. */
  unparsedBytes: number;
}

/** `04 0F` status information: the outcome of a payment, reservation, booking or read card. */
export interface StatusInformation extends BmpMessage {
  kind: 'statusInformation';
  resultCode: number | null;
  result: ResultCodeInfo | null;
  amountMinor: number | null;
  currency: number | null;
  traceNumber: number | null;
  originalTraceNumber: number | null;
  receiptNumber: number | null;
  turnoverNumber: number | null;
  terminalId: string | null;
  vuNumber: string | null;
  /** BMP 3B, the authorisation attribute (approval code) as the receipt prints it. */
  authorisationAttribute: string | null;
  /** BMP 19: payment type as the terminal did it. */
  paymentType: number | null;
  /** BMP 8A: ZVT card type (6 Mastercard, 5 girocard, 10 VISA …). */
  cardType: number | null;
  cardTypeId: number | null;
  cardName: string | null;
  cardSequenceNumber: number | null;
  /** The card number, masked (from BMP 22, or from the track 2 of a read card). */
  card: MaskedPan | null;
  /** A read card returned track 2 (BMP 23): sensitive, never exposed; only its masked PAN is in `card`. */
  track2Present: boolean;
  date: MonthDay | null;
  time: TimeOfDay | null;
  additionalText: string | null;
}

export interface IntermediateStatus extends BmpMessage {
  kind: 'intermediateStatus';
  code: number;
  status: IntermediateStatusInfo;
  /** The byte after the status: how long the terminal shows it, s (0: until the next one); null when absent. */
  timeoutS: number | null;
  /** Display texts the terminal sent (TLV 24 → 07), for status 0xFF in particular. */
  texts: string[];
}

export interface Completion extends BmpMessage {
  kind: 'completion';
  resultCode: number | null;
  result: ResultCodeInfo | null;
  /** BMP 19: the terminal's status byte. */
  statusByte: number | null;
  terminalId: string | null;
  currency: number | null;
  /** Sent first, untagged, in the completion of a status enquiry. */
  softwareVersion: string | null;
  terminalStatus: { code: number; meaning: string; ready: boolean } | null;
}

export interface TerminalAbort extends BmpMessage {
  kind: 'abort';
  resultCode: number | null;
  result: ResultCodeInfo | null;
  /** BMP 87 when present ('all' for FF FF). */
  receiptNumber: ReceiptNumber | null;
  /**
   * The answer to the open-reservations query (result B8): the receipt numbers from BMP 87
   * and TLV 23/08, FF FF left out ([] = none open). null for other aborts.
   */
  openReservations: number[] | null;
  /** Untagged currency some terminals add after result 6F (wrong currency). */
  currency: number | null;
  /** TLV 1F16, hex. */
  extendedErrorCode: string | null;
  /** TLV 1F17. */
  extendedErrorText: string | null;
}

export interface PrintLine {
  kind: 'printLine';
  attribute: number;
  text: string;
}

export interface TextBlock extends BmpMessage {
  kind: 'textBlock';
  /** TLV 1F07: 1 merchant receipt, 2 customer receipt, 3 administration receipt. */
  receiptType: number | null;
  lines: string[];
}

export type TerminalMessage =
  | StatusInformation
  | IntermediateStatus
  | Completion
  | TerminalAbort
  | PrintLine
  | TextBlock
  | { kind: 'ack' }
  | { kind: 'negativeAck'; code: number; result: ResultCodeInfo }
  | { kind: 'other'; control: number; apdu: Apdu };

export interface ParseOptions {
  /** Which host's meanings the result codes 01..63 take (default ISO 8583). */
  host?: HostProfile;
}

/** A message from the terminal, typed. Never throws. */
export function parseTerminalMessage(input: Uint8Array | Apdu, options: ParseOptions = {}): TerminalMessage | ParseError {
  const read = toApdu(input);
  if (!('ok' in read)) return read;
  const { apdu } = read;
  switch (controlField(apdu)) {
    case ZvtControl.STATUS_INFORMATION:
      return parseStatusInformationBody(apdu.body, options);
    case ZvtControl.INTERMEDIATE_STATUS:
      return parseIntermediateStatusBody(apdu.body);
    case ZvtControl.COMPLETION:
      return parseCompletionBody(apdu.body, options);
    case ZvtControl.ABORT_FROM_TERMINAL:
      return parseAbortBody(apdu.body, options);
    case ZvtControl.PRINT_LINE:
      if (apdu.body.length < 1) return fail('missingField', 'a print line starts with its attribute byte');
      return { kind: 'printLine', attribute: apdu.body[0]!, text: decodeCp437(apdu.body.subarray(1)) };
    case ZvtControl.PRINT_TEXT_BLOCK:
      return parseTextBlockBody(apdu.body);
    default:
      if (apdu.cls === 0x80 && apdu.instr === 0x00) return { kind: 'ack' };
      if (apdu.cls === 0x84) return { kind: 'negativeAck', code: apdu.instr, result: describeResultCode(apdu.instr, options) };
      return { kind: 'other', control: controlField(apdu), apdu };
  }
}

function only<K extends TerminalMessage['kind']>(kind: K, message: TerminalMessage | ParseError): Extract<TerminalMessage, { kind: K }> | ParseError {
  if (message.kind === kind || message.kind === 'error') return message as Extract<TerminalMessage, { kind: K }> | ParseError;
  return fail('unexpectedMessage', `expected ${kind}, got ${message.kind}`);
}

/** `04 0F` only; any other message is an 'unexpectedMessage' error. */
export const parseStatusInformation = (input: Uint8Array | Apdu, options: ParseOptions = {}) => only('statusInformation', parseTerminalMessage(input, options));
/** `04 FF` only. */
export const parseIntermediateStatus = (input: Uint8Array | Apdu) => only('intermediateStatus', parseTerminalMessage(input));
/** `06 0F` only. */
export const parseCompletion = (input: Uint8Array | Apdu, options: ParseOptions = {}) => only('completion', parseTerminalMessage(input, options));
/** `06 1E` only. */
export const parseAbort = (input: Uint8Array | Apdu, options: ParseOptions = {}) => only('abort', parseTerminalMessage(input, options));
/** `06 D1` only. */
export const parsePrintLine = (input: Uint8Array | Apdu) => only('printLine', parseTerminalMessage(input));
/** `06 D3` only. */
export const parseTextBlock = (input: Uint8Array | Apdu) => only('textBlock', parseTerminalMessage(input));

function bmpMessage(fields: Fields, withheld: number[]): BmpMessage {
  for (const field of fields.list) if (isSensitiveBmp(field.bmp) && !withheld.includes(field.bmp)) withheld.push(field.bmp);
  const tlv = tlvOf(fields, withheld);
  return { tlv, withheld, stop: fields.stop, unparsedBytes: fields.unparsed };
}

function resultOf(fields: Fields, options: ParseOptions): { resultCode: number | null; result: ResultCodeInfo | null } {
  const resultCode = binaryOf(fields.get(0x27));
  return { resultCode, result: resultCode === null ? null : describeResultCode(resultCode, options) };
}

function parseStatusInformationBody(body: Uint8Array, options: ParseOptions): StatusInformation {
  const fields = readFields(body, 0);
  const withheld: number[] = [];
  const panField = fields.get(0x22);
  const track2 = fields.get(0x23);
  const card = panField ? maskPanField(panField.value) : track2 ? maskPanFromTrack2(track2.value) : null;
  const receipt = fields.get(0x87) ? decodeReceiptNumber(fields.get(0x87)!.value) : null;
  return {
    kind: 'statusInformation',
    ...resultOf(fields, options),
    amountMinor: amountOf(fields),
    currency: currencyOf(fields),
    traceNumber: fields.get(0x0b) ? decodeTraceNumber(fields.get(0x0b)!.value) : null,
    originalTraceNumber: fields.get(0x37) ? decodeTraceNumber(fields.get(0x37)!.value) : null,
    receiptNumber: typeof receipt === 'number' ? receipt : null,
    turnoverNumber: bcdOf(fields.get(0x88)),
    terminalId: digitsOf(fields.get(0x29)),
    vuNumber: textOf(fields.get(0x2a)),
    authorisationAttribute: textOf(fields.get(0x3b)),
    paymentType: binaryOf(fields.get(0x19)),
    cardType: binaryOf(fields.get(0x8a)),
    cardTypeId: binaryOf(fields.get(0x8c)),
    cardName: textOf(fields.get(0x8b)),
    cardSequenceNumber: bcdOf(fields.get(0x17)),
    card,
    track2Present: track2 !== undefined,
    date: dateOf(fields.get(0x0d)),
    time: timeOf(fields.get(0x0c)),
    additionalText: fields.get(0x3c) ? decodeCp437(fields.get(0x3c)!.value) : null,
    ...bmpMessage(fields, withheld),
  };
}

function parseIntermediateStatusBody(body: Uint8Array): IntermediateStatus | ParseError {
  if (body.length < 1) return fail('missingField', 'an intermediate status holds its status byte');
  const code = body[0]!;
  const fields = readFields(body, Math.min(2, body.length));
  const message = bmpMessage(fields, []);
  const display = findTlv(message.tlv, ZvtTag.DISPLAY_TEXTS);
  const texts = (display?.children ?? []).filter((n) => n.tag === ZvtTag.TEXT_LINE).map((n) => decodeCp437(n.value));
  return { kind: 'intermediateStatus', code, status: describeIntermediateStatus(code), timeoutS: body.length >= 2 ? body[1]! : null, texts, ...message };
}

/** `Fx Fy Fz` (x, y, z digits): how an LLLVAR value starts. */
const isLllvarStart = (body: Uint8Array, at: number): boolean =>
  body.length >= at + 3 && [0, 1, 2].every((i) => body[at + i]! >> 4 === 0xf && (body[at + i]! & 0x0f) <= 9);

function parseCompletionBody(body: Uint8Array, options: ParseOptions): Completion | ParseError {
  // After a status enquiry the completion starts with the software version, untagged
  // (LLLVAR), then the terminal status byte. Nothing in the message says whether it is
  // there; but the BMPs a completion may hold (06, 19, 27, 29, 49) never start with an
  // Fx byte, while an LLLVAR length is three of them.
  let offset = 0;
  let softwareVersion: string | null = null;
  let terminalStatus: Completion['terminalStatus'] = null;
  if (isLllvarStart(body, 0)) {
    const length = (body[0]! & 0x0f) * 100 + (body[1]! & 0x0f) * 10 + (body[2]! & 0x0f);
    if (3 + length > body.length) return fail('truncated', `the software version says ${length} bytes, ${body.length - 3} remain`, 0);
    softwareVersion = decodeFieldText(body.subarray(3, 3 + length));
    offset = 3 + length;
    if (offset < body.length) {
      terminalStatus = describeTerminalStatus(body[offset]!);
      offset += 1;
    }
  }
  const fields = readFields(body, offset);
  return {
    kind: 'completion',
    ...resultOf(fields, options),
    statusByte: binaryOf(fields.get(0x19)),
    terminalId: digitsOf(fields.get(0x29)),
    currency: currencyOf(fields),
    softwareVersion,
    terminalStatus,
    ...bmpMessage(fields, []),
  };
}

function parseAbortBody(body: Uint8Array, options: ParseOptions): TerminalAbort {
  const resultCode = body.length >= 1 ? body[0]! : null;
  let offset = Math.min(1, body.length);
  let currency: number | null = null;
  // After 6F (wrong currency) a terminal may add the currency it wanted, untagged.
  if (resultCode === 0x6f && body.length >= 3 && !BMP_SPECS.has(body[1]!)) {
    currency = decodeCurrency(body.subarray(1, 3));
    offset = 3;
  }
  const fields = readFields(body, offset);
  const message = bmpMessage(fields, []);
  const receiptNumber = receiptOf(fields);
  let openReservations: number[] | null = null;
  if (resultCode === 0xb8) {
    const found = new Set<number>();
    if (typeof receiptNumber === 'number') found.add(receiptNumber);
    for (const list of findAllTlv(message.tlv, ZvtTag.RECEIPT_NUMBERS)) {
      for (const node of list.children ?? []) {
        if (node.tag !== ZvtTag.RECEIPT_NUMBER) continue;
        const receipt = decodeReceiptNumber(node.value);
        if (typeof receipt === 'number') found.add(receipt);
      }
    }
    openReservations = [...found];
  }
  const code = findTlv(message.tlv, ZvtTag.EXTENDED_ERROR_CODE);
  const text = findTlv(message.tlv, ZvtTag.EXTENDED_ERROR_TEXT);
  return {
    kind: 'abort',
    resultCode,
    result: resultCode === null ? null : describeResultCode(resultCode, options),
    receiptNumber,
    openReservations,
    currency,
    extendedErrorCode: code ? Array.from(code.value, hex2).join('') : null,
    extendedErrorText: text ? decodeFieldText(text.value) : null,
    ...message,
  };
}

function parseTextBlockBody(body: Uint8Array): TextBlock {
  const fields = readFields(body, 0);
  const message = bmpMessage(fields, []);
  const type = findTlv(message.tlv, ZvtTag.RECEIPT_TYPE);
  const container = findTlv(message.tlv, ZvtTag.PRINT_TEXTS);
  const lines = (container?.children ?? message.tlv).filter((n) => n.tag === ZvtTag.TEXT_LINE).map((n) => decodeCp437(n.value));
  return { kind: 'textBlock', receiptType: type && type.value.length === 1 ? type.value[0]! : null, lines, ...message };
}
