// The layout matrix (issue 15): a real driver's flow on the web host, and at each of its
// screens a screenshot at every size and the layout check (layout-check.ts): the screen's
// main actions inside the viewport with no scrolling, no text cut off, clipped or on other
// text. Once with the simulator panel beside the driver's screen (sim mode's default) and
// once without it (KIOSK_NO_SIM_PANEL=1). Screenshots: test-results/layout/<size>/<screen>.png
// (<size>-no-sim-panel/ without the panel), listed in the test's output.
//
// Every `npx playwright test` runs the subset (800×480 and 1080×1920 portrait);
// LAYOUT=full (npm run test:layout) every size.
import { execFileSync } from 'node:child_process';
import type { Locator, Page } from '@playwright/test';
import WebSocket from 'ws';
import type { TechResult } from '../../electron/contract/index.js';
import { expect, tapConnector, test } from './fixtures.js';
import { E2E_CONFIG, KioskProcess } from './kiosk-process.js';
import { findLayoutProblems, layoutReport } from './layout-check.js';

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

const KEYPAD = 'Enter your stop code';
const STILL_THERE = 'Are you still there?';
const SERVICE_NOTE = 'Cable being replaced';
const PIN = '739164';

/** A main action: its name in the report, and how to find it in what the driver sees (the open dialog, else the page). */
interface Target {
  name: string;
  of: (layer: Page | Locator) => Locator;
}
const target = (name: string, of: (layer: Page | Locator) => Locator): Target => ({ name, of });
const button = (name: string) => target(name, (layer) => layer.getByRole('button', { name, exact: true }));
const keypad = [button('Delete last digit'), button('0'), button('OK'), button('Close')];

/** What the driver sees and can tap: the topmost dialog when one is open (the screen behind is inert), else the page. */
async function topLayer(page: Page): Promise<Page | Locator> {
  const dialogs = page.getByRole('dialog');
  return (await dialogs.count()) > 0 ? dialogs.last() : page;
}

/**
 * Each driver screen: how the test knows it is showing, and its main actions (by role and
 * accessible name): what the driver must see and be able to tap without scrolling.
 */
const SCREENS = {
  start: { ready: heading('Choose a connector'), main: [button('Connector 1, Available'), button('Connector 2, Available')] },
  choosingPayment: { ready: heading('How would you like to pay?'), main: [button('Bank card'), button('Cancel')] },
  authorizing: { ready: heading('Present your card on the card terminal'), main: [button('Cancel')] },
  declined: { ready: heading('Payment not completed'), main: [button('Try again'), button('Choose another way'), button('Cancel')] },
  awaitingVehicle: { ready: heading('Plug in your car'), main: [button('Cancel')] },
  chargingStopCode: { ready: heading('Charging'), main: [button('OK, noted'), button('Stop charging')] },
  charging: { ready: heading('Charging'), main: [button('Stop charging'), button('Back to start')] },
  stopKeypad: { ready: (page: Page) => page.getByRole('dialog', { name: KEYPAD }), main: keypad },
  stopKeypadRejected: { ready: (page: Page) => page.getByRole('dialog', { name: KEYPAD }).getByRole('alert'), main: keypad },
  parked: { ready: heading(/^Charging stopped/), main: [button('Back to start')] },
  summary: { ready: heading('Charging summary'), main: [button('Print receipt'), button('Show QR code'), button('No receipt'), button('Done')] },
  summaryQr: {
    ready: (page: Page) => page.getByRole('img', { name: 'QR code of your receipt' }),
    main: [target('QR code', (layer) => layer.getByRole('img', { name: 'QR code of your receipt' })), button('Done')],
  },
  outOfService: {
    ready: (page: Page) => page.getByRole('group', { name: 'Connector 1' }).getByText(SERVICE_NOTE),
    main: [button('Connector 1, Out of service'), target('the note', (layer) => layer.getByText(SERVICE_NOTE)), button('Connector 2, Available')],
  },
  stationOutOfService: {
    ready: (page: Page) => page.getByText('This charging station is out of service.'),
    main: [target('the notice', (layer) => layer.getByRole('alert').filter({ hasText: 'This charging station is out of service.' }))],
  },
  faultMidCharge: { ready: heading('Charging stopped: a fault at the charger'), main: [button('Back to start')] },
  fault: { ready: heading('Connector 1 has a fault'), main: [button('Back to start')] },
  inactivity: { ready: (page: Page) => page.getByRole('dialog', { name: STILL_THERE }), main: [button('More time'), button('Cancel')] },
} satisfies Record<string, { ready: (page: Page) => Locator; main: Target[] }>;
type Screen = keyof typeof SCREENS;

