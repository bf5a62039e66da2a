import { left, right } from '../fixtures/right';
import type { Evaluator } from '../../src/common/evaluator';
import { archId, type ArchConfig } from '../../src/hardware/arch';
import { decodeArch, isValidArch, simbaSpace } from '../../src/hardware/space';
import type { LatentModel } from '../../src/model/latent-model';
import { latentSearch } from '../../src/search/latent-search';
import type { LatentOptimizer, LatentSearchOptions } from '../../src/search/types';
import { fakeModel, layerA, layerB, reachableOptimum, syntheticCost, syntheticEvaluator } from './fixtures';

const model = fakeModel();
const fastBo = { acquisitionSamples: 300, gpRestarts: 1 };
const optimizers: LatentOptimizer[] = ['gradient', 'bo', 'random', 'grid'];

function options(optimizer: LatentOptimizer, extra: Partial<LatentSearchOptions> = {}): LatentSearchOptions {
  return { optimizer, evaluator: syntheticEvaluator, budget: 25, seed: 11, bo: fastBo, gradient: { starts: 16, steps: 60 }, ...extra };
}

describe('latentSearch on a synthetic problem with a known optimum', () => {
  const optimum = reachableOptimum([{ layer: layerA, count: 1 }]);

  it.each(optimizers)('%s improves on its first evaluation and approaches the optimum', async (optimizer) => {
    const r = await latentSearch(model, layerA, options(optimizer)).then(right);
    expect(r.history.length).toBe(r.evaluations.length);
    expect(r.history[r.history.length - 1]).toBeLessThan(r.evaluations[0].objective);
    expect(r.best?.edp).toBe(r.history[r.history.length - 1]);
    // within a factor 1.5 of the best EDP reachable through the decoder (log EDP within 0.4)
    expect(Math.log(r.best?.edp ?? Infinity) - Math.log(optimum)).toBeLessThan(0.4);
  });

  it('gradient descent on the exact predictor finds the reachable optimum itself', async () => {
    const r = await latentSearch(model, layerA, options('gradient', { gradient: { starts: 8, steps: 200 } })).then(right);
    expect(r.best?.edp).toBeCloseTo(optimum, -Math.log10(optimum) + 8);
    expect(r.predicted).toBeDefined();
    expect(r.evaluations.every((e) => e.predicted !== undefined)).toBe(true);
  });

  it('bo with EI and an ARD kernel also improves', async () => {
    const r = await latentSearch(model, layerA, options('bo', { bo: { ...fastBo, acquisition: { kind: 'ei', xi: 0 }, kernel: 'ard' } })).then(right);
    expect(r.history[r.history.length - 1]).toBeLessThan(r.history[0]);
  });
});

describe('budget accounting', () => {
  it.each(optimizers)('%s evaluates each distinct design once, at most budget designs', async (optimizer) => {
    const calls: string[] = [];
    const counting: Evaluator = (arch, layer) => {
      calls.push(archId(arch));
      return syntheticCost(arch, layer);
    };
    const r = await latentSearch(model, [layerA, layerB], options(optimizer, { evaluator: counting, budget: 12 })).then(right);
    const ids = r.evaluations.map((e) => archId(e.arch));
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBeLessThanOrEqual(12);
    expect(calls.length).toBe(2 * ids.length);
    expect(r.history.length).toBe(ids.length);
    for (const e of r.evaluations) expect(isValidArch(simbaSpace, e.arch).ok).toBe(true);
    if (r.stopReason === 'budget') expect(ids.length).toBe(12);
  });

  it('counts duplicates and stops when the decoder can only produce a few designs', async () => {
    const fewDesigns: LatentModel = {
      ...model,
      encode: model.encode,
      predictLogCost: model.predictLogCost,
      decode: (zs) => zs.map((z) => decodeArch(simbaSpace, [z[0] > 0 ? 0.9 : 0.3, 0.5, 0.5, 0.7, 0.5, 0.8])),
    };
    for (const optimizer of optimizers) {
      const r = await latentSearch(fewDesigns, layerA, options(optimizer, { budget: 10, maxConsecutiveRepeats: 30 })).then(right);
      expect(r.evaluations.length).toBeLessThanOrEqual(2);
      expect(r.duplicates).toBeGreaterThan(0);
      expect(['stalled', 'exhausted']).toContain(r.stopReason);
    }
  });
});

