// The station: one session actor per connector, their persistence and the payment
// sweep, the screen's focus, and the commands the screen may send. Commands arrive
// untrusted: each is parsed with the contract and checked against the machine before
// anything changes; a bad one is answered with an error and changes nothing.
import { randomInt, randomUUID } from 'node:crypto';
import { createActor, type Actor, type SnapshotFrom } from 'xstate';
import type { Logger } from 'pino';
import { errorMessage } from '../error-message.js';
import { delay, type Clock } from '../../devices/clock.js';
import type { ChargerController } from '../../devices/charger/charger-port.js';
import type { CardRead, CardTerminal } from '../../devices/payment/card-terminal-port.js';
import type { ReceiptPrinter } from '../../devices/printer/receipt-printer-port.js';
import type { RfidReader } from '../../devices/rfid/rfid-reader-port.js';
import { Command, SimCommand, type CommandResult, type ErrorCode, type ErrorReason } from '../contract/commands.js';
import type { CardTapNotice, ConnectorPhase, ConnectorType, ConnectorView, SessionSummary, SimView, Snapshot } from '../contract/snapshot.js';
import { PAYMENT_WAYS, type KioskConfig, type TariffConfig } from '../config/config-schema.js';
import type { Credential, PaymentMethod } from '../payments/authorization.js';
import type { KioskStore } from '../store/kiosk-store.js';
import { authorizeKey, type Payments } from '../payments/payments.js';
import { PriceBoard } from './price-board.js';
import { type SessionEvent } from './session-machine.js';
import { provideSessionActors } from './session-actors.js';
import { SessionPersistence } from './session-persistence.js';
import { DomainEvents } from './domain-events.js';
import { HOLDS_SCREEN, connectorView, countdownOf, phaseOf, topState, type ScreenWaits } from './station-view.js';
import { AlarmBoard, alarmOfProblem, type AlarmCandidate } from './alarms.js';
import { StopCodeGuard } from './stop-code-guard.js';
import { ReceiptService } from './receipt-service.js';
import { checkPrinter, DeviceRecord, printerCanPrint, watchCharger, watchRfid, watchTerminal } from './device-diagnostics.js';
import { CardTaps } from './card-taps.js';
import { ServiceBoard } from './service-board.js';
import { ScreenPreferences } from './screen-preferences.js';
import { isLanguage, languageOf, type Language } from '../contract/languages.js';

export interface SimControls {
  view(): SimView;
  apply(command: SimCommand): Promise<void>;
}

export interface StationDevices {
  chargers: ReadonlyMap<number, ChargerController>;
  /** The card terminal; null when the station has none. */
  terminal: CardTerminal | null;
  /** Where the terminal is, for its diagnostics: a serial path, host:port, or 'memory' (default). */
  terminalAddress?: string;
  /** The receipt printer; null when the station has none. */
  printer: ReceiptPrinter | null;
  /** Where the printer is, for its diagnostics: a device path, or 'simulated' (default). */
  printerAddress?: string;
  /** The RFID reader; null when the station has none. */
  rfid?: { reader: RfidReader; address: string; firmware: string | null } | null;
  /** Controls of the simulated devices; null when every device is real. */
  sim: SimControls | null;
}

/** What the station asks of the RFID accounts before a card pays: which backend takes it. */
export interface AccountLookup {
  /** 'prepaid' or 'account' for a card an account holds; null for a card nobody knows (the prepaid backend declines it). */
  methodOfTag(tag: Credential): 'prepaid' | 'account' | null;
}

/** A card held to a reader outside a payment: a bank card (its token) or a station RFID card (its UID). */
type Tap = { kind: 'card'; cardToken: string } | { kind: 'rfid'; uid: string; suffix?: true };

export interface StationOptions {
  config: KioskConfig;
  store: KioskStore;
  payments: Payments;
  clock: Clock;
  log: Logger;
  devices: StationDevices;
  /** The station's RFID accounts; null without a reader. */
  accounts?: AccountLookup | null;
}

type SessionActor = Actor<ReturnType<typeof provideSessionActors>>;
type SessionSnapshot = SnapshotFrom<ReturnType<typeof provideSessionActors>>;

/**
 * The same station card read again within this long is the same presentation, ms: a card
 * left on a reader that types it again, or held twice to "make sure", must not stop the
 * session it has just paid for. Each repeat extends the window.
 */
const SAME_TAG_MS = 3000;

/** How often the payment sweep looks for intents without an outcome and orphan authorisations, ms. */
const SWEEP_INTERVAL_MS = 60_000;

interface Connector {
  id: number;
  label: string;
  type: ConnectorType;
  /** The machine's state (its value, as JSON) and when it was entered: the screen's countdowns run from there. */
  state: { key: string; since: number };
  maxPowerW: number;
  actor: SessionActor;
  stopCode: StopCodeGuard;
  lastPersisted: string;
  /** Why the last save of the machine state failed; null once it is durable. */
  persistError: string | null;
  last: { context: SessionSnapshot['context']; phase: ConnectorPhase; top: string } | null;
}

/** Why the station refused a command (or a technician's request): the code and reason the screen words. */
export class CommandError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly reason: ErrorReason,
    message: string,
    /** A wrong stop code: the tries left before the keypad locks. */
    readonly attemptsLeft?: number,
  ) {
    super(message);
  }
}

