/**
 * The MIP mapper on any `ArchSpec` and `Problem`: CoSA's formulation (`generic-formulation.ts`) solved by
 * HiGHS, decoded into a `Mapping`, then finished by a small search with Timeloop's model
 * (`createMappingEvaluator`) over what the formulation leaves coarse: each level's loop order among its
 * undominated reuse patterns, and the keep/bypass choices the mapspace leaves open. Factors and spatial
 * axes stay as the MIP placed them.
 */
import * as E from 'fp-ts/Either';
import { invalidInput, type VaesaError } from '../../common/errors';
import { OBJECTIVES, objectiveValue, type Objective } from '../../common/objective';
import { createMappingEvaluator, type ArchMappingEvaluator } from '../../costmodel/arch-evaluator';
import type { ArchSpec, LevelLoops, Mapping } from '../../costmodel/spec';
import { problemKey, validateProblem, type Problem } from '../../workload/problem';
import { resolveConstraints, type MapspaceConstraints, type ResolvedConstraints } from '../generic/constraints';
import { checkArchSpec, type GenericFoundMapping } from '../generic/find-mapping';
import type { CosaWeights } from './formulation';
import { buildGenericCosaProblem, type GenericCosaProblem } from './generic-formulation';
import { DEFAULT_MIP_TIME_LIMIT_SECONDS } from './mapper';
import { undominatedPatterns } from './reuse';
import { solveProgram, type MipSolver, type SolveOutcome } from './solver';

export interface GenericMipMappingOptions {
  /** The loaded HiGHS solver (`await loadMipSolver()`). */
  readonly mipSolver: MipSolver;
  /**
   * What the finishing search (loop orders, open keeps) minimises with Timeloop's model: `'edp'`
   * (default), `'latency'` or `'energy'`. The MIP itself optimises CoSA's fixed objective.
   */
  readonly objective?: Objective;
  /** The mapspace; default: the arch's own (`defaultConstraints`). */
  readonly constraints?: MapspaceConstraints;
  /** HiGHS wall-clock limit per solve, seconds (default `DEFAULT_MIP_TIME_LIMIT_SECONDS`); a layer takes one or two solves. */
  readonly timeLimitSeconds?: number;
  /** Relative optimality gap at which HiGHS stops (default 1e-4). */
  readonly relativeGap?: number;
  /** CoSA's objective weights (default `COSA_WEIGHTS`). */
  readonly weights?: CosaWeights;
}

/** The MIP mapper's answer on an `ArchSpec`: the mapping, its cost in Timeloop's model, and how the solve went. */
export interface GenericMipMapping extends GenericFoundMapping {
  /** CoSA's objective at the MIP's solution (weighted log-domain score; lower is better). */
  readonly mipObjective: number;
  /** Whether HiGHS proved optimality within the gap (false: stopped by the time limit with a feasible solution). */
  readonly optimal: boolean;
  /** Time spent in HiGHS over the solves, seconds. */
  readonly solveSeconds: number;
}

/** A mapping as mutable per-level arrays while it is finished. */
interface Draft {
  readonly temporal: number[][];
  readonly spatialX: number[][];
  readonly spatialY: number[][];
  /** Per level, every dimension index once, inner to outer. */
  readonly order: number[][];
  readonly keep: boolean[][];
}

function decode(formulation: GenericCosaProblem, values: ArrayLike<number>): Draft {
  const { groups, sites, arch, problem, fixedKeep, keepColumns } = formulation;
  const D = problem.shape.dimensions.length;
  const L = arch.levels.length;
  const ones = (): number[][] => Array.from({ length: L }, () => new Array<number>(D).fill(1));
  const draft: Draft = { temporal: ones(), spatialX: ones(), spatialY: ones(), order: [], keep: [] };
  groups.forEach((g, gi) => {
    sites.forEach((site, si) => {
      const col = formulation.countColumns[gi][si];
      if (col < 0) return;
      const into = site.kind === 'temporal' ? draft.temporal : site.kind === 'x' ? draft.spatialX : draft.spatialY;
      into[site.level][g.dim] *= g.prime ** Math.round(values[col]);
    });
  });
  const chosen = formulation.patternColumns.findIndex((col) => Math.round(values[col]) === 1);
  for (let l = 0; l < L; l++) {
    draft.order.push(l === formulation.orderedLevel && chosen >= 0 ? [...formulation.patterns[chosen].order] : defaultOrder(formulation, l));
    draft.keep.push(fixedKeep[l].map((k, t) => (k >= 0 ? k === 1 : Math.round(values[keepColumns[l][t]]) === 1)));
  }
  return draft;
}

