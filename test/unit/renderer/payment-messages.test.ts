// Every value the screen words from the contract has its message in the catalogue,
// checked from the contract's runtime lists, so a new decline reason, prompt or simulator
// outcome without a message fails here (and at `t()`, whose keys are typed). Runs without
// a browser; payment-screens.test.ts checks the screens themselves in Chromium.
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { TerminalDecline, TerminalPrompt as PortPrompt } from '../../../devices/payment/card-terminal-port.js';
import { CardOutcome, DECLINE_REASONS, TERMINAL_PROMPTS, type DeclineReason, type SimView, type TerminalPrompt } from '../../../electron/contract/index.js';
import en from '../../../electron/contract/messages/en.json';
import { initI18n } from '../../../renderer/src/i18n/i18n.js';

const i18n = initI18n();

function expectMessage(key: string): void {
  expect(i18n.exists(key), key).toBe(true);
  const text = i18n.t(key as never) as unknown;
  expect(typeof text, key).toBe('string');
  expect((text as string).trim(), key).not.toBe('');
  expect(text, key).not.toBe(key);
}

describe('message catalogue', () => {
  it.each(DECLINE_REASONS)('has a decline message for %s', (reason) => {
    expectMessage(`declined.reason.${reason}`);
  });

  it('has no decline message for a reason the contract does not know', () => {
    expect(Object.keys(en.declined.reason).sort()).toEqual([...DECLINE_REASONS].sort());
  });

  it('words the new reasons as the driver should read them', () => {
    expect(en.declined.reason.cardExpired).toBe('Your card has expired.');
    expect(en.declined.reason.pinRequired).toBe('Your card needs a PIN: please insert it into the card terminal and try again.');
    expect(en.declined.reason.unavailable).toMatch(/terminal is unavailable/);
  });

  it.each(TERMINAL_PROMPTS)('has a status line for the terminal prompt %s', (prompt) => {
    expectMessage(`authorizing.prompt.${prompt}`);
  });

  it.each(CardOutcome.options)('has a simulator label for the outcome %s', (outcome) => {
    expectMessage(`sim.outcome.${outcome}`);
  });

  it.each(['zvt', 'generic'] as const satisfies readonly NonNullable<SimView['terminal']>['protocol'][])('names the simulated protocol %s', (protocol) => {
    expectMessage(`sim.protocol.${protocol}`);
  });

  it('the contract lists what the card terminal port can say, and no more', () => {
    // The snapshot's prompt is the port's prompt; every way the port declines has a reason on the screen.
    expectTypeOf<TerminalPrompt>().toEqualTypeOf<PortPrompt>();
    expectTypeOf<TerminalDecline>().toExtend<DeclineReason>();
    expectTypeOf<(typeof DECLINE_REASONS)[number]>().toEqualTypeOf<DeclineReason>();
  });
});
