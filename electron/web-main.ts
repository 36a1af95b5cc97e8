// `npm run start:web`: the kiosk's brain with its screen served to a browser on
// 127.0.0.1. Options (flags win over environment variables):
//   --config <file>   KIOSK_CONFIG    configuration file (default ./kiosk.yaml; missing = embedded defaults)
//   --data <dir>      KIOSK_DATA_DIR  data folder: database, logs, simulated devices' state (default ./data)
//   --port <n>        KIOSK_PORT      port on 127.0.0.1 (default from the configuration, 8080; 0 = any free)
//   --clock-speed <x> KIOSK_CLOCK_SPEED  run time x times faster (demos, benchmarks)
import { resolve, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { scaledClock, systemClock } from '../devices/clock.js';
import { ConfigError, loadConfig } from './config/load-config.js';
import { lockDataFolder, DataFolderLockedError } from './host/data-lock.js';
import { startWebHost } from './host/web-host.js';
import { createKiosk } from './kiosk.js';
import { createLogger } from './log.js';
import { mkdirSync } from 'node:fs';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      config: { type: 'string' },
      data: { type: 'string' },
      port: { type: 'string' },
      'clock-speed': { type: 'string' },
    },
  });
  const configArg = values.config ?? process.env.KIOSK_CONFIG;
  const { config, source } = loadConfig(resolve(configArg ?? 'kiosk.yaml'), configArg !== undefined);
  const dataDir = resolve(values.data ?? process.env.KIOSK_DATA_DIR ?? 'data');
  const portText = values.port ?? process.env.KIOSK_PORT;
  const port = portText === undefined ? config.web.port : Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`--port must be 0..65535, got ${portText}`);
  const speed = Number(values['clock-speed'] ?? process.env.KIOSK_CLOCK_SPEED ?? 1);
  const clock = speed === 1 ? systemClock : scaledClock(speed);

  mkdirSync(dataDir, { recursive: true });
  const unlock = lockDataFolder(dataDir);
  const { log, close: closeLog } = createLogger(dataDir, config.log);
  log.info({ config: source ?? 'embedded defaults', dataDir, clockSpeed: speed }, 'kiosk starting');

  const kiosk = await createKiosk({ config, dataDir, clock, log });
  const staticDir = resolve(join(dirname(fileURLToPath(import.meta.url)), '..', 'renderer'));
  const host = await startWebHost({ service: kiosk.station, staticDir, port, log });
  process.stdout.write(`Kiosk ready at ${host.url}\n`);

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'kiosk stopping');
    await host.close();
    await kiosk.close();
    unlock();
    await closeLog();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof DataFolderLockedError) {
    process.stderr.write(`kiosk: ${error.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`kiosk: failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