describe('constraints', () => {
  const maxArea = 1.5;
  const smallMacs = (arch: ArchConfig): boolean => arch.macs <= 1024;

  it.each(optimizers)('%s never lets an infeasible design become best', async (optimizer) => {
    const r = await latentSearch(model, layerA, options(optimizer, { constraints: { maxArea, feasible: smallMacs }, pareto: true })).then(right);
    expect(r.evaluations.every((e) => smallMacs(e.arch))).toBe(true);
    expect(r.evaluations.filter((e) => !e.feasible).length).toBe(r.infeasible);
    for (const e of r.evaluations) expect(e.feasible).toBe((e.area ?? Infinity) <= maxArea);
    if (r.best !== undefined) {
      expect(r.best.area).toBeLessThanOrEqual(maxArea);
      expect(smallMacs(r.best.arch)).toBe(true);
      const feasibleBest = Math.min(...r.evaluations.filter((e) => e.feasible).map((e) => e.objective));
      expect(r.best.edp).toBe(feasibleBest);
    }
    expect(r.pareto?.every((e) => e.feasible)).toBe(true);
  });

  it('requires area from the evaluator when maxArea is set', async () => {
    const noArea: Evaluator = (arch, layer) => {
      const { cycles, energy } = syntheticCost(arch, layer);
      return { cycles, energy };
    };
    expect(left(await latentSearch(model, layerA, options('random', { evaluator: noArea, constraints: { maxArea: 2 } })))).toMatchObject({ _tag: 'InvalidInput', path: 'options.constraints.maxArea', value: 2, message: expect.stringMatching(/needs an evaluator that reports area/) });
    expect(left(await latentSearch(model, layerA, options('random', { evaluator: noArea, objective: 'edap' })))).toMatchObject({ path: 'options.objective', value: 'edap' });
    expect(left(await latentSearch(model, layerA, options('random', { latentBound: -1 })))).toMatchObject({ path: 'options.latentBound', value: -1 });
    expect(left(await latentSearch(model, layerA, options('grid', { gridPointsPerDim: 0 })))).toMatchObject({ path: 'options.gridPointsPerDim', value: 0 });
  });
});

describe('determinism, cancellation, progress, targets', () => {
  it.each(optimizers)('%s gives the same history for the same seed', async (optimizer) => {
    const a = await latentSearch(model, layerA, options(optimizer, { budget: 10 })).then(right);
    const b = await latentSearch(model, layerA, options(optimizer, { budget: 10 })).then(right);
    expect(a.history).toEqual(b.history);
    expect(a.evaluations.map((e) => e.arch)).toEqual(b.evaluations.map((e) => e.arch));
  });

  it('different seeds explore differently', async () => {
    const a = await latentSearch(model, layerA, options('random', { seed: 1 })).then(right);
    const b = await latentSearch(model, layerA, options('random', { seed: 2 })).then(right);
    expect(a.evaluations.map((e) => archId(e.arch))).not.toEqual(b.evaluations.map((e) => archId(e.arch)));
  });

  it('stops when the signal aborts, returning what it has, and reports progress', async () => {
    const controller = new AbortController();
    const seen: number[] = [];
    const r = await latentSearch(
      model,
      layerA,
      options('bo', {
        signal: controller.signal,
        onProgress: (p) => {
          seen.push(p.evaluations);
          expect(p.budget).toBe(25);
          if (p.evaluations === 4) controller.abort();
        },
      }),
    ).then(right);
    expect(r.stopReason).toBe('cancelled');
    expect(r.evaluations.length).toBe(4);
    expect(seen).toEqual([1, 2, 3, 4]);
  });

  it('accepts an async evaluator and a network with counts (totals are count-weighted sums)', async () => {
    const asyncEvaluator: Evaluator = async (arch, layer) => syntheticCost(arch, layer);
    const network = { name: 'toy', layers: [{ layer: layerA, count: 3 }, { layer: layerB, count: 2 }] };
    const r = await latentSearch(model, network, options('random', { evaluator: asyncEvaluator, budget: 5, objective: 'latency' })).then(right);
    for (const e of r.evaluations) {
      const a = syntheticCost(e.arch, layerA);
      const b = syntheticCost(e.arch, layerB);
      expect(e.cycles).toBeCloseTo(3 * a.cycles + 2 * b.cycles, 6);
      expect(e.energy).toBeCloseTo(3 * a.energy + 2 * b.energy, 3);
      expect(e.edp).toBeCloseTo(e.cycles * e.energy, -3);
      expect(e.objective).toBe(e.cycles);
    }
    expect(r.best?.cycles).toBe(Math.min(...r.evaluations.map((e) => e.cycles)));
  });

  it('pareto mode returns a non-dominated front of evaluated designs', async () => {
    const r = await latentSearch(model, layerA, options('bo', { pareto: true })).then(right);
    const front = r.pareto ?? [];
    expect(front.length).toBeGreaterThan(1);
    for (const f of front) {
      expect(r.evaluations).toContain(f);
      expect(r.evaluations.some((e) => e.cycles <= f.cycles && e.energy <= f.energy && (e.cycles < f.cycles || e.energy < f.energy))).toBe(false);
    }
  });
});
