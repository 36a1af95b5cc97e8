// A connector's machine state in the store: saved on every transition, restored at
// start-up. Persisted state is migrated, never discarded: an older version is brought
// up to date; one that cannot be read is kept aside, the connector comes up out of
// service ("needs attention"), and its session is rebuilt from the store (the session
// record, the payments journal, the domain events) so the money is still settled.
import type { Logger } from 'pino';
import { errorMessage } from '../error-message.js';
import type { Clock } from '../../devices/clock.js';
import { TariffConfig } from '../config/config-schema.js';
import { zoneOf } from '../billing/local-time.js';
import { accumulate, startUsage, type TariffUsage } from '../billing/tariff-engine.js';
import type { Payments } from '../payments/payments.js';
import type { KioskStore } from '../store/kiosk-store.js';
import { SESSION_SCHEMA_VERSION, type ActiveSession, type PersistedSession, type SessionContext } from './session-machine.js';

export interface SessionPersistenceOptions {
  store: KioskStore;
  payments: Payments;
  clock: Clock;
  log: Logger;
  /** `payment.maxSessionHours`, ms: for sessions saved before sessions had an expiry. */
  maxSessionMs: number;
  /** The connector's tariff: prices a rebuilt session whose creation the events do not hold (an older kiosk's). */
  tariffOf: (connectorId: number) => TariffConfig;
  /** The station's time zone, and each connector's phase voltage: for sessions saved before sessions carried them. */
  timeZone: string;
  voltageOf: (connectorId: number) => number;
}

type Json = Record<string, unknown>;

/** Each step brings a persisted context from version N to N + 1. */
const MIGRATIONS: Record<number, (context: Json, options: SessionPersistenceOptions) => Json> = {
  // v1 → v2: a card `hold` became the one `authorization` of the session.
  1: (context, options) => {
    const session = context.session as Json | null;
    if (!session) return { ...context, lastError: null };
    const hold = session.hold as Json | null;
    const { hold: _hold, holdMinor, ...rest } = session;
    return {
      ...context,
      lastError: null,
      session: {
        ...rest,
        limitMinor: holdMinor,
        expiresAt: Number(session.createdAt) + options.maxSessionMs,
        settleFailures: 0,
        authorization: hold
          ? {
              method: 'card',
              key: hold.key,
              reference: hold.holdId,
              limitMinor: hold.amountMinor,
              currency: hold.currency,
              authorizedAt: hold.authorizedAt,
              display: { kind: 'card', brand: hold.brand, maskedPan: hold.maskedPan },
            }
          : null,
      },
      lastSummary: context.lastSummary ? { noCharge: false, parkingCapped: false, ...(context.lastSummary as Json) } : null,
    };
  },
  // v2 → v3: a session carries its time zone, its connector's voltage and its usage per
  // tariff element (priced by the OCPI engine); a summary its net, VAT per rate and full lines.
  2: (context, options) => {
    const session = context.session as Json | null;
    const connectorId = Number(context.connectorId);
    const summary = context.lastSummary as Json | null;
    return {
      ...context,
      session: session ? upgradeSession(session, options, connectorId) : null,
      lastSummary: summary ? upgradeSummary(summary, options.tariffOf(connectorId).currency) : null,
    };
  },
};

function upgradeSession(session: Json, options: SessionPersistenceOptions, connectorId: number): Json {
  const tariff = TariffConfig.parse(session.tariff);
  const upgraded = { ...session, tariff, timeZone: options.timeZone, voltageV: options.voltageOf(connectorId) } as unknown as ActiveSession;
  return { ...upgraded, usage: usageOfLegacy(upgraded, options.clock.now()) } as unknown as Json;
}

/** Lines of an older summary get the fields the screen and receipt now read; its totals stay what was charged. */
function upgradeSummary(summary: Json, currency: string): Json {
  const unit = { energy: 'kWh', time: 'hour', parking: 'hour', flat: 'session' } as Record<string, string>;
  const lines = ((summary.lines as Json[] | undefined) ?? []).map((line) => ({ unitPrice: '', vatPercent: null, netMinor: line.amountMinor, vatMinor: 0, unit: unit[String(line.kind)] ?? 'session', ...line }));
  const cost = Number(summary.costMinor ?? 0);
  const vat = Number(summary.vatMinor ?? 0);
  return { currency, ...summary, lines, netMinor: cost - vat, vatRates: [{ vatPercent: null, netMinor: cost - vat, vatMinor: vat, grossMinor: cost }] };
}

/**
 * The usage of a session known only by its totals (saved by an older kiosk, or rebuilt
 * from the store): its energy charged evenly from the start of charging to its stop,
 * then parked until it ended (or until now, if it had stopped and not ended).
 */
