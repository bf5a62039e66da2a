import * as E from 'fp-ts/Either';
import { formatError } from '../common/errors';
import { costModelEvaluator } from '../mapper/evaluator';
import { callEvaluator, EvaluatorFailure, mapWithConcurrency, type CostMetrics, type Evaluator } from '../common/evaluator';
import { designName } from '../hardware/arch';
import { designKey, isSimbaSpace, type Design, type DesignSpace, type SimbaParam } from '../hardware/space';
import { layerName } from '../workload/layer';
import { objectiveValue, type Objective } from '../common/objective';
import { paretoFront, targetTotals, type WeightedLayer } from './target';
import type {
  CommonSearchOptions,
  EvaluatedDesign,
  PredictedMetrics,
  SearchResult,
  StopReason,
} from './types';

/** What happened to one proposed design. */
export type Submission<P extends string = SimbaParam> =
  | { readonly kind: 'new'; readonly design: EvaluatedDesign<P> }
  | { readonly kind: 'duplicate'; readonly design: EvaluatedDesign<P> }
  | { readonly kind: 'rejected' };

/**
 * The budget and bookkeeping every optimiser shares: evaluates each distinct design once on the
 * whole target, applies the constraints, tracks best/history/duplicates, and decides when to stop.
 */
export interface Ledger<P extends string = SimbaParam> {
  readonly layers: readonly WeightedLayer[];
  readonly objective: Objective;
  /** True once the budget is spent, the signal aborted, or too many proposals in a row were repeats. */
  done(): boolean;
  /** Distinct evaluations still allowed. */
  remaining(): number;
  /** Whether `arch` was already evaluated (no evaluation, no side effect). */
  has(arch: Design<P>): boolean;
  /** Evaluates `arch` unless it is a repeat or fails the predicate. Call only while `!done()`. */
  submit(arch: Design<P>, predicted?: PredictedMetrics): Promise<Submission<P>>;
  /** Marks that the optimiser has no more proposals. */
  exhaust(): void;
  result(optimizer: string): SearchResult<P>;
}

/**
 * The evaluator a search uses: the caller's, or for Simba's space the built-in cost model (setup 'pat',
 * each layer mapped for the same objective the search minimises). Another space needs the caller's.
 */
export function evaluatorOf<P extends string>(space: DesignSpace<P>, options: CommonSearchOptions<P>): Evaluator<P> {
  if (options.evaluator !== undefined) return options.evaluator;
  if (!isSimbaSpace(space)) throw new RangeError(`search: the space ${space.name} has no built-in evaluator: pass options.evaluator`);
  const made = costModelEvaluator({ objective: options.objective ?? 'edp' });
  if (E.isLeft(made)) throw new RangeError(`search: ${formatError(made.left)}`);
  return made.right as unknown as Evaluator<P>;
}

export const DEFAULT_BUDGET = 100;

/** Budget and seed after defaults, checked (programmer errors throw). */
export function searchSettings<P extends string>(options: CommonSearchOptions<P>): { budget: number; seed: number; objective: Objective } {
  const budget = options.budget ?? DEFAULT_BUDGET;
  if (!Number.isInteger(budget) || budget < 1) throw new RangeError(`search: budget must be a positive integer, got ${budget}`);
  const positive = (v: number | undefined): boolean => v === undefined || (typeof v === 'number' && v > 0 && !Number.isNaN(v));
  const limits: [string, number | undefined][] = [
    ['evaluationTimeoutMs', options.evaluationTimeoutMs],
    ['constraints.maxArea', options.constraints?.maxArea],
    ['constraints.maxEnergy', options.constraints?.maxEnergy],
    ['constraints.maxPower', options.constraints?.maxPower],
  ];
  for (const [name, v] of limits) if (!positive(v)) throw new RangeError(`search: ${name} must be a positive number, got ${v}`);
  const concurrency = options.evaluatorConcurrency;
  if (concurrency !== undefined && !(Number.isInteger(concurrency) && concurrency >= 1)) throw new RangeError(`search: evaluatorConcurrency must be a positive integer, got ${concurrency}`);
  if (options.onEvaluatorError !== undefined && options.onEvaluatorError !== 'abort' && options.onEvaluatorError !== 'skip') {
    throw new RangeError(`search: onEvaluatorError must be 'abort' or 'skip', got ${String(options.onEvaluatorError)}`);
  }
  const seed = options.seed ?? 0;
  if (!Number.isFinite(seed)) throw new RangeError(`search: seed must be a finite number, got ${seed}`);
  return { budget, seed, objective: options.objective ?? 'edp' };
}

