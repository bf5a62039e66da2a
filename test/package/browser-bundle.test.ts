/**
 * A user's browser app bundles the built package (dist/, made by `npm run build`) with esbuild and no options
 * beyond `--bundle`: no externals, no plugins, no defines. The bundle must build without errors and reference
 * no module outside itself (no Node built-in: HiGHS comes from dist/highs-browser.mjs through package.json's
 * `browser` field, tfjs's own `browser` field empties its Node-only requires).
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as esbuild from 'esbuild';

const repoRoot = path.resolve(__dirname, '../..');

// Uses the task-level API, the MIP loader and the wasm backend, so every lazily imported package is reached.
const app = `
import { evaluateNetwork, loadMipSolver, networks, simbaDefaultArch, useBackend } from 'vaesa';
export async function run() {
  await useBackend('wasm', { wasmPaths: new URL('.', import.meta.url).href });
  const solver = await loadMipSolver();
  const cost = evaluateNetwork(simbaDefaultArch, networks.alexnet, { effort: 'fast' });
  return { edp: cost._tag === 'Right' ? cost.right.edp : cost.left.message, solver: solver._tag };
}
`;

let consumer: string;

beforeAll(() => {
  if (!existsSync(path.join(repoRoot, 'dist/highs-browser.mjs')) || !existsSync(path.join(repoRoot, 'dist/highs.wasm'))) {
    throw new Error('dist/ is missing: run `npm run build` first (npm test does)');
  }
  consumer = mkdtempSync(path.join(os.tmpdir(), 'vaesa-browser-app-'));
  mkdirSync(path.join(consumer, 'node_modules'));
  symlinkSync(repoRoot, path.join(consumer, 'node_modules', 'vaesa'), 'dir');
  writeFileSync(path.join(consumer, 'app.js'), app);
});

afterAll(() => {
  rmSync(consumer, { recursive: true, force: true });
  return esbuild.stop();
});

describe.each([
  ['esm', { format: 'esm' }],
  ['browser platform, minified', { platform: 'browser', format: 'esm', minify: true }],
] as const)('a plain esbuild bundle of an app importing vaesa (%s)', (_name, options) => {
  it('builds without errors and imports nothing from outside the bundle', async () => {
    const result = await esbuild.build({ entryPoints: [path.join(consumer, 'app.js')], bundle: true, write: false, metafile: true, outdir: path.join(consumer, 'out'), logLevel: 'silent', ...options });
    expect(result.errors).toEqual([]);
    const [output] = Object.values(result.metafile.outputs);
    expect(output.imports).toEqual([]);
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.some((file) => file.endsWith('dist/highs-browser.mjs'))).toBe(true);
    expect(inputs.some((file) => file.endsWith('highs/build/highs.mjs'))).toBe(false);
  });
});
