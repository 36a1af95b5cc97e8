// Accessibility (issue 16): axe-core on every driver screen of the screen tour
// (screen-tour.ts) and on each page of the technician's maintenance menu, in each
// language of A11Y_LANGUAGES.
//
//   driver screens at 1280×800 (the default viewport): no violation at all;
//   driver screens at 800×480, and the maintenance menu at 1280×800: no serious or critical one.
//
// Rules: WCAG 2.0/2.1 A and AA and axe's best practices, plus the experimental
// label-content-name-mismatch (a control's accessible name contains its visible label).
// The simulator panel is not part of the kiosk: the driver screens are checked without it
// (KIOSK_NO_SIM_PANEL=1), and the panel on its own (unfolded, with a car plugged in, and
// folded), held to the maintenance menu's bar: it is the developer's and the demo's.
// Each language also tours the driver screens in the high-contrast mode (same bars).
// The figures per screen are printed as a table and written to
// test-results/a11y/axe-<language>.json, axe-<language>-high-contrast.json and
// axe-<language>-sim-panel.json.
//
// Every `npx playwright test` runs English; A11Y=full (npm run test:a11y) all five, each on
// a kiosk whose station language it is (stationIn in screen-tour.ts).
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import type { TFunction } from 'i18next';
import { expect, test } from './fixtures.js';
import { E2E_CONFIG, type KioskProcess } from './kiosk-process.js';
import { catalogue, stationIn, tour } from './screen-tour.js';

/** Every language of the screen (the catalogues in electron/contract/messages/). */
const ALL_LANGUAGES = ['en', 'de', 'fr', 'nl', 'es'] as const;
/** The languages checked: English in every run, all with A11Y=full. */
export const A11Y_LANGUAGES: readonly string[] = process.env.A11Y === 'full' ? ALL_LANGUAGES : ['en'];

const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'];
const IMPACTS = ['critical', 'serious', 'moderate', 'minor'] as const;
type Impact = (typeof IMPACTS)[number];
const DEFAULT = { width: 1280, height: 800 };
const SMALL = { width: 800, height: 480 };
const ENV = { KIOSK_NO_SIM_PANEL: '1' };
const PIN = '571938';

/** One axe run: where, at what size, what it found (violations by impact, and the rules with their node counts). */
interface Figures {
  screen: string;
  size: string;
  /** 'none': no violation allowed; 'serious': none serious or critical. */
  bar: 'none' | 'serious';
  counts: Record<Impact, number>;
  rules: { id: string; impact: Impact; nodes: number; help: string; targets: string[] }[];
  /** What axe could not decide and a person should look at (colour contrast over an image or a gradient…): rule → nodes. */
  incomplete: Record<string, { nodes: number; targets: string[]; why: string[] }>;
}

async function axe(page: Page, screen: string, bar: Figures['bar'], include?: string): Promise<Figures> {
  const builder = new AxeBuilder({ page });
  if (include) builder.include(include);
  const results = await builder
    .options({ runOnly: { type: 'tag', values: TAGS }, rules: { 'label-content-name-mismatch': { enabled: true } } })
    .analyze();
  const viewport = page.viewportSize()!;
  const counts: Record<Impact, number> = { critical: 0, serious: 0, moderate: 0, minor: 0 };
  const rules = results.violations.map((v) => {
    const impact = (v.impact ?? 'minor') as Impact;
    counts[impact] += v.nodes.length;
    return { id: v.id, impact, nodes: v.nodes.length, help: v.help, targets: v.nodes.map((n) => n.target.join(' ')) };
  });
  const incomplete = Object.fromEntries(
    results.incomplete.map((r) => [
      r.id,
      { nodes: r.nodes.length, targets: r.nodes.map((n) => n.target.join(' ')), why: [...new Set(r.nodes.flatMap((n) => [...n.any, ...n.all].map((c) => c.message)))] },
    ]),
  );
  return { screen, size: `${viewport.width}x${viewport.height}`, bar, counts, rules, incomplete };
}

function failures(figures: Figures[]): string[] {
  return figures.flatMap((f) =>
    f.rules
      .filter((r) => f.bar === 'none' || r.impact === 'critical' || r.impact === 'serious')
      .map((r) => `${f.screen} @ ${f.size}: ${r.id} (${r.impact}, ${r.nodes}×) ${r.help}\n    ${r.targets.join('\n    ')}`),
  );
}

