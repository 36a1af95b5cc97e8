// Reports: the sessions of a range of days on the station's wall clock, by day, by
// connector and by way of paying, with their totals; the CSV of it into the exchange
// folder; the receipts of those days, to reprint or refund; the card terminal's end of day.
import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { PaymentMethod, ReceiptListEntry, ReportTotals } from '../../../../electron/contract/index.js';
import { useFormats, type UnitFormats } from '../../format/useFormats.js';
import { useView } from '../../store/StoreContext.js';
import { selectConnectors } from '../../store/selectors.js';
import { useAction, useTech, useTechData } from '../tech.js';
import { addDays, isDay, majorText, parseMajor } from '../time.js';
import { ActionMessage, ListSection, LoadState, ReasonForm, Section } from '../ui.js';
import { MAX_AMOUNT_MINOR } from './AccountsPage.js';

interface Range {
  from: string;
  to: string;
}

export function ReportsPage() {
  const { t } = useTranslation();
  const { brainNow, time } = useTech();
  const today = time.day(brainNow());
  const yesterday = addDays(today, -1);
  const [from, setFrom] = useState(yesterday);
  const [to, setTo] = useState(yesterday);
  const [range, setRange] = useState<Range>({ from: yesterday, to: yesterday });
  const fromId = useId();
  const toId = useId();
  const valid = isDay(from) && isDay(to) && from <= to;
  const show = (next: Range) => {
    setFrom(next.from);
    setTo(next.to);
    setRange(next);
  };

  return (
    <div className="maint-stack">
      <Section title={t('maintenance.reports.range')}>
        <form
          className="maint-range"
          onSubmit={(e) => {
            e.preventDefault();
            if (valid) setRange({ from, to });
          }}
        >
          <div className="maint-field">
            <label htmlFor={fromId}>{t('maintenance.reports.from')}</label>
            <input id={fromId} className="maint-input maint-input--day" type="date" value={from} max={today} onChange={(e) => setFrom(e.target.value)} />
          </div>
          <div className="maint-field">
            <label htmlFor={toId}>{t('maintenance.reports.to')}</label>
            <input id={toId} className="maint-input maint-input--day" type="date" value={to} max={today} onChange={(e) => setTo(e.target.value)} />
          </div>
          <button type="submit" className="maint-btn maint-btn--primary" disabled={!valid}>
            {t('maintenance.reports.show')}
          </button>
        </form>
        {!valid && <p className="maint-hint maint-hint--error">{t('maintenance.reports.badRange')}</p>}
        <div className="maint-buttons">
          <button type="button" className="maint-btn" onClick={() => show({ from: yesterday, to: yesterday })}>
            {t('maintenance.reports.yesterday')}
          </button>
          <button type="button" className="maint-btn" onClick={() => show({ from: today, to: today })}>
            {t('maintenance.reports.today')}
          </button>
          <button type="button" className="maint-btn" onClick={() => show({ from: addDays(today, -6), to: today })}>
            {t('maintenance.reports.last7')}
          </button>
        </div>
      </Section>
      <ReportView range={range} />
      <Receipts range={range} />
      <EndOfDay />
    </div>
  );
}

