/** `vaesa search`: latent-space search with a trained model, optionally against original-space baselines. */
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { costModelEvaluator, familyEvaluator } from '../mapper/evaluator';
import { designFamilies, type DesignFamilyName } from '../costmodel/design-family';
import { FAMILY_HELP, FAMILY_NAMES, sameParams } from './space';
import type { Evaluator } from '../common/evaluator';
import { loadEvaluator } from '../dataset/evaluator-module';
import { isSimbaSpace } from '../hardware/space';
import { latentSearch, inputSpaceSearch, type LatentOptimizer, type SearchResult, type InputSpaceOptimizer } from '../search';
import type { Objective } from '../common/objective';

/** What `vaesa search` minimises: a mapper objective, or `edap` (energy x cycles x area). */
type SearchObjectiveFlag = Objective | 'edap';
import type { Network } from '../workload/network';
import type { TrainedVaesa } from '../train';
import { loadVaesa } from '../train/checkpoint';
import { addBackendOption, selectBackend } from './backend';
import { searchHistorySvg } from '../plot';
import { CliError, orFail, parseChoice, parseEvaluatorFlag, parseInteger, parsePositiveInt, parsePositiveNumber } from './errors';
import { formatDesign, formatNumber, printResult, SIMBA_PARAMS_NOTE, table } from './output';
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
  objective: SearchObjectiveFlag;
  baseline?: InputSpaceOptimizer[];
  maxArea?: number;
  maxEnergy?: number;
  maxPower?: number;
  evaluator?: string;
  family?: DesignFamilyName;
  onEvaluatorError?: 'abort' | 'skip';
  evaluationTimeout?: number;
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
  readonly result: SearchResult<string>;
}

function parseBaselines(v: string): InputSpaceOptimizer[] {
  const names = v.split(',').map((s) => s.trim()).filter((s) => s !== '');
  return names.map((n) => parseChoice('--baseline', ['random', 'bo', 'cmaes'] as const)(n));
}

/** A network made of all the given workloads (their layers with counts), for searching several at once. */
export function combinedTarget(networks: readonly Network[]): Network {
  return networks.length === 1 ? networks[0] : { name: networks.map((n) => n.name).join('+'), layers: networks.flatMap((n) => n.layers) };
}

/** Runs one search with a progress bar. */
export async function runWithProgress<P extends string>(label: string, budget: number, silent: boolean, run: (onProgress: (p: { evaluations: number; bestObjective: number }) => void) => Promise<SearchResult<P>>): Promise<SearchResult<P>> {
  const progress = createProgress({ label, total: budget, silent });
  const result = await run((p) => progress.update(p.evaluations, Number.isFinite(p.bestObjective) ? `best ${formatNumber(p.bestObjective)}` : ''));
  progress.stop();
  return result;
}

/** Latent search(es) plus baselines on one target, all with the same evaluator, budget and seed. */
export async function searchAll<P extends string>(
  trained: TrainedVaesa<P>,
  target: Network,
  methods: { latent: readonly LatentOptimizer[]; baselines: readonly InputSpaceOptimizer[] },
  options: {
    budget: number;
    seed: number;
    objective: SearchObjectiveFlag;
    evaluator: Evaluator<P>;
    maxArea?: number;
    maxEnergy?: number;
    maxPower?: number;
    onEvaluatorError?: 'abort' | 'skip';
    evaluationTimeoutMs?: number;
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
    constraints: { maxArea: options.maxArea, maxEnergy: options.maxEnergy, maxPower: options.maxPower },
    onEvaluatorError: options.onEvaluatorError,
    evaluationTimeoutMs: options.evaluationTimeoutMs,
  };
  const out: LabelledResult[] = [];
  for (const optimizer of methods.latent) {
    const method = `latent ${optimizer}`;
    out.push({ method, result: await runWithProgress(method, options.budget, options.silent, (onProgress) =>
        latentSearch(trained, target, { ...common, optimizer, onProgress, ...(options.latentBound === undefined ? {} : { latentBound: options.latentBound }) }).then(orFail),
      ), });
  }
  for (const optimizer of methods.baselines) {
    const method = `input-space ${optimizer}`;
    out.push({ method, result: await runWithProgress(method, options.budget, options.silent, (onProgress) =>
        inputSpaceSearch(trained.space, target, { ...common, optimizer, onProgress, ...(options.baselineCoordinates === undefined ? {} : { coordinates: options.baselineCoordinates }) }).then(orFail),
      ), });
  }
  return out;
}

