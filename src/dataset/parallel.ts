import type { Evaluator } from '../common/evaluator';
import type { SimbaParam } from '../hardware/space';
import type { DatasetRow } from './row';
import { evaluateInThread, generateRows, inThreadLimits, type GenerateRunOptions } from './generate';
import { loadEvaluator, type EvaluatorSource } from './evaluator-module';
import { evaluateOnPool } from './pool';

export interface ParallelGenerateOptions<P extends string = SimbaParam> extends GenerateRunOptions<P> {
  /**
   * Scores each (design, layer) pair. A function runs in this thread; an `EvaluatorModule` runs on
   * `workers` threads, each loading its own copy (or in this thread when `workers` is 0).
   */
  readonly evaluator: EvaluatorSource<P>;
  /** Worker threads (default 0: this thread). Needs an `EvaluatorModule` when > 0. */
  readonly workers?: number;
  /** Pairs per message to a worker (default 64). */
  readonly chunkSize?: number;
}

/**
 * `generateDataset` with the evaluation spread over worker threads. The rows, their order and values are
 * the same for any number of workers (and the same as `generateDataset` with the same evaluator).
 */
export function generateDatasetOnWorkers<P extends string = SimbaParam>(options: ParallelGenerateOptions<P>): AsyncGenerator<DatasetRow<P>> {
  const workers = options.workers ?? 0;
  const { evaluator } = options;
  if (typeof evaluator === 'function') {
    if (workers > 0) throw new TypeError('generateDatasetOnWorkers: worker threads need an EvaluatorModule ({ module, export, options }), not a function');
    return generateRows(options, evaluateInThread(evaluator, inThreadLimits(options)));
  }
  // A module's evaluator scores the designs of the space it was written for (its factory is not typed).
  if (workers === 0) return generateRows(options, evaluateInThread(loadEvaluator(evaluator) as unknown as Promise<Evaluator<P>>, inThreadLimits(options)));
  return generateRows(options, (pairs) => evaluateOnPool(pairs, evaluator, { workers, chunkSize: options.chunkSize }));
}
