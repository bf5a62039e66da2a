import { left, right } from '../fixtures/right';
import { tf } from '../../src/model/tf';
import { createRng } from '../../src/common/rng';
import { designKey, snapDesign, simbaSpace } from '../../src/hardware/space';
import { descend, gradientOptimizer, hasBatchedPrediction, predictDesigns, predictLogTotals } from '../../src/search/gradient';
import { weightedLayers } from '../../src/search/target';
import type { CustomOptimizer } from '../../src/search/optimizer';
import { latentSearch } from '../../src/search/latent-search';
import { batchedFakeModel, fakeModel, layerA, layerB, syntheticEvaluator, Z_CYCLES, Z_ENERGY } from './fixtures';

const model = fakeModel();
const layers = [
  { layer: layerA, count: 3 },
  { layer: layerB, count: 2 },
];

describe('predictLogTotals', () => {
  it('is log Σ count·exp(per-layer log prediction), per point', () => {
    const points = [
      [0.1, -0.4],
      [0.7, 0.2],
    ];
    const z = tf.tensor2d(points);
    const totals = predictLogTotals(model, z, layers);
    const logCycles = totals.logCycles.arraySync();
    const logEnergy = totals.logEnergy.arraySync();
    points.forEach((p, i) => {
      const zi = tf.tensor2d([p]);
      let cycles = 0;
      let energy = 0;
      for (const l of layers) {
        const one = model.predictLogCost(zi, l.layer);
        cycles += l.count * Math.exp(one.logCycles.arraySync()[0]);
        energy += l.count * Math.exp(one.logEnergy.arraySync()[0]);
      }
      expect(logCycles[i]).toBeCloseTo(Math.log(cycles), 4);
      expect(logEnergy[i]).toBeCloseTo(Math.log(energy), 4);
    });
  });

  it('gives the same numbers through a model’s batched form', () => {
    const batched = batchedFakeModel();
    expect(hasBatchedPrediction(batched)).toBe(true);
    expect(hasBatchedPrediction(model)).toBe(false);
    const z = tf.tensor2d([[0.3, 0.3]]);
    expect(predictLogTotals(batched, z, layers).logCycles.arraySync()).toEqual(predictLogTotals(model, z, layers).logCycles.arraySync());
  });

  it('predicts designs at their latent means (encode), as totals', () => {
    const archs = model.decode([
      [0.2, 0.1],
      [-0.5, 0.6],
    ]);
    const predicted = predictDesigns(model, archs, layers);
    const totals = predictLogTotals(model, tf.tensor2d(model.encode(archs)), layers);
    const logCycles = totals.logCycles.arraySync();
    const logEnergy = totals.logEnergy.arraySync();
    predicted.forEach((p, i) => {
      expect(Math.log(p.cycles)).toBeCloseTo(logCycles[i], 5);
      expect(Math.log(p.energy)).toBeCloseTo(logEnergy[i], 5);
      expect(p.edp).toBeCloseTo(p.cycles * p.energy, -3);
    });
    expect(predictDesigns(model, [], layers)).toEqual([]);
  });
});

