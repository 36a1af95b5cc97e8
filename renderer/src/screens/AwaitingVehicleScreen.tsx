import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import type { ConnectorView } from '../../../electron/contract/index.js';
import { useCommands } from '../commands/CommandContext.js';
import { FlowTitle } from '../components/FlowTitle.js';
import { Spinner } from '../components/Spinner.js';
import { useFormats } from '../format/useFormats.js';

export function AwaitingVehicleScreen({ connector }: { connector: ConnectorView }) {
  const { t } = useTranslation();
  const f = useFormats();
  const { send } = useCommands();
  const hintId = useId();
  const plugged = connector.vehiclePlugged;
  return (
    <div className="flow">
      <FlowTitle connector={connector}>{plugged ? t('awaiting.starting') : t('awaiting.title')}</FlowTitle>
      {plugged ? (
        <p className="status-line lead" role="status">
          <Spinner /> {t('awaiting.startingText')}
        </p>
      ) : (
        <p className="lead">{t('awaiting.text', { label: connector.label })}</p>
      )}
      {connector.session && <p>{t('charging.held', { amount: f.money(connector.session.limitMinor) })}</p>}
      <div className="actions">
        <button
          type="button"
          className="btn btn-secondary"
          aria-describedby={hintId}
          onClick={() => void send({ type: 'cancel', connectorId: connector.id })}
        >
          {t('actions.cancel')}
        </button>
        <p id={hintId} className="muted">
          {t('awaiting.cancelHint')}
        </p>
      </div>
    </div>
  );
}
