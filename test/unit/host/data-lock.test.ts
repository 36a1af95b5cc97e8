// One kiosk per data folder: a live owner refuses a second one, a dead owner's lock
// is taken over, and releasing only ever removes our own lock.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DataFolderLockedError, lockDataFolder } from '../../../electron/host/data-lock.js';

const children: ChildProcess[] = [];
let dir: string;
let lockFile: string;

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** A process that stays alive (up to 5 s) until the test kills it. */
async function liveProcess(): Promise<number> {
  const child = spawn(process.execPath, ['-e', 'setTimeout(()=>{},5000)'], { stdio: 'ignore' });
  children.push(child);
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', () => resolve());
    child.once('error', reject);
  });
  return child.pid!;
}

/** The pid of a process that has run and exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  children.push(child);
  await exited(child);
  return child.pid!;
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'kiosk-lock-'));
  lockFile = join(dir, 'kiosk.lock');
});

afterEach(async () => {
  for (const child of children.splice(0)) {
    child.kill('SIGKILL');
    await exited(child);
  }
  rmSync(dir, { recursive: true, force: true });
});

describe('lockDataFolder', () => {
  it('takes a free folder and writes its pid', () => {
    const release = lockDataFolder(dir);
    expect(readFileSync(lockFile, 'utf8').trim()).toBe(String(process.pid));
    release();
    expect(existsSync(lockFile)).toBe(false);
    // and can take it again
    lockDataFolder(dir)();
  });

  it('refuses a folder held by another live process, leaving its lock alone', async () => {
    const pid = await liveProcess();
    writeFileSync(lockFile, String(pid));
    expect(() => lockDataFolder(dir)).toThrow(DataFolderLockedError);
    expect(() => lockDataFolder(dir)).toThrow(new RegExp(`pid ${pid}`));
    expect(readFileSync(lockFile, 'utf8')).toBe(String(pid));
  });

  it('takes over the lock of a process that no longer runs', async () => {
    const pid = await deadPid();
    writeFileSync(lockFile, `${pid}\n`);
    const release = lockDataFolder(dir);
    expect(readFileSync(lockFile, 'utf8').trim()).toBe(String(process.pid));
    release();
    expect(existsSync(lockFile)).toBe(false);
  });

  it('takes over a lock that names no process (empty, garbage, our own pid from an earlier run)', () => {
    for (const content of ['', 'not a pid', '-5', '0', String(process.pid)]) {
      writeFileSync(lockFile, content);
      const release = lockDataFolder(dir);
      expect(readFileSync(lockFile, 'utf8').trim(), JSON.stringify(content)).toBe(String(process.pid));
      release();
    }
  });

  it('releases only its own lock', async () => {
    const release = lockDataFolder(dir);
    // Someone else has since taken the folder (our lock was judged stale and replaced).
    const other = await liveProcess();
    writeFileSync(lockFile, String(other));
    release();
    expect(readFileSync(lockFile, 'utf8')).toBe(String(other));
    // Releasing twice, or after the file is gone, is harmless.
    rmSync(lockFile);
    expect(() => release()).not.toThrow();
    const again = lockDataFolder(dir);
    again();
    again();
    expect(existsSync(lockFile)).toBe(false);
  });

  it('fails plainly, not as "locked", when the folder does not exist', () => {
    let error: unknown;
    try {
      lockDataFolder(join(dir, 'missing'));
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(DataFolderLockedError);
    expect((error as NodeJS.ErrnoException).code).toBe('ENOENT');
  });

  it('holds across real processes: refused while a child kiosk holds it, taken over once it is killed', async () => {
    const module = pathToFileURL(join(import.meta.dirname, '../../../electron/host/data-lock.ts')).href;
    const script = `import { lockDataFolder } from ${JSON.stringify(module)};
lockDataFolder(${JSON.stringify(dir)});
process.stdout.write('locked\\n');
setTimeout(() => {}, 10000);`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`child did not lock within 10 s: ${stderr}`)), 10_000);
      child.stdout!.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('locked')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`child exited with ${code}: ${stderr}`));
      });
    });
    expect(readFileSync(lockFile, 'utf8').trim()).toBe(String(child.pid));
    expect(() => lockDataFolder(dir)).toThrow(DataFolderLockedError);

    child.kill('SIGKILL'); // no chance to release: the lock is left behind
    await exited(child);
    expect(existsSync(lockFile)).toBe(true);
    const release = lockDataFolder(dir);
    expect(readFileSync(lockFile, 'utf8').trim()).toBe(String(process.pid));
    release();
  });
});
