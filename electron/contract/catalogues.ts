// Every language's message catalogue, for the screen (react-i18next) and the receipts
// alike: the one place a language is added (with its entry in languages.ts).
import type { Language } from './languages.js';
import en from './messages/en.json';
import de from './messages/de.json';
import fr from './messages/fr.json';
import nl from './messages/nl.json';
import es from './messages/es.json';

export const CATALOGUES = { en, de, fr, nl, es } satisfies Record<Language, unknown>;
