import { defineConfig } from 'tsup';

// fp-ts has no `exports` map, so its subpath imports (fp-ts/Either) cannot be resolved by Node's ESM
// loader from our .mjs build; it is small and tree-shaken, so it is bundled. Its values are plain
// objects ({ _tag: 'Left' | 'Right' }), so they interoperate with the user's own fp-ts.
const noExternal = [/^fp-ts/];

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
    entry: { cli: 'src/cli/main.ts' },
    format: ['cjs'],
    sourcemap: true,
    target: 'node20',
    noExternal,
    banner: { js: '#!/usr/bin/env node' },
  },
]);
