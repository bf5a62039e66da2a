import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as E from 'fp-ts/Either';
import { simbaSpace } from '../../src/hardware';
import { tf } from '../../src/model/tf';
import { loadVaesa, saveVaesa } from '../../src/train/checkpoint';
import { trainVaesa, type TrainOptions } from '../../src/train/train';
import { predictCosts } from '../../src/train/trained';
import { syntheticRows } from './fixtures';
import { PROBLEM_FEATURE_NAMES } from '../../src/workload/features';
import { matmul } from '../../src/workload/problem';

const options: TrainOptions = {
  seed: 5,
  model: { latentDim: 3, vaeHidden: [12], predictor: { hidden: [12], activation: 'tanh' } },
  schedule: {
    epochs: 4,
    batchSize: 32,
    learningRate: 3e-3,
    rowsPerEpoch: undefined,
    annealing: { finalFactor: 0.1 },
    earlyStopping: false,
    plateau: { factor: 0.5, patience: 1, minLearningRate: 0 },
    validationFraction: 0.2,
  },
};
const rows = syntheticRows(160, 11);
const probe = syntheticRows(20, 12);

function right<T>(e: E.Either<unknown, T>): T {
  if (E.isLeft(e)) throw new Error(JSON.stringify(e.left));
  return e.right;
}

let dir: string;
beforeAll(async () => {
  await tf.setBackend('cpu');
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'vaesa-ckpt-'));
});
afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

