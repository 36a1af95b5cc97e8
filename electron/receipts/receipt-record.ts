// A receipt as it is kept for the export to the e-receipt site: written in the
// transaction that closes its session (KioskStore.closeSession), read back by
// `npm run receipts -- export`. Amounts stay in minor units of `currency`, times are
// ISO-8601 UTC, energies Wh: the site formats them, nothing is rounded here.
import { randomBytes } from 'node:crypto';
import type { CostLine, PaymentMethod, SessionSummary, VatRateTotal } from '../contract/snapshot.js';
import { maskPan, parkingSOf, scrubPans } from '../billing/receipt.js';

/** Where a connector's receipts say the session took place. */
export interface ReceiptPlace {
  stationId: string;
  /** The connector's label, as on the screen and its sign. */
  connectorLabel: string;
  /** `connectors[].evseId`; null when not configured. */
  evseId: string | null;
}

/** What the receipts table keeps per receipt (`content`), besides its number, token and issue time. */
export interface ReceiptContent {
  sessionId: string;
  /** Null in receipts issued without the connector's place (see ReceiptPlace). */
  stationId: string | null;
  evseId: string | null;
  connector: string | null;
  startedAt: string;
  endedAt: string;
  /** The charger's meter at the start and the end, Wh; null when it gave none. */
  meterStartWh: number | null;
  meterStopWh: number | null;
  energyWh: number;
  durationS: number;
  chargingS: number;
  parkingS: number;
  lines: CostLine[];
  netMinor: number;
  vatRates: VatRateTotal[];
  vatMinor: number;
  grossMinor: number;
  capturedMinor: number;
  writtenOffMinor: number;
  currency: string;
  payment: ReceiptPayment;
  /** The card terminal's own receipt lines, card numbers in them masked. */
  terminalReceipt: string[];
}

export interface ReceiptPayment {
  method: PaymentMethod;
  /** Bank card: the last four digits only ("**** 1234"). */
  maskedPan: string | null;
  authCode: string | null;
  /** Station card: the account's name, and a prepaid card's balance after the session. */
  accountName: string | null;
  balanceMinor: number | null;
}

/** One exported receipt: what the e-receipt site shows at `url`. */
export interface ExportedReceipt extends ReceiptContent {
  receiptNumber: number;
  token: string;
  /** The e-receipt address (`receipts.urlTemplate`); null without a template. */
  url: string | null;
  issuedAt: string;
}

/**
 * The per-receipt secret of its e-receipt address: 128 random bits, base64url (22
 * characters), so a receipt's address cannot be guessed from its number.
 */
export function newReceiptToken(): string {
  return randomBytes(16).toString('base64url');
}

/** `receipts.urlTemplate` filled in: "https://example.com/r/{receiptNumber}?k={token}". */
export function receiptUrl(template: string, receiptNumber: number, token: string): string {
  return template.replaceAll('{receiptNumber}', String(receiptNumber)).replaceAll('{token}', encodeURIComponent(token));
}

export function receiptContent(summary: SessionSummary, place: ReceiptPlace | null): ReceiptContent {
  const iso = (ms: number) => new Date(ms).toISOString();
  return {
    sessionId: summary.sessionId,
    stationId: place?.stationId ?? null,
    evseId: summary.evseId ?? place?.evseId ?? null,
    connector: place?.connectorLabel ?? null,
    startedAt: iso(summary.startedAt),
    endedAt: iso(summary.endedAt),
    meterStartWh: summary.meterStartWh ?? null,
    meterStopWh: summary.meterStopWh ?? null,
    energyWh: summary.energyWh,
    durationS: summary.durationS,
    chargingS: summary.chargingS,
    parkingS: parkingSOf(summary),
    lines: summary.lines,
    netMinor: summary.netMinor,
    vatRates: summary.vatRates,
    vatMinor: summary.vatMinor,
    grossMinor: summary.costMinor,
    capturedMinor: summary.capturedMinor,
    writtenOffMinor: summary.writtenOffMinor,
    currency: summary.currency,
    payment: {
      method: summary.method,
      maskedPan: summary.account ? null : maskPan(summary.maskedPan),
      authCode: summary.authCode ?? null,
      accountName: summary.account?.name ?? null,
      balanceMinor: summary.account?.balanceMinor ?? null,
    },
    terminalReceipt: (summary.terminalReceipt ?? []).map(scrubPans),
  };
}
