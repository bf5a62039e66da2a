/**
 * A user's own 8-parameter space with the user's own evaluator through the whole API: generate, CSV,
 * train, predict, checkpoint, latent search (built-in and custom optimisers) and input-space search.
 */
import { left, right } from '../fixtures/right';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as E from 'fp-ts/Either';
import { generateDataset } from '../../src/dataset';
import { readDatasetCsv, writeDatasetCsv } from '../../src/dataset/node';
import type { DatasetRow } from '../../src/dataset/row';
import { defineSpace, isValidDesign, type Design } from '../../src/hardware';
import { tf } from '../../src/model/tf';
import { inputSpaceSearch, latentSearch } from '../../src/search';
import { loadVaesa, saveVaesa } from '../../src/train/checkpoint';
import { evaluateVaesa, predictCosts, trainVaesa } from '../../src/train';
import { convLayer, layerMacs, type ConvLayer } from '../../src/workload/layer';
import { OWN_SPACE_INPUT } from '../fixtures/own-space';

const defined = defineSpace(OWN_SPACE_INPUT);
if (E.isLeft(defined)) throw new Error('own space');
const space = defined.right;
type Param = (typeof space.params)[number]['name'];

/** A smooth stand-in for the user's simulator: compute and traffic terms, each a power law in the parameters. */
let calls = 0;
function evaluator(d: Design<Param>, layer: ConvLayer): { cycles: number; energy: number; area: number } {
  calls++;
  const macs = layerMacs(layer);
  const compute = macs / (d.peX * d.peY * d.vector);
  const traffic = (macs / Math.sqrt(d.regWords * d.l1KiB)) / d.nocWords + (layer.C * layer.K * 64) / (d.dramWords * Math.sqrt(d.l2KiB));
  const area = d.peX * d.peY * (0.004 * d.vector + 0.0002 * d.regWords) + 0.003 * d.l1KiB + 0.002 * d.l2KiB + 0.01 * d.nocWords;
  const cycles = compute + traffic + 100;
  return { cycles, energy: macs * (1 + 0.05 * Math.log2(d.regWords)) + traffic * (20 + 0.01 * d.l2KiB) + area * cycles, area };
}

const layers = [
  convLayer({ R: 3, S: 3, P: 14, Q: 14, C: 64, K: 128, N: 1 }),
  convLayer({ R: 1, S: 1, P: 28, Q: 28, C: 256, K: 64, N: 1 }),
  convLayer({ R: 1, S: 1, P: 1, Q: 1, C: 768, K: 3072, N: 1 }),
];

let dir: string;
beforeAll(async () => {
  await tf.setBackend('cpu');
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'vaesa-own-space-'));
});
afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

describe('an 8-parameter space with its own evaluator', () => {
  it('runs generate -> CSV -> train -> predict -> checkpoint -> latent and input-space search', async () => {
    const rows: DatasetRow<Param>[] = [];
    for await (const r of generateDataset({ space, layers, sampler: { kind: 'lhs', count: 160 }, seed: 3, evaluator })) rows.push(r);
    expect(rows).toHaveLength(480);
    expect(calls).toBe(480);
    rows.forEach((r) => expect(isValidDesign(space, r.arch)).toEqual({ ok: true }));
    // Without an evaluator another space has no built-in one.
    expect(() => generateDataset({ space, layers, sampler: { kind: 'random', count: 1 }, seed: 0 })).toThrow(/no built-in evaluator/);

    const file = path.join(dir, 'own.csv');
    expect(await writeDatasetCsv(file, space, rows, { withArea: true })).toEqual(E.right({ rows: 480 }));
    const read = await readDatasetCsv(file, { space });
    expect(E.isRight(read) && read.right.rows).toEqual(rows);

    const train = rows.slice(0, 400);
    const test = rows.slice(400);
    const trained = await trainVaesa(train, {
      space,
      seed: 3,
      model: { latentDim: 8, vaeHidden: [64], predictor: { hidden: [64, 64], activation: 'relu' } },
      schedule: { epochs: 40, batchSize: 32, learningRate: 3e-3, rowsPerEpoch: undefined, annealing: { finalFactor: 0.05 }, earlyStopping: false, plateau: false, validationFraction: 0.1 },
    });
    if (E.isLeft(trained)) throw new Error(JSON.stringify(trained.left));
    const model = trained.right;
    expect(model.networks.vae.encoder).toBeDefined();
    expect(model.encode([rows[0].arch])[0]).toHaveLength(8);
    expect(model.latentBox?.lower).toHaveLength(8);
    const quality = evaluateVaesa(model, test);
    expect(quality.prediction.edp.spearman).toBeGreaterThan(0.9);
    const predicted = predictCosts(model, test.slice(0, 3));
    predicted.forEach((p, i) => expect(Math.abs(Math.log(p.edp / (test[i].cycles * test[i].energy)))).toBeLessThan(1));

    const target = path.join(dir, 'model');
    expect(E.isRight(await saveVaesa(model, target))).toBe(true);
    const loaded = await loadVaesa(target, space);
    if (E.isLeft(loaded)) throw new Error(JSON.stringify(loaded.left));
    expect(loaded.right.space).toEqual(space);
    expect(loaded.right.latentBox).toEqual(model.latentBox);
    expect(predictCosts(loaded.right, test.slice(0, 5))).toEqual(predictCosts(model, test.slice(0, 5)));

    const network = { layers: layers.map((layer) => ({ layer, count: 2 })) };
    expect(left(await latentSearch(model, network, { optimizer: 'random', budget: 5 }))).toMatchObject({ path: 'options.evaluator', message: expect.stringMatching(/no built-in evaluator/) });
    const latent = await latentSearch(model, network, { optimizer: 'bo', budget: 30, seed: 1, evaluator, bo: { acquisitionSamples: 200 } }).then(right);
    const gradient = await latentSearch(model, network, { optimizer: 'gradient', budget: 30, seed: 1, evaluator, gradient: { steps: 30, starts: 4 } }).then(right);
    const random = await inputSpaceSearch(space, network, { optimizer: 'random', budget: 30, seed: 1, evaluator }).then(right);
    for (const result of [latent, gradient, random]) {
      expect(result.best).toBeDefined();
      expect(isValidDesign(space, result.best!.arch)).toEqual({ ok: true });
      expect(result.evaluations.length).toBeLessThanOrEqual(30);
    }
    expect(latent.evaluations).toHaveLength(30);
    model.dispose();
    loaded.right.dispose();
    // About 20 s of CPU; the limit leaves room for a loaded machine.
  }, 600_000);
});