/** CoSA's default order at a level: the constraint's prefix, then the problem's dimensions in their order. */
function defaultOrder(formulation: GenericCosaProblem, level: number): number[] {
  const dims = formulation.problem.shape.dimensions;
  const prefix = formulation.constraints.permutation[level].map((d) => dims.indexOf(d));
  return [...prefix, ...dims.map((_, d) => d).filter((d) => !prefix.includes(d))];
}

function toMapping(formulation: GenericCosaProblem, draft: Draft): Mapping {
  const dims = formulation.problem.shape.dimensions;
  const spaces = formulation.problem.shape.dataSpaces.map((ds) => ds.name);
  const levels: LevelLoops[] = draft.temporal.map((temporal, l) => {
    const xs = dims.filter((_, d) => draft.spatialX[l][d] > 1);
    const ys = dims.filter((_, d) => draft.spatialY[l][d] > 1);
    return {
      temporal: Object.fromEntries(dims.map((dim, d) => [dim, temporal[d]])),
      permutation: draft.order[l].map((d) => dims[d]),
      spatial: Object.fromEntries(dims.map((dim, d) => [dim, draft.spatialX[l][d] * draft.spatialY[l][d]])),
      spatialPermutation: [...xs, ...ys],
      spatialSplit: xs.length,
      keep: spaces.filter((_, t) => draft.keep[l][t]),
    };
  });
  return { levels };
}

/** Passes of the finishing search at most (each pass tries every level's orders and every open keep). */
const FINISHING_PASSES = 3;

/**
 * Improves `draft` in place with Timeloop's model: per level its candidate orders (undominated reuse
 * patterns that respect the level's permutation constraint), then each open keep toggled, while the
 * objective improves. Returns the objective value of the result (`draft` must pass the evaluator's check).
 */
function finish(formulation: GenericCosaProblem, draft: Draft, evaluator: ArchMappingEvaluator, objective: Objective): number {
  const D = formulation.problem.shape.dimensions.length;
  const value = (): number => {
    const mapping = toMapping(formulation, draft);
    if (evaluator.check(mapping) !== undefined) return Infinity;
    evaluator.evaluate(mapping);
    return objectiveValue(objective, evaluator);
  };
  const candidates = draft.order.map((_, l) => {
    const prefix = defaultOrder(formulation, l).slice(0, formulation.constraints.permutation[l].length);
    return [defaultOrder(formulation, l), ...undominatedPatterns(formulation.relevant, D, prefix).map((p) => [...p.order])];
  });
  let best = value();
  for (let pass = 0; pass < FINISHING_PASSES; pass++) {
    const before = best;
    for (let l = draft.order.length - 1; l >= 0; l--) {
      // Only the order of a level's non-unit loops matters; skip candidates that agree on them.
      const seen = new Set<string>([draft.order[l].filter((d) => draft.temporal[l][d] > 1).join(',')]);
      for (const order of candidates[l]) {
        const key = order.filter((d) => draft.temporal[l][d] > 1).join(',');
        if (seen.has(key)) continue;
        seen.add(key);
        const kept = draft.order[l];
        draft.order[l] = order;
        const v = value();
        if (v < best) best = v;
        else draft.order[l] = kept;
      }
    }
    formulation.fixedKeep.forEach((row, l) =>
      row.forEach((fixed, t) => {
        if (fixed !== -1) return;
        draft.keep[l][t] = !draft.keep[l][t];
        const v = value();
        if (v < best) best = v;
        else draft.keep[l][t] = !draft.keep[l][t];
      }),
    );
    if (!(best < before)) break;
  }
  return best;
}

/**
 * CoSA's MIP mapper on any `ArchSpec` and `Problem` (see `docs/mip-mapper.md`): the mapping whose factor
 * placement minimises CoSA's objective within the mapspace, its loop orders and open keeps finished with
 * Timeloop's model, costed exactly. Synchronous once the solver is loaded. Invalid input comes back as
 * `InvalidInput`, a problem that fits nowhere as `Infeasible`, no solution within the time limit as
 * `Timeout`; never a throw.
 */
