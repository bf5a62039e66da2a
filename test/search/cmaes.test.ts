import { InputError } from '../../src/common/errors';
import { right } from '../fixtures/right';
import { createRng } from '../../src/common/rng';
import { defineSpace, designToVector } from '../../src/hardware/space';
import { cmaesOptimizer } from '../../src/search/cmaes';
import { inputSpaceSearch } from '../../src/search/input-search';
import { symmetricEigen } from '../../src/search/linalg';
import type { OptimizerContext, Told } from '../../src/search/optimizer';
import { latentSearch } from '../../src/search/latent-search';
import { fakeModel, layerA, syntheticEvaluator } from './fixtures';
import * as E from 'fp-ts/Either';

const DIM = 10;
const centre = Array.from({ length: DIM }, (_, d) => -3 + 0.6 * d);
const sphere = (x: readonly number[]): number => x.reduce((s, v, d) => s + (v - centre[d]) ** 2, 0);

/** Drives an optimiser on a function of the box directly (no snapping): the best value after `budget` points. */
async function minimise(f: (x: readonly number[]) => number, context: OptimizerContext): Promise<number> {
  const optimizer = cmaesOptimizer(context);
  let best = Number.POSITIVE_INFINITY;
  let used = 0;
  while (used < context.budget) {
    const points = (await optimizer.ask(context.budget - used)).slice(0, context.budget - used);
    const told: Told[] = points.map((point) => {
      const value = f(point);
      best = Math.min(best, value);
      return { point, outcome: 'new', feasible: true, cycles: 1, energy: 1, objective: value };
    });
    used += points.length;
    optimizer.tell(told);
  }
  return best;
}

describe('symmetricEigen', () => {
  it('gives A = V diag(values) Vᵀ with orthonormal V', () => {
    const rng = createRng(5);
    const n = 6;
    const b = Array.from({ length: n * n }, () => rng.normal());
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) for (let k = 0; k < n; k++) a[i * n + j] += b[i * n + k] * b[j * n + k];
    const { values, vectors } = symmetricEigen(a, n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        let rebuilt = 0;
        let dot = 0;
        for (let k = 0; k < n; k++) {
          rebuilt += vectors[i * n + k] * values[k] * vectors[j * n + k];
          dot += vectors[k * n + i] * vectors[k * n + j];
        }
        expect(rebuilt).toBeCloseTo(a[i * n + j], 9);
        expect(dot).toBeCloseTo(i === j ? 1 : 0, 9);
      }
    }
  });
});

describe('cmaesOptimizer', () => {
  const box = { lower: new Array<number>(DIM).fill(-5), upper: new Array<number>(DIM).fill(5) };

  it('finds the minimum of a shifted 10-D sphere within 3,000 evaluations, far below random search', async () => {
    for (const seed of [1, 2, 3]) {
      const best = await minimise(sphere, { box, rng: createRng(seed), objective: 'edp', budget: 3000, pareto: false });
      expect(best).toBeLessThan(1e-8);
    }
    // Random search's best of 3,000 uniform points on this sphere is of order 10 (its expected minimum).
    let randomBest = Number.POSITIVE_INFINITY;
    const rng = createRng(1);
    for (let i = 0; i < 3000; i++) randomBest = Math.min(randomBest, sphere(box.lower.map((lo, d) => rng.uniform(lo, box.upper[d]))));
    expect(randomBest).toBeGreaterThan(1);
  });

  it('is seeded: the same seed gives the same points, another seed others', async () => {
    const ask = async (seed: number) => cmaesOptimizer({ box, rng: createRng(seed), objective: 'edp', budget: 50, pareto: false }).ask(50);
    expect(await ask(4)).toEqual(await ask(4));
    expect(await ask(4)).not.toEqual(await ask(5));
    expect(await ask(4)).toHaveLength(4 + Math.floor(3 * Math.log(DIM)));
  });

  it('refuses bad settings', () => {
    const context: OptimizerContext = { box, rng: createRng(1), objective: 'edp', budget: 10, pareto: false };
    expect(() => cmaesOptimizer(context, { populationSize: 1 })).toThrow(InputError);
    expect(() => cmaesOptimizer(context, { initialSigma: 0 })).toThrow(InputError);
  });

  it('as an input-space search, finds the best design of a grid space through the ledger (snapping, duplicates free)', async () => {
    const space = defineSpace({ name: 'grid', params: Array.from({ length: 6 }, (_, d) => ({ name: `p${d}`, min: 1, max: 64, grid: { kind: 'multiple' as const, step: 1 }, encoding: 'linear' as const })) });
    if (E.isLeft(space)) throw new Error('space');
    const target = [3, 60, 17, 40, 8, 33];
    const evaluator = (design: Readonly<Record<string, number>>) => {
      const v = designToVector(space.right, design);
      return { cycles: 1 + v.reduce((s, x, d) => s + (x - target[d]) ** 2, 0), energy: 1 };
    };
    const result = await inputSpaceSearch(space.right, layerA, { optimizer: 'cmaes', evaluator, budget: 400, seed: 3 }).then(right);
    expect(result.optimizer).toBe('input-cmaes');
    expect(result.best?.edp).toBe(1);
    expect(designToVector(space.right, result.best!.arch)).toEqual(target);
    expect(result.evaluations.length).toBeLessThanOrEqual(400);
  });

  it('searches a latent box too', async () => {
    const result = await latentSearch(fakeModel(), layerA, { optimizer: 'cmaes', evaluator: syntheticEvaluator, budget: 30, seed: 2, latentBound: 1 }).then(right);
    expect(result.optimizer).toBe('latent-cmaes');
    expect(result.evaluations).toHaveLength(30);
    expect(result.stopReason).toBe('budget');
  });
});
