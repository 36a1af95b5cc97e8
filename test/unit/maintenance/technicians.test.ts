// The technicians of the maintenance menu on a real store file: PINs only as salted
// scrypt hashes, login by PIN alone, and the lockout after wrong PINs, which a restart
// keeps and concurrent guesses cannot slip past. A cheap scrypt cost keeps it quick.
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashPin, MAX_LOCK_MS, TechnicianBook, TechnicianError, verifyPin, type LoginOutcome } from '../../../electron/maintenance/technicians.js';
import { KioskStore } from '../../../electron/store/kiosk-store.js';

const CHEAP = { N: 1024, r: 8, p: 1 };
const T0 = 1_750_000_000_000;
const ALICE = '482915';
const BOB = '730264';

const dirs: string[] = [];
const stores: KioskStore[] = [];
afterEach(() => {
  for (const store of stores.splice(0)) {
    try {
      store.close();
    } catch {
      // closed by the test already
    }
  }
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function folder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'technicians-'));
  dirs.push(dir);
  return dir;
}

function open(dir = folder()) {
  const store = KioskStore.open(join(dir, 'kiosk.sqlite'));
  stores.push(store);
  return { dir, store, book: new TechnicianBook(store, { scrypt: CHEAP }) };
}

async function withAlice(dir?: string) {
  const opened = open(dir);
  await opened.book.add('Alice', ALICE, T0, 'tool');
  return opened;
}

function actions(store: KioskStore, prefix = 'maintenance.'): string[] {
  return store.auditLog(10_000).map((e) => e.action).filter((a) => a.startsWith(prefix));
}

async function wrong(book: TechnicianBook, times: number, at: number): Promise<LoginOutcome[]> {
  const outcomes: LoginOutcome[] = [];
  for (let i = 0; i < times; i++) outcomes.push(await book.login('999000', at));
  return outcomes;
}

async function refusal(work: Promise<unknown> | (() => unknown)): Promise<TechnicianError> {
  try {
    await (typeof work === 'function' ? work() : work);
  } catch (error) {
    expect(error).toBeInstanceOf(TechnicianError);
    return error as TechnicianError;
  }
  throw new Error('expected a TechnicianError');
}

describe('PIN hashes', () => {
  it('keeps scrypt$N$r$p$salt$hash with a 16-byte salt and a 32-byte key, a salt of its own for each', async () => {
    const { book, store } = await withAlice();
    await book.add('Bob', BOB, T0, 'tool');
    const hashes = store.sql().all('SELECT pin_hash FROM technicians ORDER BY name').map((row) => String(row.pin_hash));
    for (const hash of hashes) {
      const [scheme, N, r, p, salt, key] = hash.split('$');
      expect([scheme, N, r, p]).toEqual(['scrypt', '1024', '8', '1']);
      expect(Buffer.from(salt!, 'base64')).toHaveLength(16);
      expect(Buffer.from(key!, 'base64')).toHaveLength(32);
    }
    expect(hashes[0]!.split('$')[4]).not.toBe(hashes[1]!.split('$')[4]);
  });

  it('is N=2^15, r=8, p=1 by default, and verifies with the cost stored in the hash (so the cost can be raised)', async () => {
    const hash = await hashPin(ALICE);
    expect(hash).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9+/]{22}==\$[A-Za-z0-9+/]{43}=$/);
    expect(await verifyPin(ALICE, hash)).toBe(true);
    expect(await verifyPin('482916', hash)).toBe(false);

    const { book, store } = open();
    await new TechnicianBook(store, { scrypt: { N: 2048, r: 4, p: 2 } }).add('Alice', ALICE, T0, 'tool');
    expect(String(store.sql().get('SELECT pin_hash FROM technicians')!.pin_hash)).toMatch(/^scrypt\$2048\$4\$2\$/);
    expect(await book.login(ALICE, T0)).toEqual({ ok: true, name: 'Alice' });
  });

  it('a hash that cannot be read matches nothing', async () => {
    for (const stored of ['', 'plain', `scrypt$1000$8$1$${'A'.repeat(22)}==$${'A'.repeat(43)}=`, 'scrypt$1024$8$1$$', `bcrypt$1024$8$1$${'A'.repeat(22)}==$${'A'.repeat(43)}=`]) {
      expect(await verifyPin(ALICE, stored)).toBe(false);
    }
  });

  it('the PIN is nowhere in the database file or the audit log, nor the hash in the audit log', async () => {
    const pin = '482915730264'; // long: no chance of turning up inside a hex hash by accident
    const { book, dir, store } = open();
    await book.add('Alice', pin, T0, 'tool');
    await book.passwd('Alice', '918273645501', T0 + 1, 'tool');
    await book.passwd('Alice', pin, T0 + 2, 'tool');
    await book.login('000000111111', T0 + 3, 'ws-1');
    expect(await book.login(pin, T0 + 4, 'ws-1')).toEqual({ ok: true, name: 'Alice' });
    const hash = String(store.sql().get('SELECT pin_hash FROM technicians')!.pin_hash);
    const audit = JSON.stringify(store.auditLog(10_000));
    for (const secret of [pin, '918273645501', hash, hash.split('$')[4]!, hash.split('$')[5]!]) expect(audit).not.toContain(secret);
    store.close();
    const files = readdirSync(dir).map((name) => readFileSync(join(dir, name)));
    expect(files.length).toBeGreaterThan(0);
    for (const bytes of files) {
      expect(bytes.includes(pin)).toBe(false);
      expect(bytes.includes('918273645501')).toBe(false);
      expect(bytes.includes(Buffer.from(pin, 'utf16le'))).toBe(false);
    }
  });
});

