import { useTranslation } from 'react-i18next';
import type { ConnectorView } from '../../../electron/contract/index.js';
import { FlowTitle } from '../components/FlowTitle.js';
import { Spinner } from '../components/Spinner.js';

export function SettlingScreen({ connector }: { connector: ConnectorView }) {
  const { t } = useTranslation();
  return (
    <div className="flow">
      <FlowTitle connector={connector}>{t('settling.title')}</FlowTitle>
      <p className="status-line lead" role="status">
        <Spinner /> {t('settling.text')}
      </p>
    </div>
  );
}
