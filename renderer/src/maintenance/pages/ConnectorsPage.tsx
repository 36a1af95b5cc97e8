// Connectors: each one's phase and running session, taking it (or the whole station)
// out of service with a note drivers read, putting it back, and ending a session for a
// driver who lost both the card and the stop code. A running session goes on when its
// connector is taken out of service.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ConnectorView } from '../../../../electron/contract/index.js';
import { useFormats } from '../../format/useFormats.js';
import { useView } from '../../store/StoreContext.js';
import { selectConnectors, selectStation } from '../../store/selectors.js';
import { useAction, useTech } from '../tech.js';
import { ActionMessage, ReasonForm, Section } from '../ui.js';
import { Pair } from './StatusPage.js';

export function ConnectorsPage() {
  const connectors = useView(selectConnectors);
  return (
    <div className="maint-stack">
      <StationService connectors={connectors} />
      {connectors.map((c) => (
        <ConnectorCard key={c.id} connector={c} />
      ))}
    </div>
  );
}

function usePresets(): string[] {
  const { t } = useTranslation();
  return [t('maintenance.service.presetMaintenance'), t('maintenance.service.presetRepair'), t('maintenance.service.presetTesting')];
}

/** Out of service, or back: the form that asks why, and what the brain said. */
function ServiceControl({ connectorId, inService, name }: { connectorId: number | null; inService: boolean; name: string }) {
  const { t } = useTranslation();
  const { call } = useTech();
  const action = useAction();
  const presets = usePresets();
  const [asking, setAsking] = useState(false);
  const label = inService ? t('maintenance.service.takeOut') : t('maintenance.service.putBack');
  const submit = async (reason: string) => {
    const result = await action.run(
      () => call({ type: 'setService', connectorId, inService: !inService, reason }),
      () => (inService ? t('maintenance.service.tookOut', { name }) : t('maintenance.service.putBackDone', { name })),
    );
    if (result.ok) setAsking(false);
  };
  return (
    <div className="maint-control">
      {asking ? (
        <ReasonForm
          confirmLabel={label}
          reasonLabel={inService ? t('maintenance.service.noteLabel') : undefined}
          presets={inService ? presets : undefined}
          busy={action.busy}
          danger={inService}
          onSubmit={(reason) => void submit(reason)}
          onCancel={() => setAsking(false)}
        />
      ) : (
        <button
          type="button"
          className="maint-btn"
          onClick={() => {
            action.clear();
            setAsking(true);
          }}
        >
          {label}
        </button>
      )}
      <ActionMessage state={action} />
    </div>
  );
}

function StationService({ connectors }: { connectors: ConnectorView[] }) {
  const { t } = useTranslation();
  const { time } = useTech();
  const station = useView(selectStation);
  if (!station) return null;
  const byTechnician = station.outOfServiceReason === 'technician';
  const since = connectors.find((c) => c.service?.station)?.service?.since ?? null;
  const name = t('maintenance.service.station');
  return (
    <Section title={name}>
      {station.serviceState === 'inService' ? (
        <p>{t('maintenance.service.inService')}</p>
      ) : (
        <div className="maint-out">
          <p className="maint-strong">
            {station.outOfServiceReason === 'storage' ? t('maintenance.service.stationStorage') : t('maintenance.service.outOfService')}
          </p>
          {station.serviceNote && <p>{t('maintenance.service.note', { note: station.serviceNote })}</p>}
          {since !== null && <p className="muted">{t('maintenance.service.since', { time: time.dateTime(since) })}</p>}
        </div>
      )}
      {station.outOfServiceReason !== 'storage' && <ServiceControl connectorId={null} inService={!byTechnician} name={name} />}
    </Section>
  );
}

function ConnectorCard({ connector }: { connector: ConnectorView }) {
  const { t } = useTranslation();
  const { time } = useTech();
  const session = connector.session;
  const f = useFormats(session?.currency ?? connector.tariff.currency);
  const name = t('maintenance.connector', { label: connector.label });
  const service = connector.service;
  return (
    <Section title={t('maintenance.connectors.title', { name, phase: t(`maintenance.phase.${connector.phase}`) })}>
      <dl className="maint-pairs">
        <Pair label={t('maintenance.connectors.vehicle')} value={connector.vehiclePlugged ? t('maintenance.connectors.plugged') : t('maintenance.connectors.notPlugged')} />
        {connector.problem && <Pair label={t('maintenance.connectors.problem')} value={connector.problem} />}
        {session && (
          <>
            <Pair label={t('maintenance.connectors.session')} value={session.id} />
            <Pair label={t('maintenance.connectors.energy')} value={f.energy(session.energyWh)} />
            <Pair label={t('maintenance.connectors.cost')} value={f.money(session.costMinor)} />
            <Pair label={t('maintenance.connectors.elapsed')} value={f.duration(session.elapsedS)} />
            <Pair label={t('maintenance.connectors.paidBy')} value={t(`maintenance.method.${session.method}`)} />
          </>
        )}
      </dl>
      {service ? (
        <div className="maint-out">
          <p className="maint-strong">{service.station ? t('maintenance.service.withStation') : t('maintenance.service.outOfService')}</p>
          <p>{t('maintenance.service.note', { note: service.note })}</p>
          <p className="muted">{t('maintenance.service.since', { time: time.dateTime(service.since) })}</p>
        </div>
      ) : (
        <p>{t('maintenance.service.inService')}</p>
      )}
      {!service?.station && <ServiceControl connectorId={connector.id} inService={service === null} name={name} />}
      {session && <EndSession connector={connector} />}
    </Section>
  );
}

function EndSession({ connector }: { connector: ConnectorView }) {
  const { t } = useTranslation();
  const { call } = useTech();
  const action = useAction();
  const [asking, setAsking] = useState(false);
  const submit = async (reason: string) => {
    const result = await action.run(
      () => call({ type: 'endSession', connectorId: connector.id, reason }),
      () => t('maintenance.connectors.ended'),
    );
    if (result.ok) setAsking(false);
  };
  return (
    <div className="maint-control">
      {asking ? (
        <ReasonForm confirmLabel={t('maintenance.connectors.endSession')} danger busy={action.busy} onSubmit={(r) => void submit(r)} onCancel={() => setAsking(false)} />
      ) : (
        <button
          type="button"
          className="maint-btn maint-btn--danger"
          onClick={() => {
            action.clear();
            setAsking(true);
          }}
        >
          {t('maintenance.connectors.endSession')}
        </button>
      )}
      <ActionMessage state={action} />
    </div>
  );
}