function ReportView({ range }: { range: Range }) {
  const { t } = useTranslation();
  const { call } = useTech();
  const report = useTechData({ type: 'report', from: range.from, to: range.to });
  const exportAction = useAction();
  const connectors = useView(selectConnectors);
  const data = report.data;
  const f = useFormats(data?.currency);
  const title = range.from === range.to ? t('maintenance.reports.titleDay', { day: range.from }) : t('maintenance.reports.titleRange', { from: range.from, to: range.to });
  const labelOf = (id: number) => connectors.find((c) => c.id === id)?.label ?? String(id);
  const methodName = (m: PaymentMethod) => t(`maintenance.method.${m}`);
  return (
    <Section
      title={title}
      actions={
        <button
          type="button"
          className="maint-btn"
          disabled={exportAction.busy}
          onClick={() =>
            void exportAction.run(
              () => call({ type: 'exportReport', from: range.from, to: range.to }),
              (r) => t('maintenance.reports.saved', { file: r.file }),
            )
          }
        >
          {t('maintenance.reports.export')}
        </button>
      }
    >
      <ActionMessage state={exportAction} />
      <LoadState loading={report.loading} error={report.error} hasData={data !== null} />
      {data && (
        <>
          <TotalsTable
            caption={t('maintenance.reports.totals')}
            head={t('maintenance.reports.all')}
            rows={[{ key: 'total', name: t('maintenance.reports.total'), totals: data.totals }]}
            f={f}
            className="maint-totals"
          />
          <TotalsTable caption={t('maintenance.reports.byDay')} head={t('maintenance.reports.day')} rows={data.byDay.map((d) => ({ key: d.day, name: d.day, totals: d }))} f={f} />
          <TotalsTable
            caption={t('maintenance.reports.byConnector')}
            head={t('maintenance.reports.connector')}
            rows={data.byConnector.map((c) => ({ key: String(c.connectorId), name: t('maintenance.connector', { label: labelOf(c.connectorId) }), totals: c }))}
            f={f}
          />
          <TotalsTable
            caption={t('maintenance.reports.byMethod')}
            head={t('maintenance.reports.method')}
            rows={data.byMethod.map((m) => ({ key: m.method, name: methodName(m.method), totals: m }))}
            f={f}
          />
        </>
      )}
    </Section>
  );
}

function TotalsTable({
  caption,
  head,
  rows,
  f,
  className,
}: {
  caption: string;
  head: string;
  rows: { key: string; name: string; totals: ReportTotals }[];
  f: UnitFormats;
  className?: string;
}) {
  const { t } = useTranslation();
  return (
    <div className="maint-table-wrap">
      <table className={`maint-table ${className ?? ''}`}>
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">{head}</th>
            <th scope="col">{t('maintenance.reports.sessions')}</th>
            <th scope="col">{t('maintenance.reports.energy')}</th>
            <th scope="col">{t('maintenance.reports.revenue')}</th>
            <th scope="col">{t('maintenance.reports.writtenOff')}</th>
            <th scope="col">{t('maintenance.reports.refunded')}</th>
          </tr>
        </thead>
        <tbody>
          {rows.length === 0 ? (
            <tr>
              <td colSpan={6} className="muted">
                {t('maintenance.reports.noSessions')}
              </td>
            </tr>
          ) : (
            rows.map((r) => (
              <tr key={r.key}>
                <th scope="row">{r.name}</th>
                <td className="maint-num">{r.totals.sessions}</td>
                <td className="maint-num">{f.energy(r.totals.energyWh)}</td>
                <td className="maint-num">{f.money(r.totals.revenueMinor)}</td>
                <td className="maint-num">{f.money(r.totals.writtenOffMinor)}</td>
                <td className="maint-num">{f.money(r.totals.refundedMinor)}</td>
              </tr>
            ))
          )}
        </tbody>
      </table>
    </div>
  );
}

function Receipts({ range }: { range: Range }) {
  const { t } = useTranslation();
  const receipts = useTechData({ type: 'receipts', from: range.from, to: range.to });
  return (
    <ListSection title={t('maintenance.reports.receipts')} list={receipts} empty={t('maintenance.reports.noReceipts')}>
      {(list) => (
        <ul className="maint-list">
          {list.map((r) => (
            <ReceiptItem key={r.number} receipt={r} />
          ))}
        </ul>
      )}
    </ListSection>
  );
}

