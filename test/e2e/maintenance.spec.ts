// The technician's maintenance menu on the web host in sim mode, as a technician uses
// it: the hidden gesture, the PIN pad (no technician yet, wrong PINs, the lock), the
// menu's pages against the running brain (a failing printer on the status page, a
// connector out of service on the driver's screen, the day's report and its CSV against
// a session run here), its timeout, a driver's session charging on undisturbed; and a
// driver's screen, or any other program, that cannot send technician commands.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { expect, test as base, type Page } from '@playwright/test';
import WebSocket from 'ws';
import type { TechResult } from '../../electron/contract/index.js';
import { energyShownWh, payPlugAndCharge, simCharger, stopWithCode } from './fixtures.js';
import { E2E_CONFIG, KioskProcess } from './kiosk-process.js';

const PIN = '482915';

const test = base.extend<{ kioskConfig: object; kiosk: KioskProcess }>({
  kioskConfig: [E2E_CONFIG, { option: true }],
  kiosk: async ({ kioskConfig }, use) => {
    const kiosk = new KioskProcess(kioskConfig);
    await kiosk.start();
    await use(kiosk);
    await kiosk.stop();
  },
});

/** Adds a technician with the operator's tool beside the running kiosk, the PIN on standard input. */
function addTechnician(kiosk: KioskProcess, name = 'Alice', pin = PIN): void {
  execFileSync(process.execPath, ['--import', 'tsx', 'scripts/technicians.ts', 'add', name, '--config', kiosk.configFile, '--data', kiosk.dataDir], {
    cwd: resolve('.'),
    input: `${pin}\n${pin}\n`,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

/** A point in a corner of the driver's screen (the column beside the simulator panel). */
async function corner(page: Page, which: 'top-left' | 'top-right'): Promise<{ x: number; y: number }> {
  const box = (await page.locator('.driver').boundingBox())!;
  return { x: which === 'top-left' ? box.x + 15 : box.x + box.width - 15, y: box.y + 15 };
}

/** The default gesture: a press held 3 s on the top left, then 3 taps on the top right. */
async function gesture(page: Page): Promise<void> {
  const hold = await corner(page, 'top-left');
  await page.mouse.move(hold.x, hold.y);
  await page.mouse.down();
  await page.waitForTimeout(3300);
  await page.mouse.up();
  const tap = await corner(page, 'top-right');
  for (let i = 0; i < 3; i++) await page.mouse.click(tap.x, tap.y, { delay: 40 });
  await expect(pinPad(page)).toBeVisible();
}

const pinPad = (page: Page) => page.getByRole('dialog', { name: 'Technician PIN' });
const menu = (page: Page) => page.getByRole('dialog', { name: 'Maintenance' });
const tab = (page: Page, name: string) => menu(page).getByRole('navigation').getByRole('button', { name, exact: true });

async function typePin(page: Page, pin: string): Promise<void> {
  for (const digit of pin) await pinPad(page).getByRole('button', { name: digit, exact: true }).click();
  await pinPad(page).getByRole('button', { name: 'Open', exact: true }).click();
}

async function openMenu(page: Page): Promise<void> {
  await gesture(page);
  await typePin(page, PIN);
  await expect(menu(page)).toBeVisible();
  await expect(menu(page).getByRole('heading', { name: 'Maintenance — Alice' })).toBeVisible();
}

/** One request over a WebSocket connection of its own to the web host, and its answer. */
class Socket {
  private nextId = 1;
  private constructor(private readonly ws: WebSocket) {}

  static async open(url: string): Promise<Socket> {
    const ws = new WebSocket(new URL('/ws', url).href.replace(/^http/, 'ws'));
    await new Promise<void>((done, fail) => {
      ws.once('open', () => done());
      ws.once('error', fail);
    });
    return new Socket(ws);
  }

  request(kind: 'tech' | 'command', body: unknown): Promise<TechResult> {
    const id = this.nextId++;
    return new Promise((done) => {
      const onMessage = (data: WebSocket.RawData) => {
        const message = JSON.parse(data.toString()) as { type: string; id?: number; result?: TechResult };
        if (message.type === 'result' && message.id === id) {
          this.ws.off('message', onMessage);
          done(message.result!);
        }
      };
      this.ws.on('message', onMessage);
      this.ws.send(JSON.stringify({ id, kind, body }));
    });
  }

  close(): void {
    this.ws.close();
  }
}

test('the gesture opens the PIN pad; with no technician yet it says how to add one, and offers no PIN', async ({ page, kiosk }) => {
  await page.goto(kiosk.url);
  await expect(page.getByRole('button', { name: 'Connector 1, Available' })).toBeVisible();
  // A press too short does nothing.
  const hold = await corner(page, 'top-left');
  await page.mouse.move(hold.x, hold.y);
  await page.mouse.down();
  await page.waitForTimeout(1000);
  await page.mouse.up();
  const tap = await corner(page, 'top-right');
  for (let i = 0; i < 3; i++) await page.mouse.click(tap.x, tap.y);
  await expect(pinPad(page)).toHaveCount(0);

  await gesture(page);
  await expect(pinPad(page).getByText('No technician is set up on this station. On the station\'s computer, run: npm run technicians -- add NAME')).toBeVisible();
  await expect(pinPad(page).getByRole('button')).toHaveText(['Close']);
  await pinPad(page).getByRole('button', { name: 'Close' }).click();
  await expect(pinPad(page)).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Connector 1, Available' })).toBeEnabled();
});

test('wrong PINs say how many tries are left, and five lock entry, even for the right PIN', async ({ page, kiosk }) => {
  addTechnician(kiosk);
  await page.goto(kiosk.url);
  await gesture(page);
  await typePin(page, '000001');
  await expect(pinPad(page).getByRole('alert')).toHaveText(/^Wrong PIN\. \d+ tr(y|ies) left\.$/);
  for (let i = 2; i <= 5; i++) {
    if (await pinPad(page).getByText(/^Entry is locked until/).isVisible()) break;
    await typePin(page, `00000${i}`);
  }
  await expect(pinPad(page).getByRole('alert')).toHaveText(/^Entry is locked until \d{2}:\d{2}:\d{2}$/);
  await expect(pinPad(page).getByRole('button', { name: '4', exact: true })).toBeDisabled();
  await expect(pinPad(page).getByRole('button', { name: 'Open', exact: true })).toBeDisabled();
  // A new pad, the same lock: the brain keeps it.
  await pinPad(page).getByRole('button', { name: 'Cancel' }).click();
  await gesture(page);
  await expect(pinPad(page).getByText(/^Entry is locked until \d{2}:\d{2}:\d{2}$/)).toBeVisible();
});

test('the right PIN opens the menu; the status page names the failing printer and why', async ({ page, kiosk }) => {
  addTechnician(kiosk);
  await page.goto(kiosk.url);
  await kiosk.sim({ type: 'printer', paper: 'out' });
  await expect.poll(async () => (await kiosk.snapshot()).printer?.available).toBe(false);
  await openMenu(page);
  await expect(menu(page).getByRole('button', { name: 'Log out' })).toBeVisible();
  const printer = menu(page).getByRole('region', { name: 'Printer', exact: true });
  await expect(printer).toHaveClass(/maint-device--error/);
  await expect(printer).toContainText(/paper/i);
  await expect(printer).toContainText(/out/);
  await expect(menu(page).getByRole('region', { name: 'Charger, connector 1' })).toContainText('Connected');
  await page.screenshot({ path: 'test-results/maintenance-status.png' });
  // Paper back: the card says so too.
  await kiosk.sim({ type: 'printer', paper: 'ok' });
  await expect(printer).toContainText(/paper\s*ok/);
  await menu(page).getByRole('button', { name: 'Log out' }).click();
  await expect(menu(page)).toHaveCount(0);
});

test("connector 1 out of service shows on the driver's screen with the note, and cannot be started", async ({ page, kiosk }) => {
  addTechnician(kiosk);
  await page.goto(kiosk.url);
  await openMenu(page);
  await tab(page, 'Connectors').click();
  const one = menu(page).getByRole('region', { name: /^Connector 1 —/ });
  await one.getByRole('button', { name: 'Take out of service' }).click();
  await one.getByRole('textbox', { name: 'Reason, shown to drivers' }).fill('Cable being replaced');
  await one.getByRole('button', { name: 'Take out of service' }).click();
  await expect(one.getByRole('status')).toHaveText('Connector 1 is out of service.');
  await expect(one).toContainText('Note for drivers: Cable being replaced');
  await menu(page).getByRole('button', { name: 'Log out' }).click();

  const tile = page.getByRole('group', { name: 'Connector 1' });
  await expect(tile).toContainText('Out of service');
  await expect(tile).toContainText('Cable being replaced');
  await expect(page.getByRole('button', { name: /^Connector 1,/ })).toBeDisabled();
  // Not through the brain either.
  const refused = (await (await fetch(new URL('/api/command', kiosk.url), { method: 'POST', body: JSON.stringify({ type: 'selectConnector', connectorId: 1 }) })).json()) as { ok: boolean };
  expect(refused.ok).toBe(false);
  await expect(page.getByRole('button', { name: 'Connector 2, Available' })).toBeEnabled();

  await openMenu(page);
  await tab(page, 'Connectors').click();
  await one.getByRole('button', { name: 'Put back in service' }).click();
  await one.getByRole('textbox', { name: 'Reason' }).fill('Cable replaced');
  await one.getByRole('button', { name: 'Put back in service' }).click();
  await expect(one.getByRole('status')).toHaveText('Connector 1 is back in service.');
  await menu(page).getByRole('button', { name: 'Log out' }).click();
  await expect(page.getByRole('button', { name: 'Connector 1, Available' })).toBeEnabled();
});

test("today's report is the session run here, and Export CSV writes the same numbers into the exchange folder", async ({ page, kiosk }) => {
  addTechnician(kiosk);
  await page.goto(kiosk.url);
  const code = await payPlugAndCharge(page, '1');
  await expect.poll(() => energyShownWh(page), { timeout: 10_000 }).toBeGreaterThan(10);
  await stopWithCode(page, code);
  await simCharger(page, '1').getByRole('button', { name: 'Unplug car' }).click();
  await expect(page.getByRole('button', { name: 'Print receipt' })).toBeVisible();
  const summary = (await kiosk.snapshot()).connectors[0]!.lastSummary!;
  await page.getByRole('button', { name: 'No receipt' }).click();
  await page.getByRole('button', { name: 'Done' }).click();
  await expect(page.getByRole('button', { name: 'Connector 1, Available' })).toBeVisible();

  await openMenu(page);
  await tab(page, 'Reports').click();
  await menu(page).getByRole('button', { name: 'Today', exact: true }).click();
  const kwh = (Math.round(summary.energyWh / 10) / 100).toFixed(2);
  const euros = (minor: number) => `€${(minor / 100).toFixed(2)}`;
  const totals = menu(page).locator('.maint-totals tbody tr');
  await expect(totals).toHaveText(new RegExp(`Total\\s*1\\s*${kwh.replace('.', '\\.')} kWh\\s*${euros(summary.capturedMinor).replace('.', '\\.')}\\s*€0\\.00\\s*€0\\.00`));
  const receipts = menu(page).getByRole('region', { name: 'Receipts' });
  await expect(receipts.getByRole('button', { name: 'Reprint' })).toHaveCount(1);

  await menu(page).getByRole('button', { name: 'Export CSV' }).click();
  const saved = menu(page).getByText(/^Saved as /);
  await expect(saved).toBeVisible();
  const file = (await saved.innerText()).replace(/^Saved as /, '').trim();
  const path = file.startsWith('/') ? file : join(kiosk.dataDir, 'exchange', file);
  expect(resolve(path).startsWith(resolve(kiosk.dataDir, 'exchange'))).toBe(true);
  const lines = readFileSync(path, 'utf8').trim().split(/\r?\n/);
  expect(lines[0]).toBe('day,connector,method,sessions,energy_kwh,cost,net,vat,revenue,written_off,refunded,currency');
  const total = lines.at(-1)!.split(',');
  expect(total[0]).toBe('total');
  expect(total[3]).toBe('1');
  expect(Number(total[4])).toBeCloseTo(summary.energyWh / 1000, 3);
  expect(total[8]).toBe((summary.capturedMinor / 100).toFixed(2));
  expect(total[5]).toBe((summary.costMinor / 100).toFixed(2));
  expect(total.at(-1)).toBe('EUR');
});

test('changes the price from a tariff file in the exchange folder: a bad file is refused, a good one is what drivers see', async ({ page, kiosk }) => {
  addTechnician(kiosk);
  // What a technician brings on a USB stick: one good tariff, one in the wrong currency.
  const exchange = join(kiosk.dataDir, 'exchange');
  const tariff = (currency: string) => ({ id: 'winter-2027', currency, elements: [{ price_components: [{ type: 'ENERGY', price_incl_vat: 0.61, vat: 19 }, { type: 'FLAT', price_incl_vat: 1, vat: 19 }] }] });
  await page.goto(kiosk.url);
  await expect(page.getByText(/per kWh/).first()).toBeVisible();
  await expect(page.getByText(/€0\.61/)).toHaveCount(0);
  writeFileSync(join(exchange, 'winter.json'), JSON.stringify(tariff('EUR')));
  writeFileSync(join(exchange, 'wrong.json'), JSON.stringify(tariff('USD')));

  await openMenu(page);
  await tab(page, 'Prices').click();
  await expect(menu(page).getByText('From the configuration', { exact: false })).toBeVisible();
  const wrong = menu(page).getByRole('listitem').filter({ hasText: 'wrong.json' });
  await expect(wrong).toContainText('USD');
  await expect(wrong.getByRole('button', { name: 'Load' })).toHaveCount(0);
  const winter = menu(page).getByRole('listitem').filter({ hasText: 'winter.json' });
  await expect(winter).toContainText('€0.61');
  await winter.getByRole('button', { name: 'Load' }).click();
  await winter.getByRole('button', { name: 'Yes, load it' }).click();
  await expect(menu(page).getByText('winter.json is the station\'s tariff now.')).toBeVisible();
  await expect(menu(page).getByText(/From the file winter\.json, loaded by Alice/)).toBeVisible();
  await menu(page).getByRole('button', { name: 'Log out' }).click();

  await expect(page.getByText(/€0\.61/).first()).toBeVisible();
  const lines = (await kiosk.snapshot()).tariff.lines;
  expect(lines).toEqual([
    { kind: 'energy', price: '0.61', unit: 'kWh' },
    { kind: 'flat', price: '1.00', unit: 'session' },
  ]);
});

test('tops up a prepaid card with a reason: the new balance shows in the menu and in the ledger', async ({ page, kiosk }) => {
  addTechnician(kiosk);
  await page.goto(kiosk.url);
  await openMenu(page);
  await tab(page, 'Accounts').click();
  const row = menu(page).getByRole('row').filter({ hasText: 'Demo prepaid' });
  await expect(row).toContainText('€20.00');
  await row.getByRole('button', { name: 'Demo prepaid' }).click();
  const detail = menu(page).getByRole('region', { name: 'Account Demo prepaid' });
  const topUp = detail.locator('form').first();
  await topUp.getByRole('textbox', { name: 'Amount (EUR)' }).fill('12.50');
  await topUp.getByRole('textbox', { name: 'Reason' }).fill('Paid cash at the desk');
  await topUp.getByRole('button', { name: 'Top up' }).click();
  await expect(detail.getByText('Topped up €12.50. New balance €32.50.')).toBeVisible();
  await expect(row).toContainText('€32.50');
  const ledger = detail.getByRole('row').filter({ hasText: 'Paid cash at the desk' });
  await expect(ledger).toContainText('€12.50');
  await expect(ledger).toContainText('Alice');
  // The operator's tool reads the same ledger.
  const csv = execFileSync(process.execPath, ['--import', 'tsx', 'scripts/accounts.ts', 'ledger', '--csv', '--config', kiosk.configFile, '--data', kiosk.dataDir], { cwd: resolve('.') }).toString();
  expect(csv).toMatch(/topup.*12\.50.*Alice.*Paid cash at the desk|topup.*Paid cash at the desk/);
});

test.describe('a menu left alone', () => {
  test.use({ kioskConfig: { ...E2E_CONFIG, maintenance: { timeoutS: 15 } } });

  test('closes itself after maintenance.timeoutS, and the driver has the screen again', async ({ page, kiosk }) => {
    addTechnician(kiosk);
    await page.goto(kiosk.url);
    await openMenu(page);
    await tab(page, 'Log').click(); // a page that refreshes itself in the background
    await page.waitForTimeout(10_000);
    await expect(menu(page)).toBeVisible();
    await expect(menu(page)).toHaveCount(0, { timeout: 8_000 });
    await expect(page.getByRole('button', { name: 'Connector 1, Available' })).toBeEnabled();
  });
});

test('a session on connector 2 charges undisturbed while the technician works in the menu', async ({ page, kiosk }) => {
  addTechnician(kiosk);
  await page.goto(kiosk.url);
  await payPlugAndCharge(page, '2');
  await page.getByRole('button', { name: 'Back to start' }).click();
  await expect(page.getByRole('button', { name: /^Connector 2, Charging/ })).toBeVisible();
  const energy = async () => (await kiosk.snapshot()).connectors[1]!.session?.energyWh ?? -1;

  await openMenu(page);
  const strip = menu(page).getByRole('list', { name: 'Connectors now' });
  let last = await energy();
  for (const name of ['Status', 'Connectors', 'Prices', 'Accounts', 'Payments', 'Reports', 'Log']) {
    await tab(page, name).click();
    await expect(strip).toContainText(/Connector 2\s*Charging\s*[\d.]+ kWh/);
    await expect.poll(energy, { timeout: 5_000 }).toBeGreaterThan(last);
    last = await energy();
  }
  await menu(page).getByRole('button', { name: 'Log out' }).click();
  await expect(page.getByRole('button', { name: /^Connector 2, Charging/ })).toBeVisible();
  expect((await kiosk.snapshot()).connectors[1]!.phase).toBe('charging');
});

test('a driver who needs the screen gets it back: a card paying on connector 1 closes the menu', async ({ page, kiosk }) => {
  addTechnician(kiosk);
  await page.goto(kiosk.url);
  await openMenu(page);
  // A driver at connector 1 starts paying (the screen's command, as the driver's tap sends it).
  await fetch(new URL('/api/command', kiosk.url), { method: 'POST', body: JSON.stringify({ type: 'selectConnector', connectorId: 1 }) });
  await expect(menu(page)).toHaveCount(0);
  await expect(page.getByRole('heading', { name: 'How would you like to pay?' })).toBeVisible();
  await page.getByRole('button', { name: 'Cancel' }).click();
  await expect(page.getByRole('button', { name: 'Connector 1, Available' })).toBeVisible();
});

test('no technician command without the menu a PIN opened on the same connection', async ({ page, kiosk }) => {
  addTechnician(kiosk);
  await page.goto(kiosk.url);
  const driver = await Socket.open(kiosk.url);
  const technician = await Socket.open(kiosk.url);
  try {
    // Without a token: refused, nothing read.
    const none = await driver.request('tech', { command: { type: 'accounts' } });
    expect(none).toMatchObject({ ok: false, error: { reason: 'noMenu' } });
    // A token another connection got with the right PIN: refused on this one, good on its own.
    const login = await technician.request('tech', { command: { type: 'login', pin: PIN } });
    expect(login.ok).toBe(true);
    const token = (login as Extract<TechResult, { ok: true }>).data as { token: string };
    const stolen = await driver.request('tech', { token: token.token, command: { type: 'accounts' } });
    expect(stolen).toMatchObject({ ok: false, error: { reason: 'noMenu' } });
    const own = await technician.request('tech', { token: token.token, command: { type: 'accounts' } });
    expect(own.ok).toBe(true);
    // A technician command sent as a driver's command is not one.
    const asCommand = await driver.request('command', { type: 'accounts' });
    expect(asCommand.ok).toBe(false);
    await technician.request('tech', { token: token.token, command: { type: 'logout' } });
    const afterLogout = await technician.request('tech', { token: token.token, command: { type: 'accounts' } });
    expect(afterLogout).toMatchObject({ ok: false, error: { reason: 'noMenu' } });
  } finally {
    driver.close();
    technician.close();
  }
  // The HTTP API has no connection and takes none of them.
  for (const body of [{ command: { type: 'hello' } }, { command: { type: 'login', pin: PIN } }]) {
    const response = await fetch(new URL('/api/tech', kiosk.url), { method: 'POST', body: JSON.stringify(body) });
    expect(response.ok).toBe(false);
  }
  const asCommand = (await (await fetch(new URL('/api/command', kiosk.url), { method: 'POST', body: JSON.stringify({ type: 'login', pin: PIN }) })).json()) as { ok: boolean };
  expect(asCommand.ok).toBe(false);
  // The screen was never disturbed.
  await expect(page.getByRole('button', { name: 'Connector 1, Available' })).toBeVisible();
});
