// The composition root: builds the devices the configuration names, the store and
// the station, and hands back one object to start and stop. Everything here runs
// in plain Node, so the web host, the tests and (next) the Electron shell share it.
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { systemClock, type Clock } from '../devices/clock.js';
import type { ChargerController } from '../devices/charger/charger-port.js';
import { RapiChargerController } from '../devices/charger/rapi-driver.js';
import { openRapiSerial } from '../devices/charger/rapi-serial.js';
import { RapiEvseSimulator } from '../devices/charger/rapi-simulator.js';
import { SimulatedCharger } from '../devices/charger/simulated-charger.js';
import { createDuplexPair } from '../devices/memory-duplex.js';
import type { ConnectorConfig, KioskConfig } from './config/config-schema.js';
import type { SimCommand, SimRfidCard, SimView, Snapshot } from './contract/index.js';
import { KioskStore } from './store/kiosk-store.js';
import { CardBackend } from './payments/card-backend.js';
import { AccountBackend } from './payments/account-backend.js';
import type { PaymentBackend } from './payments/payment-backend.js';
import { AccountBook } from './accounts/account-book.js';
import { ensureDemoAccounts } from './accounts/demo-accounts.js';
import { createRfidReader } from './rfid-reader.js';
import { createPrinter } from './printer.js';
import { parseUid } from '../devices/rfid/uid.js';
import { Payments } from './payments/payments.js';
import { Station, type SimControls } from './station/station.js';
import { createCardTerminal } from './card-terminal.js';
import { scheduleDaily } from './station/daily-task.js';
import { Maintenance } from './maintenance/maintenance.js';
import { TechnicianBook } from './maintenance/technicians.js';
import { applyRetention } from './store/retention.js';
import type { KioskService } from './host/web-host.js';
import type { ProblemLine } from './log.js';

export interface KioskOptions {
  config: KioskConfig;
  dataDir: string;
  clock: Clock;
  /** Clock of the device links' reply timeouts: bytes take real time even when `clock` runs fast. */
  linkClock?: Clock;
  log: Logger;
  /** The log's recent warnings and errors, for the maintenance menu's log page. */
  recentProblems?: { list(): ProblemLine[] } | null;
  /** False (`--no-sim-panel`): the screens' snapshots carry no simulator panel; the simulated devices and their commands stay. */
  simPanel?: boolean;
}

export interface Kiosk {
  station: Station;
  store: KioskStore;
  maintenance: Maintenance;
  /** What the screens talk to: the driver's commands, the simulator's, the technician's. */
  service: KioskService;
  close(): Promise<void>;
}

/**
 * The station's secret for card tokens (stop by the same card): made once, kept in the
 * store, so a card tapped after a restart still matches the session it paid for.
 */
function cardTokenKeyOf(store: KioskStore, clock: Clock): string {
  return store.secret('cardTokenKey', () => randomBytes(32).toString('hex'), clock.now());
}

