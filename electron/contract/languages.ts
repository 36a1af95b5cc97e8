// The languages the kiosk speaks: one catalogue each in electron/contract/messages/,
// for the screen and the receipts alike. A station offers them on the language button
// (`station.languages`); its own (`station.locale`) is the one the screen returns to.

export const LANGUAGES = ['en', 'de', 'fr', 'nl', 'es'] as const;
export type Language = (typeof LANGUAGES)[number];

/** Each language's name in itself, as the language chooser lists it (never translated). */
export const LANGUAGE_NAMES: Record<Language, string> = {
  en: 'English',
  de: 'Deutsch',
  fr: 'Français',
  nl: 'Nederlands',
  es: 'Español',
};

export function isLanguage(value: string): value is Language {
  return (LANGUAGES as readonly string[]).includes(value);
}

/** The catalogue language for a locale ("de-AT" → "de"); English for a locale the kiosk does not speak. */
export function languageOf(locale: string): Language {
  const base = locale.toLowerCase().split(/[-_]/)[0] ?? '';
  return isLanguage(base) ? base : 'en';
}

/**
 * The locale numbers, money and times are written in for a language: the station's own
 * when it is that language's ("de-AT" stays "de-AT" for German), else the language's.
 */
export function localeFor(language: Language, stationLocale: string): string {
  return languageOf(stationLocale) === language ? stationLocale : language;
}
