/**
 * The experiment of issue 17 item 6: on a design family's space (default the 11-parameter Eyeriss-like
 * one), latent search against input-space search, per network and seed.
 *
 *   npx tsx bench/search.ts family --family eyeriss (--model DIR | --data CSV | --samples N [--save DIR])
 *        [--networks resnet50,bert-base-128] [--seeds 5] [--budget 300] [--methods a,b,...] [--json FILE]
 *        [--report FILE]
 *
 * Methods: latent-bo, latent-gradient, latent-cmaes, input-bo, input-random, input-cmaes (input = the
 * space's normalised box). Every run uses the family's evaluator with the generic mapper's `fast` effort,
 * objective EDP, memoised per (design, layer) across runs. Each (network, seed, method) runs once at
 * `--budget`; shorter budgets are read off its history, which is exact because no optimiser looks at
 * the budget (the first k evaluations of a run at budget 300 are those of the run at budget k).
 * Results are appended to the JSON file (written atomically) after every run, so a partial run is usable;
 * a run already in the file is skipped, so the same command resumes. `--report FILE[:TAG],...` (no runs)
 * prints the tables from results files (TAG marks a file's method names, e.g. another model): per method and budget, the median gap of the best EDP to the best known
 * design (best of every run on that network), and the evaluations each needs to come within 5/10/25%
 * of the best known (median over seeds, censored at the budget).
 *
 * `--roundtrip FILE[,FILE] --model DIR`: the best known design of each network encoded, decoded, snapped
 * and evaluated again (what the latent space loses at the optimum).
 *
 * `--data-best CSV [--networks ...]`: the best network EDP among a dataset file's designs, by its own numbers.
 *
 * Without --model the model is trained here (`fast` preset, seed 1) on rows read from --data or generated
 * (--samples LHS designs x every distinct layer of the networks, same evaluator).
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import * as E from 'fp-ts/Either';
import type { CostMetrics, Evaluator } from '../src/common/evaluator';
import { formatError } from '../src/common/errors';
import { getDesignFamily, type DesignFamily } from '../src/costmodel/design-family';
import { generateDataset } from '../src/dataset/generate';
import { readDatasetCsvFiles } from '../src/dataset/files';
import type { DatasetRow } from '../src/dataset/row';
import { designKey, gridSize, snapDesign } from '../src/hardware/space';
import { createRng } from '../src/common/rng';
import { familyEvaluator } from '../src/mapper/evaluator';
import type { LatentModel } from '../src/model/latent-model';
import { inputSpaceSearch, latentSearch, latentSearchBox, targetTotals, weightedLayers, type SearchResult } from '../src/search';
import { loadVaesa, saveVaesa } from '../src/train/checkpoint';
import { trainVaesa } from '../src/train/train';
import { networks } from '../src/workload/builtin';
import { layerName } from '../src/workload/layer';
import { layerKey, type Layer } from '../src/workload/lower';
import type { Network } from '../src/workload/network';

const METHODS = ['latent-bo', 'latent-gradient', 'latent-cmaes', 'input-bo', 'input-random', 'input-cmaes'] as const;
type Method = (typeof METHODS)[number];

/** Gradient search settings that can spend a budget of hundreds: fresh rounds while they find new designs. */
const GRADIENT = { starts: 8, steps: 100, maxRounds: 1000 } as const;

interface RunRecord {
  readonly network: string;
  readonly seed: number;
  readonly method: string;
  readonly budget: number;
  /** Best EDP after each distinct evaluation. */
  readonly history: readonly number[];
  readonly bestEdp: number;
  readonly best: Readonly<Record<string, number>> | undefined;
  readonly evaluations: number;
  readonly duplicates: number;
  readonly stopReason: string;
  readonly seconds: number;
  readonly searchSeconds: number;
}

interface ResultsFile {
  readonly family: string;
  readonly settings: Readonly<Record<string, unknown>>;
  readonly runs: RunRecord[];
}

function flag(argv: readonly string[], name: string): string | undefined {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
}

function orThrow<T>(value: E.Either<{ readonly _tag: string }, T>): T {
  if (E.isLeft(value)) throw new Error(formatError(value.left as Parameters<typeof formatError>[0]));
  return value.right;
}

