import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { JsonStateFile } from '../../../devices/sim-state.js';
import { tempDir } from './helpers.js';

const Schema = z.object({ count: z.number().int(), name: z.string() });
type State = z.infer<typeof Schema>;
const DEFAULTS: State = { count: 0, name: 'fresh' };

describe('JsonStateFile', () => {
  let dir: string;
  let cleanup: () => void;
  let file: string;
  beforeEach(() => {
    ({ dir, cleanup } = tempDir());
    file = path.join(dir, 'nested', 'state.json');
  });
  afterEach(() => cleanup());

  it('with no path keeps the state in memory, as copies', () => {
    const store = new JsonStateFile<State>(null, Schema, DEFAULTS);
    const loaded = store.load();
    expect(loaded).toEqual(DEFAULTS);
    loaded.count = 99;
    expect(store.load()).toEqual(DEFAULTS);
    const state = { count: 1, name: 'a' };
    store.save(state);
    state.count = 2;
    expect(store.load()).toEqual({ count: 1, name: 'a' });
  });

  it('returns the defaults when there is no file, and what was saved when there is', () => {
    expect(new JsonStateFile(file, Schema, DEFAULTS).load()).toEqual(DEFAULTS);
    new JsonStateFile(file, Schema, DEFAULTS).save({ count: 7, name: 'seven' });
    expect(new JsonStateFile(file, Schema, DEFAULTS).load()).toEqual({ count: 7, name: 'seven' });
    // Written by rename: no temporary file is left next to it.
    expect(fs.readdirSync(path.dirname(file))).toEqual(['state.json']);
  });

  it('accepts a validating function instead of a schema', () => {
    const validate = (input: unknown): State => {
      const state = input as State;
      if (typeof state?.count !== 'number') throw new TypeError('no count');
      return state;
    };
    const store = new JsonStateFile(file, validate, DEFAULTS);
    store.save({ count: 3, name: 'x' });
    expect(new JsonStateFile(file, validate, DEFAULTS).load()).toEqual({ count: 3, name: 'x' });
    fs.writeFileSync(file, '{"name":"no count"}');
    expect(new JsonStateFile(file, validate, DEFAULTS, { now: () => 1 }).load()).toEqual(DEFAULTS);
  });

  for (const [what, content] of [
    ['garbage', '\u0000\u00ff not json at all {{'],
    ['a half-written file', '{"count": 3, "na'],
    ['an empty file', ''],
    ['valid JSON of the wrong shape', '{"count":"three","name":4}'],
  ] as const) {
    it(`${what}: no crash, the defaults, and the bad file kept aside as <path>.corrupt-<time>`, () => {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, content);
      const store = new JsonStateFile(file, Schema, DEFAULTS, { now: () => 1234 });
      expect(store.load()).toEqual(DEFAULTS);
      expect(fs.existsSync(file)).toBe(false);
      expect(fs.readFileSync(`${file}.corrupt-1234`, 'utf8')).toBe(content);
      store.save({ count: 1, name: 'after' });
      expect(new JsonStateFile(file, Schema, DEFAULTS).load()).toEqual({ count: 1, name: 'after' });
    });
  }

  it('never overwrites an earlier corrupt file', () => {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    for (const content of ['bad 1', 'bad 2']) {
      fs.writeFileSync(file, content);
      new JsonStateFile(file, Schema, DEFAULTS, { now: () => 5 }).load();
    }
    expect(fs.readFileSync(`${file}.corrupt-5`, 'utf8')).toBe('bad 1');
    expect(fs.readFileSync(`${file}.corrupt-5-1`, 'utf8')).toBe('bad 2');
  });

  it('a file it cannot read at all (a directory) is an error to fix, not corruption', () => {
    fs.mkdirSync(file, { recursive: true });
    expect(() => new JsonStateFile(file, Schema, DEFAULTS).load()).toThrow();
  });
});
