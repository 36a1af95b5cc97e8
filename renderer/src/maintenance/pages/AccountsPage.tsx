// Accounts: the station's RFID accounts, one account's ledger, topping a prepaid one up
// and blocking or unblocking one, each with a reason kept in the audit log.
import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { TechAccount } from '../../../../electron/contract/index.js';
import { useFormats } from '../../format/useFormats.js';
import { useAction, useTech, useTechData } from '../tech.js';
import { parseMajor } from '../time.js';
import { ActionMessage, ListSection, LoadState, ReasonForm, Section } from '../ui.js';

const ACCOUNTS = { type: 'accounts' } as const;
/** The most a technician tops up at once, minor units (the contract's limit). */
export const MAX_AMOUNT_MINOR = 1_000_000;

export function AccountsPage() {
  const { t } = useTranslation();
  const accounts = useTechData(ACCOUNTS);
  const [selected, setSelected] = useState<string | null>(null);
  const account = accounts.data?.find((a) => a.id === selected) ?? null;
  return (
    <div className="maint-stack">
      <ListSection title={t('maintenance.accounts.title')} list={accounts} empty={t('maintenance.accounts.none')}>
        {(list) => (
          <div className="maint-table-wrap">
            <table className="maint-table">
              <thead>
                <tr>
                  <th scope="col">{t('maintenance.accounts.name')}</th>
                  <th scope="col">{t('maintenance.accounts.type')}</th>
                  <th scope="col">{t('maintenance.accounts.balance')}</th>
                  <th scope="col">{t('maintenance.accounts.blocked')}</th>
                  <th scope="col">{t('maintenance.accounts.cards')}</th>
                </tr>
              </thead>
              <tbody>
                {list.map((a) => (
                  <AccountRow key={a.id} account={a} selected={a.id === selected} onSelect={() => setSelected(a.id)} />
                ))}
              </tbody>
            </table>
          </div>
        )}
      </ListSection>
      {account && <AccountDetail key={account.id} account={account} onChanged={accounts.reload} />}
    </div>
  );
}

function AccountRow({ account, selected, onSelect }: { account: TechAccount; selected: boolean; onSelect: () => void }) {
  const { t } = useTranslation();
  const f = useFormats(account.currency);
  return (
    <tr className={selected ? 'maint-row--selected' : undefined}>
      <td>
        <button type="button" className="maint-btn maint-btn--row" aria-pressed={selected} onClick={onSelect}>
          {account.name}
        </button>
      </td>
      <td>{t(`maintenance.accounts.kind.${account.type}`)}</td>
      <td className="maint-num">{account.balanceMinor === null ? t('maintenance.accounts.onAccount') : f.money(account.balanceMinor)}</td>
      <td>{account.blocked ? t('maintenance.yes') : t('maintenance.no')}</td>
      <td>{account.cards.map((c) => c.uid).join(', ') || t('maintenance.none')}</td>
    </tr>
  );
}