/** The family's evaluator memoised per (design, layer), shared by every run. */
function memoised(family: DesignFamily): Evaluator<string> {
  const evaluate = orThrow(familyEvaluator({ family, effort: 'fast' }));
  const memo = new Map<string, CostMetrics>();
  return async (design, layer) => {
    const key = `${designKey(family.space, design)}|${layerName(layer)}`;
    let m = memo.get(key);
    if (m === undefined) {
      m = await evaluate(design, layer);
      memo.set(key, m);
    }
    return m;
  };
}

async function obtainModel(argv: readonly string[], family: DesignFamily, targets: readonly Network[], evaluator: Evaluator<string>): Promise<LatentModel<string>> {
  const dir = flag(argv, '--model');
  if (dir !== undefined) return orThrow(await loadVaesa(dir, family.space));
  const data = flag(argv, '--data');
  let rows: DatasetRow<string, Layer>[] = [];
  const t0 = performance.now();
  if (data !== undefined) rows = orThrow(await readDatasetCsvFiles([data], { space: family.space })).rows.slice();
  else {
    const samples = Number(flag(argv, '--samples') ?? 300);
    for await (const row of generateDataset({ space: family.space, networks: targets, sampler: { kind: 'lhs', count: samples }, seed: 1, evaluator })) rows.push(row);
  }
  const trained = orThrow(await trainVaesa(rows, { space: family.space, preset: 'fast', seed: 1 }));
  console.log(`model: ${rows.length} rows, trained in ${((performance.now() - t0) / 1000).toFixed(0)} s (with generation)`);
  const save = flag(argv, '--save');
  if (save !== undefined) orThrow(await saveVaesa(trained, save));
  return trained;
}

async function run(method: Method, model: LatentModel<string>, family: DesignFamily, network: Network, common: { evaluator: Evaluator<string>; budget: number; seed: number }): Promise<SearchResult<string>> {
  switch (method) {
    case 'latent-bo':
      return latentSearch(model, network, { ...common, optimizer: 'bo' }).then(orThrow);
    case 'latent-gradient':
      return latentSearch(model, network, { ...common, optimizer: 'gradient', gradient: GRADIENT }).then(orThrow);
    case 'latent-cmaes':
      return latentSearch(model, network, { ...common, optimizer: 'cmaes' }).then(orThrow);
    case 'input-bo':
      return inputSpaceSearch(family.space, network, { ...common, optimizer: 'bo' }).then(orThrow);
    case 'input-random':
      return inputSpaceSearch(family.space, network, { ...common, optimizer: 'random' }).then(orThrow);
    case 'input-cmaes':
      return inputSpaceSearch(family.space, network, { ...common, optimizer: 'cmaes' }).then(orThrow);
  }
}

function writeAtomically(file: string, text: string): void {
  writeFileSync(`${file}.tmp`, text);
  renameSync(`${file}.tmp`, file);
}

