/**
 * Search benchmarks (docs/search.md reports their numbers).
 *
 *   npx tsx bench/search.ts family --family eyeriss ...
 *     Latent against input-space search on a design family (issue 17): see bench/search-family.ts.
 *
 *   npx tsx bench/search.ts speed [--model DIR]
 *     Optimiser overhead: gradient descent over ResNet-50 (24 distinct layers) and a 50-distinct-layer
 *     network, and BO's own time at budget 100, with an evaluator that costs nothing. Uses the trained
 *     model in DIR, or trains a throwaway `fast`-shaped model for 1 epoch on the reference data (only the
 *     network shapes matter for speed).
 *
 *   npx tsx bench/search.ts quality
 *     BO settings (isotropic/ARD kernel, UCB/EI) against random search on a smooth synthetic cost in the
 *     input space, 8 seeds at budget 40: how close each gets to the known optimum.
 *
 *   npx tsx bench/search.ts latent [--model DIR | --time-limit S]
 *     How the model's latent space covers the design space: reconstruction of random designs, distinct
 *     designs decoded from the latent box. Without --model, trains a `fast` model on the reference data
 *     (for at most S seconds with --time-limit, which `paper --train` also takes).
 *
 *   npx tsx bench/search.ts scaling [--budget 400] [--seeds 1]
 *     How long BO takes as observations grow: input-space BO on the 1x1 2048->1000 layer with the built-in
 *     cost model, the time after every 100 distinct evaluations (seed 1, or seeds 1..--seeds).
 *
 *   npx tsx bench/search.ts paper (--model DIR | --train [--save DIR]) [--seeds 5] [--budget 100]
 *                                 [--efficiency 200] [--reference 2000] [--targets a,b] [--json FILE] [--latent-bound 1]
 *                                 [--input-coordinates normalised|raw]
 *     VAESA's experiment (issue 7) on our cost model: per target and seed, latent BO and latent gradient
 *     search at `budget`, input-space BO run until it matches both latent results or reaches `efficiency`
 *     evaluations (sample efficiency = evaluations it needs to reach latent BO's best at `budget`, divided
 *     by `budget`; censored at efficiency / budget), input-space random at `budget`,
 *     and the reference optimum = best EDP of any run including a `reference`-evaluation random search;
 *     `roundTripGap` = EDP of decode(encode(optimum design)) over the optimum, minus 1 (reconstruction).
 *     `--input-coordinates raw`: the input-space BO and random baselines search raw parameter values, as
 *     VAESA's did (the reference search stays in the normalised box).
 *     `--train` trains a `fast` model on the reference data first (`--save` keeps it). Evaluator: the built-in
 *     cost model (pat setup, default mapper, mapped for EDP).
 */
import { orThrow } from './either';
import * as path from 'node:path';
import * as E from 'fp-ts/Either';
import type { Evaluator } from '../src/common/evaluator';
import { formatError } from '../src/common/errors';
import { costModelEvaluator } from '../src/mapper/evaluator';
import { listVaesaCsvFiles, readVaesaCsvFiles } from '../src/dataset/node';
import type { DatasetRow } from '../src/dataset/row';
import { gridSize, sampleArch, simbaSpace } from '../src/hardware/space';
import { archId } from '../src/hardware/arch';
import { createRng } from '../src/common/rng';
import type { LatentModel } from '../src/model/latent-model';
import { useBackend } from '../src/model/tf';
import { inputSpaceSearch, latentSearch, targetTotals, weightedLayers, type SearchResult, type SearchTarget, type TargetMetrics } from '../src/search';
import type { ArchConfig } from '../src/hardware/arch';
import { hasBatchedPrediction } from '../src/search/gradient';
import { loadVaesa, saveVaesa } from '../src/train/checkpoint';
import type { TrainedVaesa } from '../src/train/trained';
import { gridStepDistance } from '../src/train/evaluate';
import { trainVaesa } from '../src/train/train';
import { networks } from '../src/workload/builtin';
import { runFamilyBench } from './search-family';
import { convLayer, layerName, type ConvLayer } from '../src/workload/layer';

const REPO_ROOT = path.resolve(__dirname, '..');
const REFERENCE_LAYERS = path.resolve(REPO_ROOT, '../shared/reference/timeloop-cosa/layers');

