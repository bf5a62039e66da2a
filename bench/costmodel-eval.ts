/**
 * Cost-model bench: replays every reference Timeloop run of both setups (exactness) and measures
 * `MappingEvaluator.evaluate` and `evaluateMapping` throughput on those mappings (single thread).
 * Run: `npx tsx bench/costmodel-eval.ts [seconds per throughput run, default 3]` (also part of `npm run bench`).
 * Throughput is reported per CPU-second of this process (and per wall-second): on a shared machine the
 * CPU-time figure is the one that does not depend on other load.
 */
import { buildArchTemplate } from '../src/costmodel/arch-template';
import { TENSOR_NAMES, type CostModelName } from '../src/costmodel/cost';
import { evaluateMapping } from '../src/costmodel/evaluate';
import { EvaluatorWorkspace, MappingEvaluator } from '../src/costmodel/loop-analysis';
import { LEVEL_NAMES, packMapping, type PackedMapping } from '../src/costmodel/mapping';
import { loadReferenceRuns, type ReferenceRun } from '../test/costmodel/reference-runs';

interface Exactness {
  readonly runs: number;
  readonly cyclesEqual: number;
  readonly countsEqual: number;
  readonly energyMedian: number;
  readonly energyP95: number;
  readonly energyMax: number;
  readonly mismatches: readonly string[];
}

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

function exactness(setup: CostModelName, runs: readonly ReferenceRun[]): Exactness {
  let cyclesEqual = 0;
  let countsEqual = 0;
  const errors: number[] = [];
  const mismatches: string[] = [];
  for (const run of runs) {
    const cost = evaluateMapping(run.arch, run.layer, run.mapping, { model: setup });
    if (cost.cycles === run.cycles) cyclesEqual++;
    else mismatches.push(`run ${run.id}: cycles ${cost.cycles} vs ${run.cycles}`);
    errors.push(Math.abs(cost.energy / run.energy - 1));
    let equal = true;
    cost.breakdown.levels.forEach((level, l) => {
      for (const t of TENSOR_NAMES) {
        const ref = run.levels[LEVEL_NAMES[l]][t];
        const mine = level.tensors[t];
        if (ref.reads !== mine.reads || ref.updates !== mine.updates || ref.fills !== mine.fills || ref.utilized_capacity !== mine.utilizedCapacity) {
          equal = false;
          mismatches.push(`run ${run.id}: ${LEVEL_NAMES[l]}.${t} r/u/f ${mine.reads}/${mine.updates}/${mine.fills} vs ${ref.reads}/${ref.updates}/${ref.fills}`);
        }
      }
    });
    if (equal) countsEqual++;
  }
  errors.sort((a, b) => a - b);
  return {
    runs: runs.length,
    cyclesEqual,
    countsEqual,
    energyMedian: quantile(errors, 0.5),
    energyP95: quantile(errors, 0.95),
    energyMax: errors[errors.length - 1],
    mismatches,
  };
}

/**
 * Mappings per CPU-second and per wall-second of `evaluate` over the runs' mappings, one evaluator per
 * (arch, layer). `repeats` = how many times each group's mappings are cycled before the next group:
 * 1 walks all groups in turn (cold caches), larger values model a mapper scoring many candidates of one
 * (arch, layer) back to back. `shareWorkspace`: all evaluators share one `EvaluatorWorkspace` (else each
 * has its own).
 */
