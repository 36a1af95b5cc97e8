// The screen tour (issue 15, 16): a real driver's flow on the web host that passes every
// driver screen (start, choosing how to pay, waiting for the card, declined, plug in,
// charging with and without the stop code, the stop keypad and its refusal, parked, the
// summary and its QR code, a connector and the whole station out of service, faults, the
// inactivity warning) and calls a visitor at each, once the screen shows. The layout
// matrix (layout.spec.ts) and the accessibility checks (a11y.spec.ts) both take it.
//
// Every name the tour looks for (headings, buttons, dialogs) comes from the message
// catalogue of the tour's language (electron/contract/messages/<language>.json). The tour's
// kiosks run with that language as the station's own (stationIn), so every screen of the
// flow is in it, also after each session ends and the screen returns to the station's
// language; the driver's language button is tested in languages.spec.ts.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Locator, Page } from '@playwright/test';
import i18next, { type TFunction } from 'i18next';
import WebSocket from 'ws';
import type { TechResult } from '../../electron/contract/index.js';
import { expect } from './fixtures.js';
import { E2E_CONFIG, KioskProcess } from './kiosk-process.js';

/** The driver screens of the tour, in the order it passes them. */
export const SCREEN_NAMES = [
  'start',
  'choosingPayment',
  'authorizing',
  'declined',
  'awaitingVehicle',
  'chargingStopCode',
  'charging',
  'stopKeypad',
  'stopKeypadRejected',
  'parked',
  'summary',
  'summaryQr',
  'outOfService',
  'stationOutOfService',
  'faultMidCharge',
  'fault',
  'inactivity',
] as const;
export type ScreenName = (typeof SCREEN_NAMES)[number];

/** Called at each screen once it shows; it may resize the page, and leaves the screen as it found it. */
export type Visitor = (screen: ScreenName, page: Page) => Promise<void>;

/** A main action: its name in a report, and how to find it in what the driver sees (the open dialog, else the page). */
export interface Target {
  name: string;
  of: (layer: Page | Locator) => Locator;
}

/** A screen: how the tour knows it is showing, and its main actions (by role and accessible name). */
export interface ScreenSpec {
  ready: (page: Page) => Locator;
  main: Target[];
}

/** The catalogue of a language as a `t`, as the screen's i18next reads it. */
export function catalogue(language = 'en'): TFunction {
  const messages = JSON.parse(readFileSync(new URL(`../../electron/contract/messages/${language}.json`, import.meta.url), 'utf8')) as object;
  const instance = i18next.createInstance();
  void instance.init({ lng: language, resources: { [language]: { translation: messages } }, initAsync: false, interpolation: { escapeValue: false } });
  return instance.t;
}

/** The e2e configuration with `language` as the station's own (`station.locale`). */
export function stationIn<C extends { station: object }>(language: string, config: C): C {
  return { ...config, station: { ...config.station, locale: language } };
}

/** The driver's screen is in `language` (the page's lang, which the screen sets from the brain's snapshot). */
export async function expectLanguage(page: Page, language: string): Promise<void> {
  await expect(page.locator('html')).toHaveAttribute('lang', language);
}

/** What the driver sees and can tap: the topmost dialog when one is open (the screen behind is inert), else the page. */
export async function topLayer(page: Page): Promise<Page | Locator> {
  const dialogs = page.getByRole('dialog');
  return (await dialogs.count()) > 0 ? dialogs.last() : page;
}

const SERVICE_NOTE = 'Cable being replaced';
const PIN = '739164';

/** A connector tile's name as far as the tour knows it: "Connector 1, Available" (its plug follows). */
function tileName(t: TFunction, label: string, state: string): string {
  return t('connector.tileName', { label, state: t(`connector.state.${state}`) });
}

