// The technician's maintenance menu, brain side: who may open it (a personal PIN, checked
// by the technician book with its lockout), the menu sessions (a token bound to the
// screen connection that entered the PIN, closed after `maintenance.timeoutS` without a
// touch), and each technician command. Commands arrive untrusted like the driver's: parsed
// with the contract, refused without a valid token, and every action is audited with the
// technician's name.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import type { Logger } from 'pino';
import type { Clock } from '../../devices/clock.js';
import type { RefundRefusal } from '../../devices/payment/card-terminal-port.js';
import type { ReceiptPrinter } from '../../devices/printer/receipt-printer-port.js';
import { TariffConfig, type KioskConfig } from '../config/config-schema.js';
import { parseGuardedYaml } from '../config/yaml.js';
import {
  TechCommand,
  TechRequest,
  type ErrorCode,
  type EndOfDayResult,
  type PaymentsPage,
  type SessionSummary,
  type TariffFile,
  type TariffsPage,
  type TechAccount,
  type TechErrorReason,
  type TechPayment,
  type TechReplies,
  type TechResult,
} from '../contract/index.js';
import { errorMessage } from '../error-message.js';
import { AccountError, type AccountBook } from '../accounts/account-book.js';
import { compileTariff } from '../billing/tariff-engine.js';
import { RefundError, type Payments } from '../payments/payments.js';
import type { PaymentRecord, KioskStore } from '../store/kiosk-store.js';
import { PriceBoard } from '../station/price-board.js';
import { CommandError, type Station } from '../station/station.js';
import type { ProblemLine } from '../log.js';
import type { TechnicianBook} from './technicians.js';
import { TechnicianError } from './technicians.js';
import { receiptList, refundedOf, reportCsv, sessionReport } from './reports.js';

export interface MaintenanceOptions {
  config: KioskConfig;
  dataDir: string;
  store: KioskStore;
  station: Station;
  payments: Payments;
  /** The station's RFID accounts; null without a reader. */
  accounts: AccountBook | null;
  printer: ReceiptPrinter | null;
  /** The card terminal's end of day; null when the terminal has none. */
  endOfDay: (() => Promise<EndOfDayResult>) | null;
  /** The recent warnings and errors of the log. */
  recent: { list(): ProblemLine[] } | null;
  technicians: TechnicianBook;
  clock: Clock;
  log: Logger;
}

interface MenuSession {
  technician: string;
  connection: string;
  lastActivity: number;
}

/** How long the menu waits for a card held to the reader, ms. */
const READ_CARD_MS = 20_000;
/** Tariff files are small; anything bigger in the exchange folder is not one. */
const MAX_TARIFF_BYTES = 256 * 1024;
const TARIFF_EXTENSIONS = new Set(['.json', '.yaml', '.yml']);
/** Commands that only read: every other one is audited with the technician's name. */
const READS = new Set<TechCommand['type']>(['hello', 'touch', 'log', 'tariffs', 'accounts', 'ledger', 'payments', 'report', 'receipts']);

class TechError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly reason: TechErrorReason,
    message: string,
    readonly extra: { lockedUntil?: number | null; attemptsLeft?: number } = {},
  ) {
    super(message);
  }
}

export class Maintenance {
  private readonly sessions = new Map<string, MenuSession>();
  readonly exchangeDir: string;

  constructor(private readonly options: MaintenanceOptions) {
    const { config, dataDir } = options;
    this.exchangeDir = config.maintenance.exchangeDir ?? join(dataDir, 'exchange');
    // The default folder is ours to make; a configured one (a USB stick) is mounted by the system.
    if (config.maintenance.exchangeDir === undefined) mkdirSync(this.exchangeDir, { recursive: true });
  }

  private get timeoutMs(): number {
    return this.options.config.maintenance.timeoutS * 1000;
  }

