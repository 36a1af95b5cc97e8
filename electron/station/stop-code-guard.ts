// The stop keypad at the shared screen: a 4-digit code must not be guessable, so wrong
// codes in a row lock the keypad of that connector for a while.

/** Wrong stop codes in a row before the keypad is locked, and for how long. */
export const STOP_CODE_ATTEMPTS = 5;
export const STOP_CODE_LOCK_MS = 60_000;

export type StopCodeVerdict = 'ok' | 'wrong' | 'locked';

export class StopCodeGuard {
  private wrong = 0;
  private lockedUntil = 0;

  /** Checks a code typed at `at` against the session's; counts and locks on wrong ones. */
  check(expected: string, typed: string, at: number): StopCodeVerdict {
    if (at < this.lockedUntil) return 'locked';
    if (expected === typed) {
      this.wrong = 0;
      return 'ok';
    }
    this.wrong++;
    if (this.wrong >= STOP_CODE_ATTEMPTS) {
      this.wrong = 0;
      this.lockedUntil = at + STOP_CODE_LOCK_MS;
      return 'locked';
    }
    return 'wrong';
  }

  /** Wrong codes that may still be typed before the keypad locks. */
  attemptsLeft(): number {
    return STOP_CODE_ATTEMPTS - this.wrong;
  }
}
