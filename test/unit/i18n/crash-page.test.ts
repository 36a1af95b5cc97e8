// The page shown when the screen keeps crashing speaks the language the screen was
// showing, with the help line and station id filled in.
import { describe, expect, it } from 'vitest';
import { CATALOGUES } from '../../../electron/contract/catalogues.js';
import { LANGUAGES } from '../../../electron/contract/languages.js';
import { crashPageIn } from '../../../electron/messages.js';
import { crashPageUrl } from '../../../electron/shell/window.js';

const station = { helpLine: '+49 30 555 0100', id: 'DE-BER-0042' };

describe.each(LANGUAGES)('the crash page in %s', (language) => {
  it('is in that language, with the help line and station id', () => {
    const page = crashPageIn(language, station);
    expect(page.lang).toBe(language);
    expect(page.title).toBe(CATALOGUES[language].crash.title);
    expect(page.lines[0]).toBe(CATALOGUES[language].crash.running);
    expect(page.lines.join('\n')).toContain(station.helpLine);
    expect(page.lines.join('\n')).toContain(station.id);
    expect(page.lines.join('\n')).not.toContain('{{');
    const html = decodeURIComponent(crashPageUrl(page).replace(/^data:text\/html;charset=utf-8,/, ''));
    expect(html).toContain(`<html lang="${language}">`);
  });
});
