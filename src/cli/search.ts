/** `vaesa search`: latent-space search with a trained model, optionally against original-space baselines. */
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { costModelEvaluator } from '../mapper/evaluator';
import type { Evaluator } from '../common/evaluator';
import { archId } from '../hardware/arch';
import { latentSearch, inputSpaceSearch, type LatentOptimizer, type SearchResult, type InputSpaceOptimizer } from '../search';
import type { Objective } from '../common/objective';
import type { Network } from '../workload/network';
import type { TrainedVaesa } from '../train';
import { loadVaesa } from '../train/checkpoint';
import { addBackendOption, selectBackend } from './backend';
import { searchHistorySvg } from '../plot';
import { orFail, parseChoice, parseInteger, parsePositiveInt, parsePositiveNumber } from './errors';
import { formatNumber, printResult, table } from './output';
import { createProgress } from './progress';
import { NETWORK_NAMES_HELP, ONNX_DIMS_HELP, ONNX_HELP, resolveWorkloads } from './targets';

interface SearchFlags {
  model: string;
  network?: string;
  layers?: string;
  onnx?: string;
  onnxDims?: string;
  optimizer: LatentOptimizer;
  budget: number;
  seed: number;
  objective: Objective;
  baseline?: InputSpaceOptimizer[];
  maxArea?: number;
  latentBound?: number;
  baselineCoordinates?: 'normalised' | 'raw';
  pareto?: boolean;
  plot?: string;
  backend?: string;
  json?: boolean;
}

/** One search run shown to the user: a latent method or a baseline. */
export interface LabelledResult {
  readonly method: string;
  readonly result: SearchResult;
}

function parseBaselines(v: string): InputSpaceOptimizer[] {
  const names = v.split(',').map((s) => s.trim()).filter((s) => s !== '');
  return names.map((n) => parseChoice('--baseline', ['random', 'bo'] as const)(n));
}

/** A network made of all the given workloads (their layers with counts), for searching several at once. */
export function combinedTarget(networks: readonly Network[]): Network {
  return networks.length === 1 ? networks[0] : { name: networks.map((n) => n.name).join('+'), layers: networks.flatMap((n) => n.layers) };
}

/** Runs one search with a progress bar. */
export async function runWithProgress(label: string, budget: number, silent: boolean, run: (onProgress: (p: { evaluations: number; bestObjective: number }) => void) => Promise<SearchResult>): Promise<SearchResult> {
  const progress = createProgress({ label, total: budget, silent });
  const result = await run((p) => progress.update(p.evaluations, Number.isFinite(p.bestObjective) ? `best ${formatNumber(p.bestObjective)}` : ''));
  progress.stop();
  return result;
}

/** Latent search(es) plus baselines on one target, all with the same evaluator, budget and seed. */
export async function searchAll(
  trained: TrainedVaesa,
  target: Network,
  methods: { latent: readonly LatentOptimizer[]; baselines: readonly InputSpaceOptimizer[] },
  options: {
    budget: number;
    seed: number;
    objective: Objective;
    evaluator: Evaluator;
    maxArea?: number;
    pareto?: boolean;
    silent: boolean;
    /** Half-width of the latent box (default 1, VAESA's). */
    latentBound?: number;
    /** The baselines' box (default the log-normalised parameters). */
    baselineCoordinates?: 'normalised' | 'raw';
  },
): Promise<LabelledResult[]> {
  const common = {
    budget: options.budget,
    seed: options.seed,
    objective: options.objective,
    evaluator: options.evaluator,
    pareto: options.pareto,
    constraints: options.maxArea === undefined ? undefined : { maxArea: options.maxArea },
  };
  const out: LabelledResult[] = [];
  for (const optimizer of methods.latent) {
    const method = `latent ${optimizer}`;
    out.push({ method, result: await runWithProgress(method, options.budget, options.silent, (onProgress) =>
        latentSearch(trained, target, { ...common, optimizer, onProgress, ...(options.latentBound === undefined ? {} : { latentBound: options.latentBound }) }),
      ), });
  }
  for (const optimizer of methods.baselines) {
    const method = `input-space ${optimizer}`;
    out.push({ method, result: await runWithProgress(method, options.budget, options.silent, (onProgress) =>
        inputSpaceSearch(trained.space, target, { ...common, optimizer, onProgress, ...(options.baselineCoordinates === undefined ? {} : { coordinates: options.baselineCoordinates }) }),
      ), });
  }
  return out;
}

