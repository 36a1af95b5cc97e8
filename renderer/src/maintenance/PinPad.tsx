// The technician's PIN pad, opened by the hidden gesture. It asks the brain first
// whether any technician exists (never offering to set a PIN here) and whether entry
// is locked after wrong PINs. The PIN typed stays in this component; the session a
// correct PIN opens is handed up and kept in React state only.
import { useCallback, useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { KioskBridge, TechSession } from '../../../electron/contract/index.js';
import { techErrorText } from './tech.js';
import type { StationTime } from './time.js';

export const PIN_MIN = 6;
export const PIN_MAX = 12;
/** The pad closes by itself after this long untouched, ms. */
export const PIN_IDLE_MS = 30_000;

const ROWS = ['1', '2', '3', '4', '5', '6', '7', '8', '9'] as const;

type Status = { kind: 'checking' } | { kind: 'noTechnicians' } | { kind: 'ready' } | { kind: 'failed'; text: string };

export function PinPad({
  bridge,
  brainNow,
  time,
  onClose,
  onLogin,
}: {
  bridge: KioskBridge;
  brainNow: () => number;
  time: StationTime;
  onClose: () => void;
  onLogin: (session: TechSession) => void;
}) {
  const { t } = useTranslation();
  const [status, setStatus] = useState<Status>({ kind: 'checking' });
  const [lockedUntil, setLockedUntil] = useState<number | null>(null);
  const [locked, setLocked] = useState(false);
  const [pin, setPin] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [sending, setSending] = useState(false);
  const dialog = useRef<HTMLDivElement>(null);
  const idle = useRef<ReturnType<typeof setTimeout> | null>(null);
  const closeRef = useRef(onClose);
  closeRef.current = onClose;

  const touched = useCallback(() => {
    if (idle.current !== null) clearTimeout(idle.current);
    idle.current = setTimeout(() => closeRef.current(), PIN_IDLE_MS);
  }, []);

  useEffect(() => {
    touched();
    dialog.current?.focus();
    return () => {
      if (idle.current !== null) clearTimeout(idle.current);
    };
  }, [touched]);

  useEffect(() => {
    let live = true;
    void bridge.tech({ type: 'hello' }).then((result) => {
      if (!live) return;
      if (!result.ok) {
        if (result.error.reason === 'noTechnicians') setStatus({ kind: 'noTechnicians' });
        else setStatus({ kind: 'failed', text: techErrorText(t, result.error) });
        return;
      }
      setLockedUntil(result.data.lockedUntil);
      setStatus(result.data.technicians ? { kind: 'ready' } : { kind: 'noTechnicians' });
    });
    return () => {
      live = false;
    };
  }, [bridge, t]);

  // Locked until a time on the brain's clock: open again by itself when that has passed.
  useEffect(() => {
    if (lockedUntil === null) {
      setLocked(false);
      return;
    }
    const left = lockedUntil - brainNow();
    setLocked(left > 0);
    if (left <= 0) return;
    const timer = setTimeout(() => {
      setLocked(false);
      setLockedUntil(null);
    }, left + 100);
    return () => clearTimeout(timer);
  }, [lockedUntil, brainNow]);

  const press = (digit: string) => {
    setError(null);
    setPin((p) => (p.length < PIN_MAX ? p + digit : p));
  };
  const erase = () => {
    setError(null);
    setPin((p) => p.slice(0, -1));
  };
  const canOpen = status.kind === 'ready' && !locked && !sending && pin.length >= PIN_MIN;

  const submit = async () => {
    if (!canOpen) return;
    setSending(true);
    const result = await bridge.tech({ type: 'login', pin });
    setSending(false);
    setPin('');
    if (result.ok) {
      onLogin(result.data);
      return;
    }
    const e = result.error;
    if (e.reason === 'locked') {
      setError(null);
      setLockedUntil(e.lockedUntil ?? null);
      if (e.lockedUntil == null) setError(t('maintenance.pin.lockedNow'));
    } else if (e.reason === 'wrongPin') {
      setError(e.attemptsLeft === undefined ? t('maintenance.pin.wrongPin') : t('maintenance.pin.wrongPinLeft', { count: e.attemptsLeft }));
      if (e.lockedUntil) setLockedUntil(e.lockedUntil);
    } else if (e.reason === 'noTechnicians') {
      setStatus({ kind: 'noTechnicians' });
    } else {
      setError(techErrorText(t, e));
    }
  };

  // The technician's hardware keyboard works too.
  const onKeyDown = (event: KeyboardEvent) => {
    if (status.kind !== 'ready') {
      if (event.key === 'Escape') onClose();
      return;
    }
    if (/^\d$/.test(event.key) && !locked) press(event.key);
    else if (event.key === 'Backspace') erase();
    else if (event.key === 'Enter') void submit();
    else if (event.key === 'Escape') onClose();
    else return;
    event.preventDefault();
  };

  const keysDisabled = status.kind !== 'ready' || locked || sending;
  return (
    <div className="modal-backdrop maint-backdrop">
      <div
        ref={dialog}
        role="dialog"
        aria-modal="true"
        aria-label={t('maintenance.pin.title')}
        tabIndex={-1}
        className="modal keypad-dialog maint-pin"
        onPointerDownCapture={touched}
        onKeyDownCapture={touched}
        onKeyDown={onKeyDown}
      >
        <h2 className="modal-title">
          {t('maintenance.pin.title')}
        </h2>
        {status.kind === 'checking' && <p className="muted">{t('maintenance.loading')}</p>}
        {status.kind === 'failed' && (
          <p className="keypad-error" role="alert">
            {status.text}
          </p>
        )}
        {status.kind === 'noTechnicians' && (
          <div className="maint-pin-none" role="status">
            <p>{t('maintenance.pin.noTechnicians')}</p>
          </div>
        )}
        {status.kind === 'ready' && (
          <>
            <p className="muted">{t('maintenance.pin.hint', { min: PIN_MIN, max: PIN_MAX })}</p>
            <div className="code-boxes maint-pin-dots" aria-hidden="true">
              {Array.from({ length: Math.max(PIN_MIN, pin.length) }, (_, i) => (
                <span key={i} className={i < pin.length ? 'maint-dot maint-dot--filled' : 'maint-dot'} />
              ))}
            </div>
            <p className="sr-only" aria-live="polite">
              {t('maintenance.pin.entered', { count: pin.length })}
            </p>
            {locked && lockedUntil !== null && (
              <p className="keypad-error" role="alert">
                {t('maintenance.pin.locked', { time: time.time(lockedUntil) })}
              </p>
            )}
            {error && !locked && (
              <p className="keypad-error" role="alert">
                {error}
              </p>
            )}
            <div className="keypad maint-keypad">
              {ROWS.map((d) => (
                <button key={d} type="button" className="key" disabled={keysDisabled || pin.length >= PIN_MAX} onClick={() => press(d)}>
                  {d}
                </button>
              ))}
              <button type="button" className="key key--fn maint-key-word" disabled={keysDisabled || pin.length === 0} onClick={erase}>
                {t('maintenance.pin.delete')}
              </button>
              <button type="button" className="key" disabled={keysDisabled || pin.length >= PIN_MAX} onClick={() => press('0')}>
                0
              </button>
              <button type="button" className="key key--ok maint-key-word" disabled={!canOpen} onClick={() => void submit()}>
                {t('maintenance.pin.open')}
              </button>
            </div>
          </>
        )}
        <div className="actions actions--center">
          <button type="button" className="btn btn-secondary" onClick={onClose}>
            {status.kind === 'ready' ? t('maintenance.actions.cancel') : t('maintenance.actions.close')}
          </button>
        </div>
      </div>
    </div>
  );
}
