/**
 * The `vaesa` command end to end on tiny sizes, in process (runCli) for speed, plus the built bin
 * for exit codes. Outputs are checked through --json.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runCli } from '../../src/cli/main';
import { vaesaHeader } from '../../src/dataset';
import { networks, uniqueLayers } from '../../src/workload';
import { buildOnnx } from '../workload/onnx-build';
import { OWN_SPACE_INPUT } from '../fixtures/own-space';

const repoRoot = path.resolve(__dirname, '../..');
const reference = path.resolve(repoRoot, '../shared/reference');

/** Runs the CLI in process, returning exit code, stdout and stderr. */
async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const so = jest.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => ((out += String(s)), true));
  const se = jest.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => ((err += String(s)), true));
  // tfjs greets Node users once on console.warn (stderr outside jest; jest would mix it into stdout).
  const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
  try {
    const code = await runCli(args);
    return { code, out, err };
  } finally {
    so.mockRestore();
    se.mockRestore();
    warn.mockRestore();
  }
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'vaesa-cli-'));
  // Two small layers in VAESA's workload format.
  writeFileSync(path.join(dir, 'layers.json'), JSON.stringify([[3, 3, 14, 14, 32, 64, 1, 1, 1], [1, 1, 7, 7, 64, 128, 1, 1, 1]]));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('vaesa --version', () => {
  it("prints the package's version and exits 0", async () => {
    const version = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')).version;
    for (const flag of ['--version', '-V']) expect(await cli(flag)).toEqual({ code: 0, out: `${version}\n`, err: '' });
  });
});

describe('vaesa evaluate', () => {
  it('reports cycles, energy, area, EDP and the mapping of each layer as JSON', async () => {
    const r = await cli('evaluate', '--layers', path.join(dir, 'layers.json'), '--json');
    expect(r.code).toBe(0);
    const json = JSON.parse(r.out);
    const net = json.networks[0];
    expect(net.layers).toHaveLength(2);
    for (const l of net.layers) {
      expect(l.cost.cycles).toBeGreaterThanOrEqual((l.layer.R * l.layer.S * l.layer.P * l.layer.Q * l.layer.C * l.layer.K) / json.arch.macs);
      expect(l.cost.edp).toBeCloseTo(l.cost.cycles * l.cost.energy, -3);
      expect(l.cost.mapping.levels).toHaveLength(6);
    }
    expect(net.cycles).toBe(net.layers[0].cost.cycles + net.layers[1].cost.cycles);
    expect(json.arch).toEqual({ meshX: 16, macs: 1024, accumulationBuffer: 64, weightBuffer: 16384, inputBuffer: 1024, globalBuffer: 65536 });
  });

  it('takes design flags and rejects invalid ones with one line', async () => {
    const ok = await cli('evaluate', '--layers', path.join(dir, 'layers.json'), '--mesh-x', '8', '--macs', '512', '--json');
    expect(JSON.parse(ok.out).arch.meshX).toBe(8);
    const bad = await cli('evaluate', '--layers', path.join(dir, 'layers.json'), '--mesh-x', '3');
    expect(bad.code).toBe(2);
    expect(bad.err.trim().split('\n')).toHaveLength(1);
    expect(bad.err).toMatch(/meshX.*power of two/);
  });

  it('names an unknown network and a missing file', async () => {
    const net = await cli('evaluate', '--network', 'resnet51');
    expect(net.code).toBe(2);
    expect(net.err).toMatch(/resnet51/);
    const file = await cli('evaluate', '--layers', path.join(dir, 'nope.json'));
    expect(file.code).toBe(2);
    expect(file.err).toMatch(/nope\.json/);
  });
});

