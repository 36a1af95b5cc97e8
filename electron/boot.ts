// Start-up shared by the two entries (the web host, `web-main.ts`, and the Electron
// shell, `main.ts`): options, configuration, data folder and its lock, the logger and
// the composition root. Plain Node: no Electron here, so it is tested and reused as is.
//
// Options (a flag wins over its environment variable):
//   --config <file>     KIOSK_CONFIG         configuration file (default ./kiosk.yaml; missing = embedded defaults)
//   --data <dir>        KIOSK_DATA_DIR       data folder: database, logs, simulated devices' state (default ./data)
//   --port <n>          KIOSK_PORT           web host only: port on 127.0.0.1 (default from the configuration; 0 = any free)
//   --clock-speed <x>   KIOSK_CLOCK_SPEED    run time x times faster (demos, benchmarks)
//   --clock-start <t>   KIOSK_CLOCK_START    simulated stations only: the clock starts at ISO-8601 time t
//   --no-sim-panel      KIOSK_NO_SIM_PANEL=1 no simulator panel on the screen (demos); the simulated devices stay
//
// Whatever stops start-up that the operator can fix (an unknown flag, a bad value, a port
// or data folder in use) is said in one line on standard error, with status 2.
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { Logger } from 'pino';
import { scaledClock, systemClock, type Clock } from '../devices/clock.js';
import type { KioskConfig } from './config/config-schema.js';
import { ConfigError, loadConfig } from './config/load-config.js';
import { DataFolderLockedError, lockDataFolder } from './host/data-lock.js';
import { createKiosk, type Kiosk } from './kiosk.js';
import { createLogger } from './log.js';

/** A command line, environment or machine the kiosk cannot start on, said in one line: the operator fixes it (status 2). */
export class StartupError extends Error {
  override name = 'StartupError';
}

/** The options both entries read, each with its environment variable. */
const OPTIONS = {
  config: { type: 'string', env: 'KIOSK_CONFIG', value: 'FILE' },
  data: { type: 'string', env: 'KIOSK_DATA_DIR', value: 'DIR' },
  port: { type: 'string', env: 'KIOSK_PORT', value: 'N' },
  'clock-speed': { type: 'string', env: 'KIOSK_CLOCK_SPEED', value: 'X' },
  'clock-start': { type: 'string', env: 'KIOSK_CLOCK_START', value: 'T' },
  'no-sim-panel': { type: 'boolean', env: 'KIOSK_NO_SIM_PANEL', value: null },
} as const;
type OptionName = keyof typeof OPTIONS;
type TextOption = { [K in OptionName]: (typeof OPTIONS)[K]['type'] extends 'string' ? K : never }[OptionName];

/** `--config FILE, --data DIR, …`: what an unknown option's message lists. */
const OPTION_LIST = Object.entries(OPTIONS)
  .map(([name, option]) => (option.value === null ? `--${name}` : `--${name} ${option.value}`))
  .join(', ');

export interface BootOptions {
  /** The command-line arguments, without the executable and script. */
  argv: string[];
  env?: NodeJS.ProcessEnv;
  /**
   * Unknown flags stop start-up (the web host). The Electron shell passes `false`:
   * Chromium's own switches (`--no-sandbox`, `--remote-debugging-port=…`) and the
   * application path arrive in the same argument list. The kiosk's own flags are
   * checked either way.
   */
  strict?: boolean;
  /** Resolve and check `--port` (the web host), and that the port is free; other entries ignore it. */
  port?: boolean;
  /** Defaults when neither flag nor environment names a file or folder (relative to the working directory). */
  defaults?: { config?: string; dataDir?: string };
}

export interface Booted {
  config: KioskConfig;
  /** The configuration file read, or null for the embedded defaults. */
  configSource: string | null;
  dataDir: string;
  /** The port asked for (only when `port` was requested; 0 = any free). */
  port: number;
  clockSpeed: number;
  clock: Clock;
  /** False under `--no-sim-panel`: the snapshots carry no simulator panel. */
  simPanel: boolean;
  log: Logger;
  kiosk: Kiosk;
  /** Stops the kiosk, releases the data folder and flushes the log. */
  close(): Promise<void>;
}

