// The language button on every driver screen (in the help bar at the bottom): the language shown, in its own name; a tap
// lists the station's languages, each in its own name and marked with its lang (a screen
// reader says it in that language). The choice is the brain's (setLanguage): it lasts
// for the driver's flow, their receipt is printed in it, and the screen returns to the
// station's language when the flow ends.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { LANGUAGE_NAMES, type Language } from '../../../electron/contract/languages.js';
import { useCommands } from '../commands/CommandContext.js';
import { useView } from '../store/StoreContext.js';
import { selectLanguage, selectLanguages } from '../store/selectors.js';
import { Modal } from './ModalLayer.js';

export function LanguageChooser() {
  const { t } = useTranslation();
  const language = useView(selectLanguage);
  const languages = useView(selectLanguages);
  const [open, setOpen] = useState(false);
  if (languages.length < 2) return null;
  return (
    <>
      <button type="button" className="btn btn-small choice-button" aria-haspopup="dialog" aria-describedby="language-button-what" onClick={() => setOpen(true)}>
        <GlobeIcon />
        <span lang={language}>{LANGUAGE_NAMES[language]}</span>
      </button>
      <span id="language-button-what" hidden>
        {t('language.current')}
      </span>
      {open && <LanguageDialog current={language} languages={languages} onClose={() => setOpen(false)} />}
    </>
  );
}

function LanguageDialog({ current, languages, onClose }: { current: Language; languages: Language[]; onClose: () => void }) {
  const { t } = useTranslation();
  const { send } = useCommands();
  const choose = (language: Language) => {
    onClose();
    if (language !== current) void send({ type: 'setLanguage', language });
  };
  return (
    <Modal title={t('language.title')} className="language-dialog">
      <ul className="language-list">
        {languages.map((language) => (
          <li key={language}>
            <button type="button" className={language === current ? 'btn btn-primary' : 'btn btn-secondary'} lang={language} aria-current={language === current ? 'true' : undefined} onClick={() => choose(language)}>
              {LANGUAGE_NAMES[language]}
            </button>
          </li>
        ))}
      </ul>
      <button type="button" className="btn btn-secondary" onClick={onClose}>
        {t('actions.close')}
      </button>
    </Modal>
  );
}

function GlobeIcon() {
  return (
    <svg className="choice-icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
      <circle cx="12" cy="12" r="9.5" fill="none" stroke="currentColor" strokeWidth="2" />
      <path d="M2.5 12h19M12 2.5c3 3.2 3 15.8 0 19M12 2.5c-3 3.2-3 15.8 0 19" fill="none" stroke="currentColor" strokeWidth="2" />
    </svg>
  );
}
