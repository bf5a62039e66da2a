import { callEvaluator, EvaluatorFailure, metricsProblem, type CostMetrics, type EvaluationLimits, type Evaluator } from '../common/evaluator';
import * as E from 'fp-ts/Either';
import { costModelEvaluator } from '../mapper/evaluator';
import { designName } from '../hardware/arch';
import { isSimbaSpace, type Design, type DesignSpace, type SimbaParam } from '../hardware/space';
import { layerName, type ConvLayer } from '../workload/layer';
import { planDataset, planRow, shardRange, type DatasetPlan, type DatasetPlanOptions, type Shard } from './plan';
import type { DatasetRow } from './row';

export interface GenerateProgress {
  /** Rows of this run's range done so far (including `skipRows`). */
  readonly done: number;
  /** Rows in this run's range (the shard, or the whole dataset). */
  readonly total: number;
}

/** Everything about a generation run except how pairs are evaluated. */
export interface GenerateRunOptions<P extends string = SimbaParam> extends DatasetPlanOptions<P> {
  /** Make only this part of the rows (see `shardRange`). */
  readonly shard?: Shard;
  /** Skip this many rows at the start of the range (already made by an interrupted run). */
  readonly skipRows?: number;
  readonly onProgress?: (p: GenerateProgress) => void;
  /** Stops the generation (the rows yielded so far are complete and in order), also while an evaluator call hangs. */
  readonly signal?: AbortSignal;
  /** Evaluator calls in flight at once when evaluating in this thread (default 8; see `evaluateInThread`). */
  readonly concurrency?: number;
  /** Give up on one evaluator call in this thread after this many milliseconds (the run then fails with an `EvaluatorFailure`). */
  readonly evaluationTimeoutMs?: number;
}

/** The in-thread limits a run's options ask for. */
export function inThreadLimits<P extends string>(options: GenerateRunOptions<P>): InThreadLimits {
  return { concurrency: options.concurrency, timeoutMs: options.evaluationTimeoutMs, signal: options.signal };
}

export interface GenerateOptions<P extends string = SimbaParam> extends GenerateRunOptions<P> {
  /**
   * Scores each (design, layer) pair, in this thread (default for Simba's space: the built-in cost model,
   * `costModelEvaluator()`; required for any other space). For worker threads see `generateDatasetOnWorkers` (`vaesa/node`).
   */
  readonly evaluator?: Evaluator<P>;
}

/** A (design, layer) pair to evaluate. */
export type EvaluationPair<P extends string = SimbaParam> = readonly [Design<P>, ConvLayer];

/** Evaluates pairs and yields their metrics in the same order (in this thread or on a pool). */
export type PairEvaluation<P extends string = SimbaParam> = (pairs: Iterable<EvaluationPair<P>>) => AsyncGenerator<CostMetrics>;

/** The row range a run covers: the shard (or everything), and where it starts after `skipRows`. */
export function generationRange<P extends string>(plan: DatasetPlan<P>, options: Pick<GenerateRunOptions<P>, 'shard' | 'skipRows'>): { start: number; from: number; end: number } {
  const { start, end } = shardRange(plan.total, options.shard);
  const skip = options.skipRows ?? 0;
  if (!(Number.isInteger(skip) && skip >= 0 && start + skip <= end)) {
    throw new RangeError(`generateDataset: skipRows ${skip} is outside the ${end - start} rows of this run`);
  }
  return { start, from: start + skip, end };
}

function* pairsOf<P extends string>(plan: DatasetPlan<P>, from: number, end: number): Generator<EvaluationPair<P>> {
  for (let i = from; i < end; i++) {
    const { arch, layer } = planRow(plan, i);
    yield [arch, layer];
  }
}

/** Checks an evaluator's answer; a bad one is a failure of the evaluator, reported with the design and layer. */
export function checkedMetrics<P extends string>(m: CostMetrics, arch: Design<P>, layer: ConvLayer): CostMetrics {
  const problem = metricsProblem(m);
  if (problem !== undefined) throw new EvaluatorFailure(`evaluator gave unusable metrics on ${designName(arch)} on ${layerName(layer)}: ${problem}`);
  return m;
}

/** Limits on in-thread evaluation. */
export interface InThreadLimits extends EvaluationLimits {
  /** Evaluator calls in flight at once (default 8; an asynchronous evaluator's calls overlap, results stay in order). */
  readonly concurrency?: number;
}