function usageOfLegacy(session: ActiveSession, now: number): TariffUsage | null {
  if (session.chargingStartedAt == null) return null;
  const zone = zoneOf(session.timeZone);
  const start = session.chargingStartedAt;
  const chargedUntil = Math.max(start, session.chargingStoppedAt ?? session.endedAt ?? now);
  const energyWh = Math.max(0, (session.meterWh ?? 0) - (session.meterStartWh ?? session.meterWh ?? 0));
  let usage = accumulate(session.tariff, startUsage(start), { to: chargedUntil, energyWh, charging: true }, zone);
  const parkedUntil = session.endedAt ?? (session.chargingStoppedAt != null ? now : usage.at);
  if (parkedUntil > usage.at) usage = accumulate(session.tariff, usage, { to: parkedUntil, energyWh: 0, charging: false }, zone);
  return usage;
}

/** The states that hold no money: the connector free, or its payment choice shown (no session yet). */
const NO_MONEY_PHASES = new Set(['idle', 'choosingPayment']);

export class SessionPersistence {
  /**
   * Per connector, what the last save flushed to disk said of the money (session, summary,
   * proof, problem) when it was of a state without money; absent after any other save.
   */
  private readonly flushedWithoutMoney = new Map<number, string>();

  constructor(private readonly options: SessionPersistenceOptions) {}

  /**
   * Saves the connector's machine state. Every state is flushed to disk before the save
   * returns (synchronous=FULL), except a step between two states without money, with the
   * same session facts as the state last flushed: a driver choosing a connector, or going
   * back from the payment choice. That one is written to the WAL without waiting for the
   * disk (synchronous=NORMAL for its commit): nothing is acted on that needs it on disk, and
   * the next flushed commit (any write of money) flushes it too, in order. A power cut
   * before then restores the state flushed last, which differs only by that step (the
   * start screen instead of the payment choice, or the other way round). A process that
   * crashes or is killed loses nothing: the written WAL is the operating system's.
   */
  save(connectorId: number, phase: string, snapshot: unknown): void {
    const context = (snapshot as { context?: Partial<SessionContext> } | null)?.context;
    const withoutMoney = NO_MONEY_PHASES.has(phase) && context?.session == null;
    const money = withoutMoney ? JSON.stringify([null, context?.lastSummary ?? null, context?.lastProof ?? null, context?.problem ?? null]) : null;
    const write = () => this.options.store.saveConnector(connectorId, { schemaVersion: SESSION_SCHEMA_VERSION, phase, snapshot }, this.options.clock.now());
    if (money !== null && this.flushedWithoutMoney.get(connectorId) === money) return this.writeWithoutFlush(write);
    this.flushedWithoutMoney.delete(connectorId); // until this save has flushed
    write();
    if (money !== null) this.flushedWithoutMoney.set(connectorId, money);
  }

  /** Runs `write` with its commit not waiting for the disk, then back to synchronous=FULL (SQLite allows the change outside a transaction only). */
  private writeWithoutFlush(write: () => void): void {
    const sql = this.options.store.sql();
    if (sql.inTransaction) return write(); // part of a transaction that flushes as it commits
    sql.run('PRAGMA synchronous = NORMAL');
    try {
      write();
    } finally {
      sql.run('PRAGMA synchronous = FULL');
    }
  }

  /** The connector's saved state, migrated to this version; null for a connector never used. */
  restore(connectorId: number): PersistedSession | null {
    const { store, log } = this.options;
    let saved: ReturnType<KioskStore['loadConnector']>;
    try {
      saved = store.loadConnector(connectorId);
    } catch (error) {
      return this.quarantine(connectorId, `the saved state could not be read: ${errorMessage(error)}`);
    }
    if (!saved) return null;
    try {
      if (saved.schemaVersion > SESSION_SCHEMA_VERSION) throw new Error(`it has version ${saved.schemaVersion}, newer than this kiosk knows (${SESSION_SCHEMA_VERSION})`);
      let context = (saved.snapshot as { context?: unknown } | null)?.context as Json | undefined;
      if (!context || typeof context !== 'object') throw new Error('it holds no machine context');
      for (let version = saved.schemaVersion; version < SESSION_SCHEMA_VERSION; version++) {
        const step = MIGRATIONS[version];
        if (!step) throw new Error(`no migration from version ${version}`);
        context = step(context, this.options);
      }
      const checked = checkContext(context, connectorId);
      // A session that charged is never priced from nothing: without its usage (a state
      // edited by hand, or half-written by an older kiosk) it is rebuilt from its totals.
      if (checked.session && checked.session.chargingStartedAt != null && !checked.session.usage) {
        checked.session = { ...checked.session, usage: usageOfLegacy(checked.session, this.options.clock.now()) };
      }
      // A kill during the start-up reconcile saved nothing new ('starting' is never
      // saved), but a state saved by an older kiosk may say 'starting': the phase to
      // resume is the one it was reconciling.
      let phase = saved.phase === 'starting' ? (checked.resumeFrom ?? 'idle') : saved.phase;
      // Out of service for want of attention, its money settled: a restart is the technician's reset.
      if (phase === 'attention' && !checked.session) phase = 'idle';
      if (saved.schemaVersion !== SESSION_SCHEMA_VERSION) log.info({ connectorId, from: saved.schemaVersion, to: SESSION_SCHEMA_VERSION }, 'migrated the saved session state');
      return { phase, context: { ...checked, problem: phase === 'idle' ? null : checked.problem } };
    } catch (error) {
      return this.quarantine(connectorId, `the saved state could not be used: ${errorMessage(error)}`);
    }
  }

