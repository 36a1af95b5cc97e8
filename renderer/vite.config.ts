// Builds the kiosk screen. The same bundle is loaded by Electron (file://, hence the
// relative base) and by the web host (http://127.0.0.1:<port>/).
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

export default defineConfig({
  root: import.meta.dirname,
  base: './',
  plugins: [react()],
  build: {
    // Relative to root: <repo>/dist/renderer.
    outDir: '../dist/renderer',
    emptyOutDir: true,
    target: 'es2022',
    // The strict CSP forbids inline scripts and styles; keep every asset a file.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    reportCompressedSize: true,
  },
});
