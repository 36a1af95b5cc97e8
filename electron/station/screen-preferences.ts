// What a driver chose for the screen: its language and the high-contrast, large-text
// mode. The choices belong to the driver's flow on a connector: a driver coming back to
// their charging screen finds them again, and their receipt is printed in their language.
// The start screen has its own; the flow a driver starts there takes them over. They end
// with the flow (its connector free again), so the next driver meets the station's own
// language; left on the start screen by a driver still charging, they last until nobody
// has touched it for a while.
import type { Language } from '../contract/languages.js';

export interface ScreenChoices {
  language: Language;
  highContrast: boolean;
}

interface StartChoices extends ScreenChoices {
  /** When the start screen was last touched with these choices. */
  at: number;
  /** The connector whose flow left them there, if one did: they end with it. */
  from: number | null;
}

export class ScreenPreferences {
  private readonly flows = new Map<number, ScreenChoices>();
  private start: StartChoices | null = null;

  constructor(
    private readonly station: ScreenChoices,
    /** How long choices left on the start screen last untouched. */
    private readonly startIdleMs: number,
  ) {}

  /** What the screen shows with `focus` (a connector's flow, or null for the start screen). */
  of(focus: number | null): ScreenChoices {
    const choices = focus === null ? this.start : (this.flows.get(focus) ?? this.start);
    return choices ? { language: choices.language, highContrast: choices.highContrast } : this.station;
  }

  /** The language of a connector's flow: its receipt's. */
  languageOf(connectorId: number): Language {
    return (this.flows.get(connectorId) ?? this.station).language;
  }

  /** The driver changed a choice on the screen showing `focus`. */
  choose(focus: number | null, change: Partial<ScreenChoices>, now: number): void {
    const next = { ...this.of(focus), ...change };
    if (focus === null) this.start = { ...next, at: now, from: null };
    else this.flows.set(focus, next);
  }

  /** A flow begins on a connector from the start screen: it takes the start screen's choices. */
  flowBegins(connectorId: number): void {
    if (this.flows.has(connectorId)) return;
    if (this.start) this.flows.set(connectorId, { language: this.start.language, highContrast: this.start.highContrast });
    this.start = null;
  }

  /** The screen leaves a flow that goes on (its driver went back to the start): the start screen keeps its choices for a while. */
  leftFlow(connectorId: number, now: number): void {
    const flow = this.flows.get(connectorId);
    this.start = flow ? { ...flow, at: now, from: connectorId } : null;
  }

  /** The connector's flow is over (its connector is free again); `onScreen`: the screen was showing it. What it left on the start screen ends too. */
  flowEnds(connectorId: number, onScreen: boolean): void {
    this.flows.delete(connectorId);
    if (onScreen || this.start?.from === connectorId) this.start = null;
  }

  /** Choices left on the start screen expire; true when they did now. */
  expire(focus: number | null, now: number): boolean {
    if (focus !== null || this.start === null || now - this.start.at < this.startIdleMs) return false;
    this.start = null;
    return true;
  }

  /** What a restart needs to give each flow its choices back. */
  kept(): Record<string, ScreenChoices> {
    return Object.fromEntries([...this.flows].map(([id, choices]) => [String(id), choices]));
  }

  /** The flows' choices as kept before a restart (anything unreadable is dropped: the station's own then). */
  restore(kept: unknown, isLanguage: (value: string) => value is Language, connectorIds: readonly number[]): void {
    if (typeof kept !== 'object' || kept === null) return;
    for (const [key, value] of Object.entries(kept)) {
      const id = Number(key);
      if (!connectorIds.includes(id) || typeof value !== 'object' || value === null) continue;
      const { language, highContrast } = value as Record<string, unknown>;
      if (typeof language !== 'string' || !isLanguage(language) || typeof highContrast !== 'boolean') continue;
      this.flows.set(id, { language, highContrast });
    }
  }
}
