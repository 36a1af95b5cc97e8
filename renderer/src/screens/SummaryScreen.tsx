import { useEffect, useId, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import type { AccountView, ConnectorView, SessionSummary } from '../../../electron/contract/index.js';
import { useCommands } from '../commands/CommandContext.js';
import { CountdownLine } from '../components/Countdown.js';
import { FlowTitle } from '../components/FlowTitle.js';
import { Modal } from '../components/ModalLayer.js';
import { QrImage } from '../components/QrImage.js';
import { Spinner } from '../components/Spinner.js';
import { Spoken } from '../components/Spoken.js';
import { costLineParts, vatRateLabel } from '../format/price-text.js';
import { useFormats, type UnitFormats } from '../format/useFormats.js';
import { useView } from '../store/StoreContext.js';
import { selectPrinter } from '../store/selectors.js';

export function SummaryScreen({ connector }: { connector: ConnectorView }) {
  const { t } = useTranslation();
  const summary = connector.lastSummary;
  const f = useFormats(summary?.currency ?? connector.tariff.currency);
  const { send } = useCommands();
  const connectorId = connector.id;
  const writtenOff = (summary?.writtenOffMinor ?? 0) > 0;
  // The station account paid from, with its balance after the session; null for a bank card.
  const account = summary?.account ?? null;
  const done = (
    <div className="actions">
      <button type="button" className="btn btn-primary btn-lg btn-wide" onClick={() => void send({ type: 'closeSummary', connectorId })}>
        {t('actions.done')}
      </button>
      {connector.countdown?.kind === 'summary' && <CountdownLine countdown={connector.countdown} messageKey="summary.countdown" className="countdown countdown--quiet" />}
    </div>
  );

  return (
    <div className="summary">
      {summary ? (
        <div className="summary-body">
          <div className="summary-costs">
            <FlowTitle connector={connector}>{t('summary.title')}</FlowTitle>
            <p className="lead">{t('summary.thanks')}</p>
            {summary.stopReason && <p className="muted">{t(`stopReason.${summary.stopReason}`)}</p>}
            <dl className="rows">
              <Row label={t('summary.energy')} value={<Spoken text={f.energy(summary.energyWh)} spoken={f.energySpoken(summary.energyWh)} />} />
              <Row label={t('summary.duration')} value={<Spoken text={f.duration(summary.durationS)} spoken={f.durationSpoken(summary.durationS)} />} />
              <Row label={t('summary.chargingTime')} value={<Spoken text={f.duration(summary.chargingS)} spoken={f.durationSpoken(summary.chargingS)} />} />
            </dl>
            <CostRows summary={summary} />
            <dl className="rows">
              <Row label={t('summary.paidBy')} value={paidByText(t, summary)} />
              <Row label={t(takenLabel(account))} value={<Money f={f} minor={summary.capturedMinor} />} strong />
              {writtenOff && <Row label={t('summary.writtenOff')} value={<Money f={f} minor={summary.writtenOffMinor} />} />}
            </dl>
            {account?.type === 'prepaid' && account.balanceMinor !== null && (
              <p className="summary-balance">
                <Spoken text={t('summary.newBalance', { amount: f.money(account.balanceMinor) })} spoken={t('summary.newBalance', { amount: f.moneySpoken(account.balanceMinor) })} />
              </p>
            )}
            {account?.type === 'account' && <p className="account-line">{t('stationCard.onAccount', { name: account.name })}</p>}
          </div>
          <div className="summary-side">
            {summary.noCharge && <p className="callout callout--info">{t(account ? 'summary.noChargeStationCard' : 'summary.noCharge')}</p>}
            {summary.parkingCapped && (
              <p className="callout callout--info">{t(account ? 'summary.parkingCappedNoteLimit' : 'summary.parkingCappedNote')}</p>
            )}
            {writtenOff && <p className="callout callout--info">{t(account ? 'summary.writtenOffNoteLimit' : 'summary.writtenOffNote')}</p>}
            <Receipt summary={summary} connectorId={connectorId} />
            {done}
          </div>
        </div>
      ) : (
        <div className="flow">
          <FlowTitle connector={connector}>{t('summary.title')}</FlowTitle>
          <p className="lead">{t('summary.unavailable')}</p>
          {done}
        </div>
      )}
    </div>
  );
}

/** "Bank card •••• 0001", or the station card's kind and account: "Prepaid card, Demo prepaid". */
function paidByText(t: TFunction, summary: SessionSummary): string {
  const account = summary.account;
  if (account) return t(account.type === 'prepaid' ? 'summary.prepaidCard' : 'summary.accountCard', { name: account.name });
  return summary.maskedPan ? t('summary.cardPan', { pan: summary.maskedPan }) : t('summary.card');
}

function takenLabel(account: AccountView | null): 'summary.taken' | 'summary.takenBalance' | 'summary.takenAccount' {
  if (!account) return 'summary.taken';
  return account.type === 'prepaid' ? 'summary.takenBalance' : 'summary.takenAccount';
}

/**
 * The priced cost: each line with its quantity and unit price, the net, the VAT per
 * rate and the total, all as the brain rounded them: the rows add up, as on the
 * receipt. A session that delivered nothing has no lines, only its zero total.
 */
function CostRows({ summary }: { summary: SessionSummary }) {
  const { t } = useTranslation();
  const f = useFormats(summary.currency);
  const writtenOff = summary.writtenOffMinor > 0;
  return (
    <dl className="rows rows--money">
      {!summary.noCharge && (
        <>
          {summary.lines.map((line, i) => {
            const { name, detail } = costLineParts(t, f, line);
            const spokenDetail = costLineParts(t, f, line, true).detail;
            const label = detail === null ? name : (
              <>
                {name} <Spoken className="row-detail" text={detail} spoken={spokenDetail ?? detail} />
              </>
            );
            return <Row key={`${line.kind}-${i}`} label={label} value={<Money f={f} minor={line.amountMinor} />} />;
          })}
          <Row label={t('summary.net')} value={<Money f={f} minor={summary.netMinor} />} muted />
          {summary.vatRates.map((rate) => (
            <Row key={rate.vatPercent ?? 'none'} label={vatRateLabel(t, f, rate)} value={<Money f={f} minor={rate.vatMinor} />} muted />
          ))}
        </>
      )}
      <Row label={writtenOff ? t('summary.priced') : t('summary.total')} value={<Money f={f} minor={summary.costMinor} />} strong />
    </dl>
  );
}

/** An amount, shown with the currency's symbol and said with its name. */
function Money({ f, minor }: { f: UnitFormats; minor: number }) {
  return <Spoken text={f.money(minor)} spoken={f.moneySpoken(minor)} />;
}

function Row({ label, value, strong, muted }: { label: ReactNode; value: ReactNode; strong?: boolean; muted?: boolean }) {
  const cls = ['row', strong ? 'row--strong' : '', muted ? 'row--muted' : ''].filter(Boolean).join(' ');
  return (
    <div className={cls}>
      <dt>{label}</dt>
      <dd>{value}</dd>
    </div>
  );
}

/**
 * The receipt: printed and as a QR code are both always on offer (a driver who printed may
 * still want it on the phone, one who said "no receipt" may change their mind); what was
 * done last is said above them.
 */
function Receipt({ summary, connectorId }: { summary: SessionSummary; connectorId: number }) {
  const { t } = useTranslation();
  const { send } = useCommands();
  const printer = useView(selectPrinter); // null: the station has no printer, so none is offered
  const headingId = useId();
  const printerAvailable = printer?.available ?? false;
  const choose = (receipt: 'print' | 'qr' | 'none') => void send({ type: 'chooseReceipt', connectorId, receipt });
  // The QR code opens over the screen, as large as it fits, when the brain has it (a failed print falls back to it too).
  const [qrOpen, setQrOpen] = useState(false);
  useEffect(() => {
    if (summary.receipt === 'qr') setQrOpen(true);
  }, [summary.receipt]);

  let status;
  switch (summary.receipt) {
    case 'pending':
      status = <p>{t('summary.receiptQuestion')}</p>;
      break;
    case 'qr':
      status = <p>{t('summary.qrHint')}</p>;
      break;
    case 'printing':
      status = (
        <p className="status-line" role="status">
          <Spinner /> {t('summary.printing')}
        </p>
      );
      break;
    case 'printed':
      status = (
        <div role="status">
          <p className="callout-title">{t('summary.printed')}</p>
          <p>{t('summary.printedHint')}</p>
        </div>
      );
      break;
    case 'printFailed':
      status = (
        <p className="callout callout--problem" role="alert">
          {t('summary.printFailed')}
        </p>
      );
      break;
    case 'none':
      status = <p>{t('summary.none')}</p>;
      break;
  }

  return (
    <section className="receipt" aria-labelledby={headingId}>
      <h2 id={headingId}>{t('summary.receiptTitle')}</h2>
      {summary.receiptNumber != null && <p className="muted">{t('summary.receiptNumber', { number: summary.receiptNumber })}</p>}
      {status}
      <div className="actions actions--stack">
        {printer && (
          <button type="button" className="btn btn-secondary" disabled={!printerAvailable || summary.receipt === 'printing'} onClick={() => choose('print')}>
            {summary.receipt === 'printed' ? t('actions.printAgain') : t('actions.printReceipt')}
          </button>
        )}
        {printer && !printerAvailable && <p className="muted">{t('summary.printerUnavailable')}</p>}
        <button type="button" className="btn btn-secondary" onClick={() => (summary.receipt === 'qr' ? setQrOpen(true) : choose('qr'))}>
          {t('actions.showQr')}
        </button>
        {summary.receipt === 'pending' && (
          <button type="button" className="btn btn-secondary" onClick={() => choose('none')}>
            {t('actions.noReceipt')}
          </button>
        )}
      </div>
      {qrOpen && summary.receipt === 'qr' && <QrDialog summary={summary} connectorId={connectorId} onClose={() => setQrOpen(false)} />}
    </section>
  );
}

/** The receipt's QR code, large enough for a phone at arm's length; Done ends the summary from here too. */
function QrDialog({ summary, connectorId, onClose }: { summary: SessionSummary; connectorId: number; onClose: () => void }) {
  const { t } = useTranslation();
  const { send } = useCommands();
  return (
    <Modal title={t('summary.qrTitle')} className="qr-dialog">
      {summary.receiptQr ? (
        <QrImage text={summary.receiptQr} alt={t('summary.qrAlt')} preparing={t('summary.qrPreparing')} failed={t('summary.qrFailed')} />
      ) : (
        <p role="status">{t('summary.qrPreparing')}</p>
      )}
      <p>{t('summary.qrHint')}</p>
      <div className="actions">
        <button type="button" className="btn btn-primary btn-lg" onClick={() => void send({ type: 'closeSummary', connectorId })}>
          {t('actions.done')}
        </button>
        <button type="button" className="btn btn-secondary" onClick={onClose}>
          {t('actions.close')}
        </button>
      </div>
    </Modal>
  );
}
