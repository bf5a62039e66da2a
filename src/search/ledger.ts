import * as E from 'fp-ts/Either';
import { invalidInput, type VaesaError } from '../common/errors';
import { costModelEvaluator } from '../mapper/evaluator';
import { callEvaluator, EvaluatorFailure, mapWithConcurrency, type CostMetrics, type Evaluator } from '../common/evaluator';
import { designName } from '../hardware/arch';
import { designKey, isSimbaSpace, type Design, type DesignSpace, type SimbaParam } from '../hardware/space';
import { layerName } from '../workload/layer';
import { objectiveValue, searchObjectiveName, SEARCH_OBJECTIVES, type SearchObjective } from '../common/objective';
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
  readonly objective: SearchObjective;
  /** A constraint or objective the evaluator cannot serve, found while evaluating (the search then stops). */
  inputError(): VaesaError | undefined;
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
 * each layer mapped for the same objective the search minimises; EDP for `'edap'` or a custom objective).
 * Another space needs the caller's (a `Left` naming `options.evaluator` otherwise).
 */
export function evaluatorOf<P extends string>(space: DesignSpace<P>, options: CommonSearchOptions<P>): E.Either<VaesaError, Evaluator<P>> {
  if (options.evaluator !== undefined) return E.right(options.evaluator);
  if (!isSimbaSpace(space)) return E.left(invalidInput('options.evaluator', undefined, `the space ${space.name} has no built-in evaluator: pass one`));
  const objective = options.objective;
  const made = costModelEvaluator({ objective: objective === undefined || typeof objective === 'function' || objective === 'edap' ? 'edp' : objective });
  return made as E.Either<VaesaError, unknown> as E.Either<VaesaError, Evaluator<P>>;
}

export const DEFAULT_BUDGET = 100;

/** The settings every search shares, after defaults. */
export interface SearchSettings {
  readonly budget: number;
  readonly seed: number;
  readonly objective: SearchObjective;
}

/** Budget, seed, objective and the other shared options after defaults, or a `Left` naming the first bad option and its value. */
export function searchSettings<P extends string>(options: CommonSearchOptions<P>): E.Either<VaesaError, SearchSettings> {
  const bad = (field: string, value: unknown, message: string): E.Either<VaesaError, SearchSettings> => E.left(invalidInput(`options.${field}`, value, message));
  const budget = options.budget ?? DEFAULT_BUDGET;
  if (!Number.isInteger(budget) || budget < 1) return bad('budget', budget, 'must be a positive integer');
  const positive = (v: number | undefined): boolean => v === undefined || (typeof v === 'number' && v > 0 && !Number.isNaN(v));
  const limits: [string, number | undefined][] = [
    ['evaluationTimeoutMs', options.evaluationTimeoutMs],
    ['constraints.maxArea', options.constraints?.maxArea],
    ['constraints.maxEnergy', options.constraints?.maxEnergy],
    ['constraints.maxPower', options.constraints?.maxPower],
  ];
  for (const [name, v] of limits) if (!positive(v)) return bad(name, v, 'must be a positive number');
  const concurrency = options.evaluatorConcurrency;
  if (concurrency !== undefined && !(Number.isInteger(concurrency) && concurrency >= 1)) return bad('evaluatorConcurrency', concurrency, 'must be a positive integer');
  if (options.onEvaluatorError !== undefined && options.onEvaluatorError !== 'abort' && options.onEvaluatorError !== 'skip') {
    return bad('onEvaluatorError', options.onEvaluatorError, "must be 'abort' or 'skip'");
  }
  const seed = options.seed ?? 0;
  if (!Number.isSafeInteger(seed)) return bad('seed', seed, 'must be an integer from -(2^53 - 1) to 2^53 - 1');
  const objective = options.objective ?? 'edp';
  if (typeof objective !== 'function' && !SEARCH_OBJECTIVES.includes(objective)) {
    return bad('objective', objective, `must be one of ${SEARCH_OBJECTIVES.join(', ')} or a function of { cycles, energy, area }`);
  }
  const repeats = options.maxConsecutiveRepeats;
  if (repeats !== undefined && !(Number.isInteger(repeats) && repeats >= 1)) return bad('maxConsecutiveRepeats', repeats, 'must be a positive integer');
  return E.right({ budget, seed, objective });
}

