#!/usr/bin/env node
// Bundle the command line that tsc compiled to dist/ into dist/overlab.mjs,
// which bin/overlab.js loads. Node 20 compiles each ES module file on its
// own, and `overlab verify` loaded about 280 of them: bundled, it took 1.2 s
// instead of 1.6 s on a 2-core machine.
//
// Commands that cli.ts imports lazily get chunks of their own, so a command
// loads only the code it runs. The chunks sit next to dist/overlab.mjs
// because paths.ts finds book/, labs/ and vm/ one directory above itself.
// testcontainers is left out: its ssh2 dependency loads native addons by
// relative path, which a bundle would break.
import { readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';

const dist = path.resolve(import.meta.dirname, '..', 'dist');
// tsc writes only .js files, so every .mjs in dist/ comes from an earlier bundle.
for (const file of readdirSync(dist)) if (file.endsWith('.mjs')) rmSync(path.join(dist, file));

await build({
  entryPoints: { overlab: path.join(dist, 'cli.js') },
  outdir: dist,
  outExtension: { '.js': '.mjs' },
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: ['testcontainers'],
  // CommonJS dependencies (debug, commander) call require() for Node's own
  // modules, which an ES module does not have.
  banner: { js: "import { createRequire as overlabCreateRequire } from 'node:module'; const require = overlabCreateRequire(import.meta.url);" },
  logLevel: 'warning',
});
