/**
 * Solutions of the CoSA formulation as plain values: decoding a solver's column values, checking and
 * scoring a placement directly (without the program, so tests can compare the solver's optimum with an
 * exhaustive search), and converting a placement into a `Mapping`.
 */
import { LAYER_DIMS, type Dim } from '../../workload/layer';
import { TENSOR_NAMES } from '../../costmodel/cost';
import { NUM_LEVELS, type DimFactors, type LevelMapping, type Mapping } from '../../costmodel/mapping';
import {
  capacityLimits,
  dataSizeFactor,
  dramTrafficFactor,
  growsTile,
  haloScale,
  INDEXES,
  INNER_TRAFFIC_FACTOR,
  INPUTS,
  keptTensors,
  REUSE_PATTERNS,
  exactWindow,
  windowAxes,
  windowExtentLog,
  utilizationFactor,
  type CosaProblem,
  type FactorPlacement,
} from './formulation';

/** Reads a placement from the program's column values (integers are rounded). */
export function decodePlacement(problem: CosaProblem, values: ArrayLike<number>): FactorPlacement {
  const at = (col: number): number => (col < 0 ? 0 : Math.round(values[col]));
  const pattern = Math.max(0, problem.patternColumns.findIndex((col) => at(col) === 1));
  return {
    counts: problem.countColumns.map((row) => row.map(at)),
    order: REUSE_PATTERNS[pattern].order,
  };
}

/** Per group, the factor count at or below `level`. */
function countsUpTo(problem: CosaProblem, placement: FactorPlacement, level: number): number[] {
  return problem.groups.map((_, gi) => {
    let n = 0;
    problem.sites.forEach((site, si) => {
      if (site.level <= level) n += placement.counts[gi][si];
    });
    return n;
  });
}

/**
 * log2 of the tile of `tensor` (index into `TENSOR_NAMES`) one instance of `level` holds under the
 * formulation's model: the product of the factors at or below it; for inputs also R and S factors and the
 * halo bound's stride/dilation for each of P, Q, R, S with a factor inside.
 */
export function placementTileLog(problem: CosaProblem, placement: FactorPlacement, level: number, tensor: number): number {
  const inside = countsUpTo(problem, placement, level);
  let total = 0;
  const dimHasFactor = new Array<boolean>(LAYER_DIMS.length).fill(false);
  problem.groups.forEach((g, gi) => {
    if (inside[gi] > 0) dimHasFactor[g.dim] = true;
    if (growsTile(g.dim, tensor)) total += inside[gi] * Math.log2(g.prime);
  });
  if (tensor === INPUTS) dimHasFactor.forEach((has, dim) => (total += has ? Math.log2(haloScale(problem.layer, dim)) : 0));
  return total;
}

/**
 * log2 of the tile of `tensor` that the formulation's capacity limits count: as `placementTileLog`, except
 * that inputs use the exact window extent on axes where `exactWindow` holds.
 */
export function placementCapacityTileLog(problem: CosaProblem, placement: FactorPlacement, level: number, tensor: number): number {
  if (tensor !== INPUTS) return placementTileLog(problem, placement, level, tensor);
  const inside = countsUpTo(problem, placement, level);
  const tile = new Array<number>(LAYER_DIMS.length).fill(1);
  problem.groups.forEach((g, gi) => (tile[g.dim] *= g.prime ** inside[gi]));
  let total = 0;
  LAYER_DIMS.forEach((_, dim) => {
    if (INDEXES[dim][INPUTS] && !windowAxes(problem.layer).some((a) => a.output === dim)) total += Math.log2(tile[dim]);
  });
  for (const axis of windowAxes(problem.layer)) {
    const p = tile[axis.output];
    const r = tile[axis.filter];
    if (exactWindow(problem.layer, axis)) {
      total += r > 1 ? windowExtentLog(p, r, axis) : Math.log2(p) + (p > 1 ? Math.log2(axis.stride) : 0);
    } else {
      total += Math.log2(p) + Math.log2(r) + (p > 1 ? Math.log2(axis.stride) : 0) + (r > 1 ? Math.log2(axis.dilation) : 0);
    }
  }
  return total;
}

