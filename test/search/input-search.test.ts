import { left, right } from '../fixtures/right';
import { archId } from '../../src/hardware/arch';
import { encodeValue, gridValues, isValidArch, simbaSpace, archFromVector } from '../../src/hardware';
import { inputSpaceSearch, normalisedDomain, rawDomain } from '../../src/search/input-search';
import type { InputSpaceOptimizer, InputSpaceSearchOptions } from '../../src/search/types';
import { latentToEncoded, layerA, syntheticCost, syntheticEvaluator, Z_CYCLES, Z_ENERGY } from './fixtures';

/**
 * The synthetic log EDP is SHARPNESS·(|e - a|² + |e - b|²) + const, separable in the encoded
 * parameters, so the optimum over the whole space takes, per parameter, the valid value whose
 * encoding is nearest to (a_i + b_i) / 2.
 */
function globalOptimum(): number {
  const a = latentToEncoded(Z_CYCLES);
  const b = latentToEncoded(Z_ENERGY);
  const values = simbaSpace.params.map((p, i) => {
    const target = (a[i] + b[i]) / 2;
    return gridValues(p).reduce((best, v) => (Math.abs(encodeValue(p, v) - target) < Math.abs(encodeValue(p, best) - target) ? v : best));
  });
  const c = syntheticCost(archFromVector(values), layerA);
  return c.cycles * c.energy;
}

function options(optimizer: InputSpaceOptimizer, extra: Partial<InputSpaceSearchOptions> = {}): InputSpaceSearchOptions {
  return { optimizer, evaluator: syntheticEvaluator, budget: 40, seed: 5, bo: { acquisitionSamples: 300, gpRestarts: 1 }, ...extra };
}

describe('normalisedDomain', () => {
  it('spans the encoded smallest and largest valid values, and decodes to valid designs', () => {
    const d = normalisedDomain(simbaSpace);
    expect(d.lower[0]).toBe(0);
    expect(d.upper[0]).toBeCloseTo(1, 12);
    expect(d.lower[3]).toBeCloseTo(0.5, 12); // weightBuffer 256 of scale 2^16
    const designs = d.toDesigns([d.lower, d.upper]);
    expect(designs[0]).toEqual({ meshX: 1, macs: 128, accumulationBuffer: 2, weightBuffer: 256, inputBuffer: 2, globalBuffer: 1024 });
    expect(designs[1]).toEqual({ meshX: 64, macs: 4096, accumulationBuffer: 256, weightBuffer: 65536, inputBuffer: 4096, globalBuffer: 262144 });
  });
});

describe('rawDomain', () => {
  it('spans the raw smallest and largest valid values and snaps each parameter to its grid', () => {
    const d = rawDomain(simbaSpace);
    expect(d.lower).toEqual([1, 128, 2, 256, 2, 1024]);
    expect(d.upper).toEqual([64, 4096, 256, 65536, 4096, 262144]);
    // the middle of the box: mostly large values (global buffer 131,584 -> the nearest multiple of 1,024)
    const [mid] = d.toDesigns([d.lower.map((lo, i) => (lo + d.upper[i]) / 2)]);
    expect(isValidArch(simbaSpace, mid).ok).toBe(true);
    expect(mid.globalBuffer).toBe(Math.round(131584 / 1024) * 1024);
    expect(d.toDesigns([d.upper])[0]).toEqual({ meshX: 64, macs: 4096, accumulationBuffer: 256, weightBuffer: 65536, inputBuffer: 4096, globalBuffer: 262144 });
  });

  it('rejects an unknown coordinates value and a negative refit setting', async () => {
    expect(left(await inputSpaceSearch(simbaSpace, layerA, options('random', { coordinates: 'log' as 'raw' })))).toMatchObject({ path: 'options.coordinates', value: 'log', message: "must be 'normalised' or 'raw'" });
    expect(left(await inputSpaceSearch(simbaSpace, layerA, options('bo', { bo: { gpRefit: { growth: -1 } } })))).toMatchObject({ path: 'options.bo.gpRefit.growth', value: -1, message: 'must be >= 0' });
  });

  it("inputSpaceSearch with coordinates 'raw' samples raw values uniformly: large buffers dominate", async () => {
    const raw = await inputSpaceSearch(simbaSpace, layerA, options('random', { budget: 40, coordinates: 'raw' })).then(right);
    const normalised = await inputSpaceSearch(simbaSpace, layerA, options('random', { budget: 40 })).then(right);
    const above = (r: typeof raw): number => r.evaluations.filter((e) => e.arch.globalBuffer > 131072).length;
    expect(above(raw)).toBeGreaterThan(above(normalised));
  });
});

describe('inputSpaceSearch', () => {
  const optimum = globalOptimum();

  it('bo gets close to the known optimum and beats random search at the same budget', async () => {
    const bo = await inputSpaceSearch(simbaSpace, layerA, options('bo')).then(right);
    const random = await inputSpaceSearch(simbaSpace, layerA, options('random')).then(right);
    expect(bo.evaluations.length).toBe(40);
    expect(bo.history[39]).toBeLessThan(bo.history[0]);
    expect(Math.log(bo.best?.edp ?? Infinity) - Math.log(optimum)).toBeLessThan(0.5);
    expect(bo.best?.edp ?? Infinity).toBeLessThan(random.best?.edp ?? 0);
  });

  it('bo past the refit threshold (hyperparameters kept between refits) still converges, deterministically', async () => {
    const long = options('bo', { budget: 70, bo: { acquisitionSamples: 200, gpRestarts: 1, gpRefit: { everyIterationUpTo: 20, growth: 0.25 } } });
    const a = await inputSpaceSearch(simbaSpace, layerA, long).then(right);
    const b = await inputSpaceSearch(simbaSpace, layerA, long).then(right);
    expect(a.history).toEqual(b.history);
    expect(a.evaluations.length).toBe(70);
    // improves after the threshold and ends within 10% of the optimum EDP
    expect(a.history[69]).toBeLessThan(a.history[19]);
    expect(Math.log(a.best?.edp ?? Infinity) - Math.log(optimum)).toBeLessThan(0.1);
  });

  it.each<InputSpaceOptimizer>(['bo', 'random'])('%s: distinct valid designs, deterministic, constraints honoured', async (optimizer) => {
    const feasible = (a: { meshX: number }) => a.meshX <= 16;
    const a = await inputSpaceSearch(simbaSpace, layerA, options(optimizer, { budget: 15, constraints: { feasible, maxArea: 3 } })).then(right);
    const b = await inputSpaceSearch(simbaSpace, layerA, options(optimizer, { budget: 15, constraints: { feasible, maxArea: 3 } })).then(right);
    expect(a.history).toEqual(b.history);
    const ids = a.evaluations.map((e) => archId(e.arch));
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBe(15);
    for (const e of a.evaluations) {
      expect(isValidArch(simbaSpace, e.arch).ok).toBe(true);
      expect(e.arch.meshX).toBeLessThanOrEqual(16);
    }
    if (a.best !== undefined) expect(a.best.area).toBeLessThanOrEqual(3);
    expect(a.optimizer).toBe(`input-${optimizer}`);
  });
});