/**
 * Evaluates pairs in this thread, up to `concurrency` calls in flight (a synchronous evaluator still
 * runs one call at a time), yielding metrics in pair order. A failing call rejects with an `EvaluatorFailure`.
 */
export function evaluateInThread<P extends string>(evaluate: Evaluator<P> | Promise<Evaluator<P>>, limits: InThreadLimits = {}): PairEvaluation<P> {
  const concurrency = limits.concurrency ?? 8;
  if (!(Number.isInteger(concurrency) && concurrency >= 1)) throw new RangeError(`generateDataset: concurrency must be a positive integer, got ${concurrency}`);
  return async function* (pairs) {
    const evaluator = await evaluate;
    const pending: Promise<CostMetrics>[] = [];
    const iterator = pairs[Symbol.iterator]();
    const start = (): boolean => {
      const next = iterator.next();
      if (next.done === true) return false;
      const [arch, layer] = next.value;
      const call = callEvaluator(evaluator, arch, layer, `${designName(arch)} on ${layerName(layer)}`, limits);
      call.catch(() => undefined); // awaited in order below; this only keeps an early failure from being unhandled
      pending.push(call);
      return true;
    };
    while (pending.length < concurrency && start());
    while (pending.length > 0) {
      yield await pending.shift()!;
      start();
    }
  };
}

/**
 * The rows of a run with the given way of evaluating pairs. Shared by `generateDataset` (this thread)
 * and the worker-thread generation of `vaesa/node`, so both give the same sequence.
 */
export async function* generateRows<P extends string>(options: GenerateRunOptions<P>, evaluation: PairEvaluation<P>): AsyncGenerator<DatasetRow<P>> {
  const plan = planDataset(options);
  const { start, from, end } = generationRange(plan, options);
  const metrics = evaluation(pairsOf(plan, from, end));
  let done = from - start;
  const total = end - start;
  const every = Math.max(1, Math.floor(total / 1000));
  options.onProgress?.({ done, total });
  try {
    for await (const m of metrics) {
      if (options.signal?.aborted) return;
      const { arch, layer } = planRow(plan, start + done);
      yield m.area === undefined ? { arch, layer, cycles: m.cycles, energy: m.energy } : { arch, layer, cycles: m.cycles, energy: m.energy, area: m.area };
      done++;
      if (done % every === 0 || done === total) options.onProgress?.({ done, total });
    }
  } catch (e) {
    // A call given up because of the signal is the stop the caller asked for, not a failure.
    if (options.signal?.aborted && e instanceof EvaluatorFailure) return;
    throw e;
  } finally {
    await metrics.return(undefined);
  }
}

/**
 * Samples designs from `space` (seeded), crosses them with the distinct layers of the targets, evaluates
 * each pair in this thread and yields the rows in a fixed order: design by design, each on every layer.
 * A shard yields a contiguous part of the same sequence. A bad option throws a RangeError when iteration
 * starts (an async generator; `generateDatasetFile` from `vaesa/node` returns the error as a `Left`).
 *
 * @example
 * ```ts
 * import { generateDataset, simbaSpace, networks, type DatasetRow } from 'vaesa';
 * const rows: DatasetRow[] = [];
 * for await (const row of generateDataset({ space: simbaSpace, networks: [networks.alexnet], sampler: { kind: 'lhs', count: 50 }, seed: 1 })) rows.push(row);
 * ```
 */
export function generateDataset<P extends string = SimbaParam>(options: GenerateOptions<P>): AsyncGenerator<DatasetRow<P>> {
  return generateRows(options, evaluateInThread(options.evaluator ?? defaultEvaluator(options.space), inThreadLimits(options)));
}

/**
 * The evaluator used when none is given: the built-in cost model for Simba's space; any other space
 * needs the caller's (a programmer error otherwise).
 */
export function defaultEvaluator<P extends string>(space: DesignSpace<P>): Evaluator<P> {
  if (!isSimbaSpace(space)) throw new RangeError(`the space ${space.name} has no built-in evaluator: pass an evaluator`);
  const evaluator = costModelEvaluator();
  // The default options are always valid: a Left here is our own bug.
  if (E.isLeft(evaluator)) throw new Error(`defaultEvaluator: ${evaluator.left.message}`);
  return evaluator.right as unknown as Evaluator<P>;
}
