import { createRequire } from 'node:module';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { CostMetrics } from '../common/evaluator';
import type { ArchConfig } from '../hardware/arch';
import type { ConvLayer } from '../workload/layer';
import type { EvaluatorModule } from './evaluator-module';

export interface ChunkRequest {
  readonly id: number;
  readonly pairs: readonly (readonly [ArchConfig, ConvLayer])[];
}

/** Metrics packed as `[cycles, energy, area (NaN when absent)]` per pair, or the evaluator's error. */
export type ChunkReply = { readonly id: number; readonly metrics: Float64Array; readonly error?: undefined } | { readonly id: number; readonly metrics?: undefined; readonly error: string };

/**
 * Where the worker code is: next to this file. From the TypeScript sources (tests, `tsx`) that is
 * worker.ts, loaded through tsx's require hook; from the build it is dist/dataset-worker.js.
 */
function workerEntry(): { readonly file: string; readonly tsxHook?: string } {
  if (__filename.endsWith('.ts')) {
    return { file: path.join(__dirname, 'worker.ts'), tsxHook: createRequire(__filename).resolve('tsx/cjs/api') };
  }
  return { file: path.join(__dirname, 'dataset-worker.js') };
}

const BOOTSTRAP = `
const { workerData } = require('node:worker_threads');
if (workerData.entry.tsxHook) require(workerData.entry.tsxHook).register();
require(workerData.entry.file);
`;

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
export async function* evaluateOnPool(
  pairs: Iterable<readonly [ArchConfig, ConvLayer]>,
  evaluator: EvaluatorModule,
  options: PoolOptions,
): AsyncGenerator<CostMetrics> {
  const chunkSize = options.chunkSize ?? 64;
  const perWorker = 2; // chunks in flight per thread, so a thread never waits for its next chunk
  const window = options.workers * perWorker * 2; // chunks sent but not yet yielded, bounding memory
  const entry = workerEntry();
  const threads = Array.from({ length: options.workers }, () => new Worker(BOOTSTRAP, { eval: true, workerData: { entry, evaluator } }));
  const source = pairs[Symbol.iterator]();
  const finished = new Map<number, Float64Array>();
  const inFlight = threads.map(() => 0);
  let sent = 0;
  let exhausted = false;
  let yielded = 0;
  let failure: Error | undefined;
  let wake: (() => void) | undefined;

  const nextChunk = (): (readonly [ArchConfig, ConvLayer])[] | undefined => {
    const chunk: (readonly [ArchConfig, ConvLayer])[] = [];
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