describe('vaesa evaluate --onnx', () => {
  it('costs an ONNX model layer by layer and lists what it did not cost', async () => {
    const model = path.join(dir, 'tiny.onnx');
    writeFileSync(
      model,
      buildOnnx({
        inputs: { x: ['batch', 16, 32] },
        weights: { w: [32, 32] },
        ints: { perm: [0, 2, 1] },
        nodes: [
          { op: 'MatMul', inputs: ['x', 'w'], outputs: ['q'] },
          { op: 'Transpose', inputs: ['q'], outputs: ['k'], attrs: { perm: [0, 2, 1] } },
          { op: 'MatMul', inputs: ['q', 'k'], outputs: ['s'] },
          { op: 'Softmax', inputs: ['s'], outputs: ['p'], attrs: { axis: -1 } },
        ],
      }),
    );
    const human = await cli('evaluate', '--onnx', model, '--onnx-dims', 'batch=2');
    expect(human.code).toBe(0);
    expect(human.out).toMatch(/matmul M32_N32_K32 +1 /);
    expect(human.out).toMatch(/batched-matmul B2_M16_N16_K32 \(act x act\) +1 .* 2 x 1_1_16_1_32_16_1_1_1_1_1/);
    expect(human.out).toMatch(/not costed \(2 nodes\): Softmax 1, Transpose 1/);
    const json = JSON.parse((await cli('evaluate', '--onnx', model, '--onnx-dims', 'batch=2', '--json')).out);
    expect(json.notCosted).toEqual([{ network: 'tiny', ops: [{ opType: 'Softmax', count: 1, outputElements: 2 * 16 * 16 }, { opType: 'Transpose', count: 1, outputElements: 2 * 32 * 16 }] }]);
    const dynamic = await cli('evaluate', '--onnx', model);
    expect(dynamic.code).toBe(2);
    expect(dynamic.err).toMatch(/dynamic dimension.*--onnx-dims.*batch/);
    writeFileSync(path.join(dir, 'cut.onnx'), readFileSync(model).subarray(0, 40));
    const cut = await cli('evaluate', '--onnx', path.join(dir, 'cut.onnx'));
    expect(cut.code).toBe(2);
    expect(cut.err.trim().split('\n')).toHaveLength(1);
  });
});

describe('vaesa evaluate --accelerator', () => {
  it('costs GPT-2 decode on an Eyeriss-like accelerator with every layer native', async () => {
    const r = await cli('evaluate', '--network', 'gpt2-decode', '--accelerator', 'eyeriss', '--json');
    expect(r.code).toBe(0);
    const net = JSON.parse(r.out).networks[0];
    expect(net.layers.map((l: { count: number }) => l.count)).toEqual(networks['gpt2-decode'].layers.map((e) => e.count));
    expect(net.cycles).toBe(net.layers.reduce((s: number, l: { count: number; cost: { cycles: number } }) => s + l.count * l.cost.cycles, 0));
    expect(net.layers[1].layer.kind).toBe('batched-matmul');
    const human = await cli('evaluate', '--network', 'gpt2-decode', '--accelerator', 'eyeriss');
    expect(human.out).toMatch(/^batched-matmul B12_M1_N1024_K64 \(act x act\) +12 /m);
    const accelergy = await cli('evaluate', '--network', 'gpt2-decode', '--accelerator', 'eyeriss', '--model', 'accelergy');
    expect(accelergy.code).toBe(2);
  });
});

