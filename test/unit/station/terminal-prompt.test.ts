// What the card terminal asks of the cardholder reaches the screen: the station keeps
// the terminal's last prompt event and publishes a snapshot whenever it changes.
import { afterEach, describe, expect, it } from 'vitest';
import type { KioskConfigInput } from '../../../electron/config/config-schema.js';
import type { Snapshot, TerminalPrompt } from '../../../electron/contract/index.js';
import { KioskHarness } from './kiosk-harness.js';

let harness: KioskHarness | null = null;
afterEach(async () => {
  await harness?.close();
  harness = null;
});

/** Pays by card on connector 1 with the terminal playing `outcome`; the prompts the published snapshots carried, in order, repeats dropped. */
async function promptsWhilePaying(config: KioskConfigInput, outcome: 'approve' | 'pin'): Promise<{ prompts: (TerminalPrompt | null)[]; last: Snapshot }> {
  harness = await KioskHarness.start(config);
  const h = harness;
  if (outcome !== 'approve') expect(await h.sim({ type: 'cardOutcome', outcome })).toEqual({ ok: true });
  const prompts: (TerminalPrompt | null)[] = [];
  let last = h.snapshot();
  const unsubscribe = h.station.subscribe((snapshot) => {
    last = snapshot;
    const prompt = snapshot.terminal!.prompt;
    if (prompts.at(-1) !== prompt) prompts.push(prompt);
  });
  await h.command({ type: 'selectConnector', connectorId: 1 });
  await h.command({ type: 'choosePayment', connectorId: 1, method: 'card' });
  await h.run(10_000);
  unsubscribe();
  expect(h.connector(1).phase).toBe('awaitingVehicle');
  return { prompts, last };
}

describe('the terminal prompt in the snapshot', () => {
  it('is null while the terminal asks nothing', async () => {
    harness = await KioskHarness.start();
    expect(harness.snapshot().terminal).toEqual({ available: true, busy: false, prompt: null });
  });

  it('ZVT: shows what the terminal asks while it authorises, and nothing once it is done', async () => {
    const { prompts, last } = await promptsWhilePaying({}, 'approve');
    expect(prompts[0]).toBeNull();
    expect(prompts).toContain('presentCard');
    expect(last.terminal!.prompt).toBeNull();
  });

  it('ZVT: a card that needs the PIN shows "enter PIN" after "present card"', async () => {
    const { prompts, last } = await promptsWhilePaying({}, 'pin');
    const present = prompts.indexOf('presentCard');
    expect(present).toBeGreaterThanOrEqual(0);
    expect(prompts.indexOf('enterPin')).toBeGreaterThan(present);
    expect(last.terminal!.prompt).toBeNull();
  });

  it('generic terminal: "present card" while it waits for the card, then nothing', async () => {
    const { prompts } = await promptsWhilePaying({ devices: { terminal: { kind: 'simulated', protocol: 'generic', approvalDelayMs: 1000 } } }, 'approve');
    expect(prompts).toEqual([null, 'presentCard', null]);
  });
});
