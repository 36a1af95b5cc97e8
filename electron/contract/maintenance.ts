// The technician's part of the contract: the maintenance menu's commands and what
// they answer. They are their own channel (KioskBridge.tech, the WebSocket's 'tech'
// requests, the IPC channel 'kiosk:tech'), never the driver's `Command`, and every one
// but `hello` and `login` needs the menu session token a correct PIN issued on the
// same screen connection. The HTTP API has no connection and takes none of them.
//
// Nothing here goes into the snapshot: the snapshot is the driver's screen, and
// whatever is on it any local program can read. The menu asks for what it shows.
import { z } from 'zod';
import { ConnectorId, type ErrorCode } from './commands.js';
import type { PaymentMethod, TariffView } from './snapshot.js';

/** A technician's personal PIN: 6 to 12 digits. */
export const TechPin = z.string().regex(/^\d{6,12}$/, 'a PIN is 6 to 12 digits');

/** A reason a technician gives for what they do, kept in the audit log. */
const Reason = z.string().trim().min(3, 'say why (at least 3 characters)').max(200);

/** A calendar day of the station's wall clock, "YYYY-MM-DD". */
export const ReportDay = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a day is YYYY-MM-DD');

/** An amount a technician types, minor units: positive, at most 10,000.00. */
const Amount = z.number().int().positive().max(1_000_000);

export const TechCommand = z.discriminatedUnion('type', [
  /** Before the PIN: whether any technician exists, whether entry is locked. No token. */
  z.strictObject({ type: z.literal('hello') }),
  /** Opens the menu for the technician whose PIN this is. No token. */
  z.strictObject({ type: z.literal('login'), pin: TechPin }),
  z.strictObject({ type: z.literal('logout') }),
  /** The technician is still there (a touch on the menu): the inactivity time starts again. */
  z.strictObject({ type: z.literal('touch') }),

  // Status: each device, alarms, the recent warnings and errors, test actions.
  z.strictObject({ type: z.literal('log') }),
  z.strictObject({ type: z.literal('testPrint') }),
  /** Waits (up to 20 s) for the next card held to the RFID reader or the card terminal, and shows what it read. */
  z.strictObject({ type: z.literal('readCard') }),
  /** Enables the charger for at most 5 s and puts it back to sleep; only while no vehicle is connected and no session runs. */
  z.strictObject({ type: z.literal('relayTest'), connectorId: ConnectorId }),

  // Connectors.
  /** Puts a connector (or, with connectorId null, the whole station) out of service, or back. A running session goes on. */
  z.strictObject({ type: z.literal('setService'), connectorId: ConnectorId.nullable(), inService: z.boolean(), reason: Reason }),
  /** Ends the session on a connector for a driver who lost both the card and the stop code. */
  z.strictObject({ type: z.literal('endSession'), connectorId: ConnectorId, reason: Reason }),

  // Prices.
  z.strictObject({ type: z.literal('tariffs') }),
  /** Loads a tariff file from the exchange folder as the station's tariff (validated first). Running sessions keep theirs. */
  z.strictObject({ type: z.literal('loadTariff'), file: z.string().min(1).max(200) }),

  // Accounts.
  z.strictObject({ type: z.literal('accounts') }),
  z.strictObject({ type: z.literal('ledger'), accountId: z.string().min(1).max(100) }),
  z.strictObject({ type: z.literal('topUp'), accountId: z.string().min(1).max(100), amountMinor: Amount, reason: Reason }),
  z.strictObject({ type: z.literal('setBlocked'), accountId: z.string().min(1).max(100), blocked: z.boolean(), reason: Reason }),

  // Payments.
  z.strictObject({ type: z.literal('payments') }),
  /** Tries a pending settlement (or release) again now. */
  z.strictObject({ type: z.literal('retryPayment'), key: z.string().min(1).max(200), reason: Reason }),
  /**
   * Records by hand how a payment the kiosk could not finish ended, after the technician
   * checked it at the terminal or the acquirer: 'done' (it went through) or 'failed' (it did not).
   */
  z.strictObject({ type: z.literal('resolvePayment'), key: z.string().min(1).max(200), outcome: z.enum(['done', 'failed']), reason: Reason }),

  // Reports.
  z.strictObject({ type: z.literal('report'), from: ReportDay, to: ReportDay }),
  /** Writes the report as CSV into the exchange folder. */
  z.strictObject({ type: z.literal('exportReport'), from: ReportDay, to: ReportDay }),
  z.strictObject({ type: z.literal('receipts'), from: ReportDay, to: ReportDay }),
  z.strictObject({ type: z.literal('reprint'), receiptNumber: z.number().int().positive() }),
  /** The card terminal's end of day, now. */
  z.strictObject({ type: z.literal('endOfDay') }),
  /** Gives back all or part of what a finished session took: through the terminal where it can, else to the station account. */
  z.strictObject({ type: z.literal('refund'), sessionId: z.string().min(1).max(100), amountMinor: Amount, reason: Reason }),
]);
export type TechCommand = z.infer<typeof TechCommand>;
export type TechCommandType = TechCommand['type'];

/** What the screen sends: the command, with the menu's token once it has one. */
export const TechRequest = z.strictObject({
  token: z.string().max(100).optional(),
  command: z.unknown(),
  /** A refresh the screen makes by itself: it does not count as the technician being there. */
  background: z.boolean().optional(),
});
export type TechRequest = z.infer<typeof TechRequest>;

