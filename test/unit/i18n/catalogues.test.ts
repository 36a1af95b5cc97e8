// Every language stays complete (issue 16): each catalogue has every key of the English
// one (the plural forms its language needs, no others), the same placeholders in each
// message, and no message left in English unless it is the same word in that language
// (a unit, a code, a name), listed below. Adding a message in one language without the
// others fails here.
import { describe, expect, it } from 'vitest';
import { CATALOGUES } from '../../../electron/contract/catalogues.js';
import { LANGUAGES, type Language } from '../../../electron/contract/languages.js';

type Tree = { [key: string]: string | Tree };

function leaves(tree: Tree, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, value] of Object.entries(tree)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (typeof value === 'string') out.set(path, value);
    else for (const [k, v] of leaves(value, path)) out.set(k, v);
  }
  return out;
}

const PLURAL = /_(zero|one|two|few|many|other)$/;
const placeholders = (text: string) => [...text.matchAll(/\{\{\s*([\w.]+)[^}]*\}\}/g)].map((m) => m[1]).sort();
/** What is left of a message without its placeholders, units and codes: nothing to translate when it has no letters. */
const words = (text: string) =>
  text
    .replace(/\{\{[^}]*\}\}/g, '')
    .replace(/\b(kWh|kW|Wh|W|A|V|h|min|s|ms|OK|PIN|QR|RFID|EVSE|ZVT|OCPP|RAPI|CCS|CHAdeMO|CCS2|USB|CSV|ID|UID|Type 2|ESC\/POS|IP|TCP|CHADEMO|EUR|VAT)\b/g, '')
    .replace(/[^\p{L}]/gu, '');

/** Messages that are the same word in that language as in English: checked by a person, not a mistake. */
const SAME_AS_ENGLISH: Record<Exclude<Language, 'en'>, string[]> = {
  de: ['app.stationId', 'sim.unfold', 'receipt.station', 'maintenance.tabs.status', 'maintenance.device.port', 'maintenance.device.firmware', 'maintenance.tests.title', 'maintenance.connectors.problem', 'maintenance.accounts.name', 'maintenance.accounts.kind.prepaid'],
  fr: ['summary.total', 'units.spoken.kW', 'receipt.session', 'receipt.total', 'maintenance.menu.title', 'maintenance.menu.heading', 'maintenance.menu.pages', 'maintenance.device.port', 'maintenance.alarm.session', 'maintenance.tests.title', 'maintenance.service.presetMaintenance', 'maintenance.connectors.session', 'maintenance.accounts.type', 'maintenance.accounts.forSession', 'maintenance.ledger.correction', 'maintenance.reports.total', 'maintenance.reports.sessions'],
  nl: ['app.stationId', 'prices.energy', 'units.spoken.kW', 'sim.printer', 'sim.rfidPrepaid', 'sim.unfold', 'receipt.station', 'receipt.start', 'maintenance.tabs.status', 'maintenance.tabs.accounts', 'maintenance.device.printer', 'maintenance.device.firmware', 'maintenance.tests.title', 'maintenance.accounts.title', 'maintenance.accounts.type', 'maintenance.accounts.kind.prepaid', 'maintenance.accounts.detail'],
  es: ['summary.total', 'receipt.total', 'maintenance.no', 'maintenance.device.firmware', 'maintenance.reports.total', 'maintenance.log.level.error', 'maintenance.log.level.fatal'],
};

const english = leaves(CATALOGUES.en as unknown as Tree);

/** The English keys as `language` must have them: each plural message in the forms that language's plural rules name. */
function expectedKeys(language: Language): string[] {
  const forms = new Intl.PluralRules(language).resolvedOptions().pluralCategories;
  const keys = new Set<string>();
  for (const key of english.keys()) {
    if (PLURAL.test(key)) for (const form of forms) keys.add(key.replace(PLURAL, `_${form}`));
    else keys.add(key);
  }
  return [...keys].sort();
}

/** The English message a key of another language translates (a plural form: English's "other"). */
function englishOf(key: string): string | undefined {
  return english.get(key) ?? (PLURAL.test(key) ? english.get(key.replace(PLURAL, '_other')) : undefined);
}

describe.each(LANGUAGES.filter((l): l is Exclude<Language, 'en'> => l !== 'en'))('the %s catalogue', (language) => {
  const catalogue = leaves(CATALOGUES[language] as unknown as Tree);

  it('has every key of the English one, in the plural forms the language needs, and no other', () => {
    expect([...catalogue.keys()].sort()).toEqual(expectedKeys(language));
  });

  it('has the same placeholders in every message', () => {
    const wrong = [...catalogue].filter(([key, text]) => {
      const source = englishOf(key);
      return source !== undefined && placeholders(text).join() !== placeholders(source).join();
    });
    expect(wrong).toEqual([]);
  });

  it('leaves no message in English but the ones that are the same word in it', () => {
    const untranslated = [...catalogue]
      .filter(([key, text]) => text.trim() !== '' && text === englishOf(key) && words(text) !== '')
      .map(([key]) => key)
      .filter((key) => !SAME_AS_ENGLISH[language].includes(key.replace(PLURAL, '')) && !SAME_AS_ENGLISH[language].includes(key));
    expect(untranslated).toEqual([]);
    expect([...catalogue].filter(([, text]) => text.trim() === '').map(([key]) => key)).toEqual([]);
  });

  it('lists only keys that exist and really are as in English', () => {
    const stale = SAME_AS_ENGLISH[language].filter((key) => catalogue.get(key) !== englishOf(key));
    expect(stale).toEqual([]);
  });
});

describe('the English catalogue', () => {
  it('writes every plural message in the forms English needs', () => {
    const plurals = [...english.keys()].filter((key) => PLURAL.test(key));
    for (const key of plurals) {
      const base = key.replace(PLURAL, '');
      expect([english.has(`${base}_one`), english.has(`${base}_other`)], base).toEqual([true, true]);
    }
  });
});
