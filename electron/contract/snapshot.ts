// The snapshot the brain publishes: plain serialisable data, everything the screen
// shows. The renderer keeps no business state of its own; after a reload it shows
// the same screen again from the next snapshot.

/** Where a connector's session machine is, as the screen sees it. */
export type ConnectorPhase =
  | 'starting' // reconciling with the devices after start-up
  | 'available'
  | 'choosingPayment'
  | 'authorizing'
  | 'declined'
  | 'awaitingVehicle'
  | 'charging'
  | 'parked' // charging stopped, still plugged in
  | 'settling' // unplugged, the final amount is being taken
  | 'summary'
  | 'outOfService'
  | 'fault';

import type { CardOutcome } from './commands.js';
import type { Language } from './languages.js';

/**
 * Why a card payment did not go through, as the decline screen words it (one message
 * each, `declined.reason.<reason>`): 'cardExpired'; 'pinRequired' (contactless over the
 * PIN limit: the card must be inserted); 'cancelled' (the driver or the kiosk aborted);
 * 'busy' (the terminal refused the request as busy); 'unavailable' (the terminal could
 * not serve: offline, not registered, host down); for station RFID cards 'unknownCard',
 * 'cardBlocked' and 'noCredit' (the prepaid balance is below `payment.minBalanceMinor`).
 */
export const DECLINE_REASONS = [
  'declined',
  'insufficientFunds',
  'cardExpired',
  'pinRequired',
  'timeout',
  'cancelled',
  'busy',
  'unavailable',
  'error',
  // station RFID cards: a card no account knows, an account blocked, a prepaid balance below the least a session needs
  'unknownCard',
  'cardBlocked',
  'noCredit',
] as const;
export type DeclineReason = (typeof DECLINE_REASONS)[number];

/**
 * What the card terminal asks of the cardholder now, shown on the authorizing screen
 * (`authorizing.prompt.<prompt>`): present the card, enter the PIN, wait while it
 * processes, remove the card.
 */
export const TERMINAL_PROMPTS = ['presentCard', 'enterPin', 'processing', 'removeCard'] as const;
export type TerminalPrompt = (typeof TERMINAL_PROMPTS)[number];

export type StopReason = 'driver' | 'vehicle' | 'holdLimit' | 'unplugged' | 'fault' | 'deviceLost' | 'restart' | 'maxDuration';

/** How a session is paid: bank card (a hold), prepaid account (a balance reservation), on-account card, remote (the operator's app). */
export type PaymentMethod = 'card' | 'prepaid' | 'account' | 'remote';

/** A price as the driver reads it, VAT included, in major units as an exact decimal string ("0.3450"). */
export interface PriceLine {
  kind: 'energy' | 'time' | 'parking' | 'flat';
  /** Price incl. VAT per unit, exact decimal in major units, to the precision the operator set (a session fee as charged). */
  price: string;
  unit: 'kWh' | 'minute' | 'hour' | 'session';
}

/** A price that will change during a typical session started now: from a time of day, after a duration or an amount of energy. */
export interface PriceChange extends PriceLine {
  /** Local time of day ("22:00") from which the price applies, in the station's time zone. */
  fromTime: string | null;
  /** Minutes into the session after which it applies. */
  afterMinutes: number | null;
  /** Energy into the session (kWh, exact decimal) after which it applies. */
  afterKwh: string | null;
  /** 0 when the price stops applying and nothing replaces it (free from then on). */
  free: boolean;
}

export interface TariffView {
  currency: string;
  /** The VAT rate in the prices (the energy price's), as a decimal string ("19"). */
  vatPercent: string;
  /** What applies now, per kWh, per minute (or hour), per session, idle fee. */
  lines: PriceLine[];
  /** How the prices change during a typical session started now, in order. */
  changes: PriceChange[];
  /** A session costs at least / at most this much incl. VAT, minor units (when it delivered energy). */
  minPriceMinor: number | null;
  maxPriceMinor: number | null;
  /** Amount held on the card before charging, minor units. */
  holdMinor: number;
}