export function findGenericMappingMip(arch: ArchSpec, problem: Problem, options: GenericMipMappingOptions): E.Either<VaesaError, GenericMipMapping> {
  const checkedArch = checkArchSpec(arch);
  if (E.isLeft(checkedArch)) return checkedArch;
  const checked = validateProblem(problem);
  if (E.isLeft(checked)) return checked;
  const p = checked.right;
  const objective = options.objective ?? 'edp';
  if (!OBJECTIVES.includes(objective)) return E.left(invalidInput('objective', objective, `expected ${OBJECTIVES.join(', ')}`));
  const timeLimitSeconds = options.timeLimitSeconds ?? DEFAULT_MIP_TIME_LIMIT_SECONDS;
  if (!(timeLimitSeconds > 0)) return E.left(invalidInput('timeLimitSeconds', timeLimitSeconds, 'must be a positive number of seconds'));
  if (options.mipSolver === undefined) return E.left(invalidInput('mipSolver', options.mipSolver, 'the MIP mapper needs a solver (await loadMipSolver())'));
  const constraints = resolveConstraints(arch, p, options.constraints);
  if (E.isLeft(constraints)) return constraints;

  const evaluator = createMappingEvaluator(arch, p);
  const first = solveAndFinish(arch, p, constraints.right, evaluator, { ...options, objective, timeLimitSeconds });
  if (E.isLeft(first)) return first;
  // The program keeps whatever fits (CoSA's fixed bypass); when the finishing search bypasses some of it,
  // the factors are placed again for those keeps, and the better of the two answers wins.
  let best = first.right;
  let solveSeconds = best.solveSeconds;
  const bypassedLater = best.decidedKeep.some((row, l) => row.some((kept, t) => kept !== best.draft.keep[l][t]));
  if (bypassedLater) {
    const names = p.shape.dataSpaces.map((ds) => ds.name);
    const keepsFixed: ResolvedConstraints = {
      ...constraints.right,
      mustKeep: best.draft.keep.map((row) => names.filter((_, t) => row[t])),
      mayKeep: best.draft.keep.map(() => []),
    };
    const second = solveAndFinish(arch, p, keepsFixed, evaluator, { ...options, objective, timeLimitSeconds });
    if (E.isRight(second)) {
      solveSeconds += second.right.solveSeconds;
      if (second.right.value < best.value) best = second.right;
    }
  }
  const { formulation, draft, outcome } = best;
  const mapping = toMapping(formulation, draft);
  evaluator.check(mapping);
  evaluator.evaluate(mapping);
  return E.right({ mapping, cost: evaluator.cost(), mipObjective: outcome.objective, optimal: outcome.optimal, solveSeconds });
}

/** One solve of the formulation within `constraints`, decoded and finished. */
interface FinishedSolve {
  readonly formulation: GenericCosaProblem;
  readonly draft: Draft;
  /** The keeps as the program decided them (before the finishing search). */
  readonly decidedKeep: readonly (readonly boolean[])[];
  /** The finished mapping's objective value in Timeloop's model. */
  readonly value: number;
  readonly outcome: Extract<SolveOutcome, { readonly _tag: 'Solved' }>;
  readonly solveSeconds: number;
}

function solveAndFinish(
  arch: ArchSpec,
  p: Problem,
  constraints: ResolvedConstraints,
  evaluator: ArchMappingEvaluator,
  options: GenericMipMappingOptions & { readonly objective: Objective; readonly timeLimitSeconds: number },
): E.Either<VaesaError, FinishedSolve> {
  const formulation = buildGenericCosaProblem(arch, p, constraints, options.weights);
  const outcome = solveProgram(options.mipSolver, formulation.program, { timeLimitSeconds: options.timeLimitSeconds, relativeGap: options.relativeGap });
  switch (outcome._tag) {
    case 'SolverError':
      return E.left(outcome);
    case 'Infeasible':
      return E.left({ _tag: 'Infeasible', message: `no mapping of ${problemKey(p)} fits the buffers and fan-outs of ${arch.name} within its mapspace` });
    case 'Timeout':
      return E.left({ _tag: 'Timeout', message: `HiGHS found no feasible mapping of ${problemKey(p)} on ${arch.name} within ${options.timeLimitSeconds} s`, seconds: outcome.seconds });
    case 'Solved':
      break;
  }
  const draft = decode(formulation, outcome.values);
  const refusal = evaluator.check(toMapping(formulation, draft));
  if (refusal !== undefined) {
    return E.left({ _tag: 'SolverError', message: `the MIP's mapping of ${problemKey(p)} on ${arch.name} is refused by the cost model (${refusal._tag === 'InvalidInput' ? refusal.message : refusal._tag})` });
  }
  const decidedKeep = draft.keep.map((row) => [...row]);
  const value = finish(formulation, draft, evaluator, options.objective);
  return E.right({ formulation, draft, decidedKeep, value, outcome, solveSeconds: outcome.seconds });
}