export class Station {
  private readonly connectors = new Map<number, Connector>();
  private readonly listeners = new Set<(snapshot: Snapshot) => void>();
  private shown: number | null = null;
  /** The focus as last kept in the store, so that a restart shows each driver the screen they had; undefined until start() has read it. */
  private keptFocus: number | null | undefined;
  /** What each driver chose for the screen (language, high contrast), and what was last kept of it. */
  private readonly preferences: ScreenPreferences;
  private keptChoices = '';
  /** The languages the screen offers: the station's own first. */
  private readonly languages: Language[];
  /** The focused connector shows its last session's summary (opened from its tile). */
  private summaryOpen = false;
  private terminalBusy = false;
  /** What the card terminal last asked of the cardholder (its last prompt event), for the screen. */
  private terminalPrompt: NonNullable<Snapshot['terminal']>['prompt'] = null;
  private terminalOnline = true;
  /** Why the store could not be written, while it cannot: the station is then out of service. */
  private storageFailure: string | null = null;
  private seq = 0;
  private current: Snapshot | null = null;
  private publishQueued = false;
  /** The last snapshot sent to the screens, as text: an unchanged one is not sent again. */
  private publishedText = '';
  /** The next publish is the clock's (a countdown, a session's time): sent even if nothing else moved. */
  private publishTime = false;
  private ticker: ReturnType<Clock['setTimeout']> | null = null;
  private sweeper: ReturnType<Clock['setTimeout']> | null = null;
  private sweeping: Promise<void> | null = null;
  private stopped = false;
  private readonly unsubscribes: (() => void)[] = [];
  /** Cards held to the terminal outside a payment (tap to start, stop by the same card); null when the terminal cannot read them. */
  private cardTaps: CardTaps | null = null;
  private cardTap: CardTapNotice | null = null;
  /** The card behind a 'chooseConnector' notice: it pays on the connector the driver picks. */
  private pendingTap: Tap | null = null;
  private rfidOnline = false;
  /** The last station card read, and when: repeats of it are one presentation (SAME_TAG_MS). */
  private lastTag: { uid: string; at: number } | null = null;
  /** The prices each connector shows, as they apply now. */
  private readonly prices: PriceBoard;
  /** What technicians took out of service. */
  private readonly service: ServiceBoard;
  /** Connectors whose charger a technician's relay test holds enabled now. */
  private readonly relayTests = new Set<number>();
  /** A technician waits for the next station card held to the reader: it is read, not acted on. */
  private cardRead: ((uid: string) => void) | null = null;
  private readonly persistence: SessionPersistence;
  private readonly receipts: ReceiptService;
  private readonly alarmBoard: AlarmBoard;
  private readonly diagnostics: { chargers: Map<number, DeviceRecord>; terminal: DeviceRecord | null; printer: DeviceRecord | null; rfid: DeviceRecord | null };
  /** The ways to pay the screen offers: `payment.methods` (every way by default) of the devices the station has. */
  private readonly ways: ('card' | 'rfid')[];
  /** The waits the screen counts down (the terminal's own time to present a card, not the machine's backstop). */
  private readonly waits: ScreenWaits;
  readonly events: DomainEvents;

  constructor(private readonly options: StationOptions) {
    const { config, store, payments, clock, log, devices } = options;
    this.prices = new PriceBoard(config);
    this.service = new ServiceBoard(store);
    const { timeouts } = config;
    this.waits = {
      inactivityReturn: timeouts.inactivityReturnS * 1000,
      presentCard: timeouts.presentCardS * 1000,
      plugIn: timeouts.plugInS * 1000,
      summary: Math.max(1, timeouts.summaryS - timeouts.inactivityReturnS) * 1000,
    };
    const loaded = store.getSetting(LOADED_TARIFF) as LoadedTariff | undefined;
    if (loaded) this.prices.load(loaded.tariff);
    this.persistence = new SessionPersistence({
      store,
      payments,
      clock,
      log,
      maxSessionMs: config.payment.maxSessionHours * 3_600_000,
      tariffOf: (connectorId) => this.prices.tariffOf(connectorId),
      timeZone: config.station.timeZone,
      voltageOf: (connectorId) => config.connectors.find((c) => c.id === connectorId)?.voltageV ?? 230,
    });
    this.receipts = new ReceiptService({ config, printer: devices.printer, log });
    const own = languageOf(config.station.locale);
    this.languages = [own, ...config.station.languages.filter((language) => language !== own)];
    this.preferences = new ScreenPreferences({ language: own, highContrast: false }, (timeouts.inactivityWarnS + timeouts.inactivityReturnS) * 1000);
    this.events = new DomainEvents(store, log);
    this.alarmBoard = new AlarmBoard(log);
    this.diagnostics = {
      chargers: new Map(config.connectors.map((c) => [c.id, new DeviceRecord(c.charger.kind, c.charger.kind === 'rapi' ? c.charger.path : 'memory', clock)])),
      terminal: devices.terminal ? new DeviceRecord(config.devices.terminal.kind, devices.terminalAddress ?? 'memory', clock) : null,
      printer: devices.printer ? new DeviceRecord(config.devices.printer.kind, devices.printerAddress ?? 'simulated', clock) : null,
      rfid: devices.rfid ? new DeviceRecord(config.devices.rfid.kind, devices.rfid.address, clock) : null,
    };
    const has = { card: devices.terminal !== null, rfid: devices.rfid != null && options.accounts != null };
    this.ways = (config.payment.methods ?? [...PAYMENT_WAYS]).filter((way) => has[way]);
  }

  private get config() {
    return this.options.config;
  }

  /** The connector whose flow holds the screen, or null for the start screen. */
  private get focus(): number | null {
    return this.shown;
  }

  /** The screen shows another flow: the driver's choices for the screen go with it (screen-preferences.ts). */
  private set focus(next: number | null) {
    const previous = this.shown;
    this.shown = next;
    if (previous === next) return;
    if (next !== null) this.preferences.flowBegins(next);
    if (previous === null || next !== null) return;
    // Back to the start: from a flow that goes on (a charge), or from one that is over (a summary shown again).
    const left = this.connectors.get(previous);
    if (left && phaseOf(left.actor.getSnapshot()) !== 'available') this.preferences.leftFlow(previous, this.options.clock.now());
    else this.preferences.flowEnds(previous, true);
  }

