import * as path from 'node:path';
import { generateDataset, type DatasetRow, type GenerateOptions } from '../../src/dataset';
import { generateDatasetOnWorkers, type EvaluatorModule, type ParallelGenerateOptions } from '../../src/dataset/node';
import type { Evaluator } from '../../src/common';
import { simbaSpace } from '../../src/hardware';
import { networks } from '../../src/workload';
import { createSyntheticEvaluator } from './fixtures/synthetic-evaluator';

const synthetic: EvaluatorModule = {
  module: path.join(__dirname, 'fixtures/synthetic-evaluator.ts'),
  export: 'createSyntheticEvaluator',
  options: { withArea: true },
};

const base: GenerateOptions & { readonly evaluator: Evaluator } = {
  space: simbaSpace,
  networks: [networks.alexnet, networks.deepbench],
  sampler: { kind: 'lhs', count: 25 },
  seed: 5,
  evaluator: createSyntheticEvaluator({ withArea: true }),
};

async function collect(rows: AsyncIterable<DatasetRow>): Promise<DatasetRow[]> {
  const out: DatasetRow[] = [];
  for await (const r of rows) out.push(r);
  return out;
}

const onWorkers = (o: Partial<ParallelGenerateOptions>) => collect(generateDatasetOnWorkers({ ...base, evaluator: synthetic, ...o }));

describe('generateDatasetOnWorkers', () => {
  it('gives the same rows in this thread, on 1 worker and on 2 workers (odd chunk sizes)', async () => {
    const here = await collect(generateDataset(base));
    expect(here).toHaveLength(25 * 17);
    expect(await onWorkers({ workers: 1, chunkSize: 7 })).toEqual(here);
    expect(await onWorkers({ workers: 2, chunkSize: 5 })).toEqual(here);
    expect(await onWorkers({ workers: 2, chunkSize: 64, shard: { index: 1, count: 2 } })).toEqual(here.slice(212));
  });

  it('stops the threads when the consumer stops', async () => {
    let n = 0;
    for await (const _ of generateDatasetOnWorkers({ ...base, evaluator: synthetic, workers: 2 })) if (++n === 10) break;
    expect(n).toBe(10);
  });

  it('reports a missing factory, and refuses a function for threads', async () => {
    await expect(onWorkers({ evaluator: { module: synthetic.module, export: 'noSuchFactory' }, workers: 1 })).rejects.toThrow(/no function export noSuchFactory/);
    expect(() => generateDatasetOnWorkers({ ...base, workers: 2 })).toThrow(TypeError);
  });

  it("passes an evaluator's error in a worker on", async () => {
    const failing = { ...synthetic, options: { failOn: '3_3_13_13_256_256_1_1_1_1_1' } };
    await expect(onWorkers({ workers: 2, evaluator: failing })).rejects.toThrow(/synthetic failure on 3_3_13_13_256_256_1_1_1_1_1/);
  });
});
