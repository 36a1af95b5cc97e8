// Cards held to the terminal outside a payment: while it is wanted (tap to start is on,
// or a session paid by card is charging), the terminal waits for a card (read card),
// and each card read is handed to the station: it stops the session that card started,
// or starts one where a car is plugged in. Any payment request ends the wait first (the
// driver sees to that), so the watcher never keeps a driver from paying.
import type { Logger } from 'pino';
import { delay, type Clock } from '../../devices/clock.js';
import type { CardRead, CardTerminal } from '../../devices/payment/card-terminal-port.js';

export interface CardTapsOptions {
  terminal: CardTerminal & { readCard: NonNullable<CardTerminal['readCard']> };
  clock: Clock;
  log: Logger;
  /** Whether the terminal should wait for a card now (asked again after every poke). */
  wanted: () => boolean;
  onTap: (read: CardRead) => void;
  /** After a failed read, ms (default 5000). */
  backoffMs?: number;
}

export class CardTaps {
  private running = false;
  private wake: (() => void) | null = null;
  private readonly life = new AbortController();

  constructor(private readonly options: CardTapsOptions) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    void this.loop();
  }

  /** Something changed (a session began or ended, the terminal came back): is a read wanted now? */
  poke(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }

  stop(): void {
    this.running = false;
    this.life.abort();
    this.poke();
  }

  private async loop(): Promise<void> {
    const { terminal, clock, log } = this.options;
    while (this.running) {
      if (!this.options.wanted()) {
        await new Promise<void>((resolve) => (this.wake = resolve));
        continue;
      }
      try {
        const began = clock.now();
        const read = await terminal.readCard(this.life.signal);
        if (!this.running) return;
        if (read) this.options.onTap(read);
        // A terminal that ends every wait at once is not asked again at once.
        else if (clock.now() - began < 1000) await delay(clock, 1000, this.life.signal).catch(() => {});
      } catch (error) {
        if (!this.running) return;
        log.warn({ err: error }, 'the card terminal could not wait for a card');
        await delay(clock, this.options.backoffMs ?? 5000, this.life.signal).catch(() => {});
      }
    }
  }
}
