// Lint, and the layering of the architecture (README, Layers) held by a machine:
//   devices/  -> node only: never electron/, renderer/ or the electron module
//   renderer/ -> browser only: no node built-ins, no devices/, nothing of electron/ but the contract
//   electron/contract -> pure: zod and itself only
//   electron/ -> never renderer/; only electron/shell/ (the entry, window, preload, IPC binding) may load 'electron'
//   electron/billing, electron/store, electron/payments -> never the station, the host or the shell
import tseslint from 'typescript-eslint';

const electronModule = { name: 'electron', message: "Only electron/shell/ (the Electron entry, window, preload and IPC binding) may import 'electron'." };
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
    ignores: ['electron/contract/**', 'electron/shell/**', 'electron/billing/**', 'electron/store/**', 'electron/payments/**'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [electronModule],
        patterns: [{ group: ['**/renderer/**'], message: 'The brain never imports the screen.' }],
      }],
    },
  },
  {
    // The brain's lower folders: money, storage and payments know nothing of who drives them.
    files: ['electron/billing/**/*.ts', 'electron/store/**/*.ts', 'electron/payments/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [electronModule],
        patterns: [
          { group: ['**/renderer/**'], message: 'The brain never imports the screen.' },
          { group: ['**/station/**', '**/host/**', '**/shell/**', '**/kiosk.js', '**/boot.js'], message: 'billing, store and payments sit below the station, the host and the shell: they never import them.' },
        ],
      }],
    },
  },
);
