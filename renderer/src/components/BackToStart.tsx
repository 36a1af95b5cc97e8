import { useTranslation } from 'react-i18next';
import { useCommands } from '../commands/CommandContext.js';

/** The secondary "Back to start" button: leaves the connector's screen, its session goes on. */
export function BackToStartButton() {
  const { t } = useTranslation();
  const { send } = useCommands();
  return (
    <button type="button" className="btn btn-secondary" onClick={() => void send({ type: 'goHome' })}>
      {t('actions.backToStart')}
    </button>
  );
}