  /** Puts every charger to sleep, restores each connector and reconciles it with the devices, then sweeps the payments. */
  async start(): Promise<void> {
    const { config, store, payments, clock, log, devices } = this.options;
    // Rule 5: controllers boot enabled. Nothing may charge before a session says so.
    await Promise.all(
      [...devices.chargers.entries()].map(([id, charger]) =>
        charger.sleep().catch((error) => log.error({ err: error, connectorId: id }, 'could not put the charger to sleep at start-up')),
      ),
    );
    const { diagnostics } = this;
    for (const [id, charger] of devices.chargers) {
      const record = diagnostics.chargers.get(id);
      if (record) this.unsubscribes.push(watchCharger(charger, record));
    }
    if (devices.terminal && diagnostics.terminal) {
      this.unsubscribes.push(
        watchTerminal(devices.terminal, diagnostics.terminal),
        devices.terminal.subscribe((event) => {
          if (event.type === 'busy') this.terminalBusy = event.busy;
          if (event.type === 'prompt') this.terminalPrompt = event.prompt;
          if (event.type === 'offline') {
            this.terminalOnline = false;
            this.terminalPrompt = null; // a terminal that went away asks nothing
          }
          if (event.type === 'online') this.terminalOnline = true;
          this.schedulePublish();
        }),
      );
    }
    await this.checkPrinter();
    const rfid = devices.rfid;
    if (rfid && diagnostics.rfid) {
      diagnostics.rfid.identify(rfid.firmware);
      this.unsubscribes.push(
        watchRfid(rfid.reader, diagnostics.rfid),
        rfid.reader.subscribe((event) => {
          if (event.type === 'online') diagnostics.rfid!.identify(rfid.firmware);
          if (event.type === 'tag' && this.cardRead) this.cardRead(event.uid);
          else if (event.type === 'tag' && this.freshTag(event.uid)) this.onTap({ kind: 'rfid', uid: event.uid, ...(event.suffix ? { suffix: true as const } : {}) });
          this.rfidOnline = diagnostics.rfid!.isOnline;
          this.schedulePublish();
        }),
      );
      this.rfidOnline = diagnostics.rfid.isOnline;
    }

    for (const c of config.connectors) {
      const charger = devices.chargers.get(c.id);
      if (!charger) throw new Error(`connector ${c.id} has no charger`);
      const restored = this.persistence.restore(c.id);
      const connector = { id: c.id, label: c.label, type: c.type, maxPowerW: c.maxCurrentA * c.voltageV * c.phases, stopCode: new StopCodeGuard(), lastPersisted: '', persistError: null, last: null, state: { key: '', since: 0 } } as Omit<Connector, 'actor'> as Connector;
      const machine = provideSessionActors({
        connectorId: c.id,
        charger,
        payments,
        store,
        clock,
        log: log.child({ connectorId: c.id }),
        currentLimitA: c.maxCurrentA,
        minBalanceMinor: config.payment.minBalanceMinor,
        receiptPlace: { stationId: config.station.id, connectorLabel: c.label, evseId: c.evseId ?? null },
        stopDelayMs: config.charging.stopDelayS * 1000,
        shuttingDown: () => this.stopped,
        relayTest: () => this.relayTests.has(c.id),
        // Save before act: the observer that saves runs right after the transition that
        // started the work, so one turn later the state is on disk, or it failed.
        durable: async () => {
          await null;
          if (connector.persistError) throw new Error(`the session state could not be saved: ${connector.persistError}`);
        },
        delays: {
          inactivityWarn: config.timeouts.inactivityWarnS * 1000,
          inactivityReturn: config.timeouts.inactivityReturnS * 1000,
          plugIn: config.timeouts.plugInS * 1000,
          presentCard: (config.timeouts.presentCardS + 10) * 1000,
          stopCode: config.timeouts.stopCodeS * 1000,
          summaryWarn: this.waits.summary,
          retry: 5000,
          attentionRetry: 60_000,
        },
      });
      connector.actor = createActor(machine, { input: { connectorId: c.id, restored }, clock });
      this.connectors.set(c.id, connector);
      connector.actor.subscribe({
        next: (snapshot) => this.onTransition(connector, snapshot),
        error: (error) => log.fatal({ err: error, connectorId: c.id }, 'session machine failed'),
      });
    }
    for (const connector of this.connectors.values()) connector.actor.start();
    await this.waitUntilStarted();
    // A driver who was in the middle of a flow when the kiosk stopped gets the screen back;
    // so does one who was watching their charge (a session's screen is kept only while its
    // connector still has that session's flow: a connector found available shows the start).
    const holding = [...this.connectors.values()].find((c) => HOLDS_SCREEN.has(phaseOf(c.actor.getSnapshot())));
    const kept = this.options.store.getSetting(SCREEN_FOCUS);
    const flowsOn = [...this.connectors.values()].filter((c) => phaseOf(c.actor.getSnapshot()) !== 'available').map((c) => c.id);
    this.preferences.restore(this.options.store.getSetting(SCREEN_CHOICES), isLanguage, flowsOn);
    this.keptChoices = JSON.stringify(this.preferences.kept());
    const watched = typeof kept === 'number' ? this.connectors.get(kept) : undefined;
    const watchedPhase = watched ? phaseOf(watched.actor.getSnapshot()) : null;
    this.focus = holding?.id ?? (watched && watchedPhase !== 'available' && watchedPhase !== 'outOfService' ? watched.id : null);
    this.keptFocus = typeof kept === 'number' ? kept : null;
    // Rule 4: only now that every connector knows its session can the sweep tell what we
    // own. It runs beside the start: a slow terminal does not hold the screen back.
    void this.sweep();
    this.scheduleSweep();
    this.startCardTaps();
    this.tick();
    log.info({ connectors: this.connectors.size }, 'station started');
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

  /** The journal keys of the authorisations the connectors' sessions hold now. */
  private liveAuthorizations(): Set<string> {
    const keys = new Set<string>();
    for (const c of this.connectors.values()) {
      const snapshot = c.actor.getSnapshot();
      const { session } = snapshot.context;
      if (session?.authorization) keys.add(session.authorization.key);
      // Still authorising, the attempt's approval may be journalled and on its way to the
      // machine: it is this session's (a session that gives up leaves the state, and its
      // late approval is released by its request). A prepaid card answers at once, so the
      // sweep could otherwise fall between the journal and the machine (found by chaos).
      else if (session && topState(snapshot) === 'authorizing') keys.add(authorizeKey(session.id, session.attempt));
    }
    return keys;
  }

  /** The ids of the sessions the connectors have now, paid or not yet. */
  private liveSessions(): Set<string> {
    return new Set([...this.connectors.values()].flatMap((c) => c.actor.getSnapshot().context.session?.id ?? []));
  }

  /** Rule 4: resolves unanswered payment intents and releases what no session owns. One sweep at a time. */
  sweep(): Promise<void> {
    this.sweeping ??= this.options.payments
      .sweep(() => this.liveAuthorizations(), () => this.liveSessions())
      .then(
        (report) => {
          if (report.resolved || report.released || report.retried) this.options.log.info(report, 'payment sweep');
        },
        (error) => this.options.log.error({ err: error }, 'payment sweep failed'),
      )
      .finally(() => (this.sweeping = null));
    return this.sweeping;
  }

  private scheduleSweep(): void {
    this.sweeper = this.options.clock.setTimeout(() => {
      if (this.stopped) return;
      void Promise.all([this.sweep(), this.checkPrinter()]).finally(() => this.stopped || this.scheduleSweep());
    }, SWEEP_INTERVAL_MS);
  }

  /** Reads the printer's state again now (the simulator panel changed its paper or cover). */
  async checkPrinterNow(): Promise<void> {
    await this.checkPrinter();
    this.schedulePublish();
  }

  /** Asks the printer how it is (paper, cover), for its diagnostics and the screen. */
  private async checkPrinter(): Promise<void> {
    const { printer } = this.options.devices;
    if (printer && this.diagnostics.printer) await checkPrinter(printer, this.diagnostics.printer);
  }

  private onTransition(connector: Connector, snapshot: SessionSnapshot): void {
    const { clock, log } = this.options;
    const top = topState(snapshot);
    const phase = phaseOf(snapshot);
    const context = snapshot.context;
    const at = clock.now();
    const key = JSON.stringify(snapshot.value);
    if (key !== connector.state.key) connector.state = { key, since: at };
    // 'starting' is never saved: the state to resume stays the one saved before the
    // restart, so a kill during the start-up reconcile resumes it again.
    if (top !== 'starting') {
      try {
        const persistedSnapshot = connector.actor.getPersistedSnapshot();
        const persisted = JSON.stringify(persistedSnapshot);
        if (persisted !== connector.lastPersisted) {
          this.persistence.save(connector.id, top, persistedSnapshot);
          connector.lastPersisted = persisted;
        }
        connector.persistError = null;
        if (top !== connector.last?.top) log.info({ connectorId: connector.id, from: connector.last?.top, to: top, sessionId: context.session?.id }, 'connector state');
        this.events.observe(connector.id, connector.last, { context, phase, top }, at);
        this.storageRecovered();
      } catch (error) {
        connector.persistError = errorMessage(error);
        this.storageFailed(error);
      }
    }
    if (phase !== connector.last?.phase) this.onPhaseChange(connector, phase);
    connector.last = { context, phase, top };
    this.cardTaps?.poke();
    this.schedulePublish();
  }

  /** The store cannot be written (disk full, I/O error): no new session starts until it can. */
  private storageFailed(error: unknown): void {
    const detail = errorMessage(error);
    if (this.storageFailure === null) this.options.log.fatal({ err: error }, 'the store cannot be written; the station is out of service');
    this.storageFailure = detail;
  }

  private storageRecovered(): void {
    if (this.storageFailure === null) return;
    this.storageFailure = null;
    this.options.log.warn('the store can be written again; the station is back in service');
  }

  private onPhaseChange(connector: Connector, phase: ConnectorPhase): void {
    // The flow is over: its driver's choices for the screen with it.
    if (phase === 'available' && !(this.summaryOpen && this.focus === connector.id)) this.preferences.flowEnds(connector.id, this.focus === connector.id);
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
      if (error instanceof CommandError) {
        const refused = fail(error.code, error.message, error.reason);
        if (!refused.ok && error.attemptsLeft !== undefined) refused.error.attemptsLeft = error.attemptsLeft;
        return refused;
      }
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
      return fail('rejected', errorMessage(error));
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
        // A card was tapped while cars were plugged in at several connectors: the one chosen now is paid for.
        const tapped =
          this.cardTap?.kind === 'chooseConnector' && this.cardTap.until > at && this.cardTap.connectorIds.includes(c.id) && snapshot.context.vehiclePlugged ? this.pendingTap : null;
        if (phaseOf(snapshot) === 'available' && this.service.of(c.id)) {
          throw new CommandError('rejected', this.service.of(c.id)!.station ? 'stationOutOfService' : 'connectorUnavailable', `connector ${c.id} is out of service`);
        }
        if (phaseOf(snapshot) === 'available') this.send(c, { type: 'SELECT', at });
        else if (phaseOf(snapshot) === 'outOfService' || phaseOf(snapshot) === 'fault' || phaseOf(snapshot) === 'starting') {
          throw new CommandError('rejected', 'connectorUnavailable', `connector ${c.id} cannot be used now`);
        }
        this.focus = c.id;
        this.summaryOpen = false;
        if (tapped) {
          this.cardTap = null;
          this.pendingTap = null;
          await this.payWithTap(c, tapped);
        } else if (phaseOf(c.actor.getSnapshot()) === 'choosingPayment' && this.ways.length === 1 && this.ways[0] === 'card') {
          // The one way to pay: no choice to make. A terminal not ready leaves the choice screen, which says why.
          try {
            this.startPayment(c, 'card', null);
          } catch (error) {
            if (!(error instanceof CommandError)) throw error;
          }
        }
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
      case 'choosePayment':
        return this.startPayment(this.focused(command.connectorId), command.method, null);
      case 'cancel': {
        const c = this.focused(command.connectorId);
        this.send(c, { type: 'CANCEL', at });
        // Back at the start at once, as goHome: the tile is enabled again when the charger confirms it sleeps.
        if (topState(c.actor.getSnapshot()) === 'idle') {
          this.focus = null;
          this.summaryOpen = false;
        }
        return;
      }
      case 'moreTime':
        return this.send(this.focused(command.connectorId), { type: 'MORE_TIME', at });
      case 'retryPayment': {
        const c = this.focused(command.connectorId);
        if (c.actor.getSnapshot().context.session?.method === 'card') this.checkTerminalFree();
        return this.send(c, { type: 'RETRY', at });
      }
      case 'otherPayment':
        return this.send(this.focused(command.connectorId), { type: 'OTHER_PAYMENT', at });
      case 'ackStopCode':
        return this.send(this.connector(command.connectorId), { type: 'ACK_STOP_CODE', at });
      case 'stop': {
        const c = this.connector(command.connectorId);
        const session = c.actor.getSnapshot().context.session;
        if (!session || phaseOf(c.actor.getSnapshot()) !== 'charging') throw new CommandError('rejected', 'notCharging', 'this connector is not charging');
        const verdict = c.stopCode.check(session.stopCode, command.code, at);
        if (verdict !== 'ok') {
          this.options.log.warn({ connectorId: c.id, sessionId: session.id, locked: verdict === 'locked' }, 'wrong stop code');
          throw new CommandError('rejected', verdict === 'locked' ? 'stopCodeLocked' : 'wrongStopCode', verdict === 'locked' ? 'too many wrong stop codes; try again later' : 'wrong stop code', verdict === 'locked' ? 0 : c.stopCode.attemptsLeft());
        }
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
      case 'setLanguage': {
        if (!this.languages.includes(command.language)) throw new CommandError('rejected', 'notPossibleNow', `this station does not offer ${command.language}`);
        this.preferences.choose(this.focus, { language: command.language }, at);
        return;
      }
      case 'setHighContrast':
        this.preferences.choose(this.focus, { highContrast: command.on }, at);
        return;
      case 'showSummary': {
        const c = this.connector(command.connectorId);
        const proof = this.showableAgain(c, at);
        if (!proof) throw new CommandError('rejected', 'noSummary', 'no finished session on this connector to show again');
        if (this.focus !== null && this.focus !== c.id && this.holdsScreen(this.focus)) throw new CommandError('rejected', 'screenBusy', 'another driver is using the screen');
        // Its stop code proves the summary is the driver's own; wrong codes lock the keypad as for a stop.
        const verdict = c.stopCode.check(proof.stopCode, command.code, at);
        if (verdict !== 'ok') {
          this.options.log.warn({ connectorId: c.id, locked: verdict === 'locked' }, 'wrong stop code for the last summary');
          throw new CommandError('rejected', verdict === 'locked' ? 'stopCodeLocked' : 'wrongStopCode', verdict === 'locked' ? 'too many wrong stop codes; try again later' : 'wrong stop code', verdict === 'locked' ? 0 : c.stopCode.attemptsLeft());
        }
        this.openLastSummary(c);
        return;
      }
    }
  }

  /**
   * The proof of the connector's last session when its summary may be shown again now:
   * the connector is free, and the session ended less than `receipts.showAgainS` ago.
   */
  private showableAgain(c: Connector, at: number) {
    const { lastSummary, lastProof } = c.actor.getSnapshot().context;
    if (!lastSummary || !lastProof || phaseOf(c.actor.getSnapshot()) !== 'available') return null;
    return at - lastSummary.endedAt <= this.config.receipts.showAgainS * 1000 ? lastProof : null;
  }

  private openLastSummary(c: Connector): void {
    this.focus = c.id;
    this.summaryOpen = true;
  }

  /** The card terminal can take a payment now, or the command is refused. */
  private checkTerminalFree(): void {
    if (this.terminalBusy || this.anyCardAuthorizing()) throw new CommandError('rejected', 'terminalBusy', 'the card terminal is busy');
    if (!this.options.devices.terminal || !this.terminalOnline) throw new CommandError('unavailable', 'paymentUnavailable', 'card payment is unavailable');
  }

  /**
   * Starts the session's payment on the focused connector: by bank card (the terminal
   * reads the card) or by the station RFID card held to the reader (`credential`).
   */
  private startPayment(c: Connector, way: 'card' | 'rfid', credential: Credential | null): void {
    if (this.storageFailure) throw new CommandError('unavailable', 'stationOutOfService', 'the station is out of service');
    if (!this.ways.includes(way)) throw new CommandError('unavailable', 'paymentUnavailable', `${way} payment is not offered here`);
    let method: PaymentMethod = 'card';
    if (way === 'card') this.checkTerminalFree();
    else method = (credential && this.options.accounts?.methodOfTag(credential)) || 'prepaid';
    const { config } = this;
    const tariff = this.prices.tariffOf(c.id);
    const connector = config.connectors.find((k) => k.id === c.id)!;
    const at = this.options.clock.now();
    this.send(c, {
      type: 'CHOOSE_PAYMENT',
      at,
      method,
      credential,
      sessionId: randomUUID(),
      stopCode: String(randomInt(0, 10000)).padStart(4, '0'),
      tariff,
      timeZone: config.station.timeZone,
      voltageV: connector.voltageV,
      currency: tariff.currency,
      limitMinor: config.payment.holdMinor,
      lookaheadS: config.charging.sampleIntervalMs / 1000 + config.charging.stopDelayS,
      maxSessionMs: config.payment.maxSessionHours * 3_600_000,
    });
  }

  /** Pays on `c` with the card just tapped: a bank card through the terminal, a station card by its UID. */
  private async payWithTap(c: Connector, tap: Tap): Promise<void> {
    if (tap.kind === 'card') return this.apply({ type: 'choosePayment', connectorId: c.id, method: 'card' });
    // A driver on the decline screen who taps another card pays with it.
    if (phaseOf(c.actor.getSnapshot()) === 'declined') this.send(c, { type: 'OTHER_PAYMENT', at: this.options.clock.now() });
    this.startPayment(c, 'rfid', tap);
  }

  // ── cards held to a reader outside a payment ─────────────────────────────

  private startCardTaps(): void {
    const { terminal } = this.options.devices;
    if (!terminal?.readCard) return;
    this.cardTaps = new CardTaps({
      terminal: terminal as CardTerminal & { readCard: NonNullable<CardTerminal['readCard']> },
      clock: this.options.clock,
      log: this.options.log.child({ part: 'card taps' }),
      wanted: () => this.cardTapsWanted(),
      onTap: (read) => this.onCardTap(read),
    });
    this.unsubscribes.push(terminal.subscribe(() => this.cardTaps?.poke()));
    this.cardTaps.start();
  }

  /** The terminal waits for a tap while nobody is paying at it, and there is something a tap can do. */
  private cardTapsWanted(): boolean {
    if (this.stopped || !this.terminalOnline || this.storageFailure) return false;
    const phases = [...this.connectors.values()].map((c) => phaseOf(c.actor.getSnapshot()));
    if (phases.some((p) => p === 'choosingPayment' || p === 'authorizing' || p === 'declined')) return false;
    if (this.config.payment.tapToStart) return true;
    return [...this.connectors.values()].some((c) => {
      const { session } = c.actor.getSnapshot().context;
      const phase = phaseOf(c.actor.getSnapshot());
      return (phase === 'charging' || phase === 'awaitingVehicle') && session?.authorization?.cardToken != null;
    });
  }

  /** Whether a station card read is a new presentation, not the last one read again (SAME_TAG_MS). */
  private freshTag(uid: string): boolean {
    const at = this.options.clock.now();
    const repeat = this.lastTag?.uid === uid && at - this.lastTag.at < SAME_TAG_MS;
    this.lastTag = { uid, at };
    if (repeat) this.options.log.debug('the same station card read again at once: one presentation');
    return !repeat;
  }

  private onCardTap(read: CardRead): void {
    this.onTap({ kind: 'card', cardToken: read.cardToken });
  }

  /**
   * A card held to a reader: it stops the session it paid for; a station card pays for
   * the flow waiting on the screen; otherwise it starts a session where a car is plugged
   * in (a bank card only with tap to start), or asks which connector, or to plug in first.
   */
  private onTap(tap: Tap): void {
    const { clock, log, store } = this.options;
    const at = clock.now();
    const paidBy = (c: Connector) => {
      const { session } = c.actor.getSnapshot().context;
      return tap.kind === 'card' ? session?.authorization?.cardToken === tap.cardToken : session?.credential?.uid === tap.uid && session.authorization !== null;
    };
    const owner = [...this.connectors.values()].find(paidBy);
    this.cardTap = null;
    this.pendingTap = null;
    if (owner) {
      const session = owner.actor.getSnapshot().context.session!;
      const event: SessionEvent = { type: 'STOP_BY_CARD', at };
      if (owner.actor.getSnapshot().can(event)) {
        owner.actor.send(event);
        store.appendAudit(at, 'driver', 'session.stoppedByCard', { connectorId: owner.id, sessionId: session.id, card: tap.kind });
        log.info({ connectorId: owner.id, sessionId: session.id, card: tap.kind }, 'the card that paid was tapped: session stopped');
      }
      if (this.focus === null || !this.holdsScreen(this.focus)) this.focus = owner.id;
      this.schedulePublish();
      return;
    }
    const notice = (kind: CardTapNotice['kind'], connectorIds: number[] = []): void => {
      this.cardTap = { kind, connectorIds, until: at + 15_000 };
      if (kind === 'chooseConnector') this.pendingTap = tap;
      this.schedulePublish();
    };
    const start = (c: Connector, why: string): void => {
      log.info({ connectorId: c.id, card: tap.kind }, why);
      void this.payWithTap(c, tap)
        .catch((error: unknown) => log.warn({ err: error, connectorId: c.id }, 'a tapped card could not start a payment'))
        .finally(() => this.schedulePublish());
    };
    if (tap.kind === 'rfid' && !this.ways.includes('rfid')) return notice('noSession');
    const focused = this.focus === null ? null : this.connectors.get(this.focus);
    if (tap.kind === 'rfid' && focused) {
      const phase = phaseOf(focused.actor.getSnapshot());
      if (phase === 'choosingPayment' || phase === 'declined') return start(focused, 'a station card pays for the flow on the screen');
      // The card is being checked already (held to the reader twice): nothing more to do.
      if (phase === 'authorizing') return;
    }
    if (tap.kind === 'card' && !this.config.payment.tapToStart) return notice('noSession');
    if (this.focus !== null && this.holdsScreen(this.focus)) return notice('noSession');
    const waiting = [...this.connectors.values()].filter((c) => phaseOf(c.actor.getSnapshot()) === 'available' && c.actor.getSnapshot().context.vehiclePlugged && !this.service.of(c.id));
    if (waiting.length === 0) {
      // No car to start: the card that paid a session that just ended shows its summary (and receipt) again.
      const paidLast = [...this.connectors.values()].find((c) => {
        const proof = this.showableAgain(c, at);
        return proof !== null && (tap.kind === 'card' ? proof.cardToken === tap.cardToken : proof.rfidUid === tap.uid);
      });
      if (paidLast) {
        this.openLastSummary(paidLast);
        this.schedulePublish();
        return;
      }
      return notice('plugInFirst');
    }
    if (waiting.length > 1) return notice('chooseConnector', waiting.map((c) => c.id));
    const [only] = waiting;
    this.focus = only!.id;
    this.summaryOpen = false;
    this.send(only!, { type: 'SELECT', at });
    start(only!, 'tap to start: paying on the connector where a car is plugged in');
  }

  /** A bank-card payment is under way on some connector: the terminal serves one at a time. */
  private anyCardAuthorizing(): boolean {
    return [...this.connectors.values()].some((c) => topState(c.actor.getSnapshot()) === 'authorizing' && c.actor.getSnapshot().context.session?.method === 'card');
  }

  /**
   * The driver's receipt choice. A print runs beside everything else: the command is
   * answered at once ('printing'), and the outcome comes when the printer is done; a print
   * that fails offers the QR code, and the printer's state is read again for the screen.
   */
  private async chooseReceipt(c: Connector, choice: 'print' | 'qr' | 'none'): Promise<void> {
    const summary = c.actor.getSnapshot().context.lastSummary;
    if (!summary) throw new CommandError('rejected', 'noSummary', 'no finished session on this connector');
    if (choice === 'print' && !this.options.devices.printer) throw new CommandError('unavailable', 'notPossibleNow', 'the station has no printer');
    if (choice === 'print' && summary.receipt === 'printing') throw new CommandError('rejected', 'notPossibleNow', 'the receipt is being printed');
    const language = this.preferences.languageOf(c.id);
    if (choice !== 'print') return this.noteReceipt(c, summary.sessionId, await this.receipts.deliver(summary, c.label, choice, { language }));
    this.noteReceipt(c, summary.sessionId, { receipt: 'printing', qr: null });
    void this.receipts
      .deliver(summary, c.label, 'print', { language })
      .then(async (result) => {
        // The driver asked for the QR code while it printed: the screen keeps showing it; the print is journaled.
        const now = c.actor.getSnapshot().context.lastSummary;
        if (now?.sessionId === summary.sessionId && now.receipt === 'qr') this.options.store.journal(summary.sessionId, this.options.clock.now(), `receipt:${result.receipt}`);
        else this.noteReceipt(c, summary.sessionId, result);
        if (result.receipt === 'printFailed') await this.checkPrinter();
      })
      .catch((error: unknown) => this.options.log.error({ err: error, sessionId: summary.sessionId }, 'the receipt outcome could not be noted'))
      .finally(() => this.schedulePublish());
  }

  /** What became of a receipt, on the connector's last summary, in its record and journal. */
  private noteReceipt(c: Connector, sessionId: string, result: { receipt: SessionSummary['receipt']; qr: string | null }): void {
    // A print that ends after the station stopped is offered again at the next start (its outcome unknown).
    if (this.stopped) return;
    const { store, clock } = this.options;
    c.actor.send({ type: 'RECEIPT', at: clock.now(), ...result });
    const updated = c.actor.getSnapshot().context.lastSummary;
    if (updated?.sessionId === sessionId) store.updateSessionSummary(sessionId, updated);
    store.journal(sessionId, clock.now(), `receipt:${result.receipt}`);
  }

  // ── what a technician does (the maintenance menu checks who and audits it) ──

  /** Takes a connector (null: the station) out of service with a note for drivers, or back. A running session goes on. */
  setService(connectorId: number | null, inService: boolean, note: string, who: string): void {
    if (connectorId !== null) this.connector(connectorId);
    const at = this.options.clock.now();
    this.service.set(connectorId, inService ? null : { note, since: at, by: who }, at, who);
    this.options.log.info({ connectorId, inService, note, by: who }, inService ? 'back in service' : 'taken out of service');
    this.schedulePublish();
  }

  /** Ends a running session for a driver who lost both the card and the stop code: charging stops, it settles at unplug. */
  endSession(connectorId: number, reason: string, who: string): void {
    const c = this.connector(connectorId);
    const snapshot = c.actor.getSnapshot();
    const session = snapshot.context.session;
    const event: SessionEvent = { type: 'STOP_BY_CARD', at: this.options.clock.now() };
    if (!session || !snapshot.can(event)) throw new CommandError('rejected', 'notPossibleNow', `no session to end on connector ${connectorId} (${phaseOf(snapshot)})`);
    c.actor.send(event);
    this.options.store.appendAudit(event.at, who, 'session.endedByTechnician', { connectorId, sessionId: session.id, reason });
    this.options.log.warn({ connectorId, sessionId: session.id, by: who, reason }, 'a technician ended the session');
    this.schedulePublish();
  }

  /**
   * Enables an idle charger for at most `ms` (5 s) and puts it back to sleep, checked: only
   * while no vehicle is connected and no session runs, so no car can draw (rule 1 holds). A
   * vehicle plugged in during the test ends it at once.
   */
  async relayTest(connectorId: number, who: string, ms = 5000): Promise<{ enabledMs: number }> {
    const c = this.connector(connectorId);
    const charger = this.options.devices.chargers.get(connectorId)!;
    const { clock, store, log } = this.options;
    const idle = () => phaseOf(c.actor.getSnapshot()) === 'available' && !c.actor.getSnapshot().context.vehiclePlugged && c.actor.getSnapshot().context.session === null;
    if (!idle() || this.relayTests.has(connectorId)) throw new CommandError('rejected', 'notPossibleNow', 'a relay test needs an available connector with no vehicle connected');
    const status = await charger.status();
    if (status.vehicleConnected) throw new CommandError('rejected', 'notPossibleNow', 'a vehicle is connected');
    const startedAt = clock.now();
    store.appendAudit(startedAt, who, 'charger.relayTest', { connectorId, maxMs: ms });
    this.relayTests.add(connectorId);
    let enabledMs = 0;
    try {
      await charger.enable();
      const deadline = startedAt + ms;
      while (clock.now() < deadline) {
        await delay(clock, Math.min(250, deadline - clock.now()));
        const now = await charger.status();
        if (now.vehicleConnected || !idle()) break;
      }
      enabledMs = clock.now() - startedAt;
    } finally {
      this.relayTests.delete(connectorId);
      await charger.sleep();
      const after = await charger.status();
      store.appendAudit(clock.now(), who, 'charger.relayTestDone', { connectorId, enabledMs, asleep: after.mode !== 'enabled' && !after.relayClosed });
      log.info({ connectorId, enabledMs, by: who }, 'relay test done');
    }
    return { enabledMs };
  }

  /** The next station card held to the RFID reader, read and not acted on; null if none comes within `ms`. */
  readNextTag(ms: number): Promise<string | null> {
    if (!this.options.devices.rfid) throw new CommandError('unavailable', 'notPossibleNow', 'the station has no RFID reader');
    if (this.cardRead) throw new CommandError('rejected', 'notPossibleNow', 'already waiting for a card');
    const { clock } = this.options;
    return new Promise((resolve) => {
      const timer = clock.setTimeout(() => finish(null), ms);
      const finish = (uid: string | null) => {
        clock.clearTimeout(timer);
        this.cardRead = null;
        resolve(uid);
      };
      this.cardRead = (uid) => finish(uid);
    });
  }

  /** Loads a technician's tariff for the whole station (null: back to the configuration's). Running sessions keep theirs. */
  loadTariff(loaded: LoadedTariff | null, who: string): void {
    const { store, clock } = this.options;
    if (loaded && loaded.tariff.currency !== this.config.tariff.currency) {
      throw new CommandError('rejected', 'notPossibleNow', `the tariff is in ${loaded.tariff.currency}; this station takes ${this.config.tariff.currency}`);
    }
    store.setSetting(LOADED_TARIFF, loaded, clock.now(), who);
    this.prices.load(loaded?.tariff ?? null);
    this.schedulePublish();
  }

  /** Prints a receipt again (a technician's reprint), through the station's receipt service. */
  /** Prints a finished session's receipt again (the menu's reprint), marked as a copy. */
  reprintReceipt(summary: SessionSummary, connectorLabel: string): ReturnType<ReceiptService['deliver']> {
    return this.receipts.deliver(summary, connectorLabel, 'print', { copy: true });
  }

  /** Where the station's tariff comes from now. */
  loadedTariff(): LoadedTariff | null {
    return (this.options.store.getSetting(LOADED_TARIFF) as LoadedTariff | null | undefined) ?? null;
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

  private schedulePublish(timeMoved = false): void {
    this.current = null;
    if (timeMoved) this.publishTime = true;
    if (this.publishQueued || this.stopped) return;
    this.publishQueued = true;
    queueMicrotask(() => {
      this.publishQueued = false;
      if (this.stopped) return;
      const snapshot = this.snapshot();
      // A command whose change was already published (by the session it moved) is not sent
      // twice: a snapshot that differs from the last only in its number and time is not news,
      // unless the time is the news (the tick: countdowns and running figures count on it).
      const text = JSON.stringify({ ...snapshot, seq: 0, now: 0 });
      const timeMoved = this.publishTime;
      this.publishTime = false;
      if (timeMoved || text !== this.publishedText) {
        this.publishedText = text;
        for (const listener of this.listeners) listener(snapshot);
      }
      // After the screens have it: the write (flushed) never delays a snapshot.
      this.keepScreen();
    });
  }

  /**
   * Keeps which connector's screen is shown and what its drivers chose for it, when they
   * changed (not audited: nothing an operator set).
   */
  private keepScreen(): void {
    if (this.keptFocus === undefined) return;
    const { store, clock, log } = this.options;
    try {
      if (this.focus !== this.keptFocus) {
        store.keepState(SCREEN_FOCUS, this.focus, clock.now());
        this.keptFocus = this.focus;
      }
      const choices = this.preferences.kept();
      const text = JSON.stringify(choices);
      if (text !== this.keptChoices) {
        store.keepState(SCREEN_CHOICES, choices, clock.now());
        this.keptChoices = text;
      }
    } catch (error) {
      // A screen shown after a restart is no money: the storage alarm speaks for the disk.
      log.warn({ err: error }, 'the screen focus could not be kept');
    }
  }

  /** Elapsed time and cost move every second while a session runs, even between meter samples. */
  private tick(): void {
    const { clock } = this.options;
    this.ticker = clock.setTimeout(() => {
      if (this.stopped) return;
      // A session's figures, or a countdown on a waiting screen (the flows that hold the screen).
      const moving = (c: Connector) => c.actor.getSnapshot().context.session?.chargingStartedAt != null || (c.last !== null && HOLDS_SCREEN.has(c.last.phase));
      const expired = this.preferences.expire(this.focus, clock.now());
      if (expired || [...this.connectors.values()].some(moving)) this.schedulePublish(true);
      this.tick();
    }, 1000);
  }

  private build(): Snapshot {
    const { config, clock, devices } = this.options;
    const now = clock.now();
    return {
      seq: ++this.seq,
      now,
      station: {
        id: config.station.id,
        name: config.station.name,
        helpLine: config.station.helpLine,
        locale: config.station.locale,
        timeZone: config.station.timeZone,
        serviceState: this.storageFailure || this.service.station() ? 'outOfService' : 'inService',
        outOfServiceReason: this.storageFailure ? 'storage' : this.service.station() ? 'technician' : null,
        serviceNote: this.service.station()?.note ?? null,
        maintenanceGesture: config.maintenance.gesture,
      },
      alarms: this.alarmBoard.update(this.alarmCandidates(), now),
      tariff: this.prices.view(null, now),
      focus: this.focus,
      screen: { ...this.preferences.of(this.focus), languages: this.languages },
      cardTap: this.cardTap && this.cardTap.until > now ? this.cardTap : null,
      terminal: devices.terminal ? { available: this.terminalOnline, busy: this.terminalBusy || this.anyCardAuthorizing(), prompt: this.terminalPrompt } : null,
      payment: { methods: this.ways },
      rfid: this.diagnostics.rfid ? { available: this.rfidOnline } : null,
      printer: this.diagnostics.printer ? { available: printerCanPrint(this.diagnostics.printer) } : null,
      devices: {
        chargers: [...this.diagnostics.chargers].map(([connectorId, record]) => ({ connectorId, ...record.view() })),
        terminal: this.diagnostics.terminal?.view() ?? null,
        printer: this.diagnostics.printer?.view() ?? null,
        rfid: this.diagnostics.rfid?.view() ?? null,
      },
      connectors: [...this.connectors.values()].map((c) =>
        withService(
          connectorView({ ...c, tariff: this.prices.view(c.id, now), showAgainMs: config.receipts.showAgainS * 1000, countdown: countdownOf(c.actor.getSnapshot(), c.state.since, this.waits) }, c.actor.getSnapshot(), now, this.summaryOpen && this.focus === c.id),
          this.service.of(c.id),
        ),
      ),
      sim: devices.sim?.view() ?? null,
    };
  }

  private alarmCandidates(): AlarmCandidate[] {
    const candidates: AlarmCandidate[] = [];
    if (this.storageFailure) candidates.push({ kind: 'storageFailed', connectorId: null, sessionId: null, detail: this.storageFailure });
    for (const c of this.connectors.values()) {
      const { problem, session } = c.actor.getSnapshot().context;
      const alarm = alarmOfProblem(c.id, session?.id ?? null, problem);
      if (alarm) candidates.push(alarm);
    }
    return candidates;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.options.payments.stop();
    this.cardTaps?.stop();
    if (this.sweeper !== null) this.options.clock.clearTimeout(this.sweeper);
    if (this.ticker !== null) this.options.clock.clearTimeout(this.ticker);
    for (const unsubscribe of this.unsubscribes) unsubscribe();
    for (const c of this.connectors.values()) c.actor.stop();
    this.listeners.clear();
  }
}

/** The setting that holds a tariff a technician loaded. */
const LOADED_TARIFF = 'tariff.loaded';
/** Which connector's flow the screen shows (a connector id, or null for the start screen). */
const SCREEN_FOCUS = 'screen.focus';
/** What the drivers of the flows under way chose for the screen (screen-preferences.ts). */
const SCREEN_CHOICES = 'screen.choices';

export interface LoadedTariff {
  tariff: TariffConfig;
  file: string;
  loadedAt: number;
  by: string;
}

/** A connector a technician took out of service reads so on its tile once it is free; a running session goes on. */
function withService(view: ConnectorView, order: { note: string; since: number; station: boolean } | null): ConnectorView {
  if (!order) return view;
  const service = { note: order.note, since: order.since, station: order.station };
  if (view.phase !== 'available') return { ...view, service };
  return { ...view, service, phase: 'outOfService', problem: order.note, problemKind: 'service' };
}

function fail(code: ErrorCode, message: string, reason?: ErrorReason): CommandResult {
  return { ok: false, error: reason ? { code, reason, message } : { code, message } };
}
