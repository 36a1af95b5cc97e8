import { useTranslation } from 'react-i18next';
import type { ConnectorView, TerminalPrompt } from '../../../electron/contract/index.js';
import { useCommands } from '../commands/CommandContext.js';
import { CountdownLine } from '../components/Countdown.js';
import { FlowTitle } from '../components/FlowTitle.js';
import { Spinner } from '../components/Spinner.js';
import { Spoken } from '../components/Spoken.js';
import { CardOnReaderIcon, paidByStationCard } from '../components/StationCard.js';
import { useFormats } from '../format/useFormats.js';
import { useView } from '../store/StoreContext.js';
import type { ViewState } from '../store/snapshot-store.js';

const selectTerminalPrompt = (s: ViewState): TerminalPrompt | null => s.snapshot?.terminal?.prompt ?? null;

export function AuthorizingScreen({ connector }: { connector: ConnectorView }) {
  const { t } = useTranslation();
  const f = useFormats();
  // What the card terminal asks now (present the card, the PIN, …); before it says anything, that we wait for the card.
  const prompt = useView(selectTerminalPrompt);
  const hold = connector.session?.limitMinor ?? connector.tariff.holdMinor;
  const session = connector.session;
  if (session && paidByStationCard(session)) return <CheckingStationCard connector={connector} />;
  return (
    <div className="flow">
      <FlowTitle connector={connector}>{t('authorizing.title')}</FlowTitle>
      <div className="card-prompt">
        <span className="card-icon card-icon--large" aria-hidden="true" />
        <p className="status-line" role="status">
          <Spinner /> {prompt ? t(`authorizing.prompt.${prompt}`) : t('authorizing.waiting')}
        </p>
      </div>
      <p className="lead">
        <Spoken text={t('authorizing.hold', { amount: f.money(hold) })} spoken={t('authorizing.hold', { amount: f.moneySpoken(hold) })} />
      </p>
      {connector.countdown?.kind === 'presentCard' && <CountdownLine countdown={connector.countdown} messageKey="authorizing.countdown" />}
      <CancelAction connectorId={connector.id} />
    </div>
  );
}

/** A station card is checked against its account by the brain: no terminal prompts, no hold. */
function CheckingStationCard({ connector }: { connector: ConnectorView }) {
  const { t } = useTranslation();
  return (
    <div className="flow">
      <FlowTitle connector={connector}>{t('authorizing.stationCardTitle')}</FlowTitle>
      <div className="card-prompt">
        <CardOnReaderIcon large />
        <p className="status-line" role="status">
          <Spinner /> {t('authorizing.checking')}
        </p>
      </div>
      <CancelAction connectorId={connector.id} />
    </div>
  );
}

function CancelAction({ connectorId }: { connectorId: number }) {
  const { t } = useTranslation();
  const { send } = useCommands();
  return (
    <div className="actions">
      <button type="button" className="btn btn-secondary" onClick={() => void send({ type: 'cancel', connectorId })}>
        {t('actions.cancel')}
      </button>
    </div>
  );
}
