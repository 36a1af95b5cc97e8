// One injectable clock for the brain and the simulators, so tests and benchmarks
// can run sessions at accelerated or manual time. Its shape matches XState's
// `clock` option, so session machines run on it too.

export type TimerHandle = { readonly __timer: unique symbol } | number | object;

export interface Clock {
  /** Milliseconds since the epoch, on this clock. */
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/**
 * Real time run `speed` times faster: a delay of 60 s fires after 60/speed s, and
 * now() advances `speed` ms per real ms from the moment the clock was made, starting
 * at `start` when given (a simulated station shown at 21:58).
 */
export function scaledClock(speed: number, base: Clock = systemClock, start?: number): Clock {
  if (!(speed > 0)) throw new TypeError(`clock speed must be > 0, got ${speed}`);
  const origin = base.now();
  const from = start ?? origin;
  return {
    now: () => from + (base.now() - origin) * speed,
    setTimeout: (fn, ms) => base.setTimeout(fn, ms / speed),
    clearTimeout: (handle) => base.clearTimeout(handle),
  };
}

/** A clock that moves only when told to: for unit tests. */
export class ManualClock implements Clock {
  private time: number;
  private nextId = 1;
  private readonly timers = new Map<number, { at: number; fn: () => void }>();

  constructor(start = Date.UTC(2026, 0, 1)) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const id = this.nextId++;
    this.timers.set(id, { at: this.time + Math.max(0, ms), fn });
    return id;
  }

  clearTimeout(handle: TimerHandle): void {
    this.timers.delete(handle as number);
  }

  /** Moves time forward, firing every timer that falls due, in order. */
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      let next: [number, { at: number; fn: () => void }] | undefined;
      for (const entry of this.timers) if (entry[1].at <= end && (!next || entry[1].at < next[1].at)) next = entry;
      if (!next) break;
      this.timers.delete(next[0]);
      this.time = next[1].at;
      next[1].fn();
    }
    this.time = end;
  }

  pendingTimers(): number {
    return this.timers.size;
  }
}

/** Resolves after `ms` on `clock`, or as soon as `signal` aborts. */
export function delay(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = clock.setTimeout(done, ms);
    function done() {
      clock.clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
