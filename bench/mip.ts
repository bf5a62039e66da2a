/**
 * MIP mapper bench (issue 4): CoSA's formulation solved by HiGHS (`findMappingMip`) against the default
 * mapper (`evaluateLayer`, mapper 'search'), both costed by the same cost model (setup 'pat'), on the 45
 * reference layers of `timeloop-cosa/layers` x a fixed seeded sample of each file's rows (archs):
 * - MIP EDP / default EDP (median, worst) and MIP EDP / reference EDP (CoSA's mapping in Timeloop);
 * - per layer, the Spearman rho of each mapper's EDP against the reference EDP across the sampled archs;
 * - solve time per (layer, arch): wall clock and process CPU time (the machine is shared), median and worst.
 * Run: `npx tsx bench/mip.ts [--rows 12] [--layers substring] [--time-limit 1.5]` (default: the library's time limit);
 * `npx tsx bench/mip.ts --cold` measures a fresh process's first solves (see `benchColdStart`).
 */
import { orThrow } from './either';
import * as os from 'node:os';
import * as E from 'fp-ts/Either';
import { evaluateLayer } from '../src/mapper/evaluate-layer';
import { evaluateMapping } from '../src/costmodel/evaluate';
import { createMappingCache } from '../src/mapper/find-mapping';
import { DEFAULT_MIP_TIME_LIMIT_SECONDS, findMappingMip } from '../src/mapper/mip/mapper';
import { loadMipSolver, type MipSolver } from '../src/mapper/mip/solver';
import { convLayer } from '../src/workload/layer';
import { layerFiles, layerFromFile, median, readRows, sample, spearman } from './mapper';

function flag(args: readonly string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
}

function worst(xs: readonly number[]): number {
  return Math.max(...xs);
}

/**
 * Solves before timing until the solve time settles, and returns the first (cold) and last (warm) times:
 * V8 first runs HiGHS's WebAssembly as baseline code, compiled lazily, and optimises hot functions as they
 * run, so the first seconds of solving in a process are several times slower (docs/mip-mapper.md).
 */
function warmUp(solver: MipSolver): { coldMs: number; warmMs: number; solves: number } {
  const arch = { meshX: 16, macs: 1024, accumulationBuffer: 64, weightBuffer: 16384, inputBuffer: 1024, globalBuffer: 65536 };
  const layer = convLayer({ R: 3, S: 3, P: 28, Q: 28, C: 64, K: 64, N: 1 });
  const times: number[] = [];
  const started = performance.now();
  // At least 3 s of solving (tier-up runs in the background, slowly on a loaded machine), then until no faster.
  const settled = (): boolean => performance.now() - started > 3000 && times[times.length - 1] <= 1.2 * Math.min(...times.slice(0, -1));
  while (times.length < 30 && !settled()) {
    const t0 = performance.now();
    findMappingMip(solver, arch, layer, { timeLimitSeconds: 10 });
    times.push(performance.now() - t0);
  }
  return { coldMs: times[0], warmMs: times[times.length - 1], solves: times.length };
}

