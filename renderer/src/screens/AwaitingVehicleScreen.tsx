import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import type { ConnectorView, SessionView } from '../../../electron/contract/index.js';
import { useCommands } from '../commands/CommandContext.js';
import { CountdownLine } from '../components/Countdown.js';
import { FlowTitle } from '../components/FlowTitle.js';
import { PriceList } from '../components/PriceList.js';
import { Spinner } from '../components/Spinner.js';
import { Spoken } from '../components/Spoken.js';
import { accountText } from '../components/StationCard.js';
import { useFormats } from '../format/useFormats.js';

export function AwaitingVehicleScreen({ connector }: { connector: ConnectorView }) {
  const { t } = useTranslation();
  const { send } = useCommands();
  const hintId = useId();
  const plugged = connector.vehiclePlugged;
  const session = connector.session;
  const account = session?.account ?? null;
  const cancelHint =
    account === null ? t('awaiting.cancelHint') : account.type === 'prepaid' ? t('awaiting.cancelHintPrepaid') : t('awaiting.cancelHintAccount');
  return (
    <div className="flow">
      <FlowTitle connector={connector}>{plugged ? t('awaiting.starting') : t('awaiting.title')}</FlowTitle>
      {plugged ? (
        <p className="status-line lead" role="status">
          <Spinner /> {t('awaiting.startingText')}
        </p>
      ) : (
        <p className="lead">{t(account ? 'awaiting.textStationCard' : 'awaiting.text', { label: connector.label })}</p>
      )}
      {!plugged && connector.countdown?.kind === 'plugIn' && <CountdownLine countdown={connector.countdown} messageKey="awaiting.countdown" />}
      {session && <PaidWith session={session} />}
      {/* A station card pays at the tap: the balance and the price stay in view until charging starts. */}
      {account && !plugged && <PriceList tariff={connector.tariff} compact />}
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
          {cancelHint}
        </p>
      </div>
    </div>
  );
}

/** What the session may take: the hold on the bank card, or the station card's balance and reservation (or its account). */
function PaidWith({ session }: { session: SessionView }) {
  const { t } = useTranslation();
  const f = useFormats(session.currency);
  if (!session.account) {
    return (
      <p>
        <Spoken text={t('charging.held', { amount: f.money(session.limitMinor) })} spoken={t('charging.held', { amount: f.moneySpoken(session.limitMinor) })} />
      </p>
    );
  }
  return (
    <p className="account-line">
      <Spoken text={accountText(t, f, session.account, session.limitMinor)} spoken={accountText(t, f, session.account, session.limitMinor, true)} />
    </p>
  );
}
