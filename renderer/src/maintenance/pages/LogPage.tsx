// Log: the recent warnings and errors, newest first, followed in the background.
import { useTranslation } from 'react-i18next';
import { useTech, useTechData } from '../tech.js';
import { ListSection } from '../ui.js';

const LOG = { type: 'log' } as const;
/** The log page follows new lines, ms. */
export const LOG_REFRESH_MS = 5000;

export function LogPage() {
  const { t } = useTranslation();
  const { time } = useTech();
  const log = useTechData(LOG, LOG_REFRESH_MS);
  return (
    <ListSection title={t('maintenance.log.title')} list={log} empty={t('maintenance.log.empty')}>
      {(lines) => (
        <ol className="maint-log">
          {[...lines].sort((a, b) => b.at - a.at).map((line, i) => (
            <li key={`${line.at}-${i}`} className={`maint-log-line maint-log-line--${line.level}`}>
              <span className="maint-log-time">{time.dateTime(line.at)}</span>
              <span className="maint-log-level">{t(`maintenance.log.level.${line.level}`)}</span>
              <span className="maint-log-text">{line.text}</span>
            </li>
          ))}
        </ol>
      )}
    </ListSection>
  );
}
