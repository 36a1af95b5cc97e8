import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import type { ConnectorView } from '../../../electron/contract/index.js';
import { useCommands } from '../commands/CommandContext.js';
import { FlowTitle } from '../components/FlowTitle.js';
import { PriceList } from '../components/PriceList.js';
import { CardOnReaderIcon } from '../components/StationCard.js';
import { useView } from '../store/StoreContext.js';
import { selectPaymentMethods, selectRfid, selectTerminal } from '../store/selectors.js';

/** Why card payment cannot start now, if it cannot; null when the terminal is ready. */
export function useCardBlocked(): 'unavailable' | 'busy' | null {
  const terminal = useView(selectTerminal);
  if (!terminal?.available) return 'unavailable';
  if (terminal.busy) return 'busy';
  return null;
}

export function CardStatus({ blocked, id }: { blocked: 'unavailable' | 'busy' | null; id?: string }) {
  const { t } = useTranslation();
  if (blocked === 'busy')
    return (
      <p id={id} className="status-line" role="status">
        {t('payment.terminalBusy')}
      </p>
    );
  if (blocked === 'unavailable')
    return (
      <div id={id} className="callout callout--problem" role="status">
        <p className="callout-title">{t('payment.unavailable')}</p>
        <p>{t('payment.unavailableNext')}</p>
      </div>
    );
  return null;
}

export function ChoosingPaymentScreen({ connector }: { connector: ConnectorView }) {
  const { t } = useTranslation();
  const { send } = useCommands();
  // Only the ways the brain lists now, in its order: the screen offers only what the station has.
  const methods = useView(selectPaymentMethods);
  const connectorId = connector.id;

  return (
    <div className="flow flow--split">
      <div className="flow-main">
        <FlowTitle connector={connector}>{t('payment.title')}</FlowTitle>
        <div className="pay-options">
          {methods.length === 0 && (
            <div className="callout callout--problem" role="status">
              <p className="callout-title">{t('payment.noMethod')}</p>
              <p>{t('payment.noMethodNext')}</p>
            </div>
          )}
          {methods.map((method) =>
            method === 'card' ? <BankCardOption key={method} connectorId={connectorId} /> : <StationCardOption key={method} />,
          )}
        </div>
        <div className="actions">
          <button type="button" className="btn btn-secondary" onClick={() => void send({ type: 'cancel', connectorId })}>
            {t('actions.cancel')}
          </button>
        </div>
      </div>
      {/* This connector's own prices (its tariff, or the station's). */}
      <PriceList tariff={connector.tariff} />
    </div>
  );
}

function BankCardOption({ connectorId }: { connectorId: number }) {
  const { t } = useTranslation();
  const { send } = useCommands();
  const blocked = useCardBlocked();
  const hintId = useId();
  const statusId = useId();
  return (
    <div className="pay-option">
      <button
        type="button"
        className="btn btn-primary btn-xl pay-card"
        disabled={blocked !== null}
        aria-describedby={blocked ? `${hintId} ${statusId}` : hintId}
        onClick={() => void send({ type: 'choosePayment', connectorId, method: 'card' })}
      >
        <span className="card-icon" aria-hidden="true" />
        {t('actions.bankCard')}
      </button>
      <p id={hintId} className="muted">
        {t('payment.cardHint')}
      </p>
      <CardStatus blocked={blocked} id={statusId} />
    </div>
  );
}

/** No button: holding a station card to the reader pays; the panel says so, and whether the reader works. */
function StationCardOption() {
  const { t } = useTranslation();
  const readerDown = useView(selectRfid)?.available === false;
  const titleId = useId();
  return (
    <section className="pay-option station-card-panel" aria-labelledby={titleId}>
      <CardOnReaderIcon />
      <div className="station-card-text">
        <h2 id={titleId} className="station-card-title">
          {t('payment.stationCard')}
        </h2>
        <p className="station-card-hint">{t('payment.stationCardHint')}</p>
        {readerDown && (
          <div className="callout callout--problem" role="status">
            <p className="callout-title">{t('payment.readerUnavailable')}</p>
            <p>{t('payment.readerUnavailableNext')}</p>
          </div>
        )}
      </div>
    </section>
  );
}