function ReceiptItem({ receipt }: { receipt: ReceiptListEntry }) {
  const { t } = useTranslation();
  const { call, time } = useTech();
  const f = useFormats(receipt.currency);
  const reprint = useAction();
  const refund = useAction();
  const [refunding, setRefunding] = useState(false);
  const [amount, setAmount] = useState('');
  const amountId = useId();
  const amountMinor = parseMajor(amount, receipt.currency);
  const amountValid = amountMinor !== null && amountMinor <= Math.min(receipt.totalMinor, MAX_AMOUNT_MINOR);
  const name = t('maintenance.reports.receipt', { number: receipt.number });

  const submitRefund = async (reason: string) => {
    if (amountMinor === null || !amountValid) return;
    const result = await refund.run(
      () => call({ type: 'refund', sessionId: receipt.sessionId, amountMinor, reason }),
      (r) => (r.via === 'terminal' ? t('maintenance.reports.refundedTerminal', { amount: f.money(r.amountMinor) }) : t('maintenance.reports.refundedAccount', { amount: f.money(r.amountMinor) })),
    );
    if (result.ok) {
      setRefunding(false);
      setAmount('');
    }
  };

  return (
    <li className="maint-file">
      <p className="maint-strong">
        {name} · {f.money(receipt.totalMinor)}
      </p>
      <p>
        {time.dateTime(receipt.issuedAt)} · {t('maintenance.connector', { label: receipt.connectorLabel })} · {receipt.sessionId}
      </p>
      <div className="maint-buttons">
        <button
          type="button"
          className="maint-btn"
          disabled={reprint.busy}
          onClick={() => void reprint.run(() => call({ type: 'reprint', receiptNumber: receipt.number }), () => t('maintenance.reports.reprinted', { number: receipt.number }))}
        >
          {t('maintenance.reports.reprint')}
        </button>
        {!refunding && (
          <button
            type="button"
            className="maint-btn"
            onClick={() => {
              refund.clear();
              setAmount(majorText(receipt.totalMinor, receipt.currency));
              setRefunding(true);
            }}
          >
            {t('maintenance.reports.refund')}
          </button>
        )}
      </div>
      <ActionMessage state={reprint} />
      {refunding && (
        <ReasonForm
          confirmLabel={t('maintenance.reports.refundConfirm')}
          danger
          busy={refund.busy}
          extraValid={amountValid}
          onSubmit={(r) => void submitRefund(r)}
          onCancel={() => setRefunding(false)}
          extra={
            <div className="maint-field">
              <label htmlFor={amountId}>{t('maintenance.accounts.amount', { currency: receipt.currency })}</label>
              <input
                id={amountId}
                className="maint-input maint-input--short"
                type="text"
                inputMode="decimal"
                autoComplete="off"
                value={amount}
                aria-invalid={amount !== '' && !amountValid}
                onChange={(e) => setAmount(e.target.value)}
              />
              {amount !== '' && !amountValid && (
                <p className="maint-hint maint-hint--error">{t('maintenance.reports.badRefund', { max: f.money(receipt.totalMinor) })}</p>
              )}
            </div>
          }
        />
      )}
      <ActionMessage state={refund} />
    </li>
  );
}

function EndOfDay() {
  const { t } = useTranslation();
  const { call } = useTech();
  const action = useAction();
  const f = useFormats();
  const [lines, setLines] = useState<string[] | null>(null);
  const run = async () => {
    setLines(null);
    const result = await action.run(
      () => call({ type: 'endOfDay' }),
      (r) => (r.totalMinor === null ? t('maintenance.reports.endOfDayDone') : t('maintenance.reports.endOfDayTotal', { amount: f.money(r.totalMinor) })),
      t('maintenance.reports.endOfDayRunning'),
    );
    if (result.ok) setLines(result.data.receipt);
  };
  return (
    <Section title={t('maintenance.reports.endOfDay')}>
      <div className="maint-buttons">
        <button type="button" className="maint-btn" disabled={action.busy} onClick={() => void run()}>
          {t('maintenance.reports.endOfDay')}
        </button>
      </div>
      <ActionMessage state={action} />
      {lines && lines.length > 0 && <pre className="maint-pre">{lines.join('\n')}</pre>}
    </Section>
  );
}