export function resultRows(results: readonly LabelledResult[]): string[][] {
  return results.map(({ method, result }) => {
    const b = result.best;
    return b === undefined
      ? [method, '(no feasible design)', '', '', '', '', String(result.evaluations.length)]
      : [method, formatDesign(b.arch), formatNumber(b.cycles), formatNumber(b.energy), formatNumber(b.edp), b.area === undefined ? '' : formatNumber(b.area), String(result.evaluations.length)];
  });
}

export const RESULT_HEADER = ['method', 'best design', 'cycles', 'energy (pJ)', 'EDP', 'area (mm²)', 'evaluations'];

export function historyPlot(results: readonly LabelledResult[], objective: SearchObjectiveFlag): string {
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
    .option('--optimizer <name>', 'bo | gradient | random | grid | cmaes', parseChoice('--optimizer', ['bo', 'gradient', 'random', 'grid', 'cmaes'] as const), 'bo')
    .option('--budget <n>', 'distinct designs evaluated with the cost model', parsePositiveInt('--budget'), 100)
    .option('--seed <s>', 'seed', parseInteger('--seed'), 0)
    .option('--objective <obj>', 'edp | latency | energy | edap (energy x cycles x area; each layer is mapped for EDP)', parseChoice('--objective', ['edp', 'latency', 'energy', 'edap'] as const), 'edp')
    .option('--baseline <list>', 'original-space baselines at the same budget: random,bo,cmaes', parseBaselines)
    .option('--latent-bound <b>', 'search [-b, b] in every latent dimension (VAESA: 1) instead of the model\'s own box (the span of its training designs\' latent means)', parsePositiveNumber('--latent-bound'))
    .option('--baseline-coordinates <c>', 'box of the baselines: normalised (log-scaled parameters) | raw (raw values, as VAESA searched)', parseChoice('--baseline-coordinates', ['normalised', 'raw'] as const))
    .option('--max-area <mm2>', 'area budget: designs above it never win', parsePositiveNumber('--max-area'))
    .option('--max-energy <pJ>', 'energy budget over the whole workload: designs above it never win', parsePositiveNumber('--max-energy'))
    .option('--max-power <pJ/cycle>', 'average power budget (energy per cycle; 1 pJ/cycle = 1 mW at 1 GHz)', parsePositiveNumber('--max-power'))
    .option('--evaluator <module#export>', 'score designs with your own evaluator: a module (file path or package) exporting a factory () => Evaluator')
    .option('--family <name>', `score designs with ${FAMILY_HELP}; the model must have been trained on its space`, parseChoice('--family', FAMILY_NAMES))
    .option('--on-evaluator-error <policy>', 'abort (default: stop, keep the results so far) | skip (count the design as failed, go on)', parseChoice('--on-evaluator-error', ['abort', 'skip'] as const))
    .option('--evaluation-timeout <s>', 'give up on one evaluator call after this many seconds', parsePositiveNumber('--evaluation-timeout'))
    .option('--pareto', 'also return the latency/energy Pareto front found')
    .option('--plot <file.svg>', 'draw best objective vs evaluations for every method')
    .option('--json', 'print the result as JSON');
  return addBackendOption(cmd).action(async (o: SearchFlags) => {
      await selectBackend(o.backend);
      const trained = orFail(await loadVaesa(o.model));
      if (o.family !== undefined && o.evaluator !== undefined) throw new CliError(`--family ${o.family} and --evaluator both say how designs are scored: give one`);
      if (o.family !== undefined && !sameParams(trained.space, designFamilies[o.family].space)) {
        throw new CliError(`--family ${o.family}: the model ${o.model} was trained on the space ${trained.space.name} (${trained.space.params.map((p) => p.name).join(', ')}), not the family's`);
      }
      if (!isSimbaSpace(trained.space) && o.evaluator === undefined && o.family === undefined) {
        throw new CliError(`--model ${o.model}: its space ${trained.space.name} is not Simba's, so the built-in cost model cannot score it: give --family or --evaluator module#export`);
      }
      // The cost model scores Simba's designs and the families' (checked above); a module's evaluator, the model's space.
      // The mapper minimises a per-layer objective; area is the design's, so EDAP maps each layer for EDP.
      const mapperObjective: Objective = o.objective === 'edap' ? 'edp' : o.objective;
      const evaluator = (o.family !== undefined && o.family !== 'simba' ? orFail(familyEvaluator({ family: o.family, objective: mapperObjective })) : o.evaluator === undefined ? orFail(costModelEvaluator({ objective: mapperObjective })) : await loadEvaluator(parseEvaluatorFlag(o.evaluator)).catch((e: Error) => { throw new CliError(`--evaluator ${o.evaluator}: ${e.message}`); })) as unknown as Evaluator<string>;
      const target = combinedTarget(await resolveWorkloads({ network: o.network, layers: o.layers, onnx: o.onnx, onnxDims: o.onnxDims }));
      const results = await searchAll(trained, target, { latent: [o.optimizer], baselines: o.baseline ?? [] }, {
        budget: o.budget,
        seed: o.seed,
        objective: o.objective,
        evaluator,
        maxArea: o.maxArea,
        maxEnergy: o.maxEnergy,
        maxPower: o.maxPower,
        onEvaluatorError: o.onEvaluatorError,
        evaluationTimeoutMs: o.evaluationTimeout === undefined ? undefined : o.evaluationTimeout * 1000,
        pareto: o.pareto,
        silent: o.json === true,
        latentBound: o.latentBound,
        baselineCoordinates: o.baselineCoordinates,
      });
      // The results first: a plot that cannot be written must not throw a finished search away.
      printResult(o.json, { target: target.name, objective: o.objective, budget: o.budget, seed: o.seed, results }, () => [
        `${target.name}, objective ${o.objective}, budget ${o.budget}, seed ${o.seed}`,
        ...table(RESULT_HEADER, resultRows(results)),
        ...(isSimbaSpace(trained.space) ? [SIMBA_PARAMS_NOTE] : []),
        ...results.flatMap(({ method, result }) => (result.evaluatorError === undefined ? [] : [`${method} stopped: ${result.evaluatorError}`])),
        ...results.flatMap(({ method, result }) => (result.failed > 0 ? [`${method}: ${result.failed} designs skipped (evaluator failed)`] : [])),
        ...(o.pareto === true ? results.flatMap(({ method, result }) => paretoLines(method, result)) : []),
        ...(o.plot === undefined ? [] : [`plot: ${o.plot}`]),
      ]);
      if (o.plot !== undefined) {
        try {
          writeFileSync(o.plot, historyPlot(results, o.objective));
        } catch (e) {
          throw new CliError(`--plot ${o.plot}: ${(e as Error).message} (the results above are complete)`);
        }
      }
      if (results.some(({ result }) => result.stopReason === 'evaluator-error')) throw new CliError('the evaluator failed: the search stopped early (results so far above; --on-evaluator-error skip goes on)');
    });
}

/** The Pareto front of one result as text lines. */
export function paretoLines(method: string, result: SearchResult<string>): string[] {
  if (result.pareto === undefined) return [];
  return [
    `${method}: Pareto front (${result.pareto.length} designs, cycles vs energy)`,
    ...result.pareto.map((d) => `  ${formatDesign(d.arch)}  cycles ${formatNumber(d.cycles)}  energy ${formatNumber(d.energy)} pJ${d.area === undefined ? '' : `  area ${formatNumber(d.area)} mm²`}`),
  ];
}
