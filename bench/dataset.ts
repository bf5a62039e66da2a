/**
 * Dataset benchmarks (docs/dataset.md reports their numbers).
 *
 *   npx tsx bench/dataset.ts read [--runs 3]
 *     Reads the 45 reference files (../shared/reference/timeloop-cosa/layers, 746,086 rows, gzipped) into
 *     memory with readVaesaCsvFiles. Target: <= 20 s.
 *
 *   npx tsx bench/dataset.ts generate [--designs 2304] [--workers 0,1,2] [--module FILE --export NAME --options JSON]
 *     Generates VAESA's dataset shape (designs x the 57 distinct layers of ResNet-50, AlexNet, ResNeXt-50 and
 *     DeepBench; 2304 designs = 131,328 rows) end to end into a CSV file, once per worker count, and reports
 *     rows/s. The evaluator is the synthetic one of the tests (test/dataset/fixtures) unless a module is given,
 *     so by default this measures the pipeline's own cost (sampling, threads, ordering, CSV writing).
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as E from 'fp-ts/Either';
import { formatError } from '../src/common/errors';
import { generateDatasetFile, readVaesaCsvFiles, type EvaluatorModule } from '../src/dataset/node';
import { simbaSpace } from '../src/hardware/space';
import { networks, VAESA_NETWORKS } from '../src/workload/builtin';

const referenceLayers = path.resolve(__dirname, '../../shared/reference/timeloop-cosa/layers');

function flag(args: readonly string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
}

export async function benchRead(runs: number): Promise<void> {
  const times: number[] = [];
  let rows = 0;
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    const read = await readVaesaCsvFiles([referenceLayers]);
    if (E.isLeft(read)) throw new Error(formatError(read.left));
    times.push((performance.now() - t0) / 1000);
    rows = read.right.rows.length;
  }
  times.sort((a, b) => a - b);
  console.log(
    `read 45 reference files: ${rows} rows; min ${times[0].toFixed(2)} s, median ${times[Math.floor(runs / 2)].toFixed(2)} s ` +
      `(${Math.round(rows / times[0]).toLocaleString('en-US')} rows/s) over ${runs} runs`,
  );
}

export async function benchGenerate(designs: number, workerCounts: readonly number[], evaluator: EvaluatorModule): Promise<void> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'vaesa-bench-dataset-'));
  try {
    let reference: string | undefined;
    for (const workers of workerCounts) {
      const out = path.join(dir, `w${workers}.csv`);
      const t0 = performance.now();
      const result = await generateDatasetFile({
        space: simbaSpace,
        networks: VAESA_NETWORKS.map((n) => networks[n]),
        sampler: { kind: 'random', count: designs },
        seed: 1,
        evaluator,
        workers,
        out,
        resume: false,
      });
      const seconds = (performance.now() - t0) / 1000;
      if (E.isLeft(result)) throw new Error(formatError(result.left));
      const text = await fs.readFile(out, 'utf8');
      const same = reference === undefined ? 'first' : text === reference ? 'identical' : 'DIFFERENT';
      reference ??= text;
      console.log(
        `generate ${result.right.rows} rows, ${workers} worker(s): ${seconds.toFixed(2)} s, ` +
          `${Math.round(result.right.rows / seconds).toLocaleString('en-US')} rows/s, file ${same}`,
      );
    }
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

export async function main(args: readonly string[]): Promise<void> {
  const [command] = args;
  if (command === 'read') return benchRead(Number(flag(args, 'runs') ?? 3));
  if (command === 'generate') {
    const module = flag(args, 'module');
    const evaluator: EvaluatorModule = module
      ? { module, export: flag(args, 'export') ?? 'createEvaluator', options: JSON.parse(flag(args, 'options') ?? 'null') as unknown }
      : { module: path.join(__dirname, '../test/dataset/fixtures/synthetic-evaluator.ts'), export: 'createSyntheticEvaluator' };
    const workers = (flag(args, 'workers') ?? '0,1,2').split(',').map(Number);
    return benchGenerate(Number(flag(args, 'designs') ?? 2304), workers, evaluator);
  }
  throw new Error('usage: bench/dataset.ts read [--runs N] | generate [--designs N] [--workers 0,1,2] [--module FILE --export NAME --options JSON]');
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