/** One option's value and where it came from (`--port` or `KIOSK_PORT`), for the messages. */
interface Setting {
  text: string;
  from: string;
}

/** Reads the options, takes the data folder and starts the brain. Throws StartupError, ConfigError, DataFolderLockedError or anything else. */
export async function bootKiosk(options: BootOptions): Promise<Booted> {
  const env = options.env ?? process.env;
  const flags = readFlags(options.argv, options.strict ?? true);
  // A flag wins over its variable; an empty variable counts as unset.
  const setting = (name: TextOption): Setting | undefined => {
    const flag = flags.get(name);
    if (typeof flag === 'string') return { text: flag, from: `--${name}` };
    const variable = OPTIONS[name].env;
    const text = env[variable];
    return text === undefined || text === '' ? undefined : { text, from: variable };
  };

  const configArg = setting('config')?.text;
  const { config, source } = loadConfig(resolve(configArg ?? options.defaults?.config ?? 'kiosk.yaml'), configArg !== undefined);
  const dataDir = resolve(setting('data')?.text ?? options.defaults?.dataDir ?? 'data');
  const port = options.port ? portOf(setting('port'), config) : 0;
  const speed = clockSpeed(setting('clock-speed'));
  const start = clockStart(setting('clock-start'), config);
  const simPanel = !(flags.has('no-sim-panel') || switchOn(env, OPTIONS['no-sim-panel'].env));
  const clock = speed === 1 && start === undefined ? systemClock : scaledClock(speed, systemClock, start);

  const unlock = takeDataFolder(dataDir);
  let closeLog: (() => Promise<void>) | null = null;
  try {
    // Before the brain starts: a kiosk that cannot serve its screen touches no device.
    if (options.port) await checkPortFree(port);
    const logger = createLogger(dataDir, config.log);
    closeLog = logger.close;
    const log = logger.log;
    log.info({ config: source ?? 'embedded defaults', dataDir, clockSpeed: speed, ...(start === undefined ? {} : { clockStart: new Date(start).toISOString() }), ...(simPanel ? {} : { simPanel }) }, 'kiosk starting');
    const kiosk = await createKiosk({ config, dataDir, clock, log, recentProblems: logger.recent, simPanel });
    return {
      config,
      configSource: source,
      dataDir,
      port,
      clockSpeed: speed,
      clock,
      simPanel,
      log,
      kiosk,
      close: async () => {
        await kiosk.close();
        unlock();
        await logger.close();
      },
    };
  } catch (error) {
    unlock();
    await closeLog?.();
    throw error;
  }
}

/**
 * The kiosk's own flags from the argument list. Strict (the web host): anything else is
 * refused. Lenient (the Electron shell): other switches and arguments are Chromium's or
 * Electron's and are passed over. Either way a kiosk flag must be well formed: a value for
 * those that take one, none for a switch.
 */
function readFlags(argv: string[], strict: boolean): Map<OptionName, string | true> {
  const { tokens } = parseArgs({ args: argv, options: OPTIONS, strict: false, allowPositionals: true, tokens: true });
  const flags = new Map<OptionName, string | true>();
  for (const token of tokens) {
    if (token.kind === 'positional') {
      if (strict) throw new StartupError(`unexpected argument ${JSON.stringify(token.value)}: the options are ${OPTION_LIST}`);
      continue;
    }
    if (token.kind !== 'option') continue; // `--`
    const name = token.name as OptionName;
    if (!Object.hasOwn(OPTIONS, name)) {
      if (strict) throw new StartupError(`unknown option ${token.rawName}: the options are ${OPTION_LIST}`);
      continue;
    }
    const option = OPTIONS[name];
    if (option.value === null) {
      if (token.value !== undefined) throw new StartupError(`${token.rawName} takes no value, got ${JSON.stringify(token.value)}`);
      flags.set(name, true);
      continue;
    }
    // `--port --data x`: the next argument is another option, not the port.
    const missing = token.value === undefined || token.value === '' || (!token.inlineValue && token.value.startsWith('--'));
    if (missing) throw new StartupError(`${token.rawName} needs a value: ${token.rawName} ${option.value}`);
    flags.set(name, token.value);
  }
  return flags;
}

