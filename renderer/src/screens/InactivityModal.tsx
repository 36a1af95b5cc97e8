import { useTranslation } from 'react-i18next';
import type { ConnectorView, Countdown } from '../../../electron/contract/index.js';
import { useCommands } from '../commands/CommandContext.js';
import { CountdownLine } from '../components/Countdown.js';
import { Modal } from '../components/ModalLayer.js';

/** The brain's inactivity warning on a waiting screen: how long is left, More time, or cancel now (Done on the summary). */
export function InactivityModal({ connector, countdown }: { connector: ConnectorView; countdown: Countdown }) {
  const { t } = useTranslation();
  const { send } = useCommands();
  const connectorId = connector.id;
  return (
    <Modal title={t('inactivity.title')}>
      <p className="lead">{connector.session ? t('inactivity.text') : t('inactivity.textNoSession')}</p>
      <CountdownLine countdown={countdown} messageKey="inactivity.countdown" className="countdown countdown--urgent" />
      <div className="actions">
        <button type="button" className="btn btn-primary btn-lg" onClick={() => void send({ type: 'moreTime', connectorId })}>
          {t('actions.moreTime')}
        </button>
        {connector.phase === 'summary' ? (
          <button type="button" className="btn btn-secondary" onClick={() => void send({ type: 'closeSummary', connectorId })}>
            {t('actions.done')}
          </button>
        ) : (
          <button type="button" className="btn btn-secondary" onClick={() => void send({ type: 'cancel', connectorId })}>
            {t('actions.cancel')}
          </button>
        )}
      </div>
    </Modal>
  );
}
