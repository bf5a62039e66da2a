import type { CostMetrics } from '../common/evaluator';
import { layerName, type ConvLayer } from '../workload/layer';
import type { Network } from '../workload/network';

/** What a search optimises for: one layer, several layers (each once), or a network with layer counts. */
export type SearchTarget = ConvLayer | readonly ConvLayer[] | Pick<Network, 'layers'>;

/** The quantity minimised. For several layers, metrics are network totals (see `targetTotals`). */
export type SearchObjective = 'edp' | 'latency' | 'energy';

/** A target as distinct layer shapes with occurrence counts (duplicates merged, first occurrence order). */
export interface WeightedLayer {
  readonly layer: ConvLayer;
  readonly count: number;
}

/** Normalises any `SearchTarget` to distinct weighted layers. Throws when it holds no layer. */
export function weightedLayers(target: SearchTarget): WeightedLayer[] {
  const entries: readonly WeightedLayer[] = isLayerList(target)
    ? target.map((layer) => ({ layer, count: 1 }))
    : 'layers' in target
      ? target.layers
      : [{ layer: target, count: 1 }];
  const merged = new Map<string, { layer: ConvLayer; count: number }>();
  for (const e of entries) {
    if (!(e.count > 0)) throw new RangeError(`search target: layer count must be positive, got ${e.count}`);
    const key = layerName(e.layer);
    const existing = merged.get(key);
    if (existing === undefined) merged.set(key, { layer: e.layer, count: e.count });
    else existing.count += e.count;
  }
  if (merged.size === 0) throw new RangeError('search target: no layers');
  return [...merged.values()];
}

function isLayerList(t: SearchTarget): t is readonly ConvLayer[] {
  return Array.isArray(t);
}

/** Cycles and energy (pJ) of one design on the whole target, EDP = cycles x energy (cycles·pJ). */
export interface TargetMetrics {
  readonly cycles: number;
  readonly energy: number;
  readonly edp: number;
}

/**
 * Network totals: cycles = Σ count·cycles_l, energy = Σ count·energy_l (layers run one after another
 * on the same accelerator), and the EDP of the network is total cycles x total energy — not the sum of
 * per-layer EDPs.
 */
export function targetTotals(layers: readonly WeightedLayer[], perLayer: readonly CostMetrics[]): TargetMetrics {
  let cycles = 0;
  let energy = 0;
  layers.forEach((l, i) => {
    cycles += l.count * perLayer[i].cycles;
    energy += l.count * perLayer[i].energy;
  });
  return { cycles, energy, edp: cycles * energy };
}

/** The objective's value for given totals. */
export function objectiveValue(objective: SearchObjective, m: TargetMetrics): number {
  switch (objective) {
    case 'edp':
      return m.edp;
    case 'latency':
      return m.cycles;
    case 'energy':
      return m.energy;
  }
}

/** Weights (a, b) so that the log objective is a·log cycles + b·log energy. */
export function logObjectiveWeights(objective: SearchObjective): { readonly cycles: number; readonly energy: number } {
  switch (objective) {
    case 'edp':
      return { cycles: 1, energy: 1 };
    case 'latency':
      return { cycles: 1, energy: 0 };
    case 'energy':
      return { cycles: 0, energy: 1 };
  }
}

/** The non-dominated items by (cycles, energy), both minimised, sorted by cycles ascending. */
export function paretoFront<T extends { readonly cycles: number; readonly energy: number }>(items: readonly T[]): T[] {
  const sorted = items.slice().sort((a, b) => a.cycles - b.cycles || a.energy - b.energy);
  const front: T[] = [];
  let lowestEnergy = Number.POSITIVE_INFINITY;
  for (const item of sorted) {
    if (item.energy < lowestEnergy) {
      front.push(item);
      lowestEnergy = item.energy;
    }
  }
  return front;
}
