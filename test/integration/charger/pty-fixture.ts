// For a describe block of tests on pseudo-terminals (not a test file itself): each test
// gets a fresh temporary folder and socat pair; what it registers in `cleanups` runs
// after it, last first, then the pair is killed and the folder removed. Kept apart
// from pty-helpers.ts, which scripts use outside Vitest.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import { startPtyPair } from './pty-helpers.js';
import type { PtyPair } from './pty-helpers.js';

export interface PtyTest {
  dir: string;
  /** Null once a test killed it (a pulled cable); a test may put a new one here. */
  pair: PtyPair | null;
  cleanups: (() => Promise<void>)[];
}

export function ptyPerTest(prefix: string, links: [string, string] = ['a', 'b']): PtyTest {
  const pty: PtyTest = { dir: '', pair: null, cleanups: [] };
  beforeEach(async () => {
    pty.dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    pty.pair = await startPtyPair(path.join(pty.dir, links[0]), path.join(pty.dir, links[1]));
  });
  afterEach(async () => {
    for (const cleanup of pty.cleanups.splice(0).reverse()) await cleanup().catch(() => {});
    await pty.pair?.kill();
    pty.pair = null;
    fs.rmSync(pty.dir, { recursive: true, force: true });
  });
  return pty;
}
