// `npm run start:web`: the kiosk's brain with its screen served to a browser on
// 127.0.0.1 (web-kiosk.ts; options: see boot.ts).
//
// First Node's module compile cache is turned on (Node 22.1+; V8's compiled code of the
// kiosk and its packages kept on disk, in NODE_COMPILE_CACHE or else
// <tmpdir>/node-compile-cache; NODE_DISABLE_COMPILE_CACHE=1 turns it off), then the
// kiosk is imported: only a module loaded after this call is cached, and an ES module's
// static imports load before any of its code runs. The build keeps web-kiosk in a chunk of
// its own for that (scripts/build-main.mjs). It never fails the start: a cache it cannot
// use is a cache it goes without.
import module from 'node:module';

module.enableCompileCache?.();
await import('./web-kiosk.js');
