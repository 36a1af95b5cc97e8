// The technician's PIN pad and maintenance menu, in Chromium on the page's fake clock,
// against a stand-in bridge (maintenance-harness.ts): the PIN pad's answers (no
// technician, a wrong PIN, locked, the menu), the menu's inactivity timeout and its
// touches, background refreshes that do not keep it open, the screen given back to a
// driver, the status page's devices; and the driver's screen with a connector or the
// station taken out of service.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ConnectorView, DeviceDiagnostics, Snapshot, TechResult } from '../../../electron/contract/index.js';
import en from '../../../electron/contract/messages/en.json';
import { cornerPoint, hasChromium, NOW, openMaintenanceScreen, snapshot, type MaintenanceHarness } from './maintenance-harness.js';

const M = en.maintenance;
/** What the size check reads of a control (this file is type-checked without the DOM library). */
type Box = { textContent: string | null; getBoundingClientRect(): { height: number } };

const device = (fields: Partial<DeviceDiagnostics> = {}): DeviceDiagnostics => ({
  kind: 'simulated',
  online: true,
  port: 'memory',
  firmware: '1.0',
  lastMessageAt: NOW - 12_000,
  errorCount: 0,
  lastError: null,
  details: {},
  ...fields,
});

/** The station as the tests see it: connector A (and B), the devices, the phases given. */
function station(options: { phases?: ConnectorView['phase'][]; printer?: DeviceDiagnostics; connector?: Partial<ConnectorView>; station?: Partial<Snapshot['station']> } = {}): Snapshot {
  const phases = options.phases ?? ['available', 'charging'];
  const base = snapshot({ phase: 'charging', session: { energyWh: 4321, costMinor: 168 } });
  const template = base.connectors[0]!;
  const connectors = phases.map((phase, i) => ({
    ...template,
    id: i + 1,
    label: String.fromCharCode(65 + i),
    phase,
    session: phase === 'available' || phase === 'summary' || phase === 'outOfService' ? null : template.session,
    ...(i === 0 ? options.connector : {}),
  }));
  return {
    ...base,
    focus: null,
    station: { ...base.station, ...options.station },
    devices: {
      chargers: connectors.map((c) => ({ ...device({ kind: 'rapi', port: `/dev/ttyUSB${c.id - 1}`, firmware: '5.1.2' }), connectorId: c.id })),
      terminal: device({ kind: 'zvt', port: '192.168.1.20:20007' }),
      printer: options.printer ?? device({ kind: 'escpos', details: { paper: 'ok' } }),
      rfid: null,
    },
    connectors,
  };
}

