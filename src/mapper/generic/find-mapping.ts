import * as E from 'fp-ts/Either';
import { invalidInput, type VaesaError } from '../../common/errors';
import { createRng } from '../../common/rng';
import { createMappingEvaluator, type ArchCost } from '../../costmodel/arch-evaluator';
import { fanout, type ArchSpec, type LevelLoops, type Mapping } from '../../costmodel/spec';
import { problemKey, validateProblem, type Problem } from '../../workload/problem';
import type { Objective } from '../../common/objective';
import { resolveConstraints, type MapspaceConstraints, type ResolvedConstraints } from './constraints';
import { nestShape, objectiveOf, type Nest, type NestShape } from './nest';
import {
  Allotter,
  DEFAULT_GENERIC_EFFORT,
  FAST_GENERIC_EFFORT,
  outermostNest,
  searchNests,
  spatialUnrollings,
  type GenericSearchEffort,
  type Unrolling,
} from './search';

/** Named efforts of the generic search. */
export const GENERIC_SEARCH_EFFORTS = { default: DEFAULT_GENERIC_EFFORT, fast: FAST_GENERIC_EFFORT } as const;

export interface GenericMappingOptions {
  /** What to minimise: `'edp'` (default), `'latency'` (cycles) or `'energy'`. */
  readonly objective?: Objective;
  /** The mapspace; default: the arch's own (`defaultConstraints`). */
  readonly constraints?: MapspaceConstraints;
  /** Seed of the search's random choices (default 0); the same seed always gives the same mapping. */
  readonly seed?: number;
  /** `'default'`, `'fast'` or explicit knobs. */
  readonly effort?: GenericSearchEffort | keyof typeof GENERIC_SEARCH_EFFORTS;
  /** Reuses the unrollings and answers across calls (see `createGenericCache`); results are identical without it. */
  readonly cache?: GenericMappingCache;
}

/** The generic mapper's answer: the mapping over the arch's levels and its cost in Timeloop's model. */
export interface GenericFoundMapping {
  readonly mapping: Mapping;
  readonly cost: ArchCost;
}

/** Work shared across calls: unrollings per (problem, fan-outs, constraints, effort) and answers per full query. */
export interface GenericMappingCache {
  readonly unrollings: Map<string, readonly Unrolling[]>;
  readonly answers: Map<string, GenericFoundMapping>;
  readonly maxAnswers: number;
}

export function createGenericCache(maxAnswers = 10_000): GenericMappingCache {
  return { unrollings: new Map(), answers: new Map(), maxAnswers };
}

const OBJECTIVES: Readonly<Record<Objective, 0 | 1 | 2>> = { edp: 0, latency: 1, energy: 2 };

function resolveEffort(effort: GenericMappingOptions['effort']): E.Either<VaesaError, GenericSearchEffort> {
  if (effort === undefined) return E.right(DEFAULT_GENERIC_EFFORT);
  if (typeof effort === 'string') {
    return Object.prototype.hasOwnProperty.call(GENERIC_SEARCH_EFFORTS, effort)
      ? E.right(GENERIC_SEARCH_EFFORTS[effort])
      : E.left(invalidInput('effort', effort, `expected ${Object.keys(GENERIC_SEARCH_EFFORTS).join(', ')} or explicit knobs`));
  }
  for (const knob of Object.keys(DEFAULT_GENERIC_EFFORT) as (keyof GenericSearchEffort)[]) {
    const value = effort[knob];
    const least = knob === 'moves' ? 0 : 1;
    if (!(Number.isInteger(value) && value >= least)) return E.left(invalidInput(`effort.${knob}`, value, `must be an integer >= ${least}`));
  }
  return E.right(effort);
}

