// Start-up shared by the two entries (the web host, `web-main.ts`, and the Electron
// shell, `main.ts`): options, configuration, data folder and its lock, the logger and
// the composition root. Plain Node: no Electron here, so it is tested and reused as is.
//
// Options (a flag wins over its environment variable):
//   --config <file>     KIOSK_CONFIG       configuration file (default ./kiosk.yaml; missing = embedded defaults)
//   --data <dir>        KIOSK_DATA_DIR     data folder: database, logs, simulated devices' state (default ./data)
//   --port <n>          KIOSK_PORT         web host only: port on 127.0.0.1 (default from the configuration; 0 = any free)
//   --clock-speed <x>   KIOSK_CLOCK_SPEED  run time x times faster (demos, benchmarks)
//   --clock-start <t>   KIOSK_CLOCK_START  simulated stations only: the clock starts at ISO-8601 time t
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { Logger } from 'pino';
import { scaledClock, systemClock, type Clock } from '../devices/clock.js';
import type { KioskConfig } from './config/config-schema.js';
import { ConfigError, loadConfig } from './config/load-config.js';
import { DataFolderLockedError, lockDataFolder } from './host/data-lock.js';
import { createKiosk, type Kiosk } from './kiosk.js';
import { createLogger } from './log.js';

export interface BootOptions {
  /** The command-line arguments, without the executable and script. */
  argv: string[];
  env?: NodeJS.ProcessEnv;
  /**
   * Unknown flags stop start-up (the web host). The Electron shell passes `false`:
   * Chromium's own switches (`--no-sandbox`, `--remote-debugging-port=…`) and the
   * application path arrive in the same argument list.
   */
  strict?: boolean;
  /** Resolve and check `--port` (the web host); other entries ignore it. */
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
  log: Logger;
  kiosk: Kiosk;
  /** Stops the kiosk, releases the data folder and flushes the log. */
  close(): Promise<void>;
}

/** Reads the options, takes the data folder and starts the brain. Throws ConfigError, DataFolderLockedError or anything else. */
export async function bootKiosk(options: BootOptions): Promise<Booted> {
  const env = options.env ?? process.env;
  const { values } = parseArgs({
    args: options.argv,
    strict: options.strict ?? true,
    allowPositionals: options.strict === false,
    options: {
      config: { type: 'string' },
      data: { type: 'string' },
      port: { type: 'string' },
      'clock-speed': { type: 'string' },
      'clock-start': { type: 'string' },
    },
  });
  const text = (name: 'config' | 'data' | 'port' | 'clock-speed' | 'clock-start'): string | undefined => {
    const value = values[name];
    return typeof value === 'string' ? value : undefined; // non-strict parsing yields `true` for a bare flag
  };

  const configArg = text('config') ?? env.KIOSK_CONFIG;
  const { config, source } = loadConfig(resolve(configArg ?? options.defaults?.config ?? 'kiosk.yaml'), configArg !== undefined);
  const dataDir = resolve(text('data') ?? env.KIOSK_DATA_DIR ?? options.defaults?.dataDir ?? 'data');
  let port = 0;
  if (options.port) {
    const portText = text('port') ?? env.KIOSK_PORT;
    port = portText === undefined ? config.web.port : Number(portText);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`--port must be 0..65535, got ${portText}`);
  }
  const speed = Number(text('clock-speed') ?? env.KIOSK_CLOCK_SPEED ?? 1);
  const start = clockStart(text('clock-start') ?? env.KIOSK_CLOCK_START, config);
  const clock = speed === 1 && start === undefined ? systemClock : scaledClock(speed, systemClock, start);

  mkdirSync(dataDir, { recursive: true });
  const unlock = lockDataFolder(dataDir);
  let closeLog: (() => Promise<void>) | null = null;
  try {
    const logger = createLogger(dataDir, config.log);
    closeLog = logger.close;
    const log = logger.log;
    log.info({ config: source ?? 'embedded defaults', dataDir, clockSpeed: speed, ...(start === undefined ? {} : { clockStart: new Date(start).toISOString() }) }, 'kiosk starting');
    const kiosk = await createKiosk({ config, dataDir, clock, log, recentProblems: logger.recent });
    return {
      config,
      configSource: source,
      dataDir,
      port,
      clockSpeed: speed,
      clock,
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
 * `--clock-start ISO-8601`: the kiosk's clock starts at that moment, so a demo or a
 * test can cross 22:00. Only for a station whose devices are all simulated: real
 * card terminals and controllers keep real time, and so must their records.
 */
function clockStart(text: string | undefined, config: KioskConfig): number | undefined {
  if (text === undefined) return undefined;
  const at = Date.parse(text);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(text) || Number.isNaN(at)) throw new ConfigError(`--clock-start must be an ISO-8601 date and time such as 2026-12-02T21:58:00+01:00, got ${JSON.stringify(text)}`);
  const real = config.connectors.find((c) => c.charger.kind !== 'simulated');
  if (real) throw new ConfigError(`--clock-start is for simulated stations only: connector ${real.id} has a real controller (${real.charger.kind})`);
  return at;
}

/**
 * Writes why start-up failed to standard error and returns the exit status: 2 for
 * what the operator must fix (configuration, a data folder in use), 1 otherwise.
 */
export function startupFailure(error: unknown, stderr: Pick<NodeJS.WritableStream, 'write'> = process.stderr): number {
  if (error instanceof ConfigError || error instanceof DataFolderLockedError) {
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