function throughput(setup: CostModelName, runs: readonly ReferenceRun[], seconds: number, repeats: number, shareWorkspace: boolean): { cpu: number; wall: number } {
  const shared = shareWorkspace ? new EvaluatorWorkspace() : undefined;
  const groups = new Map<string, { evaluator: MappingEvaluator; mappings: PackedMapping[] }>();
  for (const run of runs) {
    const key = JSON.stringify([run.arch, run.layer]);
    let g = groups.get(key);
    if (g === undefined) {
      g = { evaluator: new MappingEvaluator(buildArchTemplate(run.arch, { model: setup }), run.layer, shared), mappings: [] };
      groups.set(key, g);
    }
    g.mappings.push(packMapping(run.mapping));
  }
  const list = [...groups.values()];
  const perPass = repeats * list.reduce((n, g) => n + g.mappings.length, 0);
  return timedRate(seconds, perPass, () => {
    let sink = 0;
    for (const g of list) for (let r = 0; r < repeats; r++) for (const m of g.mappings) sink += g.evaluator.evaluate(m);
    return sink;
  });
}

/**
 * Runs `pass` (which does `perPass` evaluations and returns the sum of their EDPs) until `seconds` have
 * passed; evaluations per CPU-second of this process and per wall-second.
 */
function timedRate(seconds: number, perPass: number, pass: () => number): { cpu: number; wall: number } {
  let count = 0;
  let sink = 0;
  const cpuStart = process.cpuUsage();
  const start = process.hrtime.bigint();
  const budget = BigInt(Math.round(seconds * 1e9));
  while (process.hrtime.bigint() - start < budget) {
    sink += pass();
    count += perPass;
  }
  const elapsed = Number(process.hrtime.bigint() - start) / 1e9;
  const cpu = process.cpuUsage(cpuStart);
  if (!Number.isFinite(sink)) throw new Error('non-finite EDP in throughput run');
  return { cpu: count / ((cpu.user + cpu.system) / 1e6), wall: count / elapsed };
}

/** Calls per CPU-second of the public `evaluateMapping` (template, evaluator, check and full breakdown per call). */
function oneOffThroughput(setup: CostModelName, runs: readonly ReferenceRun[], seconds: number, workspace: EvaluatorWorkspace | undefined): number {
  const options = { model: setup, ...(workspace === undefined ? {} : { workspace }) };
  return timedRate(seconds, runs.length, () => {
    let sink = 0;
    for (const run of runs) sink += evaluateMapping(run.arch, run.layer, run.mapping, options).edp;
    return sink;
  }).cpu;
}

export async function main(args: readonly string[] = []): Promise<void> {
  const seconds = args.length > 0 ? Number(args[0]) : 3;
  const pct = (x: number, n: number): string => `${((100 * x) / n).toFixed(2)}%`;
  for (const setup of ['pat', 'accelergy'] as const) {
    const runs = loadReferenceRuns(setup);
    const e = exactness(setup, runs);
    console.log(
      `${setup}: ${e.runs} runs | cycles equal ${pct(e.cyclesEqual, e.runs)} | per-level reads/updates/fills/capacity equal ${pct(e.countsEqual, e.runs)} | ` +
        `energy rel. error median ${e.energyMedian.toExponential(2)}, p95 ${e.energyP95.toExponential(2)}, max ${e.energyMax.toExponential(2)}`,
    );
    for (const m of e.mismatches.slice(0, 10)) console.log(`  mismatch ${m}`);
    const fmt = (x: number): string => Math.round(x).toLocaleString('en-US');
    const modes = [
      ['all groups in turn, a workspace each', 1, false],
      ['all groups in turn, one shared workspace', 1, true],
      ['100 passes per (arch, layer), as a mapper does', 100, true],
    ] as const;
    for (const [label, repeats, shareWorkspace] of modes) {
      const speed = throughput(setup, runs, seconds, repeats, shareWorkspace);
      console.log(`${setup}: MappingEvaluator.evaluate, ${label}: ${fmt(speed.cpu)} mappings per CPU-second (${fmt(speed.wall)} per wall-second), single thread`);
    }
    for (const [label, workspace] of [['a new workspace per call', undefined], ['options.workspace reused', new EvaluatorWorkspace()]] as const) {
      console.log(`${setup}: evaluateMapping (one call per mapping, full breakdown), ${label}: ${fmt(oneOffThroughput(setup, runs, seconds, workspace))} calls per CPU-second`);
    }
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
