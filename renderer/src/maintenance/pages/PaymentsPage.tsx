// Payments: the holds open now (a session running on them or not), and the captures and
// releases the kiosk could not finish, each to try again or to record by hand how it
// ended, after checking at the terminal or the acquirer. A refund without an answer is
// only recorded by hand: it may have gone through, and it is never sent again.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { TechPayment } from '../../../../electron/contract/index.js';
import { useFormats } from '../../format/useFormats.js';
import { useView } from '../../store/StoreContext.js';
import { selectConnectors } from '../../store/selectors.js';
import { useAction, useTech, useTechData } from '../tech.js';
import { ActionMessage, LoadState, ReasonForm, Section } from '../ui.js';
import { Pair } from './StatusPage.js';

const PAYMENTS = { type: 'payments' } as const;
/** Pending payments move by themselves (the kiosk retries): the page follows, ms. */
export const PAYMENTS_REFRESH_MS = 5000;

export function PaymentsPage() {
  const { t } = useTranslation();
  const page = useTechData(PAYMENTS, PAYMENTS_REFRESH_MS);
  const data = page.data;
  return (
    <div className="maint-stack">
      <LoadState loading={page.loading} error={page.error} hasData={data !== null} />
      {data && (
        <>
          <Section title={t('maintenance.payments.pending')}>
            {data.pending.length === 0 ? (
              <p className="muted">{t('maintenance.payments.noPending')}</p>
            ) : (
              <ul className="maint-list">
                {data.pending.map((p) => (
                  <PendingItem key={p.key} payment={p} onChanged={page.reload} />
                ))}
              </ul>
            )}
          </Section>
          <Section title={t('maintenance.payments.holds')}>
            {data.openHolds.length === 0 ? (
              <p className="muted">{t('maintenance.payments.noHolds')}</p>
            ) : (
              <ul className="maint-list">
                {data.openHolds.map((p) => (
                  <li key={p.key} className="maint-file">
                    <PaymentPairs payment={p} />
                    <p>{p.sessionRunning ? t('maintenance.payments.running') : t('maintenance.payments.notRunning')}</p>
                  </li>
                ))}
              </ul>
            )}
          </Section>
        </>
      )}
    </div>
  );
}

function PaymentPairs({ payment }: { payment: TechPayment }) {
  const { t } = useTranslation();
  const { time } = useTech();
  const f = useFormats(payment.currency);
  const connectors = useView(selectConnectors);
  const label = payment.connectorId === null ? null : (connectors.find((c) => c.id === payment.connectorId)?.label ?? String(payment.connectorId));
  const method = (['card', 'prepaid', 'account', 'remote'] as const).find((m) => m === payment.method);
  return (
    <dl className="maint-pairs">
      <Pair label={t('maintenance.payments.amount')} value={f.money(payment.amountMinor)} strong />
      <Pair label={t('maintenance.payments.operation')} value={t(`maintenance.payments.op.${payment.operation}`)} />
      <Pair label={t('maintenance.payments.method')} value={method ? t(`maintenance.method.${method}`) : payment.method} />
      <Pair label={t('maintenance.connectors.session')} value={payment.sessionId} />
      {label !== null && <Pair label={t('maintenance.payments.connector')} value={label} />}
      <Pair label={t('maintenance.payments.since')} value={time.dateTime(payment.createdAt)} />
      <Pair label={t('maintenance.payments.key')} value={payment.key} />
    </dl>
  );
}

type Asking = null | 'retry' | 'done' | 'failed';

function PendingItem({ payment, onChanged }: { payment: TechPayment; onChanged: () => void }) {
  const { t } = useTranslation();
  const { call } = useTech();
  const action = useAction();
  const [asking, setAsking] = useState<Asking>(null);
  const labels = { retry: t('maintenance.payments.retry'), done: t('maintenance.payments.markDone'), failed: t('maintenance.payments.markFailed') } as const;
  const refund = payment.operation === 'refund';
  const choices = refund ? (['done', 'failed'] as const) : (['retry', 'done', 'failed'] as const);
  const submit = async (what: Exclude<Asking, null>, reason: string) => {
    const result = await action.run(
      () =>
        what === 'retry'
          ? call({ type: 'retryPayment', key: payment.key, reason })
          : call({ type: 'resolvePayment', key: payment.key, outcome: what, reason }),
      () => t(`maintenance.payments.${what}Result`),
    );
    if (result.ok) {
      setAsking(null);
      onChanged();
    }
  };
  return (
    <li className="maint-file maint-file--error">
      <PaymentPairs payment={payment} />
      <p>{t('maintenance.payments.attempts', { count: payment.attempts })}</p>
      {payment.lastError && <p className="maint-strong">{t('maintenance.payments.lastError', { error: payment.lastError })}</p>}
      {refund && <p>{t('maintenance.payments.refundUnknown')}</p>}
      {asking === null ? (
        <div className="maint-buttons">
          {choices.map((what) => (
            <button
              key={what}
              type="button"
              className="maint-btn"
              onClick={() => {
                action.clear();
                setAsking(what);
              }}
            >
              {labels[what]}
            </button>
          ))}
        </div>
      ) : (
        <ReasonForm
          confirmLabel={labels[asking]}
          busy={action.busy}
          danger={asking === 'failed'}
          onSubmit={(r) => void submit(asking, r)}
          onCancel={() => setAsking(null)}
        />
      )}
      <ActionMessage state={action} />
    </li>
  );
}