interface Args {
  readonly mode: 'speed' | 'quality' | 'latent' | 'paper' | 'scaling';
  readonly model?: string;
  readonly train: boolean;
  readonly seeds: number;
  readonly budget: number;
  readonly efficiency: number;
  readonly reference: number;
  readonly json?: string;
  readonly save?: string;
  readonly targets?: readonly string[];
  readonly timeLimit?: number;
  /** Half-width of the latent box of the latent searches (VAESA: 1). */
  readonly latentBound?: number;
  /** The input-space baselines' box (the reference search always uses the normalised one). */
  readonly inputCoordinates?: 'normalised' | 'raw';
}

function parseArgs(argv: readonly string[]): Args {
  const mode = argv[0] === 'paper' || argv[0] === 'quality' || argv[0] === 'latent' || argv[0] === 'scaling' ? argv[0] : 'speed';
  const value = (flag: string): string | undefined => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const num = (flag: string, fallback: number): number => Number(value(flag) ?? fallback);
  return {
    mode,
    ...(value('--model') === undefined ? {} : { model: value('--model') }),
    train: argv.includes('--train'),
    seeds: num('--seeds', 5),
    budget: num('--budget', 100),
    efficiency: num('--efficiency', 200),
    reference: num('--reference', 2000),
    ...(value('--json') === undefined ? {} : { json: value('--json') }),
    ...(value('--save') === undefined ? {} : { save: value('--save') }),
    ...(value('--targets') === undefined ? {} : { targets: (value('--targets') ?? '').split(',') }),
    ...(value('--time-limit') === undefined ? {} : { timeLimit: Number(value('--time-limit')) }),
    ...(value('--latent-bound') === undefined ? {} : { latentBound: Number(value('--latent-bound')) }),
    ...(value('--input-coordinates') === 'raw' ? { inputCoordinates: 'raw' as const } : {}),
  };
}

async function referenceRows(limitFiles?: number): Promise<DatasetRow[]> {
  const files = await listVaesaCsvFiles([REFERENCE_LAYERS]);
  if (E.isLeft(files)) throw new Error(formatError(files.left));
  const read = await readVaesaCsvFiles(limitFiles === undefined ? files.right : files.right.slice(0, limitFiles));
  if (E.isLeft(read)) throw new Error(formatError(read.left));
  return read.right.rows.slice();
}

