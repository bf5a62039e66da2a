/**
 * Replays Timeloop's generic-family runs through our parsers and evaluator (shared by the test and the
 * bench): arch_yaml (+ ERT), problem_yaml and map_yaml in, `ArchCost` out, next to Timeloop's numbers.
 */
import * as E from 'fp-ts/Either';
import { formatError } from '../../src/common/errors';
import { ArchMappingEvaluator, type ArchCost } from '../../src/costmodel/arch-evaluator';
import { mappingFromTimeloop } from '../../src/costmodel/map-file';
import type { ArchSpec } from '../../src/costmodel/spec';
import { parseTimeloopArch } from '../../src/costmodel/timeloop-arch';
import type { Problem } from '../../src/workload/problem';
import { parseTimeloopProblem } from '../../src/workload/timeloop-problem';
import { loadGenericRuns, loadRejectedRuns, readGenericArchFile, type GenericFamily, type GenericRun, type GenericTensorStats } from './generic-runs';

function orThrow<T>(e: E.Either<import('../../src/common/errors').VaesaError, T>, what: string): T {
  if (E.isLeft(e)) throw new Error(`${what}: ${formatError(e.left)}`);
  return e.right;
}

/** Parses each distinct arch and problem text once, and keeps one evaluator per (arch, problem). */
export class ReplayCache {
  private readonly archs = new Map<string, ArchSpec>();
  private readonly problems = new Map<string, Problem>();
  private readonly evaluators = new Map<string, ArchMappingEvaluator>();

  arch(text: string, model: 'pat' | 'accelergy', variant: string): ArchSpec {
    const key = `${model}\n${variant}\n${text}`;
    let arch = this.archs.get(key);
    if (arch === undefined) {
      const options = model === 'pat' ? { energyModel: 'pat' as const } : { energyModel: 'accelergy' as const, ert: readGenericArchFile(`ert/${variant}.ERT_v2.yaml`) };
      arch = orThrow(parseTimeloopArch(text, options), `arch of ${variant}`);
      this.archs.set(key, arch);
    }
    return arch;
  }

  problem(text: string): Problem {
    let problem = this.problems.get(text);
    if (problem === undefined) {
      problem = orThrow(parseTimeloopProblem(text), 'problem');
      this.problems.set(text, problem);
    }
    return problem;
  }

  evaluator(arch: ArchSpec, archKey: string, problem: Problem, problemKey: string): ArchMappingEvaluator {
    const key = `${archKey}\n${problemKey}`;
    let ev = this.evaluators.get(key);
    if (ev === undefined) {
      ev = new ArchMappingEvaluator(arch, problem);
      this.evaluators.set(key, ev);
    }
    return ev;
  }
}

/** One accepted run replayed: our cost (undefined if we refused it, with the reason) and Timeloop's record. */
export interface Replayed {
  readonly run: GenericRun;
  readonly cost: ArchCost | undefined;
  readonly refusal: string | undefined;
}

export function replayAccepted(family: GenericFamily, model: 'pat' | 'accelergy', cache = new ReplayCache()): Replayed[] {
  return loadGenericRuns(family, model).map((run) => {
    const arch = cache.arch(run.arch_yaml, model, run.variant);
    const problem = cache.problem(run.problem.problem_yaml);
    const mapping = orThrow(mappingFromTimeloop(run.map_yaml, arch, problem), `map of run ${run.id}`);
    const ev = cache.evaluator(arch, `${model}${run.variant}${run.arch_yaml}`, problem, run.problem.problem_yaml);
    const refusal = ev.check(mapping);
    if (refusal !== undefined) return { run, cost: undefined, refusal: formatError(refusal) };
    ev.evaluate(mapping);
    return { run, cost: ev.cost(), refusal: undefined };
  });
}

/** Timeloop's refusals replayed: whether we refuse each too (with our reason) and Timeloop's reason. */
export function replayRejected(family: GenericFamily, cache = new ReplayCache()): { readonly refused: boolean; readonly ours: string | undefined; readonly theirs: string }[] {
  return loadRejectedRuns(family).map((run) => {
    const arch = cache.arch(readGenericArchFile(`${run.variant}.yaml`), 'pat', run.variant);
    const problemText = readGenericArchFile(`problems/${run.problem}.yaml`);
    const problem = cache.problem(problemText);
    const mapping = orThrow(mappingFromTimeloop(run.map_yaml, arch, problem), `rejected map of ${run.variant}`);
    const refusal = cache.evaluator(arch, `pat${run.variant}`, problem, problemText).check(mapping);
    return { refused: refusal !== undefined, ours: refusal === undefined ? undefined : formatError(refusal), theirs: run.reason };
  });
}

const STAT_FIELDS = [
  ['reads', 'reads'],
  ['updates', 'updates'],
  ['fills', 'fills'],
  ['utilizedCapacity', 'utilized_capacity'],
  ['utilizedInstances', 'utilized_instances'],
  ['utilizedClusters', 'utilized_clusters'],
] as const;

/** The first per level, per data space difference from Timeloop (counts exactly, energy to 1e-9 relative), or undefined. */
export function statsMismatch(r: Replayed): string | undefined {
  if (r.cost === undefined) return `refused: ${r.refusal}`;
  for (const level of r.cost.breakdown.levels) {
    const theirs = r.run.levels[level.name] as Record<string, GenericTensorStats> | undefined;
    if (theirs === undefined) return `level ${level.name} not in the record`;
    for (const [space, ours] of Object.entries(level.dataSpaces)) {
      const t = theirs[space];
      if (ours.keep !== (t.keep === 1)) return `${level.name}.${space}.keep ${ours.keep} vs ${t.keep}`;
      for (const [mine, timeloop] of STAT_FIELDS) if (ours[mine] !== t[timeloop]) return `${level.name}.${space}.${mine} ${ours[mine]} vs ${t[timeloop]}`;
      if (Math.abs(ours.energy - t.energy_total) > 1e-9 * Math.max(1, t.energy_total)) return `${level.name}.${space}.energy ${ours.energy} vs ${t.energy_total}`;
    }
  }
  return undefined;
}
