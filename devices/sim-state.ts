// Where a simulated device keeps the state that real hardware keeps by itself: the
// simulators stand for devices that go on running while the kiosk process restarts,
// so their state has to outlive the process. One JSON file per device, replaced
// atomically (write a temporary file, then rename) so a crash mid-write leaves the
// old state or the new one, never half of each.
import fs from 'node:fs';
import { dirname } from 'node:path';

/** A zod schema (anything with `parse`) or a function; either throws on data it rejects. */
export type StateValidator<T> = { parse(input: unknown): T } | ((input: unknown) => T);

export interface JsonStateFileOptions {
  /** Time used in the name of a corrupt file kept aside; the simulators pass their clock. */
  now?: () => number;
}

export class JsonStateFile<T> {
  private readonly validate: (input: unknown) => T;
  private readonly now: () => number;
  /** With no path the state lives here only, for tests and throwaway simulators. */
  private memory: T | undefined;
  /** The text last written or read, so a save that changes nothing costs no write. */
  private lastText: string | null = null;
  private dirReady = false;

  constructor(
    readonly path: string | null,
    schemaOrValidate: StateValidator<T>,
    private readonly defaults: T,
    options: JsonStateFileOptions = {},
  ) {
    this.validate =
      typeof schemaOrValidate === 'function' ? schemaOrValidate : (input) => schemaOrValidate.parse(input);
    this.now = options.now ?? Date.now;
  }

  /**
   * The saved state, or the defaults when there is none. A file that is not valid JSON
   * or fails validation is moved aside to `<path>.corrupt-<time>` (kept for a post
   * mortem, and so the next save does not destroy the evidence) and the defaults are
   * returned: a damaged simulator file must never keep the kiosk from starting.
   */
  load(): T {
    if (this.path === null) return structuredClone(this.memory ?? this.defaults);
    let text: string;
    try {
      text = fs.readFileSync(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return structuredClone(this.defaults);
      // Not a damaged file but an unreadable one (permissions, a directory): the
      // operator has to fix that, so say so instead of silently starting afresh.
      throw error;
    }
    try {
      const state = this.validate(JSON.parse(text) as unknown);
      this.lastText = text;
      return state;
    } catch {
      this.setAside();
      return structuredClone(this.defaults);
    }
  }

  /** Replaces the saved state, synchronously, so it is on disk before the caller goes on. */
  save(state: T): void {
    const text = JSON.stringify(state);
    if (this.path === null) {
      this.memory = JSON.parse(text) as T;
      return;
    }
    if (text === this.lastText) return;
    if (!this.dirReady) {
      fs.mkdirSync(dirname(this.path), { recursive: true });
      this.dirReady = true;
    }
    // The pid in the name keeps two processes that share a file by mistake from
    // renaming each other's half-written temporary file into place.
    const tmp = `${this.path}.${process.pid}.tmp`;
    try {
      // No fsync: the file has to survive a restart of the process, which the page
      // cache does; surviving a power cut is the job of the brain's journal.
      fs.writeFileSync(tmp, text);
      fs.renameSync(tmp, this.path);
    } catch (error) {
      fs.rmSync(tmp, { force: true });
      throw error;
    }
    this.lastText = text;
  }

  private setAside(): void {
    if (this.path === null) return;
    let target = `${this.path}.corrupt-${this.now()}`;
    for (let n = 1; fs.existsSync(target); n++) target = `${this.path}.corrupt-${this.now()}-${n}`;
    try {
      fs.renameSync(this.path, target);
    } catch {
      // Could not move it (read-only directory?): the next save replaces it, which
      // loses the evidence but keeps the device working.
    }
    this.lastText = null;
  }
}
