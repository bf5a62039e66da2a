import { defineConfig } from 'tsup';

// fp-ts has no `exports` map, so its subpath imports (fp-ts/Either) cannot be resolved by Node's ESM
// loader from our .mjs build; it is small and tree-shaken, so it is bundled. Its values are plain
// objects ({ _tag: 'Left' | 'Right' }), so they interoperate with the user's own fp-ts.
// tfjs-core's gradient registrations exist only as ES modules with extensionless imports (its
// CommonJS build omits them), so they are bundled; they register into tfjs's global registry, and
// tfjs-core itself stays external so there is one engine (src/model/tf.ts).
const noExternal = [/^fp-ts/, /^@tensorflow\/tfjs-core\/dist\//];

export default defineConfig([
  {
    entry: { index: 'src/index.ts' },
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'node20',
    splitting: false,
    noExternal,
  },
  {
    // Separate from the main entry because its ESM shims import node:path and node:url: the dataset pool
    // finds dist/dataset-worker.js next to the bundle through __dirname, also in the .mjs build.
    entry: { node: 'src/node.ts' },
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    target: 'node20',
    splitting: false,
    noExternal,
    shims: true,
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
