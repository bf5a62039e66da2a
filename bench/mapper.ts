/**
 * Mapper bench (issue 3, items 2-4):
 * - quality vs CoSA: our mapper's EDP against the reference EDP (CoSA's mapping in Timeloop, setup 'pat')
 *   on a fixed seeded sample of rows per layer of `timeloop-cosa/layers`, and per layer the Spearman rho of
 *   our EDP vs the reference across archs;
 * - speed: evaluateLayer (mapper included) per second, per reference layer over random archs of VAESA's
 *   space with one cache shared as a dataset run shares it;
 * - optimality: against the exhaustive optimum on layers small enough to enumerate.
 * Run: `npx tsx bench/mapper.ts [quality|speed|exhaustive|all] [--rows 200] [--out rows.json] [--archs 2304] [--warm-archs 500; 0 skips] [--layers substring]`.
 */
import { orThrow } from './either';
import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import { createRng } from '../src/common/rng';
import { evaluateLayer } from '../src/mapper/evaluate-layer';
import { createMappingCache } from '../src/mapper/find-mapping';
import type { ArchConfig } from '../src/hardware/arch';
import { sampleArch, simbaSpace } from '../src/hardware/space';
import { convLayer, type ConvLayer } from '../src/workload/layer';
import { exhaustiveOptimum, TINY_LAYERS } from '../test/mapper/search/exhaustive';

const LAYERS_DIR = path.resolve(__dirname, '../../shared/reference/timeloop-cosa/layers');

export interface ReferenceRow {
  readonly arch: ArchConfig;
  readonly cycles: number;
  readonly energy: number;
}

export function layerFromFile(file: string): ConvLayer {
  const [R, S, P, Q, C, K, N, strideW, strideH, dilationW, dilationH] = file.replace('.csv.gz', '').split('_').map(Number);
  return convLayer({ R, S, P, Q, C, K, N, strideW, strideH, dilationW, dilationH });
}

export function readRows(file: string): ReferenceRow[] {
  const lines = zlib.gunzipSync(fs.readFileSync(path.join(LAYERS_DIR, file))).toString().trim().split('\n');
  const header = lines[0].split(',');
  const col = (name: string): number => header.indexOf(name);
  const [cy, en, mx, ins, acc, wb, ib, gb] = ['unique_cycle_sum', 'unique_energy_sum', 'arith_meshX', 'arith_ins', 'mem1_ent', 'mem2_ent', 'mem3_ent', 'mem4_ent'].map(col);
  return lines.slice(1).map((line) => {
    const c = line.split(',').map(Number);
    return {
      arch: { meshX: c[mx], macs: c[ins], accumulationBuffer: c[acc], weightBuffer: c[wb], inputBuffer: c[ib], globalBuffer: c[gb] },
      cycles: c[cy],
      energy: c[en],
    };
  });
}

export function sample<T>(items: readonly T[], n: number, seed: number): T[] {
  const rng = createRng(seed);
  const idx = items.map((_, i) => i);
  for (let i = idx.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [idx[i], idx[j]] = [idx[j], idx[i]];
  }
  return idx.slice(0, Math.min(n, idx.length)).map((i) => items[i]);
}

function ranks(values: readonly number[]): number[] {
  const order = values.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  const r = new Array<number>(values.length);
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && order[j + 1][0] === order[i][0]) j++;
    for (let k = i; k <= j; k++) r[order[k][1]] = (i + j) / 2;
    i = j + 1;
  }
  return r;
}