/** One line of a priced session: a dimension at one unit price and VAT rate, rounded once. */
export interface CostLine {
  /** minPrice and maxPrice bring the total to the tariff's bounds. */
  kind: 'energy' | 'time' | 'parking' | 'flat' | 'minPrice' | 'maxPrice';
  /** Quantity billed, step sizes applied: Wh for energy, seconds for time and parking, 1 for flat and the bounds. */
  quantity: number;
  unit: 'kWh' | 'hour' | 'session';
  /** Gross price per `unit`, exact decimal in major units ('' for the bounds). */
  unitPrice: string;
  /** VAT rate of the line, decimal string; null: no VAT applies. */
  vatPercent: string | null;
  /** Incl. VAT, minor units. The lines add up to the total. */
  amountMinor: number;
  netMinor: number;
  vatMinor: number;
}

/** Net, VAT and gross of one VAT rate, summed over the lines. */
export interface VatRateTotal {
  vatPercent: string | null;
  netMinor: number;
  vatMinor: number;
  grossMinor: number;
}

/** The station account an RFID card pays with, as the driver may see it. */
export interface AccountView {
  /** The account's display name. */
  name: string;
  type: 'prepaid' | 'account';
  /**
   * Prepaid: the balance, minor units, in the session's currency. In a running session the
   * balance before it (its limit is what is reserved of it); in a summary the new balance.
   * Null for an on-account card (billed later).
   */
  balanceMinor: number | null;
}

export interface SessionView {
  id: string;
  method: PaymentMethod;
  startedAt: number;
  energyWh: number;
  powerW: number;
  /** Seconds since charging first started (0 before). */
  elapsedS: number;
  costMinor: number;
  /** The currency of its amounts (its tariff's). */
  currency: string;
  /** The most the session may cost: the card hold, the balance reserved, the account's cap. */
  limitMinor: number;
  maskedPan: string | null;
  /** The station account it is paid from (RFID card); null for a bank card. */
  account: AccountView | null;
  /** The cost reached the limit while parked: the parking fee has stopped growing. */
  parkingCapped: boolean;
  /** The 4-digit stop code, present only while the driver is being shown it. */
  stopCode: string | null;
  declineReason: DeclineReason | null;
  stopReason: StopReason | null;
  /** The inactivity warning is up: the flow returns to the start unless the driver asks for more time. */
  inactivityWarning: boolean;
}

export interface SessionSummary {
  sessionId: string;
  method: PaymentMethod;
  maskedPan: string | null;
  startedAt: number;
  endedAt: number;
  energyWh: number;
  durationS: number;
  chargingS: number;
  /** The currency of every amount in the summary (the session's tariff's). */
  currency: string;
  /** Priced cost, incl. VAT: the sum of the lines. */
  costMinor: number;
  netMinor: number;
  vatMinor: number;
  vatRates: VatRateTotal[];
  /** What was taken from the card (or charged to the account). */
  capturedMinor: number;
  /** The station account it was paid from, with its balance after the session; null for a bank card. */
  account: AccountView | null;
  /** Priced cost above what could be taken (capped at the hold), written off. */
  writtenOffMinor: number;
  /** Nothing was delivered, so nothing was taken: the authorisation was released in full. */
  noCharge: boolean;
  /** The parking fee stopped growing when the cost reached the authorisation's limit. */
  parkingCapped: boolean;
  lines: CostLine[];
  stopReason: StopReason | null;
  /** The driver's last receipt choice: 'printing' while the printer works (nothing waits for it), then 'printed' or 'printFailed'. */
  receipt: 'pending' | 'printing' | 'printed' | 'qr' | 'none' | 'printFailed';
  /** Text encoded in the receipt QR code, once the driver asked for it. */
  receiptQr: string | null;
  // Receipt content, from the kiosk that numbers receipts on. Optional: summaries saved
  // by older kiosks lack them, and whatever reads a summary treats a missing one as absent.
  /** The receipt number, sequential per station from 1 (KioskStore's receipts); null: none issued. */
  receiptNumber?: number | null;
  /** The receipt's secret in its e-receipt address (`receipts.urlTemplate`'s {token}); never printed as text. */
  receiptToken?: string | null;
  /** The charger's meter at the start and at the end of the session, Wh; null when it gave none. */
  meterStartWh?: number | null;
  meterStopWh?: number | null;
  /** Seconds plugged in but not charging (parked), between the start of charging and the end. */
  parkingS?: number;
  /** The card terminal's approval code (bank card); null when it gave none. */
  authCode?: string | null;
  /** The card terminal's own receipt lines, as it sent them ([] when none). */
  terminalReceipt?: string[];
  /** The EVSE id of the connector (`connectors[].evseId`); null when not configured. */
  evseId?: string | null;
}

