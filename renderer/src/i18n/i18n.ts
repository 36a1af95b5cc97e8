// Every word the driver reads comes from a catalogue (electron/contract/catalogues.ts);
// the screen shows the language of the snapshot's `screen.language`. Screens never change
// when a language is added.
import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import { CATALOGUES } from '../../../electron/contract/catalogues.js';
import type { Language } from '../../../electron/contract/languages.js';

export const FALLBACK_LANGUAGE: Language = 'en';

export function initI18n(): typeof i18next {
  void i18next.use(initReactI18next).init({
    resources: Object.fromEntries(Object.entries(CATALOGUES).map(([lng, translation]) => [lng, { translation }])),
    lng: FALLBACK_LANGUAGE,
    fallbackLng: FALLBACK_LANGUAGE,
    initAsync: false,
    interpolation: { escapeValue: false }, // React escapes.
    returnNull: false,
  });
  return i18next;
}