  /** Keeps the unreadable state aside and rebuilds what the store knows of the connector's session. */
  private quarantine(connectorId: number, reason: string): PersistedSession {
    const { store, log, clock } = this.options;
    try {
      store.quarantineConnector(connectorId, reason, clock.now());
    } catch (error) {
      log.error({ err: error, connectorId }, 'could not keep the unreadable state aside');
    }
    const session = this.recover(connectorId);
    log.error({ connectorId, reason, sessionId: session?.id ?? null }, 'connector needs attention: its saved state could not be used');
    return {
      phase: 'attention',
      context: {
        connectorId,
        vehiclePlugged: false,
        asleepKnown: false,
        problem: { kind: 'attention', detail: reason },
        session,
        lastSummary: null,
        resumeFrom: null,
        lastError: null,
      },
    };
  }

  /** The connector's open session as the store has it: its record, its approved authorisation, its events. */
  private recover(connectorId: number): ActiveSession | null {
    const { store, payments, clock } = this.options;
    const record = store.activeSessionsOf(connectorId).at(-1);
    if (!record) return null;
    const authorization = payments.approvedFor(record.id);
    if (!authorization) return null;
    const events = store.events({ sessionId: record.id });
    const created = events.find((e) => e.type === 'session.created')?.data as Json | undefined;
    const started = events.find((e) => e.type === 'charging.started');
    const stopped = events.find((e) => e.type === 'charging.stopped');
    const meters = events.filter((e) => e.type === 'meter');
    const lastMeter = meters.at(-1);
    const now = clock.now();
    const meterStartWh = started ? Number((started.data as Json).meterStartWh) : null;
    const session: ActiveSession = {
      id: record.id,
      method: authorization.method,
      createdAt: record.createdAt,
      stopCode: '',
      // The tariff the driver agreed to, as the events recorded it; the connector's if that cannot be read.
      tariff: TariffConfig.safeParse(created?.tariff).data ?? this.options.tariffOf(connectorId),
      timeZone: this.options.timeZone,
      voltageV: this.options.voltageOf(connectorId),
      currency: authorization.currency,
      limitMinor: authorization.limitMinor,
      expiresAt: Number(created?.expiresAt ?? record.createdAt + this.options.maxSessionMs),
      lookaheadS: Number(created?.lookaheadS ?? 0),
      attempt: 1,
      authorization,
      settleFailures: 0,
      declineReason: null,
      meterStartWh,
      meterWh: lastMeter ? Number((lastMeter.data as Json).meterWh) : meterStartWh,
      powerW: 0,
      chargingStartedAt: started?.at ?? null,
      chargingStoppedAt: stopped?.at ?? lastMeter?.at ?? (started ? now : null),
      endedAt: now,
      usage: null,
      stopReason: 'restart',
      showStopCode: false,
    };
    return { ...session, usage: usageOfLegacy(session, now) };
  }
}

/** The few facts a restored context must have for the machine to use it. */
function checkContext(context: Json, connectorId: number): SessionContext {
  if (context.connectorId !== connectorId) throw new Error(`it belongs to connector ${String(context.connectorId)}`);
  const session = context.session as Json | null | undefined;
  if (session != null) {
    if (typeof session.id !== 'string' || typeof session.createdAt !== 'number') throw new Error('its session has no id or start');
    if (!session.tariff || typeof session.limitMinor !== 'number') throw new Error('its session has no tariff or limit');
  }
  return { lastError: null, ...context, session: session ?? null } as unknown as SessionContext;
}
