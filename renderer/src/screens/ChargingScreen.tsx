import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ConnectorView, SessionView } from '../../../electron/contract/index.js';
import { useCommands } from '../commands/CommandContext.js';
import { Figure } from '../components/Figure.js';
import { BackToStartButton } from '../components/BackToStart.js';
import { FlowTitle } from '../components/FlowTitle.js';
import { accountText, CardOnReaderIcon, paidByStationCard } from '../components/StationCard.js';
import { Spoken } from '../components/Spoken.js';
import { StopKeypad } from '../components/StopKeypad.js';
import { useFormats } from '../format/useFormats.js';

export function ChargingScreen({ connector }: { connector: ConnectorView }) {
  const { t } = useTranslation();
  const [keypadOpen, setKeypadOpen] = useState(false);
  const session = connector.session;
  const connectorId = connector.id;
  // A station card stops its session when held to the reader again, besides the stop code.
  const stopByCard = session !== null && paidByStationCard(session);
  const stopHintId = useId();

  return (
    <div className="flow flow--charging">
      <FlowTitle connector={connector}>{t('charging.title')}</FlowTitle>
      {session?.stopCode && <StopCodeNotice code={session.stopCode} connectorId={connectorId} />}
      {session && <LiveFigures session={session} />}
      <div className="actions">
        <button
          type="button"
          className="btn btn-danger btn-lg"
          aria-describedby={stopByCard ? stopHintId : undefined}
          onClick={() => setKeypadOpen(true)}
        >
          {t('actions.stopCharging')}
        </button>
        {stopByCard && (
          <p id={stopHintId} className="stop-by-card">
            <CardOnReaderIcon />
            {t('charging.stopByCard')}
          </p>
        )}
        <BackToStartButton />
      </div>
      {keypadOpen && <StopKeypad connectorId={connectorId} onClose={() => setKeypadOpen(false)} />}
    </div>
  );
}

function StopCodeNotice({ code, connectorId }: { code: string; connectorId: number }) {
  const { t } = useTranslation();
  const { send } = useCommands();
  return (
    <div className="stop-code" role="alert">
      <div className="stop-code-text">
        <p className="stop-code-title">
          {t('charging.stopCodeTitle')} <span className="stop-code-digits">{code}</span>
        </p>
        <p>{t('charging.stopCodeHint')}</p>
      </div>
      <button type="button" className="btn btn-primary" onClick={() => void send({ type: 'ackStopCode', connectorId })}>
        {t('actions.okNoted')}
      </button>
    </div>
  );
}

function LiveFigures({ session }: { session: SessionView }) {
  const { t } = useTranslation();
  const f = useFormats(session.currency);
  // Screen readers hear whole kWh only, not every meter reading.
  const announcedEnergy = f.energySpoken(Math.floor(session.energyWh / 1000) * 1000);
  return (
    <>
      <dl className="figures">
        <Figure size="xl" label={t('charging.energy')} value={<Spoken text={f.energy(session.energyWh)} spoken={f.energySpoken(session.energyWh)} />} />
        <Figure size="lg" label={t('charging.cost')} value={<Spoken text={f.money(session.costMinor)} spoken={f.moneySpoken(session.costMinor)} />} />
        <Figure label={t('charging.power')} value={<Spoken text={f.power(session.powerW)} spoken={f.powerSpoken(session.powerW)} />} />
        <Figure label={t('charging.elapsed')} value={<Spoken text={f.duration(session.elapsedS)} spoken={f.durationSpoken(session.elapsedS)} />} />
        <Figure label={t(limitLabel(session))} value={<Spoken text={f.money(session.limitMinor)} spoken={f.moneySpoken(session.limitMinor)} />} />
      </dl>
      <LimitBar session={session} label={t(limitLabel(session))} />
      {session.account && (
        <p className="account-line">
          <Spoken text={accountText(t, f, session.account, session.limitMinor)} spoken={accountText(t, f, session.account, session.limitMinor, true)} />
        </p>
      )}
      <p className="sr-only" aria-live="polite" aria-atomic="true">
        {t('charging.announce', { energy: announcedEnergy })}
      </p>
    </>
  );
}

/** How much of the session's limit the cost has used: a sense of progress at a glance (the figures say it exactly). */
function LimitBar({ session, label }: { session: SessionView; label: string }) {
  const { t } = useTranslation();
  const f = useFormats(session.currency);
  const limit = Math.max(1, session.limitMinor);
  const percent = Math.min(100, Math.round((session.costMinor / limit) * 100));
  const text = t('charging.usedOfLimit', { cost: f.moneySpoken(session.costMinor), limit: f.moneySpoken(session.limitMinor), what: label });
  return (
    <div className="limit-bar" role="img" aria-label={text}>
      <div className="limit-bar-fill" style={{ width: `${percent}%` }} />
    </div>
  );
}

/** What the session's limit is: the hold on a bank card, the part of a prepaid balance reserved, an account's limit. */
function limitLabel(session: SessionView): 'charging.heldLabel' | 'charging.reservedLabel' | 'charging.limitLabel' {
  if (!session.account) return 'charging.heldLabel';
  return session.account.type === 'prepaid' ? 'charging.reservedLabel' : 'charging.limitLabel';
}