function heading(name: string | RegExp) {
  return (page: Page) => page.getByRole('heading', { name, exact: true });
}

const VARIANTS: { title: string; env: Record<string, string>; dir: string; panel: boolean }[] = [
  { title: 'with the simulator panel', env: {}, dir: '', panel: true },
  { title: 'without the simulator panel (KIOSK_NO_SIM_PANEL=1)', env: { KIOSK_NO_SIM_PANEL: '1' }, dir: '-no-sim-panel', panel: false },
];

/** Walks the screens, and checks and photographs each at every size. */
class Matrix {
  readonly problems: string[] = [];
  readonly screenshots: string[] = [];
  constructor(
    private readonly page: Page,
    private readonly dir: string,
  ) {}

  async capture(screen: Screen): Promise<void> {
    const { ready, main } = SCREENS[screen];
    await expect(ready(this.page)).toBeVisible();
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
      await page.goto(kiosk.url);
      await expect(SCREENS.start.ready(page)).toBeVisible();
      // KIOSK_NO_SIM_PANEL=1 leaves the panel out: the screen gets the whole width.
      if (!variant.panel) await expect(page.getByRole('complementary', { name: 'Simulator (not part of the kiosk)' })).toHaveCount(0);
      const matrix = new Matrix(page, variant.dir);
      try {
        await walkDriverFlow(page, kiosk, matrix);
        await walkOutOfService(page, kiosk, matrix);
        await walkFault(page, kiosk, matrix);
        await walkInactivity(page, variant.env, matrix);
      } finally {
        console.log(`layout screenshots (${matrix.screenshots.length}):\n${matrix.screenshots.map((p) => `  ${p}`).join('\n')}`);
      }
      expect(matrix.problems.length, `layout problems ${variant.title}:\n${matrix.problems.join('\n')}\n`).toBe(0);
    });
  });
}

/** Start, payment (waiting for the card, declined, approved), charging, the stop keypad, the summary and its QR code. */
async function walkDriverFlow(page: Page, kiosk: KioskProcess, matrix: Matrix): Promise<void> {
  await matrix.capture('start');
  await tapConnector(page, '1');
  await matrix.capture('choosingPayment');

  // No card comes: the authorizing screen stays until the driver cancels.
  await kiosk.sim({ type: 'cardOutcome', outcome: 'timeout' });
  await page.getByRole('button', { name: 'Bank card' }).click();
  await matrix.capture('authorizing');
  await page.getByRole('button', { name: 'Cancel' }).click();
  await expect(SCREENS.start.ready(page).or(SCREENS.choosingPayment.ready(page))).toBeVisible();
  if (await SCREENS.start.ready(page).isVisible()) await tapConnector(page, '1');

  await kiosk.sim({ type: 'cardOutcome', outcome: 'decline' });
  await page.getByRole('button', { name: 'Bank card' }).click();
  await matrix.capture('declined');

  await kiosk.sim({ type: 'cardOutcome', outcome: 'approve' });
  await page.getByRole('button', { name: 'Try again' }).click();
  await matrix.capture('awaitingVehicle');

  await kiosk.sim({ type: 'plug', connectorId: 1, plugged: true });
  await expect(page.locator('.stop-code-digits')).toBeVisible();
  const stopCode = (await page.locator('.stop-code-digits').innerText()).trim();
  await matrix.capture('chargingStopCode');
  await page.getByRole('button', { name: 'OK, noted' }).click();
  await expect.poll(async () => (await kiosk.snapshot()).connectors[0]!.session?.energyWh ?? 0, { timeout: 15_000 }).toBeGreaterThan(20);
  await matrix.capture('charging');

  await page.getByRole('button', { name: 'Stop charging' }).click();
  await matrix.capture('stopKeypad');
  const wrong = stopCode === '0000' ? '1111' : '0000';
  await typeCode(page, wrong);
  await matrix.capture('stopKeypadRejected');
  await typeCode(page, stopCode);
  await matrix.capture('parked');

  await kiosk.sim({ type: 'plug', connectorId: 1, plugged: false });
  await matrix.capture('summary');
  await page.getByRole('button', { name: 'Show QR code' }).click();
  await matrix.capture('summaryQr');
  await (await topLayer(page)).getByRole('button', { name: 'Done' }).click();
  await expect(SCREENS.start.ready(page)).toBeVisible();
}

