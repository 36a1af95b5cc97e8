import { useTranslation } from 'react-i18next';
import type { ConnectorView } from '../../../electron/contract/index.js';
import { useCommands } from '../commands/CommandContext.js';
import { Figure } from '../components/Figure.js';
import { FlowTitle } from '../components/FlowTitle.js';
import { useFormats } from '../format/useFormats.js';

export function ParkedScreen({ connector }: { connector: ConnectorView }) {
  const { t } = useTranslation();
  const f = useFormats();
  const { send } = useCommands();
  const session = connector.session;
  return (
    <div className="flow">
      <FlowTitle connector={connector}>{t('parked.title')}</FlowTitle>
      {session?.stopReason && <p className="lead">{t(`stopReason.${session.stopReason}`)}</p>}
      <p>{t('parked.text')}</p>
      {session && (
        <dl className="figures">
          <Figure label={t('charging.energy')} value={f.energy(session.energyWh)} />
          <Figure label={t('charging.cost')} value={f.money(session.costMinor)} />
        </dl>
      )}
      <div className="actions">
        <button type="button" className="btn btn-secondary" onClick={() => void send({ type: 'goHome' })}>
          {t('actions.backToStart')}
        </button>
      </div>
    </div>
  );
}
