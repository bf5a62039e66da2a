/**
 * The MIP mapper in a browser bundle (issue 4): `browser-app.ts`, which imports the library's main entry, is
 * bundled by esbuild for the browser, then run by `browser-sandbox.mjs` in a V8 context with a browser's
 * globals and none of Node's, where `fetch` serves only the files of a static host (no network). The bundle
 * must reference no Node built-in: package.json's `browser` field maps `highs` to dist/highs-browser.mjs
 * (built by `npm run build`), HiGHS's loader without the `import('node:module')` of its Node-only branch.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import * as esbuild from 'esbuild';
import * as E from 'fp-ts/Either';
import { buildArchTemplate } from '../../../src/costmodel/arch-template';
import { buildCosaProblem } from '../../../src/mapper/mip/formulation';
import { findMappingMip } from '../../../src/mapper/mip/mapper';
import { loadMipSolver } from '../../../src/mapper/mip/solver';
import { convLayer } from '../../../src/workload/layer';
import type { BrowserSolveRequest, BrowserSolveResult } from './browser-app';
import { exhaustiveOptimum, tinyArch } from './exhaustive';

const wasmOnDisk = require.resolve('highs/runtime');
const site = 'https://app.example';
const bundleUrl = `${site}/assets/app.js`;

interface SandboxReport {
  readonly results: BrowserSolveResult[];
  readonly fetched: string[];
  readonly blocked: string[];
  readonly modules: string[];
  readonly nodeGlobals: Record<string, string>;
}

interface NodeBuiltinImport {
  readonly specifier: string;
  readonly importer: string;
  readonly kind: string;
}

/** Bundles the app as `esbuild --bundle --platform=browser --format=esm` does, recording every import of a Node built-in (kept external). */
async function bundleApp(): Promise<{ code: string; builtinImports: NodeBuiltinImport[]; outputImports: esbuild.Metafile['outputs'][string]['imports'] }> {
  const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
  const builtinImports: NodeBuiltinImport[] = [];
  const result = await esbuild.build({
    entryPoints: [path.join(__dirname, 'browser-app.ts')],
    bundle: true,
    platform: 'browser',
    format: 'esm',
    write: false,
    metafile: true,
    outfile: 'app.js',
    logLevel: 'silent',
    plugins: [
      {
        name: 'record-node-builtins',
        setup(build) {
          build.onResolve({ filter: /.*/ }, (args) => {
            if (!builtins.has(args.path)) return undefined;
            builtinImports.push({ specifier: args.path, importer: path.relative(path.resolve(__dirname, '../../..'), args.importer), kind: args.kind });
            return { path: args.path, external: true };
          });
        },
      },
    ],
  });
  const outputs = Object.values(result.metafile.outputs);
  expect(outputs).toHaveLength(1);
  return { code: result.outputFiles[0].text, builtinImports, outputImports: outputs[0].imports };
}

/** Runs the bundle, served at `bundleUrl`, in the browser sandbox; `files` are the rest of the static host. */
function runInSandbox(code: string, files: Record<string, string>, calls: readonly BrowserSolveRequest[]): SandboxReport {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vaesa-browser-'));
  try {
    const bundleFile = path.join(dir, 'app.js');
    writeFileSync(bundleFile, code);
    const config = JSON.stringify({ entryUrl: bundleUrl, files: { ...files, [bundleUrl]: bundleFile }, exportName: 'solveInBrowser', calls });
    const stdout = execFileSync(process.execPath, ['--experimental-vm-modules', '--no-warnings', path.join(__dirname, 'browser-sandbox.mjs'), config], {
      encoding: 'utf8',
      timeout: 60_000,
      maxBuffer: 16 * 1024 * 1024,
    });
    return JSON.parse(stdout) as SandboxReport;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const layerDims = { R: 3, S: 1, P: 2, Q: 1, C: 2, K: 2, N: 1, strideW: 2, strideH: 1 };

describe('the MIP mapper in a browser bundle', () => {
  let bundle: Awaited<ReturnType<typeof bundleApp>>;

  beforeAll(async () => {
    bundle = await bundleApp();
  });

  afterAll(() => esbuild.stop());

  it('references no Node built-in (HiGHS comes from its browser build, dist/highs-browser.mjs)', () => {
    expect(bundle.outputImports).toEqual([]);
    // tfjs's `require('fs')` and the like are asked for too, and its own `browser` field maps them to empty modules.
    expect(bundle.builtinImports.filter((i) => i.importer.includes('highs') || i.specifier.endsWith('module'))).toEqual([]);
  });

  it('loads highs.wasm from the package without network (beside the bundle, as bytes, or at a given URL) and solves like Node', async () => {
    const nodeSolver = await loadMipSolver();
    if (E.isLeft(nodeSolver)) throw new Error(nodeSolver.left.message);
    const layer = convLayer(layerDims);
    const inNode = findMappingMip(nodeSolver.right, tinyArch, layer, { relativeGap: 0, timeLimitSeconds: 60 });
    if (E.isLeft(inNode)) throw new Error(inNode.left._tag);
    // `new URL('highs.wasm', import.meta.url)`: the file copied next to the bundle.
    const besideBundle = `${site}/assets/highs.wasm`;
    const fromCdn = `${site}/static/solver/highs-1234abcd.wasm`;
    const report = runInSandbox(bundle.code, { [besideBundle]: wasmOnDisk, [fromCdn]: wasmOnDisk }, [
      { wasm: { kind: 'default' }, arch: tinyArch, layer: layerDims },
      { wasm: { kind: 'bytes', url: fromCdn }, arch: tinyArch, layer: layerDims },
      { wasm: { kind: 'locateFile', url: fromCdn }, arch: tinyArch, layer: layerDims },
    ]);

    expect(report.nodeGlobals).toEqual({ process: 'undefined', require: 'undefined', module: 'undefined', Buffer: 'undefined', __dirname: 'undefined', global: 'undefined' });
    const optimum = exhaustiveOptimum(buildCosaProblem(buildArchTemplate(tinyArch), layer));
    for (const result of report.results) {
      if (result._tag !== 'Solved') throw new Error(JSON.stringify(result));
      expect(result.optimal).toBe(true);
      expect(result.objective).toBeCloseTo(optimum, 6);
      expect(result.objective).toBeCloseTo(inNode.right.objective, 9);
      expect(result.mapping).toEqual(inNode.right.mapping);
    }
    expect(report.fetched).toEqual([besideBundle, fromCdn, fromCdn]);
    expect(report.blocked).toEqual([]);
    expect(report.modules).toEqual([bundleUrl]);
  });

  it('resolves to an IoError naming highs.wasm when the binary is not served (and fetches nothing else)', () => {
    const missing = `${site}/assets/missing/highs.wasm`;
    const report = runInSandbox(bundle.code, {}, [{ wasm: { kind: 'locateFile', url: missing }, arch: tinyArch, layer: layerDims }]);
    expect(report.results).toHaveLength(1);
    const [result] = report.results;
    expect(result._tag === 'LoadFailed' && result.errorTag).toBe('IoError');
    expect(result._tag === 'LoadFailed' && result.error).toMatch(/^highs\.wasm: cannot load the HiGHS solver/);
    expect(new Set(report.blocked)).toEqual(new Set([missing]));
    expect(report.fetched).toEqual([]);
  });
});