export function spearman(a: readonly number[], b: readonly number[]): number {
  const ra = ranks(a);
  const rb = ranks(b);
  const mean = (ra.length - 1) / 2;
  let num = 0;
  let da = 0;
  let db = 0;
  for (let i = 0; i < ra.length; i++) {
    num += (ra[i] - mean) * (rb[i] - mean);
    da += (ra[i] - mean) ** 2;
    db += (rb[i] - mean) ** 2;
  }
  return da === 0 || db === 0 ? 0 : num / Math.sqrt(da * db);
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 === 1 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

export function layerFiles(filter: string | undefined): string[] {
  return fs
    .readdirSync(LAYERS_DIR)
    .filter((f) => f.endsWith('.csv.gz') && (filter === undefined || f.includes(filter)))
    .sort();
}

export function benchQuality(rowsPerLayer: number, filter?: string, outFile?: string): void {
  const cache = createMappingCache();
  const c0 = process.cpuUsage();
  const perRow: { layer: string; arch: ArchConfig; ours: number; reference: number }[] = [];
  const ratios: number[] = [];
  const rhos: number[] = [];
  const flatRhos: string[] = [];
  let wins = 0;
  for (const file of layerFiles(filter)) {
    const layer = layerFromFile(file);
    const rows = sample(readRows(file), rowsPerLayer, 1);
    const ours: number[] = [];
    const refs: number[] = [];
    let layerWins = 0;
    for (const row of rows) {
      const cost = orThrow(evaluateLayer(row.arch, layer, { cache }));
      const ref = row.cycles * row.energy;
      ours.push(cost.edp);
      refs.push(ref);
      ratios.push(cost.edp / ref);
      perRow.push({ layer: file.replace('.csv.gz', ''), arch: row.arch, ours: cost.edp, reference: ref });
      if (cost.edp <= ref) layerWins++;
    }
    wins += layerWins;
    const rho = spearman(ours, refs);
    const cycles = rows.map((r) => r.cycles);
    const flat = Math.max(...cycles) / Math.min(...cycles) < 1.05;
    if (flat) flatRhos.push(`${file.replace('.csv.gz', '')} rho=${rho.toFixed(3)}`);
    else rhos.push(rho);
    const layerRatios = ours.map((o, i) => o / refs[i]);
    console.log(
      `${file.replace('.csv.gz', '').padEnd(34)} rows ${rows.length}  ours<=ref ${(layerWins / rows.length).toFixed(3)}  median ours/ref ${median(layerRatios).toFixed(3)}  max ${Math.max(...layerRatios).toFixed(3)}  rho ${rho.toFixed(3)}${flat ? ' (cycles nearly constant)' : ''}`,
    );
  }
  console.log(`\nrows ${ratios.length}: ours <= reference on ${((100 * wins) / ratios.length).toFixed(1)}%, median ours/ref ${median(ratios).toFixed(4)}`);
  console.log(`Spearman rho (layers with varying cycles, ${rhos.length}): median ${median(rhos).toFixed(3)}, min ${Math.min(...rhos).toFixed(3)}`);
  console.log(`layers with nearly constant cycles (max/min < 1.05): ${flatRhos.length ? flatRhos.join(', ') : 'none'}`);
  const cpu = process.cpuUsage(c0);
  console.log(`CPU time: ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s`);
  if (outFile !== undefined) fs.writeFileSync(outFile, JSON.stringify(perRow));
}

/** Archs per layer timed as a first look (the layer's pool and its first shapes built on the way). */
const FIRST_LOOK_ARCHS = 100;

/**
 * Per reference layer: `archsPerLayer` random archs of VAESA's space evaluated with one shared cache (cold:
 * the layer's pool and the per-shape work, one shape per MAC count, are built on the way; the first
 * `FIRST_LOOK_ARCHS` of them are also timed alone), then `warmArchs` fresh archs (warm: the steady state
 * of a long dataset run, where every shape has been seen; 0 skips it). The cold rate over a dataset's
 * number of archs per layer (VAESA's: 2,304) is what a dataset run sees.
 */
export function benchSpeed(archsPerLayer: number, filter?: string, warmArchs = 0): void {
  const cache = createMappingCache();
  interface Rate {
    readonly wall: number;
    // Per second of this process's CPU time: the fair single-thread figure on a loaded machine.
    readonly cpu: number;
  }
  const rates: { name: string; firstLook: Rate; cold: Rate; warm: Rate }[] = [];
  // Rates of `archs` evaluated in order, over the first `checkpoint` of them and over all.
  const timed = (archs: readonly ArchConfig[], layer: ConvLayer, checkpoint: number): [Rate, Rate] => {
    if (archs.length === 0) return [{ wall: NaN, cpu: NaN }, { wall: NaN, cpu: NaN }];
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    let first: Rate = { wall: NaN, cpu: NaN };
    const rate = (count: number): Rate => {
      const cpu = process.cpuUsage(c0);
      return { wall: count / ((performance.now() - t0) / 1000), cpu: count / ((cpu.user + cpu.system) / 1e6) };
    };
    archs.forEach((arch, i) => {
      orThrow(evaluateLayer(arch, layer, { cache }));
      if (i + 1 === checkpoint) first = rate(checkpoint);
    });
    return [first, rate(archs.length)];
  };
  for (const file of layerFiles(filter)) {
    const layer = layerFromFile(file);
    const rng = createRng(7);
    const sample = (count: number): ArchConfig[] => Array.from({ length: count }, () => sampleArch(simbaSpace, rng));
    const [firstLook, cold] = timed(sample(archsPerLayer), layer, Math.min(FIRST_LOOK_ARCHS, archsPerLayer));
    const [, warm] = timed(sample(warmArchs), layer, 0);
    const name = file.replace('.csv.gz', '');
    rates.push({ name, firstLook, cold, warm });
    const show = (r: Rate): string => `${r.wall.toFixed(1)}/s (cpu ${r.cpu.toFixed(1)}/s)`;
    console.log(`${name.padEnd(34)} first ${Math.min(FIRST_LOOK_ARCHS, archsPerLayer)} ${show(firstLook)}  all ${archsPerLayer} ${show(cold)}${warmArchs > 0 ? `  warm ${show(warm)}` : ''}`);
  }
  const summary = (label: string, pick: (r: (typeof rates)[number]) => Rate): void => {
    const slowest = [...rates].sort((a, b) => pick(a).wall - pick(b).wall)[0];
    const slowestCpu = [...rates].sort((a, b) => pick(a).cpu - pick(b).cpu)[0];
    console.log(
      `  ${label}: median ${median(rates.map((r) => pick(r).wall)).toFixed(1)}, slowest ${slowest.name} ${pick(slowest).wall.toFixed(1)}` +
        ` | per CPU second: median ${median(rates.map((r) => pick(r).cpu)).toFixed(1)}, slowest ${slowestCpu.name} ${pick(slowestCpu).cpu.toFixed(1)}`,
    );
  };
  console.log(`\nevaluateLayer/s over ${rates.length} layers, random archs, one shared cache:`);
  summary(`cold, all ${archsPerLayer} archs per layer (pool and shapes built on the way)`, (r) => r.cold);
  summary(`first look, first ${Math.min(FIRST_LOOK_ARCHS, archsPerLayer)} archs per layer`, (r) => r.firstLook);
  if (warmArchs > 0) summary(`warm, the next ${warmArchs} archs (steady state)`, (r) => r.warm);
}

export function benchExhaustive(archsPerLayer: number): void {
  const gaps: number[] = [];
  const rng = createRng(11);
  for (const layer of TINY_LAYERS) {
    for (let a = 0; a < archsPerLayer; a++) {
      const arch: ArchConfig = {
        meshX: 2 ** rng.int(3),
        macs: 128 * 2 ** rng.int(3),
        accumulationBuffer: 2 ** (1 + rng.int(4)),
        weightBuffer: 2 ** (1 + rng.int(5)),
        inputBuffer: 2 ** (1 + rng.int(5)),
        globalBuffer: 2 ** (2 + rng.int(6)),
      };
      const best = exhaustiveOptimum(arch, layer, 'edp');
      const ours = orThrow(evaluateLayer(arch, layer)).edp;
      gaps.push(ours / best.value - 1);
    }
  }
  console.log(`exhaustive optimum, ${gaps.length} (tiny layer, arch) pairs: median gap ${(100 * median(gaps)).toFixed(2)}%, worst ${(100 * Math.max(...gaps)).toFixed(2)}%`);
}

function flag(args: readonly string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
}

export async function main(args: readonly string[]): Promise<void> {
  const what = args[0] ?? 'all';
  const filter = flag(args, 'layers');
  if (what === 'quality' || what === 'all') benchQuality(Number(flag(args, 'rows') ?? 200), filter, flag(args, 'out'));
  if (what === 'speed' || what === 'all') {
    // Defaults: a VAESA dataset's archs per layer, then a steady-state sample.
    benchSpeed(Number(flag(args, 'archs') ?? 2304), filter, Number(flag(args, 'warm-archs') ?? 500));
  }
  if (what === 'exhaustive' || what === 'all') benchExhaustive(Number(flag(args, 'archs') ?? 4));
}

if (require.main === module) void main(process.argv.slice(2));