describe('vaesa dataset, train and search', () => {
  const csv = () => path.join(dir, 'data.csv');
  const model = () => path.join(dir, 'model');

  it('generates a dataset in VAESA format, and resumes without duplicating rows', async () => {
    const args = ['dataset', 'generate', '--layers', path.join(dir, 'layers.json'), '--samples', '12', '--seed', '3', '--workers', '0', '--out', csv(), '--json'];
    const r = await cli(...args);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ rows: 24, complete: true });
    const lines = readFileSync(csv(), 'utf8').trim().split('\n');
    expect(lines[0]).toBe(vaesaHeader({ withLayer: true, withArea: false }));
    expect(lines).toHaveLength(25);
    const again = await cli(...args);
    expect(JSON.parse(again.out)).toMatchObject({ rows: 24, resumedFrom: 24 });
    expect(readFileSync(csv(), 'utf8').trim().split('\n')).toEqual(lines);
    // Another cost model (or mapper effort) would give other numbers: refused, the file untouched.
    for (const flag of [['--model', 'accelergy'], ['--mapper-effort', 'fast']]) {
      const other = await cli(...args, ...flag);
      expect(other.code).toBe(2);
      expect(other.err).toMatch(/made with evaluator .*not resuming/);
      expect(readFileSync(csv(), 'utf8').trim().split('\n')).toEqual(lines);
    }
  });

  it('reports dataset statistics', async () => {
    const r = await cli('dataset', 'stats', csv(), '--json');
    const json = JSON.parse(r.out);
    expect(json.rows).toBe(24);
    expect(json.layers).toHaveLength(2);
    expect(json.ranges.cycles.min).toBeGreaterThan(0);
  });

  it('converts per-layer reference files into one training file', async () => {
    const out = path.join(dir, 'converted.csv');
    const r = await cli('dataset', 'convert', '--in', path.join(reference, 'timeloop-cosa/layers/1_1_1_1_2048_1000_1_1_1_1_1.csv.gz'), '--out', out, '--sample', '50', '--seed', '1', '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ rowsWritten: 50 });
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(51);
    expect(lines[1].split(',').slice(-9)).toEqual(['1', '1', '1', '1', '2048', '1000', '1', '1', '1']);
  });

  it('trains a model and saves a checkpoint', async () => {
    const r = await cli('train', '--data', csv(), '--out', model(), '--epochs', '2', '--seed', '1', '--json');
    expect({ code: r.code, err: r.err }).toEqual({ code: 0, err: '' });
    const json = JSON.parse(r.out);
    expect(json.epochs).toBe(2);
    expect(json.rows.train + json.rows.valid + json.rows.test).toBe(24);
    expect(existsSync(path.join(model(), 'model.json'))).toBe(true);
  });

  it('searches with the trained model and a baseline, and plots the history', async () => {
    const plot = path.join(dir, 'history.svg');
    const r = await cli('search', '--model', model(), '--layers', path.join(dir, 'layers.json'), '--optimizer', 'random', '--budget', '3', '--baseline', 'random', '--plot', plot, '--json');
    expect(r.code).toBe(0);
    const json = JSON.parse(r.out);
    expect(json.results.map((x: { method: string }) => x.method)).toEqual(['latent random', 'input-space random']);
    for (const { result } of json.results) {
      expect(result.evaluations).toHaveLength(3);
      expect(result.history).toHaveLength(3);
      expect(result.best.edp).toBe(Math.min(...result.evaluations.map((e: { edp: number }) => e.edp)));
    }
    expect(readFileSync(plot, 'utf8')).toMatch(/^<svg[\s\S]*latent random[\s\S]*<\/svg>/);
  });

  it('passes --latent-bound and --baseline-coordinates to the searches', async () => {
    const run = async (...extra: string[]) => {
      const r = await cli('search', '--model', model(), '--layers', path.join(dir, 'layers.json'), '--optimizer', 'random', '--budget', '3', '--baseline', 'random', '--json', ...extra);
      expect(r.code).toBe(0);
      return JSON.parse(r.out).results.map(({ result }: { result: { evaluations: { arch: unknown }[] } }) => result.evaluations.map((e) => e.arch));
    };
    const [latent, baseline] = await run();
    const [wideLatent, rawBaseline] = await run('--latent-bound', '3', '--baseline-coordinates', 'raw');
    expect(wideLatent).not.toEqual(latent);
    expect(rawBaseline).not.toEqual(baseline);
  });

  it('rejects bad flags with a one-line message', async () => {
    const r = await cli('search', '--model', model(), '--layers', path.join(dir, 'layers.json'), '--optimizer', 'annealing');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--optimizer must be one of bo, gradient, random, grid, cmaes, got "annealing"/);
    const budget = await cli('search', '--model', model(), '--layers', path.join(dir, 'layers.json'), '--budget', '-1');
    expect(budget.code).toBe(2);
    const bound = await cli('search', '--model', model(), '--layers', path.join(dir, 'layers.json'), '--latent-bound', '0');
    expect(bound.err).toMatch(/--latent-bound must be a positive number, got "0"/);
    const box = await cli('search', '--model', model(), '--layers', path.join(dir, 'layers.json'), '--baseline-coordinates', 'log');
    expect(box.err).toMatch(/--baseline-coordinates must be one of normalised, raw, got "log"/);
    const missing = await cli('search', '--model', path.join(dir, 'no-model'), '--network', 'alexnet');
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/no-model/);
  });
});

