import type { CostMetrics, Evaluator } from '../common/evaluator';
import { costModelEvaluator } from '../mapper/evaluator';
import { archId, type ArchConfig } from '../hardware/arch';
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
export interface GenerateRunOptions extends DatasetPlanOptions {
  /** Make only this part of the rows (see `shardRange`). */
  readonly shard?: Shard;
  /** Skip this many rows at the start of the range (already made by an interrupted run). */
  readonly skipRows?: number;
  readonly onProgress?: (p: GenerateProgress) => void;
  /** Stops the generation (the rows yielded so far are complete and in order). */
  readonly signal?: AbortSignal;
}

export interface GenerateOptions extends GenerateRunOptions {
  /**
   * Scores each (design, layer) pair, in this thread (default: the built-in cost model, `costModelEvaluator()`).
   * For worker threads see `generateDatasetOnWorkers` (`vaesa/node`).
   */
  readonly evaluator?: Evaluator;
}

/** A (design, layer) pair to evaluate. */
export type EvaluationPair = readonly [ArchConfig, ConvLayer];

/** Evaluates pairs and yields their metrics in the same order (in this thread or on a pool). */
export type PairEvaluation = (pairs: Iterable<EvaluationPair>) => AsyncGenerator<CostMetrics>;

/** The row range a run covers: the shard (or everything), and where it starts after `skipRows`. */
export function generationRange(plan: DatasetPlan, options: Pick<GenerateRunOptions, 'shard' | 'skipRows'>): { start: number; from: number; end: number } {
  const { start, end } = shardRange(plan.total, options.shard);
  const skip = options.skipRows ?? 0;
  if (!(Number.isInteger(skip) && skip >= 0 && start + skip <= end)) {
    throw new RangeError(`generateDataset: skipRows ${skip} is outside the ${end - start} rows of this run`);
  }
  return { start, from: start + skip, end };
}

function* pairsOf(plan: DatasetPlan, from: number, end: number): Generator<EvaluationPair> {
  for (let i = from; i < end; i++) {
    const { arch, layer } = planRow(plan, i);
    yield [arch, layer];
  }
}

/** Checks an evaluator's answer; a bad one is a bug in the evaluator, reported with the design and layer. */
export function checkedMetrics(m: CostMetrics, arch: ArchConfig, layer: ConvLayer): CostMetrics {
  const ok =
    typeof m === 'object' &&
    m !== null &&
    Number.isFinite(m.cycles) &&
    m.cycles > 0 &&
    Number.isFinite(m.energy) &&
    m.energy > 0 &&
    (m.area === undefined || (Number.isFinite(m.area) && m.area >= 0));
  if (!ok) throw new Error(`evaluator gave invalid metrics ${JSON.stringify(m)} for ${archId(arch)} on ${layerName(layer)}`);
  return m;
}

/** Evaluates pairs one after the other in this thread. */
export function evaluateInThread(evaluate: Evaluator | Promise<Evaluator>): PairEvaluation {
  return async function* (pairs) {
    const evaluator = await evaluate;
    for (const [arch, layer] of pairs) yield checkedMetrics(await evaluator(arch, layer), arch, layer);
  };
}

/**
 * The rows of a run with the given way of evaluating pairs. Shared by `generateDataset` (this thread)
 * and the worker-thread generation of `vaesa/node`, so both give the same sequence.
 */
export async function* generateRows(options: GenerateRunOptions, evaluation: PairEvaluation): AsyncGenerator<DatasetRow> {
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
  } finally {
    await metrics.return(undefined);
  }
}

/**
 * Samples designs from `space` (seeded), crosses them with the distinct layers of the targets, evaluates
 * each pair in this thread and yields the rows in a fixed order: design by design, each on every layer.
 * A shard yields a contiguous part of the same sequence.
 */
export function generateDataset(options: GenerateOptions): AsyncGenerator<DatasetRow> {
  return generateRows(options, evaluateInThread(options.evaluator ?? costModelEvaluator()));
}
