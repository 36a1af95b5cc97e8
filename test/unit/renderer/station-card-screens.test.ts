// The station RFID card's screens in Chromium (screen-harness.ts): the payment choice
// offers what `payment.methods` lists; a station card is checked, not prompted for; its
// refusals offer another way to pay and no Try again; before and while charging, and in the
// summary, the balance or the account it is charged to; the simulator panel's RFID reader.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccountView, CardTapNotice, SimView } from '../../../electron/contract/index.js';
import en from '../../../electron/contract/messages/en.json';
import { hasChromium, openScreen, snapshot, summaryOf, type Box, type ScreenHarness } from './screen-harness.js';

const PREPAID: AccountView = { name: 'Demo prepaid', type: 'prepaid', balanceMinor: 2000 };
const FLEET: AccountView = { name: 'Demo fleet', type: 'account', balanceMinor: null };
const HELP_LINE = '+49 30 555 0100';

const RFID_SIM: SimView = {
  chargers: null,
  terminal: null,
  printer: null,
  rfid: {
    cards: [
      { uid: '04A1B2C3D4E5F6', account: 'Demo prepaid', type: 'prepaid', blocked: false, balanceMinor: 2000 },
      { uid: '04A1B2C3D4E5F7', account: 'Demo fleet', type: 'account', blocked: false, balanceMinor: null },
      { uid: '04A1B2C3D4E5F8', account: 'Demo blocked', type: 'prepaid', blocked: true, balanceMinor: 500 },
      { uid: 'DEADBEEF', account: null, type: null, blocked: false, balanceMinor: null },
    ],
  },
};

