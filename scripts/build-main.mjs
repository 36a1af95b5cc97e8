// Bundles the main-process entry points with esbuild; node_modules stay external
// (the native modules load from there, in Node and in Electron alike).
// With --schema: writes the configuration's JSON Schema to kiosk.schema.json.
import { build } from 'esbuild';
import { writeFileSync } from 'node:fs';

await build({
  entryPoints: { 'web-main': 'electron/web-main.ts' },
  outdir: 'dist/main',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  sourcemap: true,
  logLevel: 'warning',
});

if (process.argv.includes('--schema')) {
  const { z } = await import('zod');
  const { KioskConfig } = await import('../dist/main/config-schema.js').catch(async () => {
    await build({ entryPoints: { 'config-schema': 'electron/config/config-schema.ts' }, outdir: 'dist/main', bundle: true, platform: 'node', format: 'esm', packages: 'external', logLevel: 'warning' });
    return import('../dist/main/config-schema.js');
  });
  writeFileSync('kiosk.schema.json', JSON.stringify(z.toJSONSchema(KioskConfig, { io: 'input' }), null, 2) + '\n');
  console.log('wrote kiosk.schema.json');
}
