import { describe, expect, it } from 'vitest';
import { describeIntermediateStatus, INTERMEDIATE_STATUS_CODES } from '../../../devices/payment/zvt/intermediate-status.js';
import { describeResultCode, describeTerminalStatus, TERMINAL_RESULT_CODES } from '../../../devices/payment/zvt/result-codes.js';
import type { ZvtDeclineReason } from '../../../devices/payment/zvt/result-codes.js';

describe('result codes', () => {
  it.each<[number, ZvtDeclineReason | null, string]>([
    [0x00, null, 'success'],
    [0x05, 'declined', 'do not honour'],
    [0x51, 'insufficientFunds', 'insufficient funds'],
    [0x54, 'cardExpired', 'expired card'],
    [0x55, 'pinRequired', 'incorrect PIN'],
    [0x6c, 'aborted', 'abort via timeout or abort key'],
    [0x71, 'insufficientFunds', 'credit not sufficient'],
    [0x78, 'cardExpired', 'card expired'],
    [0x9c, 'unavailable', 'please wait'],
    [0xa0, 'unavailable', 'receiver not ready'],
    [0xa1, 'timeout', 'remote station does not respond'],
    [0xb1, 'unavailable', 'memory full'],
    [0xb8, 'error', 'error pre-authorisation'],
    [0xff, 'error', 'system error'],
  ])('result code %i → %s (%s)', (code, reason, meaning) => {
    const info = describeResultCode(code);
    expect(info.reason).toBe(reason);
    expect(info.meaning).toContain(meaning);
  });

  it('host codes 01..63 are the host, the rest the terminal', () => {
    expect(describeResultCode(0x51).origin).toBe('host');
    expect(describeResultCode(0x64).origin).toBe('terminal');
    expect(describeResultCode(0x00).origin).toBe('success');
  });

  it('unknown codes: host ones read as declined, terminal ones as errors', () => {
    expect(describeResultCode(0x47)).toMatchObject({ reason: 'declined', origin: 'host', meaning: 'declined by the authorisation host (code 47)' });
    expect(describeResultCode(0x80)).toMatchObject({ reason: 'error', origin: 'unknown', meaning: 'unknown result code 0x80' });
  });

  it('the Lavego profile reads the codes of the Feig/Lavego host', () => {
    expect(describeResultCode(0x33).reason).toBe('cardExpired');
    expect(describeResultCode(0x33, { host: 'lavego' }).reason).toBe('pinRequired');
    expect(describeResultCode(0x13, { host: 'lavego' })).toMatchObject({ reason: 'pinRequired', meaning: 'contactless transaction count exceeded (host code 13)' });
    expect(describeResultCode(0x51, { host: 'lavego' }).reason).toBe('insufficientFunds');
  });

  it('every terminal code 0x64..0xFF in the table has a meaning and a reason', () => {
    for (const [code, [meaning, reason]] of TERMINAL_RESULT_CODES) {
      expect(code).toBeGreaterThanOrEqual(0x64);
      expect(meaning.length).toBeGreaterThan(3);
      expect(['declined', 'insufficientFunds', 'cardExpired', 'pinRequired', 'timeout', 'aborted', 'unavailable', 'error']).toContain(reason);
    }
    expect(TERMINAL_RESULT_CODES.size).toBeGreaterThanOrEqual(75);
  });

  it('terminal status after a status enquiry', () => {
    expect(describeTerminalStatus(0x00)).toEqual({ code: 0, meaning: 'terminal ready', ready: true });
    expect(describeTerminalStatus(0xdf)).toMatchObject({ meaning: 'out of order', ready: false });
    expect(describeTerminalStatus(0x42)).toMatchObject({ meaning: 'unknown terminal status 0x42', ready: false });
  });
});

describe('intermediate status codes', () => {
  it('the documented table, grouped for the screen', () => {
    expect(describeIntermediateStatus(0x0a)).toEqual({ code: 0x0a, text: 'insert card', kind: 'presentCard' });
    expect(describeIntermediateStatus(0x0e)).toMatchObject({ text: 'please wait', kind: 'processing' });
    expect(describeIntermediateStatus(0x17)).toMatchObject({ text: 'please wait', kind: 'processing' });
    expect(describeIntermediateStatus(0x08)).toMatchObject({ text: 'card unknown / undefined', kind: 'cardError' });
    expect(describeIntermediateStatus(0x01)).toMatchObject({ kind: 'pinEntry' });
    expect(describeIntermediateStatus(0x15)).toMatchObject({ text: 'incorrect PIN', kind: 'pinEntry' });
    expect(describeIntermediateStatus(0x1c)).toMatchObject({ kind: 'approved' });
    expect(describeIntermediateStatus(0x4b)).toMatchObject({ text: 'please remove card', kind: 'removeCard' });
    expect(describeIntermediateStatus(0x49)).toMatchObject({ text: 'expired card, please remove card', kind: 'removeCard' });
    expect(describeIntermediateStatus(0xcc)).toMatchObject({ kind: 'pinEntry' });
    expect(describeIntermediateStatus(0xff)).toMatchObject({ kind: 'info' });
  });

  it('codes 0x41..0x5D are the base code plus "remove card"', () => {
    for (let code = 0x41; code <= 0x5d; code++) expect(INTERMEDIATE_STATUS_CODES.get(code)?.[1], code.toString(16)).toBe('removeCard');
  });
});
