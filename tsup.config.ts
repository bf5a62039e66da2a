import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { defineConfig } from 'tsup';
import type { Plugin } from 'esbuild';

// fp-ts has no `exports` map, so its subpath imports (fp-ts/Either) cannot be resolved by Node's ESM
// loader from our .mjs build; it is small and tree-shaken, so it is bundled. Its values are plain
// objects ({ _tag: 'Left' | 'Right' }), so they interoperate with the user's own fp-ts.
// tfjs-core's gradient registrations exist only as ES modules with extensionless imports (its
// CommonJS build omits them), so they are bundled; they register into tfjs's global registry, and
// tfjs-core itself stays external so there is one engine (src/model/tf.ts).
const noExternal = [/^fp-ts/, /^@tensorflow\/tfjs-core\/dist\//];

/**
 * HiGHS's Node branch (`import("node:module")`, run only when `process.versions.node` is set) becomes a stub
 * that throws, and highs.wasm is copied beside the output, where HiGHS's `new URL('highs.wasm',
 * import.meta.url)` points and where Vite and webpack find it to emit as an asset.
 */
const highsWasm = createRequire(path.resolve('package.json')).resolve('highs/runtime');
const highsForBrowsers: Plugin = {
  name: 'highs-for-browsers',
  setup(build) {
    // The package's ES module, named directly: our own `browser` field would map `highs` to this very output.
    build.onResolve({ filter: /^highs$/ }, () => ({ path: path.join(path.dirname(highsWasm), 'highs.mjs') }));
    build.onResolve({ filter: /^node:module$/ }, () => ({ path: 'node:module', namespace: 'node-only' }));
    build.onLoad({ filter: /.*/, namespace: 'node-only' }, () => ({
      contents: "export function createRequire() { throw new Error('vaesa: this build of HiGHS is for browsers; Node resolves the highs package itself'); }",
    }));
    build.onEnd(() => {
      mkdirSync('dist', { recursive: true });
      copyFileSync(highsWasm, 'dist/highs.wasm');
    });
  },
};

/**
 * In the ES module build, gives the few Node-only sources that use `__dirname`/`__filename` (the dataset
 * pool finds dist/dataset-worker.js beside itself) their values from `import.meta.url`. tsup's `shims`
 * would inject the same into every chunk, putting `path` and `url` imports into the shared chunk that
 * browser bundles load.
 */
const esmFileLocation: Plugin = {
  name: 'esm-file-location',
  setup(build) {
    build.onLoad({ filter: /[\\/]src[\\/].*\.ts$/ }, (args) => {
      const source = readFileSync(args.path, 'utf8');
      const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
      if (!/\b__(dirname|filename)\b/.test(code)) return undefined;
      const location = [
        "import { fileURLToPath as fileLocationFromUrl } from 'node:url';",
        "import { dirname as directoryOfFile } from 'node:path';",
        'const __filename = fileLocationFromUrl(import.meta.url);',
        'const __dirname = directoryOfFile(__filename);',
      ].join(' ');
      return { contents: `${location}\n${source}`, loader: 'ts' };
    });
  },
};

// One build of both entries with shared chunks, so `vaesa/node` re-exports the very functions and classes
// of `vaesa` (one module instance: `instanceof` holds across them). The Node-only edges (file and
// worker-thread I/O) live in chunks only the node entry imports, so the main entry stays free of `node:`
// imports and bundles for the browser. ESM and CJS are separate configs because tsup builds split CJS
// from ESM output, where `esmFileLocation`'s `import.meta` must not reach.
const libraryEntries = {
  entry: { index: 'src/index.ts', node: 'src/node.ts' },
  dts: true,
  sourcemap: true,
  // No `clean`: the configs build concurrently, and one cleaning dist/ could delete another's output
  // (highs.wasm); `npm run build` empties dist/ before tsup starts.
  target: 'node20',
  splitting: true,
  noExternal,
} as const;

export default defineConfig([
  { ...libraryEntries, format: ['esm'], esbuildPlugins: [esmFileLocation] },
  { ...libraryEntries, format: ['cjs'] },
  {
    // package.json's `browser` field maps `highs` here (src/mapper/mip/highs-browser.ts).
    entry: { 'highs-browser': 'src/mapper/mip/highs-browser.ts' },
    format: ['esm'],
    platform: 'browser',
    target: 'es2022',
    splitting: false,
    noExternal: [/^highs$/],
    removeNodeProtocol: false,
    esbuildPlugins: [highsForBrowsers],
  },
  {
    // Worker-thread entry of the dataset generation pool (src/dataset/pool.ts).
    entry: { 'dataset-worker': 'src/dataset/worker.ts' },
    format: ['cjs'],
    sourcemap: true,
    target: 'node20',
    noExternal,
  },
  {
    entry: { cli: 'src/cli/main.ts' },
    format: ['cjs'],
    sourcemap: true,
    target: 'node20',
    noExternal,
    banner: { js: '#!/usr/bin/env node' },
  },
]);
