// Words the brain puts on paper come from the same message catalogues as the
// screen's (electron/contract/catalogues.ts), so a language is added in one place.
import type { ReceiptTexts } from './billing/receipt.js';
import type { CrashPage } from './shell/window.js';
import { CATALOGUES } from './contract/catalogues.js';
import { languageOf, type Language } from './contract/languages.js';

/** The receipt's words in a language (or a locale: "de-AT" → German). */
export function receiptTexts(language: Language | string): ReceiptTexts {
  return CATALOGUES[languageOf(language)].receipt;
}

/** `{{name}}` in a catalogue message, filled in (the brain has no i18next). */
function fill(text: string, values: Record<string, string>): string {
  return text.replace(/\{\{\s*(\w+)\s*\}\}/g, (whole, name: string) => values[name] ?? whole);
}

/** The page shown when the screen keeps crashing, in the language the screen was showing. */
export function crashPageIn(language: Language, station: { helpLine: string; id: string }): CrashPage {
  const { crash, app } = CATALOGUES[language];
  return {
    lang: language,
    title: crash.title,
    lines: [crash.running, fill(app.help, { helpLine: station.helpLine }), fill(app.stationId, { id: station.id })],
  };
}