/** The constraints a placement breaks, by name (empty when it is feasible for the formulation). */
export function placementViolations(problem: CosaProblem, placement: FactorPlacement): string[] {
  const { groups, sites, arch } = problem;
  const broken: string[] = [];
  groups.forEach((g, gi) => {
    const placed = placement.counts[gi].reduce((a, b) => a + b, 0);
    if (placed !== g.count || placement.counts[gi].some((n) => n < 0)) {
      broken.push(`place ${LAYER_DIMS[g.dim]}${g.prime}`);
    }
  });
  if (placement.order.length !== LAYER_DIMS.length || new Set(placement.order).size !== LAYER_DIMS.length || placement.order.some((d) => !(d >= 0 && d < LAYER_DIMS.length))) {
    broken.push('order');
  }
  sites.forEach((site, si) => {
    if (!site.spatial) return;
    const used = groups.reduce((prod, g, gi) => prod * g.prime ** placement.counts[gi][si], 1);
    if (used > arch.fanouts[site.level]) broken.push(`fanout ${arch.levels[site.level].name}`);
  });
  for (let level = 0; level < arch.levels.length; level++) {
    const entries = arch.levels[level].entries;
    const kept = keptTensors(arch, level);
    if (entries === undefined || kept.length === 0) continue;
    const tiles = kept.map((t) => placementCapacityTileLog(problem, placement, level, t));
    const fits = capacityLimits(entries, kept.length).every((limit) => limit.coefs.reduce((sum, coef, i) => sum + coef * tiles[i], 0) <= limit.bound + 1e-9);
    if (!fits) broken.push(`capacity ${arch.levels[level].name}`);
  }
  return broken;
}

/** The formulation's objective for a placement, computed directly from its definition (see `formulation.ts`). */
export function placementObjective(problem: CosaProblem, placement: FactorPlacement): number {
  const { groups, sites, arch, orderedLevel, weights } = problem;
  const lg = groups.map((g) => Math.log2(g.prime));
  let compute = 0;
  groups.forEach((_, gi) => {
    sites.forEach((site, si) => {
      if (!site.spatial) compute += placement.counts[gi][si] * lg[gi];
    });
  });

  let utilization = 0;
  for (let level = 0; level < orderedLevel; level++) {
    const factor = utilizationFactor(arch, level, orderedLevel);
    for (const t of keptTensors(arch, level)) utilization += factor * placementTileLog(problem, placement, level, t);
  }

  let traffic = 0;
  const orderedTemporal = sites.findIndex((site) => site.level === orderedLevel && !site.spatial);
  const orderedLoopLog = new Array<number>(LAYER_DIMS.length).fill(0);
  groups.forEach((g, gi) => (orderedLoopLog[g.dim] += placement.counts[gi][orderedTemporal] * lg[gi]));
  for (let t = 0; t < TENSOR_NAMES.length; t++) {
    groups.forEach((g, gi) => {
      sites.forEach((site, si) => {
        const n = placement.counts[gi][si] * lg[gi];
        if (site.level < orderedLevel && INDEXES[g.dim][t]) traffic += INNER_TRAFFIC_FACTOR * dataSizeFactor(site.level) * n;
        if (site.level === orderedLevel && site.spatial) traffic += INNER_TRAFFIC_FACTOR * n;
        if (site.level > orderedLevel && !site.spatial) traffic += dramTrafficFactor(t) * n;
      });
    });
    // Refetches at the ordered level: every loop from the innermost one over a dim of this tensor outwards.
    let refetched = false;
    for (const dim of placement.order) {
      refetched ||= INDEXES[dim][t];
      if (refetched) traffic += orderedLoopLog[dim];
    }
  }
  return weights.compute * compute + weights.utilization * utilization + weights.traffic * traffic;
}

/**
 * The mapping a placement describes. The ordered level's temporal loops follow `placement.order` (inner
 * to outer); every other level keeps CoSA's default order R,S,P,Q,C,K,N
 * (inner to outer), which the formulation does not optimise.
 */
export function placementToMapping(problem: CosaProblem, placement: FactorPlacement): Mapping {
  if (problem.arch.levels.length !== NUM_LEVELS) {
    throw new RangeError(`placementToMapping: the mapping has ${NUM_LEVELS} levels, the arch ${problem.arch.levels.length}`);
  }
  const temporal = Array.from({ length: NUM_LEVELS }, () => new Array<number>(LAYER_DIMS.length).fill(1));
  const spatial = Array.from({ length: NUM_LEVELS }, () => new Array<number>(LAYER_DIMS.length).fill(1));
  problem.groups.forEach((g, gi) => {
    problem.sites.forEach((site, si) => {
      const into = site.spatial ? spatial : temporal;
      into[site.level][g.dim] *= g.prime ** placement.counts[gi][si];
    });
  });
  const asFactors = (values: readonly number[]): DimFactors =>
    Object.fromEntries(LAYER_DIMS.map((d, i) => [d, values[i]])) as Record<Dim, number>;
  const orderedPermutation: Dim[] = placement.order.map((d) => LAYER_DIMS[d]);
  const levels: LevelMapping[] = temporal.map((t, level) => ({
    temporal: asFactors(t),
    permutation: level === problem.orderedLevel ? orderedPermutation : LAYER_DIMS,
    spatial: asFactors(spatial[level]),
    spatialPermutation: LAYER_DIMS,
  }));
  return { levels };
}
