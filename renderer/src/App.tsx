// The kiosk screen: the driver's column (header, the current screen, help footer)
// and, only when devices are simulated, the simulator panel beside it.
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useCommands } from './commands/CommandContext.js';
import { ModalLayerProvider, useModalLayerState } from './components/ModalLayer.js';
import { Spinner } from './components/Spinner.js';
import { languageFor } from './i18n/i18n.js';
import { Maintenance } from './maintenance/Maintenance.js';
import { DriverScreen } from './screens/DriverScreen.js';
import { SimPanel, useSimPanelFolded } from './sim/SimPanel.js';
import { useView } from './store/StoreContext.js';
import {
  selectConnected,
  selectHasSnapshot,
  selectLocale,
  selectProblemShown,
  selectSim,
  selectStation,
  selectStationName,
} from './store/selectors.js';

export function App() {
  useStationLanguage();
  const hasSnapshot = useView(selectHasSnapshot);
  const sim = useView(selectSim);
  const [simFolded, setSimFolded] = useSimPanelFolded();
  if (!hasSnapshot) return <ConnectingScreen />;
  return (
    <div className={sim ? (simFolded ? 'layout layout--sim layout--sim-folded' : 'layout layout--sim') : 'layout'}>
      <DriverColumn />
      {sim && <SimPanel sim={sim} folded={simFolded} onFold={setSimFolded} />}
    </div>
  );
}

/** The catalogue language and the page's lang follow the station's locale. */
function useStationLanguage(): void {
  const locale = useView(selectLocale);
  const name = useView(selectStationName);
  const { i18n } = useTranslation();
  useEffect(() => {
    const language = languageFor(locale);
    if (i18n.language !== language) void i18n.changeLanguage(language);
    document.documentElement.lang = language;
  }, [locale, i18n]);
  useEffect(() => {
    if (name) document.title = name;
  }, [name]);
}

function ConnectingScreen() {
  const { t } = useTranslation();
  return (
    <main className="connecting">
      <h1 className="status-line" role="status">
        <Spinner /> {t('app.connecting')}
      </h1>
      <p className="lead">{t('app.connectingDetail')}</p>
    </main>
  );
}

function DriverColumn() {
  const { t } = useTranslation();
  const connected = useView(selectConnected);
  const { layer, setHost, anyOpen } = useModalLayerState();
  // The technician's PIN pad or menu over the driver's screen, which is inert meanwhile.
  const driver = useRef<HTMLDivElement>(null);
  const [maintenance, setMaintenance] = useState(false);
  return (
    <ModalLayerProvider layer={layer}>
      <div ref={driver} className={connected ? 'driver' : 'driver driver--offline'}>
        <div className="frame" inert={anyOpen || !connected || maintenance}>
          <Header />
          <NoticeBar />
          <main className="screen">
            <DriverScreen />
          </main>
          <Footer />
        </div>
        <div className="modal-host" ref={setHost} inert={maintenance} />
        <Maintenance area={driver} onOpenChange={setMaintenance} />
        {!connected && (
          <p className="offline-status" role="status">
            <Spinner /> {t('app.connecting')}
          </p>
        )}
      </div>
    </ModalLayerProvider>
  );
}

function Header() {
  const name = useView(selectStationName);
  return (
    <div className="topbar">
      <p className="station-name">{name}</p>
    </div>
  );
}

function Footer() {
  const { t } = useTranslation();
  const station = useView(selectStation);
  const prominent = useView(selectProblemShown);
  if (!station) return null;
  return (
    <footer className={prominent ? 'help help--prominent' : 'help'}>
      <p className="help-line">{t('app.help', { helpLine: station.helpLine })}</p>
      <p className="help-station">{t('app.stationId', { id: station.id })}</p>
    </footer>
  );
}

function NoticeBar() {
  const { t } = useTranslation();
  const { notice, dismissNotice } = useCommands();
  return (
    <div className="notice-region" role="alert">
      {notice && (
        <div className="notice">
          <p>{notice.reason ? t(`errors.reasons.${notice.reason}`) : t(`errors.${notice.code}`)}</p>
          <button type="button" className="btn btn-secondary btn-small" aria-label={t('app.dismiss')} onClick={dismissNotice}>
            ✕
          </button>
        </div>
      )}
    </div>
  );
}
