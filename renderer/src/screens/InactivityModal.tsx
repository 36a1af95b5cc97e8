import { useTranslation } from 'react-i18next';
import { useCommands } from '../commands/CommandContext.js';
import { Modal } from '../components/ModalLayer.js';

export function InactivityModal({ connectorId }: { connectorId: number }) {
  const { t } = useTranslation();
  const { send } = useCommands();
  return (
    <Modal title={t('inactivity.title')}>
      <p className="lead">{t('inactivity.text')}</p>
      <div className="actions">
        <button type="button" className="btn btn-primary btn-lg" onClick={() => void send({ type: 'moreTime', connectorId })}>
          {t('actions.moreTime')}
        </button>
        <button type="button" className="btn btn-secondary" onClick={() => void send({ type: 'cancel', connectorId })}>
          {t('actions.cancel')}
        </button>
      </div>
    </Modal>
  );
}
