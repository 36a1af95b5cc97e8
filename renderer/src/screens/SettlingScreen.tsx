import { useTranslation } from 'react-i18next';
import type { ConnectorView } from '../../../electron/contract/index.js';
import { FlowTitle } from '../components/FlowTitle.js';
import { Spinner } from '../components/Spinner.js';
import { paidByStationCard } from '../components/StationCard.js';

export function SettlingScreen({ connector }: { connector: ConnectorView }) {
  const { t } = useTranslation();
  const stationCard = connector.session !== null && paidByStationCard(connector.session);
  return (
    <div className="flow">
      <FlowTitle connector={connector}>{t('settling.title')}</FlowTitle>
      <p className="status-line lead" role="status">
        <Spinner /> {t(stationCard ? 'settling.textStationCard' : 'settling.text')}
      </p>
    </div>
  );
}
