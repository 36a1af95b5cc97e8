// What the screen sees of a connector's machine: its phase as the contract names it,
// and the views of its session. Pure functions of a snapshot and the time.
import type { SnapshotFrom } from 'xstate';
import type { ConnectorPhase, ConnectorType, ConnectorView, Countdown, SessionSummary, SessionView, TariffView } from '../contract/snapshot.js';
import { parkingSOf } from '../billing/receipt.js';
import { sessionCost } from '../billing/tariff.js';
import { accountView, maskedPanOf } from '../payments/authorization.js';
import { usageAt, type ActiveSession, type SessionMachine } from './session-machine.js';

type SessionSnapshot = SnapshotFrom<SessionMachine>;

/** Phases in which a driver is in the middle of a flow on the screen: nobody else may take it. */
export const HOLDS_SCREEN: ReadonlySet<ConnectorPhase> = new Set(['choosingPayment', 'authorizing', 'declined', 'awaitingVehicle', 'summary']);

export const topState = (snapshot: Pick<SessionSnapshot, 'value'>): string =>
  typeof snapshot.value === 'string' ? snapshot.value : Object.keys(snapshot.value)[0]!;

export function phaseOf(snapshot: Pick<SessionSnapshot, 'value' | 'context'>): ConnectorPhase {
  const top = topState(snapshot);
  switch (top) {
    case 'starting':
      return 'starting';
    case 'idle':
      // Available only once the charger has confirmed it is asleep.
      return (snapshot.value as Record<string, string>).idle === 'ready' ? 'available' : 'starting';
    case 'fault':
      return snapshot.context.problem?.kind === 'offline' ? 'outOfService' : 'fault';
    case 'attention':
      return 'outOfService';
    case 'choosingPayment':
    case 'authorizing':
    case 'declined':
    case 'awaitingVehicle':
    case 'charging':
    case 'parked':
    case 'summary':
      return top;
    case 'stopping':
      return 'parked';
    default: // settling, settleRetry, cancelling, cancelRetry
      return 'settling';
  }
}

export function isWarning(snapshot: Pick<SessionSnapshot, 'value'>): boolean {
  const value = snapshot.value as unknown;
  if (typeof value !== 'object' || value === null) return false;
  return Object.values(value as Record<string, unknown>).includes('warning');
}

/** The machine's waits the screen counts down, ms (`timeouts.*`). */
export interface ScreenWaits {
  inactivityReturn: number;
  presentCard: number;
  plugIn: number;
  /** The summary until its warning (the summary's time less the warning's). */
  summary: number;
}

/**
 * The wait on the screen of a connector in state `snapshot`, entered at `since`: the
 * warning's return to the start (choosing payment, declined, waiting for the car), the card
 * to present, the car to plug in, the summary to close.
 */
export function countdownOf(snapshot: Pick<SessionSnapshot, 'value'>, since: number, waits: ScreenWaits): Countdown | null {
  const top = topState(snapshot);
  const warning = isWarning(snapshot);
  switch (top) {
    case 'choosingPayment':
    case 'declined':
      return warning ? { kind: 'inactivity', until: since + waits.inactivityReturn } : null;
    case 'awaitingVehicle':
      return warning ? { kind: 'inactivity', until: since + waits.inactivityReturn } : { kind: 'plugIn', until: since + waits.plugIn };
    case 'authorizing':
      return { kind: 'presentCard', until: since + waits.presentCard };
    case 'summary':
      return warning ? { kind: 'inactivity', until: since + waits.inactivityReturn } : { kind: 'summary', until: since + waits.summary };
    default:
      return null;
  }
}

/** The session as the screen shows it: the cost is the one the settlement will take (rule 2). */
export function sessionView(session: ActiveSession, now: number, inactivityWarning: boolean): SessionView {
  const started = session.chargingStartedAt != null;
  const limitMinor = session.authorization?.limitMinor ?? session.limitMinor;
  const usage = usageAt(session, now);
  const cost = sessionCost(session.tariff, usage);
  return {
    id: session.id,
    method: session.method,
    startedAt: session.chargingStartedAt ?? session.createdAt,
    energyWh: Math.round(usage.energyMwh / 1000),
    powerW: session.chargingStoppedAt == null ? session.powerW : 0,
    elapsedS: started ? Math.max(0, Math.floor(((session.endedAt ?? now) - session.chargingStartedAt!) / 1000)) : 0,
    costMinor: cost.priced.totalMinor,
    currency: session.currency,
    limitMinor,
    maskedPan: maskedPanOf(session.authorization),
    account: accountView(session.authorization),
    parkingCapped: cost.parkingCapped,
    stopCode: session.showStopCode ? session.stopCode : null,
    declineReason: session.declineReason,
    stopReason: session.stopReason,
    inactivityWarning,
  };
}

/**
 * A connector's tile and flow as the screen sees them; `summaryOpen`: its last summary was
 * opened again from its tile (with its proof); `showAgainMs`: how long after a session a
 * summary may be opened again (`receipts.showAgainS`).
 */
export function connectorView(
  c: { id: number; label: string; type: ConnectorType; maxPowerW: number; tariff: TariffView; showAgainMs: number; countdown: Countdown | null },
  snapshot: Pick<SessionSnapshot, 'value' | 'context'>,
  now: number,
  summaryOpen: boolean,
): ConnectorView {
  const { context } = snapshot;
  const phase = phaseOf(snapshot);
  // The summary is the driver's: on the screen only right after the session, or opened again with its proof.
  const shown = phase === 'summary' || (summaryOpen && phase === 'available');
  const until = context.lastSummary && context.lastProof && phase === 'available' ? context.lastSummary.endedAt + c.showAgainMs : null;
  return {
    id: c.id,
    label: c.label,
    type: c.type,
    phase: summaryOpen && phase === 'available' ? 'summary' : phase,
    vehiclePlugged: context.vehiclePlugged,
    maxPowerW: c.maxPowerW,
    problem: context.problem?.detail ?? null,
    problemKind: context.problem?.kind ?? null,
    session: context.session ? sessionView(context.session, now, isWarning(snapshot)) : null,
    countdown: c.countdown,
    tariff: c.tariff,
    lastSummary: shown && context.lastSummary ? summaryView(context.lastSummary) : null,
    lastSummaryUntil: until !== null && until > now ? until : null,
    service: null,
  };
}

/**
 * A summary with the fields an older kiosk's lacks made absent: no account (a bank
 * card's, saved before accounts existed), no receipt number, meter readings, approval
 * code, terminal lines or EVSE id (saved before receipts were numbered).
 */
function summaryView(summary: SessionSummary): SessionSummary {
  return {
    ...summary,
    account: summary.account ?? null,
    receiptNumber: summary.receiptNumber ?? null,
    receiptToken: summary.receiptToken ?? null,
    meterStartWh: summary.meterStartWh ?? null,
    meterStopWh: summary.meterStopWh ?? null,
    parkingS: parkingSOf(summary),
    authCode: summary.authCode ?? null,
    terminalReceipt: summary.terminalReceipt ?? [],
    evseId: summary.evseId ?? null,
  };
}