describe('login', () => {
  it('answers noTechnicians while there are none, without counting it', async () => {
    const { book, store } = open();
    expect(await book.login(ALICE, T0)).toEqual({ ok: false, reason: 'noTechnicians' });
    expect(book.count()).toBe(0);
    await book.add('Alice', ALICE, T0, 'tool');
    expect(await book.login('999000', T0)).toMatchObject({ reason: 'wrongPin', attemptsLeft: 4 });
    expect(store.auditLog(100).find((e) => e.action === 'maintenance.loginFailed')!.data).toEqual({ failures: 0, connection: null, reason: 'noTechnicians' });
  });

  it('a right PIN names its technician; a wrong one says how many tries are left', async () => {
    const { book } = await withAlice();
    await book.add('Bob', BOB, T0, 'tool');
    expect(await book.login('999000', T0)).toEqual({ ok: false, reason: 'wrongPin', attemptsLeft: 4, lockedUntil: null });
    expect(await book.login('12', T0)).toEqual({ ok: false, reason: 'wrongPin', attemptsLeft: 3, lockedUntil: null }); // not a PIN at all: wrong too
    expect(await book.login(BOB, T0)).toEqual({ ok: true, name: 'Bob' });
    expect(await book.login(ALICE, T0)).toEqual({ ok: true, name: 'Alice' });
  });

  it('five wrong PINs lock entry for 60 s, then 120 s, doubling up to an hour', async () => {
    const { book } = await withAlice();
    let at = T0;
    const locks: number[] = [];
    for (let lock = 0; lock < 8; lock++) {
      const outcomes = await wrong(book, 5, at);
      expect(outcomes.slice(0, 4).map((o) => (o.ok ? null : 'attemptsLeft' in o && o.attemptsLeft))).toEqual([4, 3, 2, 1]);
      const last = outcomes[4]!;
      expect(last).toMatchObject({ ok: false, reason: 'wrongPin', attemptsLeft: 0 });
      const until = (last as { lockedUntil: number }).lockedUntil;
      locks.push(until - at);
      expect(book.lockedUntil(at)).toBe(until);
      expect(book.lockedUntil(until - 1)).toBe(until);
      expect(book.lockedUntil(until)).toBeNull();
      at = until;
    }
    expect(locks).toEqual([60_000, 120_000, 240_000, 480_000, 960_000, 1_920_000, 3_600_000, 3_600_000]);
  });

  it('while locked answers locked without checking the PIN or counting it; after the lock the count starts at 0', async () => {
    const { book, store } = await withAlice();
    await wrong(book, 5, T0);
    const until = T0 + 60_000;
    for (const pin of [ALICE, '999000', 'x']) expect(await book.login(pin, T0 + 30_000, 'ws-1')).toEqual({ ok: false, reason: 'locked', lockedUntil: until });
    expect(actions(store).filter((a) => a === 'maintenance.loginFailed')).toHaveLength(5);
    expect(actions(store).filter((a) => a === 'maintenance.loginWhileLocked')).toHaveLength(3);
    expect(await book.login('999000', until)).toMatchObject({ reason: 'wrongPin', attemptsLeft: 4, lockedUntil: null });
    expect(await book.login(ALICE, until)).toEqual({ ok: true, name: 'Alice' });
  });

  it('a right PIN resets the count and the lengthening of locks', async () => {
    const { book } = await withAlice();
    await wrong(book, 4, T0);
    expect(await book.login(ALICE, T0)).toEqual({ ok: true, name: 'Alice' });
    expect((await wrong(book, 4, T0)).at(-1)).toMatchObject({ attemptsLeft: 1, lockedUntil: null });
    expect((await wrong(book, 1, T0))[0]).toMatchObject({ attemptsLeft: 0, lockedUntil: T0 + 60_000 });
    const after = T0 + 60_000;
    expect((await wrong(book, 5, after))[4]).toMatchObject({ lockedUntil: after + 120_000 });
    const later = after + 120_000;
    expect(await book.login(ALICE, later)).toEqual({ ok: true, name: 'Alice' });
    expect((await wrong(book, 5, later))[4]).toMatchObject({ lockedUntil: later + 60_000 });
  });

  it('the lockout survives a restart: the count, the lock and the number of locks', async () => {
    const first = await withAlice();
    await wrong(first.book, 3, T0);
    first.store.close();
    const second = open(first.dir);
    expect((await wrong(second.book, 2, T0))[1]).toMatchObject({ attemptsLeft: 0, lockedUntil: T0 + 60_000 });
    second.store.close();
    const third = open(first.dir);
    expect(third.book.lockedUntil(T0 + 1)).toBe(T0 + 60_000);
    expect(await third.book.login(ALICE, T0 + 1)).toEqual({ ok: false, reason: 'locked', lockedUntil: T0 + 60_000 });
    expect((await wrong(third.book, 5, T0 + 60_000))[4]).toMatchObject({ lockedUntil: T0 + 60_000 + 120_000 });
  });

  it('logins run one at a time: ten wrong PINs at once count five, and the other five find entry locked', async () => {
    const { book, store } = await withAlice();
    const outcomes = await Promise.all(Array.from({ length: 10 }, (_, i) => book.login(`90000${i}`, T0, `ws-${i}`)));
    expect(outcomes.slice(0, 5)).toEqual([
      ...[4, 3, 2, 1].map((attemptsLeft) => ({ ok: false, reason: 'wrongPin', attemptsLeft, lockedUntil: null })),
      { ok: false, reason: 'wrongPin', attemptsLeft: 0, lockedUntil: T0 + 60_000 },
    ]);
    expect(outcomes.slice(5)).toEqual(Array(5).fill({ ok: false, reason: 'locked', lockedUntil: T0 + 60_000 }));
    expect(actions(store).filter((a) => a === 'maintenance.loginFailed')).toHaveLength(5);
    // Even the right PIN among guesses waits its turn and finds entry locked.
    const mixed = await Promise.all([book.login('999000', T0 + 60_000), book.login('999001', T0 + 60_000), book.login(ALICE, T0 + 60_000)]);
    expect(mixed.map((o) => o.ok)).toEqual([false, false, true]);
  });

  it('a lock set by a clock that ran ahead lasts at most an hour from the corrected clock', async () => {
    const { book } = await withAlice();
    const ahead = T0 + 10 * 3_600_000;
    await wrong(book, 5, ahead);
    expect(book.lockedUntil(T0)).toBe(T0 + MAX_LOCK_MS);
    expect(await book.login(ALICE, T0)).toEqual({ ok: false, reason: 'locked', lockedUntil: T0 + MAX_LOCK_MS });
    expect(book.lockedUntil(T0 + 1000)).toBe(T0 + MAX_LOCK_MS); // kept, not sliding with the clock
    expect(await book.login(ALICE, T0 + MAX_LOCK_MS)).toEqual({ ok: true, name: 'Alice' });
  });

  it('a technician removed, or given a new PIN, no longer logs in with the old one', async () => {
    const { book } = await withAlice();
    await book.add('Bob', BOB, T0, 'tool');
    await book.passwd('Bob', '305718', T0 + 1, 'tool');
    expect(await book.login(BOB, T0 + 2)).toMatchObject({ reason: 'wrongPin' });
    expect(await book.login('305718', T0 + 2)).toEqual({ ok: true, name: 'Bob' });
    book.remove('Alice', T0 + 3, 'tool');
    expect(await book.login(ALICE, T0 + 4)).toMatchObject({ reason: 'wrongPin' });
    book.remove('bob', T0 + 5, 'tool');
    expect(await book.login('305718', T0 + 6)).toEqual({ ok: false, reason: 'noTechnicians' });
  });
});

