// The layout matrix (issue 15): a real driver's flow on the web host (the screen tour,
// screen-tour.ts), and at each of its screens a screenshot at every size and the layout check (layout-check.ts): the screen's
// main actions inside the viewport with no scrolling, no text cut off, clipped or on other
// text. Once with the simulator panel beside the driver's screen (sim mode's default) and
// once without it (KIOSK_NO_SIM_PANEL=1). Screenshots: test-results/layout/<size>/<screen>.png
// (<size>-no-sim-panel/ without the panel), listed in the test's output.
//
// Every `npx playwright test` runs the subset (800×480 and 1080×1920 portrait);
// LAYOUT=full (npm run test:layout) every size.
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures.js';
import { findLayoutProblems, layoutReport } from './layout-check.js';
import { catalogue, screens, topLayer, tour, type ScreenName } from './screen-tour.js';

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

/** The screens' names and main actions, in English (the station's language). */
const t = catalogue('en');
const SCREENS = screens(t);

const VARIANTS: { title: string; env: Record<string, string>; dir: string; panel: boolean }[] = [
  { title: 'with the simulator panel', env: {}, dir: '', panel: true },
  { title: 'without the simulator panel (KIOSK_NO_SIM_PANEL=1)', env: { KIOSK_NO_SIM_PANEL: '1' }, dir: '-no-sim-panel', panel: false },
];

/** Checks and photographs each screen of the tour at every size. */
class Matrix {
  readonly problems: string[] = [];
  readonly screenshots: string[] = [];
  constructor(
    private readonly page: Page,
    private readonly dir: string,
  ) {}

  async capture(screen: ScreenName): Promise<void> {
    const { main } = SCREENS[screen];
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
    test.use({ kioskOptions: { env: variant.env }, viewport: DRIVING });

    test(`every driver screen at ${SIZES.map((s) => s.name).join(', ')}`, { tag: '@layout' }, async ({ page, kiosk }) => {
      test.setTimeout(60_000 + SIZES.length * 40_000);
      const matrix = new Matrix(page, variant.dir);
      try {
        await tour(
          page,
          kiosk,
          async (screen) => {
            // KIOSK_NO_SIM_PANEL=1 leaves the panel out: the screen gets the whole width.
            if (screen === 'start' && !variant.panel) await expect(page.getByRole('complementary', { name: t('sim.title') })).toHaveCount(0);
            await matrix.capture(screen);
          },
          { env: variant.env },
        );
      } finally {
        console.log(`layout screenshots (${matrix.screenshots.length}):\n${matrix.screenshots.map((p) => `  ${p}`).join('\n')}`);
      }
      expect(matrix.problems.length, `layout problems ${variant.title}:\n${matrix.problems.join('\n')}\n`).toBe(0);
    });
  });
}

