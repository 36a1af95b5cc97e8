// The station: one session actor per connector, the screen's focus, the snapshot
// the screen shows, and the commands it may send. Commands arrive untrusted: each
// is parsed with the contract and checked against the machine before anything
// changes; a bad one is answered with an error and changes nothing.
import { randomInt, randomUUID } from 'node:crypto';
import { createActor, type Actor, type SnapshotFrom } from 'xstate';
import type { Logger } from 'pino';
import type { Clock } from '../../devices/clock.js';
import type { ChargerController } from '../../devices/charger/charger-port.js';
import type { CardTerminal } from '../../devices/payment/card-terminal-port.js';
import type { ReceiptPrinter } from '../../devices/printer/receipt-printer-port.js';
import { Command, SimCommand, type CommandResult, type ErrorCode, type ErrorReason } from '../contract/commands.js';
import type { ConnectorPhase, ConnectorView, SessionView, SimView, Snapshot } from '../contract/snapshot.js';
import type { KioskConfig } from '../config/config-schema.js';
import type { KioskStore } from '../store/kiosk-store.js';
import { priceSession, tariffView } from '../billing/tariff.js';
import { buildReceipt, type ReceiptTexts } from '../billing/receipt.js';
import { SESSION_SCHEMA_VERSION, sessionUsage, type PersistedSession, type SessionContext, type SessionEvent } from './session-machine.js';
import { provideSessionActors } from './session-actors.js';

export interface SimControls {
  view(): SimView;
  apply(command: SimCommand): Promise<void>;
}

export interface StationDevices {
  chargers: ReadonlyMap<number, ChargerController>;
  terminal: CardTerminal;
  printer: ReceiptPrinter;
  /** Controls of the simulated devices; null when every device is real. */
  sim: SimControls | null;
}

export interface StationOptions {
  config: KioskConfig;
  store: KioskStore;
  clock: Clock;
  log: Logger;
  devices: StationDevices;
  receiptTexts: ReceiptTexts;
}

type SessionActor = Actor<ReturnType<typeof provideSessionActors>>;
type SessionSnapshot = SnapshotFrom<ReturnType<typeof provideSessionActors>>;

/** Wrong stop codes in a row before the keypad is locked, and for how long: 4 digits must not be guessable. */
const STOP_CODE_ATTEMPTS = 5;
const STOP_CODE_LOCK_MS = 60_000;

interface Connector {
  id: number;
  /** Wrong stop codes in a row, and until when the keypad is locked after too many. */
  wrongCodes: number;
  lockedUntil: number;
  label: string;
  maxPowerW: number;
  actor: SessionActor;
  lastPersisted: string;
  lastPhase: string;
  lastMeterWh: number | null;
}

/** Phases in which a driver is in the middle of a flow on the screen: nobody else may take it. */
const HOLDS_SCREEN: ReadonlySet<ConnectorPhase> = new Set(['choosingPayment', 'authorizing', 'declined', 'awaitingVehicle', 'summary']);

class CommandError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly reason: ErrorReason,
    message: string,
  ) {
    super(message);
  }
}

const topState = (snapshot: SessionSnapshot): string => (typeof snapshot.value === 'string' ? snapshot.value : Object.keys(snapshot.value)[0]!);

function phaseOf(snapshot: SessionSnapshot): ConnectorPhase {
  switch (topState(snapshot)) {
    case 'starting':
      return 'starting';
    case 'idle':
      return 'available';
    case 'fault':
      return snapshot.context.problem?.kind === 'offline' ? 'outOfService' : 'fault';
    case 'choosingPayment':
    case 'authorizing':
    case 'declined':
    case 'awaitingVehicle':
    case 'charging':
    case 'parked':
    case 'summary':
      return topState(snapshot) as ConnectorPhase;
    case 'stopping':
      return 'parked';
    default: // settling, settleRetry, cancelling, cancelRetry
      return 'settling';
  }
}