function table(language: string, figures: Figures[]): string {
  const head = ['screen', 'size', ...IMPACTS, 'rules', 'to review'];
  const rows = figures.map((f) => [
    f.screen,
    f.size,
    ...IMPACTS.map((i) => String(f.counts[i])),
    f.rules.map((r) => r.id).join(', ') || '-',
    Object.entries(f.incomplete)
      .map(([id, n]) => `${id} ${n.nodes}`)
      .join(', '),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
  return [`axe violations (nodes) by impact, ${language}:`, line(head), ...rows.map(line)].join('\n');
}

/** The hidden gesture on the driver's screen (the default: 3 s held top left, 3 taps top right), then the PIN. */
async function openMenu(page: Page, t: TFunction, figures: Figures[]): Promise<void> {
  const box = (await page.locator('.driver').boundingBox())!;
  await page.mouse.move(box.x + 15, box.y + 15);
  await page.mouse.down();
  await page.waitForTimeout(3300);
  await page.mouse.up();
  for (let i = 0; i < 3; i++) await page.mouse.click(box.x + box.width - 15, box.y + 15, { delay: 40 });
  const pad = page.getByRole('dialog', { name: t('maintenance.pin.title') });
  await expect(pad).toBeVisible();
  figures.push(await axe(page, 'maintenance pinPad', 'serious'));
  for (const digit of PIN) await pad.getByRole('button', { name: digit, exact: true }).click();
  await pad.getByRole('button', { name: t('maintenance.pin.open'), exact: true }).click();
}

/** Each page of the maintenance menu, in the order of its tabs. */
async function maintenancePages(page: Page, kiosk: KioskProcess, t: TFunction, figures: Figures[]): Promise<void> {
  execFileSync(process.execPath, ['--import', 'tsx', 'scripts/technicians.ts', 'add', 'Axe', '--config', kiosk.configFile, '--data', kiosk.dataDir], {
    input: `${PIN}\n${PIN}\n`,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  await page.setViewportSize(DEFAULT);
  await page.goto(kiosk.url);
  await expect(page.getByRole('heading', { name: t('start.title'), exact: true })).toBeVisible();
  await openMenu(page, t, figures);
  const menu = page.getByRole('dialog', { name: t('maintenance.menu.title') });
  await expect(menu.getByRole('heading', { name: t('maintenance.menu.heading', { technician: 'Axe' }) })).toBeVisible();
  for (const id of ['status', 'connectors', 'prices', 'accounts', 'payments', 'reports', 'log']) {
    const tab = menu.getByRole('navigation').getByRole('button', { name: t(`maintenance.tabs.${id}`), exact: true });
    await tab.click();
    await expect(tab).toHaveAttribute('aria-current', 'page');
    // The page asks the brain for its data: let the answer render.
    await page.waitForLoadState('networkidle');
    await page.waitForTimeout(400);
    figures.push(await axe(page, `maintenance ${id}`, 'serious'));
  }
  await menu.getByRole('button', { name: t('maintenance.menu.logout'), exact: true }).click();
  await expect(menu).toHaveCount(0);
}

/**
 * Runs `collect`, which pushes its axe figures; then prints them as a table, writes them to
 * test-results/a11y/axe-<name>.json (even when `collect` fails part-way) and fails on what breaks the bar.
 */
async function report(name: string, about: object, collect: (figures: Figures[]) => Promise<void>): Promise<void> {
  const figures: Figures[] = [];
  try {
    await collect(figures);
  } finally {
    console.log(table(name, figures));
    mkdirSync('test-results/a11y', { recursive: true });
    writeFileSync(`test-results/a11y/axe-${name}.json`, `${JSON.stringify({ ...about, tags: TAGS, figures }, null, 2)}\n`);
  }
  const found = failures(figures);
  expect(found.length, `axe violations, ${name}:\n${found.join('\n')}\n`).toBe(0);
}

/** Axe at both sizes on every screen of the tour (and the maintenance menu's pages unless in high contrast). */
async function check(page: Page, kiosk: KioskProcess, language: string, highContrast: boolean): Promise<void> {
  const t = catalogue(language);
  await report(highContrast ? `${language}-high-contrast` : language, { language, highContrast }, async (figures) => {
    await tour(
      page,
      kiosk,
      async (screen) => {
        figures.push(await axe(page, screen, 'none'));
        await page.setViewportSize(SMALL);
        figures.push(await axe(page, screen, 'serious'));
        await page.setViewportSize(DEFAULT);
      },
      { language, env: ENV, highContrast },
    );
    if (!highContrast) await maintenancePages(page, kiosk, t, figures);
  });
}

/** The simulator panel alone, to the maintenance menu's bar: unfolded, with a car plugged in, and folded. */
async function checkSimPanel(page: Page, kiosk: KioskProcess, language: string): Promise<void> {
  const t = catalogue(language);
  await report(`${language}-sim-panel`, { language, simPanel: true }, async (figures) => {
    await page.goto(kiosk.url);
    const panel = page.getByRole('complementary', { name: t('sim.title') });
    await expect(panel).toBeVisible();
    figures.push(await axe(page, 'sim panel', 'serious', '.sim'));
    await panel.getByRole('button', { name: t('sim.plugIn'), exact: true }).first().click();
    await expect(panel.getByRole('button', { name: t('sim.unplug'), exact: true })).toBeVisible();
    figures.push(await axe(page, 'sim panel, car plugged in', 'serious', '.sim'));
    await panel.getByRole('button', { name: t('sim.foldLabel'), exact: true }).click();
    await expect(page.getByRole('button', { name: t('sim.unfoldLabel'), exact: true })).toBeVisible();
    figures.push(await axe(page, 'sim panel, folded', 'serious', '.sim'));
  });
}

for (const language of A11Y_LANGUAGES) {
  test.describe(`accessibility (axe), ${language}`, () => {
    test.use({ kioskOptions: { config: stationIn(language, E2E_CONFIG), env: ENV }, viewport: DEFAULT });

    test(`every driver screen and the maintenance menu, ${language}`, { tag: '@a11y' }, async ({ page, kiosk }) => {
      test.setTimeout(300_000);
      await check(page, kiosk, language, false);
    });

    test(`every driver screen in high contrast, ${language}`, { tag: '@a11y' }, async ({ page, kiosk }) => {
      test.setTimeout(300_000);
      await check(page, kiosk, language, true);
    });

    test.describe('with the simulator panel', () => {
      test.use({ kioskOptions: { config: stationIn(language, E2E_CONFIG) } });

      test(`the simulator panel: unfolded, with a car plugged in, and folded, ${language}`, { tag: '@a11y' }, async ({ page, kiosk }) => {
        await checkSimPanel(page, kiosk, language);
      });
    });
  });
}
