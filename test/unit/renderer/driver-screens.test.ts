// The driver's screens of the redesign, in Chromium (screen-harness.ts): a tile names its
// plug and power, a fault in words (never the controller's code), the waiting screens
// count down on the brain's clock, and a fault mid-charge looks like one.
import { describe, expect, it } from 'vitest';
import en from '../../../electron/contract/messages/en.json';
import { NOW, hasChromium, screenForSuite, snapshot } from './screen-harness.js';

describe.skipIf(!hasChromium)("the driver's screens, in Chromium", () => {
  const screen = screenForSuite();
  const publish = screen.publish;

  it.each([
    ['type2', 22_080, 'Type 2, up to 22 kW'],
    ['ccs2', 50_000, 'CCS, up to 50 kW'],
    ['chademo', 7_360, 'CHAdeMO, up to 7.4 kW'],
    ['type2-cable', 3_680, 'Type 2 cable, up to 3.7 kW'],
  ] as const)('a %s tile names its plug and power', async (type, maxPowerW, text) => {
    await publish(snapshot({ connector: { type, maxPowerW } }));
    const tile = screen.page.getByRole('group', { name: 'Connector A' });
    await expect(tile.locator('.tile-plug').textContent()).resolves.toBe(text);
    await expect(tile.locator('svg.plug-icon').getAttribute('aria-hidden')).resolves.toBe('true');
  });

  it('a faulted tile words the fault, never its code', async () => {
    // The start screen, with connector A's tile in fault.
    const onStart = (s: ReturnType<typeof snapshot>) => ({ ...s, focus: null });
    await publish(onStart(snapshot({ phase: 'fault', connector: { problem: 'gfci', problemKind: 'fault' } })));
    const tile = screen.page.getByRole('group', { name: 'Connector A' });
    await expect(tile.textContent()).resolves.toContain(en.connector.fault.gfci);
    await expect(tile.textContent()).resolves.not.toContain('gfci');
    await publish(onStart(snapshot({ phase: 'fault', connector: { problem: 'someNewCode', problemKind: 'fault' } })));
    await expect(tile.textContent()).resolves.toContain(en.connector.fault.unknown);
    await publish(onStart(snapshot({ phase: 'outOfService', connector: { problem: 'ECONNRESET while reading /dev/ttyUSB0', problemKind: 'offline' } })));
    await expect(tile.textContent()).resolves.toContain(en.connector.fault.offline);
    await expect(tile.textContent()).resolves.not.toContain('ECONNRESET');
  });

  it('the payment choice warns with a countdown and More time, though no session exists yet', async () => {
    const s = snapshot({ phase: 'choosingPayment', connector: { countdown: { kind: 'inactivity', until: NOW + 15_000 } } });
    s.connectors[0]!.session = null;
    await publish(s);
    const dialog = screen.page.getByRole('dialog', { name: en.inactivity.title });
    await expect(dialog.getByRole('timer').textContent()).resolves.toBe('Returning to the start in 0:15');
    await expect(dialog.getByRole('timer').getAttribute('aria-label')).resolves.toBe('Returning to the start in 15 seconds');
    await expect(dialog.textContent()).resolves.toContain(en.inactivity.textNoSession);
    await expect(dialog.getByRole('button', { name: 'More time' }).isVisible()).resolves.toBe(true);
    // The brain's clock moves it.
    await publish({ ...s, now: NOW + 9_000, seq: s.seq + 1 });
    await expect(dialog.getByRole('timer').textContent()).resolves.toBe('Returning to the start in 0:06');
  });

  it('waiting for the card and for the car count down', async () => {
    await publish(snapshot({ phase: 'authorizing', connector: { countdown: { kind: 'presentCard', until: NOW + 61_000 } } }));
    await expect(screen.page.getByRole('timer').textContent()).resolves.toBe('Time left to present your card: 1:01');
    await publish(snapshot({ phase: 'awaitingVehicle', connector: { countdown: { kind: 'plugIn', until: NOW + 120_000 } } }));
    await expect(screen.page.getByRole('timer').textContent()).resolves.toBe('Plug in within 2:00');
  });

  it('a fault mid-charge is an error, in words, with the help line made prominent', async () => {
    await publish(snapshot({ phase: 'parked', session: { stopReason: 'fault', energyWh: 4200 }, connector: { problem: 'noGround', problemKind: 'fault' } }));
    await expect(screen.page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe(en.parked.faultTitle);
    await expect(screen.page.getByRole('alert').filter({ hasText: en.connector.fault.noGround }).count()).resolves.toBe(1);
    await expect(screen.page.locator('footer.help').getAttribute('class')).resolves.toContain('help--prominent');
    await expect(screen.page.getByText('Cost', { exact: true }).count()).resolves.toBe(1);
    // An ordinary stop stays calm.
    await publish(snapshot({ phase: 'parked', session: { stopReason: 'vehicle', energyWh: 4200 } }));
    await expect(screen.page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe(en.parked.title);
    await expect(screen.page.locator('footer.help').getAttribute('class')).resolves.not.toContain('help--prominent');
  });
});