describe.skipIf(!hasChromium)('the maintenance menu, in Chromium', () => {
  let screen: MaintenanceHarness;
  let page: MaintenanceHarness['page'];
  const pad = () => page.getByRole('dialog', { name: M.pin.title });
  const menu = () => page.getByRole('dialog', { name: M.menu.title });
  const padButton = (name: string) => pad().getByRole('button', { name, exact: true });
  const types = async () => (await screen.tech()).map((s) => s.command.type);

  async function gesture() {
    const hold = await cornerPoint(page, 'top-left');
    await page.mouse.move(hold.x, hold.y);
    await page.mouse.down();
    await screen.runFor(3100);
    await page.mouse.up();
    const tap = await cornerPoint(page, 'top-right');
    for (let i = 0; i < 3; i++) await page.mouse.click(tap.x, tap.y);
    await expect(pad().isVisible()).resolves.toBe(true);
  }

  async function typePin(pin: string) {
    for (const digit of pin) await padButton(digit).click();
  }

  async function openMenu(timeoutS = 120) {
    await screen.reply('login', { ok: true, data: { token: 'token-1', technician: 'Alice', timeoutS } });
    await gesture();
    await typePin('482915');
    await padButton(M.pin.open).click();
    await expect(menu().isVisible()).resolves.toBe(true);
  }

  beforeAll(async () => {
    screen = await openMaintenanceScreen({ fakeClock: true });
    page = screen.page;
  }, 60_000);

  afterAll(async () => {
    await screen?.close();
  });

  beforeEach(async () => {
    await page.setViewportSize({ width: 1280, height: 800 });
    await screen.publish(station());
    if ((await menu().count()) > 0) await menu().getByRole('button', { name: M.menu.logout }).click();
    if ((await pad().count()) > 0) await pad().getByRole('button', { name: /^(Cancel|Close)$/ }).click();
    await screen.reply('hello', { ok: true, data: { technicians: true, lockedUntil: null } });
    await screen.reply('login', { ok: true, data: { token: 'token-1', technician: 'Alice', timeoutS: 120 } });
    await screen.reply('log', { ok: true, data: [] });
    await screen.runFor(6000);
    await screen.tech();
  });

  describe('PIN pad', () => {
    it('with no technician it says how to add one, offers only Close, and never a PIN', async () => {
      await screen.reply('hello', { ok: true, data: { technicians: false, lockedUntil: null } });
      await gesture();
      await expect(pad().getByText(M.pin.noTechnicians).isVisible()).resolves.toBe(true);
      expect(M.pin.noTechnicians).toBe('No technician is set up on this station. On the station\'s computer, run: npm run technicians -- add NAME');
      await expect(pad().getByRole('button').allTextContents()).resolves.toEqual([M.actions.close]);
      await padButton(M.actions.close).click();
      await expect(pad().count()).resolves.toBe(0);
      await expect(types()).resolves.toEqual(['hello']);
    });

    it('digits named by their digit, at least 48 px; Open from 6 digits, at most 12; masked; Delete', async () => {
      await gesture();
      for (const name of ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', M.pin.delete, M.pin.open, M.actions.cancel]) {
        const box = (await padButton(name).boundingBox())!;
        expect(box.height, name).toBeGreaterThanOrEqual(48);
        expect(box.width, name).toBeGreaterThanOrEqual(48);
      }
      await typePin('48291');
      await expect(padButton(M.pin.open).isEnabled()).resolves.toBe(false);
      await typePin('5');
      await expect(padButton(M.pin.open).isEnabled()).resolves.toBe(true);
      await typePin('123456');
      await expect(pad().locator('.maint-dot--filled').count()).resolves.toBe(12);
      await expect(padButton('1').isEnabled()).resolves.toBe(false);
      await expect(pad().innerText()).resolves.not.toContain('4829');
      await padButton(M.pin.delete).click();
      await expect(pad().locator('.maint-dot--filled').count()).resolves.toBe(11);
    });

    it('a wrong PIN says how many tries are left, and clears the PIN', async () => {
      await screen.reply('login', { ok: false, error: { code: 'rejected', reason: 'wrongPin', message: 'wrong PIN', attemptsLeft: 3 } });
      await gesture();
      await typePin('111111');
      await padButton(M.pin.open).click();
      await expect(pad().getByRole('alert').innerText()).resolves.toBe('Wrong PIN. 3 tries left.');
      await expect(pad().locator('.maint-dot--filled').count()).resolves.toBe(0);
      const sent = await screen.tech();
      expect(sent.map((s) => s.command)).toEqual([{ type: 'hello' }, { type: 'login', pin: '111111' }]);
      await screen.reply('login', { ok: false, error: { code: 'rejected', reason: 'wrongPin', message: 'wrong PIN', attemptsLeft: 1 } });
      await typePin('222222');
      await padButton(M.pin.open).click();
      await expect(pad().getByRole('alert').innerText()).resolves.toBe('Wrong PIN. 1 try left.');
    });

    it('locked: says until when on the station clock, and takes no PIN; a login refused as locked says so too', async () => {
      // 12:34:56 in Berlin, 20 s after the brain's now.
      const until = Date.parse('2026-05-28T10:34:56Z');
      await screen.publish({ ...station(), now: until - 20_000 });
      await screen.reply('hello', { ok: true, data: { technicians: true, lockedUntil: until } });
      await gesture();
      await expect(pad().getByRole('alert').innerText()).resolves.toBe('Entry is locked until 12:34:56');
      await expect(padButton('1').isEnabled()).resolves.toBe(false);
      await expect(padButton(M.pin.open).isEnabled()).resolves.toBe(false);
      // Once the brain's time has passed it, the pad takes a PIN again.
      await screen.runFor(21_000);
      await expect(padButton('1').isEnabled()).resolves.toBe(true);
      await screen.reply('login', { ok: false, error: { code: 'rejected', reason: 'locked', message: 'locked', lockedUntil: until + 300_000 } });
      await typePin('333333');
      await padButton(M.pin.open).click();
      await expect(pad().getByRole('alert').innerText()).resolves.toBe('Entry is locked until 12:39:56');
    });

    it('closes by itself after 30 s untouched', async () => {
      await gesture();
      await screen.runFor(20_000);
      await padButton('1').click();
      await screen.runFor(20_000);
      await expect(pad().count()).resolves.toBe(1);
      await screen.runFor(11_000);
      await expect(pad().count()).resolves.toBe(0);
    });

    it('the right PIN opens the menu: "Maintenance — Alice", the token on every command, nothing kept in storage', async () => {
      await openMenu();
      await expect(pad().count()).resolves.toBe(0);
      await expect(menu().getByRole('heading', { level: 1 }).innerText()).resolves.toBe('Maintenance — Alice');
      await expect(menu().getByRole('button', { name: M.menu.logout }).isVisible()).resolves.toBe(true);
      const tabs = await menu().getByRole('navigation').getByRole('button').allTextContents();
      expect(tabs).toEqual(['Status', 'Connectors', 'Prices', 'Accounts', 'Payments', 'Reports', 'Log']);
      await screen.tech();
      await menu().getByRole('button', { name: 'Log', exact: true }).click();
      const sent = await screen.tech();
      expect(sent.find((s) => s.command.type === 'log')).toMatchObject({ token: 'token-1' });
      // The token is in React state only: not in the page (this test page has no storage; the code never uses it).
      await expect(page.content()).resolves.not.toContain('token-1');
      // The driver's screen behind is inert.
      await expect.poll(() => page.locator('.frame').getAttribute('inert')).not.toBeNull();
      await menu().getByRole('button', { name: M.menu.logout }).click();
      await expect(menu().count()).resolves.toBe(0);
      expect((await screen.tech()).map((s) => s.command)).toContainEqual({ type: 'logout' });
      // The menu tells the column it closed in an effect after it unmounts: wait for that render.
      await expect.poll(() => page.locator('.frame').getAttribute('inert')).toBeNull();
    });
  });

  describe('menu', () => {
    it('closes itself after timeoutS without a touch, and logs out', async () => {
      await openMenu(20);
      await screen.tech();
      await screen.runFor(12_000);
      await menu().getByRole('button', { name: 'Connectors', exact: true }).click(); // a touch at 12 s
      await screen.runFor(15_000);
      await expect(menu().count()).resolves.toBe(1);
      const touches = (await screen.tech()).filter((s) => s.command.type === 'touch');
      expect(touches).toEqual([{ command: { type: 'touch' }, token: 'token-1' }]);
      await screen.runFor(6_000); // 21 s after the last touch
      await expect(menu().count()).resolves.toBe(0);
      expect((await screen.tech()).map((s) => s.command)).toContainEqual({ type: 'logout' });
    });

    it('sends touch at most every 10 s while the technician is active', async () => {
      await openMenu();
      await screen.tech();
      for (let i = 0; i < 12; i++) {
        await screen.runFor(2_000);
        await menu().getByRole('heading', { level: 1 }).click();
      }
      await screen.runFor(10_000);
      const touches = (await screen.tech()).filter((s) => s.command.type === 'touch');
      expect(touches.length).toBeGreaterThanOrEqual(2);
      expect(touches.length).toBeLessThanOrEqual(4);
    });

    it('background refreshes are sent as background and do not keep the menu open', async () => {
      await openMenu(15);
      await menu().getByRole('button', { name: 'Log', exact: true }).click();
      const first = (await screen.tech()).filter((s) => s.command.type === 'log');
      expect(first).toEqual([{ command: { type: 'log' }, token: 'token-1' }]);
      await screen.runFor(11_000);
      const refreshes = await screen.tech();
      expect(refreshes.length).toBeGreaterThanOrEqual(2);
      for (const r of refreshes) expect(r).toEqual({ command: { type: 'log' }, token: 'token-1', background: true });
      await screen.runFor(5_000);
      await expect(menu().count()).resolves.toBe(0);
      expect((await screen.tech()).map((s) => s.command.type)).toContain('logout');
    });

    it('closes when the brain says the menu is gone (noMenu), without logging out again', async () => {
      await openMenu();
      await screen.reply('log', { ok: false, error: { code: 'rejected', reason: 'noMenu', message: 'no menu' } });
      await menu().getByRole('button', { name: 'Log', exact: true }).click();
      await expect(menu().count()).resolves.toBe(0);
      expect(await types()).not.toContain('logout');
    });

    it('gives the screen back at once when a session ends (summary): the driver comes for the receipt', async () => {
      await openMenu();
      await screen.publish(station({ phases: ['available', 'charging'] }));
      await expect(menu().count()).resolves.toBe(1);
      await screen.publish(station({ phases: ['available', 'summary'] }));
      await expect(menu().count()).resolves.toBe(0);
      expect(await types()).toContain('logout');
    });

    it('gives the screen back when a driver starts paying at a connector that was not in a driver flow', async () => {
      await screen.publish(station({ phases: ['authorizing', 'charging'] }));
      await openMenu();
      // Connector A was paying when the menu opened: its flow going on does not close the menu.
      await screen.publish(station({ phases: ['awaitingVehicle', 'charging'] }));
      await expect(menu().count()).resolves.toBe(1);
      await screen.publish(station({ phases: ['charging', 'charging'] }));
      await screen.publish(station({ phases: ['charging', 'choosingPayment'] }));
      await expect(menu().count()).resolves.toBe(0);
    });

    it('shows every connector with its phase and a running session on every page', async () => {
      await openMenu();
      const strip = menu().getByRole('list', { name: M.strip.label });
      for (const tab of ['Status', 'Prices', 'Reports']) {
        await menu().getByRole('button', { name: tab, exact: true }).click();
        await expect(strip.innerText()).resolves.toMatch(/Connector A\s*Available/);
        await expect(strip.innerText()).resolves.toMatch(/Connector B\s*Charging\s*4\.32 kWh · €1\.68/);
      }
    });

    it('status page: an offline device in the error style, with its last error; the others connected', async () => {
      await screen.publish(
        station({ printer: device({ kind: 'escpos', online: false, errorCount: 2, lastError: 'paper out', lastMessageAt: NOW - 12_000, details: { paper: 'out' } }) }),
      );
      await openMenu();
      const printer = menu().getByRole('region', { name: 'Printer', exact: true });
      await expect(printer.innerText()).resolves.toContain('Not connected');
      await expect(printer.innerText()).resolves.toContain('paper out');
      await expect(printer.innerText()).resolves.toMatch(/Last message\s*\d+ s ago/);
      await expect(printer.innerText()).resolves.toMatch(/paper\s*out/);
      await expect(printer.getAttribute('class')).resolves.toContain('maint-device--error');
      const charger = menu().getByRole('region', { name: 'Charger, connector A' });
      await expect(charger.innerText()).resolves.toContain('Connected');
      await expect(charger.innerText()).resolves.toContain('/dev/ttyUSB0');
      await expect(charger.getAttribute('class')).resolves.not.toContain('maint-device--error');
      await expect(menu().getByRole('region', { name: 'Card terminal' }).isVisible()).resolves.toBe(true);
    });

    it('status page: relay test only on a free connector, and its result in words', async () => {
      await screen.reply('relayTest', { ok: true, data: { enabledMs: 3000 } });
      await openMenu();
      const a = menu().getByRole('region', { name: 'Charger, connector A' });
      const b = menu().getByRole('region', { name: 'Charger, connector B' });
      await expect(b.getByRole('button', { name: M.tests.relay }).isEnabled()).resolves.toBe(false);
      await a.getByRole('button', { name: M.tests.relay }).click();
      await expect(a.getByRole('status').innerText()).resolves.toBe('Charger enabled for 3000 ms, back to sleep');
      expect((await screen.tech()).map((s) => s.command)).toContainEqual({ type: 'relayTest', connectorId: 1 });
    });

    it('status page: a card read, and a test print refused, in words', async () => {
      await screen.reply('readCard', { ok: true, data: { source: 'rfid', uid: '04A1B2C3D4E5F6', account: 'Demo prepaid', maskedPan: null } });
      await screen.reply('testPrint', { ok: false, error: { code: 'unavailable', reason: 'deviceUnavailable', message: 'printer out of paper' } });
      await openMenu();
      await menu().getByRole('button', { name: M.tests.readCard }).click();
      await expect(menu().getByText('RFID card 04A1B2C3D4E5F6, account Demo prepaid.').isVisible()).resolves.toBe(true);
      await menu().getByRole('button', { name: M.tests.print }).click();
      await expect(menu().getByRole('alert').innerText()).resolves.toBe(M.errors.reason.deviceUnavailable);
    });

    it('connectors page: out of service with a preset reason, sent as setService', async () => {
      await screen.reply('setService', { ok: true, data: null });
      await openMenu();
      await menu().getByRole('button', { name: 'Connectors', exact: true }).click();
      const a = menu().getByRole('region', { name: /^Connector A/ });
      await a.getByRole('button', { name: M.service.takeOut }).click();
      await expect(a.getByRole('button', { name: M.service.takeOut }).isEnabled()).resolves.toBe(false);
      await a.getByRole('button', { name: M.service.presetRepair }).click();
      await a.getByRole('button', { name: M.service.takeOut }).click();
      await expect(a.getByRole('status').innerText()).resolves.toBe('Connector A is out of service.');
      expect((await screen.tech()).map((s) => s.command)).toContainEqual({ type: 'setService', connectorId: 1, inService: false, reason: 'Repair' });
    });

    it('accounts page: a top-up typed in euros is sent in cents; a bad amount is refused', async () => {
      await screen.reply('accounts', {
        ok: true,
        data: [{ id: 'acc-1', name: 'Demo prepaid', type: 'prepaid', blocked: false, currency: 'EUR', balanceMinor: 2000, cards: [{ uid: '04A1B2C3D4E5F6', suffix: false }] }],
      });
      await screen.reply('ledger', { ok: true, data: [] });
      await screen.reply('topUp', { ok: true, data: { id: 9, at: NOW, kind: 'topup', amountMinor: 1250, balanceMinor: 3250, sessionId: null, who: 'Alice', reason: 'Paid in cash' } });
      await openMenu();
      await menu().getByRole('button', { name: 'Accounts', exact: true }).click();
      await menu().getByRole('button', { name: 'Demo prepaid' }).click();
      const amount = menu().getByLabel('Amount (EUR)');
      const reason = menu().getByRole('textbox', { name: M.reason.label }).first();
      const topUp = menu().getByRole('button', { name: M.accounts.topUp, exact: true });
      await reason.fill('Paid in cash');
      for (const bad of ['12.345', '-5', '0', 'abc', '10000.01']) {
        await amount.fill(bad);
        await expect(topUp.isEnabled(), bad).resolves.toBe(false);
      }
      await amount.fill('12,5');
      await topUp.click();
      await expect(menu().getByText('Topped up €12.50. New balance €32.50.').isVisible()).resolves.toBe(true);
      expect((await screen.tech()).map((s) => s.command)).toContainEqual({ type: 'topUp', accountId: 'acc-1', amountMinor: 1250, reason: 'Paid in cash' });
    });

    it('reports page: yesterday on the station clock by default, the totals, and Export CSV says where it saved', async () => {
      const totals = { sessions: 2, energyWh: 12_340, costMinor: 481, netMinor: 404, vatMinor: 77, revenueMinor: 481, writtenOffMinor: 0, refundedMinor: 0 };
      await screen.reply('report', {
        ok: true,
        data: { from: '2026-05-27', to: '2026-05-27', timeZone: 'Europe/Berlin', currency: 'EUR', rows: [], byDay: [{ day: '2026-05-27', ...totals }], byConnector: [{ connectorId: 1, ...totals }], byMethod: [{ method: 'card', ...totals }], totals },
      } as TechResult);
      await screen.reply('exportReport', { ok: true, data: { file: '/data/exchange/report-2026-05-27.csv' } });
      await screen.publish({ ...station(), now: Date.parse('2026-05-28T10:00:00Z') });
      await openMenu();
      await menu().getByRole('button', { name: 'Reports', exact: true }).click();
      const sent = (await screen.tech()).map((s) => s.command);
      expect(sent).toContainEqual({ type: 'report', from: '2026-05-27', to: '2026-05-27' });
      expect(sent).toContainEqual({ type: 'receipts', from: '2026-05-27', to: '2026-05-27' });
      await expect(menu().locator('.maint-totals tbody').innerText()).resolves.toMatch(/Total\s+2\s+12\.34 kWh\s+€4\.81\s+€0\.00\s+€0\.00/);
      await menu().getByRole('button', { name: M.reports.export }).click();
      await expect(menu().getByText('Saved as /data/exchange/report-2026-05-27.csv').isVisible()).resolves.toBe(true);
      await menu().getByRole('button', { name: M.reports.last7 }).click();
      expect((await screen.tech()).map((s) => s.command)).toContainEqual({ type: 'report', from: '2026-05-22', to: '2026-05-28' });
    });

    it('fits 800×480: the tabs and Log out stay in view while the page scrolls, and every control is at least 48 px', async () => {
      await page.setViewportSize({ width: 800, height: 480 });
      await openMenu();
      await menu().getByRole('button', { name: 'Connectors', exact: true }).click();
      const scroller = menu().locator('.maint-page');
      await scroller.evaluate((el) => {
        const box = el as unknown as { scrollTo(x: number, y: number): void; scrollHeight: number };
        box.scrollTo(0, box.scrollHeight);
      });
      for (const name of [M.menu.logout, 'Status', 'Log']) {
        const box = (await menu().getByRole('button', { name, exact: true }).boundingBox())!;
        expect(box.y, name).toBeGreaterThanOrEqual(0);
        expect(box.y + box.height, name).toBeLessThanOrEqual(480);
      }
      const small = await menu()
        .locator('button:visible, input:visible')
        .evaluateAll((els) =>
          (els as unknown as Box[]).map((el) => ({ text: el.textContent, h: el.getBoundingClientRect().height })).filter((b) => b.h < 48),
        );
      expect(small).toEqual([]);
      await expect(
        page.evaluate(() => {
          const g = globalThis as unknown as { document: { documentElement: { scrollWidth: number } }; innerWidth: number };
          return g.document.documentElement.scrollWidth <= g.innerWidth;
        }),
      ).resolves.toBe(true);
    });
  });

  describe("the driver's screen out of service", () => {
    it("a connector a technician took out of service: 'Out of service' and the note on its tile, not tappable", async () => {
      await screen.publish(
        station({ phases: ['outOfService', 'charging'], connector: { service: { note: 'Cable being replaced', since: NOW, station: false }, problemKind: 'service', problem: 'service' } }),
      );
      const tile = page.getByRole('group', { name: 'Connector A' });
      await expect(tile.innerText()).resolves.toContain('Out of service');
      await expect(tile.innerText()).resolves.toContain('Cable being replaced');
      await expect(tile.getByRole('button', { name: /^Connector A,/ }).isEnabled()).resolves.toBe(false);
    });

    it('the station taken out of service: says so with the note, and no connector can be started', async () => {
      await screen.publish(station({ phases: ['available', 'available'], station: { serviceState: 'outOfService', outOfServiceReason: 'technician', serviceNote: 'Back at 14:00' } }));
      const alert = page.getByRole('alert').filter({ hasText: en.start.stationOutOfService });
      await expect(alert.innerText()).resolves.toContain('Back at 14:00');
      await expect(page.getByRole('button', { name: /^Connector A,/ }).isEnabled()).resolves.toBe(false);
      await expect(page.getByRole('button', { name: /^Connector B,/ }).isEnabled()).resolves.toBe(false);
    });
  });
});