/** The plug a connector has (`connectors[].type`). */
export type ConnectorType = 'type2' | 'ccs2' | 'chademo' | 'type2-cable';

/**
 * A screen that waits for the driver ends at `until` (brain time, as `Snapshot.now`): the
 * inactivity warning returns to the start, the card must be presented, the car plugged in,
 * the summary closes.
 */
export interface Countdown {
  kind: 'inactivity' | 'presentCard' | 'plugIn' | 'summary';
  until: number;
}

export interface ConnectorView {
  id: number;
  label: string;
  type: ConnectorType;
  phase: ConnectorPhase;
  vehiclePlugged: boolean;
  maxPowerW: number;
  /** Why the connector cannot be used, when out of service or in fault. */
  problem: string | null;
  /** What kind of problem: the charger reports a fault, cannot be reached, a payment could not be settled, the saved state needs a technician, or a technician took it out of service. */
  problemKind: 'fault' | 'offline' | 'payment' | 'attention' | 'service' | null;
  session: SessionView | null;
  /** The time the screen of this connector's flow waits for the driver; kind 'inactivity': the warning with More time is up. Null: no wait. */
  countdown: Countdown | null;
  /** The prices of this connector now (its own tariff, or the station's). */
  tariff: TariffView;
  /**
   * The connector's last finished session: while its summary is on the screen (after the
   * session, or opened again with its proof), else null: it is nobody else's to see.
   */
  lastSummary: SessionSummary | null;
  /** Until when the last session's summary can be opened again from the tile (with its stop code or card), brain clock ms; null: it cannot. */
  lastSummaryUntil: number | null;
  /**
   * A technician took this connector (or the station) out of service, with this note for
   * drivers. A session running when it happened goes on; no new one starts. Null: in service.
   */
  service: { note: string; since: number; station: boolean } | null;
}

/** A press held on one corner of the screen, then taps on another (`maintenance.gesture`). */
export interface MaintenanceGesture {
  holdCorner: ScreenCorner;
  holdS: number;
  tapCorner: ScreenCorner;
  taps: number;
  /** The taps must all come within this long after the press is let go, s. */
  withinS: number;
}

export type ScreenCorner = 'top-left' | 'top-right' | 'bottom-left' | 'bottom-right';

export interface SimView {
  chargers: { connectorId: number; plugged: boolean; fault: boolean; charging: boolean }[] | null;
  /** The simulated card terminal: what it does next, the holds it has open, and what it simulates. */
  terminal: { nextOutcome: CardOutcome; openHolds: number; protocol: 'zvt' | 'generic' } | null;
  /** The simulated printer: receipts printed, the last one as the simulator decoded it (text, QR payload), its paper and cover. */
  printer: { printed: number; lastReceipt: string | null; lastQr?: string; paper: 'ok' | 'low' | 'out'; coverOpen: boolean } | null;
  /** The simulated RFID reader, and the demo cards the panel offers to tap (any UID can be tapped too). */
  rfid: { cards: SimRfidCard[] } | null;
}

/** A card the simulator panel offers, with what the station's accounts make of it now. */
export interface SimRfidCard {
  uid: string;
  /** The account's name; null for a card no account knows. */
  account: string | null;
  type: 'prepaid' | 'account' | null;
  blocked: boolean;
  /** Prepaid balance, minor units (null for on-account and unknown cards). */
  balanceMinor: number | null;
}

