import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts', 'test/integration/**/*.test.ts'],
    environment: 'node',
    testTimeout: 20_000,
    pool: 'forks',
    // One fork per CPU (Vitest's default leaves one CPU out: a single fork on a 2-CPU
    // machine). Many files mostly wait, on pseudo-terminals, child processes and real
    // timeouts: on 2 CPUs the run took 561 s with one fork, 350 s with two.
    maxWorkers: availableParallelism(),
  },
});
