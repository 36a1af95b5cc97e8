// The high-contrast, large-text mode, from every driver screen: a switch the brain keeps
// for the driver's flow (setHighContrast), like the language.
import { useTranslation } from 'react-i18next';
import { useCommands } from '../commands/CommandContext.js';
import { useView } from '../store/StoreContext.js';
import { selectHighContrast } from '../store/selectors.js';

export function DisplayToggle() {
  const { t } = useTranslation();
  const { send } = useCommands();
  const on = useView(selectHighContrast);
  return (
    <button type="button" className="btn btn-small choice-button" aria-pressed={on} onClick={() => void send({ type: 'setHighContrast', on: !on })}>
      <ContrastIcon />
      <span>{t('display.highContrast')}</span>
    </button>
  );
}

function ContrastIcon() {
  return (
    <svg className="choice-icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
      <circle cx="12" cy="12" r="9.5" fill="none" stroke="currentColor" strokeWidth="2" />
      <path d="M12 2.5a9.5 9.5 0 0 1 0 19z" fill="currentColor" />
    </svg>
  );
}