export class Station {
  private readonly connectors = new Map<number, Connector>();
  private readonly listeners = new Set<(snapshot: Snapshot) => void>();
  private focus: number | null = null;
  /** The focused connector shows its last session's summary (opened from its tile). */
  private summaryOpen = false;
  private terminalBusy = false;
  private terminalOnline = true;
  private seq = 0;
  private current: Snapshot | null = null;
  private publishQueued = false;
  private ticker: ReturnType<Clock['setTimeout']> | null = null;
  private stopped = false;
  private readonly unsubscribes: (() => void)[] = [];
  /** The prices shown: fixed by the configuration, so worked out once, not per snapshot. */
  private readonly tariff: Snapshot['tariff'];

  constructor(private readonly options: StationOptions) {
    this.tariff = tariffView(options.config.tariff, options.config.payment.holdMinor);
  }

  private get config() {
    return this.options.config;
  }

  /** Puts every charger to sleep, restores each connector and reconciles it with the devices. */
  async start(): Promise<void> {
    const { config, store, clock, log, devices } = this.options;
    // Rule 5: controllers boot enabled. Nothing may charge before a session says so.
    await Promise.all(
      [...devices.chargers.entries()].map(([id, charger]) =>
        charger.sleep().catch((error) => log.error({ err: error, connectorId: id }, 'could not put the charger to sleep at start-up')),
      ),
    );
    this.unsubscribes.push(
      devices.terminal.subscribe((event) => {
        if (event.type === 'busy') this.terminalBusy = event.busy;
        if (event.type === 'offline') this.terminalOnline = false;
        if (event.type === 'online') this.terminalOnline = true;
        this.schedulePublish();
      }),
    );

    for (const c of config.connectors) {
      const charger = devices.chargers.get(c.id);
      if (!charger) throw new Error(`connector ${c.id} has no charger`);
      const restored = this.restore(c.id);
      const machine = provideSessionActors({
        connectorId: c.id,
        charger,
        terminal: devices.terminal,
        store,
        clock,
        log: log.child({ connectorId: c.id }),
        currentLimitA: c.maxCurrentA,
        shuttingDown: () => this.stopped,
        delays: {
          inactivityWarn: config.timeouts.inactivityWarnS * 1000,
          inactivityReturn: config.timeouts.inactivityReturnS * 1000,
          plugIn: config.timeouts.plugInS * 1000,
          presentCard: (config.timeouts.presentCardS + 10) * 1000,
          stopCode: config.timeouts.stopCodeS * 1000,
          summary: config.timeouts.summaryS * 1000,
          retry: 5000,
        },
      });
      const actor = createActor(machine, { input: { connectorId: c.id, restored }, clock });
      const connector: Connector = {
        id: c.id,
        label: c.label,
        maxPowerW: c.maxCurrentA * c.voltageV * c.phases,
        actor,
        wrongCodes: 0,
        lockedUntil: 0,
        lastPersisted: '',
        lastPhase: '',
        lastMeterWh: null,
      };
      this.connectors.set(c.id, connector);
      actor.subscribe({
        next: (snapshot) => this.onTransition(connector, snapshot),
        error: (error) => log.fatal({ err: error, connectorId: c.id }, 'session machine failed'),
      });
    }
    for (const connector of this.connectors.values()) connector.actor.start();
    await this.waitUntilStarted();
    // A driver who was in the middle of a flow when the kiosk stopped gets the screen back.
    this.focus = [...this.connectors.values()].find((c) => HOLDS_SCREEN.has(phaseOf(c.actor.getSnapshot())))?.id ?? null;
    await this.releaseOrphanHolds();
    this.tick();
    log.info({ connectors: this.connectors.size }, 'station started');
  }

  private restore(connectorId: number): PersistedSession | null {
    const { store, log } = this.options;
    try {
      const saved = store.loadConnector(connectorId);
      if (!saved) return null;
      if (saved.schemaVersion !== SESSION_SCHEMA_VERSION) {
        log.error({ connectorId, schemaVersion: saved.schemaVersion }, 'persisted session has an unknown schema version; starting empty');
        return null;
      }
      const snapshot = saved.snapshot as { value: unknown; context: SessionContext };
      return { phase: saved.phase, context: snapshot.context };
    } catch (error) {
      log.error({ err: error, connectorId }, 'could not read the persisted session; starting empty');
      return null;
    }
  }

