/** `vaesa dataset generate`: designs x layers evaluated by the cost model (on worker threads), streamed to a VAESA CSV. */
import type { Command } from 'commander';
import { availableParallelism } from 'node:os';
import { isSimbaSpace } from '../hardware';
import type { DesignSampler } from '../dataset/sample';
import { generateDatasetFile } from '../dataset/generate-file';
import type { EvaluatorSource } from '../dataset/evaluator-module';
import { costModelEvaluator, familyEvaluator, SEARCH_EFFORTS, type CostModelEvaluatorOptions, type FamilyEvaluatorOptions } from '../mapper';
import type { DesignFamilyName } from '../costmodel/design-family';
import { CliError, CliInterrupted, orFail, parseChoice, parseEvaluatorFlag, parseInteger, parsePositiveInt } from './errors';
import { printResult } from './output';
import { createProgress } from './progress';
import { FAMILY_HELP, FAMILY_NAMES, spaceAndFamily } from './space';
import { NETWORK_NAMES_HELP, ONNX_DIMS_HELP, ONNX_HELP, parseShard, resolveWorkloads } from './targets';

interface GenerateFlags {
  space?: string;
  family?: DesignFamilyName;
  networks?: string;
  layers?: string;
  onnx?: string;
  onnxDims?: string;
  samples: number;
  seed: number;
  workers: number;
  out: string;
  sampler: 'random' | 'grid' | 'lhs';
  shard?: { index: number; count: number };
  model: 'pat' | 'accelergy';
  mapperEffort: 'fast' | 'default';
  area?: boolean;
  fresh?: boolean;
  evaluator?: string;
  json?: boolean;
}

/** The built-in cost model as an evaluator: a function in this thread, or a module every worker loads. */
export function costModelSource(options: CostModelEvaluatorOptions, workers: number): EvaluatorSource {
  return workers > 0 ? { module: 'vaesa/node', export: 'costModelEvaluator', options } : orFail(costModelEvaluator(options));
}

/** A built-in family's evaluator: a function in this thread, or a module every worker loads. */
export function familySource(options: FamilyEvaluatorOptions & { readonly family: DesignFamilyName }, workers: number): EvaluatorSource<string> {
  return workers > 0 ? { module: 'vaesa/node', export: 'familyEvaluator', options } : orFail(familyEvaluator(options));
}

export function samplerFor(kind: 'random' | 'grid' | 'lhs', samples: number): DesignSampler {
  // For a grid, `samples` is the number of points per parameter.
  return kind === 'grid' ? { kind, pointsPerParam: samples } : { kind, count: samples };
}

