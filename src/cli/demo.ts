/**
 * `vaesa demo`: the whole pipeline on a built-in default. Generates a dataset with the cost model,
 * trains the `fast` preset, searches ResNet-50's best design with latent BO and gradient search and
 * a random-search baseline at the same budget, and compares them with Simba's default design.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { availableParallelism } from 'node:os';
import type { Command } from 'commander';
import { costModelEvaluator } from '../mapper/evaluator';
import { evaluateNetwork, SEARCH_EFFORTS } from '../mapper';
import { simbaDefaultArch } from '../hardware/arch';
import { simbaSpace } from '../hardware';
import { getNetwork } from '../workload';
import { createRng } from '../common/rng';
import { splitDataset } from '../dataset/split';
import { readVaesaCsv } from '../dataset/files';
import { generateDatasetFile } from '../dataset/generate-file';
import { evaluateVaesa } from '../train';
import { saveVaesa } from '../train/checkpoint';
import { orFail, parseChoice, parseInteger, parsePositiveInt, parsePositiveNumber } from './errors';
import { formatDesign, formatNumber, printResult, SIMBA_PARAMS_NOTE, table } from './output';
import { createProgress } from './progress';
import { costModelSource } from './generate';
import { trainWithProgress } from './train';
import { selectBackend } from './backend';
import { historyPlot, resultRows, RESULT_HEADER, searchAll } from './search';

interface DemoFlags {
  mapperEffort: 'fast' | 'default';
  network: string;
  out: string;
  samples: number;
  budget: number;
  seed: number;
  workers: number;
  trainSeconds: number;
  maxArea?: number;
  json?: boolean;
}

export function registerDemoCommand(program: Command): Command {
  return program
    .command('demo')
    .description('the whole pipeline on ResNet-50: dataset -> fast VAE training -> latent BO and gradient search vs random search')
    .option('--network <name>', 'built-in network to design for', 'resnet50')
    .option('--out <dir>', 'folder for the dataset, model and plot', 'vaesa-demo')
    .option('--samples <n>', 'designs in the generated dataset', parsePositiveInt('--samples'), 150)
    .option('--budget <n>', 'cost-model evaluations per search method', parsePositiveInt('--budget'), 30)
    .option('--seed <s>', 'seed of every step', parseInteger('--seed'), 0)
    .option('--workers <w>', 'worker threads for dataset generation', parseInteger('--workers'), Math.min(4, availableParallelism()))
    .option('--mapper-effort <e>', 'mapper search effort for every evaluation: fast or default', parseChoice('--mapper-effort', ['fast', 'default'] as const), 'fast')
    .option('--train-seconds <s>', 'training time limit', parsePositiveInt('--train-seconds'), 90)
    .option('--max-area <mm2>', "area budget of the searches (default: the Simba default design's area, so the winners compare with it at equal silicon)", parsePositiveNumber('--max-area'))
    .option('--json', 'print the result as JSON')
    .action(async (o: DemoFlags) => {
      const silent = o.json === true;
      const say = (line: string) => {
        if (!silent) process.stderr.write(`${line}\n`);
      };
      await selectBackend(undefined);
      mkdirSync(o.out, { recursive: true });
      // One evaluator setting for the dataset, the searches and the Simba reference, so all numbers compare.
      const effort = SEARCH_EFFORTS[o.mapperEffort];
      const network = orFail(getNetwork(o.network));
      const dataFile = path.join(o.out, 'dataset.csv');

      say(`1/3 dataset: ${o.samples} random designs x ${network.layers.length} ${network.name} layers, cost model on ${o.workers} worker(s) -> ${dataFile}`);
      let progress: ReturnType<typeof createProgress> | undefined;
      orFail(
        await generateDatasetFile({
          out: dataFile,
          space: simbaSpace,
          networks: [network],
          sampler: { kind: 'random', count: o.samples },
          seed: o.seed,
          workers: o.workers,
          evaluator: costModelSource({ effort }, o.workers),
          onProgress: (p) => {
            progress ??= createProgress({ label: 'rows', total: p.total, silent });
            progress.update(p.done);
          },
        }),
      );
      progress?.stop();
      const rows = orFail(await readVaesaCsv(dataFile)).rows;

      say(`2/3 training the fast preset (at most ${o.trainSeconds} s)`);
      const split = splitDataset(rows, createRng(o.seed));
      const trained = await trainWithProgress(split.train, split.valid, { preset: 'fast', seed: o.seed, space: simbaSpace, timeLimitSeconds: o.trainSeconds }, { silent });
      orFail(await saveVaesa(trained, path.join(o.out, 'model')));
      const quality = evaluateVaesa(trained, split.test);

      const simba = orFail(evaluateNetwork(simbaDefaultArch, network, { effort }));
      const maxArea = o.maxArea ?? simba.area;
      const budgetSource = o.maxArea === undefined ? "the Simba default's area" : '--max-area';
      say(`3/3 searching ${network.name} with ${o.budget} cost-model evaluations per method, area budget ${formatNumber(maxArea)} mm² (${budgetSource})`);
      const evaluator = orFail(costModelEvaluator({ objective: 'edp', effort }));
      const results = await searchAll(trained, network, { latent: ['bo', 'gradient'], baselines: ['random'] }, { budget: o.budget, seed: o.seed, objective: 'edp', evaluator, maxArea, silent });
      const plotFile = path.join(o.out, 'search-history.svg');
      writeFileSync(plotFile, historyPlot(results, 'edp'));

      printResult(
        o.json,
        { out: o.out, rows: rows.length, test: quality, maxArea, results, simbaDefault: { arch: simbaDefaultArch, cycles: simba.cycles, energy: simba.energy, edp: simba.edp, area: simba.area } },
        () => [
          `dataset ${rows.length} rows; model test EDP Spearman ${quality.prediction.edp.spearman.toFixed(3)}, ` +
            `reconstruction within 10%: ${(100 * quality.reconstruction.within10PercentShare).toFixed(1)}%`,
          '',
          `${network.name} (network totals over its layers with counts; EDP = cycles x pJ), designs of at most ${formatNumber(maxArea)} mm² (${budgetSource}):`,
          ...table(RESULT_HEADER, [
            ...resultRows(results),
            ['Simba default', formatDesign(simbaDefaultArch), formatNumber(simba.cycles), formatNumber(simba.energy), formatNumber(simba.edp), formatNumber(simba.area), '1'],
          ]),
          SIMBA_PARAMS_NOTE,
          '',
          `model: ${path.join(o.out, 'model')}, plot: ${plotFile}`,
        ],
      );
      trained.dispose();
    });
}