  private waitUntilStarted(): Promise<void> {
    return new Promise((resolve) => {
      const check = () => {
        if ([...this.connectors.values()].every((c) => topState(c.actor.getSnapshot()) !== 'starting')) {
          resolve();
          return true;
        }
        return false;
      };
      if (check()) return;
      const subs = [...this.connectors.values()].map((c) => c.actor.subscribe(() => check() && subs.forEach((s) => s.unsubscribe())));
    });
  }

  /** Rule 4: a hold the terminal still has open that no session owns is released. */
  private async releaseOrphanHolds(): Promise<void> {
    const { devices, store, clock, log } = this.options;
    try {
      const owned = new Set([...this.connectors.values()].map((c) => c.actor.getSnapshot().context.session?.hold?.holdId).filter(Boolean));
      for (const hold of await devices.terminal.openHolds()) {
        if (owned.has(hold.holdId)) continue;
        await devices.terminal.release(hold.holdId);
        store.appendAudit(clock.now(), 'kiosk', 'payment.orphanReleased', { holdId: hold.holdId, key: hold.key, amountMinor: hold.amountMinor });
        log.warn({ holdId: hold.holdId, key: hold.key }, 'released an orphan hold');
      }
    } catch (error) {
      log.error({ err: error }, 'could not check the terminal for orphan holds');
    }
  }

  private onTransition(connector: Connector, snapshot: SessionSnapshot): void {
    const { store, clock, log } = this.options;
    const phase = topState(snapshot);
    const context = snapshot.context;
    const persistedSnapshot = connector.actor.getPersistedSnapshot();
    const persisted = JSON.stringify(persistedSnapshot);
    if (persisted !== connector.lastPersisted) {
      try {
        store.saveConnector(connector.id, { schemaVersion: SESSION_SCHEMA_VERSION, phase, snapshot: persistedSnapshot }, clock.now());
        connector.lastPersisted = persisted;
      } catch (error) {
        log.error({ err: error, connectorId: connector.id }, 'could not persist the session');
      }
    }
    const session = context.session;
    if (phase !== connector.lastPhase) {
      const sessionId = session?.id ?? (phase === 'summary' ? context.lastSummary?.sessionId : undefined);
      if (sessionId) store.journal(sessionId, clock.now(), `state:${phase}`, { from: connector.lastPhase || null });
      log.info({ connectorId: connector.id, from: connector.lastPhase, to: phase, sessionId }, 'connector state');
      connector.lastPhase = phase;
      this.onPhaseChange(connector, phaseOf(snapshot));
    }
    if (session?.meterWh != null && session.meterWh !== connector.lastMeterWh && session.hold) {
      store.addMeterSample(session.id, clock.now(), session.meterWh, session.powerW);
    }
    connector.lastMeterWh = session?.meterWh ?? null;
    this.schedulePublish();
  }

  private onPhaseChange(connector: Connector, phase: ConnectorPhase): void {
    if (phase === 'available' && this.focus === connector.id && !this.summaryOpen) this.focus = null;
    // The driver comes back to unplug: show the summary unless another flow holds the screen.
    if (phase === 'summary' && (this.focus === null || !this.holdsScreen(this.focus) || this.focus === connector.id)) {
      this.focus = connector.id;
      this.summaryOpen = false;
    }
  }

  private holdsScreen(connectorId: number): boolean {
    const c = this.connectors.get(connectorId);
    if (!c) return false;
    if (this.summaryOpen && this.focus === connectorId) return true;
    return HOLDS_SCREEN.has(phaseOf(c.actor.getSnapshot()));
  }

  // ── commands ─────────────────────────────────────────────────────────────