export function registerGenerateCommand(dataset: Command): Command {
  return dataset
    .command('generate')
    .description('sample designs, evaluate each on every unique layer of the workloads with the cost model, stream rows to a CSV')
    .option('--networks <names>', `built-in networks, comma-separated (${NETWORK_NAMES_HELP}); layers other than 2-D convolutions are lowered to them for Simba`)
    .option('--layers <file>', 'layers file (VAESA JSON, CoSA YAML, our JSON, CoSA folder)')
    .option('--onnx <file>', ONNX_HELP)
    .option('--onnx-dims <name=value,...>', ONNX_DIMS_HELP)
    .requiredOption('--samples <n>', 'designs to sample (points per parameter with --sampler grid)', parsePositiveInt('--samples'))
    .option('--seed <s>', 'seed of the design sample', parseInteger('--seed'), 0)
    .option('--workers <w>', 'worker threads (0: this thread)', parseInteger('--workers'), Math.min(4, availableParallelism()))
    .requiredOption('--out <file>', 'CSV file to write (resumed if it exists from an interrupted run)')
    .option('--sampler <kind>', 'random | grid | lhs', parseChoice('--sampler', ['random', 'grid', 'lhs'] as const), 'random')
    .option('--shard <i/n>', 'make only part i of n (0-based) for batch systems; merge with `vaesa dataset merge`', parseShard)
    .option('--model <setup>', 'energy setup: pat or accelergy', parseChoice('--model', ['pat', 'accelergy'] as const), 'pat')
    .option('--mapper-effort <e>', 'mapper search effort: default, or fast (about 2.5x less CPU, median EDP ~2% higher)', parseChoice('--mapper-effort', ['fast', 'default'] as const), 'default')
    .option('--area', 'add an area column (mm²) after the VAESA columns')
    .option('--fresh', 'overwrite the output instead of resuming it')
    .option('--evaluator <module#export>', 'score pairs with your own evaluator instead of the cost model: a module (file path or package) exporting a factory () => Evaluator (loaded by every worker)')
    .option('--space <file.json>', "design space (default Simba's six parameters, written in VAESA's CSV format); another space needs --evaluator and is written with its parameter columns (docs/dataset.md)")
    .option('--family <name>', `${FAMILY_HELP}; its rows are written with the family's parameter columns`, parseChoice('--family', FAMILY_NAMES))
    .option('--json', 'print the result as JSON')
    .action(async (o: GenerateFlags) => {
      const { space } = spaceAndFamily(o);
      if (!isSimbaSpace(space) && o.evaluator === undefined && o.family === undefined) {
        throw new CliError(`--space ${o.space}: the built-in cost model scores Simba's designs and the built-in families (--family) only; give --evaluator module#export for the space ${space.name}`);
      }
      if (o.family !== undefined && o.family !== 'simba' && o.model !== 'pat') throw new CliError(`--model ${o.model}: the ${o.family} family is costed with pat energies`);
      const networks = await resolveWorkloads({ networks: o.networks, layers: o.layers, onnx: o.onnx, onnxDims: o.onnxDims });
      const controller = new AbortController();
      const onSigint = () => controller.abort();
      process.once('SIGINT', onSigint);
      let progress: ReturnType<typeof createProgress> | undefined;
      const started = Date.now();
      const costOptions: CostModelEvaluatorOptions = { model: o.model, effort: SEARCH_EFFORTS[o.mapperEffort] };
      try {
        const result = orFail(
          await generateDatasetFile({
            out: o.out,
            space,
            networks,
            sampler: samplerFor(o.sampler, o.samples),
            seed: o.seed,
            shard: o.shard,
            workers: o.workers,
            ...(o.evaluator === undefined && o.family !== undefined && o.family !== 'simba'
              ? { evaluator: familySource({ family: o.family, effort: o.mapperEffort }, o.workers), evaluatorId: `vaesa ${o.family} family ${JSON.stringify({ mapperEffort: o.mapperEffort })}` }
              : o.evaluator === undefined
              ? { evaluator: costModelSource(costOptions, o.workers) as EvaluatorSource<string>, evaluatorId: `vaesa cost model ${JSON.stringify({ model: o.model, mapperEffort: o.mapperEffort })}` }
              : { evaluator: parseEvaluatorFlag(o.evaluator) }),
            withArea: o.area,
            resume: !o.fresh,
            signal: controller.signal,
            onProgress: (p) => {
              progress ??= createProgress({ label: 'rows', total: p.total, silent: o.json });
              const rate = p.done / Math.max(1e-3, (Date.now() - started) / 1000);
              progress.update(p.done, `${rate.toFixed(0)} rows/s`);
            },
          }),
        );
        progress?.stop();
        const seconds = (Date.now() - started) / 1000;
        printResult(o.json, { out: o.out, ...result, seconds }, () => [
          `${result.complete ? 'wrote' : 'interrupted after'} ${result.rows} rows to ${o.out} in ${seconds.toFixed(1)} s` +
            (result.resumedFrom > 0 ? ` (resumed after ${result.resumedFrom} rows)` : '') +
            (result.complete ? '' : ': run the same command again to resume'),
        ]);
        if (controller.signal.aborted && !result.complete) throw new CliInterrupted(`stopped by Ctrl-C after ${result.rows} rows; they are in ${o.out} (run the same command again to resume)`);
      } finally {
        process.removeListener('SIGINT', onSigint);
      }
    });
}
