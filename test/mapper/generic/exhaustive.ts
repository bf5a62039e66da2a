/**
 * The exhaustive optimum of the generic mapspace for tiny problems: every spatial assignment (each
 * dimension on X, Y or neither at each fan-out, within its size), every factorization of the remaining
 * bounds over the levels' temporal loops, every order of each level's non-unit loops and every keep
 * choice the constraints leave open; each nest Timeloop's model accepts is costed by it
 * (`createMappingEvaluator`) and the best objective kept.
 */
import * as E from 'fp-ts/Either';
import type { ArchSpec } from '../../../src/costmodel/spec';
import { resolveConstraints, type MapspaceConstraints } from '../../../src/mapper/generic/constraints';
import { createMappingEvaluator } from '../../../src/costmodel/arch-evaluator';
import { nestToMapping } from '../../../src/mapper/generic/find-mapping';
import { emptyNest, nestShape, NestEstimator, objectiveOf, type Nest } from '../../../src/mapper/generic/nest';
import type { Problem } from '../../../src/workload/problem';

function divisors(n: number): number[] {
  const out: number[] = [];
  for (let k = 1; k <= n; k++) if (n % k === 0) out.push(k);
  return out;
}

function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [items.slice()];
  return items.flatMap((x, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [x, ...rest]));
}

export interface Optimum {
  readonly value: number;
  readonly cycles: number;
  readonly energy: number;
  /** Fitting nests enumerated. */
  readonly count: number;
}

export function exhaustiveOptimum(arch: ArchSpec, problem: Problem, constraints?: MapspaceConstraints, objective: 0 | 1 | 2 = 0): Optimum {
  const resolved = resolveConstraints(arch, problem, constraints);
  if (E.isLeft(resolved)) throw new Error(JSON.stringify(resolved.left));
  const c = resolved.right;
  const shape = nestShape(arch, problem);
  const { numDims: D, numLevels: L, numSpaces: T } = shape;
  const estimator = new NestEstimator(shape);
  const evaluator = createMappingEvaluator(arch, problem);
  const nest: Nest = emptyNest(shape);
  let best: Optimum = { value: Infinity, cycles: 0, energy: 0, count: 0 };
  let count = 0;

  const openKeeps: number[] = [];
  c.mayKeep.forEach((spaces, l) => spaces.forEach((name) => openKeeps.push(l * T + shape.spaces.indexOf(name))));
  const baseKeep = new Uint8Array(L * T);
  c.mustKeep.forEach((spaces, l) => spaces.forEach((name) => (baseKeep[l * T + shape.spaces.indexOf(name)] = 1)));

  const orders = (): void => {
    // Per level, every order of its non-unit loops (unit loops after them).
    const perLevel = Array.from({ length: L }, (_, l) => {
      const used: number[] = [];
      const unit: number[] = [];
      for (let d = 0; d < D; d++) (nest.temporal[l * D + d] > 1 ? used : unit).push(d);
      return permutations(used).map((p) => [...p, ...unit]);
    });
    const walk = (l: number): void => {
      if (l === L) {
        // The estimate's capacity rule prunes; Timeloop's check decides.
        if (!estimator.fits(nest)) return;
        const mapping = nestToMapping(shape, nest);
        if (evaluator.check(mapping) !== undefined) return;
        count++;
        evaluator.evaluate(mapping);
        const value = objectiveOf(objective, evaluator.cycles, evaluator.energy);
        if (value < best.value) best = { value, cycles: evaluator.cycles, energy: evaluator.energy, count: 0 };
        return;
      }
      for (const order of perLevel[l]) {
        order.forEach((d, k) => (nest.order[l * D + k] = d));
        walk(l + 1);
      }
    };
    walk(0);
  };

  const keeps = (): void => {
    for (let mask = 0; mask < 1 << openKeeps.length; mask++) {
      nest.keep.set(baseKeep);
      openKeeps.forEach((k, i) => (nest.keep[k] = (mask >> i) & 1));
      orders();
    }
  };

  // Temporal factors: level by level, dimension by dimension, the last level taking what is left.
  const temporal = (remaining: number[], l: number, d: number): void => {
    if (l === L - 1) {
      for (let e = 0; e < D; e++) nest.temporal[l * D + e] = remaining[e];
      keeps();
      return;
    }
    if (d === D) {
      temporal(remaining, l + 1, 0);
      return;
    }
    for (const f of divisors(remaining[d])) {
      nest.temporal[l * D + d] = f;
      const next = remaining.slice();
      next[d] /= f;
      temporal(next, l, d + 1);
    }
  };

  // Spatial factors: fan-out by fan-out, each dimension on X, Y or neither.
  const spatial = (remaining: number[], l: number, d: number, px: number, py: number): void => {
    if (l === L) {
      temporal(remaining, 0, 0);
      return;
    }
    if (d === D) {
      spatial(remaining, l + 1, 0, 1, 1);
      return;
    }
    const i = l * D + d;
    nest.spatialX[i] = 1;
    nest.spatialY[i] = 1;
    spatial(remaining, l, d + 1, px, py);
    for (const k of divisors(remaining[d])) {
      if (k === 1) continue;
      const next = remaining.slice();
      next[d] /= k;
      if (c.spatialX[l].includes(shape.dims[d]) && px * k <= shape.fanoutX[l]) {
        nest.spatialX[i] = k;
        spatial(next, l, d + 1, px * k, py);
        nest.spatialX[i] = 1;
      }
      if (c.spatialY[l].includes(shape.dims[d]) && py * k <= shape.fanoutY[l]) {
        nest.spatialY[i] = k;
        spatial(next, l, d + 1, px, py * k);
        nest.spatialY[i] = 1;
      }
    }
  };
  spatial(Array.from(shape.bounds), 0, 0, 1, 1);
  return { ...best, value: objectiveOf(objective, best.cycles, best.energy), count };
}