  /** A request from the screen connection `connection` (null: the HTTP API, which takes none). */
  async handle(raw: unknown, connection: string | null): Promise<TechResult> {
    const request = TechRequest.safeParse(raw);
    const command = request.success ? TechCommand.safeParse(request.data.command) : null;
    if (!request.success || !command?.success) {
      const issues = (request.success ? command!.error! : request.error).issues;
      return { ok: false, error: { code: 'invalid', message: `invalid technician command: ${issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}` } };
    }
    const { token, background } = request.data;
    const cmd = command.data;
    try {
      if (connection === null) throw new TechError('rejected', 'noMenu', 'technician commands are taken only from the kiosk screen');
      if (cmd.type === 'hello') return ok(this.hello());
      if (cmd.type === 'login') return ok(await this.login(cmd.pin, connection));
      const technician = this.check(token, connection, background === true);
      const data = await this.apply(cmd, technician, token!);
      if (!READS.has(cmd.type)) this.options.store.appendAudit(this.options.clock.now(), technician, `maintenance.${cmd.type}`, auditData(cmd));
      return ok(data);
    } catch (error) {
      if (error instanceof TechError) return { ok: false, error: { code: error.code, reason: error.reason, message: error.message, ...error.extra } };
      if (error instanceof AccountError || error instanceof TechnicianError) return { ok: false, error: { code: 'rejected', reason: 'notPossibleNow', message: error.message } };
      this.options.log.error({ err: error, command: cmd.type }, 'technician command failed');
      return { ok: false, error: { code: 'internal', message: errorMessage(error) } };
    }
  }

  /** The screen connection went away: its menu closes. */
  connectionClosed(connection: string): void {
    for (const [token, session] of this.sessions) {
      if (session.connection === connection) this.close(token, 'disconnected');
    }
  }

  // ── entry ────────────────────────────────────────────────────────────────

  private hello(): TechReplies['hello'] {
    const now = this.options.clock.now();
    return { technicians: this.options.technicians.count() > 0, lockedUntil: this.options.technicians.lockedUntil(now) };
  }

  private async login(pin: string, connection: string): Promise<TechReplies['login']> {
    const { technicians, clock, log } = this.options;
    const outcome = await technicians.login(pin, clock.now(), connection);
    if (!outcome.ok) {
      if (outcome.reason === 'noTechnicians') throw new TechError('rejected', 'noTechnicians', 'no technician is set up: run npm run technicians -- add NAME on the station');
      if (outcome.reason === 'locked') throw new TechError('rejected', 'locked', 'too many wrong PINs: entry is locked', { lockedUntil: outcome.lockedUntil });
      log.warn({ attemptsLeft: outcome.attemptsLeft, locked: outcome.lockedUntil !== null }, 'a wrong technician PIN');
      if (outcome.lockedUntil !== null) throw new TechError('rejected', 'locked', 'too many wrong PINs: entry is locked', { lockedUntil: outcome.lockedUntil, attemptsLeft: 0 });
      throw new TechError('rejected', 'wrongPin', 'wrong PIN', { attemptsLeft: outcome.attemptsLeft, lockedUntil: null });
    }
    // One menu per screen connection.
    for (const [token, session] of this.sessions) if (session.connection === connection) this.close(token, 'replaced');
    const token = randomBytes(24).toString('hex');
    this.sessions.set(token, { technician: outcome.name, connection, lastActivity: clock.now() });
    log.info({ technician: outcome.name }, 'maintenance menu opened');
    return { token, technician: outcome.name, timeoutS: this.options.config.maintenance.timeoutS };
  }

  /** The technician of a token issued on this connection and not timed out; the menu's activity time is renewed unless `background`. */
  private check(token: string | undefined, connection: string, background: boolean): string {
    const now = this.options.clock.now();
    for (const [t, session] of this.sessions) if (now - session.lastActivity > this.timeoutMs) this.close(t, 'timedOut');
    const session = token === undefined ? undefined : this.sessions.get(token);
    if (!session || session.connection !== connection) throw new TechError('rejected', 'noMenu', 'the maintenance menu is not open on this screen');
    if (!background) session.lastActivity = now;
    return session.technician;
  }