/** One device as a technician checks it: the same shape for every device, real or simulated. */
export interface DeviceDiagnostics {
  /** What the configuration names: 'rapi', 'simulated', 'zvt', … */
  kind: string;
  online: boolean;
  /** Where it is reached: a serial path, a host:port, 'memory' for an in-process simulator. */
  port: string | null;
  firmware: string | null;
  /** When the device last said anything, brain clock ms. */
  lastMessageAt: number | null;
  /** Times it failed or went away since start-up. */
  errorCount: number;
  lastError: string | null;
  /** What is particular to the kind: a controller's mode, relay, protocol version and backstop; a printer's paper. */
  details: Record<string, string | number | boolean | null>;
}

export interface DevicesView {
  /** The charger controller of each connector. */
  chargers: (DeviceDiagnostics & { connectorId: number })[];
  terminal: DeviceDiagnostics | null;
  printer: DeviceDiagnostics | null;
  rfid: DeviceDiagnostics | null;
}

/**
 * A card held to the terminal that neither stopped a session nor started one at once:
 * 'plugInFirst' (tap to start, and no car is plugged in), 'chooseConnector' (cars are
 * plugged in at several: the driver picks one, and pays on it), 'noSession' (no session
 * here was paid with that card). Shown until `until`.
 */
export interface CardTapNotice {
  kind: 'plugInFirst' | 'chooseConnector' | 'noSession';
  connectorIds: number[];
  until: number;
}

export interface Snapshot {
  /** Increases with every snapshot the brain publishes. */
  seq: number;
  /** The brain's clock, ms since the epoch. */
  now: number;
  station: {
    id: string;
    name: string;
    helpLine: string;
    locale: string;
    /** The IANA time zone of the station's wall clock (tariff times of day, receipts). */
    timeZone: string;
    serviceState: 'inService' | 'outOfService';
    /** Why the station is out of service: its storage failed (disk full, I/O error), or a technician took it out. */
    outOfServiceReason: 'storage' | 'technician' | null;
    /** What the technician who took the station out of service wants drivers to read; null otherwise. */
    serviceNote: string | null;
    /** The hidden gesture that opens the technician's PIN pad (`maintenance.gesture`). */
    maintenanceGesture: MaintenanceGesture;
  };
  /** What a technician must know about: payments that could not be settled, states that could not be read, storage failures. */
  alarms: Alarm[];
  /** The station's prices now (each connector has its own in `connectors[].tariff`). */
  tariff: TariffView;
  /** The connector whose flow holds the screen, or null for the start screen. */
  focus: number | null;
  /**
   * What the driver on the screen chose for it: the language (the station's own until a
   * driver picks another; back to it when the flow ends) and the high-contrast, large-text
   * mode; `languages`: what the language button offers, the station's own first.
   */
  screen: { language: Language; languages: Language[]; highContrast: boolean };
  /** What the kiosk made of the last card held to the terminal outside a payment, while the screen should say so. */
  cardTap: CardTapNotice | null;
  /**
   * The card terminal; null when the station has none (`devices.terminal.kind: none`): the screen offers no card payment.
   * `prompt`: what the terminal last asked of the cardholder (its intermediate status), null when it asks nothing.
   */
  terminal: { available: boolean; busy: boolean; prompt: TerminalPrompt | null } | null;
  /** The ways to pay the screen offers now (`payment.methods` of the devices the station has), in order. */
  payment: { methods: ('card' | 'rfid')[] };
  /** The RFID reader; null when the station has none. */
  rfid: { available: boolean } | null;
  /** The receipt printer; null when the station has none: the screen offers no printed receipt. */
  printer: { available: boolean } | null;
  /** How each device is, for the maintenance menu and scripts. */
  devices: DevicesView;
  connectors: ConnectorView[];
  /** Controls of the simulated devices, absent when no device is simulated. */
  sim: SimView | null;
}

export interface Alarm {
  kind: 'settlementFailing' | 'stateUnreadable' | 'storageFailed' | 'chargerWillNotStop';
  connectorId: number | null;
  sessionId: string | null;
  detail: string;
  since: number;
}
