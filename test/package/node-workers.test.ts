/**
 * The built `vaesa/node` entry (CJS and ESM) generates a dataset on worker threads with the built
 * dist/dataset-worker.js, and gives the same rows as the in-thread `generateDataset` of the main entry.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const repoRoot = path.resolve(__dirname, '../..');
let consumer: string;

// A user's evaluator module in plain CommonJS, as a worker loads it.
const evaluatorSource = `
exports.createToyEvaluator = (options) => (arch, layer) => ({
  cycles: Math.ceil((layer.R * layer.S * layer.P * layer.Q * layer.C * layer.K * layer.N) / arch.macs) + options.offset,
  energy: layer.C * layer.K * 0.5 + arch.globalBuffer / 1024,
});
`;

const script = (lib: string, node: string) => `
  const options = {
    space: ${lib}.simbaSpace,
    networks: [${lib}.networks.alexnet],
    sampler: { kind: 'random', count: 12 },
    seed: 4,
  };
  const spec = { module: './toy-evaluator.js', export: 'createToyEvaluator', options: { offset: 7 } };
  const collect = async (rows) => { const out = []; for await (const r of rows) out.push(r); return out; };
  (async () => {
    const toy = require('./toy-evaluator.js').createToyEvaluator({ offset: 7 });
    const here = await collect(${lib}.generateDataset({ ...options, evaluator: toy }));
    const threads = await collect(${node}.generateDatasetOnWorkers({ ...options, evaluator: spec, workers: 2, chunkSize: 5 }));
    console.log(JSON.stringify({ rows: threads.length, same: JSON.stringify(here) === JSON.stringify(threads) }));
  })().catch((e) => { console.error(e); process.exit(1); });
`;

function run(args: string[]): unknown {
  return JSON.parse(execFileSync(process.execPath, args, { cwd: consumer, encoding: 'utf8', timeout: 60_000 }));
}

describe('built vaesa/node', () => {
  beforeAll(() => {
    if (!existsSync(path.join(repoRoot, 'dist/node.js')) || !existsSync(path.join(repoRoot, 'dist/dataset-worker.js'))) {
      throw new Error('dist/ is missing: run `npm run build` first (npm test does)');
    }
    consumer = mkdtempSync(path.join(os.tmpdir(), 'vaesa-node-consumer-'));
    mkdirSync(path.join(consumer, 'node_modules'));
    symlinkSync(repoRoot, path.join(consumer, 'node_modules/vaesa'), 'dir');
    writeFileSync(path.join(consumer, 'toy-evaluator.js'), evaluatorSource);
  });
  afterAll(() => rmSync(consumer, { recursive: true, force: true }));

  it('generates on 2 worker threads from CommonJS, equal to the in-thread rows', () => {
    const code = `const lib = require('vaesa'); const node = require('vaesa/node');${script('lib', 'node')}`;
    expect(run(['-e', code])).toEqual({ rows: 12 * 8, same: true });
  });

  it("runs the built-in cost model on threads as { module: 'vaesa/node', export: 'costModelEvaluator' }", () => {
    const code = `const node = require('vaesa/node');
      const options = { space: node.simbaSpace, layers: [node.networks.alexnet.layers[2].layer], sampler: { kind: 'random', count: 3 }, seed: 1 };
      const collect = async (rows) => { const out = []; for await (const r of rows) out.push(r); return out; };
      (async () => {
        const here = await collect(node.generateDataset({ ...options, evaluator: node.costModelEvaluator().right }));
        const threads = await collect(node.generateDatasetOnWorkers({ ...options, evaluator: { module: 'vaesa/node', export: 'costModelEvaluator' }, workers: 2, chunkSize: 1 }));
        console.log(JSON.stringify({ rows: threads.length, withArea: threads.every((r) => r.area > 0), same: JSON.stringify(here) === JSON.stringify(threads) }));
      })().catch((e) => { console.error(e); process.exit(1); });`;
    expect(run(['-e', code])).toEqual({ rows: 3, withArea: true, same: true });
  });

  it('generates on 2 worker threads from ESM, equal to the in-thread rows', () => {
    const code = `import * as lib from 'vaesa'; import * as node from 'vaesa/node'; import { createRequire } from 'node:module';
      const require = createRequire(process.cwd() + '/x.js');${script('lib', 'node')}`;
    expect(run(['--input-type=module', '-e', code])).toEqual({ rows: 12 * 8, same: true });
  });
});

describe('loadEvaluator from the build', () => {
  it("finds 'vaesa/node' from a working directory without node_modules (the package naming itself)", () => {
    const bare = mkdtempSync(path.join(os.tmpdir(), 'vaesa-bare-'));
    try {
      const code = `require(${JSON.stringify(path.join(repoRoot, 'dist/node.js'))})
        .loadEvaluator({ module: 'vaesa/node', export: 'createRng', options: 1 })
        .then(() => console.log('"loaded"'), (e) => console.log(JSON.stringify(e.message)));`;
      // createRng is found (so the module resolved) but is not an evaluator factory.
      expect(JSON.parse(execFileSync(process.execPath, ['-e', code], { cwd: bare, encoding: 'utf8' }))).toBe(
        'vaesa/node#createRng did not return an evaluator function',
      );
    } finally {
      rmSync(bare, { recursive: true, force: true });
    }
  });
});
