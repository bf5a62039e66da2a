/**
 * Build entry, not imported by the library: HiGHS's ES-module loader for browser bundles. package.json's
 * `browser` field maps `highs` to its build (dist/highs-browser.mjs), so a bundler targeting browsers never
 * meets the `import("node:module")` of HiGHS's Node-only branch, which fails esbuild and webpack builds even
 * when the MIP mapper is unused. tsup.config.ts bundles `highs` in and replaces `node:module` with a stub that
 * throws; the binary is still looked up at `new URL('highs.wasm', import.meta.url)` (solver.ts says where).
 */
export { default } from 'highs';