/** The checks the mapper relies on: levels present, meshes that divide, positive sizes and energies. */
export function checkArchSpec(arch: ArchSpec): E.Either<VaesaError, ArchSpec> {
  if (arch.levels.length === 0) return E.left(invalidInput('arch.levels', arch.levels, 'an arch needs at least one storage level'));
  const positive = (v: number): boolean => Number.isInteger(v) && v > 0;
  if (!positive(arch.arithmetic.instances) || !positive(arch.arithmetic.meshX) || arch.arithmetic.instances % arch.arithmetic.meshX !== 0) {
    return E.left(invalidInput('arch.arithmetic', arch.arithmetic, 'instances and meshX must be positive integers, meshX dividing instances'));
  }
  for (const [i, level] of arch.levels.entries()) {
    const path = `arch.levels[${i}]`;
    if (level.entries !== undefined && !positive(level.entries)) return E.left(invalidInput(`${path}.entries`, level.entries, 'must be a positive integer (or unset for unbounded)'));
    if (!positive(level.blockSize)) return E.left(invalidInput(`${path}.blockSize`, level.blockSize, 'must be a positive integer'));
    if (!positive(level.instances) || !positive(level.meshX) || level.instances % level.meshX !== 0) return E.left(invalidInput(`${path}.instances`, level.instances, 'instances and meshX must be positive integers, meshX dividing instances'));
    if (!(level.vectorAccessEnergy >= 0)) return E.left(invalidInput(`${path}.vectorAccessEnergy`, level.vectorAccessEnergy, 'must be a non-negative number'));
    for (const [field, bw] of [['readBandwidth', level.readBandwidth], ['writeBandwidth', level.writeBandwidth]] as const) {
      if (bw !== undefined && !(bw > 0)) return E.left(invalidInput(`${path}.${field}`, bw, 'must be a positive number (or unset for unlimited)'));
    }
    const f = fanout(arch, i);
    if (!positive(f.x) || !positive(f.y)) return E.left(invalidInput(`${path}.meshX`, level.meshX, 'the mesh of this level must divide the mesh of the level below, per axis'));
  }
  return E.right(arch);
}

/** The fixed temporal factors of the constraints as a flat array (`l * D + d`). */
function fixedFactors(shape: NestShape, constraints: ResolvedConstraints): Float64Array {
  const fixed = new Float64Array(shape.numLevels * shape.numDims).fill(1);
  constraints.temporalFactors.forEach((factors, l) => {
    for (const [dim, f] of Object.entries(factors)) fixed[l * shape.numDims + shape.dims.indexOf(dim)] = f;
  });
  return fixed;
}

/** A nest as the public `Mapping`: per level its factors, loop order, fan-out (X dims first) and keeps. */
export function nestToMapping(shape: NestShape, nest: Nest): Mapping {
  const D = shape.numDims;
  const levels: LevelLoops[] = [];
  for (let l = 0; l < shape.numLevels; l++) {
    const temporal: Record<string, number> = {};
    const spatial: Record<string, number> = {};
    const xs: string[] = [];
    const ys: string[] = [];
    shape.dims.forEach((dim, d) => {
      temporal[dim] = nest.temporal[l * D + d];
      spatial[dim] = nest.spatialX[l * D + d] * nest.spatialY[l * D + d];
      if (nest.spatialX[l * D + d] > 1) xs.push(dim);
      else if (nest.spatialY[l * D + d] > 1) ys.push(dim);
    });
    const permutation = Array.from(nest.order.subarray(l * D, (l + 1) * D), (d) => shape.dims[d]);
    const keep = shape.spaces.filter((_, t) => nest.keep[l * shape.numSpaces + t] === 1);
    levels.push({ temporal, permutation, spatial, spatialPermutation: [...xs, ...ys], spatialSplit: xs.length, keep });
  }
  return { levels };
}

/**
 * The best mapping the generic search finds for `problem` on `arch` (objective EDP by default), within
 * the arch's mapspace or the given constraints. Deterministic for a seed. An invalid arch, problem,
 * constraint or effort comes back as `InvalidInput`; a problem that cannot fit (not even one word of each
 * kept data space) as `Infeasible`.
 */