/** Why a technician command was refused, for the menu to say. */
export const TechErrorReason = z.enum([
  'noTechnicians',
  'wrongPin',
  'locked',
  'noMenu', // no token, a token of another connection, or the menu closed (timed out, logged out)
  'notPossibleNow',
  'notFound',
  'invalidFile',
  'deviceUnavailable',
  'vehicleConnected',
  'sessionRunning',
]);
export type TechErrorReason = z.infer<typeof TechErrorReason>;

export type TechResult<T = unknown> =
  | { ok: true; data: T }
  | { ok: false; error: { code: ErrorCode; reason?: TechErrorReason; message: string; lockedUntil?: number | null; attemptsLeft?: number } };

// ── what the commands answer ─────────────────────────────────────────────

export interface TechHello {
  /** False until a technician is added on the machine (`npm run technicians -- add NAME`). */
  technicians: boolean;
  /** Entry is locked after wrong PINs until then (brain clock ms); null: not locked. */
  lockedUntil: number | null;
}

export interface TechSession {
  token: string;
  technician: string;
  /** The menu closes after this long without a touch, s (`maintenance.timeoutS`). */
  timeoutS: number;
}

export interface LogLine {
  at: number;
  level: 'warn' | 'error' | 'fatal';
  /** The event in words, as the terminal log line reads ("charger 1: controller booted"). */
  text: string;
}

export interface CardReadResult {
  /** Which reader saw it. */
  source: 'rfid' | 'terminal';
  /** The RFID card's UID (canonical hex); null for a bank card. */
  uid: string | null;
  /** The station account that card belongs to, if any. */
  account: string | null;
  /** A bank card's masked number, when the terminal gives it. */
  maskedPan: string | null;
}

export interface TariffFile {
  file: string;
  /** Null when the file is a valid tariff. */
  error: string | null;
  /** The prices as a driver would see them, when valid. */
  view: TariffView | null;
}

export interface TariffsPage {
  /** Where the station's tariff comes from now: the configuration file, or a file a technician loaded. */
  active: { source: 'config' } | { source: 'loaded'; file: string; loadedAt: number; by: string };
  /** The station's prices now, as drivers see them. */
  view: TariffView;
  /** The exchange folder, and the tariff files in it (.json, .yaml, .yml). */
  exchangeDir: string;
  files: TariffFile[];
  /** Why the folder could not be read (not mounted, no permission); null when it could. */
  folderError: string | null;
}

export interface TechAccount {
  id: string;
  name: string;
  type: 'prepaid' | 'account';
  blocked: boolean;
  currency: string;
  /** Prepaid balance, minor units; null for an on-account card. */
  balanceMinor: number | null;
  cards: { uid: string; suffix: boolean }[];
}

export interface TechLedgerEntry {
  id: number;
  at: number;
  kind: 'topup' | 'reservation' | 'release' | 'charge' | 'writeoff' | 'refund' | 'correction';
  amountMinor: number;
  balanceMinor: number;
  sessionId: string | null;
  who: string;
  reason: string | null;
}

export interface TechPayment {
  key: string;
  sessionId: string;
  connectorId: number | null;
  method: string;
  operation: 'authorize' | 'capture' | 'release' | 'refund';
  amountMinor: number;
  currency: string;
  status: 'pending' | 'done' | 'failed';
  attempts: number;
  lastError: string | null;
  createdAt: number;
  updatedAt: number;
}

export interface PaymentsPage {
  /** Authorisations approved and not yet captured or released (a session running on them, or not). */
  openHolds: (TechPayment & { sessionRunning: boolean })[];
  /** Captures and releases the kiosk has not been able to finish, and refunds without an answer (never sent again: for a technician to resolve). */
  pending: TechPayment[];
}

/** One line of the report: one day, connector and way of paying. */
export interface ReportRow {
  day: string;
  connectorId: number;
  method: PaymentMethod;
  sessions: number;
  energyWh: number;
  /** Priced cost incl. VAT, the sum of the receipts' rounded lines. */
  costMinor: number;
  netMinor: number;
  vatMinor: number;
  /** What was taken (captured or charged to the account). */
  revenueMinor: number;
  writtenOffMinor: number;
  refundedMinor: number;
}

export type ReportTotals = Omit<ReportRow, 'day' | 'connectorId' | 'method'>;

export interface Report {
  from: string;
  to: string;
  timeZone: string;
  currency: string;
  rows: ReportRow[];
  byDay: (ReportTotals & { day: string })[];
  byConnector: (ReportTotals & { connectorId: number })[];
  byMethod: (ReportTotals & { method: PaymentMethod })[];
  totals: ReportTotals;
}

export interface ReceiptListEntry {
  number: number;
  sessionId: string;
  issuedAt: number;
  connectorLabel: string;
  totalMinor: number;
  currency: string;
}

export interface EndOfDayResult {
  totalMinor: number | null;
  receipt: string[];
}

/** What each command answers (the `data` of an ok TechResult). */
export interface TechReplies {
  hello: TechHello;
  login: TechSession;
  logout: null;
  touch: null;
  log: LogLine[];
  testPrint: null;
  readCard: CardReadResult;
  relayTest: { enabledMs: number };
  setService: null;
  endSession: null;
  tariffs: TariffsPage;
  loadTariff: TariffsPage;
  accounts: TechAccount[];
  ledger: TechLedgerEntry[];
  topUp: TechLedgerEntry;
  setBlocked: null;
  payments: PaymentsPage;
  retryPayment: null;
  resolvePayment: null;
  report: Report;
  exportReport: { file: string };
  receipts: ReceiptListEntry[];
  reprint: null;
  endOfDay: EndOfDayResult;
  refund: { via: 'terminal' | 'account'; amountMinor: number };
}

export type TechReply<K extends TechCommandType> = TechReplies[K];
