// Pieces every page of the menu uses: a section with its heading, the result of an
// action in words, a page's loading and refusal lines, and the form that asks why.
import { useId, useState, type FormEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { ActionState, TechData } from './tech.js';

/** A technician's reason: what the brain accepts (3 to 200 characters, trimmed). */
export const REASON_MIN = 3;
export const REASON_MAX = 200;
export const reasonOk = (text: string): boolean => text.trim().length >= REASON_MIN && text.trim().length <= REASON_MAX;

export function Section({
  title,
  children,
  className,
  actions,
  level = 2,
}: {
  title: ReactNode;
  children: ReactNode;
  className?: string;
  actions?: ReactNode;
  level?: 2 | 3;
}) {
  const id = useId();
  const Heading = level === 2 ? 'h2' : 'h3';
  return (
    <section className={`maint-section ${className ?? ''}`} aria-labelledby={id}>
      <div className="maint-section-head">
        <Heading id={id}>{title}</Heading>
        {actions}
      </div>
      {children}
    </section>
  );
}

export function ActionMessage({ state }: { state: Pick<ActionState, 'message'> }) {
  if (!state.message) return null;
  return state.message.error ? (
    <p className="maint-message maint-message--error" role="alert">
      {state.message.text}
    </p>
  ) : (
    <p className="maint-message" role="status">
      {state.message.text}
    </p>
  );
}

/** Loads a page's data again now, as the technician asks. */
export function RefreshButton({ onClick }: { onClick: () => void }) {
  const { t } = useTranslation();
  return (
    <button type="button" className="maint-btn" onClick={onClick}>
      {t('maintenance.actions.refresh')}
    </button>
  );
}

/**
 * A section showing a list one command answers: its Refresh button, "Loading…" or why it
 * could not be loaded, `empty` when the list is empty, else `children` of the items.
 */
export function ListSection<T>({ title, list, empty, children }: { title: ReactNode; list: TechData<T[]>; empty: string; children: (items: T[]) => ReactNode }) {
  return (
    <Section title={title} actions={<RefreshButton onClick={list.reload} />}>
      <LoadState loading={list.loading} error={list.error} hasData={list.data !== null} />
      {list.data && list.data.length === 0 && <p className="muted">{empty}</p>}
      {list.data && list.data.length > 0 && children(list.data)}
    </Section>
  );
}

/** "Loading…" before a page's first answer, and why it could not be loaded. */
export function LoadState({ loading, error, hasData }: { loading: boolean; error: string | null; hasData: boolean }) {
  const { t } = useTranslation();
  if (error)
    return (
      <p className="maint-message maint-message--error" role="alert">
        {error}
      </p>
    );
  if (loading && !hasData) return <p className="muted">{t('maintenance.loading')}</p>;
  return null;
}

/**
 * Asks why before a change (kept in the audit log): a reason field, optional preset
 * reasons that fill it, and the button that does it, enabled once the reason will do.
 * `extra` goes above the reason (an amount).
 */
export function ReasonForm({
  confirmLabel,
  onSubmit,
  onCancel,
  busy = false,
  presets,
  extra,
  extraValid = true,
  danger = false,
  reasonLabel,
  initialReason = '',
}: {
  confirmLabel: string;
  onSubmit: (reason: string) => void;
  onCancel?: () => void;
  busy?: boolean;
  presets?: string[];
  extra?: ReactNode;
  extraValid?: boolean;
  danger?: boolean;
  reasonLabel?: string;
  initialReason?: string;
}) {
  const { t } = useTranslation();
  const [reason, setReason] = useState(initialReason);
  const inputId = useId();
  const hintId = useId();
  const valid = reasonOk(reason) && extraValid;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (valid && !busy) onSubmit(reason.trim());
  };
  return (
    <form className="maint-form" onSubmit={submit}>
      {extra}
      <div className="maint-field">
        <label htmlFor={inputId}>{reasonLabel ?? t('maintenance.reason.label')}</label>
        <input
          id={inputId}
          className="maint-input"
          type="text"
          value={reason}
          maxLength={REASON_MAX}
          autoComplete="off"
          aria-describedby={hintId}
          onChange={(e) => setReason(e.target.value)}
        />
        <p id={hintId} className="maint-hint">
          {t('maintenance.reason.hint', { min: REASON_MIN })}
        </p>
      </div>
      {presets && presets.length > 0 && (
        <div className="maint-buttons">
          {presets.map((preset) => (
            <button key={preset} type="button" className="maint-btn maint-btn--quiet" onClick={() => setReason(preset)}>
              {preset}
            </button>
          ))}
        </div>
      )}
      <div className="maint-buttons">
        <button type="submit" className={danger ? 'maint-btn maint-btn--danger' : 'maint-btn maint-btn--primary'} disabled={!valid || busy}>
          {confirmLabel}
        </button>
        {onCancel && (
          <button type="button" className="maint-btn" onClick={onCancel}>
            {t('maintenance.actions.cancel')}
          </button>
        )}
      </div>
    </form>
  );
}
