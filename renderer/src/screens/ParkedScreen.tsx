import { useTranslation } from 'react-i18next';
import type { ConnectorView } from '../../../electron/contract/index.js';
import { EnergyCostFigures } from '../components/EnergyCost.js';
import { BackToStartButton } from '../components/BackToStart.js';
import { FlowTitle } from '../components/FlowTitle.js';
import { problemText, stoppedByFault } from '../components/problemText.js';

/** Charging has stopped and the car is still plugged in; a fault or a lost charger says so in an error style. */
export function ParkedScreen({ connector }: { connector: ConnectorView }) {
  const { t } = useTranslation();
  const session = connector.session;
  const figures = session && <EnergyCostFigures session={session} growing={connector.tariff.lines.some((l) => l.kind === 'parking')} />;
  if (session && stoppedByFault(connector)) {
    const words = connector.problemKind ? problemText(t, connector) : null;
    return (
      <div className="flow flow--problem">
        <FlowTitle connector={connector}>{t('parked.faultTitle')}</FlowTitle>
        <div className="callout callout--problem" role="alert">
          <p className="callout-title">{words ?? t(`stopReason.${session.stopReason!}`)}</p>
          <p>{t('parked.faultNext')}</p>
        </div>
        {figures}
        <div className="actions">
          <BackToStartButton />
        </div>
      </div>
    );
  }
  return (
    <div className="flow">
      <FlowTitle connector={connector}>{t('parked.title')}</FlowTitle>
      {session?.stopReason && <p className="lead">{t(`stopReason.${session.stopReason}`)}</p>}
      <p>{t('parked.text')}</p>
      {figures}
      {session?.parkingCapped && <p className="callout callout--info">{t(session.account ? 'parked.parkingCappedLimit' : 'parked.parkingCapped')}</p>}
      <div className="actions">
        <BackToStartButton />
      </div>
    </div>
  );
}
