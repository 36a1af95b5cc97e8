// The driver's choices for the screen (issue 16): the language and the high-contrast mode
// belong to the driver's flow. The receipt is printed in the driver's language; the screen
// returns to the station's language when the flow ends; a driver coming back to their
// charge finds their choices again, after a restart too; a choice nobody follows up on the
// start screen expires.
import { afterEach, describe, expect, it } from 'vitest';
import { ScreenPreferences } from '../../../electron/station/screen-preferences.js';
import { isLanguage } from '../../../electron/contract/languages.js';
import { KioskHarness, payAndPlug } from './kiosk-harness.js';

let harness: KioskHarness | null = null;
afterEach(async () => {
  await harness?.close();
  harness = null;
});

const screen = (h: KioskHarness) => h.snapshot().screen;

describe('ScreenPreferences', () => {
  const station = { language: 'en' as const, highContrast: false };

  it('gives a flow the start screen choices, keeps them while the driver is away, and ends them with the flow', () => {
    const p = new ScreenPreferences(station, 60_000);
    p.choose(null, { language: 'de' }, 0);
    p.flowBegins(1);
    expect(p.of(1)).toEqual({ language: 'de', highContrast: false });
    expect(p.of(null)).toEqual(station);
    p.choose(1, { highContrast: true }, 1);
    p.leftFlow(1, 10);
    expect(p.of(null)).toEqual({ language: 'de', highContrast: true });
    expect(p.expire(null, 59_999)).toBe(false);
    expect(p.expire(null, 60_010)).toBe(true);
    expect(p.of(null)).toEqual(station);
    expect(p.languageOf(1)).toBe('de');
    p.flowEnds(1, false);
    expect(p.languageOf(1)).toBe('en');
    expect(p.of(1)).toEqual(station);
  });

  it('a flow on another connector keeps its own; a restart restores only what it can read', () => {
    const p = new ScreenPreferences(station, 60_000);
    p.choose(2, { language: 'fr' }, 0);
    p.choose(1, { language: 'nl' }, 0);
    const q = new ScreenPreferences(station, 60_000);
    q.restore({ ...p.kept(), 3: { language: 'es', highContrast: false }, 4: { language: 'xx', highContrast: false }, 5: 'garbage' }, isLanguage, [1, 2, 4, 5]);
    expect(q.kept()).toEqual({ 1: { language: 'nl', highContrast: false }, 2: { language: 'fr', highContrast: false } });
    q.restore('not an object', isLanguage, [1]);
    expect(q.languageOf(2)).toBe('fr');
  });
});

describe('the driver’s language on the station', () => {
  it('offers the station’s languages, its own first, and refuses one it does not offer', async () => {
    harness = await KioskHarness.start({ station: { locale: 'de-DE', languages: ['en', 'de', 'fr'] } });
    const h = harness;
    expect(screen(h)).toEqual({ language: 'de', languages: ['de', 'en', 'fr'], highContrast: false });
    expect(await h.command({ type: 'setLanguage', language: 'es' })).toMatchObject({ ok: false, error: { code: 'rejected' } });
    expect(await h.command({ type: 'setLanguage', language: 'xx' } as never)).toMatchObject({ ok: false, error: { code: 'invalid' } });
    expect(screen(h).language).toBe('de');
  });

  it('lasts the session: chosen at the start, it goes with the flow, prints the receipt, and the screen returns to the station’s language', async () => {
    harness = await KioskHarness.start();
    const h = harness;
    expect(await h.command({ type: 'setLanguage', language: 'de' })).toEqual({ ok: true });
    expect(await h.command({ type: 'setHighContrast', on: true })).toEqual({ ok: true });
    expect(screen(h)).toMatchObject({ language: 'de', highContrast: true });
    await payAndPlug(h, 1);
    expect(screen(h)).toMatchObject({ language: 'de', highContrast: true });
    await h.sim({ type: 'plug', connectorId: 1, plugged: false });
    await h.run(5000);
    expect(h.connector(1).phase).toBe('summary');
    expect(screen(h).language).toBe('de');
    expect(await h.command({ type: 'chooseReceipt', connectorId: 1, receipt: 'print' })).toEqual({ ok: true });
    await h.run(3000);
    const printed = h.snapshot().sim?.printer?.lastReceipt ?? '';
    expect(printed).toMatch(/Summe|Gesamt/);
    expect(printed).not.toMatch(/\bTotal\b/);
    expect(await h.command({ type: 'closeSummary', connectorId: 1 })).toEqual({ ok: true });
    await h.run(100);
    expect(screen(h)).toMatchObject({ language: 'en', highContrast: false });
  });

  it('a driver who cancels leaves the next driver the station’s language', async () => {
    harness = await KioskHarness.start();
    const h = harness;
    expect(await h.command({ type: 'selectConnector', connectorId: 1 })).toEqual({ ok: true });
    expect(await h.command({ type: 'setLanguage', language: 'fr' })).toEqual({ ok: true });
    expect(screen(h).language).toBe('fr');
    expect(await h.command({ type: 'cancel', connectorId: 1 })).toEqual({ ok: true });
    await h.run(100);
    expect(h.snapshot().focus).toBeNull();
    expect(screen(h).language).toBe('en');
  });

  it('a driver back at the start while charging: the start keeps their language a while, their charging screen for the whole session, after a restart too', async () => {
    harness = await KioskHarness.start();
    const h = harness;
    await payAndPlug(h, 2);
    expect(await h.command({ type: 'setLanguage', language: 'nl' })).toEqual({ ok: true });
    expect(await h.command({ type: 'goHome' })).toEqual({ ok: true });
    await h.run(100);
    expect(screen(h).language).toBe('nl');
    await h.run(70_000);
    expect(screen(h).language).toBe('en');
    expect(await h.command({ type: 'selectConnector', connectorId: 2 })).toEqual({ ok: true });
    expect(screen(h).language).toBe('nl');
    await h.restart();
    expect(h.snapshot().focus).toBe(2);
    expect(screen(h).language).toBe('nl');
  });
});