describe('vaesa train keeps models safe', () => {
  const csv = () => path.join(dir, 'data.csv');
  const layers = () => path.join(dir, 'layers.json');
  const data = () => path.join(dir, 'train-data.csv');
  beforeAll(async () => {
    expect((await cli('dataset', 'generate', '--layers', layers(), '--samples', '12', '--seed', '3', '--workers', '0', '--out', data(), '--json')).code).toBe(0);
  });

  it('refuses to overwrite a model folder unless --force, and --resume with a flag that contradicts the checkpoint', async () => {
    const out = path.join(dir, 'kept-model');
    expect((await cli('train', '--data', data(), '--out', out, '--epochs', '1', '--json')).code).toBe(0);
    const saved = readFileSync(path.join(out, 'weights.bin'));
    const again = await cli('train', '--data', data(), '--out', out, '--epochs', '1', '--json');
    expect(again.code).toBe(2);
    expect(again.err).toMatch(/already exists: pass --resume .* --force/);
    expect(readFileSync(path.join(out, 'weights.bin'))).toEqual(saved);
    for (const flags of [['--nz', '7'], ['--vae-model', 'model_1'], ['--predictor-model', 'orig_1'], ['--obj', 'latency'], ['--lr', '0.5'], ['--batch-size', '7'], ['--seed', '9']]) {
      const r = await cli('train', '--data', data(), '--out', out, '--resume', '--epochs', '2', ...flags, '--json');
      expect({ flags, code: r.code }).toEqual({ flags, code: 2 });
      expect(r.err).toContain(flags[0]);
      expect(r.err).toMatch(/differs from the checkpoint being resumed/);
    }
    expect(readFileSync(path.join(out, 'weights.bin'))).toEqual(saved);
    const more = await cli('train', '--data', data(), '--out', out, '--resume', '--epochs', '2', '--json');
    expect(more.code).toBe(0);
    expect(JSON.parse(more.out).epochs).toBe(2);
    const forced = await cli('train', '--data', data(), '--out', out, '--epochs', '1', '--force', '--json');
    expect(forced.code).toBe(0);
    expect(JSON.parse(forced.out).epochs).toBe(1);
  }, 240_000); // eleven runs of the command outlast jest's 60 s default on a busy two-core machine

  it('checks that --out can be written before training', async () => {
    const r = await cli('train', '--data', data(), '--out', path.join(layers(), 'model'), '--epochs', '1');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/cannot write the model beside it/);
  });

  it('saves after every epoch; Ctrl-C stops with exit code 130 and says so, keeping the model so far', async () => {
    const out = path.join(dir, 'interrupted-model');
    const watch = setInterval(() => {
      if (existsSync(path.join(out, 'model.json'))) {
        clearInterval(watch);
        process.emit('SIGINT');
      }
    }, 1);
    const r = await cli('train', '--data', data(), '--out', out, '--epochs', '1000', '--json');
    clearInterval(watch);
    expect(r.code).toBe(130);
    expect(r.err).toMatch(/stopped by Ctrl-C after epoch \d+; the model so far is in .*interrupted-model \(continue with --resume\)/);
    const json = JSON.parse(r.out);
    expect(json.stopReason).toBe('aborted');
    expect(json.epochs).toBeLessThan(1000);
    expect(JSON.parse(readFileSync(path.join(out, 'model.json'), 'utf8')).vaesa.training.epoch).toBe(json.epochs);
  });

  it('reports rows left out (outside the design space) and repeated rows', async () => {
    const lines = readFileSync(data(), 'utf8').trim().split('\n');
    const cells = lines[1].split(',');
    cells[14] = String(2 ** 30); // GlobalBuffer far beyond the space
    const withOutside = path.join(dir, 'outside.csv');
    writeFileSync(withOutside, `${[...lines, cells.join(',')].join('\n')}\n`);
    const r = await cli('train', '--data', withOutside, withOutside, '--out', path.join(dir, 'counted-model'), '--epochs', '1', '--json');
    expect(r.code).toBe(0);
    const json = JSON.parse(r.out);
    expect(json.rows).toMatchObject({ outsideSpace: 2, duplicates: 24 });
    expect(json.rows.train + json.rows.valid + json.rows.test).toBe(48);
  });
});

