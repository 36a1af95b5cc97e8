// Selectors for useView. Each returns a value already in the state (or a primitive),
// so React re-renders only when what it reads has changed.
import type { ConnectorView, Snapshot } from '../../../electron/contract/index.js';
import { localeFor, type Language } from '../../../electron/contract/languages.js';
import { stoppedByFault } from '../components/problemText.js';
import type { ViewState } from './snapshot-store.js';

export const selectSnapshot = (s: ViewState): Snapshot | null => s.snapshot;
export const selectConnected = (s: ViewState): boolean => s.connection === 'open';
export const selectHasSnapshot = (s: ViewState): boolean => s.snapshot !== null;

export const selectStation = (s: ViewState) => s.snapshot?.station ?? null;
export const selectTariff = (s: ViewState) => s.snapshot?.tariff ?? null;
export const selectTerminal = (s: ViewState) => s.snapshot?.terminal ?? null;
export const selectPrinter = (s: ViewState) => s.snapshot?.printer ?? null;
export const selectRfid = (s: ViewState) => s.snapshot?.rfid ?? null;
export const selectPaymentMethods = (s: ViewState): Snapshot['payment']['methods'] => s.snapshot?.payment.methods ?? NO_METHODS;
export const selectConnectors = (s: ViewState): ConnectorView[] => s.snapshot?.connectors ?? EMPTY;
export const selectSim = (s: ViewState) => s.snapshot?.sim ?? null;
export const selectCardTap = (s: ViewState) => s.snapshot?.cardTap ?? null;
/** The driver's language on the screen (the station's own until a driver picks another). */
export const selectLanguage = (s: ViewState): Language => s.snapshot?.screen.language ?? 'en';
export const selectLanguages = (s: ViewState): Language[] => s.snapshot?.screen.languages ?? NO_LANGUAGES;
export const selectHighContrast = (s: ViewState): boolean => s.snapshot?.screen.highContrast ?? false;
/** How numbers, money and times are written: the station's locale in its own language, else the driver's language's. */
export const selectLocale = (s: ViewState): string => localeFor(selectLanguage(s), s.snapshot?.station.locale ?? 'en');
export const selectCurrency = (s: ViewState): string => s.snapshot?.tariff.currency ?? 'EUR';
export const selectStationName = (s: ViewState): string | null => s.snapshot?.station.name ?? null;

/** The connector whose flow holds the screen, or null for the start screen. */
export const selectFocusedConnector = (s: ViewState): ConnectorView | null => {
  const snapshot = s.snapshot;
  if (!snapshot || snapshot.focus === null) return null;
  return snapshot.connectors.find((c) => c.id === snapshot.focus) ?? null;
};

/** A key that changes whenever the driver's screen changes (clears stale notices). */
export const selectScreenKey = (s: ViewState): string => {
  const c = selectFocusedConnector(s);
  return c ? `${c.id}:${c.phase}` : 'start';
};

/** Something went wrong on the driver's screen: the help line is made prominent. */
export const selectProblemShown = (s: ViewState): boolean => {
  const c = selectFocusedConnector(s);
  if (c) return c.phase === 'declined' || c.phase === 'outOfService' || c.phase === 'fault' || stoppedByFault(c);
  return s.snapshot?.station.serviceState === 'outOfService';
};

const EMPTY: ConnectorView[] = [];
const NO_METHODS: Snapshot['payment']['methods'] = [];

const NO_LANGUAGES: Language[] = [];