/** A switch in the environment: `1` on, `0` (or unset) off; anything else is refused rather than guessed. */
function switchOn(env: NodeJS.ProcessEnv, variable: string): boolean {
  const text = env[variable];
  if (text === undefined || text === '' || text === '0') return false;
  if (text === '1') return true;
  throw new StartupError(`${variable} must be 1 or 0, got ${JSON.stringify(text)}`);
}

function portOf(setting: Setting | undefined, config: KioskConfig): number {
  if (setting === undefined) return config.web.port;
  const port = /^\d{1,5}$/.test(setting.text) ? Number(setting.text) : Number.NaN;
  if (!(port >= 0 && port <= 65535)) throw new StartupError(`${setting.from} must be 0..65535, got ${setting.text}`);
  return port;
}

/** `--clock-speed X`: a plain decimal number above 0 (`10`, `0.5`). */
function clockSpeed(setting: Setting | undefined): number {
  if (setting === undefined) return 1;
  const speed = /^(\d+(\.\d*)?|\.\d+)$/.test(setting.text) ? Number(setting.text) : Number.NaN;
  if (!(speed > 0) || !Number.isFinite(speed)) throw new StartupError(`${setting.from} must be a number above 0, such as 10 or 0.5, got ${JSON.stringify(setting.text)}`);
  return speed;
}

/** Makes and locks the data folder; a folder that cannot be made or written is said in one line. */
function takeDataFolder(dataDir: string): () => void {
  try {
    mkdirSync(dataDir, { recursive: true });
    return lockDataFolder(dataDir);
  } catch (error) {
    if (error instanceof DataFolderLockedError) throw error;
    throw new StartupError(`the data folder ${dataDir} cannot be used: ${errorText(error)}`);
  }
}

/** The web host's port must be free before the brain starts (0 = any free port, always is). */
async function checkPortFree(port: number): Promise<void> {
  if (port === 0) return;
  const probe = createServer();
  await new Promise<void>((done, fail) => {
    probe.once('error', (error) => fail(listenFailure(port, error)));
    probe.listen(port, '127.0.0.1', () => probe.close(() => done()));
  });
}

/** What a port the web host cannot listen on means to the operator; other errors as they are. */
export function listenFailure(port: number, error: unknown): unknown {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (code === 'EADDRINUSE') return new StartupError(`port ${port} on 127.0.0.1 is already in use (another kiosk or program listens there): stop it, or choose another port with --port or KIOSK_PORT`);
  if (code === 'EACCES') return new StartupError(`port ${port} on 127.0.0.1 is not allowed to this user (ports below 1024 need privileges): choose another with --port or KIOSK_PORT`);
  return error;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * `--clock-start ISO-8601`: the kiosk's clock starts at that moment, so a demo or a
 * test can cross 22:00. Only for a station whose devices are all simulated: real
 * card terminals and controllers keep real time, and so must their records.
 */
function clockStart(setting: Setting | undefined, config: KioskConfig): number | undefined {
  if (setting === undefined) return undefined;
  const { text, from } = setting;
  const at = Date.parse(text);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(text) || Number.isNaN(at)) throw new StartupError(`${from} must be an ISO-8601 date and time such as 2026-12-02T21:58:00+01:00, got ${JSON.stringify(text)}`);
  const real = config.connectors.find((c) => c.charger.kind !== 'simulated');
  if (real) throw new ConfigError(`--clock-start is for simulated stations only: connector ${real.id} has a real controller (${real.charger.kind})`);
  return at;
}

/**
 * Writes why start-up failed to standard error and returns the exit status: 2 and one
 * line for what the operator must fix (the command line, the environment, the
 * configuration, a port or data folder in use), 1 and the stack otherwise.
 */
export function startupFailure(error: unknown, stderr: Pick<NodeJS.WritableStream, 'write'> = process.stderr): number {
  if (error instanceof StartupError || error instanceof ConfigError || error instanceof DataFolderLockedError) {
    stderr.write(`kiosk: ${error.message}\n`);
    return 2;
  }
  stderr.write(`kiosk: failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  return 1;
}

/** Calls `stop` once on the first SIGINT or SIGTERM. */
export function onStopSignals(stop: (signal: 'SIGINT' | 'SIGTERM') => void): void {
  let stopping = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      stop(signal);
    });
  }
}