describe('vaesa search and generate with a user evaluator', () => {
  const model = () => path.join(dir, 'model');
  const layers = () => path.join(dir, 'layers.json');
  const evaluatorFile = (name: string, body: string) => {
    const file = path.join(dir, name);
    writeFileSync(file, `module.exports.create = () => { let calls = 0; return (arch, layer) => { calls++; ${body} }; };\n`);
    return file;
  };

  it('--evaluator scores with the module; a failure stops with exit 2 after printing the results so far', async () => {
    const good = evaluatorFile('good-evaluator.js', 'return { cycles: 1000 * layer.K / arch.macs, energy: 1e6 + arch.globalBuffer };');
    const ok = await cli('search', '--model', model(), '--layers', layers(), '--optimizer', 'random', '--budget', '3', '--evaluator', `${good}#create`, '--json');
    expect(ok.code).toBe(0);
    const best = JSON.parse(ok.out).results[0].result.best;
    // The total over two layers, summed in floating point.
    expect(best.cycles).toBeCloseTo(1000 * (64 + 128) / best.arch.macs, 9);
    const bad = evaluatorFile('bad-evaluator.js', 'return calls > 4 ? { cycles: NaN, energy: 1 } : { cycles: calls, energy: 2 };');
    const stopped = await cli('search', '--model', model(), '--layers', layers(), '--optimizer', 'random', '--budget', '5', '--evaluator', `${bad}#create`, '--json');
    expect(stopped.code).toBe(2);
    const result = JSON.parse(stopped.out).results[0].result;
    expect(result).toMatchObject({ stopReason: 'evaluator-error', evaluatorError: expect.stringMatching(/cycles must be a positive finite number, got NaN/) });
    expect(result.evaluations).toHaveLength(2);
    expect(stopped.err).toMatch(/the evaluator failed/);
    const missing = await cli('search', '--model', model(), '--layers', layers(), '--evaluator', `${good}#nothing`);
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/--evaluator .*no function export nothing/);
  });

  it('prints the results before a --plot that cannot be written, and the Pareto front in text', async () => {
    const r = await cli('search', '--model', model(), '--layers', layers(), '--optimizer', 'random', '--budget', '4', '--pareto', '--plot', path.join(dir, 'no-such-dir', 'p.svg'));
    expect(r.code).toBe(2);
    expect(r.out).toMatch(/latent random: Pareto front \(\d+ designs, cycles vs energy\)\n  meshX=\d+ macs=\d+ accumulationBuffer=\d+ weightBuffer=\d+ inputBuffer=\d+ globalBuffer=\d+  cycles/);
    expect(r.out).toMatch(/latent random +meshX=\d+ macs=\d+ /);
    expect(r.out).toMatch(/Simba designs: meshX = PE columns, macs = MAC units in total/);
    expect(r.err).toMatch(/--plot .*no-such-dir.*the results above are complete/);
  });

  it('generate: Ctrl-C stops with exit code 130 and says so; the rows so far resume', async () => {
    const interrupting = evaluatorFile('interrupting-evaluator.js', "if (calls === 15) process.emit('SIGINT'); return { cycles: 100 + layer.K, energy: 1e6 + arch.macs };");
    const out = path.join(dir, 'interrupted.csv');
    const args = ['dataset', 'generate', '--layers', layers(), '--samples', '10', '--workers', '0', '--out', out, '--evaluator', `${interrupting}#create`, '--json'];
    const r = await cli(...args);
    expect(r.code).toBe(130);
    expect(r.err).toMatch(/stopped by Ctrl-C after \d+ rows; they are in .*interrupted\.csv \(run the same command again to resume\)/);
    expect(JSON.parse(r.out).complete).toBe(false);
    const first = JSON.parse(r.out).rows;
    expect(first).toBeGreaterThan(0);
    // The rerun needs fewer calls than the 15th, which interrupts: it completes after the kept rows.
    const again = await cli(...args);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.out)).toMatchObject({ rows: 20, resumedFrom: first, complete: true });
  });
});