/**
 * The ledger of one search, or a `Left` for a bad option (see `searchSettings`) or a missing evaluator.
 * A constraint or objective the evaluator cannot serve (`maxArea` or `'edap'` without area) is found at
 * the first evaluation: the search stops and `inputError()` names it.
 */
export function createLedger<P extends string>(
  space: DesignSpace<P>,
  layers: readonly WeightedLayer[],
  options: CommonSearchOptions<P>,
  now: () => number = () => performance.now(),
): E.Either<VaesaError, Ledger<P>> {
  const settings = searchSettings(options);
  if (E.isLeft(settings)) return settings;
  const evaluatorChoice = evaluatorOf(space, options);
  if (E.isLeft(evaluatorChoice)) return evaluatorChoice;
  const { budget, seed, objective } = settings.right;
  const evaluator = evaluatorChoice.right;
  const maxRepeats = options.maxConsecutiveRepeats ?? 200;
  const maxArea = options.constraints?.maxArea;
  const maxEnergy = options.constraints?.maxEnergy;
  const maxPower = options.constraints?.maxPower;
  const feasiblePredicate = options.constraints?.feasible;
  const policy = options.onEvaluatorError ?? 'abort';
  const concurrency = options.evaluatorConcurrency ?? 4;
  let evaluatorError: string | undefined;
  let inputError: VaesaError | undefined;
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
    if (evaluatorError !== undefined || inputError !== undefined) return 'evaluator-error';
    if (options.signal?.aborted === true) return 'cancelled';
    if (evaluations.length >= budget) return 'budget';
    if (exhausted) return 'exhausted';
    if (repeatsInARow >= maxRepeats) return 'stalled';
    return undefined;
  };

  const limits = { timeoutMs: options.evaluationTimeoutMs, signal: options.signal };
  const failure = (arch: Design<P>, error: string): EvaluatedDesign<P> => ({ arch, cycles: Number.NaN, energy: Number.NaN, edp: Number.NaN, area: undefined, objective: Number.NaN, feasible: false, error });
  const evaluate = async (arch: Design<P>, predicted: PredictedMetrics | undefined): Promise<EvaluatedDesign<P>> => {
    const t0 = now();
    let perLayer: CostMetrics[];
    try {
      perLayer = await mapWithConcurrency(layers, concurrency, (l) => callEvaluator(evaluator, arch, l.layer, `${designName(arch)} on ${layerName(l.layer)}`, limits));
    } catch (e) {
      if (!(e instanceof EvaluatorFailure)) throw e;
      return failure(arch, e.message);
    } finally {
      evaluationMs += now() - t0;
    }
    const totals = targetTotals(layers, perLayer);
    const areas = perLayer.map((m) => m.area).filter((a): a is number => a !== undefined);
    const area = areas.length > 0 ? Math.max(...areas) : undefined;
    if (area === undefined && (maxArea !== undefined || objective === 'edap')) {
      const [field, value] = maxArea !== undefined ? ['constraints.maxArea', maxArea] : ['objective', objective];
      inputError ??= invalidInput(`options.${field}`, value, `needs an evaluator that reports area (none reported for ${designName(arch)})`);
      return failure(arch, 'no area reported');
    }
    const value = objectiveValue(objective, { ...totals, area });
    if (!(Number.isFinite(value) && value > 0)) {
      return failure(arch, `the objective gave ${String(value)} on ${designName(arch)}; it must be a positive finite number`);
    }
    const feasible =
      (maxArea === undefined || (area as number) <= maxArea) &&
      (maxEnergy === undefined || totals.energy <= maxEnergy) &&
      (maxPower === undefined || totals.energy / totals.cycles <= maxPower);
    return {
      arch,
      ...totals,
      area,
      objective: value,
      feasible,
      ...(predicted === undefined ? {} : { predicted }),
    };
  };

  return E.right({
    layers,
    objective,
    inputError: () => inputError,
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
        objective: searchObjectiveName(objective),
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
  });
}