describe('adding, changing and removing technicians', () => {
  it('lists them with when they were added and when their PIN was set; counts them', async () => {
    const { book } = await withAlice();
    await book.add('  José Müller ', BOB, T0 + 10, 'tool');
    await book.passwd('Alice', '305718', T0 + 20, 'tool');
    expect(book.list()).toEqual([
      { name: 'Alice', createdAt: T0, updatedAt: T0 + 20 },
      { name: 'José Müller', createdAt: T0 + 10, updatedAt: T0 + 10 },
    ]);
    expect(book.count()).toBe(2);
  });

  it('refuses a PIN another technician has (the PIN names who logs in); a technician may keep their own', async () => {
    const { book } = await withAlice();
    await book.add('Bob', BOB, T0, 'tool');
    expect(await refusal(book.add('Carl', ALICE, T0, 'tool'))).toMatchObject({ code: 'pinTaken' });
    expect(await refusal(book.passwd('Bob', ALICE, T0, 'tool'))).toMatchObject({ code: 'pinTaken' });
    await book.passwd('Alice', ALICE, T0 + 1, 'tool');
    expect(book.list().map((t) => t.name)).toEqual(['Alice', 'Bob']);
  });

  it('refuses a PIN that is not 6 to 12 digits, or easy to guess, saying why', async () => {
    const { book } = open();
    for (const pin of ['', '12345', '1234567890123', '12a456', ' 482915', '٤٨٢٩١٥']) {
      expect(await refusal(book.add('Alice', pin, T0, 'tool'))).toMatchObject({ code: 'weakPin', message: 'a PIN is 6 to 12 digits' });
    }
    const easy: Record<string, RegExp> = {
      '000000': /same/,
      '777777777777': /same/,
      '123456': /count up or down/,
      '654321': /count up or down/,
      '0123456789': /count up or down/,
      '890123': /count up or down/,
      '121212': /repeats/,
      '1231231': /repeats/,
      '909090909090': /repeats/,
    };
    for (const [pin, why] of Object.entries(easy)) {
      const error = await refusal(book.add('Alice', pin, T0, 'tool'));
      expect(error.code).toBe('weakPin');
      expect(error.message).toMatch(/^that PIN is too easy to guess: /);
      expect(error.message).toMatch(why);
    }
    for (const pin of ['482915', '135790', '102938', '123457', '112233']) await book.add(`T${pin}`, pin, T0, 'tool');
    expect(book.count()).toBe(5);
  });

  it('refuses a name that is empty, too long, or of other characters; and one that differs only in case', async () => {
    const { book } = await withAlice();
    for (const name of ['', '   ', 'x'.repeat(41), 'Al\nice', 'Al\u0000ice', 'Ali<ce>', 'Alice;drop', 'a/b']) {
      expect(await refusal(book.add(name, BOB, T0, 'tool'))).toMatchObject({ code: 'invalidName' });
    }
    expect(await refusal(book.add('alice', BOB, T0, 'tool'))).toMatchObject({ code: 'exists', message: 'a technician named Alice exists' });
    expect(await refusal(book.add(' Alice ', BOB, T0, 'tool'))).toMatchObject({ code: 'exists' });
    const fine = { ['x'.repeat(40)]: '802915', 'ops.team-1_b': '522915', 'Zoë 2': '452915' };
    for (const [name, pin] of Object.entries(fine)) await book.add(name, pin, T0, 'tool');
    expect(book.count()).toBe(4);
  });

  it('passwd and remove of a technician that is not there are refused', async () => {
    const { book } = await withAlice();
    expect(await refusal(book.passwd('Bob', BOB, T0, 'tool'))).toMatchObject({ code: 'unknown', message: 'no technician named Bob' });
    expect(await refusal(() => book.remove('Bob', T0, 'tool'))).toMatchObject({ code: 'unknown', message: 'no technician named Bob' });
    book.remove('ALICE', T0, 'tool');
    expect(book.count()).toBe(0);
  });
});

