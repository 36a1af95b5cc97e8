// End-to-end tests: the web host in sim mode, driven in Debian's Chromium as a
// driver would use it. Each test starts its own kiosk process on a fresh data
// folder (test/e2e/kiosk-process.ts), so tests can stop and restart it. Files run in
// parallel, one worker per CPU up to four (most tests wait on kiosk timers, not on the
// CPU; on 2 CPUs, 2 workers take 6.5 min where one took 11.2); tests of a file run in
// order. `--workers N` sets another count.
import { availableParallelism } from 'node:os';
import { defineConfig } from '@playwright/test';

const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export default defineConfig({
  testDir: 'test/e2e',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: Math.min(4, availableParallelism()),
  retries: 0,
  reporter: [['list']],
  use: {
    viewport: { width: 1280, height: 800 },
    hasTouch: false,
    launchOptions: {
      executablePath,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    },
    trace: 'off',
  },
});
