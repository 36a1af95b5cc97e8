// The operator's backup of the kiosk's database (electron/store/backup.ts):
//
//   npm run backup -- DIR [--config FILE] [--data DIR]
//
// writes a consistent copy of <data>/kiosk.sqlite into the folder DIR (a USB stick, a
// network share), as kiosk-YYYYMMDD-HHmmss.sqlite in the station's time (--config's
// station.timeZone), never over an existing file, and checks it before it says where it is.
// It only reads the kiosk's file, so it runs while the kiosk does.
// Exit codes: 0 done; 2 a refusal or a failed backup, in one line on stderr; 1 an unexpected error.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { BackupError, backupStore } from '../electron/store/backup.js';
import { Failure, kioskConfigOf, kioskDataDirOf, printable, runTool, toolArguments } from './cli.js';

const USAGE = `usage: backup DIR [--config FILE] [--data DIR]
  writes a consistent copy of the kiosk's database into the folder DIR (it must exist), as
  kiosk-YYYYMMDD-HHmmss.sqlite in the station's time, never over an existing file, and
  checks the copy (integrity, schema version) before it says where it is
options:
  --config FILE   the kiosk configuration (KIOSK_CONFIG; default ./kiosk.yaml): the station's time zone
  --data DIR      the kiosk's data folder (KIOSK_DATA_DIR; default ./data), with kiosk.sqlite
It works while the kiosk runs (it only reads). To restore, stop the kiosk and put the copy
in place of <data>/kiosk.sqlite (removing kiosk.sqlite-wal and kiosk.sqlite-shm beside it).
exit codes: 0 done, 2 a refusal or a failed backup (one line on stderr), 1 an unexpected error`;

const OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  config: { type: 'string' },
  data: { type: 'string' },
} as const;

function main(args: string[]): number {
  const parsed = toolArguments('backup', args, OPTIONS, USAGE);
  if (!parsed) return 0;
  const { values, positionals } = parsed;
  const [target, ...rest] = positionals;
  if (target === undefined || target === '') {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  if (rest.length > 0) throw new Failure(`unexpected argument ${JSON.stringify(printable(rest[0]!))} (one folder; backup --help)`);
  const config = kioskConfigOf(values.config);
  const dataDir = kioskDataDirOf(values.data);
  const storeFile = path.join(dataDir, 'kiosk.sqlite');
  if (!existsSync(storeFile)) throw new Failure(`the data folder ${printable(dataDir)} has no kiosk database (kiosk.sqlite)`);
  const { file, bytes } = backupStore(storeFile, path.resolve(target), new Date(), config.station.timeZone);
  process.stdout.write(`backup written to ${printable(file)} (${bytes} bytes, integrity checked)\n`);
  return 0;
}

await runTool('backup', () => main(process.argv.slice(2)), { isRefusal: (error) => error instanceof BackupError });
