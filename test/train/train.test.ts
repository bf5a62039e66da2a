import * as E from 'fp-ts/Either';
import type { DatasetRow } from '../../src/dataset/row';
import { tf } from '../../src/model/tf';
import { evaluateVaesa } from '../../src/train/evaluate';
import { VAESA_LOSS_WEIGHTS } from '../../src/model/loss';
import type { TrainingSchedule } from '../../src/train/config';
import { annealedLearningRate, trainVaesa, type TrainOptions } from '../../src/train/train';
import { predictCost, type TrainedVaesa } from '../../src/train/trained';
import { syntheticLayers, syntheticRows } from './fixtures';

/** A small model and schedule so each run takes a second or two on the cpu backend (loss weights pinned, not the preset's). */
const tiny: TrainOptions = {
  seed: 3,
  model: { latentDim: 4, vaeHidden: [16, 16], predictor: { hidden: [16, 16], activation: 'relu' }, lossWeights: VAESA_LOSS_WEIGHTS },
  schedule: { epochs: 6, batchSize: 32, learningRate: 3e-3, rowsPerEpoch: undefined, earlyStopping: false, plateau: false, validationFraction: 0.1 },
};

async function train(rows: readonly DatasetRow[], options: TrainOptions = {}): Promise<TrainedVaesa> {
  const result = await trainVaesa(rows, { ...tiny, ...options, schedule: { ...tiny.schedule, ...options.schedule } });
  if (E.isLeft(result)) throw new Error(JSON.stringify(result.left));
  return result.right;
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('trainVaesa', () => {
  const rows = syntheticRows(400, 1);
  const test = syntheticRows(300, 2);

  it('lowers the loss and learns to rank costs of unseen designs', async () => {
    const model = await train(rows, { schedule: { epochs: 15, learningRate: 1e-2 } });
    const val = model.history.map((h) => h.validation.loss);
    const trainLoss = model.history.map((h) => h.trainLoss);
    expect(val[val.length - 1]).toBeLessThan(val[0] / 2);
    expect(trainLoss[trainLoss.length - 1]).toBeLessThan(trainLoss[0] / 4);
    const ev = evaluateVaesa(model, test);
    expect(ev.prediction.edp.spearman).toBeGreaterThan(0.95);
    expect(ev.prediction.cycles.medianApe).toBeLessThan(0.5);
    const cost = predictCost(model, test[0].arch, test[0].layer);
    expect(cost.edp).toBeCloseTo(cost.cycles * cost.energy, -2);
    model.dispose();
  });

  it('anneals the learning rate linearly over the planned steps', async () => {
    // 100 rows, 10% validation, batch 32: 3 batches per epoch, 6 planned steps over 2 epochs
    const lr: number[] = [];
    const model = await train(rows.slice(0, 100), {
      schedule: { epochs: 2, learningRate: 0.01, annealing: { finalFactor: 0.1 } },
      onEpoch: (m) => void lr.push(m.learningRate),
    });
    // the last step of epoch 1 is step 2 of 6 (progress 2/6), of epoch 2 step 5 (5/6): 0.01 * (1 - p * 0.9)
    expect(lr[0]).toBeCloseTo(0.01 * (1 - (2 / 6) * 0.9), 12);
    expect(lr[1]).toBeCloseTo(0.01 * (1 - (5 / 6) * 0.9), 12);
    expect(model.training.learningRate).toBe(0.01);
    model.dispose();
    expect(annealedLearningRate(2, 0, { finalFactor: 0.25 })).toBe(2);
    expect(annealedLearningRate(2, 0.5, { finalFactor: 0.25 })).toBe(1.25);
    expect(annealedLearningRate(2, 1, { finalFactor: 0.25 })).toBe(0.5);
    expect(annealedLearningRate(2, 3, { finalFactor: 0.25 })).toBe(0.5);
    expect(annealedLearningRate(2, 0.5, false)).toBe(2);
  });

  it('is deterministic for a seed on the cpu backend', async () => {
    const a = await train(rows.slice(0, 200), { schedule: { epochs: 2 } });
    const b = await train(rows.slice(0, 200), { schedule: { epochs: 2 } });
    expect(a.encode([test[0].arch])).toEqual(b.encode([test[0].arch]));
    expect(a.history.map((h) => h.validation.loss)).toEqual(b.history.map((h) => h.validation.loss));
    a.dispose();
    b.dispose();
  });

  it('keeps tensor memory flat over epochs and frees everything on dispose', async () => {
    const before = tf.memory().numTensors;
    const perEpoch: number[] = [];
    const model = await train(rows.slice(0, 200), { schedule: { epochs: 4 }, onEpoch: () => void perEpoch.push(tf.memory().numTensors) });
    expect(new Set(perEpoch).size).toBe(1);
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('trains only the heads when the VAE is frozen', async () => {
    const model = await train(rows.slice(0, 200), { schedule: { epochs: 1 }, seed: 9 });
    const frozen = await train(rows.slice(0, 200), { schedule: { epochs: 1 }, seed: 9, mode: 'heads-only' });
    const untrained = await train(rows.slice(0, 200), { schedule: { epochs: 0 }, seed: 9 });
    const mu = (m: TrainedVaesa) => m.encode([test[0].arch])[0];
    expect(mu(frozen)).toEqual(mu(untrained));
    expect(mu(model)).not.toEqual(mu(untrained));
    const pred = (m: TrainedVaesa) => predictCost(m, test[0].arch, test[0].layer).cycles;
    expect(pred(frozen)).not.toBe(pred(untrained));
    [model, frozen, untrained].forEach((m) => m.dispose());
  });

  it('trains only the cycles head for objective latency (the energy head keeps its initial weights)', async () => {
    const latency = await train(rows.slice(0, 200), { schedule: { epochs: 1 }, seed: 9, model: { ...tiny.model, objective: 'latency' } });
    const untrained = await train(rows.slice(0, 200), { schedule: { epochs: 0 }, seed: 9, model: { ...tiny.model, objective: 'latency' } });
    const pred = (m: TrainedVaesa) => predictCost(m, test[0].arch, test[0].layer);
    expect(pred(latency).cycles).not.toBe(pred(untrained).cycles);
    // the energy head reads the (trained) latent mean but its weights are untouched
    const headWeights = (m: TrainedVaesa) => m.networks.energyHead.mlp.weights.map((w) => Array.from(w.kernel.dataSync()));
    expect(headWeights(latency)).toEqual(headWeights(untrained));
    expect(latency.history[0].validation.energy).toBe(0);
    [latency, untrained].forEach((m) => m.dispose());
  });

  it('stops when aborted and returns the model so far', async () => {
    const controller = new AbortController();
    const model = await train(rows.slice(0, 200), {
      schedule: { epochs: 50 },
      signal: controller.signal,
      onEpoch: (m) => {
        if (m.epoch === 2) controller.abort();
      },
    });
    expect(model.history).toHaveLength(2);
    expect(model.training.stopReason).toBe('aborted');
    model.dispose();
  });

  it('stops early when validation loss stops improving and keeps the best weights', async () => {
    const model = await train(rows.slice(0, 200), { schedule: { epochs: 200, learningRate: 0.05, earlyStopping: { patience: 2 } } });
    expect(model.training.stopReason).toBe('early-stopping');
    expect(model.history.length).toBeLessThan(200);
    expect(model.training.epoch - model.training.bestEpoch).toBe(2);
    model.dispose();
  });

  it('rejects bad datasets before training, naming the row and field', async () => {
    const before = tf.memory().numTensors;
    const bad = async (data: DatasetRow[]) => {
      const r = await trainVaesa(data, tiny);
      return E.isLeft(r) && r.left._tag === 'InvalidInput' ? r.left.path : 'accepted';
    };
    expect(await bad([])).toBe('rows');
    expect(await bad([rows[0], { ...rows[1], cycles: Number.NaN }])).toBe('rows[1].cycles');
    expect(await bad([{ ...rows[0], energy: -1 }])).toBe('rows[0].energy');
    expect(await bad([{ ...rows[0], arch: { ...rows[0].arch, meshX: 3 } }])).toBe('rows[0].arch');
    expect(await bad([{ ...rows[0], layer: { ...syntheticLayers[0], K: Number.NaN } }])).toBe('rows[0].layer');
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects a bad schedule before training, naming the field', async () => {
    const bad = async (schedule: Partial<TrainingSchedule>) => {
      const r = await trainVaesa(rows, { ...tiny, schedule: { ...tiny.schedule, ...schedule } });
      return E.isLeft(r) && r.left._tag === 'InvalidInput' ? `${r.left.path}=${String(r.left.value)}` : 'accepted';
    };
    expect(await bad({ epochs: -1 })).toBe('options.schedule.epochs=-1');
    expect(await bad({ batchSize: 2.5 })).toBe('options.schedule.batchSize=2.5');
    expect(await bad({ learningRate: Number.NaN })).toBe('options.schedule.learningRate=NaN');
    expect(await bad({ annealing: { finalFactor: 0 } })).toBe('options.schedule.annealing.finalFactor=0');
    expect(await bad({ annealing: { finalFactor: 1.5 } })).toBe('options.schedule.annealing.finalFactor=1.5');
  });
});

describe('LatentModel', () => {
  it('gives log costs differentiable in the latent point, consistent with predictCost', async () => {
    const model = await train(syntheticRows(200, 4), { schedule: { epochs: 1 } });
    const arch = syntheticRows(1, 5)[0].arch;
    const layer = syntheticLayers[0];
    const z = model.encode([arch]);
    const { logCycles, logEnergy } = model.predictLogCost(tf.tensor2d(z), layer);
    const direct = predictCost(model, arch, layer);
    expect(logCycles.dataSync()[0]).toBeCloseTo(Math.log(direct.cycles), 4);
    expect(logEnergy.dataSync()[0]).toBeCloseTo(Math.log(direct.energy), 4);
    const g = tf.grad((zz: tf.Tensor) => {
      const p = model.predictLogCost(zz as tf.Tensor2D, layer);
      return tf.sum(tf.add(p.logCycles, p.logEnergy));
    })(tf.tensor2d(z));
    expect(g.shape).toEqual([1, 4]);
    expect(Array.from(g.dataSync()).some((v) => v !== 0)).toBe(true);
    expect(model.decode(z)).toHaveLength(1);
    tf.dispose([logCycles, logEnergy, g]);
    model.dispose();
  });
});
