// Shared by the device simulator tests (not a test file itself).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Clock, ManualClock, TimerHandle } from '../../../devices/clock.js';

/** A fresh temporary directory; call the returned cleanup in afterEach. */
export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kiosk-devices-'));
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/**
 * A view of a shared ManualClock that can "die" with the process using it: after
 * kill() none of its timers fire. Lets a test crash a simulator without close() and
 * start a new one on the same time line, as a kiosk restart would.
 */
export function processClock(base: ManualClock): { clock: Clock; kill: () => void } {
  let alive = true;
  const clock: Clock = {
    now: () => base.now(),
    setTimeout: (fn: () => void, ms: number): TimerHandle =>
      base.setTimeout(() => {
        if (alive) fn();
      }, ms),
    clearTimeout: (handle: TimerHandle) => base.clearTimeout(handle),
  };
  return { clock, kill: () => (alive = false) };
}

/** Lets promise callbacks that are already due run (no time passes on any clock). */
export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}
