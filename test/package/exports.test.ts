/**
 * Checks the built package (dist/, made by `npm run build`, which `npm test` runs first) from plain Node:
 * the CJS and ESM files directly, and the package name through package.json's `exports` map.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { builtinModules } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';

const repoRoot = path.resolve(__dirname, '../..');

/** A script printing a few results that exercise the workload, hardware, common and dataset faces. */
const probe = (lib: string) => `
  const out = {
    macs: lib.networkMacs(lib.networks.alexnet),
    encoded: lib.encodeArch(lib.simbaSpace, lib.simbaDefaultArch).map((x) => Math.round(x * 1e6) / 1e6),
    parsed: lib.parseVaesaWorkload('[[1,1,1,1,16,10,1,1,0]]')._tag,
    rng: lib.createRng(1).int(1000) === lib.createRng(1).int(1000),
    features: lib.workload.layerFeatures(lib.networks.resnet50.layers[0].layer),
    rootNames: Object.keys(lib).length,
    internalsAtRoot: Object.keys(lib).filter((k) => /^PACKED_|^toLpFormat$|^MappingEvaluator$|^dense$/.test(k)),
    namespaced: typeof lib.costmodel.buildArchTemplate === 'function' && typeof lib.mapper.mipMapper === 'function',
  };
  console.log(JSON.stringify(out));
`.replace(/lib\b/g, lib);

const expected = {
  macs: 714_188_480,
  encoded: [0.666667, 0.6, 0.75, 0.875, 0.833333, 0.888889],
  parsed: 'Left',
  rng: true,
  features: [7, 7, 112, 112, 3, 64, 1, 2, 2],
  // The root is curated: task-level names and one namespace per module; internals only under their namespace.
  rootNames: expect.any(Number),
  internalsAtRoot: [],
  namespaced: true,
};

/** Module specifiers a built file imports or requires. */
function importSpecifiers(file: string): string[] {
  const text = readFileSync(path.join(repoRoot, file), 'utf8');
  return [...text.matchAll(/(?:^import[^'"]*|\bfrom |\brequire\()["']([^"']+)["']/gm)].map((m) => m[1]);
}

/** A built entry and every dist/ file it reaches through relative imports (its shared chunks). */
function loadedFiles(entry: string): string[] {
  const seen = new Set<string>([entry]);
  for (const file of seen) {
    for (const specifier of importSpecifiers(file)) {
      if (specifier.startsWith('./')) seen.add(path.posix.join(path.posix.dirname(file), specifier));
    }
  }
  return [...seen];
}

function runNode(args: string[], cwd: string): Record<string, unknown> {
  return JSON.parse(execFileSync(process.execPath, args, { cwd, encoding: 'utf8', timeout: 30_000 })) as Record<string, unknown>;
}

describe('built package', () => {
  beforeAll(() => {
    if (!existsSync(path.join(repoRoot, 'dist/index.js')) || !existsSync(path.join(repoRoot, 'dist/index.mjs'))) {
      throw new Error('dist/ is missing: run `npm run build` first (npm test does)');
    }
  });

  it('require() of dist/index.js works from CommonJS', () => {
    const file = JSON.stringify(path.join(repoRoot, 'dist/index.js'));
    const out = runNode(['-e', `const lib = require(${file});${probe('lib')}`], repoRoot);
    expect(out).toEqual(expected);
    expect(out.rootNames).toBeLessThan(120);
  });

  it('import() of dist/index.mjs works from ESM', () => {
    const url = JSON.stringify(`file://${path.join(repoRoot, 'dist/index.mjs')}`);
    expect(runNode(['--input-type=module', '-e', `const lib = await import(${url});${probe('lib')}`], repoRoot)).toEqual(expected);
  });

  it('keeps the main entry and the chunks it loads free of Node built-ins (it bundles for the browser; Node I/O is in vaesa/node)', () => {
    const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
    for (const entry of ['dist/index.mjs', 'dist/index.js']) {
      const files = loadedFiles(entry);
      expect(files.length).toBeGreaterThan(1);
      const specifiers = files.flatMap(importSpecifiers);
      expect(specifiers.length).toBeGreaterThan(0);
      expect(specifiers.filter((s) => builtins.has(s))).toEqual([]);
    }
  });

  it('vaesa/node re-exports the same module instance as vaesa (identity and instanceof hold across entries)', () => {
    const check = (lib: string, node: string) => `
      const failure = new ${node}.common.EvaluatorFailure('probe');
      console.log(JSON.stringify({
        sameFunction: ${lib}.trainVaesa === ${node}.trainVaesa && ${lib}.latentSearch === ${node}.latentSearch,
        sameNamespace: ${lib}.costmodel.ArchMappingEvaluator === ${node}.costmodel.ArchMappingEvaluator,
        instanceOf: failure instanceof ${lib}.common.EvaluatorFailure,
      }));`;
    const same = { sameFunction: true, sameNamespace: true, instanceOf: true };
    const files = (ext: string) => ['index', 'node'].map((name) => JSON.stringify(path.join(repoRoot, `dist/${name}.${ext}`)));
    const [cjsMain, cjsNode] = files('js');
    expect(runNode(['-e', `const lib = require(${cjsMain}); const node = require(${cjsNode});${check('lib', 'node')}`], repoRoot)).toEqual(same);
    const [esmMain, esmNode] = files('mjs').map((f) => JSON.stringify(`file://${JSON.parse(f)}`));
    const esm = `const lib = await import(${esmMain}); const node = await import(${esmNode});${check('lib', 'node')}`;
    expect(runNode(['--input-type=module', '-e', esm], repoRoot)).toEqual(same);
  });

  describe('by package name through the exports map', () => {
    let consumer: string;
    beforeAll(() => {
      // A throwaway project whose node_modules/vaesa links to this repository, as after `npm install`.
      consumer = mkdtempSync(path.join(os.tmpdir(), 'vaesa-consumer-'));
      mkdirSync(path.join(consumer, 'node_modules'));
      symlinkSync(repoRoot, path.join(consumer, 'node_modules/vaesa'), 'dir');
    });
    afterAll(() => rmSync(consumer, { recursive: true, force: true }));

    it("require('vaesa') resolves the CJS build", () => {
      expect(runNode(['-e', `console.log(JSON.stringify(require.resolve('vaesa')))`], consumer)).toBe(
        path.join(repoRoot, 'dist/index.js'),
      );
      expect(runNode(['-e', `const lib = require('vaesa');${probe('lib')}`], consumer)).toEqual(expected);
    });

    it("import 'vaesa' resolves the ESM build", () => {
      expect(runNode(['--input-type=module', '-e', `console.log(JSON.stringify(import.meta.resolve('vaesa')))`], consumer)).toBe(
        `file://${path.join(repoRoot, 'dist/index.mjs')}`,
      );
      expect(runNode(['--input-type=module', '-e', `import * as lib from 'vaesa';${probe('lib')}`], consumer)).toEqual(expected);
    });
  });
});
