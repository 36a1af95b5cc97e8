import { useTranslation } from 'react-i18next';
import type { ConnectorView } from '../../../electron/contract/index.js';
import { BackToStartButton } from '../components/BackToStart.js';
import { EnergyCostFigures } from '../components/EnergyCost.js';
import { problemText } from '../components/problemText.js';

/** A connector out of service or in fault: what is wrong and what to do next. */
export function ProblemScreen({ connector }: { connector: ConnectorView }) {
  const { t } = useTranslation();
  const session = connector.session;
  const problem = problemText(t, connector);
  const title =
    connector.phase === 'fault'
      ? t('problem.fault', { label: connector.label })
      : t('problem.outOfService', { label: connector.label });
  return (
    <div className="flow">
      <header className="flow-title">
        <p className="eyebrow">{t('connector.name', { label: connector.label })}</p>
        <h1>{title}</h1>
      </header>
      <div className="callout callout--problem" role="alert">
        {problem && <p className="callout-title">{problem}</p>}
        {session && session.energyWh > 0 && <p>{t('problem.sessionNext')}</p>}
        <p>{t('problem.next')}</p>
      </div>
      {session && session.energyWh > 0 && (
        <EnergyCostFigures session={session} />
      )}
      <div className="actions">
        <BackToStartButton />
      </div>
    </div>
  );
}
