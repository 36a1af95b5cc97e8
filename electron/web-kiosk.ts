// The web host's kiosk (started by web-main.ts): the kiosk's brain with its screen served
// to a browser on 127.0.0.1. Options: see boot.ts (--config, --data, --port, --clock-speed,
// --clock-start, --no-sim-panel and their KIOSK_* environment variables).
import { resolve, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bootKiosk, listenFailure, onStopSignals, startupFailure } from './boot.js';
import { startWebHost } from './host/web-host.js';

async function main(): Promise<void> {
  const booted = await bootKiosk({ argv: process.argv.slice(2), port: true });
  const { kiosk, log } = booted;
  const staticDir = resolve(join(dirname(fileURLToPath(import.meta.url)), '..', 'renderer'));
  // boot.ts found the port free; taken since, the brain stops again and says so in one line.
  const host = await startWebHost({ service: kiosk.service, staticDir, port: booted.port, log: log.child({ part: 'web host' }) }).catch(async (error: unknown) => {
    await booted.close();
    throw listenFailure(booted.port, error);
  });
  process.stdout.write(`Kiosk ready at ${host.url}\n`);

  onStopSignals((signal) => {
    void (async () => {
      log.info({ signal }, 'kiosk stopping');
      await host.close();
      await booted.close();
      process.exit(0);
    })();
  });
}

main().catch((error: unknown) => {
  process.exit(startupFailure(error));
});