async function typeCode(page: Page, code: string): Promise<void> {
  const pad = page.getByRole('dialog', { name: KEYPAD });
  for (const digit of code) await pad.getByRole('button', { name: digit, exact: true }).click();
  await pad.getByRole('button', { name: 'OK', exact: true }).click();
}

/** Connector 1, then the whole station, out of service by a technician; back in service after. */
async function walkOutOfService(page: Page, kiosk: KioskProcess, matrix: Matrix): Promise<void> {
  execFileSync(process.execPath, ['--import', 'tsx', 'scripts/technicians.ts', 'add', 'Layout', '--config', kiosk.configFile, '--data', kiosk.dataDir], {
    input: `${PIN}\n`,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const service = (connectorId: number | null, inService: boolean) => ({ type: 'setService', connectorId, inService, reason: SERVICE_NOTE });
  await technician(kiosk.url, [service(1, false)]);
  await matrix.capture('outOfService');
  await technician(kiosk.url, [service(1, true), service(null, false)]);
  await matrix.capture('stationOutOfService');
  await technician(kiosk.url, [service(null, true)]);
  await expect(page.getByRole('button', { name: 'Connector 1, Available' })).toBeEnabled();
}

/** Technician commands over a screen connection of the test's own: the PIN's login, the commands, logout. */
async function technician(url: string, commands: object[]): Promise<void> {
  const ws = new WebSocket(new URL('/ws', url).href.replace(/^http/, 'ws'));
  await new Promise((opened, failed) => ws.once('open', opened).once('error', failed));
  let id = 0;
  const send = (body: object) =>
    new Promise<TechResult>((answered) => {
      const mine = ++id;
      ws.on('message', function onMessage(data) {
        const message = JSON.parse(String(data)) as { type: string; id?: number; result?: TechResult };
        if (message.type !== 'result' || message.id !== mine) return;
        ws.off('message', onMessage);
        answered(message.result!);
      });
      ws.send(JSON.stringify({ id: mine, kind: 'tech', body }));
    });
  try {
    const login = await send({ command: { type: 'login', pin: PIN } });
    if (!login.ok) throw new Error(`technician login: ${JSON.stringify(login)}`);
    const { token } = login.data as { token: string };
    for (const command of [...commands, { type: 'logout' }]) {
      const result = await send({ token, command });
      if (!result.ok) throw new Error(`technician ${JSON.stringify(command)}: ${JSON.stringify(result)}`);
    }
  } finally {
    ws.close();
  }
}

/** A charger fault in the middle of a charge (charging stops), and one while the driver chooses how to pay (the connector's problem screen). */
async function walkFault(page: Page, kiosk: KioskProcess, matrix: Matrix): Promise<void> {
  await tapConnector(page, '1');
  await page.getByRole('button', { name: 'Bank card' }).click();
  await expect(SCREENS.awaitingVehicle.ready(page)).toBeVisible();
  await kiosk.sim({ type: 'plug', connectorId: 1, plugged: true });
  await page.getByRole('button', { name: 'OK, noted' }).click();
  await expect.poll(async () => (await kiosk.snapshot()).connectors[0]!.session?.energyWh ?? 0, { timeout: 15_000 }).toBeGreaterThan(20);
  await kiosk.sim({ type: 'fault', connectorId: 1, fault: true });
  await matrix.capture('faultMidCharge');
  await kiosk.sim({ type: 'fault', connectorId: 1, fault: false });
  await kiosk.sim({ type: 'plug', connectorId: 1, plugged: false });
  await expect(SCREENS.summary.ready(page)).toBeVisible();
  await page.getByRole('button', { name: 'Done' }).click();

  await tapConnector(page, '1');
  await expect(SCREENS.choosingPayment.ready(page)).toBeVisible();
  await kiosk.sim({ type: 'fault', connectorId: 1, fault: true });
  await matrix.capture('fault');
  await kiosk.sim({ type: 'fault', connectorId: 1, fault: false });
}

/** The inactivity warning, on a kiosk of its own that warns after 5 s. */
async function walkInactivity(page: Page, env: Record<string, string>, matrix: Matrix): Promise<void> {
  const quick = new KioskProcess({ ...E2E_CONFIG, timeouts: { ...E2E_CONFIG.timeouts, inactivityWarnS: 5 } }, [], env);
  try {
    await quick.start();
    await page.goto(quick.url);
    await tapConnector(page, '1');
    await expect(SCREENS.inactivity.ready(page)).toBeVisible({ timeout: 15_000 });
    await matrix.capture('inactivity');
  } finally {
    await quick.stop();
  }
}
