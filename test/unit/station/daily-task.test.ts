import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../devices/clock.js';
import { nextDailyAt, scheduleDaily } from '../../../electron/station/daily-task.js';

const berlin = 'Europe/Berlin';
const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('daily task at a station time', () => {
  it('finds the next 03:00 in Berlin, today or tomorrow, across clock changes', () => {
    // 2026-01-10 12:00 UTC = 13:00 CET: next 03:00 CET is 2026-01-11 02:00 UTC.
    expect(new Date(nextDailyAt(Date.UTC(2026, 0, 10, 12), berlin, '03:00')).toISOString()).toBe('2026-01-11T02:00:00.000Z');
    // 00:30 CET: 03:00 the same night.
    expect(new Date(nextDailyAt(Date.UTC(2026, 0, 9, 23, 30), berlin, '03:00')).toISOString()).toBe('2026-01-10T02:00:00.000Z');
    // Summer: 03:00 CEST = 01:00 UTC.
    expect(new Date(nextDailyAt(Date.UTC(2026, 6, 1, 12), berlin, '03:00')).toISOString()).toBe('2026-07-02T01:00:00.000Z');
    // The spring change (2026-03-29 02:00 → 03:00 CEST): 02:30 does not exist; it runs at 03:00 CEST = 01:00 UTC.
    expect(new Date(nextDailyAt(Date.UTC(2026, 2, 28, 12), berlin, '02:30')).toISOString()).toBe('2026-03-29T01:00:00.000Z');
    // The autumn change (2026-10-25): 03:00 CET = 02:00 UTC.
    expect(new Date(nextDailyAt(Date.UTC(2026, 9, 24, 12), berlin, '03:00')).toISOString()).toBe('2026-10-25T02:00:00.000Z');
  });

  it('runs every day, and once more after a failure', async () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 10, 12));
    const runs: string[] = [];
    let fail = true;
    const errors: boolean[] = [];
    const cancel = scheduleDaily({
      clock,
      timeZone: berlin,
      time: '03:00',
      retryMs: 60_000,
      run: async () => {
        runs.push(new Date(clock.now()).toISOString());
        if (fail) {
          fail = false;
          throw new Error('terminal busy');
        }
      },
      onError: (_e, willRetry) => errors.push(willRetry),
    });
    for (let h = 0; h < 40; h++) {
      clock.advance(3_600_000);
      await flush();
    }
    expect(runs).toEqual(['2026-01-11T02:00:00.000Z', '2026-01-11T02:01:00.000Z', '2026-01-12T02:00:00.000Z']);
    expect(errors).toEqual([true]);
    cancel();
    clock.advance(2 * 86_400_000);
    expect(runs).toHaveLength(3);
  });
});
