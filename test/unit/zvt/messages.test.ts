import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeApdu } from '../../../devices/payment/zvt/apdu.js';
import { decodeFrame, encodeFrame } from '../../../devices/payment/zvt/framing.js';
import {
  buildAbort,
  buildAck,
  buildAuthorisation,
  buildEndOfDay,
  buildNegativeAck,
  buildOpenReservationsQuery,
  buildPartialReversal,
  buildRegistration,
  buildReservation,
  buildReservationReversal,
  buildStatusEnquiry,
  merchantReferenceTlv,
  parseAbort,
  parseCompletion,
  parseIntermediateStatus,
  parsePrintLine,
  parseRequest,
  parseStatusInformation,
  parseTerminalMessage,
  parseTextBlock,
} from '../../../devices/payment/zvt/messages.js';
import type {
  AuthorisationRequest,
  PartialReversalRequest,
  RegistrationRequest,
  ReservationRequest,
  ReservationReversalRequest,
  StatusEnquiryRequest,
  TextBlock,
} from '../../../devices/payment/zvt/messages.js';
import { tlvNode } from '../../../devices/payment/zvt/tlv.js';
import { bytes, hex, vectors } from './zvt-helpers.js';
import type { RequestVector } from './zvt-helpers.js';

/** Builds the request a fixture entry names, from its arguments. */
function build(v: RequestVector): Uint8Array {
  const a = v.args as unknown;
  const ref = v.args.merchantReference as [string, string] | undefined;
  const tlv = ref ? merchantReferenceTlv(ref[1], ref[0]) : undefined;
  switch (v.builder) {
    case 'registration':
      return buildRegistration(a as RegistrationRequest);
    case 'authorisation':
      return buildAuthorisation(a as AuthorisationRequest);
    case 'reservation':
      return buildReservation({ ...(a as ReservationRequest), tlv });
    case 'partialReversal':
      return buildPartialReversal({ ...(a as PartialReversalRequest), tlv });
    case 'openReservationsQuery':
      return buildOpenReservationsQuery();
    case 'reservationReversal':
      return buildReservationReversal(a as ReservationReversalRequest);
    case 'endOfDay':
      return buildEndOfDay(a as { password: string });
    case 'abort':
      return buildAbort();
    case 'statusEnquiry':
      return buildStatusEnquiry(a as StatusEnquiryRequest);
    case 'ack':
      return buildAck();
    case 'negativeAck':
      return buildNegativeAck(v.args.code as number);
    default:
      throw new Error(`no builder ${v.builder}`);
  }
}