  private close(token: string, why: 'loggedOut' | 'timedOut' | 'disconnected' | 'replaced'): void {
    const session = this.sessions.get(token);
    if (!session) return;
    this.sessions.delete(token);
    this.options.store.appendAudit(this.options.clock.now(), session.technician, 'maintenance.closed', { why });
    this.options.log.info({ technician: session.technician, why }, 'maintenance menu closed');
  }

  // ── the commands ─────────────────────────────────────────────────────────

  private async apply(cmd: TechCommand, who: string, token: string): Promise<unknown> {
    const { station, store, clock, config } = this.options;
    switch (cmd.type) {
      case 'hello':
      case 'login':
        throw new Error('handled before');
      case 'logout':
        this.close(token, 'loggedOut');
        return null;
      case 'touch':
        return null;
      case 'log':
        return this.options.recent?.list() ?? [];
      case 'testPrint':
        return this.testPrint(who);
      case 'readCard':
        return this.readCard();
      case 'relayTest':
        return this.stationCall(() => station.relayTest(cmd.connectorId, who));
      case 'setService':
        await this.stationCall(() => station.setService(cmd.connectorId, cmd.inService, cmd.reason, who));
        return null;
      case 'endSession':
        await this.stationCall(() => station.endSession(cmd.connectorId, cmd.reason, who));
        return null;
      case 'tariffs':
        return this.tariffs();
      case 'loadTariff':
        return this.loadTariff(cmd.file, who);
      case 'accounts':
        return this.accountList();
      case 'ledger':
        return this.book().entries({ accountId: this.account(cmd.accountId).id, limit: 200 }).map((e) => ({ ...e, reason: e.reason ?? null }));
      case 'topUp':
        return this.book().topUp(this.account(cmd.accountId).id, cmd.amountMinor, cmd.reason, who, clock.now());
      case 'setBlocked':
        this.book().setBlocked(this.account(cmd.accountId).id, cmd.blocked, who, clock.now());
        return null;
      case 'payments':
        return this.paymentsPage();
      case 'retryPayment':
        await this.paymentCall(() => this.options.payments.retrySettlement(cmd.key));
        return null;
      case 'resolvePayment':
        await this.paymentCall(async () => this.resolvePayment(cmd.key, cmd.outcome, who, cmd.reason));
        return null;
      case 'report':
        return sessionReport(store, this.reportRange(cmd.from, cmd.to));
      case 'exportReport':
        return { file: this.writeExport(`report-${cmd.from}-to-${cmd.to}.csv`, reportCsv(sessionReport(store, this.reportRange(cmd.from, cmd.to)))) };
      case 'receipts':
        return receiptList(store, { from: cmd.from, to: cmd.to, timeZone: config.station.timeZone });
      case 'reprint':
        return this.reprint(cmd.receiptNumber);
      case 'endOfDay':
        return this.endOfDay(who);
      case 'refund':
        return this.refund(cmd.sessionId, cmd.amountMinor, cmd.reason, who);
    }
  }

