import { useTranslation } from 'react-i18next';
import type { ConnectorView, DeclineReason } from '../../../electron/contract/index.js';
import { useCommands } from '../commands/CommandContext.js';
import { FlowTitle } from '../components/FlowTitle.js';
import { CardStatus, useCardBlocked } from './ChoosingPaymentScreen.js';

/**
 * What the driver can do next, where the general advice (the same or another card) does
 * not fit: an expired card needs another card; a busy or unavailable terminal, a moment.
 */
const NEXT: Partial<Record<DeclineReason, 'declined.nextOtherCard' | 'declined.nextLater'>> = {
  cardExpired: 'declined.nextOtherCard',
  busy: 'declined.nextLater',
  unavailable: 'declined.nextLater',
};

export function DeclinedScreen({ connector }: { connector: ConnectorView }) {
  const { t } = useTranslation();
  const { send } = useCommands();
  const blocked = useCardBlocked();
  const reason = connector.session?.declineReason ?? 'error';
  const connectorId = connector.id;
  return (
    <div className="flow">
      <FlowTitle connector={connector}>{t('declined.title')}</FlowTitle>
      <div className="callout callout--problem" role="alert">
        <p className="callout-title">{t(`declined.reason.${reason}`)}</p>
        <p>{t(NEXT[reason] ?? 'declined.next')}</p>
      </div>
      <CardStatus blocked={blocked} />
      <div className="actions">
        <button
          type="button"
          className="btn btn-primary"
          disabled={blocked !== null}
          onClick={() => void send({ type: 'retryPayment', connectorId })}
        >
          {t('actions.tryAgain')}
        </button>
        <button type="button" className="btn btn-secondary" onClick={() => void send({ type: 'otherPayment', connectorId })}>
          {t('actions.otherPayment')}
        </button>
        <button type="button" className="btn btn-secondary" onClick={() => void send({ type: 'cancel', connectorId })}>
          {t('actions.cancel')}
        </button>
      </div>
    </div>
  );
}