describe('our requests, byte-exact, both directions', () => {
  it.each(vectors.requests)('$id: builds $apdu ($origin)', (v) => {
    expect(hex(build(v))).toBe(v.apdu);
  });

  it.each(vectors.requests)('$id: decodes back to its fields', (v) => {
    expect(parseRequest(bytes(v.apdu))).toMatchObject(v.expect!);
  });

  it('the serial vectors of the notes: registration and the 110.00 EUR authorisation, framed', () => {
    expect(hex(encodeFrame(buildRegistration({ password: '123456', configByte: 0xba })))).toBe('1002060006123456ba0978100324c3');
    expect(hex(encodeFrame(buildAuthorisation({ amountMinor: 11000 })))).toBe('100206010a04000000011010004909781003f2ff');
    expect(hex(encodeFrame(buildAck()))).toBe('10028000001003f51f');
    const decoded = decodeFrame(bytes('100206010a04000000011010004909781003f2ff'));
    expect(decoded.ok && parseRequest(decoded.apdu)).toEqual({ kind: 'authorisation', amountMinor: 11000, currency: 978, paymentType: null });
  });

  it('the TCP vectors of the notes: the given prefixes of reserve and book', () => {
    expect(hex(buildReservation({ amountMinor: 2500, tlv: merchantReferenceTlv('384HH2') })).startsWith('06221e1940490978040000000025' + '00')).toBe(true);
    expect(hex(buildPartialReversal({ receiptNumber: 491, amountMinor: 1295, tlv: merchantReferenceTlv('MF2246') })).startsWith('0623211940870491490978040000000012' + '95')).toBe(true);
    expect(hex(buildReservationReversal({ receiptNumber: 231 }))).toBe('0625081940870231490978');
    expect(hex(buildEndOfDay({ password: 123456 }))).toBe('065003123456');
  });

  it('options: registration with service byte and TLV, no payment type, another currency', () => {
    expect(hex(buildRegistration({ password: '000000', configByte: 0xba, serviceByte: 0x02, tlv: [tlvNode(0x26, [tlvNode(0x0a, bytes('060f'))])] }))).toBe(
      '060010000000ba0978' + '0302' + '060626040a02060f',
    );
    expect(hex(buildReservation({ amountMinor: 100, paymentType: null, currency: 756 }))).toBe('06220a' + '490756' + '04000000000100');
    expect(parseRequest(buildRegistration({ password: '000000', configByte: 0xba, serviceByte: 0x02 }))).toMatchObject({ serviceByte: 2, currency: 978 });
  });

  it('builders refuse arguments that cannot be sent', () => {
    expect(() => buildReservation({ amountMinor: -5 })).toThrow(RangeError);
    expect(() => buildReservation({ amountMinor: 100, currency: 0 })).toThrow(/ISO 4217/);
    expect(() => buildPartialReversal({ receiptNumber: 12345, amountMinor: 1 })).toThrow(/receipt number/);
    expect(() => buildRegistration({ password: 'secret', configByte: 0xba })).toThrow(/6 decimal digits/);
    expect(() => buildRegistration({ password: '123456', configByte: 256 })).toThrow(/config byte must be a byte/);
    expect(() => buildStatusEnquiry({ serviceByte: 4 })).toThrow(/needs the password/);
    expect(() => buildNegativeAck(-1)).toThrow(RangeError);
    expect(() => merchantReferenceTlv('')).toThrow(RangeError);
  });

  it('property: reservation, booking and reversal round-trip through the parser', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 999_999_999_999 }), fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 1, max: 999 }), fc.stringMatching(/^[A-Z0-9]{1,20}$/), (amount, receipt, currency, ref) => {
        expect(parseRequest(buildReservation({ amountMinor: amount, currency, tlv: merchantReferenceTlv(ref) }))).toMatchObject({
          kind: 'reservation',
          amountMinor: amount,
          currency,
          paymentType: 0x40,
          merchantReference: { prefix: 'AC', value: ref },
        });
        expect(parseRequest(buildPartialReversal({ receiptNumber: receipt, amountMinor: amount, currency }))).toMatchObject({ kind: 'partialReversal', receiptNumber: receipt, amountMinor: amount });
        expect(parseRequest(buildReservationReversal({ receiptNumber: receipt, currency }))).toMatchObject({ kind: 'reservationReversal', receiptNumber: receipt, currency });
      }),
      { numRuns: 300 },
    );
  });
});

