// The kiosk screen: the driver's column (header, the current screen, help footer)
// and, only when devices are simulated, the simulator panel beside it.
import { useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { I18nextProvider, useTranslation } from 'react-i18next';
import { languageOf } from '../../electron/contract/languages.js';
import { useCommands } from './commands/CommandContext.js';
import { ModalLayerProvider, useModalLayerState } from './components/ModalLayer.js';
import { Spinner } from './components/Spinner.js';
import { DisplayToggle } from './components/DisplayToggle.js';
import { LanguageChooser } from './components/LanguageChooser.js';
import { Maintenance } from './maintenance/Maintenance.js';
import { DriverScreen } from './screens/DriverScreen.js';
import { SimPanel, useSimPanelFolded } from './sim/SimPanel.js';
import { useView } from './store/StoreContext.js';
import {
  selectConnected,
  selectHasSnapshot,
  selectHighContrast,
  selectLanguage,
  selectProblemShown,
  selectSim,
  selectStation,
  selectStationName,
} from './store/selectors.js';

export function App() {
  useScreenChoices();
  const hasSnapshot = useView(selectHasSnapshot);
  const sim = useView(selectSim);
  const [simFolded, setSimFolded] = useSimPanelFolded();
  if (!hasSnapshot) return <ConnectingScreen />;
  return (
    <div className={sim ? (simFolded ? 'layout layout--sim layout--sim-folded' : 'layout layout--sim') : 'layout'}>
      <DriverColumn />
      {sim && (
        <InStationLanguage>
          <SimPanel sim={sim} folded={simFolded} onFold={setSimFolded} />
        </InStationLanguage>
      )}
    </div>
  );
}

/** The catalogue language, the page's lang and the high-contrast mode follow the screen's choices (the snapshot's `screen`). */
function useScreenChoices(): void {
  const name = useView(selectStationName);
  const language = useView(selectLanguage);
  const highContrast = useView(selectHighContrast);
  const { i18n } = useTranslation();
  useEffect(() => {
    if (i18n.language !== language) void i18n.changeLanguage(language);
    document.documentElement.lang = language;
  }, [language, i18n]);
  useEffect(() => {
    document.documentElement.classList.toggle('high-contrast', highContrast);
  }, [highContrast]);
  useEffect(() => {
    if (name) document.title = name;
  }, [name]);
}

/** The simulator panel is the developer's, not the driver's: it stays in the station's language whatever a driver picks. */
function InStationLanguage({ children }: { children: ReactNode }) {
  const { i18n } = useTranslation();
  const language = languageOf(useView(selectStation)?.locale ?? 'en');
  const fixed = useMemo(() => i18n.cloneInstance({ lng: language, initAsync: false }), [i18n, language]);
  return <I18nextProvider i18n={fixed}>{children}</I18nextProvider>;
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
  const { t } = useTranslation();
  const station = useView(selectStation);
  return (
    <header className="topbar">
      <p className="station-name">{station?.name}</p>
      {station && <p className="topbar-station">{t('app.stationId', { id: station.id })}</p>}
    </header>
  );
}

function Footer() {
  const { t } = useTranslation();
  const station = useView(selectStation);
  const prominent = useView(selectProblemShown);
  if (!station) return null;
  return (
    <footer className={prominent ? 'help help--prominent' : 'help'}>
      <div className="help-text">
        {/* On a short screen the top bar gives its height to the screen: the station's name and id are down here then. */}
        <p className="help-name">{station.name}</p>
        <p className="help-line">{t('app.help', { helpLine: station.helpLine })}</p>
        <p className="help-station">{t('app.stationId', { id: station.id })}</p>
      </div>
      {/* Beside the help line, never in a corner, where the technician's gesture is made. */}
      <div className="screen-choices">
        <LanguageChooser />
        <DisplayToggle />
      </div>
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