const median = (xs: readonly number[]): number => {
  const s = xs.slice().sort((a, b) => a - b);
  return s.length === 0 ? Number.NaN : s.length % 2 === 1 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** Evaluations until the history is within `tolerance` of `target` (Infinity when never, within the history). */
function evaluationsToReach(history: readonly number[], target: number, tolerance: number): number {
  const i = history.findIndex((v) => v <= target * (1 + tolerance));
  return i < 0 ? Number.POSITIVE_INFINITY : i + 1;
}

/** The report's tables (markdown) from a results file. */
export function familyReport(results: ResultsFile, budgets: readonly number[]): string[] {
  const lines: string[] = [];
  for (const network of [...new Set(results.runs.map((r) => r.network))]) {
    const runs = results.runs.filter((r) => r.network === network);
    const bestKnown = Math.min(...runs.map((r) => r.bestEdp));
    const methods = [...new Set(runs.map((r) => r.method))];
    lines.push('', `${network}: best known EDP ${bestKnown.toExponential(4)} (best of all ${runs.length} runs)`, '');
    lines.push(`| method | seeds | ${budgets.map((b) => `gap @${b}`).join(' | ')} | evals to 5% | to 10% | to 25% | seconds per run |`);
    lines.push(`| --- | --- | ${budgets.map(() => '---').join(' | ')} | --- | --- | --- | --- |`);
    for (const method of methods) {
      const mine = runs.filter((r) => r.method === method);
      const gaps = budgets.map((b) => {
        const usable = mine.filter((r) => r.budget >= b);
        if (usable.length === 0) return '-';
        const values = usable.map((r) => r.history[Math.min(b, r.history.length) - 1] / bestKnown - 1);
        return `${(100 * median(values)).toFixed(1)}%`;
      });
      const reach = [0.05, 0.1, 0.25].map((tol) => {
        const n = mine.map((r) => evaluationsToReach(r.history, bestKnown, tol));
        const m = median(n);
        const budget = Math.max(...mine.map((r) => r.budget));
        return Number.isFinite(m) ? `${m} (${n.filter(Number.isFinite).length}/${n.length})` : `>${budget} (${n.filter(Number.isFinite).length}/${n.length})`;
      });
      lines.push(`| ${method} | ${mine.map((r) => r.seed).join(',')} | ${gaps.join(' | ')} | ${reach.join(' | ')} | ${median(mine.map((r) => r.seconds)).toFixed(0)} |`);
    }
  }
  return lines;
}

/**
 * What the latent space loses near the optimum: per network, the best known design of the results files
 * encoded to its latent mean, decoded and snapped, and evaluated; its EDP over the best known, minus 1.
 */
async function roundTrip(argv: readonly string[], files: readonly ResultsFile[]): Promise<void> {
  const family = orThrow(getDesignFamily(files[0].family));
  const model = orThrow(await loadVaesa(flag(argv, '--model') ?? '', family.space));
  const evaluator = memoised(family);
  const runs = files.flatMap((f) => f.runs);
  for (const network of [...new Set(runs.map((r) => r.network))]) {
    const best = runs.filter((r) => r.network === network && r.best !== undefined).sort((a, b) => a.bestEdp - b.bestEdp)[0];
    const design = best.best as Readonly<Record<string, number>>;
    const back = snapDesign(family.space, model.decode(model.encode([design]))[0]);
    const target = (networks as Record<string, Network>)[network];
    const layers = weightedLayers(target);
    const perLayer = await Promise.all(layers.map((l) => evaluator(back, l.layer)));
    const edp = targetTotals(layers, perLayer).edp;
    const changed = family.space.params.filter((p) => back[p.name] !== design[p.name]).map((p) => `${p.name} ${design[p.name]} -> ${back[p.name]}`);
    // How often the latent box proposes the best design's value of each parameter, against uniform input sampling.
    const box = latentSearchBox(model);
    const rng = createRng(1);
    const decoded = model.decode(Array.from({ length: 4000 }, () => box.lower.map((lo, d) => rng.uniform(lo, box.upper[d])))).map((d) => snapDesign(family.space, d));
    const shares = family.space.params.map((p) => `${p.name}=${design[p.name]} ${(100 * decoded.filter((d) => d[p.name] === design[p.name]).length / decoded.length).toFixed(1)}% (uniform ${(100 / gridSize(p)).toFixed(1)}%)`);
    console.log(`${network}: share of 4,000 uniform latent-box points decoding to the best design's value: ${shares.join(', ')}`);
    console.log(`${network}: best known ${best.bestEdp.toExponential(4)} (${best.method}, seed ${best.seed}); decode(encode(best)) ${edp.toExponential(4)}, gap ${(100 * (edp / best.bestEdp - 1)).toFixed(1)}%; changed: ${changed.join(', ') || 'none'}`);
  }
}

/**
 * The best design of a dataset file per network, by the metrics in the file (what a model trained on it
 * has seen): network EDP of every design that has all of the network's layers.
 */
async function datasetBest(file: string, family: DesignFamily, networkNames: readonly string[]): Promise<void> {
  const rows = orThrow(await readDatasetCsvFiles([file], { space: family.space })).rows;
  const byDesign = new Map<string, Map<string, DatasetRow<string, Layer>>>();
  for (const row of rows) {
    const key = designKey(family.space, row.arch);
    if (!byDesign.has(key)) byDesign.set(key, new Map());
    byDesign.get(key)?.set(layerKey(row.layer), row);
  }
  for (const name of networkNames) {
    const layers = weightedLayers((networks as Record<string, Network>)[name]);
    let best = Number.POSITIVE_INFINITY;
    for (const perLayer of byDesign.values()) {
      const found = layers.map((l) => perLayer.get(layerKey(l.layer)));
      if (found.some((r) => r === undefined)) continue;
      best = Math.min(best, targetTotals(layers, found as DatasetRow<string, Layer>[]).edp);
    }
    console.log(`${name}: best EDP among the ${byDesign.size} designs of ${file}: ${best.toExponential(4)}`);
  }
}

export async function runFamilyBench(argv: readonly string[]): Promise<void> {
  const dataBest = flag(argv, '--data-best');
  if (dataBest !== undefined) {
    await datasetBest(dataBest, orThrow(getDesignFamily(flag(argv, '--family') ?? 'eyeriss')), (flag(argv, '--networks') ?? 'resnet50,bert-base-128').split(','));
    return;
  }
  const trip = flag(argv, '--roundtrip');
  if (trip !== undefined) {
    await roundTrip(argv, trip.split(',').map((f) => JSON.parse(readFileSync(f, 'utf8')) as ResultsFile));
    return;
  }
  const report = flag(argv, '--report');
  const budgetsFlag = (flag(argv, '--budgets') ?? '50,100,300').split(',').map(Number);
  if (report !== undefined) {
    // FILE:TAG appends the tag to the method names of that file (runs of another model, say).
    const files = report.split(',').map((spec) => {
      const [file, tag] = spec.split(':');
      const read = JSON.parse(readFileSync(file, 'utf8')) as ResultsFile;
      return tag === undefined ? read : { ...read, runs: read.runs.map((r) => ({ ...r, method: `${r.method} ${tag}` })) };
    });
    console.log(familyReport({ ...files[0], runs: files.flatMap((f) => f.runs) }, budgetsFlag).join('\n'));
    return;
  }
  const family = orThrow(getDesignFamily(flag(argv, '--family') ?? 'eyeriss'));
  const networkNames = (flag(argv, '--networks') ?? 'resnet50,bert-base-128').split(',');
  const targets = networkNames.map((n) => {
    const net = (networks as Record<string, Network | undefined>)[n];
    if (net === undefined) throw new Error(`unknown network ${n}`);
    return net;
  });
  const seeds = Number(flag(argv, '--seeds') ?? 5);
  const budget = Number(flag(argv, '--budget') ?? 300);
  const methods = (flag(argv, '--methods')?.split(',') ?? METHODS.filter((m) => m !== 'latent-cmaes')) as Method[];
  const bad = methods.find((m) => !(METHODS as readonly string[]).includes(m));
  if (bad !== undefined) throw new Error(`unknown method ${bad}: ${METHODS.join(', ')}`);
  const file = flag(argv, '--json') ?? `bench-family-${family.name}.json`;
  const evaluator = memoised(family);
  const model = await obtainModel(argv, family, targets, evaluator);
  const results: ResultsFile = existsSync(file)
    ? (JSON.parse(readFileSync(file, 'utf8')) as ResultsFile)
    : { family: family.name, settings: { mapperEffort: 'fast', objective: 'edp', gradient: GRADIENT, latentDim: model.latentDim }, runs: [] };
  for (let seed = 1; seed <= seeds; seed++) {
    for (const [k, network] of targets.entries()) {
      for (const method of methods) {
        const done = results.runs.some((r) => r.network === networkNames[k] && r.seed === seed && r.method === method && r.budget >= budget);
        if (done) continue;
        const t0 = performance.now();
        const r = await run(method, model, family, network, { evaluator, budget, seed });
        const record: RunRecord = {
          network: networkNames[k],
          seed,
          method,
          budget,
          history: r.history.slice(),
          bestEdp: r.best?.edp ?? Number.POSITIVE_INFINITY,
          best: r.best?.arch,
          evaluations: r.evaluations.length,
          duplicates: r.duplicates,
          stopReason: r.stopReason,
          seconds: (performance.now() - t0) / 1000,
          searchSeconds: r.timing.searchMs / 1000,
        };
        results.runs.push(record);
        writeAtomically(file, JSON.stringify(results, null, 1));
        console.log(`${networkNames[k]} seed ${seed} ${method}: best EDP ${record.bestEdp.toExponential(4)} after ${record.evaluations} evaluations (${record.stopReason}), ${record.seconds.toFixed(0)} s (search ${record.searchSeconds.toFixed(0)} s)`);
      }
    }
  }
  console.log(familyReport(results, budgetsFlag).join('\n'));
}
