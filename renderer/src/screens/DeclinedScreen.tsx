import { useTranslation } from 'react-i18next';
import type { ConnectorView, DeclineReason } from '../../../electron/contract/index.js';
import { useCommands } from '../commands/CommandContext.js';
import { FlowTitle } from '../components/FlowTitle.js';
import { useView } from '../store/StoreContext.js';
import { selectStation } from '../store/selectors.js';
import { CardStatus, useCardBlocked } from './ChoosingPaymentScreen.js';

/**
 * What the driver can do next, where the general advice (the same or another card) does
 * not fit: an expired card needs another card; a busy or unavailable terminal, a moment;
 * a station card the accounts refuse, another card or another way to pay.
 */
const NEXT: Partial<Record<DeclineReason, 'declined.nextOtherCard' | 'declined.nextLater' | 'declined.nextStationCard'>> = {
  cardExpired: 'declined.nextOtherCard',
  busy: 'declined.nextLater',
  unavailable: 'declined.nextLater',
  unknownCard: 'declined.nextStationCard',
  cardBlocked: 'declined.nextStationCard',
  noCredit: 'declined.nextStationCard',
};

/** Station card refusals: the same card again cannot help, so there is no Try again. */
const STATION_CARD_REASONS: ReadonlySet<DeclineReason> = new Set<DeclineReason>(['unknownCard', 'cardBlocked', 'noCredit']);

export function DeclinedScreen({ connector }: { connector: ConnectorView }) {
  const { t } = useTranslation();
  const reason = connector.session?.declineReason ?? 'error';
  const helpLine = useView(selectStation)?.helpLine ?? '';
  return (
    <div className="flow">
      <FlowTitle connector={connector}>{t('declined.title')}</FlowTitle>
      <div className="callout callout--problem" role="alert">
        <p className="callout-title">{t(`declined.reason.${reason}`, { helpLine })}</p>
        <p>{t(NEXT[reason] ?? 'declined.next')}</p>
      </div>
      {STATION_CARD_REASONS.has(reason) ? <StationCardActions connectorId={connector.id} /> : <BankCardActions connectorId={connector.id} />}
    </div>
  );
}

function BankCardActions({ connectorId }: { connectorId: number }) {
  const { t } = useTranslation();
  const { send } = useCommands();
  const blocked = useCardBlocked();
  return (
    <>
      <CardStatus blocked={blocked} />
      <div className="actions">
        <button
          type="button"
          className="btn btn-primary"
          disabled={blocked !== null}
          onClick={() => void send({ type: 'retryPayment', connectorId })}
        >
          {t('actions.tryAgain')}
        </button>
        <button type="button" className="btn btn-secondary" onClick={() => void send({ type: 'otherPayment', connectorId })}>
          {t('actions.otherPayment')}
        </button>
        <button type="button" className="btn btn-secondary" onClick={() => void send({ type: 'cancel', connectorId })}>
          {t('actions.cancel')}
        </button>
      </div>
    </>
  );
}

/** Back to the choice of payment, where another station card can be held to the reader, or a bank card chosen. */
function StationCardActions({ connectorId }: { connectorId: number }) {
  const { t } = useTranslation();
  const { send } = useCommands();
  return (
    <div className="actions">
      <button type="button" className="btn btn-primary btn-lg" onClick={() => void send({ type: 'otherPayment', connectorId })}>
        {t('actions.payAnotherWay')}
      </button>
      <button type="button" className="btn btn-secondary" onClick={() => void send({ type: 'cancel', connectorId })}>
        {t('actions.cancel')}
      </button>
    </div>
  );
}
