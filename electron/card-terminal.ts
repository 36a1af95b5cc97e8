// Builds the card terminal the configuration names: a ZVT terminal on a serial port or
// on the network, or in sim mode the same ZVT driver against the ZVT terminal simulator
// through an in-memory serial link (or, `protocol: generic`, the generic simulated
// terminal). The simulated terminals keep their state beside the database: like a real
// terminal, they outlive a kiosk restart.
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Clock } from '../devices/clock.js';
import type { CardTerminal } from '../devices/payment/card-terminal-port.js';
import { SimulatedCardTerminal } from '../devices/payment/simulated-card-terminal.js';
import { createApduChannelPair } from '../devices/payment/zvt/memory-channel.js';
import { ZvtCardTerminal } from '../devices/payment/zvt/zvt-card-terminal.js';
import { openZvtSerial, openZvtTcp } from '../devices/payment/zvt/zvt-link.js';
import { DEFAULT_SIM_CARD, SECOND_SIM_CARD, ZvtTerminalSimulator, type ZvtSimCard } from '../devices/payment/zvt/zvt-simulator.js';
import type { KioskConfig } from './config/config-schema.js';
import type { CardOutcome, SimView } from './contract/index.js';

export interface CardTerminalSetup {
  terminal: CardTerminal | null;
  /** The ZVT driver, for the end of day; null for other terminals. */
  zvt: ZvtCardTerminal | null;
  /** Where the terminal is, for the diagnostics: a serial path, host:port, or 'memory'. */
  address: string;
  /** The simulator panel's controls; null when the terminal is real (or absent). */
  sim: { view(): NonNullable<SimView['terminal']>; setOutcome(outcome: CardOutcome): void; tapCard(card: SimCard): void } | null;
  close(): Promise<void>;
}

export interface CardTerminalOptions {
  config: KioskConfig;
  simDir: string;
  clock: Clock;
  /** Link timers: real time even when `clock` runs fast. */
  linkClock: Clock;
  log: Logger;
  /** The station's secret for card tokens (ZVT), the same on every start. */
  cardTokenKey: string;
}

export type SimCard = 'first' | 'second';

/** The simulated terminal's cards: the first is its default one; only what a terminal shows of a card. */
const SIM_CARDS: Record<SimCard, ZvtSimCard> = {
  first: DEFAULT_SIM_CARD,
  second: SECOND_SIM_CARD,
};

const GENERIC_OUTCOMES: ReadonlySet<CardOutcome> = new Set(['approve', 'decline', 'insufficientFunds', 'timeout']);

/** File name of the ZVT simulator's record in the sim folder (the chaos harness reads it). */
export const ZVT_SIM_STATE_FILE = 'zvt-terminal.json';

export async function createCardTerminal(options: CardTerminalOptions): Promise<CardTerminalSetup> {
  const { config, simDir, clock, linkClock, log } = options;
  const terminalConfig = config.devices.terminal;
  const presentCardMs = config.timeouts.presentCardS * 1000;
  const driverOptions = {
    clock,
    linkClock,
    currency: config.tariff.currency,
    log: log.child({ device: 'card terminal' }),
    // The terminal's own card timeout comes first; this is for PIN and host after it.
    reservationTimeoutMs: presentCardMs + 60_000,
    cardTokenKey: options.cardTokenKey,
  };

  if (terminalConfig.kind === 'none') return { terminal: null, zvt: null, address: 'none', sim: null, close: async () => {} };

  if (terminalConfig.kind === 'zvt') {
    const zvt = new ZvtCardTerminal({ ...driverOptions, password: terminalConfig.password, host: terminalConfig.hostProfile });
    const link = terminalConfig.path
      ? await openZvtSerial({ terminal: zvt, clock: linkClock, log: driverOptions.log, path: terminalConfig.path, baudRate: terminalConfig.baudRate })
      : await openZvtTcp({ terminal: zvt, clock: linkClock, log: driverOptions.log, host: terminalConfig.host!, port: terminalConfig.port });
    return {
      terminal: zvt,
      zvt,
      address: link.address,
      sim: null,
      close: async () => {
        await zvt.close();
        await link.close();
      },
    };
  }

  if (terminalConfig.protocol === 'generic') {
    const generic = new SimulatedCardTerminal({
      clock,
      stateFile: join(simDir, 'terminal.json'),
      approvalDelayMs: terminalConfig.approvalDelayMs,
      latencyMs: terminalConfig.latencyMs,
      presentCardTimeoutMs: presentCardMs,
    });
    return {
      terminal: generic,
      zvt: null,
      address: 'memory',
      sim: {
        view: () => ({ ...generic.simSummary(), protocol: 'generic' }),
        setOutcome: (outcome) => {
          if (!GENERIC_OUTCOMES.has(outcome)) throw new Error(`the generic simulated terminal cannot play '${outcome}'`);
          generic.simSetNextOutcome(outcome as 'approve' | 'decline' | 'insufficientFunds' | 'timeout');
        },
        tapCard: () => {
          throw new Error('the generic simulated terminal cannot read a card outside a payment');
        },
      },
      close: () => generic.close(),
    };
  }

  // Sim mode: the real driver, through the real serial link layer, against the simulator.
  const [ecrEnd, terminalEnd] = createApduChannelPair({ framed: true, clock: linkClock });
  const simulator = new ZvtTerminalSimulator({
    channel: terminalEnd,
    clock,
    stateFile: join(simDir, ZVT_SIM_STATE_FILE),
    password: terminalConfig.password,
    cardDelayMs: Math.round((terminalConfig.approvalDelayMs * 2) / 3),
    hostDelayMs: Math.round(terminalConfig.approvalDelayMs / 3),
    latencyMs: terminalConfig.latencyMs,
    cardTimeoutMs: presentCardMs,
  });
  const zvt = new ZvtCardTerminal({ ...driverOptions, password: terminalConfig.password });
  await zvt.attach(ecrEnd).catch((error: unknown) => log.error({ err: error }, 'the simulated ZVT terminal did not register'));
  return {
    terminal: zvt,
    zvt,
    address: 'memory',
    sim: {
      view: () => {
        const view = simulator.view();
        return { nextOutcome: view.behaviour.kind, openHolds: view.openReservations, protocol: 'zvt' };
      },
      setOutcome: (outcome) => simulator.setBehaviour(outcome),
      tapCard: (card) => {
        simulator.setCard(SIM_CARDS[card]);
        simulator.tap();
      },
    },
    close: async () => {
      await zvt.close();
      await simulator.close();
      await terminalEnd.close();
    },
  };
}
