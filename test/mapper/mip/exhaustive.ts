/** Test utility: the exhaustive optimum of the CoSA formulation on tiny layers, by enumerating every placement. */
import type { CosaProblem, FactorPlacement } from '../../../src/mapper/mip/formulation';
import { placementObjective, placementViolations } from '../../../src/mapper/mip/placement';
import { LAYER_DIMS } from '../../../src/workload/layer';

/** A small arch whose buffers bind on tiny layers. */
export const tinyArch = { meshX: 2, macs: 256, accumulationBuffer: 2, weightBuffer: 4, inputBuffer: 6, globalBuffer: 12 };

/** Every placement of the layer's prime factors (each factor at any site), deduplicated, with every loop order at the ordered level. */
export function exhaustiveOptimum(problem: CosaProblem): number {
  const factors = problem.groups.flatMap((g, gi) => Array.from({ length: g.count }, () => gi));
  const numSites = problem.sites.length;
  const orderedTemporal = problem.sites.findIndex((s) => s.level === problem.orderedLevel && !s.spatial);
  const seen = new Set<string>();
  let best = Infinity;
  const total = numSites ** factors.length;
  for (let code = 0; code < total; code++) {
    const counts = problem.groups.map(() => new Array<number>(numSites).fill(0));
    let rest = code;
    for (const gi of factors) {
      counts[gi][rest % numSites]++;
      rest = Math.floor(rest / numSites);
    }
    const key = JSON.stringify(counts);
    if (seen.has(key)) continue;
    seen.add(key);
    const dimsAtOrdered = [...new Set(problem.groups.flatMap((g, gi) => (counts[gi][orderedTemporal] > 0 ? [g.dim] : [])))];
    const unit = LAYER_DIMS.map((_, d) => d).filter((d) => !dimsAtOrdered.includes(d));
    for (const order of permutations(dimsAtOrdered)) {
      const placement: FactorPlacement = { counts, order: [...order, ...unit] };
      if (placementViolations(problem, placement).length > 0) break; // the order never changes feasibility
      best = Math.min(best, placementObjective(problem, placement));
    }
  }
  return best;
}

function permutations(items: readonly number[]): number[][] {
  if (items.length <= 1) return [[...items]];
  return items.flatMap((first, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [first, ...rest]));
}

