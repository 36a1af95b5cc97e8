// The ZVT refund commands, byte-exact: 06 30 reversal (password, 87 receipt number) and
// 06 31 refund (password, 04 amount, 49 currency), their serial frames with the CRC, the
// simulator's reading of them, and the terminal's answers (04 0F, 06 1E, 84 83 00). The
// vectors are written out by hand from the field layout, the CRCs computed apart from the
// code under test (CRC-16/KERMIT over the APDU and ETX, low byte first).
import { describe, expect, it } from 'vitest';
import { describeApduForLog } from '../../../devices/payment/zvt/apdu.js';
import { decodeFrame, encodeFrame, frameCrc } from '../../../devices/payment/zvt/framing.js';
import { buildRefund, buildReversal, merchantReferenceTlv, parseRequest, parseTerminalMessage } from '../../../devices/payment/zvt/messages.js';
import { bytes, hex } from './zvt-helpers.js';

describe('06 30 reversal', () => {
  // 06 30 | len 06 | password 12 34 56 | 87 receipt number 00 42
  const apdu = '063006123456870042';

  it('is the password and BMP 87, nothing else by default', () => {
    expect(hex(buildReversal({ password: '123456', receiptNumber: 42 }))).toBe(apdu);
  });

  it('its serial frame and CRC', () => {
    expect(frameCrc(bytes(apdu))).toBe(0xdb38);
    expect(hex(encodeFrame(bytes(apdu)))).toBe('1002' + apdu + '1003' + '38db');
    const decoded = decodeFrame(bytes('1002063006123456870042100338db'));
    expect(decoded.ok && hex(decoded.apdu)).toBe(apdu);
  });

  it('a payment type goes after the receipt number when given', () => {
    // 06 30 | len 08 | 12 34 56 | 87 09 99 | 19 40
    expect(hex(buildReversal({ password: '123456', receiptNumber: 999, paymentType: 0x40 }))).toBe('06300812345687099919' + '40');
  });

  it('the simulator reads it back', () => {
    expect(parseRequest(bytes(apdu))).toEqual({ kind: 'reversal', password: '123456', receiptNumber: 42, paymentType: null, tlv: [] });
    expect(parseRequest(bytes('0630021234'))).toMatchObject({ kind: 'error', error: { code: 'missingField' } });
  });

  it('refuses a receipt number that does not fit 4 digits', () => {
    expect(() => buildReversal({ password: '123456', receiptNumber: 10_000 })).toThrow(RangeError);
  });
});

describe('06 31 refund (Gutschrift)', () => {
  // 06 31 | len 0D | password 12 34 56 | 04 amount 00 00 00 00 12 95 | 49 currency 09 78
  const apdu = '06310d1234560400000000129549' + '0978';

  it('is the password, BMP 04 and BMP 49', () => {
    expect(hex(buildRefund({ password: '123456', amountMinor: 1295 }))).toBe(apdu);
    expect(hex(buildRefund({ password: '123456', amountMinor: 1295, currency: 978 }))).toBe(apdu);
  });

  it('its serial frame and CRC', () => {
    expect(frameCrc(bytes(apdu))).toBe(0xd14f);
    expect(hex(encodeFrame(bytes(apdu)))).toBe('1002' + apdu + '1003' + '4fd1');
  });

  it('10.00 EUR doubles the 0x10 of its amount on the wire, not in the CRC', () => {
    const ten = '06310d12345604000000001000490978';
    expect(hex(buildRefund({ password: '123456', amountMinor: 1000 }))).toBe(ten);
    expect(frameCrc(bytes(ten))).toBe(0xc158);
    expect(hex(encodeFrame(bytes(ten)))).toBe('100206310d123456040000000010' + '10' + '00490978100358c1');
  });

  it('another currency, a payment type and a TLV container follow in that order', () => {
    const built = buildRefund({ password: '000000', amountMinor: 5, currency: 756, paymentType: 0x40, tlv: merchantReferenceTlv('r', 'AC') });
    // 000000 | 04 000000000005 | 49 0756 | 19 40 | 06 0B E9 09 1F62 02 'AC' 1F63 01 'r'
    expect(hex(built)).toBe('06311c' + '000000' + '04000000000005' + '490756' + '1940' + '060b' + 'e909' + '1f62024143' + '1f630172');
    expect(parseRequest(built)).toMatchObject({ kind: 'refund', password: '000000', amountMinor: 5, currency: 756, paymentType: 0x40, merchantReference: { prefix: 'AC', value: 'r' } });
  });

  it('the simulator reads it back', () => {
    expect(parseRequest(bytes(apdu))).toEqual({ kind: 'refund', password: '123456', amountMinor: 1295, currency: 978, paymentType: null, tlv: [], merchantReference: null });
  });

  it('refuses amounts a ZVT amount cannot carry', () => {
    expect(() => buildRefund({ password: '123456', amountMinor: 0.5 })).toThrow(RangeError);
    expect(() => buildRefund({ password: '123456', amountMinor: 10 ** 12 })).toThrow(RangeError);
  });

  it('logs neither the password nor the fields after it', () => {
    expect(describeApduForLog(bytes(apdu))).toBe('06 31 len=13 <body 13 bytes>');
    expect(describeApduForLog(buildReversal({ password: '123456', receiptNumber: 42 }))).toBe('06 30 len=6 <body 6 bytes>');
  });
});

describe("the terminal's answers to a refund", () => {
  it('04 0F: the approval, with the amount and the new receipt and trace numbers', () => {
    // 04 0F | len 13 | 27 00 | 04 000000001295 | 49 0978 | 0B 000007 | 87 0043
    const status = parseTerminalMessage(bytes('040f13' + '2700' + '04000000001295' + '490978' + '0b000007' + '870043'));
    expect(status).toMatchObject({ kind: 'statusInformation', resultCode: 0, amountMinor: 1295, currency: 978, traceNumber: 7, receiptNumber: 43 });
  });

  it('06 1E B5: reversal not possible (after the end of day, or a receipt number it does not have)', () => {
    expect(parseTerminalMessage(bytes('061e01b5'))).toMatchObject({ kind: 'abort', resultCode: 0xb5, result: { meaning: 'reversal not possible' } });
  });

  it('06 1E 6C: no card came (or the abort the ECR asked for)', () => {
    expect(parseTerminalMessage(bytes('061e016c'))).toMatchObject({ kind: 'abort', resultCode: 0x6c, result: { reason: 'aborted' } });
  });

  it('84 83 00: a terminal that does not do the command', () => {
    expect(parseTerminalMessage(bytes('848300'))).toMatchObject({ kind: 'negativeAck', code: 0x83, result: { meaning: 'function not possible' } });
  });
});
