/**
 * Worker-thread entry of `generateDataset`'s pool (built to dist/dataset-worker.js). It builds its own
 * evaluator from the `EvaluatorModule` in `workerData`, then answers chunk requests with packed metrics.
 */
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { loadEvaluator, type EvaluatorModule } from './evaluator-module';
import { checkedMetrics } from './generate';
import type { ChunkReply, ChunkRequest } from './pool';

const port = parentPort;
if (!isMainThread && port !== null) {
  const { evaluator } = workerData as { evaluator: EvaluatorModule };
  const ready = loadEvaluator(evaluator);
  port.on('message', (request: ChunkRequest) => {
    void answer(request).then((reply) => port.postMessage(reply, reply.metrics ? [reply.metrics.buffer as ArrayBuffer] : []));
  });

  async function answer(request: ChunkRequest): Promise<ChunkReply> {
    try {
      const evaluate = await ready;
      const metrics = new Float64Array(request.pairs.length * 3);
      for (let i = 0; i < request.pairs.length; i++) {
        const [arch, layer] = request.pairs[i];
        const m = checkedMetrics(await evaluate(arch, layer), arch, layer);
        metrics[3 * i] = m.cycles;
        metrics[3 * i + 1] = m.energy;
        metrics[3 * i + 2] = m.area ?? Number.NaN;
      }
      return { id: request.id, metrics };
    } catch (e) {
      return { id: request.id, error: e instanceof Error ? (e.stack ?? e.message) : String(e) };
    }
  }
}
