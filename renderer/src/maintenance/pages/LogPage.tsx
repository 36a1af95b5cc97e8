// Log: the recent warnings and errors, newest first, followed in the background.
import { useTranslation } from 'react-i18next';
import { useTech, useTechData } from '../tech.js';
import { LoadState, Section } from '../ui.js';

const LOG = { type: 'log' } as const;
/** The log page follows new lines, ms. */
export const LOG_REFRESH_MS = 5000;

export function LogPage() {
  const { t } = useTranslation();
  const { time } = useTech();
  const log = useTechData(LOG, LOG_REFRESH_MS);
  const lines = log.data ? [...log.data].sort((a, b) => b.at - a.at) : null;
  return (
    <Section
      title={t('maintenance.log.title')}
      actions={
        <button type="button" className="maint-btn" onClick={log.reload}>
          {t('maintenance.actions.refresh')}
        </button>
      }
    >
      <LoadState loading={log.loading} error={log.error} hasData={log.data !== null} />
      {lines && lines.length === 0 && <p className="muted">{t('maintenance.log.empty')}</p>}
      {lines && lines.length > 0 && (
        <ol className="maint-log">
          {lines.map((line, i) => (
            <li key={`${line.at}-${i}`} className={`maint-log-line maint-log-line--${line.level}`}>
              <span className="maint-log-time">{time.dateTime(line.at)}</span>
              <span className="maint-log-level">{t(`maintenance.log.level.${line.level}`)}</span>
              <span className="maint-log-text">{line.text}</span>
            </li>
          ))}
        </ol>
      )}
    </Section>
  );
}
