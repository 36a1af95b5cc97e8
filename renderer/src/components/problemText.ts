import type { TFunction } from 'i18next';
import type { ConnectorView } from '../../../electron/contract/index.js';

/** The faults a controller reports (`ChargerStatus.fault`) that the catalogue words for drivers. */
const WORDED_FAULTS = ['gfci', 'noGround', 'stuckRelay', 'relayClosure', 'diodeCheck', 'gfiSelfTest', 'overTemperature', 'overCurrent'] as const;
type WordedFault = (typeof WORDED_FAULTS)[number];
const worded = (fault: string | null): fault is WordedFault => fault !== null && (WORDED_FAULTS as readonly string[]).includes(fault);

/**
 * What the driver reads about a connector's problem, always in the catalogue's words: a
 * charger fault by its kind, a charger that does not answer, a payment that cannot be
 * settled, a saved state that needs a technician. The detail (a fault code, an error
 * message) is for technicians and never reaches the screen.
 */
export function problemText(t: TFunction, connector: Pick<ConnectorView, 'problem' | 'problemKind'>): string | null {
  switch (connector.problemKind) {
    case 'payment':
    case 'attention':
      return t(`connector.problem.${connector.problemKind}`);
    case 'fault':
      return worded(connector.problem) ? t(`connector.fault.${connector.problem}`) : t('connector.fault.unknown');
    case 'offline':
      return t('connector.fault.offline');
    default:
      return connector.problem;
  }
}

/** The session stopped because the charger faulted or could not be reached, and the car is still plugged in. */
export function stoppedByFault(connector: Pick<ConnectorView, 'phase' | 'session'>): boolean {
  const reason = connector.session?.stopReason;
  return connector.phase === 'parked' && (reason === 'fault' || reason === 'deviceLost');
}
