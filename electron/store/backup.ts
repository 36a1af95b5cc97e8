// A consistent copy of the kiosk's database while the kiosk runs on it (`npm run backup`).
//
// SQLite's VACUUM INTO writes the database as one read transaction sees it into a new
// file: a snapshot of one instant, whatever the kiosk commits meanwhile (WAL lets a
// reader and the writer work at once, and the reader holds up neither). It runs on a
// read-only connection, so the backup can never change the kiosk's file. The copy is a
// single self-contained file (rollback journal, no -wal beside it), compacted.
//
// Never over anything: the name is taken first with an exclusive create (a second backup
// in the same second gets "-2"), the copy is written beside it under a temporary name,
// synced, opened and checked (PRAGMA integrity_check, the same schema version as the
// kiosk's file), and only then renamed onto the name it took. A file with a backup's name
// is a checked, complete copy; a failed backup leaves nothing behind.
import { closeSync, fsyncSync, openSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { DatabaseSync, type DatabaseSyncInstance } from '@photostructure/sqlite';
import { zoneOf } from '../billing/local-time.js';

/** A backup that could not be made or did not check out; its message says which and why. */
export class BackupError extends Error {}

/** How many backups one second may have before the names run out ("-2" … "-99"). */
const MAX_SAME_SECOND = 99;

/**
 * Copies the database `storeFile` into `dir` as kiosk-YYYYMMDD-HHmmss.sqlite, named by
 * `now` on the station's wall clock (`timeZone`, `station.timeZone`), and checks the copy.
 * Returns its path and size. Throws a BackupError when it cannot.
 */
export function backupStore(storeFile: string, dir: string, now: Date, timeZone = 'UTC'): { file: string; bytes: number } {
  let directory: ReturnType<typeof statSync>;
  try {
    directory = statSync(dir);
  } catch {
    throw new BackupError(`the folder ${dir} does not exist`);
  }
  if (!directory.isDirectory()) throw new BackupError(`${dir} is not a folder`);

  let source: DatabaseSyncInstance;
  try {
    statSync(storeFile);
    source = new DatabaseSync(storeFile, { readOnly: true });
  } catch (error) {
    throw new BackupError(`the database ${storeFile} cannot be opened: ${message(error)}`);
  }
  let file: string | null = null;
  let temporary: string | null = null;
  try {
    source.exec('PRAGMA busy_timeout = 5000');
    const version = userVersion(source);
    file = reserveName(dir, stationStamp(now, timeZone));
    temporary = path.join(dir, `.${path.basename(file)}.${process.pid}.tmp`);
    try {
      source.prepare('VACUUM INTO ?').run(temporary);
    } catch (error) {
      throw new BackupError(`cannot write the copy into ${dir}: ${message(error)}`);
    }
    syncFile(temporary);
    check(temporary, version);
    renameSync(temporary, file);
    temporary = null;
    syncFolder(dir);
    return { file, bytes: statSync(file).size };
  } catch (error) {
    if (temporary !== null) rmSync(temporary, { force: true });
    if (file !== null) rmSync(file, { force: true }); // the empty file that held the name
    throw error instanceof BackupError ? error : new BackupError(`the backup into ${dir} failed: ${message(error)}`);
  } finally {
    source.close();
  }
}

/** The instant on the station's wall clock as YYYYMMDD-HHmmss. */
export function stationStamp(now: Date, timeZone: string): string {
  const t = now.getTime();
  if (!Number.isFinite(t)) throw new BackupError('the time of the backup is not a valid date');
  const wall = new Date(t + zoneOf(timeZone).offsetMs(t)).toISOString(); // 2026-03-29T12:15:30.000Z
  return `${wall.slice(0, 4)}${wall.slice(5, 7)}${wall.slice(8, 10)}-${wall.slice(11, 13)}${wall.slice(14, 16)}${wall.slice(17, 19)}`;
}

/** Takes the first free name for the stamp with an exclusive create: no other backup, or file, can have it. */
function reserveName(dir: string, stamp: string): string {
  for (let n = 1; n <= MAX_SAME_SECOND; n++) {
    const file = path.join(dir, `kiosk-${stamp}${n === 1 ? '' : `-${n}`}.sqlite`);
    try {
      closeSync(openSync(file, 'wx'));
      return file;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') continue;
      throw new BackupError(`cannot write into ${dir}: ${message(error)}`);
    }
  }
  throw new BackupError(`${dir} has ${MAX_SAME_SECOND} backups of ${stamp} already`);
}

/** The copy opened on its own: every page sound, the schema the kiosk's file has. */
function check(file: string, version: number): void {
  let copy: DatabaseSyncInstance;
  try {
    copy = new DatabaseSync(file, { readOnly: true });
  } catch (error) {
    throw new BackupError(`the copy cannot be opened: ${message(error)}`);
  }
  try {
    const results = copy.prepare('PRAGMA integrity_check').all().map((row) => String(Object.values(row as Record<string, unknown>)[0]));
    if (results.length !== 1 || results[0] !== 'ok') throw new BackupError(`the copy fails its integrity check: ${results.slice(0, 3).join('; ')}`);
    const copied = userVersion(copy);
    if (copied !== version) throw new BackupError(`the copy has schema version ${copied}, the database ${version}`);
  } finally {
    copy.close();
  }
}

function userVersion(db: DatabaseSyncInstance): number {
  return Number((db.prepare('PRAGMA user_version').get() as Record<string, unknown>).user_version);
}

function syncFile(file: string): void {
  const fd = openSync(file, 'r+');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** The rename on disk too; a file system that cannot sync a folder (FAT on a USB stick, Windows) is left to its own. */
function syncFolder(dir: string): void {
  let fd: number | null = null;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // best effort: the copy itself is synced
  } finally {
    if (fd !== null) closeSync(fd);
  }
}

function message(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0]!.trim();
}
