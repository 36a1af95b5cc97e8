// Status: every device as the snapshot reports it (connected, where, firmware, when it
// last said anything, its errors), the alarms in words, and the test actions.
import { useEffect, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { Alarm, CardReadResult, ConnectorView, DeviceDiagnostics } from '../../../../electron/contract/index.js';
import { useView } from '../../store/StoreContext.js';
import { selectConnectors } from '../../store/selectors.js';
import type { ViewState } from '../../store/snapshot-store.js';
import { useAction, useTech } from '../tech.js';
import { agoParts } from '../time.js';
import { ActionMessage, Section } from '../ui.js';

const selectDevices = (s: ViewState) => s.snapshot?.devices ?? null;
const selectAlarms = (s: ViewState): Alarm[] => s.snapshot?.alarms ?? NO_ALARMS;
const NO_ALARMS: Alarm[] = [];

/** Re-renders every second, for "12 s ago". */
export function useSecondTick(): void {
  const [, setTick] = useState(0);
  useEffect(() => {
    const timer = setInterval(() => setTick((n) => n + 1), 1000);
    return () => clearInterval(timer);
  }, []);
}

export function StatusPage() {
  const { t } = useTranslation();
  const devices = useView(selectDevices);
  const alarms = useView(selectAlarms);
  const connectors = useView(selectConnectors);
  useSecondTick();
  const labelOf = (id: number | null) => (id === null ? null : (connectors.find((c) => c.id === id)?.label ?? String(id)));

  return (
    <div className="maint-stack">
      {alarms.length > 0 && <AlarmList alarms={alarms} labelOf={labelOf} />}
      <Section title={t('maintenance.status.devices')}>
        <div className="maint-cards">
          {devices?.chargers.map((charger) => {
            const connector = connectors.find((c) => c.id === charger.connectorId);
            return (
              <DeviceCard
                key={`charger-${charger.connectorId}`}
                name={t('maintenance.device.charger', { label: labelOf(charger.connectorId) })}
                device={charger}
              >
                {connector && <RelayTest connector={connector} />}
              </DeviceCard>
            );
          })}
          {devices?.terminal && <DeviceCard name={t('maintenance.device.terminal')} device={devices.terminal} />}
          {devices?.rfid && <DeviceCard name={t('maintenance.device.rfid')} device={devices.rfid} />}
          {devices?.printer && <DeviceCard name={t('maintenance.device.printer')} device={devices.printer} />}
        </div>
      </Section>
      <Tests hasPrinter={devices?.printer != null} canRead={devices?.rfid != null || devices?.terminal != null} />
      {alarms.length === 0 && <AlarmList alarms={alarms} labelOf={labelOf} />}
    </div>
  );
}

function AlarmList({ alarms, labelOf }: { alarms: Alarm[]; labelOf: (id: number | null) => string | null }) {
  const { t } = useTranslation();
  const { time } = useTech();
  return (
    <Section title={t('maintenance.status.alarms')}>
      {alarms.length === 0 ? (
        <p className="muted">{t('maintenance.status.noAlarms')}</p>
      ) : (
        <ul className="maint-list">
          {alarms.map((alarm, i) => {
            const label = labelOf(alarm.connectorId);
            return (
              <li key={`${alarm.kind}-${alarm.sessionId ?? ''}-${i}`} className="maint-alarm">
                <p className="maint-strong">{t(`maintenance.alarm.${alarm.kind}`)}</p>
                {label !== null && <p>{t('maintenance.connector', { label })}</p>}
                {alarm.sessionId && <p>{t('maintenance.alarm.session', { id: alarm.sessionId })}</p>}
                {alarm.detail && <p>{alarm.detail}</p>}
                <p className="muted">{t('maintenance.alarm.since', { time: time.dateTime(alarm.since) })}</p>
              </li>
            );
          })}
        </ul>
      )}
    </Section>
  );
}

export function Ago({ at }: { at: number }) {
  const { t } = useTranslation();
  const { brainNow, time } = useTech();
  const { unit, count } = agoParts(at, brainNow());
  return (
    <>
      {t(`maintenance.ago.${unit}`, { count })} <span className="muted">({time.time(at)})</span>
    </>
  );
}

function detailValue(t: ReturnType<typeof useTranslation>['t'], value: string | number | boolean | null): string {
  if (value === null) return t('maintenance.none');
  if (typeof value === 'boolean') return value ? t('maintenance.yes') : t('maintenance.no');
  return String(value);
}

function DeviceCard({ name, device, children }: { name: string; device: DeviceDiagnostics; children?: ReactNode }) {
  const { t } = useTranslation();
  // A printer without paper or with its cover open is there but cannot print: failing too.
  const failing = !device.online || (device.errorCount > 0 && device.lastError !== null) || device.details.paper === 'out' || device.details.coverOpen === true;
  return (
    <Section level={3} title={name} className={failing ? 'maint-device maint-device--error' : 'maint-device'}>
      <p className={device.online ? 'maint-online' : 'maint-offline'}>
        {device.online ? t('maintenance.device.online') : t('maintenance.device.offline')}
      </p>
      <dl className="maint-pairs">
        <Pair label={t('maintenance.device.kind')} value={device.kind} />
        <Pair label={t('maintenance.device.port')} value={device.port ?? t('maintenance.none')} />
        <Pair label={t('maintenance.device.firmware')} value={device.firmware ?? t('maintenance.none')} />
        <Pair label={t('maintenance.device.lastMessage')} value={device.lastMessageAt === null ? t('maintenance.device.never') : <Ago at={device.lastMessageAt} />} />
        <Pair label={t('maintenance.device.errorCount')} value={String(device.errorCount)} />
        {device.lastError !== null && <Pair label={t('maintenance.device.lastError')} value={device.lastError} strong={failing} />}
        {Object.entries(device.details).map(([key, value]) => (
          <Pair key={key} label={key} value={detailValue(t, value)} />
        ))}
      </dl>
      {children}
    </Section>
  );
}

export function Pair({ label, value, strong = false }: { label: ReactNode; value: ReactNode; strong?: boolean }) {
  return (
    <div className={strong ? 'maint-pair maint-pair--strong' : 'maint-pair'}>
      <dt>{label}</dt>
      <dd>{value}</dd>
    </div>
  );
}

function Tests({ hasPrinter, canRead }: { hasPrinter: boolean; canRead: boolean }) {
  const { t } = useTranslation();
  const { call } = useTech();
  const print = useAction();
  const read = useAction();
  const readText = (card: CardReadResult): string => {
    if (card.source === 'terminal') return t('maintenance.tests.readBankCard', { pan: card.maskedPan ?? t('maintenance.none') });
    const uid = card.uid ?? t('maintenance.none');
    return card.account === null ? t('maintenance.tests.readTagNoAccount', { uid }) : t('maintenance.tests.readTag', { uid, account: card.account });
  };
  return (
    <Section title={t('maintenance.tests.title')}>
      <div className="maint-tests">
        <div className="maint-test">
          <button type="button" className="maint-btn" disabled={!hasPrinter || print.busy} onClick={() => void print.run(() => call({ type: 'testPrint' }), () => t('maintenance.tests.printed'))}>
            {t('maintenance.tests.print')}
          </button>
          {!hasPrinter && <p className="muted">{t('maintenance.tests.noPrinter')}</p>}
          <ActionMessage state={print} />
        </div>
        <div className="maint-test">
          <button
            type="button"
            className="maint-btn"
            disabled={!canRead || read.busy}
            onClick={() => void read.run(() => call({ type: 'readCard' }), readText, t('maintenance.tests.holdCard'))}
          >
            {t('maintenance.tests.readCard')}
          </button>
          <ActionMessage state={read} />
        </div>
      </div>
    </Section>
  );
}

/** Only on a free connector with no car plugged in: the brain refuses it otherwise too. */
function RelayTest({ connector }: { connector: ConnectorView }) {
  const { t } = useTranslation();
  const { call } = useTech();
  const relay = useAction();
  const possible = connector.phase === 'available' && !connector.vehiclePlugged;
  return (
    <div className="maint-test">
      <button
        type="button"
        className="maint-btn"
        disabled={!possible || relay.busy}
        onClick={() =>
          void relay.run(
            () => call({ type: 'relayTest', connectorId: connector.id }),
            (data) => t('maintenance.tests.relayDone', { ms: data.enabledMs }),
            t('maintenance.tests.relayRunning'),
          )
        }
      >
        {t('maintenance.tests.relay')}
      </button>
      {!possible && <p className="muted">{t('maintenance.tests.relayNotNow')}</p>}
      <ActionMessage state={relay} />
    </div>
  );
}