export async function createKiosk(options: KioskOptions): Promise<Kiosk> {
  const { config, dataDir, clock, log } = options;
  mkdirSync(dataDir, { recursive: true });
  const store = KioskStore.open(join(dataDir, 'kiosk.sqlite'));
  // Simulated hardware keeps its state beside the database: like real hardware,
  // it goes on existing (open holds, energy delivered) while the kiosk restarts.
  const simDir = join(dataDir, 'sim');
  mkdirSync(simDir, { recursive: true });

  const simChargers = new Map<number, SimulatedCharger>();
  const chargers = new Map<number, ChargerController>();
  const closers: (() => Promise<void>)[] = [];
  const linkClock = options.linkClock ?? systemClock;
  const chargerOptions = (c: ConnectorConfig) => ({
    phases: c.phases,
    voltageV: c.voltageV,
    sampleIntervalMs: config.charging.sampleIntervalMs,
    log: log.child({ device: 'charger', connectorId: c.id }),
  });
  await Promise.all(
    config.connectors.map(async (c) => {
      if (c.charger.kind === 'rapi') {
        // May come up offline (the connector is then out of service) and connect later.
        const charger = await openRapiSerial({ path: c.charger.path, baudRate: c.charger.baudRate, clock, linkClock, log: log.child({ device: 'charger', connectorId: c.id }), controller: chargerOptions(c) });
        chargers.set(c.id, charger);
        closers.push(() => charger.close());
        return;
      }
      // Sim mode runs the real RAPI driver against a simulated controller speaking the
      // same wire protocol, so the driver code always runs.
      const model = new SimulatedCharger({
        clock,
        stateFile: join(simDir, `charger-${c.id}.json`),
        maxCurrentA: c.maxCurrentA,
        voltageV: c.voltageV,
        phases: c.phases,
        vehicleMaxCurrentA: c.charger.vehicleMaxCurrentA,
        vehicleCapacityWh: c.charger.vehicleCapacityWh,
        sampleIntervalMs: config.charging.sampleIntervalMs,
        stopDelayMs: config.charging.stopDelayS * 1000,
      });
      const [driverEnd, simulatorEnd] = createDuplexPair();
      // Its log of received frames is for tests; kept here it would only hold memory (a
      // thousand decoded frames per connector).
      const simulator = new RapiEvseSimulator({ model, clock, stream: simulatorEnd, phases: c.phases, firmware: c.charger.firmware, keepReceived: 0 });
      const charger = new RapiChargerController({ ...chargerOptions(c), clock, linkClock, stream: driverEnd });
      simChargers.set(c.id, model);
      chargers.set(c.id, charger);
      closers.push(async () => {
        await charger.close();
        await simulator.close();
        await model.close();
      });
    }),
  );
  const cardTerminal = await createCardTerminal({ config, simDir, clock, linkClock, log, cardTokenKey: cardTokenKeyOf(store, clock) });
  const terminal = cardTerminal.terminal;
  const printerSetup = await createPrinter({ config: config.devices.printer, simDir, clock, linkClock, log: log.child({ device: 'printer' }) });
  const { printer } = printerSetup;
  // What the simulator panel set of the simulated printer's paper and cover (it keeps them in memory, like a real one).
  const simPrinter: { paper: 'ok' | 'low' | 'out'; coverOpen: boolean } = { paper: 'ok', coverOpen: false };
  const rfid = await createRfidReader({ config: config.devices.rfid, clock, linkClock, log: log.child({ device: 'rfid' }) });
  // The station's RFID accounts live in the store: the accounts tool changes them while the kiosk runs.
  const accounts = new AccountBook(store);
  // Sim mode comes with demo cards to tap in the simulator panel (made once, never topped up again).
  const demoCards = rfid.sim ? ensureDemoAccounts(accounts, clock.now(), config.tariff.currency) : [];
  // Read again only when the accounts may have changed (the panel is in every snapshot).
  const demoCardViews = demoCardViewsOf(store, accounts, demoCards.map(({ uid }) => uid));
  const anySimulated = simChargers.size > 0 || cardTerminal.sim !== null || printerSetup.sim !== null || rfid.sim !== null;

  // The simulator panel and /api/sim exist only for simulated devices.
  const sim: SimControls | null = !anySimulated ? null : {
    view: (): SimView => ({
      chargers: simChargers.size === 0 ? null : [...simChargers.entries()].map(([connectorId, charger]) => {
        const state = charger.simState();
        return { connectorId, plugged: state.plugged, fault: state.fault, charging: state.charging };
      }),
      terminal: cardTerminal.sim?.view() ?? null,
      printer: printerSetup.sim ? { ...printerSetup.sim.simState(), ...simPrinter } : null,
      rfid: rfid.sim ? { cards: demoCardViews() } : null,
    }),
    apply: async (command: SimCommand) => {
      if (command.type === 'cardOutcome') {
        if (!cardTerminal.sim) throw new Error('the station has no simulated card terminal');
        return cardTerminal.sim.setOutcome(command.outcome);
      }
      if (command.type === 'printer') {
        if (!printerSetup.sim) throw new Error('the station has no simulated printer');
        if (command.paper !== undefined) printerSetup.sim.simPaper((simPrinter.paper = command.paper));
        if (command.coverOpen !== undefined) printerSetup.sim.simCover((simPrinter.coverOpen = command.coverOpen));
        // The station reads the printer's state again at once, as a technician's check would.
        return station.checkPrinterNow();
      }
      if (command.type === 'tag') {
        if (!rfid.sim) throw new Error('the station has no simulated RFID reader');
        return rfid.sim.tap(parseUid(command.uid).uid);
      }
      if (command.type === 'tapCard') {
        if (!cardTerminal.sim) throw new Error('the station has no simulated card terminal');
        return cardTerminal.sim.tapCard(command.card);
      }
      const charger = simChargers.get(command.connectorId);
      if (!charger) throw new Error(`connector ${command.connectorId} has no simulated charger`);
      if (command.type === 'plug') charger.simPlug(command.plugged);
      else if (command.type === 'fault') charger.simFault(command.fault);
      else if (command.type === 'reboot') charger.reset();
      else charger.simVehicleFull();
    },
  };

  // The brain owns the payments: one backend per way to pay, one journal for all.
  const backends: PaymentBackend[] = terminal ? [new CardBackend(terminal)] : [];
  if (rfid.reader) backends.push(new AccountBackend({ book: accounts, method: 'prepaid', clock }), new AccountBackend({ book: accounts, method: 'account', clock }));
  const payments = new Payments({ store, backends, clock, log: log.child({ part: 'payments' }) });
  const station = new Station({
    config,
    store,
    payments,
    clock,
    log,
    devices: {
      chargers,
      terminal,
      terminalAddress: cardTerminal.address,
      printer,
      printerAddress: printerSetup.address,
      rfid: rfid.reader
        ? {
            reader: rfid.reader,
            address: rfid.address,
            // A USB reader names itself once it is found: read when asked.
            get firmware() {
              return rfid.firmware;
            },
          }
        : null,
      sim,
    },
    accounts: rfid.reader ? { methodOfTag: (tag) => accounts.accountOfTag(tag)?.account.type ?? null } : null,
  });
  await station.start();

  // The card terminal's end of day (06 50) submits the day's bookings to the host.
  const terminalConfig = config.devices.terminal;
  const endOfDayAt = terminalConfig.kind === 'none' ? null : terminalConfig.endOfDay;
  const zvt = cardTerminal.zvt;
  const cancelEndOfDay =
    zvt && endOfDayAt
      ? scheduleDaily({
          clock,
          timeZone: config.station.timeZone,
          time: endOfDayAt,
          run: async () => {
            const result = await zvt.endOfDay();
            store.appendAudit(clock.now(), 'kiosk', 'terminal.endOfDay', { totalMinor: result.totalMinor, receiptLines: result.receipt.length });
            log.info({ totalMinor: result.totalMinor }, 'card terminal end of day done');
          },
          onError: (error, willRetry) => {
            store.appendAudit(clock.now(), 'kiosk', 'terminal.endOfDayFailed', { error: error instanceof Error ? error.message : String(error), willRetry });
            log.error({ err: error, willRetry }, 'card terminal end of day failed');
          },
        })
      : () => {};

  const maintenance = new Maintenance({
    config,
    dataDir,
    store,
    station,
    payments,
    accounts: rfid.reader ? accounts : null,
    printer,
    endOfDay: zvt ? () => zvt.endOfDay() : null,
    recent: options.recentProblems ?? null,
    technicians: new TechnicianBook(store),
    clock,
    log: log.child({ part: 'maintenance' }),
  });

  // Money records are kept `retention.years`, card tokens `retention.cardTokenDays` after their session: pruned nightly.
  const cancelRetention = scheduleDaily({
    clock,
    timeZone: config.station.timeZone,
    time: '03:30',
    run: async () => {
      const report = applyRetention(store, { years: config.retention.years, cardTokenDays: config.retention.cardTokenDays, now: clock.now() });
      log.info(report, 'retention applied');
    },
    onError: (error, willRetry) => log.error({ err: error, willRetry }, 'retention could not be applied'),
  });

  // Without the panel the screens see no simulated device (sim commands still work, for scripts and tests).
  const shown = options.simPanel === false ? (snapshot: Snapshot): Snapshot => ({ ...snapshot, sim: null }) : (snapshot: Snapshot) => snapshot;
  const service: KioskService = {
    handle: (command) => station.handle(command),
    handleSim: (command) => station.handleSim(command),
    handleTech: (request, connection) => maintenance.handle(request, connection),
    connectionClosed: (connection) => maintenance.connectionClosed(connection),
    snapshot: () => shown(station.snapshot()),
    subscribe: (listener) => station.subscribe((snapshot) => listener(shown(snapshot))),
  };

  return {
    station,
    store,
    maintenance,
    service,
    close: async () => {
      cancelEndOfDay();
      cancelRetention();
      await station.stop();
      await Promise.allSettled(closers.map((close) => close()));
      await Promise.allSettled([cardTerminal.close(), printerSetup.close(), rfid.close()]);
      store.close();
    },
  };
}