describe('the audit log', () => {
  it('records every change and every attempt, with who and the connection, never a PIN', async () => {
    const { book, store } = open();
    await book.add('Alice', ALICE, T0, 'cli:ops');
    await book.passwd('Alice', BOB, T0 + 1, 'cli:ops');
    await book.login(BOB, T0 + 2, 'ws-1');
    await wrong(book, 5, T0 + 3);
    await book.login(BOB, T0 + 4, 'ws-2');
    book.remove('Alice', T0 + 5, 'tool');
    await expect(book.add('Bob', '111111', T0 + 6, 'tool')).rejects.toThrow(TechnicianError); // refused: nothing written
    const entries = store.auditLog(10_000).filter((e) => /^(technician|maintenance)\./.test(e.action));
    expect(entries.map((e) => [e.actor, e.action, e.data])).toEqual([
      ['cli:ops', 'technician.added', { name: 'Alice' }],
      ['cli:ops', 'technician.pinChanged', { name: 'Alice' }],
      ['screen', 'maintenance.login', { name: 'Alice', connection: 'ws-1' }],
      ...[1, 2, 3, 4].map((failures) => ['screen', 'maintenance.loginFailed', { failures, connection: null }]),
      ['screen', 'maintenance.loginFailed', { failures: 5, connection: null }],
      ['screen', 'maintenance.locked', { lockedUntil: T0 + 3 + 60_000, connection: null }],
      ['screen', 'maintenance.loginWhileLocked', { lockedUntil: T0 + 3 + 60_000, connection: 'ws-2' }],
      ['tool', 'technician.removed', { name: 'Alice' }],
    ]);
    expect(entries.map((e) => e.at)).toEqual([T0, T0 + 1, T0 + 2, ...Array(6).fill(T0 + 3), T0 + 4, T0 + 5]);
    expect(store.verifyAudit()).toBeNull();
  });
});
