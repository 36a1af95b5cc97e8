// Every word the driver reads comes from a catalogue here. A language is added by
// adding its catalogue to `catalogues`; screens never change.
import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import en from '../../../electron/contract/messages/en.json';

const catalogues = { en } as const;
export type Language = keyof typeof catalogues;
export const FALLBACK_LANGUAGE: Language = 'en';

/** The catalogue language for a station locale ("de-DE" → "de" when there is one). */
export function languageFor(locale: string): Language {
  const lower = locale.toLowerCase();
  if (lower in catalogues) return lower as Language;
  const base = lower.split('-')[0] ?? '';
  if (base in catalogues) return base as Language;
  return FALLBACK_LANGUAGE;
}

export function initI18n(): typeof i18next {
  void i18next.use(initReactI18next).init({
    resources: Object.fromEntries(Object.entries(catalogues).map(([lng, translation]) => [lng, { translation }])),
    lng: FALLBACK_LANGUAGE,
    fallbackLng: FALLBACK_LANGUAGE,
    initAsync: false,
    interpolation: { escapeValue: false }, // React escapes.
    returnNull: false,
  });
  return i18next;
}
