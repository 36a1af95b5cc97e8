// The layout matrix (issue 15): a real driver's flow on the web host (the screen tour,
// screen-tour.ts), and at each of its screens a screenshot at every size and the layout check (layout-check.ts): the screen's
// main actions inside the viewport with no scrolling, no text cut off, clipped or on other
// text. Once with the simulator panel beside the driver's screen (sim mode's default) and
// once without it (KIOSK_NO_SIM_PANEL=1). Screenshots: test-results/layout/<size>/<screen>.png
// (<size>-no-sim-panel/ without the panel), listed in the test's output.
//
// Then without the panel in the high-contrast mode (its larger type; -high-contrast/), and
// in each other language (the station's, stationIn; -<language>/): longer words must fit too.
//
// Every `npx playwright test` runs the subset (800×480 and 1080×1920 portrait; English, and
// the longest language in high contrast); LAYOUT=full (npm run test:layout) every size, and
// every language also in high contrast.
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures.js';
import { E2E_CONFIG } from './kiosk-process.js';
import { findLayoutProblems, layoutReport } from './layout-check.js';
import { catalogue, screens, stationIn, topLayer, tour, type ScreenName } from './screen-tour.js';

const LAYOUT = process.env.LAYOUT ?? '';

interface Size {
  name: string;
  width: number;
  height: number;
}
const size = (width: number, height: number): Size => ({ name: `${width}x${height}`, width, height });
const SUBSET = [size(800, 480), size(1080, 1920)];
const SIZES = LAYOUT === 'full' ? [size(800, 480), size(1024, 600), size(1280, 800), size(1920, 1080), size(1080, 1920)] : SUBSET;
/** The size the flow is driven at, between the screens' checks. */
const DRIVING = size(1280, 800);

interface Variant {
  title: string;
  env: Record<string, string>;
  dir: string;
  panel: boolean;
  language: string;
  highContrast: boolean;
}
const NO_PANEL = { KIOSK_NO_SIM_PANEL: '1' };
const variant = (language: string, highContrast: boolean): Variant => ({
  title: `without the simulator panel, ${language}${highContrast ? ', high contrast' : ''}`,
  env: NO_PANEL,
  dir: `-no-sim-panel${language === 'en' ? '' : `-${language}`}${highContrast ? '-high-contrast' : ''}`,
  panel: false,
  language,
  highContrast,
});
const VARIANTS: Variant[] = [
  { title: 'with the simulator panel', env: {}, dir: '', panel: true, language: 'en', highContrast: false },
  { ...variant('en', false), title: 'without the simulator panel (KIOSK_NO_SIM_PANEL=1)' },
  ...(LAYOUT === 'full'
    ? [variant('en', true), ...['de', 'fr', 'nl', 'es'].flatMap((language) => [variant(language, false), variant(language, true)])]
    : [variant('de', true)]),
];

/** Checks and photographs each screen of the tour at every size. */
class Matrix {
  readonly problems: string[] = [];
  readonly screenshots: string[] = [];
  private readonly screens: ReturnType<typeof screens>;
  constructor(
    private readonly page: Page,
    private readonly dir: string,
    language: string,
  ) {
    this.screens = screens(catalogue(language));
  }

  async capture(screen: ScreenName): Promise<void> {
    const { main } = this.screens[screen];
    for (const s of SIZES) {
      await this.page.setViewportSize(s);
      const path = `test-results/layout/${s.name}${this.dir}/${screen}.png`;
      await this.page.screenshot({ path, animations: 'disabled' });
      this.screenshots.push(path);
      const layer = await topLayer(this.page);
      const actions = main.map((a) => ({ name: a.name, locator: a.of(layer) }));
      this.problems.push(...layoutReport(`${screen} @ ${s.name}${this.dir}`, await findLayoutProblems(this.page, actions, { root: '.driver' })));
    }
    await this.page.setViewportSize(DRIVING);
  }
}

for (const variant of VARIANTS) {
  test.describe(variant.title, () => {
    test.use({ kioskOptions: { config: stationIn(variant.language, E2E_CONFIG), env: variant.env }, viewport: DRIVING });

    test(`every driver screen at ${SIZES.map((s) => s.name).join(', ')}`, { tag: '@layout' }, async ({ page, kiosk }) => {
      test.setTimeout(60_000 + SIZES.length * 40_000);
      const matrix = new Matrix(page, variant.dir, variant.language);
      try {
        await tour(
          page,
          kiosk,
          async (screen) => {
            // KIOSK_NO_SIM_PANEL=1 leaves the panel out: the screen gets the whole width.
            if (screen === 'start' && !variant.panel) await expect(page.getByRole('complementary', { name: catalogue(variant.language)('sim.title') })).toHaveCount(0);
            await matrix.capture(screen);
          },
          { env: variant.env, language: variant.language, highContrast: variant.highContrast },
        );
      } finally {
        console.log(`layout screenshots (${matrix.screenshots.length}):\n${matrix.screenshots.map((p) => `  ${p}`).join('\n')}`);
      }
      expect(matrix.problems.length, `layout problems ${variant.title}:\n${matrix.problems.join('\n')}\n`).toBe(0);
    });
  });
}

