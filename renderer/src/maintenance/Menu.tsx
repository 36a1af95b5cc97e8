// The maintenance menu, full screen over the driver's screen while a technician works.
// The drivers' sessions go on underneath and stay in view (the strip under the tabs).
// It closes, logging out, after `timeoutS` without a touch, when the technician logs
// out, or at once when a driver needs the screen back: a session ended (the driver
// comes for the receipt) or a driver started paying at a connector. Any command the
// brain refuses because the menu is gone (it timed it out) closes it too.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ConnectorPhase, ConnectorView, KioskBridge, TechCommand, TechSession } from '../../../electron/contract/index.js';
import { useFormats } from '../format/useFormats.js';
import { useView } from '../store/StoreContext.js';
import { selectConnectors } from '../store/selectors.js';
import { AccountsPage } from './pages/AccountsPage.js';
import { ConnectorsPage } from './pages/ConnectorsPage.js';
import { LogPage } from './pages/LogPage.js';
import { PaymentsPage } from './pages/PaymentsPage.js';
import { PricesPage } from './pages/PricesPage.js';
import { ReportsPage } from './pages/ReportsPage.js';
import { StatusPage } from './pages/StatusPage.js';
import { TechContext, type TechApi, type TechCall } from './tech.js';
import type { StationTime } from './time.js';

export type CloseReason = 'logout' | 'timeout' | 'driver' | 'expired';

/** `touch` is sent at most this often while the technician is active, ms. */
export const TOUCH_EVERY_MS = 10_000;

const PAGES = ['status', 'connectors', 'prices', 'accounts', 'payments', 'reports', 'log'] as const;
type PageId = (typeof PAGES)[number];

/** Phases of a driver at the screen, choosing and paying: the menu gives the screen back. */
const DRIVER_FLOW: ReadonlySet<ConnectorPhase> = new Set(['choosingPayment', 'authorizing', 'declined', 'awaitingVehicle']);

interface Watch {
  phases: Map<number, ConnectorPhase>;
  /** Connectors that were in a driver's flow when the menu opened, until they leave it. */
  inFlow: Set<number>;
}

/** Whether a driver needs the screen now: a connector entered its summary, or a driver flow it was not in. */
function driverNeedsScreen(watch: Watch, connectors: readonly ConnectorView[]): boolean {
  let needed = false;
  for (const c of connectors) {
    const before = watch.phases.get(c.id);
    if (c.phase === 'summary' && before !== 'summary') needed = true;
    if (DRIVER_FLOW.has(c.phase)) {
      if (!watch.inFlow.has(c.id)) needed = true;
    } else {
      watch.inFlow.delete(c.id);
    }
    watch.phases.set(c.id, c.phase);
  }
  return needed;
}