describe('saveVaesa / loadVaesa', () => {
  it('writes model.json + weights.bin and loads a model that predicts exactly the same', async () => {
    const model = right(await trainVaesa(rows, { ...options, schedule: { ...options.schedule, epochs: 2 } }));
    const target = path.join(dir, 'model');
    right(await saveVaesa(model, target));
    expect((await fs.readdir(target)).sort()).toEqual(['model.json', 'weights.bin']);
    const json = JSON.parse(await fs.readFile(path.join(target, 'model.json'), 'utf8'));
    expect(json.weightsManifest[0].paths).toEqual(['weights.bin']);
    const loaded = right(await loadVaesa(target, simbaSpace));
    expect(predictCosts(loaded, probe)).toEqual(predictCosts(model, probe));
    expect(loaded.encode(probe.map((r) => r.arch))).toEqual(model.encode(probe.map((r) => r.arch)));
    expect(loaded.space).toEqual(model.space);
    expect(loaded.stats).toEqual(model.stats);
    expect(loaded.history).toEqual(model.history);
    // saving again over the same folder replaces it and leaves no temporary folders
    right(await saveVaesa(loaded, target));
    expect((await fs.readdir(dir)).filter((f) => f.startsWith('model'))).toEqual(['model']);
    model.dispose();
    loaded.dispose();
  });

  it('resumes training exactly where it stopped (plateau and annealing included)', async () => {
    const straight = right(await trainVaesa(rows, options));
    // stopped after 2 of the 4 planned epochs, so the annealing plan is the same
    const stop = new AbortController();
    const half = right(await trainVaesa(rows, { ...options, signal: stop.signal, onEpoch: (m) => void (m.epoch === 2 && stop.abort()) }));
    expect(half.training.epoch).toBe(2);
    const target = path.join(dir, 'half');
    right(await saveVaesa(half, target));
    half.dispose();
    const loaded = right(await loadVaesa(target, simbaSpace));
    const resumed = right(await trainVaesa(rows, { ...options, resume: loaded }));
    expect(resumed.history.map((h) => h.epoch)).toEqual([1, 2, 3, 4]);
    expect(resumed.history.map((h) => h.validation.loss)).toEqual(straight.history.map((h) => h.validation.loss));
    expect(predictCosts(resumed, probe)).toEqual(predictCosts(straight, probe));
    straight.dispose();
    resumed.dispose();
  });

  it('records the space, the layer features and the latent box (format 3), and still loads format-2 and format-1 files of vaesa 0.2 and 0.1', async () => {
    const model = right(await trainVaesa(rows, { ...options, validation: probe, schedule: { ...options.schedule, epochs: 1 } }));
    const target = path.join(dir, 'v2');
    right(await saveVaesa(model, target));
    const json = JSON.parse(await fs.readFile(path.join(target, 'model.json'), 'utf8'));
    expect(json.version).toBe(3);
    // What vaesa 0.2 wrote for the same model: version 2, otherwise the same (VAESA's nine features).
    await fs.writeFile(path.join(target, 'model.json'), JSON.stringify({ ...json, version: 2 }));
    const v2 = right(await loadVaesa(target, simbaSpace));
    expect(predictCosts(v2, probe)).toEqual(predictCosts(model, probe));
    v2.dispose();
    expect(json.vaesa.features).toEqual({ layer: ['R', 'S', 'P', 'Q', 'C', 'K', 'N', 'strideW', 'strideH'] });
    expect(json.vaesa.space.params[1]).toEqual({ name: 'macs', min: 128, max: 4096, grid: { kind: 'multiple', step: 128 }, encoding: { kind: 'log', unit: 128, scale: 32 } });
    // The box is the span of the training designs' latent means (every row trains: validation is `probe`).
    const means = model.encode(rows.map((r) => r.arch));
    expect(model.latentBox?.lower).toEqual([0, 1, 2].map((d) => Math.min(...means.map((m) => m[d]))));
    expect(model.latentBox?.upper).toEqual([0, 1, 2].map((d) => Math.max(...means.map((m) => m[d]))));
    expect(json.vaesa.latentBox).toEqual(model.latentBox);
    // What vaesa 0.1 wrote: version 1, VAESA's encoding as top-level unit and scale, no features or box.
    const { features: _f, latentBox: _b, ...v1 } = json.vaesa;
    const v1Params = v1.space.params.map(({ encoding, ...p }: { encoding: { unit: number; scale: number } }) => ({ ...p, unit: encoding.unit, scale: encoding.scale }));
    await fs.writeFile(path.join(target, 'model.json'), JSON.stringify({ ...json, version: 1, vaesa: { ...v1, space: { ...v1.space, params: v1Params } } }));
    const old = right(await loadVaesa(target, simbaSpace));
    expect(old.space).toEqual(simbaSpace);
    expect(old.latentBox).toBeUndefined();
    expect(predictCosts(old, probe)).toEqual(predictCosts(model, probe));
    const wrongSpace = await loadVaesa(target, { name: 'other', params: simbaSpace.params.slice(1) });
    expect(wrongSpace).toMatchObject({ left: { _tag: 'InvalidInput', path: 'model.json.vaesa.space.params' } });
    model.dispose();
    old.dispose();
  });

  it('round-trips a model on the problem features with targets per MAC, trained on convolutions and GEMMs together', async () => {
    const gemm = right(matmul({ M: 64, N: 256, K: 512 }));
    const mixed = [...rows, ...rows.slice(0, 40).map((r, i) => ({ ...r, layer: gemm, cycles: r.cycles * (1 + i / 40), energy: r.energy * 2 }))];
    const normalisation = { target: { log: true, standardise: true, perMac: true }, layer: { features: 'problem' as const, log: true, scaling: 'mean' as const } };
    const model = right(await trainVaesa(mixed, { ...options, model: { ...options.model, normalisation }, schedule: { ...options.schedule, epochs: 1 } }));
    expect(model.stats.features).toBe('problem');
    expect(model.stats.layer).toMatchObject({ scaling: 'mean', stats: { mean: expect.any(Array) } });
    expect(model.networks.cyclesHead.mlp.inputSize).toBe(3 + PROBLEM_FEATURE_NAMES.length);
    const target = path.join(dir, 'problem');
    right(await saveVaesa(model, target));
    const json = JSON.parse(await fs.readFile(path.join(target, 'model.json'), 'utf8'));
    expect(json.vaesa.features).toEqual({ layer: [...PROBLEM_FEATURE_NAMES] });
    const loaded = right(await loadVaesa(target, simbaSpace));
    const pairs = [...probe, ...probe.map((r) => ({ ...r, layer: gemm }))];
    expect(predictCosts(loaded, pairs)).toEqual(predictCosts(model, pairs));
    // A layout this version does not know, or statistics as wide as another layout, are refused.
    await fs.writeFile(path.join(target, 'model.json'), JSON.stringify({ ...json, vaesa: { ...json.vaesa, features: { layer: ['x'] } } }));
    expect(await loadVaesa(target)).toMatchObject({ left: { _tag: 'InvalidInput', path: 'model.json.vaesa.features.layer' } });
    const narrow = { ...json.vaesa.normalisation, layer: { ...json.vaesa.normalisation.layer, stats: { mean: [0], std: [1] } } };
    await fs.writeFile(path.join(target, 'model.json'), JSON.stringify({ ...json, vaesa: { ...json.vaesa, normalisation: narrow } }));
    expect(await loadVaesa(target)).toMatchObject({ left: { _tag: 'InvalidInput', path: 'model.json.vaesa.normalisation.layer.stats.mean' } });
    model.dispose();
    loaded.dispose();
  });

  it('reports a missing folder, bad JSON and truncated weights as errors', async () => {
    const missing = await loadVaesa(path.join(dir, 'nothing'));
    expect(E.isLeft(missing) && missing.left._tag).toBe('IoError');
    const broken = path.join(dir, 'broken');
    await fs.mkdir(broken);
    await fs.writeFile(path.join(broken, 'model.json'), '{"format": "vaesa-checkpoint", ');
    const bad = await loadVaesa(broken);
    expect(E.isLeft(bad) && bad.left._tag).toBe('ParseError');
    const model = right(await trainVaesa(rows, { ...options, schedule: { ...options.schedule, epochs: 1 } }));
    const target = path.join(dir, 'short');
    right(await saveVaesa(model, target));
    model.dispose();
    const weights = await fs.readFile(path.join(target, 'weights.bin'));
    await fs.writeFile(path.join(target, 'weights.bin'), weights.subarray(0, 100));
    const short = await loadVaesa(target);
    expect(E.isLeft(short) && short.left._tag).toBe('ParseError');
    const json = JSON.parse(await fs.readFile(path.join(target, 'model.json'), 'utf8'));
    json.vaesa.config.latentDim = 'four';
    await fs.writeFile(path.join(target, 'model.json'), JSON.stringify(json));
    const wrong = await loadVaesa(target);
    expect(E.isLeft(wrong) && wrong.left._tag === 'InvalidInput' && wrong.left.path).toBe('model.json.vaesa.config.latentDim');
  });

  it('refuses to load weights with a NaN or Infinity, and a config with a latent size out of range', async () => {
    const model = right(await trainVaesa(rows, { ...options, schedule: { ...options.schedule, epochs: 1 } }));
    const target = path.join(dir, 'planted');
    right(await saveVaesa(model, target));
    model.dispose();
    const weightsFile = path.join(target, 'weights.bin');
    const good = await fs.readFile(weightsFile);
    const planted = Buffer.from(good);
    planted.writeFloatLE(Number.NaN, 4 * 7);
    await fs.writeFile(weightsFile, planted);
    const nan = await loadVaesa(target);
    expect(nan).toMatchObject({ left: { _tag: 'ParseError', source: weightsFile } });
    expect(E.isLeft(nan) && nan.left.message).toMatch(/vae\/encoder\/0\/kernel has a non-finite value \(NaN\) at index 7/);
    planted.writeFloatLE(Number.POSITIVE_INFINITY, 4 * 7);
    await fs.writeFile(weightsFile, planted);
    expect(await loadVaesa(target)).toMatchObject({ left: { _tag: 'ParseError' } });
    await fs.writeFile(weightsFile, good);
    const json = JSON.parse(await fs.readFile(path.join(target, 'model.json'), 'utf8'));
    json.vaesa.config.latentDim = -3;
    await fs.writeFile(path.join(target, 'model.json'), JSON.stringify(json));
    expect(await loadVaesa(target)).toMatchObject({ left: { _tag: 'InvalidInput', path: 'model.json.vaesa.config.latentDim', value: -3 } });
  });

  it('keeps the schedule in the checkpoint; resuming refuses a model, seed or schedule that differs, and may add epochs', async () => {
    const model = right(await trainVaesa(rows, { ...options, schedule: { ...options.schedule, epochs: 1 } }));
    const target = path.join(dir, 'resumable');
    right(await saveVaesa(model, target));
    model.dispose();
    const loaded = right(await loadVaesa(target, simbaSpace));
    expect(loaded.training.schedule).toEqual({ ...options.schedule, epochs: 1 });
    const refused = async (o: Partial<typeof options>) => trainVaesa(rows, { ...o, resume: loaded });
    expect(await refused({ model: { latentDim: 5 } })).toMatchObject({ left: { _tag: 'InvalidInput', path: 'options.model.latentDim', value: 5 } });
    expect(await refused({ model: { objective: 'latency' } })).toMatchObject({ left: { path: 'options.model.objective' } });
    expect(await refused({ seed: 6 })).toMatchObject({ left: { path: 'options.seed', value: 6 } });
    expect(await refused({ schedule: { ...options.schedule, batchSize: 16 } })).toMatchObject({ left: { path: 'options.schedule.batchSize', value: 16 } });
    expect(await refused({ schedule: { ...options.schedule, learningRate: 1 } })).toMatchObject({ left: { path: 'options.schedule.learningRate' } });
    expect(await refused({ preset: 'paper' })).toMatchObject({ left: { _tag: 'InvalidInput' } });
    // The same options and more epochs: trains on, with the saved schedule.
    const more = right(await trainVaesa(rows, { seed: 5, schedule: { epochs: 2 }, resume: loaded }));
    expect(more.history.map((h) => h.epoch)).toEqual([1, 2]);
    expect(more.training.schedule).toEqual({ ...options.schedule, epochs: 2 });
    more.dispose();
  });
});

describe('trainVaesa guards', () => {
  it('stops a diverged run (non-finite loss) with an error instead of returning a broken model', async () => {
    const diverged = await trainVaesa(rows, { ...options, schedule: { ...options.schedule, learningRate: 1e6, annealing: false, plateau: false } });
    expect(diverged).toMatchObject({ left: { _tag: 'InvalidInput', path: 'options.schedule.learningRate' } });
    expect(E.isLeft(diverged) && diverged.left.message).toMatch(/training diverged: the (training|validation) loss is (NaN|Infinity) at epoch \d+/);
  });

  it('rejects a latent size or hidden width out of range before building the networks', async () => {
    expect(await trainVaesa(rows, { ...options, model: { ...options.model, latentDim: 100000 } })).toMatchObject({ left: { path: 'options.model.latentDim', value: 100000 } });
    expect(await trainVaesa(rows, { ...options, model: { ...options.model, latentDim: -3 } })).toMatchObject({ left: { path: 'options.model.latentDim' } });
    expect(await trainVaesa(rows, { ...options, model: { ...options.model, vaeHidden: [12, 0] } })).toMatchObject({ left: { path: 'options.model.vaeHidden[1]' } });
  });
});

