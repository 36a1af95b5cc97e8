import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ConnectorPhase, ConnectorView, Snapshot } from '../../../electron/contract/index.js';
import { useCommands } from '../commands/CommandContext.js';
import { ConnectorIcon } from '../components/ConnectorIcon.js';
import { PriceList } from '../components/PriceList.js';
import { problemText } from '../components/problemText.js';
import { Spoken } from '../components/Spoken.js';
import { StopKeypad } from '../components/StopKeypad.js';
import { mainPrice, samePrices } from '../format/price-text.js';
import { useFormats } from '../format/useFormats.js';
import { useView } from '../store/StoreContext.js';
import { selectCardTap, selectConnectors, selectStation, selectTariff } from '../store/selectors.js';

type TileState = 'starting' | 'available' | 'charging' | 'inUse' | 'finishing' | 'outOfService' | 'fault';

const tileState: Record<ConnectorPhase, TileState> = {
  starting: 'starting',
  available: 'available',
  choosingPayment: 'inUse',
  authorizing: 'inUse',
  declined: 'inUse',
  awaitingVehicle: 'inUse',
  charging: 'charging',
  parked: 'finishing',
  settling: 'finishing',
  summary: 'finishing',
  outOfService: 'outOfService',
  fault: 'fault',
};

export function StartScreen() {
  const { t } = useTranslation();
  const connectors = useView(selectConnectors);
  const station = useView(selectStation);
  const tariff = useView(selectTariff);
  const cardTap = useView(selectCardTap);
  const stationOut = station?.serviceState === 'outOfService';

  return (
    <div className="start">
      <div className="start-main">
        <h1>{t('start.title')}</h1>
        {stationOut ? <StationOutOfService station={station} /> : <p className="lead">{t('start.hint')}</p>}
        {cardTap && !stationOut && (
          // What the kiosk made of a card held to the terminal before any connector was chosen.
          <p className={`callout ${cardTap.kind === 'chooseConnector' ? 'callout--info' : 'callout--problem'}`} role="status">
            {t(`start.cardTap.${cardTap.kind}`)}
          </p>
        )}
        {connectors.length === 0 ? (
          <p>{t('start.noConnectors')}</p>
        ) : (
          <ul className="tiles">
            {connectors.map((c) => (
              <ConnectorTile key={c.id} connector={c} stationOut={stationOut} ownPrices={tariff !== null && !samePrices(c.tariff, tariff)} />
            ))}
          </ul>
        )}
      </div>
      {tariff && <PriceList tariff={tariff} />}
    </div>
  );
}

/**
 * Why no new session can start here; a failed storage is said in plain words, never its
 * detail; a technician's note (the station taken out of service) as they wrote it.
 */
function StationOutOfService({ station }: { station: Snapshot['station'] }) {
  const { t } = useTranslation();
  const storage = station.outOfServiceReason === 'storage';
  const note = station.outOfServiceReason === 'technician' ? station.serviceNote : null;
  return (
    <div className="callout callout--problem" role="alert">
      <p className="callout-title">{storage ? t('start.storageOutOfService') : t('start.stationOutOfService')}</p>
      {note && <p>{note}</p>}
      <p>{storage ? t('start.storageOutOfServiceNext', { helpLine: station.helpLine }) : t('start.stationOutOfServiceNext')}</p>
    </div>
  );
}

/** `ownPrices`: the connector's prices differ from the station's beside the tiles, so the tile says so. */
function ConnectorTile({ connector, stationOut, ownPrices }: { connector: ConnectorView; stationOut: boolean; ownPrices: boolean }) {
  const { t } = useTranslation();
  const f = useFormats();
  const priceFormats = useFormats(connector.tariff.currency);
  // The full list is on the payment screen, the next one; the tile says only that these differ, and the main price.
  const price = ownPrices ? mainPrice(t, priceFormats, connector.tariff) : null;
  const priceSpoken = ownPrices ? mainPrice(t, priceFormats, connector.tariff, true) : null;
  const { send } = useCommands();
  // On a station out of service, a free connector cannot be used either.
  const phaseState = tileState[connector.phase];
  const state: TileState = stationOut && phaseState === 'available' ? 'outOfService' : phaseState;
  const stateText = t(`connector.state.${state}`);
  const energy = state === 'charging' && connector.session ? f.energy(connector.session.energyWh) : null;
  const label = connector.label;
  const selectable = state === 'available' || state === 'inUse' || state === 'charging' || state === 'finishing';
  // Shown again only to its driver, with the session's stop code (or the card that paid, at the reader), for a while after it ended.
  const showLastSummary = connector.lastSummaryUntil !== null && state === 'available';
  const [keypadOpen, setKeypadOpen] = useState(false);
  // Taken out of service by a technician: their note for drivers, as they wrote it.
  const problem = connector.service && connector.phase === 'outOfService' ? connector.service.note : problemText(t, connector);
  const plug = t('connector.plug', { type: t(`connector.type.${connector.type}`), power: t('units.kW', { value: tileKw(connector.maxPowerW, f.kw) }) });
  // The tile's name says all its visible text (a voice user says what they see), in the
  // order it is written in: the connector, its state and energy, then its plug.
  const name = t('connector.tileNamePlug', { name: energy ? t('connector.tileNameEnergy', { label, state: stateText, energy }) : t('connector.tileName', { label, state: stateText }), plug });

  return (
    <li className={`tile tile--${state}`}>
      <div role="group" aria-label={t('connector.name', { label })} className="tile-inner">
        <button
          type="button"
          className="tile-button"
          aria-label={name}
          disabled={!selectable}
          onClick={() => void send({ type: 'selectConnector', connectorId: connector.id })}
        >
          <span className="tile-head">
            <ConnectorIcon type={connector.type} />
            <span className="tile-label">{t('connector.name', { label })}</span>
          </span>
          {/*
            In the name's order, shown as before (styles.css: the plug's line under the connector's);
            spaces between the parts (a flex column lays none out), so the text reads as words, as the name does.
          */}{' '}
          <span className="tile-state">{stateText}</span>
          {energy && (
            <>
              {' '}
              <span className="tile-energy">{energy}</span>
            </>
          )}{' '}
          <span className="tile-plug">{plug}</span>
        </button>
        {price !== null && (
          <p className="tile-prices">
            <Spoken text={t('connector.ownPrices', { price })} spoken={t('connector.ownPrices', { price: priceSpoken ?? price })} />
          </p>
        )}
        {/* A whole station out of service says why once, above the tiles. */}
        {(connector.phase === 'outOfService' || connector.phase === 'fault') && !stationOut && !connector.service?.station && (
          <div className="tile-problem">
            {problem && <p>{problem}</p>}
            <p>{t('connector.useAnother')}</p>
          </div>
        )}
        {showLastSummary && (
          <button
            type="button"
            className="btn btn-secondary tile-summary"
            onClick={() => setKeypadOpen(true)}
          >
            {t('actions.lastSession')}
          </button>
        )}
        {keypadOpen && <StopKeypad connectorId={connector.id} purpose="showSummary" onClose={() => setKeypadOpen(false)} />}
      </div>
    </li>
  );
}

/** A connector's power as chargers are labelled: whole kW from 10 kW ("22"), one decimal below ("7.4", in the locale). */
function tileKw(w: number, kw: (w: number) => string): string {
  return w >= 10_000 ? String(Math.round(w / 1000)) : kw(w);
}
