// electron-builder.yml against electron-builder's own JSON Schema (scheme.json in
// app-builder-lib), with the JSON-Schema validator electron-builder itself uses (ajv,
// loaded from electron-builder's dependencies), plus what this kiosk needs of it.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const ROOT = resolve(import.meta.dirname, '../../..');
const requireHere = createRequire(join(ROOT, 'package.json'));
// app-builder-lib is electron-builder's; resolve it (and its ajv) the way it resolves them.
const builderLib = dirname(createRequire(requireHere.resolve('electron-builder/package.json')).resolve('app-builder-lib/package.json'));
const schema = JSON.parse(readFileSync(join(builderLib, 'scheme.json'), 'utf8')) as object;

interface AjvError {
  instancePath?: string;
  dataPath?: string;
  message?: string;
  params?: unknown;
}
interface AjvLike {
  compile(schema: object): ((data: unknown) => boolean) & { errors?: AjvError[] | null };
}
const AjvModule = createRequire(join(builderLib, 'package.json'))('ajv') as { default?: new (o: object) => AjvLike } & (new (o: object) => AjvLike);
const Ajv = AjvModule.default ?? AjvModule;
// Stricter than electron-builder (which coerces types): the file must match as written.
const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);

const config = parse(readFileSync(join(ROOT, 'electron-builder.yml'), 'utf8')) as Record<string, unknown> & {
  linux: { target: { target: string; arch: string[] }[]; category?: string; maintainer?: string };
  directories: { output: string };
  files: string[];
  asarUnpack: string[];
};
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  main: string;
  scripts: Record<string, string>;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

const errorsOf = (data: unknown) => (validate(data) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath ?? e.dataPath} ${e.message} ${JSON.stringify(e.params)}`));

describe('electron-builder.yml', () => {
  it('is valid against electron-builder\'s schema', () => {
    expect(errorsOf(config)).toEqual([]);
  });

  it('the validator does reject what electron-builder rejects (controls)', () => {
    expect(errorsOf({ ...config, notAnOption: true })).not.toEqual([]);
    expect(errorsOf({ ...config, linux: { ...config.linux, target: [{ target: 'deb', arch: ['pdp11'] }] } })).not.toEqual([]);
    expect(errorsOf({ ...config, asarUnpack: 42 })).not.toEqual([]);
    expect(errorsOf({ ...config, npmRebuild: 'no' })).not.toEqual([]);
  });

  it('names the app, puts packages in release/, and packs the build with package.json', () => {
    expect(config.appId).toBe('org.chargepointkiosk.kiosk');
    expect(config.productName).toBe('Chargepoint Kiosk');
    expect(config.directories.output).toBe('release');
    expect(config.files).toEqual(expect.arrayContaining(['dist/**/*', 'package.json']));
  });

  it('unpacks the native modules from the asar archive', () => {
    expect(config.asar).toBe(true);
    expect(config.asarUnpack).toEqual(expect.arrayContaining(['**/node_modules/@photostructure/sqlite/**', '**/node_modules/@serialport/**', '**/*.node']));
  });

  it('builds AppImage and deb for x64 and arm64, with a category and a maintainer', () => {
    const targets = Object.fromEntries(config.linux.target.map((t) => [t.target, [...t.arch].sort()]));
    expect(targets).toEqual({ AppImage: ['arm64', 'x64'], deb: ['arm64', 'x64'] });
    expect(config.linux.category).toBeTruthy();
    expect(config.linux.maintainer).toMatch(/<[^>]+@[^>]+>/);
  });

  it('rebuilds nothing: native modules ship N-API prebuilds', () => {
    expect(config.npmRebuild).toBe(false);
    expect(config.buildDependenciesFromSource).toBe(false);
    const scripts = Object.values(pkg.scripts).join('\n');
    expect(scripts).not.toMatch(/electron-rebuild|install-app-deps|@electron\/rebuild/);
    expect(pkg.scripts.postinstall).toBeUndefined();
    expect({ ...pkg.dependencies, ...pkg.devDependencies }).not.toHaveProperty('@electron/rebuild');
    expect({ ...pkg.dependencies, ...pkg.devDependencies }).not.toHaveProperty('electron-rebuild');
  });

  it('package.json points Electron at the bundled entry, and electron stays a dev dependency', () => {
    expect(pkg.main).toBe('dist/main/electron-main.cjs');
    expect(pkg.devDependencies).toHaveProperty('electron');
    expect(pkg.dependencies).not.toHaveProperty('electron');
    expect(pkg.scripts.start).toMatch(/npm run build/);
    expect(pkg.scripts.start).toMatch(/\belectron\b/);
  });
});
