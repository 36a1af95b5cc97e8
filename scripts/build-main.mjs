// Bundles the main-process entry points with esbuild; node_modules stay external
// (the native modules load from there, in Node and in Electron alike):
//   dist/main/web-main.js        the web host (ESM, plain Node): turns Node's compile cache on,
//                                then imports the kiosk, a chunk of its own (web-kiosk.js)
//   dist/main/electron-main.cjs  the Electron entry (CommonJS; 'electron' and every package external)
//   dist/main/preload.cjs        the screen's preload: ONE CommonJS file requiring only 'electron',
//                                since a sandboxed preload cannot load anything else
// With --schema: writes the configuration's JSON Schema to kiosk.schema.json.
// The option objects are exported for the tests (test/unit/electron/bundles.test.ts).
import { build } from 'esbuild';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const webMainOptions = {
  entryPoints: { 'web-main': 'electron/web-main.ts' },
  outdir: 'dist/main',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  // web-main's import('./web-kiosk.js') stays a file of its own, loaded after the compile cache is on.
  splitting: true,
  chunkNames: '[name]',
  sourcemap: true,
  logLevel: 'warning',
};

export const electronMainOptions = {
  entryPoints: { 'electron-main': 'electron/shell/main.ts' },
  outdir: 'dist/main',
  outExtension: { '.js': '.cjs' },
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node22',
  packages: 'external',
  // The sources are ESM and find their files through import.meta.url. Node's module compile
  // cache (as in web-main.ts) goes on first, before any package is required.
  define: { 'import.meta.url': '__kioskModuleUrl' },
  banner: { js: 'require("node:module").enableCompileCache?.();\nconst __kioskModuleUrl = require("node:url").pathToFileURL(__filename).href;' },
  sourcemap: true,
  logLevel: 'warning',
};

export const preloadOptions = {
  entryPoints: { preload: 'electron/shell/preload.ts' },
  outdir: 'dist/main',
  outExtension: { '.js': '.cjs' },
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'chrome140', // Electron 45
  external: ['electron'],
  sourcemap: true,
  logLevel: 'warning',
};

const runDirectly = process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url);

if (runDirectly) {
  await Promise.all([build(webMainOptions), build(electronMainOptions), build(preloadOptions)]);

  if (process.argv.includes('--schema')) {
    const { z } = await import('zod');
    // Built afresh every time: a bundle left from an earlier build would publish an old schema.
    await build({ entryPoints: { 'config-schema': 'electron/config/config-schema.ts' }, outdir: 'dist/main', bundle: true, platform: 'node', format: 'esm', packages: 'external', logLevel: 'warning' });
    const { KioskConfig } = await import('../dist/main/config-schema.js');
    writeFileSync('kiosk.schema.json', JSON.stringify(z.toJSONSchema(KioskConfig, { io: 'input' }), null, 2) + '\n');
    console.log('wrote kiosk.schema.json');
  }
}
