// The operator's tools run as the operator runs them: a child process of `node --import
// tsx scripts/<tool>.ts` in the package root, with none of the kiosk's environment
// (KIOSK_CONFIG, KIOSK_DATA_DIR, npm's lifecycle) leaking in from the test run.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface ToolRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The test run's environment without the kiosk's own variables. */
export function toolEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const { KIOSK_CONFIG: _config, KIOSK_DATA_DIR: _data, npm_lifecycle_event: _npm, ...rest } = process.env;
  return { ...rest, ...extra };
}

/** Runs `scripts/<script>` with `args`; `input` is its standard input, `env` added to its environment. */
export function runToolScript(script: string, args: string[], options: { input?: string; env?: Record<string, string> } = {}): ToolRun {
  const result = spawnSync(process.execPath, ['--import', 'tsx', `scripts/${script}`, ...args], { cwd: ROOT, env: toolEnv(options.env), encoding: 'utf8', input: options.input ?? '' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}
