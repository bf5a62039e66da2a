import * as E from 'fp-ts/Either';
import type { VaesaError } from '../../common/errors';
import type { ArchConfig } from '../../hardware/arch';
import type { ConvLayer } from '../../workload/layer';
import { buildArchTemplate } from '../../costmodel/arch-template';
import type { CostModelName } from '../../costmodel/cost';
import type { Mapping } from '../../costmodel/mapping';
import type { MapperFunction } from '../mapper';
import { buildCosaProblem, type CosaFormulationOptions, type CosaProblem, type FactorPlacement, type MipArch } from './formulation';
import { decodePlacement, placementObjective, placementToMapping, placementViolations } from './placement';
import { solveProgram, type MipSolver } from './solver';

/** Why the MIP mapper returned no mapping: a `VaesaError` (so `formatError` prints it as one line). */
export type MipFailure = Extract<VaesaError, { readonly _tag: 'Infeasible' | 'InvalidInput' | 'Timeout' | 'SolverError' }>;

export interface MipMapperOptions extends CosaFormulationOptions {
  /** Energy setup of the template (`'pat'` default); the formulation only reads capacities and fan-outs. */
  readonly model?: CostModelName;
  /** HiGHS wall-clock limit per layer, seconds (default 1.5). A feasible mapping found by then is returned with `optimal: false`. */
  readonly timeLimitSeconds?: number;
  /** Relative optimality gap at which HiGHS stops (default 1e-4, Gurobi's default, which CoSA used). */
  readonly relativeGap?: number;
}

/**
 * 1.5 s, so that with model building and HiGHS's overrun a layer takes at most about 1.6 s (target 2 s,
 * CoSA with Gurobi about 1 s); `bench/mip.ts` finds a handful of the 540 measured (layer, arch) pairs above 1 s.
 */
export const DEFAULT_MIP_TIME_LIMIT_SECONDS = 1.5;

/** The MIP mapper's answer for one layer. */
export interface MipMapping {
  readonly mapping: Mapping;
  /** The solution in the formulation's terms (factor counts per site, the GlobalBuffer's loop order). */
  readonly placement: FactorPlacement;
  /** The formulation's objective at this solution (CoSA's weighted log-domain score; lower is better). */
  readonly objective: number;
  /** Whether HiGHS proved optimality within the gap (false: stopped by the time limit with a feasible solution). */
  readonly optimal: boolean;
  /** Time spent in HiGHS, seconds. */
  readonly solveSeconds: number;
}

/** Solves CoSA's formulation for a prepared problem (see `buildCosaProblem`) and converts the solution. */
export function solveCosaProblem(
  solver: MipSolver,
  problem: CosaProblem,
  options: Pick<MipMapperOptions, 'timeLimitSeconds' | 'relativeGap'> = {},
): E.Either<MipFailure, MipMapping> {
  const timeLimitSeconds = options.timeLimitSeconds ?? DEFAULT_MIP_TIME_LIMIT_SECONDS;
  const outcome = solveProgram(solver, problem.program, { timeLimitSeconds, relativeGap: options.relativeGap });
  switch (outcome._tag) {
    case 'SolverError':
      return E.left(outcome);
    case 'Infeasible':
      return E.left({ _tag: 'Infeasible', message: 'no mapping of this layer fits the buffers and fan-outs of this arch' });
    case 'Timeout':
      return E.left({ _tag: 'Timeout', message: `HiGHS found no feasible mapping within ${timeLimitSeconds} s`, seconds: outcome.seconds });
    case 'Solved': {
      const placement = decodePlacement(problem, outcome.values);
      const broken = placementViolations(problem, placement);
      if (broken.length > 0) return E.left({ _tag: 'SolverError', message: `HiGHS returned a solution that breaks ${broken.join(', ')}` });
      return E.right({
        mapping: placementToMapping(problem, placement),
        placement,
        objective: placementObjective(problem, placement),
        optimal: outcome.optimal,
        solveSeconds: outcome.seconds,
      });
    }
  }
}

/**
 * CoSA's MIP mapper on HiGHS: the mapping of `layer` on `arch` that minimises CoSA's objective
 * (see `docs/mip-mapper.md`). Needs a solver from `await loadMipSolver()`; synchronous after that.
 * Returns a typed failure, never throws, when no mapping fits (`Infeasible`), when HiGHS finds none in
 * time (`Timeout`), or when the arch cannot form the template (`InvalidInput`).
 */
export function findMappingMip(solver: MipSolver, arch: ArchConfig, layer: ConvLayer, options: MipMapperOptions = {}): E.Either<MipFailure, MipMapping> {
  let template: MipArch;
  try {
    template = buildArchTemplate(arch, { model: options.model });
  } catch (e) {
    return E.left({ _tag: 'InvalidInput', path: 'arch', value: arch, message: e instanceof Error ? e.message : String(e) });
  }
  return solveCosaProblem(solver, buildCosaProblem(template, layer, { weights: options.weights }), options);
}

/**
 * The MIP mapper as a `MapperFunction` for `findMapping` / `evaluateLayer` / `evaluateNetwork`
 * (`{ mapper: mipMapper(solver) }`): proposes the MIP's mapping,
 * which they cost exactly. CoSA's objective is fixed, so the caller's `objective` only affects the
 * choice between this proposal and their DRAM-only fallback. When the MIP fails (infeasible, timeout)
 * it proposes nothing; use `findMappingMip` to see why.
 */
export function mipMapper(solver: MipSolver, options: Omit<MipMapperOptions, 'model'> = {}): MapperFunction {
  return (arch, layer, { model }) => {
    const result = findMappingMip(solver, arch, layer, { ...options, model });
    return E.isRight(result) ? [result.right.mapping] : [];
  };
}
