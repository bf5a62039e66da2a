import type { Design, SimbaParam } from '../hardware/space';
import type { ConvLayer } from '../workload/layer';

/** The metrics any evaluator reports for one (design, layer) pair: cycles, energy in pJ, area in mm². */
export interface CostMetrics {
  readonly cycles: number;
  readonly energy: number;
  readonly area?: number;
}

/**
 * Anything that scores a design on a layer: the built-in cost model by default (Simba's designs), or a
 * user's own simulator (a Timeloop run, RTL numbers) for any design space. Synchronous or asynchronous.
 */
export type Evaluator<P extends string = SimbaParam> = (design: Design<P>, layer: ConvLayer) => CostMetrics | Promise<CostMetrics>;

/** Why an evaluator's answer cannot be used (undefined when it can): cycles and energy positive finite, area finite and >= 0 if given. */
export function metricsProblem(m: unknown): string | undefined {
  if (typeof m !== 'object' || m === null) return `expected { cycles, energy, area? }, got ${m === null ? 'null' : typeof m}`;
  const { cycles, energy, area } = m as Record<string, unknown>;
  const positive = (v: unknown): boolean => typeof v === 'number' && Number.isFinite(v) && v > 0;
  if (!positive(cycles)) return `cycles must be a positive finite number, got ${String(cycles)}`;
  if (!positive(energy)) return `energy must be a positive finite number, got ${String(energy)}`;
  if (area !== undefined && !(typeof area === 'number' && Number.isFinite(area) && area >= 0)) return `area must be a non-negative finite number, got ${String(area)}`;
  return undefined;
}

/** An evaluator's failure on one design and layer: it threw, timed out, or gave unusable metrics. */
export class EvaluatorFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EvaluatorFailure';
  }
}

/** Limits on one evaluator call. */
export interface EvaluationLimits {
  /** Give up on a call after this many milliseconds (an `EvaluatorFailure`); none by default. */
  readonly timeoutMs?: number;
  /** Give up waiting when this aborts (an evaluator that never resolves cannot hold a run). */
  readonly signal?: AbortSignal;
}

/**
 * Calls an evaluator and checks its answer: resolves to usable metrics, or rejects with an
 * `EvaluatorFailure` naming the design, the layer and what went wrong (a throw, a timeout, an abort,
 * NaN, 0, a negative number, Infinity, undefined).
 */
export async function callEvaluator<P extends string>(evaluator: Evaluator<P>, arch: Design<P>, layer: ConvLayer, where: string, limits: EvaluationLimits = {}): Promise<CostMetrics> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let onAbort: (() => void) | undefined;
  const guards: Promise<never>[] = [];
  if (limits.timeoutMs !== undefined) {
    const ms = limits.timeoutMs;
    guards.push(new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new EvaluatorFailure(`evaluator took longer than ${ms} ms on ${where}`)), ms))));
  }
  if (limits.signal !== undefined) {
    const signal = limits.signal;
    guards.push(
      new Promise<never>((_, reject) => {
        onAbort = () => reject(new EvaluatorFailure(`stopped while the evaluator was running on ${where}`));
        if (signal.aborted) onAbort();
        else signal.addEventListener('abort', onAbort, { once: true });
      }),
    );
  }
  try {
    const call = Promise.resolve().then(() => evaluator(arch, layer));
    let m: unknown;
    try {
      m = await Promise.race([call, ...guards]);
    } catch (e) {
      if (e instanceof EvaluatorFailure) throw e;
      throw new EvaluatorFailure(`evaluator threw on ${where}: ${e instanceof Error ? e.message : String(e)}`);
    }
    const problem = metricsProblem(m);
    if (problem !== undefined) throw new EvaluatorFailure(`evaluator gave unusable metrics on ${where}: ${problem}`);
    return m as CostMetrics;
  } finally {
    if (timer !== undefined) clearTimeout(timer);
    if (onAbort !== undefined) limits.signal?.removeEventListener('abort', onAbort);
  }
}

/** Maps `items` through `f` with at most `limit` calls in flight, results in input order. */
export async function mapWithConcurrency<T, R>(items: readonly T[], limit: number, f: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await f(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}
