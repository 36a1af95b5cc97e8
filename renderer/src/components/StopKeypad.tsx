// The 4-digit keypad of a session's stop code: it stops a charge, or (`purpose:
// 'showSummary'`) proves a finished session's summary and receipt are the driver's own.
// What is typed stays in this component and is gone after a reload; the brain checks the code.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { DROPPED, useCommands } from '../commands/CommandContext.js';
import { Modal } from './ModalLayer.js';

const CODE_LENGTH = 4;
const DIGITS = ['1', '2', '3', '4', '5', '6', '7', '8', '9'] as const;

export function StopKeypad({ connectorId, onClose, purpose = 'stop' }: { connectorId: number; onClose: () => void; purpose?: 'stop' | 'showSummary' }) {
  const words =
    purpose === 'stop'
      ? ({ title: 'keypad.title', hint: 'keypad.hint', rejected: 'keypad.rejected' } as const)
      : ({ title: 'keypad.summaryTitle', hint: 'keypad.summaryHint', rejected: 'keypad.summaryRejected' } as const);
  const { t } = useTranslation();
  const { send } = useCommands();
  const [code, setCode] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [sending, setSending] = useState(false);

  const press = (digit: string) => {
    setError(null);
    setCode((c) => (c.length < CODE_LENGTH ? c + digit : c));
  };
  const erase = () => {
    setError(null);
    setCode((c) => c.slice(0, -1));
  };
  const submit = async () => {
    if (code.length !== CODE_LENGTH || sending) return;
    setSending(true);
    const result = await send({ type: purpose, connectorId, code }, { quiet: true });
    setSending(false);
    if (result === DROPPED) return;
    if (result.ok) {
      onClose();
    } else {
      setCode('');
      // The brain says why (a wrong code, or charging already ended); other failures are the link's.
      const { reason, code: errorCode, attemptsLeft } = result.error;
      const why = reason ? t(words.rejected, { reason: t(`errors.reasons.${reason}`) }) : t(`errors.${errorCode}`);
      setError(reason === 'wrongStopCode' && attemptsLeft !== undefined ? `${why} ${t('keypad.triesLeft', { count: attemptsLeft })}` : why);
    }
  };

  return (
    <Modal title={t(words.title)} className="keypad-dialog">
      {/* A refusal takes the hint's place: the pad stays within a small screen. */}
      {!error && <p className="muted">{t(words.hint)}</p>}
      <div className="code-boxes" aria-hidden="true">
        {Array.from({ length: CODE_LENGTH }, (_, i) => (
          <span key={i} className={i < code.length ? 'code-box code-box--filled' : 'code-box'}>
            {i < code.length ? '●' : ''}
          </span>
        ))}
      </div>
      <p className="sr-only" aria-live="polite">
        {t('keypad.entered', { count: code.length })}
      </p>
      {error && (
        <p className="keypad-error" role="alert">
          {error}
        </p>
      )}
      <div className="keypad">
        {DIGITS.map((d) => (
          <button key={d} type="button" className="key" onClick={() => press(d)}>
            {d}
          </button>
        ))}
        <button type="button" className="key key--fn" aria-label={t('keypad.delete')} onClick={erase} disabled={code.length === 0}>
          ⌫
        </button>
        <button type="button" className="key" onClick={() => press('0')}>
          0
        </button>
        <button
          type="button"
          className="key key--ok"
          disabled={code.length !== CODE_LENGTH || sending}
          onClick={() => void submit()}
        >
          {t('actions.ok')}
        </button>
      </div>
      <div className="actions actions--center">
        <button type="button" className="btn btn-secondary" onClick={onClose}>
          {t('actions.close')}
        </button>
      </div>
    </Modal>
  );
}