  /** Station refusals (CommandResult errors) in the menu's words. */
  private async stationCall<T>(work: () => T | Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (error instanceof CommandError) throw new TechError(error.code, 'notPossibleNow', error.message);
      throw error;
    }
  }

  private async paymentCall(work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (error) {
      if (error instanceof TechError) throw error;
      throw new TechError('rejected', 'notPossibleNow', errorMessage(error));
    }
  }

  private async testPrint(who: string): Promise<null> {
    const { printer, config, clock } = this.options;
    if (!printer) throw new TechError('unavailable', 'deviceUnavailable', 'the station has no printer');
    const at = new Date(clock.now()).toLocaleString('en-GB', { timeZone: config.station.timeZone });
    try {
      await printer.print({ lines: ['TEST RECEIPT', config.station.name, `Station ${config.station.id}`, at, `Printed by ${who}`, '0123456789 ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'äöüß €'] });
    } catch (error) {
      throw new TechError('unavailable', 'deviceUnavailable', `the printer did not print: ${errorMessage(error)}`);
    }
    await this.options.station.checkPrinterNow();
    return null;
  }

  private async readCard(): Promise<TechReplies['readCard']> {
    const uid = await this.stationCall(() => this.options.station.readNextTag(READ_CARD_MS));
    if (uid === null) throw new TechError('rejected', 'notFound', `no card was held to the reader within ${READ_CARD_MS / 1000} s`);
    const found = this.options.accounts?.accountOfTag(uid) ?? null;
    return { source: 'rfid', uid, account: found?.account.name ?? null, maskedPan: null };
  }

  private tariffs(): TariffsPage {
    const { station } = this.options;
    const loaded = station.loadedTariff();
    let files: TariffFile[] = [];
    let folderError: string | null = null;
    try {
      files = readdirSync(this.exchangeDir)
        .filter((name) => TARIFF_EXTENSIONS.has(extname(name).toLowerCase()))
        .sort()
        .map((name) => this.tariffFile(name));
    } catch (error) {
      folderError = `the exchange folder ${this.exchangeDir} cannot be read: ${errorMessage(error)}`;
    }
    return {
      active: loaded ? { source: 'loaded', file: loaded.file, loadedAt: loaded.loadedAt, by: loaded.by } : { source: 'config' },
      view: station.snapshot().tariff,
      exchangeDir: this.exchangeDir,
      files: files.map(({ file, error, view }) => ({ file, error, view })),
      folderError,
    };
  }

  /** A tariff file of the exchange folder, checked as the kiosk would price with it. */
  private tariffFile(name: string): TariffFile & { tariff: TariffConfig | null } {
    const { config, clock } = this.options;
    const fail = (error: string) => ({ file: name, error, view: null, tariff: null });
    const path = join(this.exchangeDir, basename(name));
    let raw: unknown;
    try {
      const stat = statSync(path);
      if (!stat.isFile()) return fail('not a file');
      if (stat.size > MAX_TARIFF_BYTES) return fail(`too large for a tariff (over ${MAX_TARIFF_BYTES / 1024} kB)`);
      const text = readFileSync(path, 'utf8');
      raw = extname(name).toLowerCase() === '.json' ? JSON.parse(text) : parseGuardedYaml(text);
    } catch (error) {
      return fail(`cannot be read: ${errorMessage(error)}`);
    }
    const parsed = TariffConfig.safeParse(raw);
    if (!parsed.success) return fail(parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; '));
    const tariff = parsed.data;
    if (tariff.currency !== config.tariff.currency) return fail(`its prices are in ${tariff.currency}; this station takes ${config.tariff.currency}`);
    try {
      compileTariff(tariff);
      const preview = new PriceBoard({ ...config, tariff, connectors: config.connectors.map((c) => ({ ...c, tariff: undefined })) });
      return { file: name, error: null, view: preview.view(null, clock.now()), tariff };
    } catch (error) {
      return fail(errorMessage(error));
    }
  }

  private loadTariff(file: string, who: string): TariffsPage {
    if (basename(file) !== file || !TARIFF_EXTENSIONS.has(extname(file).toLowerCase())) throw new TechError('invalid', 'invalidFile', 'name a tariff file of the exchange folder');
    if (!existsSync(join(this.exchangeDir, file))) throw new TechError('rejected', 'notFound', `there is no ${file} in the exchange folder`);
    const checked = this.tariffFile(file);
    if (!checked.tariff) throw new TechError('rejected', 'invalidFile', `${file} is not a valid tariff: ${checked.error}`);
    this.options.station.loadTariff({ tariff: checked.tariff, file, loadedAt: this.options.clock.now(), by: who }, who);
    this.options.log.info({ file, by: who, tariff: checked.tariff.id }, 'a technician loaded a new tariff');
    return this.tariffs();
  }

  private book(): AccountBook {
    if (!this.options.accounts) throw new TechError('unavailable', 'deviceUnavailable', 'the station has no RFID accounts');
    return this.options.accounts;
  }

  private account(id: string) {
    const account = this.book().account(id);
    if (!account) throw new TechError('rejected', 'notFound', `no account ${id}`);
    return account;
  }

  private accountList(): TechAccount[] {
    const book = this.options.accounts;
    if (!book) return [];
    return book.accounts().map((a) => ({
      id: a.id,
      name: a.name,
      type: a.type,
      blocked: a.blocked,
      currency: a.currency,
      balanceMinor: a.type === 'prepaid' ? book.balance(a.id) : null,
      cards: book.cards(a.id).map((c) => ({ uid: c.uid, suffix: c.suffix })),
    }));
  }

  private paymentsPage(): PaymentsPage {
    const { payments, station } = this.options;
    const running = new Set(station.snapshot().connectors.flatMap((c) => c.session?.id ?? []));
    return {
      openHolds: payments.openHolds().map((p) => ({ ...techPayment(p), sessionRunning: running.has(p.sessionId) })),
      pending: payments.pendingSettlements().map(techPayment),
    };
  }

  /**
   * 'failed' only for a request no connector's session is working on: a session still
   * settling would send a capture marked failed again. 'done' is always safe: the session
   * then finds it done.
   */
  private resolvePayment(key: string, outcome: 'done' | 'failed', who: string, reason: string): void {
    const intent = this.options.store.payment(key);
    if (!intent) throw new TechError('rejected', 'notFound', `no payment ${key}`);
    const running = this.options.station.snapshot().connectors.some((c) => c.session?.id === intent.sessionId);
    if (outcome === 'failed' && running) throw new TechError('rejected', 'sessionRunning', 'its session is still settling it; mark it done, or wait until the session has ended');
    this.options.payments.resolveByHand(key, outcome, who, reason);
  }

  private reportRange(from: string, to: string) {
    const { config } = this.options;
    return { from, to, timeZone: config.station.timeZone, currency: config.tariff.currency };
  }

  /** Writes a file into the exchange folder under a name not taken yet; whole or not at all. */
  private writeExport(name: string, text: string): string {
    let file = name;
    for (let n = 2; existsSync(join(this.exchangeDir, file)); n++) file = name.replace(/\.csv$/, `-${n}.csv`);
    const temp = join(this.exchangeDir, `.${file}.part`);
    try {
      writeFileSync(temp, text, { flush: true });
      renameSync(temp, join(this.exchangeDir, file));
    } catch (error) {
      throw new TechError('unavailable', 'deviceUnavailable', `the report could not be written to ${this.exchangeDir}: ${errorMessage(error)}`);
    }
    return file;
  }

  private async reprint(receiptNumber: number): Promise<null> {
    const { store, config } = this.options;
    const row = store.sql().get('SELECT session_id FROM receipts WHERE number = ?', receiptNumber);
    const summary = row ? (store.getSession(String(row.session_id))?.summary as SessionSummary | null) : null;
    if (!row || !summary) throw new TechError('rejected', 'notFound', `no receipt number ${receiptNumber}`);
    const record = store.getSession(String(row.session_id))!;
    const label = config.connectors.find((c) => c.id === record.connectorId)?.label ?? String(record.connectorId);
    const outcome = await this.options.station.reprintReceipt(summary, label);
    // Its paper may have run out on the way: the status page says so at once.
    await this.options.station.checkPrinterNow();
    if (outcome.receipt !== 'printed') throw new TechError('unavailable', 'deviceUnavailable', 'the printer could not print the receipt');
    return null;
  }

  private async endOfDay(who: string): Promise<EndOfDayResult> {
    const { endOfDay, store, clock } = this.options;
    if (!endOfDay) throw new TechError('unavailable', 'deviceUnavailable', 'the card terminal has no end of day');
    try {
      const result = await endOfDay();
      store.appendAudit(clock.now(), who, 'terminal.endOfDay', { totalMinor: result.totalMinor, receiptLines: result.receipt.length });
      return result;
    } catch (error) {
      throw new TechError('unavailable', 'deviceUnavailable', `the terminal's end of day failed: ${errorMessage(error)}`);
    }
  }

  /**
   * Gives back what a finished session took, all or part: to the station account it was paid
   * from (a ledger refund), or to the bank card through the card terminal where it gives
   * money back (payments.ts journals it: the terminal reverses the day's payment, or credits
   * the card it asks for, which the technician holds to it). A terminal that cannot leaves a
   * bank card to the acquirer, and the menu says so rather than pretend.
   */
  private async refund(sessionId: string, amountMinor: number, reason: string, who: string): Promise<TechReplies['refund']> {
    const { store, clock } = this.options;
    const session = store.getSession(sessionId);
    if (!session || session.status !== 'finished') throw new TechError('rejected', 'notFound', `no finished session ${sessionId}`);
    // The menu's refunds and the accounts tool's alike: never more back than was taken.
    const left = (session.capturedMinor ?? 0) - refundedOf(store, session);
    if (amountMinor > left) throw new TechError('rejected', 'notPossibleNow', `at most ${left} (minor units) is left to refund of this session`);
    if (session.method === 'card') return this.cardRefund(sessionId, amountMinor, reason, who);
    const row = store.sql().get("SELECT account_id FROM account_ledger WHERE session_id = ? AND kind = 'charge' LIMIT 1", sessionId);
    if (!row) throw new TechError('rejected', 'notFound', 'no account charge of this session');
    const at = clock.now();
    this.book().refund(String(row.account_id), amountMinor, reason, who, at, { sessionId });
    store.appendAudit(at, who, 'session.refunded', { sessionId, amountMinor, via: 'account', reason });
    return { via: 'account', amountMinor };
  }

  /** A bank card's refund through the terminal; its 'session.refunded' is written by the journal with its outcome. */
  private async cardRefund(sessionId: string, amountMinor: number, reason: string, who: string): Promise<TechReplies['refund']> {
    const { payments } = this.options;
    if (!payments.canRefund('card')) throw new TechError('rejected', 'notPossibleNow', 'a bank card payment is refunded at the acquirer; this card terminal gives no refunds');
    const answer = await payments.refund({ sessionId, amountMinor, by: who, reason }).catch((error: unknown) => {
      if (!(error instanceof RefundError)) throw error;
      // No answer: left pending on the payments page, never sent again.
      if (error.code === 'unknownOutcome') throw new TechError('unavailable', 'deviceUnavailable', error.message);
      throw new TechError('rejected', error.code === 'nothingToRefund' ? 'notFound' : 'notPossibleNow', error.message);
    });
    if (answer.outcome === 'refused') {
      const unavailable = answer.refusal === 'busy' || answer.refusal === 'unavailable';
      throw new TechError(unavailable ? 'unavailable' : 'rejected', unavailable ? 'deviceUnavailable' : 'notPossibleNow', `nothing was refunded: ${REFUSALS[answer.refusal]} (${answer.message})`);
    }
    return { via: 'terminal', amountMinor: answer.refundedMinor };
  }
}

/** A card terminal's refusal in the technician's words. */
const REFUSALS: Record<RefundRefusal, string> = {
  declined: 'the card terminal declined the refund',
  noCard: 'no card was held to the card terminal in time',
  notSupported: 'this card terminal does not do refunds; refund the payment at the acquirer',
  cancelled: 'the refund was cancelled',
  busy: 'the card terminal is busy; try again in a moment',
  unavailable: 'the card terminal cannot take a refund now',
  error: 'the card terminal could not make the refund',
};

function ok(data: unknown): TechResult {
  return { ok: true, data };
}

function techPayment(p: PaymentRecord): TechPayment {
  return {
    key: p.key,
    sessionId: p.sessionId,
    connectorId: p.connectorId,
    method: p.method,
    operation: p.operation,
    amountMinor: p.amountMinor,
    currency: p.currency,
    status: p.status,
    attempts: p.attempts,
    lastError: p.lastError,
    createdAt: p.createdAt,
    updatedAt: p.updatedAt,
  };
}

/** What the audit keeps of a command: all of it but its type (no command carries a secret past the login). */
function auditData(cmd: TechCommand): Record<string, unknown> {
  const { type: _type, ...rest } = cmd as TechCommand & Record<string, unknown>;
  return rest;
}