  async handle(raw: unknown): Promise<CommandResult> {
    const parsed = Command.safeParse(raw);
    if (!parsed.success) return fail('invalid', `invalid command: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
    try {
      await this.apply(parsed.data);
      this.schedulePublish();
      return { ok: true };
    } catch (error) {
      if (error instanceof CommandError) return fail(error.code, error.message, error.reason);
      this.options.log.error({ err: error, command: parsed.data.type }, 'command failed');
      return fail('internal', 'the kiosk could not do that');
    }
  }

  async handleSim(raw: unknown): Promise<CommandResult> {
    const sim = this.options.devices.sim;
    if (!sim) return fail('unavailable', 'no device is simulated');
    const parsed = SimCommand.safeParse(raw);
    if (!parsed.success) return fail('invalid', `invalid simulator command: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
    try {
      await sim.apply(parsed.data);
      this.schedulePublish();
      return { ok: true };
    } catch (error) {
      return fail('rejected', error instanceof Error ? error.message : String(error));
    }
  }

  private connector(id: number): Connector {
    const c = this.connectors.get(id);
    if (!c) throw new CommandError('invalid', 'connectorUnavailable', `no connector ${id}`);
    return c;
  }

  /** Flow commands only act on the connector whose flow holds the screen. */
  private focused(id: number): Connector {
    const c = this.connector(id);
    if (this.focus !== id) throw new CommandError('rejected', 'screenBusy', `connector ${id} is not on the screen`);
    return c;
  }

  private send(c: Connector, event: SessionEvent): void {
    if (!c.actor.getSnapshot().can(event)) throw new CommandError('rejected', 'notPossibleNow', `not possible now (${phaseOf(c.actor.getSnapshot())})`);
    c.actor.send(event);
  }

  private async apply(command: Command): Promise<void> {
    const at = this.options.clock.now();
    switch (command.type) {
      case 'selectConnector': {
        const c = this.connector(command.connectorId);
        if (this.focus !== null && this.focus !== c.id && this.holdsScreen(this.focus)) {
          throw new CommandError('rejected', 'screenBusy', 'another driver is using the screen');
        }
        const snapshot = c.actor.getSnapshot();
        if (phaseOf(snapshot) === 'available') this.send(c, { type: 'SELECT', at });
        else if (phaseOf(snapshot) === 'outOfService' || phaseOf(snapshot) === 'fault' || phaseOf(snapshot) === 'starting') {
          throw new CommandError('rejected', 'connectorUnavailable', `connector ${c.id} cannot be used now`);
        }
        this.focus = c.id;
        this.summaryOpen = false;
        return;
      }
      case 'goHome': {
        if (this.focus === null) return;
        const c = this.connector(this.focus);
        const phase = phaseOf(c.actor.getSnapshot());
        if (phase === 'choosingPayment') this.send(c, { type: 'CANCEL', at });
        else if (phase === 'summary') this.send(c, { type: 'CLOSE_SUMMARY', at });
        else if (HOLDS_SCREEN.has(phase)) throw new CommandError('rejected', 'notPossibleNow', 'finish or cancel first');
        this.focus = null;
        this.summaryOpen = false;
        return;
      }
      case 'choosePayment': {
        const c = this.focused(command.connectorId);
        if (this.terminalBusy || this.anyAuthorizing()) throw new CommandError('rejected', 'terminalBusy', 'the card terminal is busy');
        if (!this.terminalOnline) throw new CommandError('unavailable', 'paymentUnavailable', 'card payment is unavailable');
        const { config } = this;
        this.send(c, {
          type: 'CHOOSE_PAYMENT',
          at,
          method: command.method,
          sessionId: randomUUID(),
          stopCode: String(randomInt(0, 10000)).padStart(4, '0'),
          tariff: config.tariff,
          currency: config.tariff.currency,
          holdMinor: config.payment.holdMinor,
          lookaheadS: config.charging.sampleIntervalMs / 1000 + config.charging.stopDelayS,
        });
        return;
      }
      case 'cancel':
        return this.send(this.focused(command.connectorId), { type: 'CANCEL', at });
      case 'moreTime':
        return this.send(this.focused(command.connectorId), { type: 'MORE_TIME', at });
      case 'retryPayment':
        if (this.terminalBusy || this.anyAuthorizing()) throw new CommandError('rejected', 'terminalBusy', 'the card terminal is busy');
        return this.send(this.focused(command.connectorId), { type: 'RETRY', at });
      case 'otherPayment':
        return this.send(this.focused(command.connectorId), { type: 'OTHER_PAYMENT', at });
      case 'ackStopCode':
        return this.send(this.connector(command.connectorId), { type: 'ACK_STOP_CODE', at });
      case 'stop': {
        const c = this.connector(command.connectorId);
        const session = c.actor.getSnapshot().context.session;
        if (!session || phaseOf(c.actor.getSnapshot()) !== 'charging') throw new CommandError('rejected', 'notCharging', 'this connector is not charging');
        if (at < c.lockedUntil) throw new CommandError('rejected', 'stopCodeLocked', 'too many wrong stop codes; try again later');
        if (session.stopCode !== command.code) {
          c.wrongCodes++;
          if (c.wrongCodes >= STOP_CODE_ATTEMPTS) {
            c.wrongCodes = 0;
            c.lockedUntil = at + STOP_CODE_LOCK_MS;
          }
          this.options.log.warn({ connectorId: c.id, sessionId: session.id, locked: c.lockedUntil > at }, 'wrong stop code');
          throw new CommandError('rejected', c.lockedUntil > at ? 'stopCodeLocked' : 'wrongStopCode', 'wrong stop code');
        }
        c.wrongCodes = 0;
        return this.send(c, { type: 'STOP', at, code: command.code });
      }
      case 'chooseReceipt':
        return this.chooseReceipt(this.focused(command.connectorId), command.receipt);
      case 'closeSummary': {
        const c = this.focused(command.connectorId);
        if (phaseOf(c.actor.getSnapshot()) === 'summary') this.send(c, { type: 'CLOSE_SUMMARY', at });
        this.focus = null;
        this.summaryOpen = false;
        return;
      }
      case 'showSummary': {
        const c = this.connector(command.connectorId);
        if (!c.actor.getSnapshot().context.lastSummary) throw new CommandError('rejected', 'noSummary', 'no finished session on this connector');
        if (this.focus !== null && this.focus !== c.id && this.holdsScreen(this.focus)) throw new CommandError('rejected', 'screenBusy', 'another driver is using the screen');
        if (phaseOf(c.actor.getSnapshot()) !== 'available' && phaseOf(c.actor.getSnapshot()) !== 'summary') {
          throw new CommandError('rejected', 'connectorUnavailable', 'the connector is in use');
        }
        this.focus = c.id;
        this.summaryOpen = phaseOf(c.actor.getSnapshot()) === 'available';
        return;
      }
    }
  }

  private anyAuthorizing(): boolean {
    return [...this.connectors.values()].some((c) => topState(c.actor.getSnapshot()) === 'authorizing');
  }

  private async chooseReceipt(c: Connector, receipt: 'print' | 'qr' | 'none'): Promise<void> {
    const { config, store, clock, devices, log, receiptTexts } = this.options;
    const summary = c.actor.getSnapshot().context.lastSummary;
    if (!summary) throw new CommandError('rejected', 'noSummary', 'no finished session on this connector');
    const built = () =>
      buildReceipt({
        summary,
        station: config.station,
        connectorLabel: c.label,
        currency: config.tariff.currency,
        locale: config.station.locale,
        columns: devices.printer.columns,
        texts: receiptTexts,
      });
    let result: { receipt: typeof summary.receipt; qr: string | null };
    if (receipt === 'none') result = { receipt: 'none', qr: null };
    else if (receipt === 'qr') result = { receipt: 'qr', qr: built().qrText };
    else {
      try {
        await devices.printer.print(built().document);
        result = { receipt: 'printed', qr: null };
      } catch (error) {
        log.error({ err: error, sessionId: summary.sessionId }, 'receipt could not be printed');
        result = { receipt: 'printFailed', qr: built().qrText };
      }
    }
    c.actor.send({ type: 'RECEIPT', at: clock.now(), ...result });
    const updated = c.actor.getSnapshot().context.lastSummary;
    if (updated) store.updateSessionSummary(updated.sessionId, updated);
    store.journal(summary.sessionId, clock.now(), `receipt:${result.receipt}`);
  }

  // ── snapshots ────────────────────────────────────────────────────────────

  subscribe(listener: (snapshot: Snapshot) => void): () => void {
    this.listeners.add(listener);
    listener(this.snapshot());
    return () => this.listeners.delete(listener);
  }

  snapshot(): Snapshot {
    if (!this.current) this.current = this.build();
    return this.current;
  }

  private schedulePublish(): void {
    this.current = null;
    if (this.publishQueued || this.stopped) return;
    this.publishQueued = true;
    queueMicrotask(() => {
      this.publishQueued = false;
      if (this.stopped) return;
      const snapshot = this.snapshot();
      for (const listener of this.listeners) listener(snapshot);
    });
  }

  /** Elapsed time and cost move every second while a session runs, even between meter samples. */
  private tick(): void {
    const { clock } = this.options;
    this.ticker = clock.setTimeout(() => {
      if (this.stopped) return;
      if ([...this.connectors.values()].some((c) => c.actor.getSnapshot().context.session?.chargingStartedAt != null)) this.schedulePublish();
      this.tick();
    }, 1000);
  }

  private build(): Snapshot {
    const { config, clock, devices } = this.options;
    const now = clock.now();
    return {
      seq: ++this.seq,
      now,
      station: { id: config.station.id, name: config.station.name, helpLine: config.station.helpLine, locale: config.station.locale, serviceState: 'inService' },
      tariff: this.tariff,
      focus: this.focus,
      terminal: { available: this.terminalOnline, busy: this.terminalBusy || this.anyAuthorizing() },
      printer: { available: true },
      connectors: [...this.connectors.values()].map((c) => this.connectorView(c, now)),
      sim: devices.sim?.view() ?? null,
    };
  }

  private connectorView(c: Connector, now: number): ConnectorView {
    const snapshot = c.actor.getSnapshot();
    const { context } = snapshot;
    const phase = phaseOf(snapshot);
    return {
      id: c.id,
      label: c.label,
      phase: this.summaryOpen && this.focus === c.id && phase === 'available' ? 'summary' : phase,
      vehiclePlugged: context.vehiclePlugged,
      maxPowerW: c.maxPowerW,
      problem: context.problem?.detail ?? null,
      session: context.session ? sessionView(context.session, now, isWarning(snapshot)) : null,
      lastSummary: context.lastSummary,
    };
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.ticker !== null) this.options.clock.clearTimeout(this.ticker);
    for (const unsubscribe of this.unsubscribes) unsubscribe();
    for (const c of this.connectors.values()) c.actor.stop();
    this.listeners.clear();
  }
}

