// The technicians of the maintenance menu: named accounts, each with a personal PIN, in
// the kiosk's SQLite file (tables of migration 6). The operator's tool
// (scripts/technicians.ts) adds and removes them; the PIN pad on the screen logs in.
//
// A PIN is kept only as a salted scrypt hash ("scrypt$N$r$p$salt$hash", base64): the
// cost is stored with each hash, so that it can be raised later and old hashes still
// verify. There is no default PIN: until the tool adds a technician, no one logs in.
//
// Login names no technician: the PIN alone says who it is, so PINs are unique across
// technicians (checked by verifying a new PIN against every other hash, as no PIN is
// stored to compare). Guessing is slowed by a lockout: five wrong PINs in a row lock
// entry for 60 s, twice as long at each lock after (at most an hour), until a right
// PIN. The lockout is a row of the file, so a restart does not clear it, and logins
// run one at a time, so that concurrent guesses cannot pass the counter together.
// Every attempt is audited, never with the PIN or its hash.
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import type { KioskStore, StoreSql } from '../store/kiosk-store.js';

export type TechnicianErrorCode = 'exists' | 'unknown' | 'weakPin' | 'pinTaken' | 'invalidName';

/** A change of technicians the book refuses, with why; nothing of it was written. */
export class TechnicianError extends Error {
  override name = 'TechnicianError';
  constructor(
    readonly code: TechnicianErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export interface TechnicianInfo {
  name: string;
  createdAt: number;
  /** When the PIN was last set (the add, or the last passwd). */
  updatedAt: number;
}

export type LoginOutcome =
  | { ok: true; name: string }
  | { ok: false; reason: 'noTechnicians' }
  /** `lockedUntil` is set when this failure locked entry. */
  | { ok: false; reason: 'wrongPin'; attemptsLeft: number; lockedUntil: number | null }
  | { ok: false; reason: 'locked'; lockedUntil: number };

export interface ScryptCost {
  N: number;
  r: number;
  p: number;
}

/** About 0.1 s and 32 MiB a hash on the kiosk's kind of CPU: slow for a guesser, quick enough for a PIN pad. */
export const DEFAULT_SCRYPT: ScryptCost = { N: 2 ** 15, r: 8, p: 1 };

export const MAX_FAILURES = 5;
export const FIRST_LOCK_MS = 60_000;
export const MAX_LOCK_MS = 3_600_000;

const SALT_BYTES = 16;
const KEY_BYTES = 32;
const NAME = /^[\p{L}\p{M}\p{Nd} ._-]{1,40}$/u;
const PIN = /^\d{6,12}$/;
const SCREEN = 'screen';

interface Lockout {
  failures: number;
  lockouts: number;
  lockedUntil: number | null;
}

interface Row {
  name: string;
  pinHash: string;
}

export class TechnicianBook {
  private readonly sql: StoreSql;
  private readonly cost: ScryptCost;
  /** The login running now: the next waits for it. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly store: KioskStore,
    options: { scrypt?: ScryptCost } = {},
  ) {
    this.sql = store.sql();
    this.cost = options.scrypt ?? DEFAULT_SCRYPT;
    if (!validCost(this.cost)) throw new RangeError(`not a usable scrypt cost: ${JSON.stringify(this.cost)}`);
  }

  // ── technicians (the operator's tool) ─────────────────────────────────────

  async add(name: string, pin: string, at: number, who: string): Promise<void> {
    const clean = checkName(name);
    checkPin(pin);
    this.refuseExisting(clean);
    await this.writeWithUniquePin(pin, clean, (pinHash) => {
      this.refuseExisting(clean); // added by another tool while this one hashed
      this.sql.run('INSERT INTO technicians (name, pin_hash, created_at, updated_at) VALUES (?, ?, ?, ?)', clean, pinHash, at, at);
      this.sql.audit(at, actor(who), 'technician.added', { name: clean });
    });
  }

  async passwd(name: string, pin: string, at: number, who: string): Promise<void> {
    const known = this.require(name);
    checkPin(pin);
    await this.writeWithUniquePin(pin, known.name, (pinHash) => {
      if (this.sql.run('UPDATE technicians SET pin_hash = ?, updated_at = ? WHERE name = ?', pinHash, at, known.name).changes === 0) throw unknown(name);
      this.sql.audit(at, actor(who), 'technician.pinChanged', { name: known.name });
    });
  }

  remove(name: string, at: number, who: string): void {
    this.store.transaction(() => {
      const known = this.require(name);
      this.sql.run('DELETE FROM technicians WHERE name = ?', known.name);
      this.sql.audit(at, actor(who), 'technician.removed', { name: known.name });
    });
  }

  list(): TechnicianInfo[] {
    return this.sql.all('SELECT name, created_at, updated_at FROM technicians ORDER BY created_at, name').map((row) => ({
      name: String(row.name),
      createdAt: Number(row.created_at),
      updatedAt: Number(row.updated_at),
    }));
  }

  count(): number {
    return Number(this.sql.get('SELECT COUNT(*) AS n FROM technicians')!.n);
  }

  // ── login (the PIN pad) ───────────────────────────────────────────────────

  /** Entry locked until (ms), or null. */
  lockedUntil(now: number): number | null {
    return this.lockout(now).lockedUntil;
  }

  /** Checks a PIN against every technician (PINs are unique across technicians, so the PIN names its owner). */
  login(pin: string, now: number, connection?: string): Promise<LoginOutcome> {
    const attempt = this.queue.then(() => this.attempt(pin, now, connection ?? null));
    this.queue = attempt.catch(() => undefined);
    return attempt;
  }

  private async attempt(pin: string, now: number, connection: string | null): Promise<LoginOutcome> {
    const state = this.lockout(now);
    if (state.lockedUntil !== null) return this.store.transaction(() => this.whileLocked(state, now, connection));
    const technicians = this.rows();
    if (technicians.length === 0) {
      this.store.transaction(() => this.sql.audit(now, SCREEN, 'maintenance.loginFailed', { failures: state.failures, connection, reason: 'noTechnicians' }));
      return { ok: false, reason: 'noTechnicians' };
    }
    const owner = await this.ownerOf(pin, technicians);
    return this.store.transaction(() => {
      // The state as it is now, and the technician as they are now: either may have changed while the PIN was hashed.
      const current = this.lockout(now);
      if (current.lockedUntil !== null) return this.whileLocked(current, now, connection); // locked by another process on the file meanwhile
      const same = owner !== null && this.sql.get('SELECT pin_hash FROM technicians WHERE name = ?', owner.name)?.pin_hash === owner.pinHash;
      return same ? this.succeed(owner.name, now, connection) : this.fail(current, now, connection);
    });
  }

  private whileLocked(state: Lockout, now: number, connection: string | null): LoginOutcome {
    const lockedUntil = state.lockedUntil!;
    this.save(state, now); // keeps a lock shortened for a clock set back
    this.sql.audit(now, SCREEN, 'maintenance.loginWhileLocked', { lockedUntil, connection });
    return { ok: false, reason: 'locked', lockedUntil };
  }

  private succeed(name: string, now: number, connection: string | null): LoginOutcome {
    this.save({ failures: 0, lockouts: 0, lockedUntil: null }, now);
    this.sql.audit(now, SCREEN, 'maintenance.login', { name, connection });
    return { ok: true, name };
  }

  private fail(state: Lockout, now: number, connection: string | null): LoginOutcome {
    const failures = state.failures + 1;
    this.sql.audit(now, SCREEN, 'maintenance.loginFailed', { failures, connection });
    if (failures < MAX_FAILURES) {
      this.save({ ...state, failures }, now);
      return { ok: false, reason: 'wrongPin', attemptsLeft: MAX_FAILURES - failures, lockedUntil: null };
    }
    // The count starts again once the lock is over; the number of locks does not, so the next is longer.
    const lockedUntil = now + lockDuration(state.lockouts);
    this.save({ failures: 0, lockouts: state.lockouts + 1, lockedUntil }, now);
    this.sql.audit(now, SCREEN, 'maintenance.locked', { lockedUntil, connection });
    return { ok: false, reason: 'wrongPin', attemptsLeft: 0, lockedUntil };
  }

  /** The lockout as it stands at `now`: a lock that is over is none. */
  private lockout(now: number): Lockout {
    const row = this.sql.get('SELECT failures, lockouts, locked_until FROM tech_lockout WHERE id = 1');
    if (!row) return { failures: 0, lockouts: 0, lockedUntil: null };
    const lockouts = Number(row.lockouts);
    const until = row.locked_until == null ? null : Number(row.locked_until);
    if (until === null || until <= now) return { failures: until === null ? Number(row.failures) : 0, lockouts, lockedUntil: null };
    // A lock never lasts longer than the longest from now: a clock that was ahead when it was set and
    // was put right since (the time server reached at last) would otherwise lock technicians out for as long.
    return { failures: 0, lockouts, lockedUntil: Math.min(until, now + MAX_LOCK_MS) };
  }

  private save(state: Lockout, now: number): void {
    this.sql.run(
      `INSERT INTO tech_lockout (id, failures, lockouts, locked_until, updated_at) VALUES (1, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET failures = excluded.failures, lockouts = excluded.lockouts, locked_until = excluded.locked_until, updated_at = excluded.updated_at`,
      state.failures,
      state.lockouts,
      state.lockedUntil,
      now,
    );
  }

  /** The technician whose PIN this is, or null. A PIN of the wrong form is no one's (and costs no hashing). */
  private async ownerOf(pin: string, technicians: Row[]): Promise<Row | null> {
    if (!PIN.test(pin)) return null;
    for (const technician of technicians) if (await verifyPin(pin, technician.pinHash)) return technician;
    return null;
  }

  // ── internals ─────────────────────────────────────────────────────────────

  /**
   * Hashes `pin` and runs `write` with the hash in one transaction, once no other technician
   * (than `self`) has the same PIN. Hashing is slow and async, so it cannot run inside the
   * transaction: the other hashes are compared again in it, and checked again when another
   * tool changed them meanwhile.
   */
  private async writeWithUniquePin(pin: string, self: string, write: (pinHash: string) => void): Promise<void> {
    const pinHash = await hashPin(pin, this.cost);
    for (;;) {
      const others = this.rows().filter((row) => row.name !== self);
      for (const other of others) {
        if (await verifyPin(pin, other.pinHash)) throw new TechnicianError('pinTaken', 'another technician has that PIN: choose another (the PIN alone says who logs in)');
      }
      const done = this.store.transaction(() => {
        const now = this.rows().filter((row) => row.name !== self);
        if (!sameRows(others, now)) return false;
        write(pinHash);
        return true;
      });
      if (done) return;
    }
  }

  private rows(): Row[] {
    return this.sql.all('SELECT name, pin_hash FROM technicians ORDER BY name').map((row) => ({ name: String(row.name), pinHash: String(row.pin_hash) }));
  }

  /** A technician by name; names differ in more than case, so "alice" finds Alice. */
  private find(name: string): Row | null {
    const wanted = typeof name === 'string' ? name.trim().normalize('NFC') : '';
    const rows = this.rows();
    return rows.find((row) => row.name === wanted) ?? rows.find((row) => sameName(row.name, wanted)) ?? null;
  }

  private require(name: string): Row {
    const row = this.find(name);
    if (!row) throw unknown(name);
    return row;
  }

  private refuseExisting(name: string): void {
    const row = this.find(name);
    if (row) throw new TechnicianError('exists', `a technician named ${row.name} exists`);
  }
}

// ── names and PINs ──────────────────────────────────────────────────────────

/** The name as kept (trimmed, NFC), or TechnicianError('invalidName'). */
export function checkName(name: string): string {
  const clean = typeof name === 'string' ? name.trim().normalize('NFC') : '';
  if (clean === '') throw new TechnicianError('invalidName', 'a technician needs a name');
  if ([...clean].length > 40) throw new TechnicianError('invalidName', 'a technician name is at most 40 characters');
  if (!NAME.test(clean)) throw new TechnicianError('invalidName', 'a technician name has letters, digits, spaces and . - _ only');
  return clean;
}

/** Refuses (TechnicianError('weakPin')) a PIN that is not 6 to 12 digits, or that is easy to guess. */
export function checkPin(pin: string): void {
  if (typeof pin !== 'string' || !PIN.test(pin)) throw new TechnicianError('weakPin', 'a PIN is 6 to 12 digits');
  const problem = guessable(pin);
  if (problem) throw new TechnicianError('weakPin', `that PIN is too easy to guess: ${problem}`);
}

/** Why a PIN of digits is among the first a guesser tries, or null. */
function guessable(pin: string): string | null {
  const digits = [...pin].map(Number);
  if (digits.every((d) => d === digits[0])) return 'all its digits are the same';
  const steps = new Set(digits.slice(1).map((d, i) => (d - digits[i]! + 10) % 10));
  if (steps.size === 1 && (steps.has(1) || steps.has(9))) return 'its digits count up or down (like 123456 or 654321)';
  for (const period of [2, 3]) {
    if (digits.every((d, i) => i < period || d === digits[i - period])) return 'it repeats a few digits (like 121212 or 123123)';
  }
  return null;
}

function sameName(a: string, b: string): boolean {
  return a.toLocaleLowerCase('und') === b.toLocaleLowerCase('und');
}

function sameRows(a: Row[], b: Row[]): boolean {
  return a.length === b.length && a.every((row, i) => row.name === b[i]!.name && row.pinHash === b[i]!.pinHash);
}

function unknown(name: string): TechnicianError {
  return new TechnicianError('unknown', `no technician named ${typeof name === 'string' ? name.trim() : String(name)}`);
}

function actor(who: string): string {
  const trimmed = typeof who === 'string' ? who.trim() : '';
  if (trimmed === '' || trimmed.length > 100) throw new RangeError('who acts is a name of 1 to 100 characters');
  return trimmed;
}

function lockDuration(lockoutsSoFar: number): number {
  return Math.min(FIRST_LOCK_MS * 2 ** Math.min(lockoutsSoFar, 16), MAX_LOCK_MS);
}

// ── hashes ──────────────────────────────────────────────────────────────────

/** A new salted hash of the PIN: "scrypt$N$r$p$salt$hash". */
export async function hashPin(pin: string, cost: ScryptCost = DEFAULT_SCRYPT): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(pin, salt, KEY_BYTES, cost);
  return ['scrypt', cost.N, cost.r, cost.p, salt.toString('base64'), key.toString('base64')].join('$');
}

/** Whether the PIN is the one of the hash, with the hash's own cost. A hash that cannot be read matches nothing. */
export async function verifyPin(pin: string, stored: string): Promise<boolean> {
  const parsed = parseHash(stored);
  if (!parsed) return false;
  const key = await derive(pin, parsed.salt, parsed.key.length, parsed.cost);
  return timingSafeEqual(key, parsed.key);
}

function parseHash(stored: string): { cost: ScryptCost; salt: Buffer; key: Buffer } | null {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt' || !parts.slice(1, 4).every((part) => /^\d{1,8}$/.test(part))) return null;
  const [N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  const salt = Buffer.from(parts[4]!, 'base64');
  const key = Buffer.from(parts[5]!, 'base64');
  if (!validCost({ N, r, p }) || salt.length < 8 || key.length < 16 || key.length > 64) return null;
  return { cost: { N, r, p }, salt, key };
}

/** Bounds that keep a hash (even one read from the file) from taking the kiosk's memory: at most 128 MiB. */
function validCost({ N, r, p }: ScryptCost): boolean {
  const whole = (n: number, max: number) => Number.isSafeInteger(n) && n >= 1 && n <= max;
  return whole(N, 2 ** 20) && N >= 2 && (N & (N - 1)) === 0 && whole(r, 32) && whole(p, 16) && 128 * N * r <= 128 * 2 ** 20;
}

function derive(pin: string, salt: Buffer, keyLength: number, cost: ScryptCost): Promise<Buffer> {
  // What OpenSSL's scrypt takes: its V array (128·r·(N+2)) and B (128·r·p), with room to spare; Node's default (32 MiB) is just short of N=2^15, r=8.
  const maxmem = 128 * cost.r * (cost.N + 2 + cost.p) + 1024 * 1024;
  return new Promise((resolve, reject) => {
    scrypt(pin, salt, keyLength, { N: cost.N, r: cost.r, p: cost.p, maxmem }, (error, key) => (error ? reject(error) : resolve(key)));
  });
}
