// Sessions of several kiosk processes (or the tool beside the kiosk) racing for one
// prepaid account on one SQLite file: the balance check and the reservation are one
// BEGIN IMMEDIATE transaction, so together they never reserve more than it holds.
import { afterEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AccountBook } from '../../../electron/accounts/account-book.js';
import { KioskStore } from '../../../electron/store/kiosk-store.js';

const WORKER = fileURLToPath(new URL('./reserve-worker.ts', import.meta.url));
let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function worker(file: string, accountId: string, name: string, amount: number) {
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER, file, accountId, name, String(amount)], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk));
  child.stderr.on('data', (chunk: Buffer) => (err += chunk));
  const ready = new Promise<void>((resolve) => child.stdout.on('data', () => out.includes('ready') && resolve()));
  const done = new Promise<number>((resolve, reject) =>
    child.on('exit', (code) => (code === 0 ? resolve(Number(out.trim().split('\n').at(-1))) : reject(new Error(`worker ${name} exited ${code}: ${err}`)))),
  );
  return { ready, done, go: () => child.stdin.end('go\n') };
}

describe('reservations racing through several connections', () => {
  it('four processes reserving on one prepaid account never reserve more than its balance', async () => {
    dir = mkdtempSync(join(tmpdir(), 'accounts-race-'));
    const file = join(dir, 'kiosk.sqlite');
    const store = KioskStore.open(file);
    const book = new AccountBook(store);
    const ann = book.addAccount({ name: 'Ann', type: 'prepaid', currency: 'EUR' }, 'cli:test', 1);
    book.topUp(ann.id, 40_000, 'cash', 'cli:test', 1);
    const workers = ['w1', 'w2', 'w3', 'w4'].map((name) => worker(file, ann.id, name, 100));
    await Promise.all(workers.map((w) => w.ready));
    for (const w of workers) w.go();
    const counts = await Promise.all(workers.map((w) => w.done));
    expect(counts.reduce((a, b) => a + b, 0)).toBe(400); // exactly what 400.00 holds of 1.00 reservations
    const open = book.openReservations('prepaid');
    expect(open.reduce((sum, r) => sum + r.amountMinor, 0)).toBe(40_000);
    expect(book.balance(ann.id)).toBe(0);
    let running = 0;
    for (const entry of book.entries({ accountId: ann.id })) {
      running += entry.amountMinor;
      expect(entry.balanceMinor).toBe(running);
      expect(entry.balanceMinor).toBeGreaterThanOrEqual(0);
    }
    expect(store.verifyAudit()).toBeNull();
    store.close();
  }, 60_000);
});
