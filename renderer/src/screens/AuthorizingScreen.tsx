import { useTranslation } from 'react-i18next';
import type { ConnectorView } from '../../../electron/contract/index.js';
import { useCommands } from '../commands/CommandContext.js';
import { FlowTitle } from '../components/FlowTitle.js';
import { Spinner } from '../components/Spinner.js';
import { useFormats } from '../format/useFormats.js';

export function AuthorizingScreen({ connector }: { connector: ConnectorView }) {
  const { t } = useTranslation();
  const f = useFormats();
  const { send } = useCommands();
  const hold = connector.session?.limitMinor ?? connector.tariff.holdMinor;
  return (
    <div className="flow">
      <FlowTitle connector={connector}>{t('authorizing.title')}</FlowTitle>
      <div className="card-prompt">
        <span className="card-icon card-icon--large" aria-hidden="true" />
        <p className="status-line" role="status">
          <Spinner /> {t('authorizing.waiting')}
        </p>
      </div>
      <p className="lead">{t('authorizing.hold', { amount: f.money(hold) })}</p>
      <div className="actions">
        <button
          type="button"
          className="btn btn-secondary"
          onClick={() => void send({ type: 'cancel', connectorId: connector.id })}
        >
          {t('actions.cancel')}
        </button>
      </div>
    </div>
  );
}
