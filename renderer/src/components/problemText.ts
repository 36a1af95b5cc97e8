import type { TFunction } from 'i18next';
import type { ConnectorView } from '../../../electron/contract/index.js';

/**
 * What the driver reads about a connector's problem. A payment that cannot be settled
 * and a saved state that needs a technician are worded from the catalogue; their
 * detail is for technicians and never reaches the screen.
 */
export function problemText(t: TFunction, connector: ConnectorView): string | null {
  switch (connector.problemKind) {
    case 'payment':
    case 'attention':
      return t(`connector.problem.${connector.problemKind}`);
    default:
      return connector.problem;
  }
}