/** The model to search: loaded from `dir`, or trained now (`epochs` of the fast preset on the reference data). */
async function obtainModel(dir: string | undefined, epochs: number, limitFiles?: number, timeLimitSeconds?: number): Promise<LatentModel> {
  if (dir !== undefined) {
    const loaded = await loadVaesa(dir, simbaSpace);
    if (E.isLeft(loaded)) throw new Error(formatError(loaded.left));
    return loaded.right;
  }
  const rows = await referenceRows(limitFiles);
  const t0 = performance.now();
  const trained = await trainVaesa(rows, {
    preset: 'fast',
    seed: 1,
    dropDesignsOutsideSpace: true,
    ...(epochs > 0 ? { schedule: { epochs } } : {}),
    ...(timeLimitSeconds === undefined ? {} : { timeLimitSeconds }),
  });
  if (E.isLeft(trained)) throw new Error(formatError(trained.left));
  console.log(`trained a fast model on ${rows.length} reference rows in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return trained.right;
}

const seconds = (ms: number): string => (ms / 1000).toFixed(2);

/** Fifty distinct conv layers (channel counts and map sizes vary) standing for a 50-layer network. */
function fiftyLayerNetwork(): { layers: { layer: ConvLayer; count: number }[] } {
  return {
    layers: Array.from({ length: 50 }, (_, i) => ({
      layer: convLayer({ R: i % 3 === 0 ? 1 : 3, S: i % 3 === 0 ? 1 : 3, P: 7 * (1 + (i % 8)), Q: 7 * (1 + (i % 8)), C: 64 * (1 + (i % 5)), K: 64 * (1 + (i % 7)), N: 1 }),
      count: 1,
    })),
  };
}

export async function benchSearchSpeed(modelDir?: string): Promise<void> {
  console.log(`backend wasm: ${await useBackend('wasm')}`);
  const model = await obtainModel(modelDir, 1, 4);
  const free: Evaluator = () => ({ cycles: 1, energy: 1, area: 1 });
  console.log(`model predicts all layers in one graph (predictLogCostLayers): ${hasBatchedPrediction(model)}`);
  for (const [name, target] of [
    ['resnet50', networks.resnet50],
    ['50 distinct layers', fiftyLayerNetwork()],
  ] as const) {
    const distinct = weightedLayers(target).length;
    for (const starts of [1, 4, 8]) {
      const r = await latentSearch(model, target, { optimizer: 'gradient', evaluator: free, seed: 1, gradient: { starts } }).then(orThrow);
      console.log(`gradient search, ${name} (${distinct} distinct layers), ${starts} starts x 200 steps: ${seconds(r.timing.totalMs)} s`);
    }
  }
  const layer = networks.resnet50.layers[2].layer;
  const latentBo = await latentSearch(model, layer, { optimizer: 'bo', evaluator: syntheticBowl, budget: 100, seed: 1 }).then(orThrow);
  console.log(`latent BO, budget 100: ${seconds(latentBo.timing.searchMs)} s outside the evaluator (${latentBo.duplicates} duplicates)`);
  const inputBo = await inputSpaceSearch(simbaSpace, layer, { optimizer: 'bo', evaluator: syntheticBowl, budget: 100, seed: 1 }).then(orThrow);
  console.log(`input-space BO, budget 100: ${seconds(inputBo.timing.searchMs)} s outside the evaluator (${inputBo.duplicates} duplicates)`);
}

/** The centre of `syntheticBowl`: a valid design, so it is the optimum. */
const BOWL_CENTRE = { meshX: 8, macs: 1024, accumulationBuffer: 64, weightBuffer: 8192, inputBuffer: 512, globalBuffer: 65536 };

/** A smooth stand-in cost (log-quadratic in log2 of each parameter) with its optimum at `BOWL_CENTRE`. */
const syntheticBowl: Evaluator = (arch) => {
  const centre = BOWL_CENTRE;
  let d = 0;
  for (const k of Object.keys(centre) as (keyof typeof centre)[]) d += Math.log2(arch[k] / centre[k]) ** 2;
  return { cycles: 1e6 * Math.exp(0.05 * d), energy: 1e9 * Math.exp(0.03 * d), area: 1 };
};

/**
 * BO's settings against random search on `syntheticBowl` in the input space: median over seeds of
 * log(best EDP / optimum EDP) at `budget`.
 */
export async function benchSearchQuality(budget = 40, seeds = 8): Promise<void> {
  const layer = networks.resnet50.layers[2].layer;
  const optimum = await syntheticBowl(BOWL_CENTRE, layer);
  const gap = (r: SearchResult): number => Math.log(bestEdp(r) / (optimum.cycles * optimum.energy));
  const variants: { name: string; run: (seed: number) => Promise<SearchResult> }[] = [
    { name: 'random', run: (seed) => inputSpaceSearch(simbaSpace, layer, { optimizer: 'random', evaluator: syntheticBowl, budget, seed }).then(orThrow) },
    ...(['isotropic', 'ard'] as const).flatMap((kernel) =>
      [{ kind: 'ucb', kappa: 2.5 } as const, { kind: 'ei', xi: 0 } as const].map((acquisition) => ({
        name: `bo ${kernel} ${acquisition.kind}`,
        run: (seed: number) => inputSpaceSearch(simbaSpace, layer, { optimizer: 'bo', evaluator: syntheticBowl, budget, seed, bo: { kernel, acquisition } }).then(orThrow),
      })),
    ),
  ];
  for (const v of variants) {
    const gaps: number[] = [];
    for (let seed = 1; seed <= seeds; seed++) gaps.push(gap(await v.run(seed)));
    console.log(`${v.name}: median log(best/optimum) ${median(gaps).toFixed(3)}, worst ${Math.max(...gaps).toFixed(3)} (budget ${budget}, ${seeds} seeds)`);
  }
}

/**
 * How the latent space covers the design space: exact reconstruction rate of random valid designs
 * (decode(encode(x)) = x), and distinct designs decoded from uniform points of the latent box.
 */
export async function benchLatentCoverage(modelDir: string | undefined, timeLimitSeconds?: number): Promise<void> {
  console.log(`backend wasm: ${await useBackend('wasm')}`);
  const model = await obtainModel(modelDir, 0, undefined, timeLimitSeconds);
  const rng = createRng(7);
  const designs = Array.from({ length: 2000 }, () => sampleArch(simbaSpace, rng));
  const back = model.decode(model.encode(designs));
  const exact = back.filter((b, i) => archId(b) === archId(designs[i])).length;
  console.log(`reconstruction: ${exact} of ${designs.length} random designs decode back exactly (${((100 * exact) / designs.length).toFixed(1)}%)`);
  const steps = simbaSpace.params.map((p) => {
    const distances = designs.map((d, i) => gridStepDistance(p, d[p.name], back[i][p.name]));
    return `${p.name} ${median(distances).toFixed(1)} (of ${gridSize(p)} values)`;
  });
  console.log(`median reconstruction error in grid steps: ${steps.join(', ')}`);
  for (const bound of [1, 3]) {
    const points = Array.from({ length: 20000 }, () => Array.from({ length: model.latentDim }, () => rng.uniform(-bound, bound)));
    const distinct = new Set(model.decode(points).map(archId)).size;
    console.log(`latent box [-${bound}, ${bound}]^${model.latentDim}: 20000 uniform points decode to ${distinct} distinct designs`);
  }
}

/** Six targets: four single layers (ResNet-50, AlexNet, a fully-connected layer) and two whole networks. */
function paperTargets(): { name: string; target: SearchTarget }[] {
  const layer = (s: string): ConvLayer => {
    const [R, S, P, Q, C, K, N, strideW, strideH] = s.split('_').map(Number);
    return convLayer({ R, S, P, Q, C, K, N, strideW, strideH });
  };
  return [
    { name: '3_3_56_56_64_64', target: layer('3_3_56_56_64_64_1_1_1') },
    { name: '1_1_14_14_256_1024', target: layer('1_1_14_14_256_1024_1_1_1') },
    { name: '11_11_55_55_3_64_s4', target: layer('11_11_55_55_3_64_1_4_4') },
    { name: '1_1_1_1_2048_1000', target: layer('1_1_1_1_2048_1000_1_1_1') },
    { name: 'alexnet', target: networks.alexnet },
    { name: 'resnet50', target: networks.resnet50 },
  ];
}

/** One design's totals on a target. */
async function targetMetrics(evaluator: Evaluator, arch: ArchConfig, target: SearchTarget): Promise<TargetMetrics> {
  const layers = weightedLayers(target);
  return targetTotals(layers, await Promise.all(layers.map((l) => evaluator(arch, l.layer))));
}

const bestEdp = (r: SearchResult): number => r.best?.edp ?? Number.POSITIVE_INFINITY;
const median = (xs: readonly number[]): number => {
  const s = xs.slice().sort((a, b) => a - b);
  return s.length % 2 === 1 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** Evaluations input-space BO needed to match `goal` (history is EDP when the objective is EDP); +Infinity if never. */
function evaluationsToReach(r: SearchResult, goal: number): number {
  const i = r.history.findIndex((h) => h <= goal);
  return i < 0 ? Number.POSITIVE_INFINITY : i + 1;
}

export async function benchSearchPaper(args: Args): Promise<void> {
  const evaluator = orThrow(costModelEvaluator({ objective: 'edp' }));
  console.log(`backend wasm: ${await useBackend('wasm')}`);
  const model = await obtainModel(args.model, 0, undefined, args.timeLimit);
  if (args.model === undefined && args.save !== undefined) {
    const saved = await saveVaesa(model as TrainedVaesa, args.save);
    if (E.isLeft(saved)) throw new Error(formatError(saved.left));
    console.log(`saved the trained model to ${args.save}`);
  }
  const rows: Record<string, unknown>[] = [];
  for (const { name, target } of paperTargets().filter((t) => args.targets === undefined || args.targets.includes(t.name))) {
    for (let seed = 1; seed <= args.seeds; seed++) {
      const common = { evaluator, seed, objective: 'edp' as const };
      const latent = { ...common, ...(args.latentBound === undefined ? {} : { latentBound: args.latentBound }) };
      const latentBo = await latentSearch(model, target, { ...latent, optimizer: 'bo', budget: args.budget }).then(orThrow);
      const latentGradient = await latentSearch(model, target, { ...latent, optimizer: 'gradient', budget: args.budget }).then(orThrow);
      // Input-space BO runs until it matches both latent results (after at least `budget` evaluations,
      // for the comparison at equal budget) or reaches `efficiency` evaluations.
      const goal = Math.min(bestEdp(latentBo), bestEdp(latentGradient));
      const stopWhenMatched = new AbortController();
      const baseline = { ...common, ...(args.inputCoordinates === undefined ? {} : { coordinates: args.inputCoordinates }) };
      const inputBo = await inputSpaceSearch(simbaSpace, target, {
        ...baseline,
        optimizer: 'bo',
        budget: args.efficiency,
        signal: stopWhenMatched.signal,
        onProgress: (p) => {
          if (p.evaluations >= args.budget && p.bestObjective <= goal) stopWhenMatched.abort();
        },
      }).then(orThrow);
      const inputRandom = await inputSpaceSearch(simbaSpace, target, { ...baseline, optimizer: 'random', budget: args.budget }).then(orThrow);
      const reference = await inputSpaceSearch(simbaSpace, target, { ...common, optimizer: 'random', budget: args.reference }).then(orThrow);
      const runs = [latentBo, latentGradient, inputBo, inputRandom, reference];
      const optimum = Math.min(...runs.map(bestEdp));
      const optimumArch = runs.find((r) => bestEdp(r) === optimum)?.best?.arch;
      // reconstruction: the reference optimum through encode -> decode, evaluated (is it reachable from the latent space?)
      const roundTrip = optimumArch === undefined ? undefined : model.decode(model.encode([optimumArch]))[0];
      const roundTripEdp = roundTrip === undefined ? undefined : (await targetMetrics(evaluator, roundTrip, target)).edp;
      const inputBoAtBudget = inputBo.history[Math.min(args.budget, inputBo.history.length) - 1];
      const row = {
        target: name,
        seed,
        latentBo: bestEdp(latentBo),
        latentGradient: bestEdp(latentGradient),
        latentGradientEvaluations: latentGradient.evaluations.length,
        inputBo: inputBoAtBudget,
        inputRandom: bestEdp(inputRandom),
        optimum,
        latentBoGap: bestEdp(latentBo) / optimum - 1,
        sampleEfficiency: evaluationsToReach(inputBo, bestEdp(latentBo)) / args.budget,
        // The same for gradient search, which stops after its own (few) evaluations.
        gradientSampleEfficiency: evaluationsToReach(inputBo, bestEdp(latentGradient)) / latentGradient.evaluations.length,
        optimumArch,
        roundTripArch: roundTrip,
        roundTripGap: roundTripEdp === undefined ? undefined : roundTripEdp / optimum - 1,
      };
      rows.push(row);
      console.log(JSON.stringify(row));
    }
  }
  const efficiency = rows.map((r) => r.sampleEfficiency as number);
  const gaps = rows.map((r) => r.latentBoGap as number);
  console.log(`median sample efficiency (input BO evaluations to match latent BO at ${args.budget}, / ${args.budget}): ${median(efficiency)} (censored at ${args.efficiency / args.budget})`);
  console.log(`median latent BO gap to the reference optimum: ${(100 * median(gaps)).toFixed(2)}%`);
  const gradientEfficiency = rows.map((r) => r.gradientSampleEfficiency as number);
  console.log(`median gradient-search sample efficiency (input BO evaluations to match it, / its evaluations; Infinity = not within ${args.efficiency}): ${median(gradientEfficiency)}`);
  if (args.json !== undefined) {
    const fs = await import('node:fs/promises');
    await fs.writeFile(args.json, JSON.stringify({ args, rows, layers: paperTargets().map((t) => ({ name: t.name, layers: weightedLayers(t.target).map((l) => layerName(l.layer)) })) }, null, 2));
  }
}

/** Wall time of input-space BO after every 100 distinct evaluations (the GP's cost grows with them). */
export async function benchBoScaling(budget: number, seeds: number): Promise<void> {
  const layer = convLayer({ R: 1, S: 1, P: 1, Q: 1, C: 2048, K: 1000, N: 1 });
  for (let seed = 1; seed <= seeds; seed++) {
    const start = performance.now();
    const marks: string[] = [];
    const result = await inputSpaceSearch(simbaSpace, layer, {
      optimizer: 'bo',
      budget,
      seed,
      evaluator: orThrow(costModelEvaluator({ objective: 'edp' })),
      onProgress: (p) => {
        if (p.evaluations % 100 === 0) marks.push(`${p.evaluations}: ${((performance.now() - start) / 1000).toFixed(1)} s`);
      },
    }).then(orThrow);
    console.log(`seed ${seed}: ${marks.join(', ')} (evaluator ${(result.timing.evaluationMs / 1000).toFixed(1)} s of it)`);
  }
}

export async function runSearchBench(argv: readonly string[] = []): Promise<void> {
  const args = parseArgs(argv);
  if (args.mode === 'paper') {
    if (args.model === undefined && !args.train) throw new Error('paper: give --model DIR or --train');
    await benchSearchPaper(args);
  } else if (args.mode === 'scaling') {
    await benchBoScaling(argv.includes('--budget') ? args.budget : 400, argv.includes('--seeds') ? args.seeds : 1);
  } else if (args.mode === 'latent') {
    await benchLatentCoverage(args.model, args.timeLimit);
  } else if (args.mode === 'quality') {
    await benchSearchQuality();
  } else {
    await benchSearchSpeed(args.model);
  }
}

if (require.main === module) {
  (process.argv[2] === 'family' ? runFamilyBench(process.argv.slice(3)) : runSearchBench(process.argv.slice(2))).catch((e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  });
}
