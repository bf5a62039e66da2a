import { createRequire } from 'node:module';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { CostMetrics } from '../common/evaluator';
import type { EvaluatorModule } from './evaluator-module';
import type { EvaluationPair } from './generate';

export interface ChunkRequest {
  readonly id: number;
  readonly pairs: readonly EvaluationPair<string>[];
}

/** Metrics packed as `[cycles, energy, area (NaN when absent)]` per pair, or the evaluator's error. */
export type ChunkReply = { readonly id: number; readonly metrics: Float64Array; readonly error?: undefined } | { readonly id: number; readonly metrics?: undefined; readonly error: string };

/**
 * Starts one worker thread. From the build, the worker is dist/dataset-worker.js next to this bundle.
 * From the TypeScript sources (tests, `tsx`) it is worker.ts, loaded through tsx's require hook by a small
 * bootstrap; the bootstrap uses import() so it runs whether the parent evaluates code as CommonJS or ESM.
 */
function startWorker(workerData: unknown): Worker {
  if (!__filename.endsWith('.ts')) return new Worker(path.join(__dirname, 'dataset-worker.js'), { workerData });
  const entry = { file: path.join(__dirname, 'worker.ts'), tsxHook: createRequire(__filename).resolve('tsx/cjs/api') };
  const bootstrap = `
    import('node:module').then(({ createRequire }) => {
      const load = createRequire(${JSON.stringify(entry.file)});
      load(${JSON.stringify(entry.tsxHook)}).register();
      load(${JSON.stringify(entry.file)});
    });`;
  return new Worker(bootstrap, { eval: true, workerData });
}

export interface PoolOptions {
  readonly workers: number;
  /** Pairs per message (default 64). */
  readonly chunkSize?: number;
}

/**
 * Evaluates `pairs` on `workers` threads, each with its own evaluator built from `evaluator`, and yields
 * the metrics in the order of `pairs` whatever order the threads finish in. Stopping the iteration early
 * terminates the threads.
 */
export async function* evaluateOnPool<P extends string>(
  pairs: Iterable<EvaluationPair<P>>,
  evaluator: EvaluatorModule,
  options: PoolOptions,
): AsyncGenerator<CostMetrics> {
  const chunkSize = options.chunkSize ?? 64;
  const perWorker = 2; // chunks in flight per thread, so a thread never waits for its next chunk
  const window = options.workers * perWorker * 2; // chunks sent but not yet yielded, bounding memory
  const threads = Array.from({ length: options.workers }, () => startWorker({ evaluator }));
  const source = pairs[Symbol.iterator]();
  const finished = new Map<number, Float64Array>();
  const inFlight = threads.map(() => 0);
  let sent = 0;
  let exhausted = false;
  let yielded = 0;
  let failure: Error | undefined;
  let wake: (() => void) | undefined;

  const nextChunk = (): EvaluationPair<P>[] | undefined => {
    const chunk: EvaluationPair<P>[] = [];
    while (chunk.length < chunkSize) {
      const n = source.next();
      if (n.done) {
        exhausted = true;
        break;
      }
      chunk.push(n.value);
    }
    return chunk.length > 0 ? chunk : undefined;
  };
  const refill = (): void => {
    while (!exhausted && failure === undefined && sent - yielded < window) {
      let t = 0;
      for (let k = 1; k < threads.length; k++) if (inFlight[k] < inFlight[t]) t = k;
      if (inFlight[t] >= perWorker) return;
      const chunk = nextChunk();
      if (chunk === undefined) return;
      inFlight[t]++;
      const request: ChunkRequest = { id: sent++, pairs: chunk };
      threads[t].postMessage(request);
    }
  };
  threads.forEach((thread, t) => {
    thread.on('message', (reply: ChunkReply) => {
      inFlight[t]--;
      if (reply.error !== undefined) failure ??= new Error(reply.error);
      else finished.set(reply.id, reply.metrics);
      refill();
      wake?.();
    });
    thread.on('error', (e) => {
      failure ??= e;
      wake?.();
    });
    thread.on('exit', (code) => {
      if (code !== 0) failure ??= new Error(`dataset worker exited with code ${code}`);
      wake?.();
    });
  });

  try {
    refill();
    while (!(exhausted && yielded === sent)) {
      let metrics = finished.get(yielded);
      while (metrics === undefined) {
        if (failure) throw failure;
        await new Promise<void>((resolve) => (wake = resolve));
        metrics = finished.get(yielded);
      }
      finished.delete(yielded);
      yielded++;
      refill();
      for (let i = 0; i < metrics.length; i += 3) {
        const area = metrics[i + 2];
        yield Number.isNaN(area) ? { cycles: metrics[i], energy: metrics[i + 1] } : { cycles: metrics[i], energy: metrics[i + 1], area };
      }
    }
  } finally {
    failure ??= new Error('stopped');
    await Promise.all(threads.map((t) => t.terminate()));
  }
}
