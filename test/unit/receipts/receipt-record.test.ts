// The receipt kept for the export: its token, its address, and its content from the summary.
import { describe, expect, it } from 'vitest';
import { newReceiptToken, receiptContent, receiptUrl } from '../../../electron/receipts/receipt-record.js';
import type { SessionSummary } from '../../../electron/contract/snapshot.js';
import { cardSummary, prepaidSummary } from './fixtures.js';

const place = { stationId: 'KIOSK-0042', connectorLabel: '1', evseId: 'DE*ABC*E1234*1' };

describe('receipt tokens and addresses', () => {
  it('makes a token of 22 URL-safe characters (128 random bits), different each time', () => {
    const tokens = Array.from({ length: 1000 }, newReceiptToken);
    for (const token of tokens) expect(token).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(new Set(tokens).size).toBe(tokens.length);
  });

  it('fills the template with the number and the token', () => {
    expect(receiptUrl('https://example.com/r/{receiptNumber}?k={token}', 42, 'abc-_DEF')).toBe('https://example.com/r/42?k=abc-_DEF');
    expect(receiptUrl('https://example.com/{token}/{receiptNumber}/{receiptNumber}', 7, 't')).toBe('https://example.com/t/7/7');
  });
});

describe('receiptContent', () => {
  it('keeps what a bank-card receipt says: place, times, meter, energy, lines, totals, masked card, auth code, terminal lines masked', () => {
    expect(receiptContent(cardSummary({ receiptNumber: 1 }), place)).toEqual({
      sessionId: 'session-card',
      stationId: 'KIOSK-0042',
      evseId: 'DE*ABC*E1234*1',
      connector: '1',
      startedAt: '2025-03-14T09:26:05.000Z',
      endedAt: '2025-03-14T10:28:08.000Z',
      meterStartWh: 12_345_678,
      meterStopWh: 12_355_678,
      energyWh: 10_000,
      durationS: 3723,
      chargingS: 3600,
      parkingS: 123,
      lines: cardSummary().lines,
      netMinor: 332,
      vatRates: [{ vatPercent: '19', netMinor: 332, vatMinor: 63, grossMinor: 395 }],
      vatMinor: 63,
      grossMinor: 395,
      capturedMinor: 395,
      writtenOffMinor: 0,
      currency: 'EUR',
      payment: { method: 'card', maskedPan: '**** 1234', authCode: '123456', accountName: null, balanceMinor: null },
      terminalReceipt: ['KUNDENBELEG', 'VISA **** 1234', 'Genehmigungs-Nr. 123456'],
    });
  });

  it('names a station card\'s account and its new balance, no card', () => {
    expect(receiptContent(prepaidSummary(), { ...place, connectorLabel: '2', evseId: 'DE*ABC*E1234*2' }).payment).toEqual({
      method: 'prepaid',
      maskedPan: null,
      authCode: null,
      accountName: 'Ann Example',
      balanceMinor: 1605,
    });
  });

  it('takes an older summary\'s missing fields as absent', () => {
    const older = cardSummary() as Partial<SessionSummary>;
    for (const key of ['meterStartWh', 'meterStopWh', 'parkingS', 'authCode', 'terminalReceipt', 'evseId'] as const) delete older[key];
    expect(receiptContent(older as SessionSummary, null)).toMatchObject({
      stationId: null,
      evseId: null,
      connector: null,
      meterStartWh: null,
      meterStopWh: null,
      parkingS: 123, // its duration less the time charging
      payment: { authCode: null },
      terminalReceipt: [],
    });
  });
});