/** A tile's whole name starts with its connector and state, then a comma (its energy, its plug) or nothing. */
function tileNamePattern(name: string): RegExp {
  return new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(,|$)`);
}

/** The screens with their names in one language. */
export function screens(t: TFunction): Record<ScreenName, ScreenSpec> {
  const target = (name: string, of: (layer: Page | Locator) => Locator): Target => ({ name, of });
  const button = (name: string) => target(name, (layer) => layer.getByRole('button', { name, exact: true }));
  const heading = (name: string) => (page: Page) => page.getByRole('heading', { name, exact: true });
  const dialog = (name: string) => (page: Page) => page.getByRole('dialog', { name });
  const tile = (label: string, state: string) => {
    const name = tileName(t, label, state);
    return target(name, (layer) => layer.getByRole('button', { name: tileNamePattern(name) }));
  };
  const keypadTitle = t('keypad.title');
  const keypad = [button(t('keypad.delete')), button('0'), button(t('actions.ok')), button(t('actions.close'))];
  const qr = t('summary.qrAlt');
  const stationOut = t('start.stationOutOfService');
  return {
    start: { ready: heading(t('start.title')), main: [tile('1', 'available'), tile('2', 'available')] },
    choosingPayment: { ready: heading(t('payment.title')), main: [button(t('actions.bankCard')), button(t('actions.cancel'))] },
    authorizing: { ready: heading(t('authorizing.title')), main: [button(t('actions.cancel'))] },
    declined: { ready: heading(t('declined.title')), main: [button(t('actions.tryAgain')), button(t('actions.otherPayment')), button(t('actions.cancel'))] },
    awaitingVehicle: { ready: heading(t('awaiting.title')), main: [button(t('actions.cancel'))] },
    chargingStopCode: { ready: heading(t('charging.title')), main: [button(t('actions.okNoted')), button(t('actions.stopCharging'))] },
    charging: { ready: heading(t('charging.title')), main: [button(t('actions.stopCharging')), button(t('actions.backToStart'))] },
    stopKeypad: { ready: dialog(keypadTitle), main: keypad },
    stopKeypadRejected: { ready: (page) => dialog(keypadTitle)(page).getByRole('alert'), main: keypad },
    parked: { ready: heading(t('parked.title')), main: [button(t('actions.backToStart'))] },
    summary: {
      ready: heading(t('summary.title')),
      main: [button(t('actions.printReceipt')), button(t('actions.showQr')), button(t('actions.noReceipt')), button(t('actions.done'))],
    },
    summaryQr: {
      ready: (page) => page.getByRole('img', { name: qr }),
      main: [target('QR code', (layer) => layer.getByRole('img', { name: qr })), button(t('actions.done'))],
    },
    outOfService: {
      ready: (page) => page.getByRole('group', { name: t('connector.name', { label: '1' }) }).getByText(SERVICE_NOTE),
      main: [tile('1', 'outOfService'), target('the note', (layer) => layer.getByText(SERVICE_NOTE)), tile('2', 'available')],
    },
    stationOutOfService: {
      ready: (page) => page.getByText(stationOut),
      main: [target('the notice', (layer) => layer.getByRole('alert').filter({ hasText: stationOut }))],
    },
    faultMidCharge: { ready: heading(t('parked.faultTitle')), main: [button(t('actions.backToStart'))] },
    fault: { ready: heading(t('problem.fault', { label: '1' })), main: [button(t('actions.backToStart'))] },
    inactivity: { ready: dialog(t('inactivity.title')), main: [button(t('actions.moreTime')), button(t('actions.cancel'))] },
  };
}

export interface TourOptions {
  /**
   * The driver's language (default 'en'): every name is its catalogue's. The kiosk given to
   * the tour must run with it as the station's language (stationIn); the tour's own kiosk does.
   */
  language?: string;
  /** The environment of the tour's second kiosk (the inactivity warning's), as the fixture's kiosk got it. */
  env?: Record<string, string>;
  /** Only these screens are visited (the flow still passes the others). */
  only?: readonly ScreenName[];
  /**
   * Every screen in the high-contrast mode: the tour turns it on with the help bar's button
   * wherever it finds it off (it lasts one driver's flow, so again after each one ends).
   */
  highContrast?: boolean;
}

/**
 * Walks every driver screen on `kiosk` (a fresh one, as the fixture starts it) and calls
 * `visit` at each once it shows. Starts by opening the kiosk's page.
 */
export async function tour(page: Page, kiosk: KioskProcess, visit: Visitor, options: TourOptions = {}): Promise<void> {
  const language = options.language ?? 'en';
  const t = catalogue(language);
  const walk = new Tour(page, kiosk, t, language, visit, options);
  await walk.open(kiosk.url);
  await walk.driverFlow();
  await walk.outOfService();
  await walk.fault();
  await walk.inactivity(options.env ?? {});
}

class Tour {
  readonly screens: Record<ScreenName, ScreenSpec>;
  constructor(
    private readonly page: Page,
    private readonly kiosk: KioskProcess,
    private readonly t: TFunction,
    private readonly language: string,
    private readonly visit: Visitor,
    private readonly options: TourOptions,
  ) {
    this.screens = screens(t);
  }

  async open(url: string): Promise<void> {
    await this.page.goto(url);
    await expect(this.screens.start.ready(this.page)).toBeVisible();
    await expectLanguage(this.page, this.language);
  }

  /** With `highContrast`: turns the mode on if it is off (on a dialog it is already on, from the screen it opened over). */
  private async contrast(): Promise<void> {
    if (!this.options.highContrast) return;
    const html = this.page.locator('html');
    if (!(await html.getAttribute('class'))?.split(' ').includes('high-contrast')) {
      await this.button(this.t('display.highContrast')).click();
    }
    await expect(html).toHaveClass(/(^| )high-contrast( |$)/);
  }

  private async at(screen: ScreenName): Promise<void> {
    await expect(this.screens[screen].ready(this.page)).toBeVisible();
    await this.contrast();
    if (!this.options.only || this.options.only.includes(screen)) await this.visit(screen, this.page);
  }

  private button(name: string, layer: Page | Locator = this.page): Locator {
    return layer.getByRole('button', { name, exact: true });
  }

  private tile(label: string, state = 'available'): Locator {
    return this.page.getByRole('button', { name: tileNamePattern(tileName(this.t, label, state)) });
  }

  private async tapConnector(label: string): Promise<void> {
    await this.tile(label).click();
  }

  /** Start, payment (waiting for the card, declined, approved), charging, the stop keypad, the summary and its QR code. */
  async driverFlow(): Promise<void> {
    const { page, kiosk, t, screens } = this;
    await this.at('start');
    await this.tapConnector('1');
    await this.at('choosingPayment');

    // No card comes: the authorizing screen stays until the driver cancels.
    await kiosk.sim({ type: 'cardOutcome', outcome: 'timeout' });
    await this.button(t('actions.bankCard')).click();
    await this.at('authorizing');
    await this.button(t('actions.cancel')).click();
    await expect(screens.start.ready(page).or(screens.choosingPayment.ready(page))).toBeVisible();
    if (await screens.start.ready(page).isVisible()) await this.tapConnector('1');

    await kiosk.sim({ type: 'cardOutcome', outcome: 'decline' });
    await this.button(t('actions.bankCard')).click();
    await this.at('declined');

    await kiosk.sim({ type: 'cardOutcome', outcome: 'approve' });
    await this.button(t('actions.tryAgain')).click();
    await this.at('awaitingVehicle');

    await kiosk.sim({ type: 'plug', connectorId: 1, plugged: true });
    await expect(page.locator('.stop-code-digits')).toBeVisible();
    const stopCode = (await page.locator('.stop-code-digits').innerText()).trim();
    await this.at('chargingStopCode');
    await this.button(t('actions.okNoted')).click();
    await expect.poll(async () => (await kiosk.snapshot()).connectors[0]!.session?.energyWh ?? 0, { timeout: 15_000 }).toBeGreaterThan(20);
    await this.at('charging');

    await this.button(t('actions.stopCharging')).click();
    await this.at('stopKeypad');
    const wrong = stopCode === '0000' ? '1111' : '0000';
    await this.typeCode(wrong);
    await this.at('stopKeypadRejected');
    await this.typeCode(stopCode);
    await this.at('parked');

    await kiosk.sim({ type: 'plug', connectorId: 1, plugged: false });
    await this.at('summary');
    await this.button(t('actions.showQr')).click();
    await this.at('summaryQr');
    await this.button(t('actions.done'), await topLayer(page)).click();
    await expect(screens.start.ready(page)).toBeVisible();
  }

  private async typeCode(code: string): Promise<void> {
    const pad = this.page.getByRole('dialog', { name: this.t('keypad.title') });
    for (const digit of code) await this.button(digit, pad).click();
    await this.button(this.t('actions.ok'), pad).click();
  }

  /** Connector 1, then the whole station, out of service by a technician; back in service after. */
  async outOfService(): Promise<void> {
    const { kiosk } = this;
    execFileSync(process.execPath, ['--import', 'tsx', 'scripts/technicians.ts', 'add', 'Tour', '--config', kiosk.configFile, '--data', kiosk.dataDir], {
      input: `${PIN}\n`,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const service = (connectorId: number | null, inService: boolean) => ({ type: 'setService', connectorId, inService, reason: SERVICE_NOTE });
    await technician(kiosk.url, [service(1, false)]);
    await this.at('outOfService');
    await technician(kiosk.url, [service(1, true), service(null, false)]);
    await this.at('stationOutOfService');
    await technician(kiosk.url, [service(null, true)]);
    await expect(this.tile('1')).toBeEnabled();
  }

  /** A charger fault in the middle of a charge (charging stops), and one while the driver chooses how to pay (the connector's problem screen). */
  async fault(): Promise<void> {
    const { page, kiosk, t, screens } = this;
    await this.tapConnector('1');
    await this.button(t('actions.bankCard')).click();
    await expect(screens.awaitingVehicle.ready(page)).toBeVisible();
    await kiosk.sim({ type: 'plug', connectorId: 1, plugged: true });
    await this.button(t('actions.okNoted')).click();
    await expect.poll(async () => (await kiosk.snapshot()).connectors[0]!.session?.energyWh ?? 0, { timeout: 15_000 }).toBeGreaterThan(20);
    await kiosk.sim({ type: 'fault', connectorId: 1, fault: true });
    await this.at('faultMidCharge');
    await kiosk.sim({ type: 'fault', connectorId: 1, fault: false });
    await kiosk.sim({ type: 'plug', connectorId: 1, plugged: false });
    await expect(screens.summary.ready(page)).toBeVisible();
    await this.button(t('actions.done')).click();

    await this.tapConnector('1');
    await expect(screens.choosingPayment.ready(page)).toBeVisible();
    await kiosk.sim({ type: 'fault', connectorId: 1, fault: true });
    await this.at('fault');
    await kiosk.sim({ type: 'fault', connectorId: 1, fault: false });
  }

  /** The inactivity warning, on a kiosk of its own that warns after 5 s. */
  async inactivity(env: Record<string, string>): Promise<void> {
    const quick = new KioskProcess(stationIn(this.language, { ...E2E_CONFIG, timeouts: { ...E2E_CONFIG.timeouts, inactivityWarnS: 5 } }), [], env);
    try {
      await quick.start();
      await this.open(quick.url);
      await this.contrast();
      await this.tapConnector('1');
      await expect(this.screens.inactivity.ready(this.page)).toBeVisible({ timeout: 15_000 });
      await this.at('inactivity');
    } finally {
      await quick.stop();
    }
  }
}

/** Technician commands over a screen connection of the tour's own: the PIN's login, the commands, logout. */
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