export function createLedger<P extends string>(
  space: DesignSpace<P>,
  layers: readonly WeightedLayer[],
  options: CommonSearchOptions<P>,
  now: () => number = () => performance.now(),
): Ledger<P> {
  const { budget, seed, objective } = searchSettings(options);
  const evaluator = evaluatorOf(space, options);
  const maxRepeats = options.maxConsecutiveRepeats ?? 200;
  const maxArea = options.constraints?.maxArea;
  const maxEnergy = options.constraints?.maxEnergy;
  const maxPower = options.constraints?.maxPower;
  const feasiblePredicate = options.constraints?.feasible;
  const policy = options.onEvaluatorError ?? 'abort';
  const concurrency = options.evaluatorConcurrency ?? 4;
  let evaluatorError: string | undefined;
  let failed = 0;
  const started = now();
  const seen = new Map<string, EvaluatedDesign<P>>();
  const evaluations: EvaluatedDesign<P>[] = [];
  const history: number[] = [];
  let best: EvaluatedDesign<P> | undefined;
  let duplicates = 0;
  let rejected = 0;
  let infeasible = 0;
  let repeatsInARow = 0;
  let evaluationMs = 0;
  let exhausted = false;

  const stopReason = (): StopReason | undefined => {
    if (evaluatorError !== undefined) return 'evaluator-error';
    if (options.signal?.aborted === true) return 'cancelled';
    if (evaluations.length >= budget) return 'budget';
    if (exhausted) return 'exhausted';
    if (repeatsInARow >= maxRepeats) return 'stalled';
    return undefined;
  };

  const limits = { timeoutMs: options.evaluationTimeoutMs, signal: options.signal };
  const evaluate = async (arch: Design<P>, predicted: PredictedMetrics | undefined): Promise<EvaluatedDesign<P>> => {
    const t0 = now();
    let perLayer: CostMetrics[];
    try {
      perLayer = await mapWithConcurrency(layers, concurrency, (l) => callEvaluator(evaluator, arch, l.layer, `${designName(arch)} on ${layerName(l.layer)}`, limits));
    } catch (e) {
      if (!(e instanceof EvaluatorFailure)) throw e;
      return { arch, cycles: Number.NaN, energy: Number.NaN, edp: Number.NaN, area: undefined, objective: Number.NaN, feasible: false, error: e.message };
    } finally {
      evaluationMs += now() - t0;
    }
    const totals = targetTotals(layers, perLayer);
    const areas = perLayer.map((m) => m.area).filter((a): a is number => a !== undefined);
    const area = areas.length > 0 ? Math.max(...areas) : undefined;
    if (maxArea !== undefined && area === undefined) {
      throw new RangeError('search: constraints.maxArea needs an evaluator that reports area');
    }
    const feasible =
      (maxArea === undefined || (area as number) <= maxArea) &&
      (maxEnergy === undefined || totals.energy <= maxEnergy) &&
      (maxPower === undefined || totals.energy / totals.cycles <= maxPower);
    return {
      arch,
      ...totals,
      area,
      objective: objectiveValue(objective, totals),
      feasible,
      ...(predicted === undefined ? {} : { predicted }),
    };
  };

  return {
    layers,
    objective,
    done: () => stopReason() !== undefined,
    remaining: () => Math.max(0, budget - evaluations.length),
    has: (arch) => seen.has(designKey(space, arch)),
    exhaust: () => {
      exhausted = true;
    },
    submit: async (arch, predicted) => {
      if (stopReason() !== undefined) throw new Error('search ledger: submit called after the search stopped');
      const key = designKey(space, arch);
      const previous = seen.get(key);
      if (previous !== undefined) {
        duplicates++;
        repeatsInARow++;
        return { kind: 'duplicate', design: previous };
      }
      if (feasiblePredicate !== undefined && !feasiblePredicate(arch)) {
        rejected++;
        repeatsInARow++;
        return { kind: 'rejected' };
      }
      const design = await evaluate(arch, predicted);
      if (design.error !== undefined) {
        if (options.signal?.aborted === true) return { kind: 'rejected' };
        if (policy === 'abort') {
          evaluatorError = design.error;
          return { kind: 'rejected' };
        }
        failed++;
      }
      repeatsInARow = 0;
      seen.set(key, design);
      evaluations.push(design);
      if (design.error === undefined && !design.feasible) infeasible++;
      else if (design.feasible && (best === undefined || design.objective < best.objective)) best = design;
      const bestObjective = best?.objective ?? Number.POSITIVE_INFINITY;
      history.push(bestObjective);
      options.onProgress?.({ evaluations: evaluations.length, budget, bestObjective, duplicates, rejected });
      return { kind: 'new', design };
    },
    result: (optimizer) => {
      const totalMs = now() - started;
      return {
        optimizer,
        objective,
        budget,
        seed,
        best:
          best === undefined
            ? undefined
            : { arch: best.arch, cycles: best.cycles, energy: best.energy, edp: best.edp, area: best.area },
        ...(best?.predicted === undefined ? {} : { predicted: best.predicted }),
        history: history.slice(),
        evaluations: evaluations.slice(),
        ...(options.pareto === true ? { pareto: paretoFront(evaluations.filter((e) => e.feasible)) } : {}),
        duplicates,
        rejected,
        infeasible,
        failed,
        ...(evaluatorError === undefined ? {} : { evaluatorError }),
        stopReason: stopReason() ?? 'exhausted',
        timing: { totalMs, evaluationMs, searchMs: totalMs - evaluationMs },
      };
    },
  };
}
