import { useTranslation } from 'react-i18next';
import type { ConnectorView } from '../../../electron/contract/index.js';
import { useCommands } from '../commands/CommandContext.js';
import { FlowTitle } from '../components/FlowTitle.js';
import { Spinner } from '../components/Spinner.js';

export function StartingScreen({ connector }: { connector: ConnectorView }) {
  const { t } = useTranslation();
  const { send } = useCommands();
  return (
    <div className="flow">
      <FlowTitle connector={connector}>{t('starting.title')}</FlowTitle>
      <p className="status-line lead" role="status">
        <Spinner /> {t('starting.text')}
      </p>
      <div className="actions">
        <button type="button" className="btn btn-secondary" onClick={() => void send({ type: 'goHome' })}>
          {t('actions.backToStart')}
        </button>
      </div>
    </div>
  );
}