function isWarning(snapshot: SessionSnapshot): boolean {
  const value = snapshot.value as unknown;
  if (typeof value !== 'object' || value === null) return false;
  return Object.values(value as Record<string, unknown>).includes('warning');
}

function sessionView(session: NonNullable<SessionContext['session']>, now: number, inactivityWarning: boolean): SessionView {
  const usage = sessionUsage(session, now);
  const started = session.chargingStartedAt != null;
  return {
    id: session.id,
    method: session.method,
    startedAt: session.chargingStartedAt ?? session.createdAt,
    energyWh: usage.energyWh,
    powerW: session.chargingStoppedAt == null ? session.powerW : 0,
    elapsedS: started ? Math.max(0, Math.floor(((session.endedAt ?? now) - session.chargingStartedAt!) / 1000)) : 0,
    costMinor: started ? priceSession(session.tariff, usage).totalMinor : 0,
    holdMinor: session.hold?.amountMinor ?? session.holdMinor,
    maskedPan: session.hold?.maskedPan ?? null,
    stopCode: session.showStopCode ? session.stopCode : null,
    declineReason: session.declineReason,
    stopReason: session.stopReason,
    inactivityWarning,
  };
}

function fail(code: ErrorCode, message: string, reason?: ErrorReason): CommandResult {
  return { ok: false, error: reason ? { code, reason, message } : { code, message } };
}