export async function benchMip(rowsPerLayer: number, timeLimitSeconds: number, filter?: string): Promise<void> {
  const loadAtStart = os.loadavg()[0];
  const loaded = await loadMipSolver();
  if (E.isLeft(loaded)) throw new Error(`cannot load HiGHS: ${loaded.left._tag}`);
  const solver = loaded.right;
  const warm = warmUp(solver);
  const cache = createMappingCache();
  const vsDefault: number[] = [];
  const vsReference: number[] = [];
  const defaultVsReference: number[] = [];
  const rhoMip: number[] = [];
  const rhoDefault: number[] = [];
  const wallMs: number[] = [];
  const cpuMs: number[] = [];
  const failures = new Map<string, number>();
  const stoppedByLimit: string[] = [];
  let slowest = { ms: 0, what: '' };
  for (const file of layerFiles(filter)) {
    const layer = layerFromFile(file);
    const name = file.replace('.csv.gz', '');
    const rows = sample(readRows(file), rowsPerLayer, 1);
    const mipEdp: number[] = [];
    const defaultEdp: number[] = [];
    const refEdp: number[] = [];
    for (const row of rows) {
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      const result = findMappingMip(solver, row.arch, layer, { timeLimitSeconds });
      const wall = performance.now() - t0;
      const cpu = process.cpuUsage(cpu0);
      wallMs.push(wall);
      cpuMs.push((cpu.user + cpu.system) / 1000);
      if (wall > slowest.ms) slowest = { ms: wall, what: `${name} on ${JSON.stringify(row.arch)}` };
      if (E.isLeft(result)) {
        failures.set(result.left._tag, (failures.get(result.left._tag) ?? 0) + 1);
        continue;
      }
      if (!result.right.optimal) stoppedByLimit.push(`${name} on ${JSON.stringify(row.arch)} (${wall.toFixed(0)} ms)`);
      const mip = evaluateMapping(row.arch, layer, result.right.mapping).edp;
      const search = orThrow(evaluateLayer(row.arch, layer, { cache })).edp;
      const ref = row.cycles * row.energy;
      mipEdp.push(mip);
      defaultEdp.push(search);
      refEdp.push(ref);
      vsDefault.push(mip / search);
      vsReference.push(mip / ref);
      defaultVsReference.push(search / ref);
    }
    const rm = spearman(mipEdp, refEdp);
    const rd = spearman(defaultEdp, refEdp);
    rhoMip.push(rm);
    rhoDefault.push(rd);
    const layerRatios = mipEdp.map((m, i) => m / defaultEdp[i]);
    console.log(
      `${name.padEnd(34)} mip/default median ${median(layerRatios).toFixed(3)} worst ${worst(layerRatios).toFixed(3)}  rho mip ${rm.toFixed(3)} default ${rd.toFixed(3)}  solve median ${median(wallMs.slice(-rows.length)).toFixed(0)} ms`,
    );
  }
  const pct = (n: number): string => `${((100 * n) / wallMs.length).toFixed(1)}%`;
  console.log(`\n(layer, arch) pairs: ${wallMs.length} (${rowsPerLayer} sampled rows per layer, seed 1), time limit ${timeLimitSeconds} s`);
  console.log(`failures: ${failures.size === 0 ? 'none' : [...failures].map(([k, v]) => `${k} ${v}`).join(', ')}; stopped by the time limit with a feasible mapping: ${stoppedByLimit.length} (${pct(stoppedByLimit.length)})${stoppedByLimit.map((p) => `\n  ${p}`).join('')}`);
  console.log(`MIP EDP / default mapper EDP: median ${median(vsDefault).toFixed(3)}, worst ${worst(vsDefault).toFixed(3)}, MIP <= default on ${pct(vsDefault.filter((r) => r <= 1).length)}`);
  console.log(`EDP / reference EDP (CoSA's mapping in Timeloop): MIP median ${median(vsReference).toFixed(3)}, default mapper median ${median(defaultVsReference).toFixed(3)}`);
  console.log(`Spearman rho vs reference EDP per layer (median over ${rhoMip.length} layers): MIP ${median(rhoMip).toFixed(3)}, default mapper ${median(rhoDefault).toFixed(3)}`);
  console.log(`solve time per (layer, arch): wall median ${median(wallMs).toFixed(0)} ms, worst ${worst(wallMs).toFixed(0)} ms (${slowest.what}); CPU median ${median(cpuMs).toFixed(0)} ms, worst ${worst(cpuMs).toFixed(0)} ms`);
  console.log(`warm-up (3x3, 28x28, 64->64 on the default Simba, before timing): first solve ${warm.coldMs.toFixed(0)} ms, settled after ${warm.solves} solves at ${warm.warmMs.toFixed(0)} ms`);
  console.log(`wall time over 1 s: ${wallMs.filter((ms) => ms > 1000).length} pairs, over 2 s: ${wallMs.filter((ms) => ms > 2000).length}`);
  console.log(`load average (1 min) on ${os.cpus().length} cores: ${loadAtStart.toFixed(1)} at the start, ${os.loadavg()[0].toFixed(1)} at the end`);
}

/**
 * `--cold`: a fresh process's `loadMipSolver` time, then the same solve four times (HiGHS does the same
 * branch-and-bound work each time): the first solves run on V8's baseline code for HiGHS's WebAssembly.
 * Run it also as `node --no-wasm-lazy-compilation --no-liftoff --import tsx bench/mip.ts --cold` to compile
 * everything optimised up front.
 */
export async function benchColdStart(): Promise<void> {
  const loadAtStart = os.loadavg()[0];
  const t0 = performance.now();
  const loaded = await loadMipSolver();
  if (E.isLeft(loaded)) throw new Error(`cannot load HiGHS: ${loaded.left._tag}`);
  console.log(`loadMipSolver: ${(performance.now() - t0).toFixed(0)} ms`);
  const arch = { meshX: 4, macs: 256, accumulationBuffer: 128, weightBuffer: 65536, inputBuffer: 1024, globalBuffer: 131072 };
  const layer = convLayer({ R: 3, S: 3, P: 120, Q: 12, C: 32, K: 64, N: 1 });
  for (let i = 1; i <= 4; i++) {
    const started = performance.now();
    const result = findMappingMip(loaded.right, arch, layer, { timeLimitSeconds: 30 });
    const outcome = E.isRight(result) ? `objective ${result.right.objective.toFixed(4)}${result.right.optimal ? ', optimal' : ''}` : result.left._tag;
    console.log(`solve ${i} of 3_3_120_12_32_64 on ${JSON.stringify(arch)}: ${(performance.now() - started).toFixed(0)} ms (${outcome})`);
  }
  console.log(`load average (1 min) on ${os.cpus().length} cores: ${loadAtStart.toFixed(1)} at the start, ${os.loadavg()[0].toFixed(1)} at the end`);
}

export async function main(args: readonly string[]): Promise<void> {
  if (args.includes('--cold')) return benchColdStart();
  await benchMip(Number(flag(args, 'rows') ?? 12), Number(flag(args, 'time-limit') ?? DEFAULT_MIP_TIME_LIMIT_SECONDS), flag(args, 'layers'));
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