export function findGenericMapping(arch: ArchSpec, problem: Problem, options: GenericMappingOptions = {}): E.Either<VaesaError, GenericFoundMapping> {
  const checkedArch = checkArchSpec(arch);
  if (E.isLeft(checkedArch)) return checkedArch;
  const checked = validateProblem(problem);
  if (E.isLeft(checked)) return checked;
  const p = checked.right;
  const objectiveName = options.objective ?? 'edp';
  if (!Object.prototype.hasOwnProperty.call(OBJECTIVES, objectiveName)) return E.left(invalidInput('objective', objectiveName, 'expected edp, latency or energy'));
  const effort = resolveEffort(options.effort);
  if (E.isLeft(effort)) return effort;
  const seed = options.seed ?? 0;
  if (!Number.isFinite(seed)) return E.left(invalidInput('seed', seed, 'must be a finite number'));
  const constraints = resolveConstraints(arch, p, options.constraints);
  if (E.isLeft(constraints)) return constraints;
  const cache = options.cache;
  const constraintsKey = JSON.stringify(constraints.right);
  const e = effort.right;
  const effortKey = [e.unrollings, e.seededUnrollings, e.starts, e.moves, e.finalists].join(',');
  const answerKey = cache === undefined ? '' : [objectiveName, seed, effortKey, problemKey(p), JSON.stringify(arch), constraintsKey].join('|');
  const hit = cache?.answers.get(answerKey);
  if (hit !== undefined) return E.right(hit);

  const shape = nestShape(arch, p);
  const fixed = fixedFactors(shape, constraints.right);
  const fanoutKey = `${Array.from(shape.fanoutX).join(',')}/${Array.from(shape.fanoutY).join(',')}`;
  const unrollingKey = [problemKey(p), fanoutKey, constraintsKey, e.unrollings].join('|');
  let unrollings = cache?.unrollings.get(unrollingKey);
  if (unrollings === undefined) {
    unrollings = spatialUnrollings(shape, constraints.right, fixed, e.unrollings);
    cache?.unrollings.set(unrollingKey, unrollings);
  }
  const objective = OBJECTIVES[objectiveName];
  const allotter = new Allotter(shape, constraints.right, fixed, objective);
  const proposals = searchNests(allotter, unrollings, constraints.right, createRng(seed), e).map((c) => c.nest);
  proposals.push(outermostNest(shape, constraints.right, fixed));

  // Each proposal is costed with Timeloop's model and the best by the objective wins.
  const evaluator = createMappingEvaluator(arch, p);
  let best: Mapping | undefined;
  let bestValue = Infinity;
  let firstRefusal: VaesaError | undefined;
  for (const nest of proposals) {
    const mapping = nestToMapping(shape, nest);
    const refusal = evaluator.check(mapping);
    if (refusal !== undefined) {
      firstRefusal ??= refusal;
      continue;
    }
    evaluator.evaluate(mapping);
    const value = objectiveOf(objective, evaluator.cycles, evaluator.energy);
    if (value < bestValue) {
      bestValue = value;
      best = mapping;
    }
  }
  if (best === undefined) {
    const why = firstRefusal?._tag === 'InvalidInput' ? `: ${firstRefusal.message}` : '';
    return E.left({ _tag: 'Infeasible', message: `no mapping of ${problemKey(p)} fits ${arch.name}${why}` });
  }
  evaluator.evaluate(best);
  const found: GenericFoundMapping = { mapping: best, cost: evaluator.cost() };
  if (cache !== undefined) {
    if (cache.answers.size >= cache.maxAnswers) {
      const oldest = cache.answers.keys().next();
      if (!oldest.done) cache.answers.delete(oldest.value);
    }
    cache.answers.set(answerKey, found);
  }
  return E.right(found);
}