describe('vaesa demo', () => {
  it('runs the whole pipeline on tiny sizes and reports every method and the Simba default', async () => {
    const out = path.join(dir, 'demo');
    const r = await cli('demo', '--network', 'alexnet', '--out', out, '--samples', '3', '--budget', '2', '--train-seconds', '2', '--workers', '0', '--json');
    expect(r.code).toBe(0);
    const json = JSON.parse(r.out);
    expect(json.rows).toBe(3 * uniqueLayers(networks.alexnet).length);
    expect(json.results.map((x: { method: string }) => x.method)).toEqual(['latent bo', 'latent gradient', 'input-space random']);
    expect(json.simbaDefault.edp).toBeCloseTo(json.simbaDefault.cycles * json.simbaDefault.energy, -8);
    // The searches are held to the Simba default's area, so the winners compare at equal silicon.
    expect(json.maxArea).toBe(json.simbaDefault.area);
    for (const { result } of json.results) if (result.best !== undefined) expect(result.best.area).toBeLessThanOrEqual(json.maxArea);
    expect(existsSync(path.join(out, 'search-history.svg'))).toBe(true);
  });
});

describe('the built bin', () => {
  const bin = path.join(repoRoot, 'dist/cli.js');
  it('prints help and exits 0; exits non-zero with one line on an unknown command', () => {
    expect(execFileSync(process.execPath, [bin, '--help'], { encoding: 'utf8' })).toMatch(/evaluate[\s\S]*dataset[\s\S]*train[\s\S]*search[\s\S]*demo/);
    let status = 0;
    let stderr = '';
    try {
      execFileSync(process.execPath, [bin, 'frobnicate'], { encoding: 'utf8', stdio: 'pipe' });
    } catch (e) {
      status = (e as { status: number }).status;
      stderr = String((e as { stderr: string }).stderr);
    }
    expect(status).not.toBe(0);
    expect(stderr).toMatch(/unknown command 'frobnicate'/);
  });
});