export function resultRows(results: readonly LabelledResult[]): string[][] {
  return results.map(({ method, result }) => {
    const b = result.best;
    return b === undefined
      ? [method, '(no feasible design)', '', '', '', '', String(result.evaluations.length)]
      : [method, archId(b.arch), formatNumber(b.cycles), formatNumber(b.energy), formatNumber(b.edp), b.area === undefined ? '' : formatNumber(b.area), String(result.evaluations.length)];
  });
}

export const RESULT_HEADER = ['method', 'best design', 'cycles', 'energy (pJ)', 'EDP', 'area (mm²)', 'evaluations'];

export function historyPlot(results: readonly LabelledResult[], objective: Objective): string {
  return searchHistorySvg(
    results.map(({ method, result }) => ({ name: method, values: result.history })),
    { title: `Best ${objective} vs distinct evaluations`, yLabel: `best ${objective} (log scale)` },
  );
}

export function registerSearchCommand(program: Command): Command {
  const cmd = program
    .command('search')
    .description('search the latent space of a trained model for the best design for a workload; compare with baselines')
    .requiredOption('--model <dir>', 'checkpoint folder written by `vaesa train`')
    .option('--network <names>', `built-in network(s), comma-separated (their layers are searched together): ${NETWORK_NAMES_HELP}`)
    .option('--layers <file>', 'layers file (VAESA JSON, CoSA YAML, our JSON, CoSA folder)')
    .option('--onnx <file>', ONNX_HELP)
    .option('--onnx-dims <name=value,...>', ONNX_DIMS_HELP)
    .option('--optimizer <name>', 'bo | gradient | random | grid', parseChoice('--optimizer', ['bo', 'gradient', 'random', 'grid'] as const), 'bo')
    .option('--budget <n>', 'distinct designs evaluated with the cost model', parsePositiveInt('--budget'), 100)
    .option('--seed <s>', 'seed', parseInteger('--seed'), 0)
    .option('--objective <obj>', 'edp | latency | energy', parseChoice('--objective', ['edp', 'latency', 'energy'] as const), 'edp')
    .option('--baseline <list>', 'original-space baselines at the same budget: random,bo', parseBaselines)
    .option('--latent-bound <b>', 'half-width of the latent box searched (VAESA: 1; models whose latent means spread wider, like the fast preset, do better with 2)', parsePositiveNumber('--latent-bound'))
    .option('--baseline-coordinates <c>', 'box of the baselines: normalised (log-scaled parameters) | raw (raw values, as VAESA searched)', parseChoice('--baseline-coordinates', ['normalised', 'raw'] as const))
    .option('--max-area <mm2>', 'area budget: designs above it never win', parsePositiveNumber('--max-area'))
    .option('--pareto', 'also return the latency/energy Pareto front found')
    .option('--plot <file.svg>', 'draw best objective vs evaluations for every method')
    .option('--json', 'print the result as JSON');
  return addBackendOption(cmd).action(async (o: SearchFlags) => {
      await selectBackend(o.backend);
      const trained = orFail(await loadVaesa(o.model));
      const target = combinedTarget(await resolveWorkloads({ network: o.network, layers: o.layers, onnx: o.onnx, onnxDims: o.onnxDims }));
      const results = await searchAll(trained, target, { latent: [o.optimizer], baselines: o.baseline ?? [] }, {
        budget: o.budget,
        seed: o.seed,
        objective: o.objective,
        evaluator: costModelEvaluator({ objective: o.objective }),
        maxArea: o.maxArea,
        pareto: o.pareto,
        silent: o.json === true,
        latentBound: o.latentBound,
        baselineCoordinates: o.baselineCoordinates,
      });
      if (o.plot !== undefined) writeFileSync(o.plot, historyPlot(results, o.objective));
      printResult(o.json, { target: target.name, objective: o.objective, budget: o.budget, seed: o.seed, results }, () => [
        `${target.name}, objective ${o.objective}, budget ${o.budget}, seed ${o.seed}`,
        ...table(RESULT_HEADER, resultRows(results)),
        ...(o.plot === undefined ? [] : [`plot: ${o.plot}`]),
      ]);
    });
}
