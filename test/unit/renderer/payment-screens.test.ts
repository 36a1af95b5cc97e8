// The bank card's screens as a driver and a tester see them, in Chromium (screen-harness.ts):
// what the authorizing screen says for each terminal prompt, what the decline screen says
// for each reason, and that the simulator panel's outcome buttons send their outcome.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CardOutcome, DECLINE_REASONS, TERMINAL_PROMPTS, type DeclineReason, type SimView } from '../../../electron/contract/index.js';
import en from '../../../electron/contract/messages/en.json';
import { hasChromium, openScreen, snapshot, type Box, type ScreenHarness } from './screen-harness.js';

const ZVT_SIM: SimView = { chargers: null, terminal: { nextOutcome: 'approve', openHolds: 0, protocol: 'zvt' }, printer: null, rfid: null };
/** The bank card's reasons; a station card's (station-card-screens.test.ts) offer no Try again. */
const CARD_DECLINE_REASONS = DECLINE_REASONS.filter((r) => r !== 'unknownCard' && r !== 'cardBlocked' && r !== 'noCredit');

describe.skipIf(!hasChromium)('payment screens and the simulator panel, in Chromium', () => {
  let screen: ScreenHarness;
  let page: ScreenHarness['page'];
  const publish: ScreenHarness['publish'] = (s) => screen.publish(s);
  const sent: ScreenHarness['sent'] = () => screen.sent();

  beforeAll(async () => {
    screen = await openScreen();
    page = screen.page;
  }, 60_000);

  afterAll(async () => {
    await screen?.close();
  });

  describe('authorizing screen', () => {
    it('says to wait for the card while the terminal has asked nothing', async () => {
      await publish(snapshot({ phase: 'authorizing', prompt: null }));
      await expect(page.getByRole('status').textContent()).resolves.toBe(` ${en.authorizing.waiting}`);
    });

    it.each(TERMINAL_PROMPTS)('shows the prompt %s in the polite live region', async (prompt) => {
      await publish(snapshot({ phase: 'authorizing', prompt }));
      const status = page.getByRole('status');
      await expect(status.textContent()).resolves.toBe(` ${en.authorizing.prompt[prompt]}`);
      await expect(status.getAttribute('aria-live')).resolves.toBeNull(); // role=status is polite by itself, not made assertive
    });

    it('words each prompt as the terminal asks it', () => {
      expect(en.authorizing.prompt).toEqual({
        presentCard: 'Present your card on the card terminal',
        enterPin: 'Enter your PIN on the card terminal',
        processing: 'Processing, please wait…',
        removeCard: 'Please remove your card',
      });
    });

    it('follows the prompt as it changes, then falls back when it is cleared', async () => {
      await publish(snapshot({ phase: 'authorizing', prompt: 'presentCard' }));
      await publish(snapshot({ phase: 'authorizing', prompt: 'enterPin' }));
      await expect(page.getByRole('status').textContent()).resolves.toBe(` ${en.authorizing.prompt.enterPin}`);
      await publish(snapshot({ phase: 'authorizing', prompt: null }));
      await expect(page.getByRole('status').textContent()).resolves.toBe(` ${en.authorizing.waiting}`);
    });
  });

  describe('decline screen', () => {
    const next: Partial<Record<DeclineReason, string>> = {
      cardExpired: en.declined.nextOtherCard,
      busy: en.declined.nextLater,
      unavailable: en.declined.nextLater,
    };

    it.each(CARD_DECLINE_REASONS)('says why (%s) and offers try again, another way to pay and cancel', async (reason) => {
      await publish(snapshot({ phase: 'declined', declineReason: reason }));
      const alert = page.getByRole('alert');
      await expect(alert.locator('.callout-title').textContent()).resolves.toBe(en.declined.reason[reason]);
      await expect(alert.locator('p:not(.callout-title)').textContent()).resolves.toBe(next[reason] ?? en.declined.next);
      for (const name of [en.actions.tryAgain, en.actions.otherPayment, en.actions.cancel]) {
        await expect(page.getByRole('button', { name, exact: true }).isEnabled()).resolves.toBe(true);
      }
    });

    it('unavailable: keeps Try again, disabled while the terminal is still away, and says so', async () => {
      await publish(snapshot({ phase: 'declined', declineReason: 'unavailable', terminal: { available: false, busy: false } }));
      await expect(page.getByRole('alert').locator('.callout-title').textContent()).resolves.toBe('The card terminal is unavailable.');
      const tryAgain = page.getByRole('button', { name: en.actions.tryAgain, exact: true });
      await expect(tryAgain.isDisabled()).resolves.toBe(true);
      await expect(page.getByText(en.payment.unavailable, { exact: true }).isVisible()).resolves.toBe(true);
      await expect(page.getByRole('button', { name: en.actions.otherPayment, exact: true }).isEnabled()).resolves.toBe(true);
    });

    it('each button sends its command', async () => {
      await publish(snapshot({ phase: 'declined', declineReason: 'pinRequired' }));
      await sent();
      for (const name of [en.actions.tryAgain, en.actions.otherPayment, en.actions.cancel]) await page.getByRole('button', { name, exact: true }).click();
      await expect(sent()).resolves.toEqual([
        { kind: 'command', body: { type: 'retryPayment', connectorId: 1 } },
        { kind: 'command', body: { type: 'otherPayment', connectorId: 1 } },
        { kind: 'command', body: { type: 'cancel', connectorId: 1 } },
      ]);
    });
  });

  describe('simulator panel', () => {
    const outcomeButton = (name: string) => page.getByRole('group', { name: en.sim.outcomeLabel }).getByRole('button', { name, exact: true });

    it('offers a button for every outcome, in the contract order, and each sends {type: cardOutcome, outcome}', async () => {
      await publish(snapshot({ sim: ZVT_SIM }));
      const group = page.getByRole('group', { name: en.sim.outcomeLabel });
      await expect(group.getByRole('button').allTextContents()).resolves.toEqual(CardOutcome.options.map((o) => en.sim.outcome[o]));
      await sent();
      for (const outcome of CardOutcome.options) await outcomeButton(en.sim.outcome[outcome]).click();
      await expect(sent()).resolves.toEqual(CardOutcome.options.map((outcome) => ({ kind: 'sim', body: { type: 'cardOutcome', outcome } })));
    });

    it.each(CardOutcome.options)('marks %s pressed when it is the next outcome, and only it', async (nextOutcome) => {
      await publish(snapshot({ sim: { ...ZVT_SIM, terminal: { nextOutcome, openHolds: 0, protocol: 'zvt' } } }));
      const pressed = await page.getByRole('group', { name: en.sim.outcomeLabel }).getByRole('button', { pressed: true }).allTextContents();
      expect(pressed).toEqual([en.sim.outcome[nextOutcome]]);
      await expect(page.getByText(`Next card: ${en.sim.outcome[nextOutcome]}`, { exact: true }).isVisible()).resolves.toBe(true);
    });

    it('says which terminal it simulates', async () => {
      await publish(snapshot({ sim: ZVT_SIM }));
      await expect(page.getByText('Simulates a ZVT terminal', { exact: true }).isVisible()).resolves.toBe(true);
      await publish(snapshot({ sim: { ...ZVT_SIM, terminal: { nextOutcome: 'approve', openHolds: 2, protocol: 'generic' } } }));
      await expect(page.getByText('Simulates a generic terminal', { exact: true }).isVisible()).resolves.toBe(true);
      await expect(page.getByText('Open holds: 2', { exact: true }).isVisible()).resolves.toBe(true);
    });

    it('keeps every outcome button at least 48 px, its label inside it', async () => {
      await publish(snapshot({ sim: ZVT_SIM }));
      const boxes = await page
        .getByRole('group', { name: en.sim.outcomeLabel })
        .getByRole('button')
        .evaluateAll((buttons) =>
          (buttons as unknown as Box[]).map((b) => ({ w: b.getBoundingClientRect().width, h: b.getBoundingClientRect().height, overflow: b.scrollWidth > b.clientWidth })),
        );
      expect(boxes).toHaveLength(CardOutcome.options.length);
      for (const box of boxes) {
        expect(box.w).toBeGreaterThanOrEqual(48);
        expect(box.h).toBeGreaterThanOrEqual(48);
        expect(box.overflow).toBe(false);
      }
    });
  });
});