describe('descend (Adam with cosine annealing on the predicted objective)', () => {
  const starts = [
    [-0.9, 0.8],
    [0.9, -0.9],
    [0, 0],
  ];

  it('moves every start to the minimiser of the predicted log EDP (the midpoint of the two centres)', () => {
    const [atStart, atEnd] = descend(model, [{ layer: layerA, count: 1 }], starts, starts.map(() => ({ cycles: 1, energy: 1 })), 200, 0.1, [0, 200]);
    expect(atStart).toEqual(starts);
    for (const z of atEnd) {
      expect(z[0]).toBeCloseTo((Z_CYCLES[0] + Z_ENERGY[0]) / 2, 2);
      expect(z[1]).toBeCloseTo((Z_CYCLES[1] + Z_ENERGY[1]) / 2, 2);
    }
  });

  it('follows each start’s own weights (latency only goes to the cycles centre)', () => {
    const [end] = descend(model, [{ layer: layerA, count: 1 }], starts.slice(0, 2), [{ cycles: 1, energy: 0 }, { cycles: 0, energy: 1 }], 200, 0.1, [200]);
    expect(end[0][0]).toBeCloseTo(Z_CYCLES[0], 2);
    expect(end[0][1]).toBeCloseTo(Z_CYCLES[1], 2);
    expect(end[1][0]).toBeCloseTo(Z_ENERGY[0], 2);
    expect(end[1][1]).toBeCloseTo(Z_ENERGY[1], 2);
  });

  it('does not leak tensors', () => {
    const before = tf.memory().numTensors;
    descend(model, layers, starts, starts.map(() => ({ cycles: 1, energy: 1 })), 20, 0.1, [0, 10, 20]);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('gradient latentSearch', () => {
  it('evaluates candidates best-predicted first and records predictions', async () => {
    const r = await latentSearch(batchedFakeModel(), layerA, { optimizer: 'gradient', evaluator: syntheticEvaluator, budget: 50, seed: 4 }).then(right);
    const predictedEdp = r.evaluations.map((e) => e.predicted?.edp ?? NaN);
    for (let i = 1; i < predictedEdp.length; i++) expect(predictedEdp[i]).toBeGreaterThanOrEqual(predictedEdp[i - 1] * (1 - 1e-9));
    expect(r.evaluations.length).toBeLessThanOrEqual(4 * 3);
    expect(r.stopReason).toBe('exhausted');
  });

  it('returns a Left naming a bad setting and its value', async () => {
    const run = (gradient: object) => latentSearch(model, layerA, { optimizer: 'gradient', evaluator: syntheticEvaluator, gradient });
    expect(left(await run({ recordSteps: [300] }))).toMatchObject({ _tag: 'InvalidInput', path: 'options.gradient.recordSteps', value: [300] });
    expect(left(await run({ starts: 0 }))).toMatchObject({ path: 'options.gradient.starts', value: 0 });
  });
});

describe('gradient search cancellation', () => {
  it('stops the descent when the signal aborts mid-way', async () => {
    const controller = new AbortController();
    let calls = 0;
    const counting = { ...model, predictLogCost: (z: Parameters<typeof model.predictLogCost>[0], l: Parameters<typeof model.predictLogCost>[1]) => {
      calls++;
      if (calls === 50) controller.abort();
      return model.predictLogCost(z, l);
    } };
    const r = await latentSearch(counting, layerA, { optimizer: 'gradient', evaluator: syntheticEvaluator, signal: controller.signal }).then(right);
    expect(r.stopReason).toBe('cancelled');
    expect(r.evaluations.length).toBe(0);
    expect(calls).toBe(50);
  });
});

describe('gradient search as an Optimizer (ask/tell)', () => {
  const target = [layerA, layerB];
  const setup = (m: typeof model) => ({ model: m, layers: weightedLayers(target), toDesigns: (points: readonly (readonly number[])[]) => m.decode(points).map((a) => snapDesign(simbaSpace, a)) });

  it('proposes each round\'s points grouped by design, best predicted first, then nothing once a round is over', async () => {
    const optimizer = gradientOptimizer({ box: { lower: [-1, -1], upper: [1, 1] }, rng: createRng(3), objective: 'edp', budget: 100, pareto: false }, { ...setup(model), options: { starts: 3, steps: 40 } });
    const points = await optimizer.ask(100);
    expect(points).toHaveLength(3 * 3);
    const keys = setup(model).toDesigns(points).map((d) => designKey(simbaSpace, d));
    // A design's points are consecutive, so a key never reappears after another design's.
    const order = keys.filter((k, i) => i === 0 || keys[i - 1] !== k);
    expect(new Set(order).size).toBe(order.length);
    const predictedEdp = order.map((k) => optimizer.predicted?.(points[keys.indexOf(k)])?.edp ?? NaN);
    for (let i = 1; i < predictedEdp.length; i++) expect(predictedEdp[i]).toBeGreaterThanOrEqual(predictedEdp[i - 1] * (1 - 1e-9));
    optimizer.tell(points.map((point) => ({ point, outcome: 'rejected', feasible: false })));
    // The round gave no new design: the optimiser is exhausted.
    expect(await optimizer.ask(100)).toEqual([]);
  });

  it('through latentSearch, spends the ledger\'s budget on distinct designs and counts the rest as duplicates, as the user\'s own wrapper of it does', async () => {
    const options = { starts: 6, steps: 60, maxRounds: 3 };
    const builtIn = await latentSearch(batchedFakeModel(), target, { optimizer: 'gradient', gradient: options, evaluator: syntheticEvaluator, budget: 8, seed: 2 }).then(right);
    expect(builtIn.evaluations).toHaveLength(8);
    expect(builtIn.stopReason).toBe('budget');
    expect(new Set(builtIn.evaluations.map((e) => designKey(simbaSpace, e.arch))).size).toBe(8);
    expect(builtIn.duplicates).toBeGreaterThan(0);
    expect(builtIn.evaluations.every((e) => e.predicted !== undefined)).toBe(true);
    const wrapped: CustomOptimizer = { name: 'mine', create: (context) => gradientOptimizer(context, { ...setup(batchedFakeModel()), options }) };
    const custom = await latentSearch(batchedFakeModel(), target, { optimizer: wrapped, evaluator: syntheticEvaluator, budget: 8, seed: 2 }).then(right);
    expect(custom.evaluations.map((e) => e.arch)).toEqual(builtIn.evaluations.map((e) => e.arch));
    expect(custom.duplicates).toBe(builtIn.duplicates);
    expect(custom.history).toEqual(builtIn.history);
  });
});
