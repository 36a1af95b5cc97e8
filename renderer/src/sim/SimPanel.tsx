// Controls of the simulated devices. Not part of the kiosk: shown only when the
// brain runs simulated hardware (snapshot.sim), beside the driver's screen. It folds
// away to a narrow strip (remembered in this browser), giving the driver's screen the width.
import { memo, useCallback, useId, useMemo, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import type { CardOutcome, SimCommand, SimRfidCard, SimView } from '../../../electron/contract/index.js';
import { useCommands } from '../commands/CommandContext.js';
import { useFormats, type UnitFormats } from '../format/useFormats.js';
import { useView } from '../store/StoreContext.js';
import { selectConnectors } from '../store/selectors.js';
import type { ViewState } from '../store/snapshot-store.js';

/**
 * A button for every outcome the contract knows, in this order. Keyed by CardOutcome, so
 * a new outcome does not compile without its button (nor its button without a label).
 * Not CardOutcome.options: that would load zod into the screen for one list. The generic
 * terminal refuses what it cannot play, and the refusal shows in the panel.
 */
const OUTCOME_ORDER: Record<CardOutcome, true> = {
  approve: true,
  decline: true,
  insufficientFunds: true,
  cardExpired: true,
  pin: true,
  timeout: true,
  cardRemoved: true,
  busy: true,
  lateApproval: true,
};
const OUTCOMES = Object.keys(OUTCOME_ORDER) as CardOutcome[];

const FOLDED_KEY = 'kiosk.simPanel.folded';

/** Whether the panel is folded away, kept in localStorage; unfolded unless this browser folded it. */
export function useSimPanelFolded(): [boolean, (folded: boolean) => void] {
  const [folded, setFolded] = useState(() => readFolded());
  const change = useCallback((next: boolean) => {
    setFolded(next);
    try {
      if (next) localStorage.setItem(FOLDED_KEY, '1');
      else localStorage.removeItem(FOLDED_KEY);
    } catch {
      // no storage (a private window): folded until the page reloads
    }
  }, []);
  return [folded, change];
}

function readFolded(): boolean {
  try {
    return localStorage.getItem(FOLDED_KEY) === '1';
  } catch {
    return false;
  }
}

export function SimPanel({ sim, folded, onFold }: { sim: SimView; folded: boolean; onFold: (folded: boolean) => void }) {
  const { t } = useTranslation();
  if (folded) {
    return (
      <aside className="sim sim--folded" aria-label={t('sim.title')}>
        <button type="button" className="sim-btn sim-fold" aria-expanded={false} aria-label={t('sim.unfoldLabel')} onClick={() => onFold(false)}>
          {t('sim.unfold')}
        </button>
      </aside>
    );
  }
  return <SimControls sim={sim} onFold={() => onFold(true)} />;
}

/**
 * The connectors' labels as one string ("1\u00002\u0001…"): a primitive, so a snapshot that
 * changes a connector but not its label does not re-render the panel.
 */
const selectLabels = (s: ViewState): string => selectConnectors(s).map((c) => `${c.id}\u0000${c.label}`).join('\u0001');

type Run = (command: SimCommand) => Promise<void>;

/**
 * The panel's controls. Each part is memoised on its own slice of the snapshot (kept as the
 * same objects when unchanged, see share-unchanged.ts), so a snapshot that changes nothing
 * in the panel renders nothing here, and one that changes a charger renders that charger.
 */
function SimControls({ sim, onFold }: { sim: SimView; onFold: () => void }) {
  const { t } = useTranslation();
  const { sim: sendSim } = useCommands();
  const labelText = useView(selectLabels);
  const labels = useMemo(() => new Map(labelText.split('\u0001').map((pair) => pair.split('\u0000') as [string, string])), [labelText]);
  const [error, setError] = useState<string | null>(null);
  const headingId = useId();

  const run = useCallback<Run>(
    async (command) => {
      const result = await sendSim(command);
      setError(result.ok ? null : result.error.message);
    },
    [sendSim],
  );

  return (
    <aside className="sim" aria-labelledby={headingId}>
      <div className="sim-head">
        <h2 id={headingId} className="sim-title">
          {t('sim.title')}
        </h2>
        <button type="button" className="sim-btn sim-fold" aria-expanded={true} aria-label={t('sim.foldLabel')} onClick={onFold}>
          {t('sim.fold')}
        </button>
      </div>
      <p className="sim-hint">{t('sim.hint')}</p>
      {error && (
        <p className="sim-error" role="alert">
          {t('sim.failed', { message: error })}
        </p>
      )}

      {sim.chargers && (
        <section className="sim-section">
          <h3>{t('sim.chargers')}</h3>
          {sim.chargers.map((c) => (
            <ChargerRow key={c.connectorId} charger={c} label={labels.get(String(c.connectorId)) ?? String(c.connectorId)} run={run} />
          ))}
        </section>
      )}

      {sim.terminal && <TerminalSection terminal={sim.terminal} run={run} />}

      {sim.rfid && <RfidReader cards={sim.rfid.cards} run={run} />}

      {sim.printer && <PrinterSection printer={sim.printer} run={run} />}
    </aside>
  );
}

type SimCharger = NonNullable<SimView['chargers']>[number];

const ChargerRow = memo(function ChargerRow({ charger: c, label, run }: { charger: SimCharger; label: string; run: Run }) {
  const { t } = useTranslation();
  return (
    <div role="group" aria-label={t('sim.charger', { label })} className="sim-charger">
      <p className="sim-charger-title">
        <strong>{t('sim.charger', { label })}</strong>{' '}
        {t('sim.status', {
          plugged: c.plugged ? t('sim.plugged') : t('sim.unplugged'),
          fault: c.fault ? t('sim.faulted') : t('sim.noFault'),
          charging: c.charging ? t('sim.charging') : t('sim.idle'),
        })}
      </p>
      <div className="sim-buttons">
        <button type="button" className="sim-btn" onClick={() => void run({ type: 'plug', connectorId: c.connectorId, plugged: !c.plugged })}>
          {c.plugged ? t('sim.unplug') : t('sim.plugIn')}
        </button>
        <button type="button" className="sim-btn" onClick={() => void run({ type: 'fault', connectorId: c.connectorId, fault: !c.fault })}>
          {c.fault ? t('sim.clearFault') : t('sim.raiseFault')}
        </button>
        <button type="button" className="sim-btn" disabled={!c.plugged} onClick={() => void run({ type: 'vehicleFull', connectorId: c.connectorId })}>
          {t('sim.vehicleFull')}
        </button>
        <button type="button" className="sim-btn" onClick={() => void run({ type: 'reboot', connectorId: c.connectorId })}>
          {t('sim.reboot')}
        </button>
      </div>
    </div>
  );
});

const TerminalSection = memo(function TerminalSection({ terminal, run }: { terminal: NonNullable<SimView['terminal']>; run: Run }) {
  const { t } = useTranslation();
  return (
    <section className="sim-section">
      <h3>{t('sim.terminal')}</h3>
      <p className="sim-protocol">{t('sim.simulates', { protocol: t(`sim.protocol.${terminal.protocol}`) })}</p>
      <div role="group" aria-label={t('sim.outcomeLabel')} className="sim-buttons sim-outcomes">
        {OUTCOMES.map((outcome) => (
          <button
            key={outcome}
            type="button"
            className="sim-btn"
            aria-pressed={terminal.nextOutcome === outcome}
            onClick={() => void run({ type: 'cardOutcome', outcome })}
          >
            {t(`sim.outcome.${outcome}`)}
          </button>
        ))}
      </div>
      <p>{t('sim.nextOutcome', { outcome: t(`sim.outcome.${terminal.nextOutcome}`) })}</p>
      <p>{t('sim.openHolds', { count: terminal.openHolds })}</p>
      {terminal.protocol === 'zvt' && (
        // A card held to the reader outside a payment: tap to start, stop by the same card.
        <div role="group" aria-label={t('sim.tapLabel')} className="sim-buttons">
          <button type="button" className="sim-btn" onClick={() => void run({ type: 'tapCard', card: 'first' })}>
            {t('sim.tapFirst')}
          </button>
          <button type="button" className="sim-btn" onClick={() => void run({ type: 'tapCard', card: 'second' })}>
            {t('sim.tapSecond')}
          </button>
        </div>
      )}
    </section>
  );
});

const PrinterSection = memo(function PrinterSection({ printer, run }: { printer: NonNullable<SimView['printer']>; run: Run }) {
  const { t } = useTranslation();
  return (
    <section className="sim-section">
      <h3>{t('sim.printer')}</h3>
      <p>{t('sim.printed', { count: printer.printed })}</p>
      <div role="group" aria-label={t('sim.printerPaper')} className="sim-buttons">
        {(['ok', 'low', 'out'] as const).map((paper) => (
          <button key={paper} type="button" className="sim-btn" aria-pressed={printer.paper === paper} onClick={() => void run({ type: 'printer', paper })}>
            {t(`sim.paper.${paper}`)}
          </button>
        ))}
        <button type="button" className="sim-btn" onClick={() => void run({ type: 'printer', coverOpen: !printer.coverOpen })}>
          {printer.coverOpen ? t('sim.closeCover') : t('sim.openCover')}
        </button>
      </div>
      {printer.lastReceipt ? (
        <figure className="sim-receipt">
          <figcaption>{t('sim.lastReceipt')}</figcaption>
          <pre>{printer.lastReceipt}</pre>
          {printer.lastQr && <p className="sim-qr">{t('sim.lastQr', { payload: printer.lastQr })}</p>}
        </figure>
      ) : (
        <p>{t('sim.noReceipt')}</p>
      )}
    </section>
  );
});

/** The simulated RFID reader: the demo cards, labelled from what the accounts make of them now, and any UID. */
const RfidReader = memo(function RfidReader({ cards, run }: { cards: SimRfidCard[]; run: Run }) {
  const { t } = useTranslation();
  const f = useFormats();
  const [uid, setUid] = useState('');
  const uidId = useId();
  const uidHintId = useId();
  const tapUid = (event: FormEvent) => {
    event.preventDefault();
    if (uid.trim() !== '') void run({ type: 'tag', uid: uid.trim() });
  };

  return (
    <section className="sim-section">
      <h3>{t('sim.rfid')}</h3>
      <div role="group" aria-label={t('sim.rfidCards')} className="sim-buttons sim-rfid-cards">
        {cards.map((card) => {
          const label = card.account ?? t('sim.rfidUnknown');
          const detail = rfidCardDetail(t, f, card);
          return (
            <button
              key={card.uid}
              type="button"
              className="sim-btn"
              aria-label={t('sim.rfidTap', { label })}
              title={card.uid}
              onClick={() => void run({ type: 'tag', uid: card.uid })}
            >
              {detail === null ? label : t('sim.rfidCard', { label, detail })}
            </button>
          );
        })}
      </div>
      <form className="sim-uid" onSubmit={tapUid}>
        <label htmlFor={uidId}>{t('sim.rfidUid')}</label>
        <div className="sim-uid-row">
          <input
            id={uidId}
            className="sim-input"
            value={uid}
            onChange={(event) => setUid(event.target.value)}
            aria-describedby={uidHintId}
            autoComplete="off"
            autoCapitalize="characters"
            spellCheck={false}
          />
          <button type="submit" className="sim-btn" disabled={uid.trim() === ''}>
            {t('sim.rfidTapUid')}
          </button>
        </div>
        <p id={uidHintId} className="sim-hint">
          {t('sim.rfidUidHint')}
        </p>
      </form>
    </section>
  );
});

/** What a demo card is now: blocked, its balance, on account; null for a card no account knows. */
function rfidCardDetail(t: TFunction, f: UnitFormats, card: SimRfidCard): string | null {
  if (card.account === null) return null;
  if (card.blocked) return t('sim.rfidBlocked');
  if (card.type === 'account') return t('sim.rfidOnAccount');
  return card.balanceMinor === null ? t('sim.rfidPrepaid') : f.money(card.balanceMinor);
}
