// Only one kiosk process may own a data folder: two brains on one database would
// both drive the same chargers and take money twice.
import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export class DataFolderLockedError extends Error {
  override name = 'DataFolderLockedError';
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the folder's lock or throws; a lock left by a process that no longer runs is taken over. */
export function lockDataFolder(dataDir: string): () => void {
  const file = join(dataDir, 'kiosk.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => {
        try {
          if (readFileSync(file, 'utf8').trim() === String(process.pid)) unlinkSync(file);
        } catch {
          // already gone
        }
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const pid = Number.parseInt(readFileSync(file, 'utf8').trim(), 10);
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) {
        throw new DataFolderLockedError(`another kiosk (pid ${pid}) is running on the data folder ${dataDir}`);
      }
      unlinkSync(file); // stale: its process is gone
    }
  }
  throw new DataFolderLockedError(`could not lock the data folder ${dataDir}`);
}
