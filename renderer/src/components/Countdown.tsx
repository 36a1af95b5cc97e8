// The time a waiting screen has left, counted on the brain's clock: the snapshot moves
// each second while a countdown runs, so the screen never runs its own timer.
import { useTranslation } from 'react-i18next';
import type { Countdown } from '../../../electron/contract/index.js';
import { useView } from '../store/StoreContext.js';
import type { ViewState } from '../store/snapshot-store.js';

const selectNow = (s: ViewState): number => s.snapshot?.now ?? 0;

/** Whole seconds left until `until` (brain time), never below 0. */
export function useSecondsLeft(until: number): number {
  const now = useView(selectNow);
  return Math.max(0, Math.ceil((until - now) / 1000));
}

/** "1:05". */
export function clockText(seconds: number): string {
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
}

/**
 * `messageKey` words the time ("Plug in within {{time}}"); a screen reader hears it in
 * words once, when it appears (a timer is not announced at every tick).
 */
type CountdownKey = 'inactivity.countdown' | 'authorizing.countdown' | 'awaiting.countdown' | 'summary.countdown';

export function CountdownLine({ countdown, messageKey, className = 'countdown' }: { countdown: Countdown; messageKey: CountdownKey; className?: string }) {
  const { t } = useTranslation();
  const seconds = useSecondsLeft(countdown.until);
  return (
    <p className={className} role="timer" aria-label={t(messageKey, { time: t('countdown.spoken', { count: seconds }) })}>
      {t(messageKey, { time: clockText(seconds) })}
    </p>
  );
}
