/**
 * Generic cost-model bench: replays every Timeloop run of `shared/reference/timeloop-generic` (four
 * architecture families, pat and Accelergy energies, nine problems) through `parseTimeloopArch`,
 * `parseTimeloopProblem`, `mappingFromTimeloop` and the generic evaluator, and prints per family and
 * problem kind: cycles equal to Timeloop's, energy relative error (median / p95 / max, and how many are
 * bit-exact), per-level statistics equal, accepted/refused agreement with Timeloop's refusals, and the
 * evaluator's throughput (check + evaluate per mapping, one evaluator per (arch, problem), single thread).
 * Run: `npx tsx bench/costmodel-generic.ts [seconds per throughput run, default 3]` (also in `npm run bench`).
 */
import { evaluateArchMapping } from '../src/costmodel/arch-evaluator';
import { mappingFromTimeloop } from '../src/costmodel/map-file';
import type { Mapping } from '../src/costmodel/spec';
import { GENERIC_FAMILIES, loadGenericRuns } from '../test/costmodel/generic-runs';
import { ReplayCache, replayAccepted, replayRejected, statsMismatch, type Replayed } from '../test/costmodel/generic-replay';

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

function summary(label: string, runs: readonly Replayed[]): string {
  const errors = runs.map((r) => (r.cost === undefined ? Infinity : Math.abs(r.cost.energy / r.run.energy_pJ_sum - 1))).sort((a, b) => a - b);
  const cycles = runs.filter((r) => r.cost?.cycles === r.run.cycles).length;
  const exactEnergy = runs.filter((r) => r.cost?.energy === r.run.energy_pJ_sum).length;
  const stats = runs.filter((r) => statsMismatch(r) === undefined).length;
  const bound = runs.filter((r) => r.run.cycles > (r.cost?.breakdown.computeCycles ?? Infinity)).length;
  const pct = (x: number): string => `${((100 * x) / runs.length).toFixed(1)}%`;
  return (
    `${label.padEnd(34)} ${String(runs.length).padStart(4)} runs | cycles equal ${pct(cycles)} (bandwidth-bound ${bound}) | ` +
    `energy rel. error median ${quantile(errors, 0.5).toExponential(1)} p95 ${quantile(errors, 0.95).toExponential(1)} max ${errors[errors.length - 1].toExponential(1)}, bit-exact ${pct(exactEnergy)} | per-level stats equal ${pct(stats)}`
  );
}

/** check + evaluate per CPU-second over the family's mappings, `repeats` passes per (arch, problem) group. */
function throughput(family: (typeof GENERIC_FAMILIES)[number], seconds: number, cache: ReplayCache, repeats: number): number {
  const groups = new Map<string, { evaluator: ReturnType<ReplayCache['evaluator']>; mappings: Mapping[] }>();
  for (const run of loadGenericRuns(family, 'pat')) {
    const arch = cache.arch(run.arch_yaml, 'pat', run.variant);
    const problem = cache.problem(run.problem.problem_yaml);
    const key = `${run.variant}\n${run.problem.problem_yaml}`;
    let g = groups.get(key);
    if (g === undefined) {
      g = { evaluator: cache.evaluator(arch, `pat${run.variant}${run.arch_yaml}`, problem, run.problem.problem_yaml), mappings: [] };
      groups.set(key, g);
    }
    const m = mappingFromTimeloop(run.map_yaml, arch, problem);
    if (m._tag === 'Left') throw new Error(`run ${run.id}`);
    g.mappings.push(m.right);
  }
  const list = [...groups.values()];
  const perPass = repeats * list.reduce((n, g) => n + g.mappings.length, 0);
  let count = 0;
  let sink = 0;
  const cpuStart = process.cpuUsage();
  const start = process.hrtime.bigint();
  while (Number(process.hrtime.bigint() - start) / 1e9 < seconds) {
    for (const g of list) {
      for (let r = 0; r < repeats; r++) {
        for (const m of g.mappings) if (g.evaluator.check(m) === undefined) sink += g.evaluator.evaluate(m);
      }
    }
    count += perPass;
  }
  const cpu = process.cpuUsage(cpuStart);
  if (!Number.isFinite(sink)) throw new Error('non-finite EDP');
  return count / ((cpu.user + cpu.system) / 1e6);
}

/** One-off `evaluateArchMapping` calls (evaluator built per call, full `ArchCost`) per CPU-second. */
function oneOffThroughput(family: (typeof GENERIC_FAMILIES)[number], seconds: number, cache: ReplayCache): number {
  const cases = loadGenericRuns(family, 'pat').map((run) => {
    const arch = cache.arch(run.arch_yaml, 'pat', run.variant);
    const problem = cache.problem(run.problem.problem_yaml);
    const m = mappingFromTimeloop(run.map_yaml, arch, problem);
    if (m._tag === 'Left') throw new Error(`run ${run.id}`);
    return { arch, problem, mapping: m.right };
  });
  let count = 0;
  const cpuStart = process.cpuUsage();
  const start = process.hrtime.bigint();
  while (Number(process.hrtime.bigint() - start) / 1e9 < seconds) {
    for (const c of cases) if (evaluateArchMapping(c.arch, c.problem, c.mapping)._tag === 'Left') throw new Error('refused');
    count += cases.length;
  }
  const cpu = process.cpuUsage(cpuStart);
  return count / ((cpu.user + cpu.system) / 1e6);
}

export async function main(args: readonly string[] = []): Promise<void> {
  const seconds = args.length > 0 ? Number(args[0]) : 3;
  const cache = new ReplayCache();
  const fmt = (x: number): string => Math.round(x).toLocaleString('en-US');
  for (const family of GENERIC_FAMILIES) {
    console.log(`### ${family}`);
    for (const model of ['pat', 'accelergy'] as const) {
      const runs = replayAccepted(family, model, cache);
      console.log(summary(`${model}: all`, runs));
      const kinds = [...new Set(runs.map((r) => r.run.problem.kind))];
      for (const kind of kinds) console.log(summary(`${model}: ${kind}`, runs.filter((r) => r.run.problem.kind === kind)));
      const refused = runs.filter((r) => r.cost === undefined).length;
      if (refused > 0) console.log(`  ${refused} accepted runs refused by us`);
    }
    const rejected = replayRejected(family, cache);
    const agree = rejected.filter((r) => r.refused && r.ours !== undefined && r.ours.includes(`(${/couldn't map level (\w+)/.exec(r.theirs)?.[1]})`)).length;
    console.log(`Timeloop's refusals: ${rejected.filter((r) => r.refused).length}/${rejected.length} refused by us too, ${agree} naming the same level`);
    console.log(
      `throughput: check + evaluate ${fmt(throughput(family, seconds, cache, 100))} mappings per CPU-second (100 passes per (arch, problem)), ` +
        `${fmt(throughput(family, seconds, cache, 1))} (groups in turn); evaluateArchMapping one-off ${fmt(oneOffThroughput(family, seconds, cache))} calls per CPU-second`,
    );
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