describe.skipIf(!hasChromium)('station card screens and the simulated RFID reader, in Chromium', () => {
  let screen: ScreenHarness;
  let page: ScreenHarness['page'];
  const publish: ScreenHarness['publish'] = (s) => screen.publish(s);
  const sent: ScreenHarness['sent'] = () => screen.sent();
  const button = (name: string) => page.getByRole('button', { name, exact: true });
  const stationCardPanel = () => page.getByRole('region', { name: en.payment.stationCard, exact: true });
  const shown = (text: string) => page.getByText(text, { exact: true }).isVisible();

  beforeAll(async () => {
    screen = await openScreen();
    page = screen.page;
  }, 60_000);

  afterAll(async () => {
    await screen?.close();
  });

  describe('payment choice', () => {
    it('card only: the bank card button, as before, and no station card panel', async () => {
      await publish(snapshot({ phase: 'choosingPayment', methods: ['card'] }));
      await expect(button(en.actions.bankCard).isEnabled()).resolves.toBe(true);
      await expect(shown(en.payment.cardHint)).resolves.toBe(true);
      await expect(stationCardPanel().count()).resolves.toBe(0);
    });

    it('rfid only: just the panel "hold your card to the reader", Cancel and the prices; no button for the card', async () => {
      await publish(snapshot({ phase: 'choosingPayment', methods: ['rfid'], terminal: null, rfid: { available: true } }));
      const panel = stationCardPanel();
      await expect(panel.isVisible()).resolves.toBe(true);
      await expect(panel.getByText(en.payment.stationCardHint, { exact: true }).isVisible()).resolves.toBe(true);
      await expect(panel.locator('svg[aria-hidden="true"]').count()).resolves.toBe(1);
      await expect(page.locator('main.screen').getByRole('button').allTextContents()).resolves.toEqual([en.actions.cancel]);
      await expect(page.getByRole('heading', { name: en.prices.title }).isVisible()).resolves.toBe(true);
      await expect(shown(en.payment.readerUnavailable)).resolves.toBe(false);
      await expect(shown(en.payment.noMethod)).resolves.toBe(false);
    });

    it('both: the bank card button and the panel, in the order listed', async () => {
      await publish(snapshot({ phase: 'choosingPayment', methods: ['card', 'rfid'], rfid: { available: true } }));
      await expect(button(en.actions.bankCard).isEnabled()).resolves.toBe(true);
      await expect(stationCardPanel().isVisible()).resolves.toBe(true);
      const order = () =>
        page.locator('.pay-options > *').evaluateAll((options) => (options as unknown as { className: string }[]).map((o) => o.className.includes('station-card')));
      await expect(order()).resolves.toEqual([false, true]);
      await publish(snapshot({ phase: 'choosingPayment', methods: ['rfid', 'card'], rfid: { available: true } }));
      await expect(order()).resolves.toEqual([true, false]);
    });

    it('says when the card reader is not working, and still offers the bank card', async () => {
      await publish(snapshot({ phase: 'choosingPayment', methods: ['card', 'rfid'], rfid: { available: false } }));
      const panel = stationCardPanel();
      await expect(panel.getByRole('status').getByText(en.payment.readerUnavailable, { exact: true }).isVisible()).resolves.toBe(true);
      await expect(button(en.actions.bankCard).isEnabled()).resolves.toBe(true);
    });

    it('keeps the panel inside the screen beside the simulator panel', async () => {
      await publish(snapshot({ phase: 'choosingPayment', methods: ['card', 'rfid'], rfid: { available: false }, sim: RFID_SIM }));
      const fits = await page
        .locator('.screen')
        .evaluate((el) => (el as unknown as Box).scrollWidth <= (el as unknown as Box).clientWidth);
      expect(fits).toBe(true);
    });
  });

  it('start screen: a card tap notice fits any card, not only a bank card', async () => {
    for (const kind of ['plugInFirst', 'chooseConnector', 'noSession'] as const) {
      const cardTap: CardTapNotice = { kind, connectorIds: [1], until: Date.now() + 60_000 };
      await publish({ ...snapshot({ methods: ['card', 'rfid'] }), cardTap });
      const text = await page.getByRole('status').filter({ hasText: 'Card read' }).textContent();
      expect(text).toBe(en.start.cardTap[kind]);
      expect(text).not.toMatch(/terminal|bank/i);
    }
  });

  it('authorizing with a station card: "Checking your card…", not the terminal prompts nor a hold', async () => {
    for (const account of [PREPAID, FLEET]) {
      await publish(snapshot({ phase: 'authorizing', prompt: 'presentCard', session: { method: account.type, account } }));
      await expect(page.getByRole('status').textContent()).resolves.toBe(` ${en.authorizing.checking}`);
      await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe(en.authorizing.stationCardTitle);
      await expect(page.getByText(/hold .* on your card/).count()).resolves.toBe(0);
    }
    // Before the brain knows the account, the method alone says it is a station card.
    await publish(snapshot({ phase: 'authorizing', session: { method: 'prepaid', account: null } }));
    await expect(page.getByRole('status').textContent()).resolves.toBe(` ${en.authorizing.checking}`);
  });

  describe('declined station card', () => {
    const expected = {
      unknownCard: 'This card is not known at this station.',
      cardBlocked: `This card is blocked. Please contact the operator: ${HELP_LINE}`,
      noCredit: "Your card's balance is too low to start charging. Top up, or pay another way.",
    } as const;

    it.each(['unknownCard', 'cardBlocked', 'noCredit'] as const)('%s: says why, offers Pay another way and Cancel, and no Try again', async (reason) => {
      await publish(snapshot({ phase: 'declined', declineReason: reason, session: { method: 'prepaid', account: null } }));
      await expect(page.getByRole('alert').locator('.callout-title').textContent()).resolves.toBe(expected[reason]);
      await expect(button(en.actions.tryAgain).count()).resolves.toBe(0);
      await expect(page.getByRole('main').getByRole('button').allTextContents()).resolves.toEqual([en.actions.payAnotherWay, en.actions.cancel]);
      await sent();
      await button(en.actions.payAnotherWay).click();
      await button(en.actions.cancel).click();
      await expect(sent()).resolves.toEqual([
        { kind: 'command', body: { type: 'otherPayment', connectorId: 1 } },
        { kind: 'command', body: { type: 'cancel', connectorId: 1 } },
      ]);
    });

    it('does not depend on the card terminal (no terminal, no terminal status)', async () => {
      await publish(snapshot({ phase: 'declined', declineReason: 'noCredit', terminal: null, methods: ['rfid'] }));
      await expect(button(en.actions.payAnotherWay).isEnabled()).resolves.toBe(true);
      await expect(shown(en.payment.unavailable)).resolves.toBe(false);
    });
  });

  describe('before charging', () => {
    it('prepaid: the balance and what is reserved of it, instead of a hold on a card', async () => {
      await publish(snapshot({ phase: 'awaitingVehicle', session: { method: 'prepaid', account: PREPAID, limitMinor: 1500 } }));
      await expect(shown('Balance €20.00 · up to €15.00 reserved for this session')).resolves.toBe(true);
      await expect(page.getByText(/Held on your card/).count()).resolves.toBe(0);
      await expect(shown(en.awaiting.cancelHintPrepaid)).resolves.toBe(true);
    });

    it('on account: the account it is charged to', async () => {
      await publish(snapshot({ phase: 'awaitingVehicle', session: { method: 'account', account: FLEET, limitMinor: 10_000 } }));
      await expect(shown("Charged to Demo fleet's account")).resolves.toBe(true);
      await expect(page.getByText(/Held on your card/).count()).resolves.toBe(0);
    });

    it('bank card: the hold, as before', async () => {
      await publish(snapshot({ phase: 'awaitingVehicle' }));
      await expect(shown('Held on your card: €50.00')).resolves.toBe(true);
      await expect(shown(en.awaiting.cancelHint)).resolves.toBe(true);
    });
  });

  describe('while charging', () => {
    it('prepaid: balance and reservation, the reserved figure, and how to stop with the card', async () => {
      await publish(snapshot({ phase: 'charging', session: { method: 'prepaid', account: PREPAID, limitMinor: 1500, energyWh: 2500, costMinor: 98 } }));
      await expect(shown('Balance €20.00 · up to €15.00 reserved for this session')).resolves.toBe(true);
      await expect(shown(en.charging.reservedLabel)).resolves.toBe(true);
      await expect(shown(en.charging.stopByCard)).resolves.toBe(true);
      await expect(button(en.actions.stopCharging).getAttribute('aria-describedby')).resolves.toBeTruthy();
    });

    it('on account: the account charged, and the stop hint', async () => {
      await publish(snapshot({ phase: 'charging', session: { method: 'account', account: FLEET, limitMinor: 10_000 } }));
      await expect(shown("Charged to Demo fleet's account")).resolves.toBe(true);
      await expect(shown(en.charging.stopByCard)).resolves.toBe(true);
    });

    it('bank card: no stop-by-card hint, the hold figure as before', async () => {
      await publish(snapshot({ phase: 'charging' }));
      await expect(shown(en.charging.stopByCard)).resolves.toBe(false);
      await expect(shown(en.charging.heldLabel)).resolves.toBe(true);
    });
  });

  describe('summary', () => {
    it('prepaid: the new balance, prominent', async () => {
      const summary = summaryOf({ method: 'prepaid', account: { ...PREPAID, balanceMinor: 420 }, capturedMinor: 1580 });
      await publish(snapshot({ phase: 'summary', lastSummary: summary }));
      // Prominent: the summary's balance line (its text is the figure shown; a screen reader hears it in words).
      const balance = page.locator('p.summary-balance');
      await expect(balance.isVisible()).resolves.toBe(true);
      await expect(balance.textContent()).resolves.toBe('New balance: €4.20');
      await expect(shown('Prepaid card, Demo prepaid')).resolves.toBe(true);
      await expect(shown(en.summary.takenBalance)).resolves.toBe(true);
    });

    it('on account: the account it was charged to', async () => {
      await publish(snapshot({ phase: 'summary', lastSummary: summaryOf({ method: 'account', account: FLEET }) }));
      await expect(shown("Charged to Demo fleet's account")).resolves.toBe(true);
      await expect(page.getByText(/New balance/).count()).resolves.toBe(0);
    });

    it('bank card: as before', async () => {
      await publish(snapshot({ phase: 'summary', lastSummary: summaryOf({ maskedPan: '•••• 0001' }) }));
      await expect(shown('Bank card •••• 0001')).resolves.toBe(true);
      await expect(shown(en.summary.taken)).resolves.toBe(true);
      await expect(page.getByText(/New balance|account/).count()).resolves.toBe(0);
    });
  });

  describe('simulator panel: RFID reader', () => {
    const cards = () => page.getByRole('group', { name: en.sim.rfidCards });

    it('offers a button per card, labelled from the data, each sending {type: tag, uid}', async () => {
      await publish(snapshot({ sim: RFID_SIM }));
      await expect(cards().getByRole('button').allTextContents()).resolves.toEqual([
        'Demo prepaid · €20.00',
        'Demo fleet · on account',
        'Demo blocked · blocked',
        'Unknown card',
      ]);
      await sent();
      for (const name of ['Tap Demo prepaid', 'Tap Demo fleet', 'Tap Demo blocked', 'Tap Unknown card']) await button(name).click();
      await expect(sent()).resolves.toEqual(RFID_SIM.rfid!.cards.map((c) => ({ kind: 'sim', body: { type: 'tag', uid: c.uid } })));
    });

    it('taps any UID typed in', async () => {
      await publish(snapshot({ sim: RFID_SIM }));
      const tap = button(en.sim.rfidTapUid);
      await expect(tap.isDisabled()).resolves.toBe(true);
      await page.getByLabel(en.sim.rfidUid, { exact: true }).fill(' 04:a1:b2:c3 ');
      await sent();
      await tap.click();
      await expect(sent()).resolves.toEqual([{ kind: 'sim', body: { type: 'tag', uid: '04:a1:b2:c3' } }]);
    });

    it('has no RFID section when the reader is not simulated', async () => {
      await publish(snapshot({ sim: { ...RFID_SIM, rfid: null } }));
      await expect(cards().count()).resolves.toBe(0);
      await expect(page.getByLabel(en.sim.rfidUid).count()).resolves.toBe(0);
    });

    it('keeps every RFID control at least 48 px high', async () => {
      await publish(snapshot({ sim: RFID_SIM }));
      const boxes = await page
        .locator('.sim-rfid-cards button, .sim-uid input, .sim-uid button')
        .evaluateAll((els) => (els as unknown as Box[]).map((b) => ({ w: b.getBoundingClientRect().width, h: b.getBoundingClientRect().height })));
      expect(boxes).toHaveLength(RFID_SIM.rfid!.cards.length + 2);
      for (const box of boxes) {
        expect(box.w).toBeGreaterThanOrEqual(48);
        expect(box.h).toBeGreaterThanOrEqual(48);
      }
    });
  });
});