/**
 * The demo cards as the simulator panel shows them, read from the accounts (3 reads a
 * card) only when they may have changed since the last read: a ledger entry or an audit
 * entry of this process (every change of an account, a card or a balance writes one), or
 * a commit of another connection to the file (the accounts tool: `PRAGMA data_version`).
 * Otherwise the same array as before.
 */
export function demoCardViewsOf(store: KioskStore, accounts: AccountBook, uids: string[]): () => SimRfidCard[] {
  if (uids.length === 0) return () => [];
  const sql = store.sql();
  let seen: string | null = null;
  let cards: SimRfidCard[] = [];
  return () => {
    const own = sql.get('SELECT (SELECT max(id) FROM account_ledger) AS ledger, (SELECT max(rowid) FROM audit_log) AS audit');
    const others = sql.get('PRAGMA data_version');
    const key = `${String(own?.ledger)}:${String(own?.audit)}:${String(others?.data_version)}`;
    if (key !== seen) {
      cards = uids.map((uid) => simCardView(accounts, uid));
      seen = key;
    }
    return cards;
  };
}

/** A demo card as the simulator panel shows it: what the accounts make of it now. */
function simCardView(accounts: AccountBook, uid: string): SimRfidCard {
  const found = accounts.accountOfTag(uid);
  if (!found) return { uid, account: null, type: null, blocked: false, balanceMinor: null };
  const { account } = found;
  return { uid, account: account.name, type: account.type, blocked: account.blocked, balanceMinor: account.type === 'prepaid' ? accounts.balance(account.id) : null };
}