describe("the terminal's messages, from captures", () => {
  it.each(vectors.terminal)('$id ($origin)', (v) => {
    const message = parseTerminalMessage(bytes(v.apdu));
    const { lineCount, someLines, ...expected } = v.expect as Record<string, unknown> & { lineCount?: number; someLines?: Record<string, string> };
    expect(message).toMatchObject(expected);
    if (lineCount !== undefined) {
      const lines = (message as TextBlock).lines;
      expect(lines).toHaveLength(lineCount);
      for (const [index, line] of Object.entries(someLines ?? {})) expect(lines[Number(index)]).toBe(line);
    }
  });

  it('status information after the reservation: what the kiosk needs for the hold', () => {
    const v = vectors.terminal.find((t) => t.id === 'status-after-reservation')!;
    const message = parseStatusInformation(bytes(v.apdu));
    expect(message).toMatchObject({ kind: 'statusInformation', result: { code: 0, reason: null }, receiptNumber: 231, amountMinor: 2500 });
  });

  it('the intermediate status table: documented codes, typed', () => {
    expect(parseIntermediateStatus(bytes('04ff0117'))).toMatchObject({ status: { kind: 'processing' } });
    expect(parseIntermediateStatus(bytes('04ff020a00'))).toMatchObject({ code: 0x0a, timeoutS: 0, status: { kind: 'presentCard', text: 'insert card' } });
    expect(parseIntermediateStatus(bytes('04ff0101'))).toMatchObject({ status: { kind: 'pinEntry' } });
    expect(parseIntermediateStatus(bytes('04ff010e'))).toMatchObject({ status: { kind: 'processing', text: 'please wait' } });
    expect(parseIntermediateStatus(bytes('04ff014b'))).toMatchObject({ status: { kind: 'removeCard' } });
    expect(parseIntermediateStatus(bytes('04ff0154'))).toMatchObject({ status: { kind: 'removeCard', text: 'credit not sufficient, please remove card' } });
    expect(parseIntermediateStatus(bytes('04ff011d'))).toMatchObject({ status: { kind: 'declined' } });
    expect(parseIntermediateStatus(bytes('04ff01fe'))).toMatchObject({ status: { kind: 'info', text: 'status 0xFE' } });
    expect(parseIntermediateStatus(bytes('04ff00'))).toMatchObject({ kind: 'error', error: { code: 'missingField' } });
  });

  it('the completion carries the terminal status after a status enquiry', () => {
    const v = vectors.terminal.find((t) => t.id === 'completion-software-version')!;
    const message = parseCompletion(bytes(v.apdu));
    if (message.kind !== 'completion') throw new Error(message.error.message);
    expect(message.tlv.map((n) => n.tag)).toEqual([0x1f44, 0xe4, 0x34]);
    expect(parseCompletion(bytes('060f05' + 'f0f0f9' + '3132'))).toMatchObject({ kind: 'error', error: { code: 'truncated' } });
    expect(parseCompletion(bytes('060f022700'))).toMatchObject({ resultCode: 0, result: { reason: null } });
  });

  it('aborts: result codes mapped, open reservations read, the 6F currency', () => {
    expect(parseAbort(bytes('061e0105'))).toMatchObject({ resultCode: 5, result: { reason: 'declined', origin: 'host' } });
    expect(parseAbort(bytes('061e0151'))).toMatchObject({ result: { reason: 'insufficientFunds' } });
    expect(parseAbort(bytes('061e0133'), { host: 'lavego' })).toMatchObject({ result: { reason: 'pinRequired' } });
    expect(parseAbort(bytes('061e036f0978'))).toMatchObject({ resultCode: 0x6f, currency: 978, result: { reason: 'error' } });
    expect(parseAbort(bytes('061e00'))).toMatchObject({ kind: 'abort', resultCode: null, result: null });
  });

  it('print lines and text blocks', () => {
    expect(parsePrintLine(bytes('06d100'))).toMatchObject({ kind: 'error', error: { code: 'missingField' } });
    const block = parseTextBlock(bytes('06d312' + '0610' + '1f070101' + '250a' + '0703414243' + '0700' + '0901ff'));
    expect(block).toMatchObject({ kind: 'textBlock', receiptType: 1, lines: ['ABC', ''] });
  });

  it('acknowledgements and other messages', () => {
    expect(parseTerminalMessage(bytes('800000'))).toEqual({ kind: 'ack' });
    expect(parseTerminalMessage(bytes('84830' + '0'))).toMatchObject({ kind: 'negativeAck', code: 0x83, result: { meaning: 'function not possible' } });
    expect(parseTerminalMessage(bytes('040c0d060b2d091d01231e040000fde8'))).toMatchObject({ kind: 'other', control: 0x040c });
    expect(parseStatusInformation(bytes('060f00'))).toMatchObject({ kind: 'error', error: { code: 'unexpectedMessage' } });
    expect(parseTerminalMessage(bytes('04'))).toMatchObject({ kind: 'error', error: { code: 'truncated' } });
  });

  it('an unknown BMP in a status information: the fields before it are kept, the rest counted', () => {
    const message = parseStatusInformation(bytes('040f0c' + '2700' + '04000000000100' + '4c0101'));
    expect(message).toMatchObject({ resultCode: 0, amountMinor: 100, stop: { code: 'unknownBmp' }, unparsedBytes: 3 });
  });

  it('the parsers accept an Apdu as well as bytes', () => {
    const decoded = decodeApdu(bytes('04ff0117'));
    if (!decoded.ok) throw new Error('no');
    expect(parseTerminalMessage(decoded.apdu)).toMatchObject({ kind: 'intermediateStatus', code: 0x17 });
    expect(parseTerminalMessage({ cls: 1 } as never)).toMatchObject({ kind: 'error' });
  });

  it('property: never throws on random input, always a typed result', () => {
    const kinds = ['statusInformation', 'intermediateStatus', 'completion', 'abort', 'printLine', 'textBlock', 'ack', 'negativeAck', 'other', 'error'];
    const requestKinds = ['registration', 'authorisation', 'reservation', 'partialReversal', 'openReservationsQuery', 'reservationReversal', 'endOfDay', 'abort', 'statusEnquiry', 'ack', 'negativeAck', 'other', 'error'];
    const controls = [0x040f, 0x04ff, 0x060f, 0x061e, 0x06d1, 0x06d3, 0x0600, 0x0601, 0x0622, 0x0623, 0x0625, 0x0650, 0x0501];
    const message = fc.tuple(fc.constantFrom(...controls), fc.uint8Array({ maxLength: 300 })).map(([ctrl, body]) => Uint8Array.from([ctrl >> 8, ctrl & 0xff, ...(body.length >= 255 ? [0xff, body.length & 0xff, body.length >> 8] : [body.length]), ...body]));
    fc.assert(
      fc.property(fc.oneof(message, fc.uint8Array({ maxLength: 300 })), (data) => {
        expect(kinds).toContain(parseTerminalMessage(data).kind);
        expect(requestKinds).toContain(parseRequest(data).kind);
      }),
      { numRuns: 1000 },
    );
  });
});
