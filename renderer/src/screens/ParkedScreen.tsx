import { useTranslation } from 'react-i18next';
import type { ConnectorView } from '../../../electron/contract/index.js';
import { EnergyCostFigures } from '../components/EnergyCost.js';
import { BackToStartButton } from '../components/BackToStart.js';
import { FlowTitle } from '../components/FlowTitle.js';

export function ParkedScreen({ connector }: { connector: ConnectorView }) {
  const { t } = useTranslation();
  const session = connector.session;
  return (
    <div className="flow">
      <FlowTitle connector={connector}>{t('parked.title')}</FlowTitle>
      {session?.stopReason && <p className="lead">{t(`stopReason.${session.stopReason}`)}</p>}
      <p>{t('parked.text')}</p>
      {session && <EnergyCostFigures session={session} />}
      {session?.parkingCapped && <p className="callout callout--info">{t(session.account ? 'parked.parkingCappedLimit' : 'parked.parkingCapped')}</p>}
      <div className="actions">
        <BackToStartButton />
      </div>
    </div>
  );
}
