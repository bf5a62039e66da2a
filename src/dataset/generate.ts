import type { ArchConfig } from '../hardware/arch';
import type { ConvLayer } from '../workload/layer';
import { checkedMetrics, loadEvaluator, type EvaluatorSource } from './evaluator-module';
import { planDataset, planRow, shardRange, type DatasetPlan, type DatasetPlanOptions, type Shard } from './plan';
import { evaluateOnPool } from './pool';
import type { DatasetRow } from './row';

export interface GenerateProgress {
  /** Rows of this run's range done so far (including `skipRows`). */
  readonly done: number;
  /** Rows in this run's range (the shard, or the whole dataset). */
  readonly total: number;
}

export interface GenerateOptions extends DatasetPlanOptions {
  /**
   * Scores each (design, layer) pair. A function runs in this thread; an `EvaluatorModule` can also run on
   * `workers` threads, each loading its own copy.
   */
  readonly evaluator: EvaluatorSource;
  /** Worker threads (0, the default, evaluates in this thread). Needs an `EvaluatorModule` when > 0. */
  readonly workers?: number;
  /** Pairs per message to a worker. */
  readonly chunkSize?: number;
  /** Make only this part of the rows (see `shardRange`). */
  readonly shard?: Shard;
  /** Skip this many rows at the start of the range (already made by an interrupted run). */
  readonly skipRows?: number;
  readonly onProgress?: (p: GenerateProgress) => void;
  /** Stops the generation (the rows yielded so far are complete and in order). */
  readonly signal?: AbortSignal;
}

/** The row range a run of `options` covers: the shard (or everything), minus `skipRows` at its start. */
export function generationRange(plan: DatasetPlan, options: Pick<GenerateOptions, 'shard' | 'skipRows'>): { start: number; from: number; end: number } {
  const { start, end } = shardRange(plan.total, options.shard);
  const skip = options.skipRows ?? 0;
  if (!(Number.isInteger(skip) && skip >= 0 && start + skip <= end)) {
    throw new RangeError(`generateDataset: skipRows ${skip} is outside the ${end - start} rows of this run`);
  }
  return { start, from: start + skip, end };
}

function* pairsOf(plan: DatasetPlan, from: number, end: number): Generator<readonly [ArchConfig, ConvLayer]> {
  for (let i = from; i < end; i++) {
    const { arch, layer } = planRow(plan, i);
    yield [arch, layer];
  }
}

/**
 * Samples designs from `space` (seeded), crosses them with the distinct layers of the targets, evaluates
 * each pair and yields the rows in a fixed order: design by design, each on every layer. The order and
 * values are the same for any number of workers; a shard yields a contiguous part of the same sequence.
 */
export async function* generateDataset(options: GenerateOptions): AsyncGenerator<DatasetRow> {
  const plan = planDataset(options);
  const { start, from, end } = generationRange(plan, options);
  const workers = options.workers ?? 0;
  if (workers > 0 && typeof options.evaluator === 'function') {
    throw new TypeError('generateDataset: worker threads need an EvaluatorModule ({ module, export, options }), not a function');
  }
  const metrics =
    workers > 0 && typeof options.evaluator !== 'function'
      ? evaluateOnPool(pairsOf(plan, from, end), options.evaluator, { workers, chunkSize: options.chunkSize })
      : evaluateHere(plan, from, end, options.evaluator);
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

async function* evaluateHere(plan: DatasetPlan, from: number, end: number, source: EvaluatorSource): AsyncGenerator<{ cycles: number; energy: number; area?: number }> {
  const evaluate = typeof source === 'function' ? source : await loadEvaluator(source);
  for (const [arch, layer] of pairsOf(plan, from, end)) {
    yield checkedMetrics(await evaluate(arch, layer), arch, layer);
  }
}
