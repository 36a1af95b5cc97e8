// A task run once a day at a wall-clock time of the station's zone ("03:00"), such as
// the card terminal's end of day. A time the clock skips (a spring clock change) runs
// at the first instant after it; a failed run is tried again after `retryMs`, once.
import type { Clock, TimerHandle } from '../../devices/clock.js';
import { DAY_MS, msOfDayOf, zoneOf } from '../billing/local-time.js';

/** The first instant after `now` at which the station's wall clock shows `time` ("HH:MM"), or has just passed it (a skipped hour). */
export function nextDailyAt(now: number, timeZone: string, time: string): number {
  const zone = zoneOf(timeZone);
  const target = msOfDayOf(time);
  const { day } = zone.parts(now);
  for (let d = day; d <= day + 2; d++) {
    // The wall time wanted, as ms of local time; a UTC instant shows it if t + offset(t) = wall.
    const wall = d * DAY_MS + target;
    const before = zone.offsetMs(wall - DAY_MS / 2);
    const after = zone.offsetMs(wall + DAY_MS / 2);
    const shown = [wall - before, wall - after].filter((t) => t + zone.offsetMs(t) === wall && t > now);
    if (shown.length > 0) return Math.min(...shown);
    // Not shown that day: the clock jumped over it. It runs at the jump, if that is still to come.
    if (before === after) continue;
    const QUARTER = 15 * 60_000;
    let jump = Math.floor((wall - before - 3 * 3_600_000) / QUARTER) * QUARTER;
    while (zone.offsetMs(jump) !== after && jump < wall) jump += QUARTER;
    if (jump > now && jump + after > wall) return jump;
  }
  return now + DAY_MS;
}

export interface DailyTaskOptions {
  clock: Clock;
  timeZone: string;
  /** "HH:MM", station time. */
  time: string;
  run: () => Promise<void>;
  /** After a failed run, when to try once more, ms (default 15 min). */
  retryMs?: number;
  onError?: (error: unknown, willRetry: boolean) => void;
}

/** Schedules the task; returns the cancel. */
export function scheduleDaily(options: DailyTaskOptions): () => void {
  const { clock } = options;
  const retryMs = options.retryMs ?? 15 * 60_000;
  let timer: TimerHandle | null = null;
  let cancelled = false;
  const arm = (at: number, retry: boolean): void => {
    if (cancelled) return;
    timer = clock.setTimeout(() => void fire(retry), Math.max(0, at - clock.now()));
  };
  const next = (): void => arm(nextDailyAt(clock.now(), options.timeZone, options.time), false);
  const fire = async (isRetry: boolean): Promise<void> => {
    timer = null;
    try {
      await options.run();
    } catch (error) {
      options.onError?.(error, !isRetry);
      if (!isRetry) return arm(clock.now() + retryMs, true);
    }
    next();
  };
  next();
  return () => {
    cancelled = true;
    if (timer !== null) clock.clearTimeout(timer);
    timer = null;
  };
}
