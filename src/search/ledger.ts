import { costModelEvaluator } from '../mapper/evaluator';
import type { CostMetrics, Evaluator } from '../common/evaluator';
import { archId, type ArchConfig } from '../hardware/arch';
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
export type Submission =
  | { readonly kind: 'new'; readonly design: EvaluatedDesign }
  | { readonly kind: 'duplicate'; readonly design: EvaluatedDesign }
  | { readonly kind: 'rejected' };

/**
 * The budget and bookkeeping every optimiser shares: evaluates each distinct design once on the
 * whole target, applies the constraints, tracks best/history/duplicates, and decides when to stop.
 */
export interface Ledger {
  readonly layers: readonly WeightedLayer[];
  readonly objective: Objective;
  /** True once the budget is spent, the signal aborted, or too many proposals in a row were repeats. */
  done(): boolean;
  /** Distinct evaluations still allowed. */
  remaining(): number;
  /** Whether `arch` was already evaluated (no evaluation, no side effect). */
  has(arch: ArchConfig): boolean;
  /** Evaluates `arch` unless it is a repeat or fails the predicate. Call only while `!done()`. */
  submit(arch: ArchConfig, predicted?: PredictedMetrics): Promise<Submission>;
  /**
   * Counts proposals that repeated another proposal of the same batch (an optimiser that dedupes a
   * batch before submitting it); they do not count toward the repeats-in-a-row limit.
   */
  countBatchDuplicates(count: number): void;
  /** Marks that the optimiser has no more proposals. */
  exhaust(): void;
  result(optimizer: string): SearchResult;
}

/**
 * The evaluator a search uses: the caller's, or the built-in cost model (setup 'pat', each layer mapped
 * for the same objective the search minimises).
 */
export function evaluatorOf(options: CommonSearchOptions): Evaluator {
  return options.evaluator ?? costModelEvaluator({ objective: options.objective ?? 'edp' });
}

export const DEFAULT_BUDGET = 100;

/** Budget and seed after defaults, checked (programmer errors throw). */
export function searchSettings(options: CommonSearchOptions): { budget: number; seed: number; objective: Objective } {
  const budget = options.budget ?? DEFAULT_BUDGET;
  if (!Number.isInteger(budget) || budget < 1) throw new RangeError(`search: budget must be a positive integer, got ${budget}`);
  const seed = options.seed ?? 0;
  if (!Number.isFinite(seed)) throw new RangeError(`search: seed must be a finite number, got ${seed}`);
  return { budget, seed, objective: options.objective ?? 'edp' };
}

export function createLedger(
  layers: readonly WeightedLayer[],
  options: CommonSearchOptions,
  now: () => number = () => performance.now(),
): Ledger {
  const { budget, seed, objective } = searchSettings(options);
  const evaluator = evaluatorOf(options);
  const maxRepeats = options.maxConsecutiveRepeats ?? 200;
  const maxArea = options.constraints?.maxArea;
  const feasiblePredicate = options.constraints?.feasible;
  const started = now();
  const seen = new Map<string, EvaluatedDesign>();
  const evaluations: EvaluatedDesign[] = [];
  const history: number[] = [];
  let best: EvaluatedDesign | undefined;
  let duplicates = 0;
  let rejected = 0;
  let infeasible = 0;
  let repeatsInARow = 0;
  let evaluationMs = 0;
  let exhausted = false;

  const stopReason = (): StopReason | undefined => {
    if (options.signal?.aborted === true) return 'cancelled';
    if (evaluations.length >= budget) return 'budget';
    if (exhausted) return 'exhausted';
    if (repeatsInARow >= maxRepeats) return 'stalled';
    return undefined;
  };

  const evaluate = async (arch: ArchConfig, predicted: PredictedMetrics | undefined): Promise<EvaluatedDesign> => {
    const t0 = now();
    const perLayer: CostMetrics[] = await Promise.all(layers.map((l) => evaluator(arch, l.layer)));
    evaluationMs += now() - t0;
    const totals = targetTotals(layers, perLayer);
    const areas = perLayer.map((m) => m.area).filter((a): a is number => a !== undefined);
    const area = areas.length > 0 ? Math.max(...areas) : undefined;
    if (maxArea !== undefined && area === undefined) {
      throw new RangeError('search: constraints.maxArea needs an evaluator that reports area');
    }
    const feasible = maxArea === undefined || (area as number) <= maxArea;
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
    has: (arch) => seen.has(archId(arch)),
    countBatchDuplicates: (count) => {
      duplicates += count;
    },
    exhaust: () => {
      exhausted = true;
    },
    submit: async (arch, predicted) => {
      if (stopReason() !== undefined) throw new Error('search ledger: submit called after the search stopped');
      const key = archId(arch);
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
      repeatsInARow = 0;
      seen.set(key, design);
      evaluations.push(design);
      if (!design.feasible) infeasible++;
      else if (best === undefined || design.objective < best.objective) best = design;
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
        stopReason: stopReason() ?? 'exhausted',
        timing: { totalMs, evaluationMs, searchMs: totalMs - evaluationMs },
      };
    },
  };
}