export function Menu({
  bridge,
  session,
  brainNow,
  time,
  onClosed,
}: {
  bridge: KioskBridge;
  session: TechSession;
  brainNow: () => number;
  time: StationTime;
  onClosed: (reason: CloseReason) => void;
}) {
  const { t } = useTranslation();
  const [page, setPage] = useState<PageId>('status');
  const connectors = useView(selectConnectors);
  const { token, technician, timeoutS } = session;

  const closed = useRef(false);
  const onClosedRef = useRef(onClosed);
  onClosedRef.current = onClosed;
  const close = useCallback(
    (reason: CloseReason) => {
      if (closed.current) return;
      closed.current = true;
      // The brain closed it already when it says the menu is gone; otherwise end it there too.
      if (reason !== 'expired') void bridge.tech({ type: 'logout' }, { token });
      onClosedRef.current(reason);
    },
    [bridge, token],
  );

  // Activity: the local inactivity timer, and `touch` to the brain at most every 10 s.
  const lastActivity = useRef(performance.now());
  const lastToBrain = useRef(performance.now());
  const trailing = useRef<ReturnType<typeof setTimeout> | null>(null);
  const sendTouch = useCallback(() => {
    if (closed.current) return;
    lastToBrain.current = performance.now();
    void bridge.tech({ type: 'touch' }, { token }).then((result) => {
      if (!result.ok && result.error.reason === 'noMenu') close('expired');
    });
  }, [bridge, token, close]);
  const activity = useCallback(() => {
    const now = performance.now();
    lastActivity.current = now;
    if (now - lastToBrain.current >= TOUCH_EVERY_MS) {
      sendTouch();
    } else if (trailing.current === null) {
      // The last touch of a burst reaches the brain too, once 10 s have passed since the one before.
      trailing.current = setTimeout(() => {
        trailing.current = null;
        if (lastActivity.current > lastToBrain.current) sendTouch();
      }, TOUCH_EVERY_MS - (now - lastToBrain.current));
    }
  }, [sendTouch]);

  useEffect(() => {
    const timer = setInterval(() => {
      if (performance.now() - lastActivity.current >= timeoutS * 1000) close('timeout');
    }, 250);
    return () => {
      clearInterval(timer);
      if (trailing.current !== null) clearTimeout(trailing.current);
    };
  }, [timeoutS, close]);

  // A driver who needs the screen gets it back.
  const [watch] = useState<Watch>(() => ({
    phases: new Map(connectors.map((c) => [c.id, c.phase])),
    inFlow: new Set(connectors.filter((c) => DRIVER_FLOW.has(c.phase)).map((c) => c.id)),
  }));
  useEffect(() => {
    if (driverNeedsScreen(watch, connectors)) close('driver');
  }, [watch, connectors, close]);

  const call = useCallback(
    async (command: TechCommand, options?: { background?: boolean }) => {
      const background = options?.background === true;
      if (!background) lastToBrain.current = performance.now();
      const result = await bridge.tech(command, background ? { token, background } : { token });
      if (!result.ok && result.error.reason === 'noMenu') close('expired');
      return result;
    },
    [bridge, token, close],
  ) as unknown as TechCall;
  const api = useMemo<TechApi>(() => ({ call, technician, brainNow, time }), [call, technician, brainNow, time]);

  const root = useRef<HTMLDivElement>(null);
  useEffect(() => {
    root.current?.focus();
  }, []);

  return (
    <TechContext.Provider value={api}>
      <div
        ref={root}
        className="maint-menu"
        role="dialog"
        aria-modal="true"
        aria-label={t('maintenance.menu.title')}
        tabIndex={-1}
        onPointerDownCapture={activity}
        onKeyDownCapture={activity}
      >
        <header className="maint-header">
          <h1 className="maint-heading">{t('maintenance.menu.heading', { technician })}</h1>
          <button type="button" className="maint-btn maint-btn--logout" onClick={() => close('logout')}>
            {t('maintenance.menu.logout')}
          </button>
        </header>
        <nav className="maint-tabs" aria-label={t('maintenance.menu.pages')}>
          {PAGES.map((p) => (
            <button
              key={p}
              type="button"
              className={p === page ? 'maint-tab maint-tab--current' : 'maint-tab'}
              aria-current={p === page ? 'page' : undefined}
              onClick={() => setPage(p)}
            >
              {t(`maintenance.tabs.${p}`)}
            </button>
          ))}
        </nav>
        <ConnectorStrip connectors={connectors} />
        <main className="maint-page">
          <Page page={page} />
        </main>
      </div>
    </TechContext.Provider>
  );
}

function Page({ page }: { page: PageId }) {
  switch (page) {
    case 'status':
      return <StatusPage />;
    case 'connectors':
      return <ConnectorsPage />;
    case 'prices':
      return <PricesPage />;
    case 'accounts':
      return <AccountsPage />;
    case 'payments':
      return <PaymentsPage />;
    case 'reports':
      return <ReportsPage />;
    case 'log':
      return <LogPage />;
  }
}

/** Each connector now, on every page: its phase and, while a session runs, its energy and cost. */
function ConnectorStrip({ connectors }: { connectors: readonly ConnectorView[] }) {
  const { t } = useTranslation();
  return (
    <ul className="maint-strip" aria-label={t('maintenance.strip.label')}>
      {connectors.map((c) => (
        <StripItem key={c.id} connector={c} />
      ))}
    </ul>
  );
}

function StripItem({ connector }: { connector: ConnectorView }) {
  const { t } = useTranslation();
  const session = connector.session;
  const f = useFormats(session?.currency ?? connector.tariff.currency);
  return (
    <li className={`maint-strip-item maint-strip-item--${connector.phase}`}>
      <span className="maint-strip-label">{t('maintenance.connector', { label: connector.label })}</span>
      <span>{t(`maintenance.phase.${connector.phase}`)}</span>
      {session && (
        <span className="maint-strip-session">{t('maintenance.strip.session', { energy: f.energy(session.energyWh), cost: f.money(session.costMinor) })}</span>
      )}
      {connector.service && <span className="maint-strip-service">{t('maintenance.strip.service')}</span>}
    </li>
  );
}