describe('a design space of your own (--space)', () => {
  it('generates with --evaluator, trains and searches an 8-parameter space end to end; without an evaluator it says why', async () => {
    const spaceFile = path.join(dir, 'own-space.json');
    writeFileSync(
      spaceFile,
      JSON.stringify(OWN_SPACE_INPUT),
    );
    const evaluator = path.join(dir, 'own-evaluator.js');
    writeFileSync(
      evaluator,
      'module.exports.create = () => (d, l) => { const macs = l.R * l.S * l.P * l.Q * l.C * l.K * l.N; const cycles = macs / (d.peX * d.peY * d.vector) + macs / (Math.sqrt(d.regWords * d.l1KiB) * d.nocWords) + 100; return { cycles, energy: macs * (1 + d.l2KiB / 8192) + cycles * d.dramWords }; };\n',
    );
    const data = path.join(dir, 'own.csv');
    const noEvaluator = await cli('dataset', 'generate', '--space', spaceFile, '--layers', path.join(dir, 'layers.json'), '--samples', '4', '--out', data);
    expect(noEvaluator.code).toBe(2);
    expect(noEvaluator.err).toMatch(/Simba's designs and the built-in families \(--family\) only; give --evaluator/);
    const badSpace = path.join(dir, 'bad-space.json');
    writeFileSync(badSpace, JSON.stringify({ name: 'bad', params: [{ name: 'peX', min: 8, max: 4, grid: { kind: 'pow2' } }] }));
    const bad = await cli('dataset', 'generate', '--space', badSpace, '--layers', path.join(dir, 'layers.json'), '--samples', '4', '--out', data, '--evaluator', `${evaluator}#create`);
    expect(bad.err).toMatch(/invalid space\.params\[0\]\.max: peX: max must be >= min/);

    const generated = await cli('dataset', 'generate', '--space', spaceFile, '--layers', path.join(dir, 'layers.json'), '--samples', '40', '--workers', '0', '--out', data, '--evaluator', `${evaluator}#create`, '--json');
    expect(generated.code).toBe(0);
    expect(readFileSync(data, 'utf8').split('\n')[0]).toBe('peX,peY,vector,regWords,l1KiB,l2KiB,nocWords,dramWords,shape,bounds,coefficients,cycles,energy');
    const out = path.join(dir, 'own-model');
    const trained = await cli('train', '--data', data, '--space', spaceFile, '--out', out, '--epochs', '3', '--json');
    expect(trained.code).toBe(0);
    expect(JSON.parse(readFileSync(path.join(out, 'model.json'), 'utf8')).vaesa.space.name).toBe('own');
    const noModelEvaluator = await cli('search', '--model', out, '--layers', path.join(dir, 'layers.json'), '--budget', '3');
    expect(noModelEvaluator.err).toMatch(/not Simba's.*--evaluator/);
    const searched = await cli('search', '--model', out, '--layers', path.join(dir, 'layers.json'), '--optimizer', 'bo', '--budget', '6', '--baseline', 'random', '--evaluator', `${evaluator}#create`, '--json');
    expect(searched.code).toBe(0);
    const results = JSON.parse(searched.out).results as { method: string; result: { evaluations: unknown[]; best: { arch: Record<string, number> } } }[];
    expect(results.map((r) => r.method)).toEqual(['latent bo', 'input-space random']);
    for (const r of results) {
      expect(r.result.evaluations).toHaveLength(6);
      expect(Object.keys(r.result.best.arch)).toEqual(['peX', 'peY', 'vector', 'regWords', 'l1KiB', 'l2KiB', 'nocWords', 'dramWords']);
    }
  }, 600_000);
});

describe('a built-in design family (--family)', () => {
  it('generates, trains and searches the Gemmini-like family with its own evaluator; a model of another space is refused', async () => {
    const data = path.join(dir, 'gemmini.csv');
    const layers = path.join(dir, 'layers.json');
    const both = await cli('dataset', 'generate', '--family', 'gemmini', '--space', 'x.json', '--layers', layers, '--samples', '4', '--out', data);
    expect(both.err).toMatch(/--space and --family gemmini both name the design space/);
    const generated = await cli('dataset', 'generate', '--family', 'gemmini', '--layers', layers, '--samples', '12', '--workers', '0', '--mapper-effort', 'fast', '--out', data, '--json');
    expect(generated.code).toBe(0);
    const lines = readFileSync(data, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('meshX,meshY,accRowsPerCol,scratchpad,spadBlock,spadBandwidth,dramBandwidth,dramBlock,shape,bounds,coefficients,cycles,energy');
    expect(lines).toHaveLength(1 + 12 * 2);
    const out = path.join(dir, 'gemmini-model');
    const trained = await cli('train', '--data', data, '--family', 'gemmini', '--out', out, '--epochs', '2', '--json');
    expect(trained.code).toBe(0);
    const searched = await cli('search', '--model', out, '--layers', layers, '--family', 'gemmini', '--optimizer', 'random', '--budget', '3', '--baseline', 'random', '--json');
    expect(searched.code).toBe(0);
    const results = JSON.parse(searched.out).results as { result: { evaluations: { cycles: number; area: number }[] } }[];
    for (const r of results) {
      expect(r.result.evaluations).toHaveLength(3);
      for (const e of r.result.evaluations) expect(e.cycles > 0 && e.area > 0).toBe(true);
    }
    const wrongFamily = await cli('search', '--model', out, '--layers', layers, '--family', 'eyeriss', '--budget', '3');
    expect(wrongFamily.err).toMatch(/--family eyeriss: the model .* was trained on the space gemmini/);
  }, 600_000);
});
