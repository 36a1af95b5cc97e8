// Summaries as a receipt-numbering kiosk writes them, for the receipt tests.
import type { SessionSummary } from '../../../electron/contract/snapshot.js';

/** A bank-card session with the terminal's approval code and lines: 10 kWh at €0.3450 + €0.50, 19 % VAT. */
export function cardSummary(overrides: Partial<SessionSummary> = {}): SessionSummary {
  return {
    sessionId: 'session-card',
    method: 'card',
    maskedPan: '************1234',
    startedAt: Date.UTC(2025, 2, 14, 9, 26, 5),
    endedAt: Date.UTC(2025, 2, 14, 10, 28, 8),
    energyWh: 10_000,
    durationS: 3723,
    chargingS: 3600,
    currency: 'EUR',
    costMinor: 395,
    netMinor: 332,
    vatMinor: 63,
    vatRates: [{ vatPercent: '19', netMinor: 332, vatMinor: 63, grossMinor: 395 }],
    capturedMinor: 395,
    account: null,
    writtenOffMinor: 0,
    noCharge: false,
    parkingCapped: false,
    lines: [
      { kind: 'energy', quantity: 10_000, unit: 'kWh', unitPrice: '0.3450', vatPercent: '19', amountMinor: 345, netMinor: 290, vatMinor: 55 },
      { kind: 'flat', quantity: 1, unit: 'session', unitPrice: '0.50', vatPercent: '19', amountMinor: 50, netMinor: 42, vatMinor: 8 },
    ],
    stopReason: 'driver',
    receipt: 'pending',
    receiptQr: null,
    receiptNumber: null,
    receiptToken: null,
    meterStartWh: 12_345_678,
    meterStopWh: 12_355_678,
    parkingS: 123,
    authCode: '123456',
    terminalReceipt: ['KUNDENBELEG', 'VISA 4111111111111234', 'Genehmigungs-Nr. 123456'],
    evseId: 'DE*ABC*E1234*1',
    ...overrides,
  };
}

/** A prepaid station card's session: the account's name and its new balance. */
export function prepaidSummary(overrides: Partial<SessionSummary> = {}): SessionSummary {
  return cardSummary({
    sessionId: 'session-prepaid',
    method: 'prepaid',
    maskedPan: null,
    account: { name: 'Ann Example', type: 'prepaid', balanceMinor: 1605 },
    authCode: null,
    terminalReceipt: [],
    evseId: 'DE*ABC*E1234*2',
    ...overrides,
  });
}
