// Lint, and the layering of the architecture (README, Layers) held by a machine:
//   devices/  -> node only: never electron/, renderer/ or the electron module
//   renderer/ -> browser only: no node built-ins, no devices/, nothing of electron/ but the contract
//   electron/contract -> pure: zod and itself only
//   electron/ -> never renderer/; only the entry, the preload and the IPC binding may load 'electron'
import tseslint from 'typescript-eslint';

const electronModule = { name: 'electron', message: "Only electron/main.ts, electron/preload.ts and the IPC binding may import 'electron'." };
const nodeBuiltins = ['node:*', 'fs', 'path', 'os', 'child_process', 'net', 'http', 'crypto', 'stream', 'events', 'url', 'worker_threads'];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'test-results/**', 'playwright-report/**', 'data/**', 'bench/results/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['devices/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [electronModule],
        patterns: [{ group: ['**/electron/**', '**/renderer/**'], message: 'devices/ is the lowest layer: it never imports the brain or the screen.' }],
      }],
    },
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [electronModule],
        patterns: [
          { group: ['**/devices/**'], message: 'The renderer never loads device code.' },
          { group: ['**/electron/**', '!**/electron/contract', '!**/electron/contract/**'], message: 'The renderer may load only the contract from electron/.' },
          { group: nodeBuiltins, message: 'The renderer is browser code: no Node built-ins.' },
        ],
      }],
    },
  },
  {
    files: ['electron/contract/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [electronModule],
        patterns: [
          { group: ['../*', '!./*'], message: 'The contract is pure: it imports only zod and itself.' },
          { group: nodeBuiltins, message: 'The contract is pure: no Node built-ins.' },
        ],
      }],
    },
  },
  {
    files: ['electron/**/*.ts'],
    ignores: ['electron/contract/**', 'electron/main.ts', 'electron/preload.ts', 'electron/ipc-binding.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [electronModule],
        patterns: [{ group: ['**/renderer/**'], message: 'The brain never imports the screen.' }],
      }],
    },
  },
);