function AccountDetail({ account, onChanged }: { account: TechAccount; onChanged: () => void }) {
  const { t } = useTranslation();
  const { call, time } = useTech();
  const f = useFormats(account.currency);
  const ledger = useTechData({ type: 'ledger', accountId: account.id });
  const topUp = useAction();
  const block = useAction();
  const [amount, setAmount] = useState('');
  const [form, setForm] = useState(0);
  const amountId = useId();
  const amountHintId = useId();
  const amountMinor = parseMajor(amount, account.currency);
  const amountValid = amountMinor !== null && amountMinor <= MAX_AMOUNT_MINOR;

  const submitTopUp = async (reason: string) => {
    if (!amountValid || amountMinor === null) return;
    const result = await topUp.run(
      () => call({ type: 'topUp', accountId: account.id, amountMinor, reason }),
      (entry) => t('maintenance.accounts.toppedUp', { amount: f.money(entry.amountMinor), balance: f.money(entry.balanceMinor) }),
    );
    if (result.ok) {
      setAmount('');
      setForm((n) => n + 1);
      ledger.reload();
      onChanged();
    }
  };
  const submitBlock = async (reason: string) => {
    const result = await block.run(
      () => call({ type: 'setBlocked', accountId: account.id, blocked: !account.blocked, reason }),
      () => (account.blocked ? t('maintenance.accounts.unblocked', { name: account.name }) : t('maintenance.accounts.blockedDone', { name: account.name })),
    );
    if (result.ok) {
      setForm((n) => n + 1);
      ledger.reload();
      onChanged();
    }
  };

  return (
    <Section title={t('maintenance.accounts.detail', { name: account.name })}>
      {account.type === 'prepaid' && (
        <div className="maint-control">
          <h3>{t('maintenance.accounts.topUp')}</h3>
          <ReasonForm
            key={`topup-${form}`}
            confirmLabel={t('maintenance.accounts.topUp')}
            busy={topUp.busy}
            extraValid={amountValid}
            onSubmit={(r) => void submitTopUp(r)}
            extra={
              <div className="maint-field">
                <label htmlFor={amountId}>{t('maintenance.accounts.amount', { currency: account.currency })}</label>
                <input
                  id={amountId}
                  className="maint-input maint-input--short"
                  type="text"
                  inputMode="decimal"
                  autoComplete="off"
                  value={amount}
                  aria-describedby={amountHintId}
                  aria-invalid={amount !== '' && !amountValid}
                  onChange={(e) => setAmount(e.target.value)}
                />
                <p id={amountHintId} className={amount !== '' && !amountValid ? 'maint-hint maint-hint--error' : 'maint-hint'}>
                  {amount !== '' && !amountValid
                    ? t('maintenance.accounts.badAmount', { max: f.money(MAX_AMOUNT_MINOR) })
                    : t('maintenance.accounts.amountHint')}
                </p>
              </div>
            }
          />
          <ActionMessage state={topUp} />
        </div>
      )}
      <div className="maint-control">
        <h3>{account.blocked ? t('maintenance.accounts.unblock') : t('maintenance.accounts.block')}</h3>
        <ReasonForm
          key={`block-${form}`}
          confirmLabel={account.blocked ? t('maintenance.accounts.unblock') : t('maintenance.accounts.block')}
          danger={!account.blocked}
          busy={block.busy}
          onSubmit={(r) => void submitBlock(r)}
        />
        <ActionMessage state={block} />
      </div>
      <h3>{t('maintenance.accounts.ledger')}</h3>
      <LoadState loading={ledger.loading} error={ledger.error} hasData={ledger.data !== null} />
      {ledger.data && ledger.data.length === 0 && <p className="muted">{t('maintenance.accounts.noEntries')}</p>}
      {ledger.data && ledger.data.length > 0 && (
        <div className="maint-table-wrap">
          <table className="maint-table">
            <thead>
              <tr>
                <th scope="col">{t('maintenance.accounts.when')}</th>
                <th scope="col">{t('maintenance.accounts.entryKind')}</th>
                <th scope="col">{t('maintenance.accounts.amountColumn')}</th>
                <th scope="col">{t('maintenance.accounts.balance')}</th>
                <th scope="col">{t('maintenance.accounts.who')}</th>
                <th scope="col">{t('maintenance.accounts.reason')}</th>
              </tr>
            </thead>
            <tbody>
              {ledger.data.map((e) => (
                <tr key={e.id}>
                  <td>{time.dateTime(e.at)}</td>
                  <td>{t(`maintenance.ledger.${e.kind}`)}</td>
                  <td className="maint-num">{f.money(e.amountMinor)}</td>
                  <td className="maint-num">{f.money(e.balanceMinor)}</td>
                  <td>{e.who}</td>
                  <td>{e.reason ?? (e.sessionId ? t('maintenance.accounts.forSession', { id: e.sessionId }) : '')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Section>
  );
}
