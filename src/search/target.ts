import type { CostMetrics } from '../common/evaluator';
import type { Objective } from '../common/objective';
import type { ConvLayer } from '../workload/layer';
import { lowerNetworkOrThrow, type Network } from '../workload/network';
import type { Layer } from '../workload/lower';

/**
 * What a search optimises for: one layer, several layers (each once), or a network with layer counts.
 * Layers of any problem shape are lowered to 2-D convolutions (`lowerNetwork`) for Simba's space.
 */
export type SearchTarget = Layer | readonly Layer[] | Pick<Network, 'layers'>;

/** A target as distinct layer shapes with occurrence counts (duplicates merged, first occurrence order). */
export interface WeightedLayer {
  readonly layer: ConvLayer;
  readonly count: number;
}

/**
 * Normalises any `SearchTarget` to distinct weighted 2-D convolutions (problems lowered). Throws when it
 * holds no layer or a custom problem shape (no lowering).
 */
export function weightedLayers(target: SearchTarget): WeightedLayer[] {
  const given: Pick<Network, 'layers'> = isLayerList(target)
    ? { layers: target.map((layer) => ({ layer, count: 1 })) }
    : 'layers' in target
      ? target
      : { layers: [{ layer: target, count: 1 }] };
  const bad = given.layers.find((e) => !(e.count > 0));
  if (bad !== undefined) throw new RangeError(`search target: layer count must be positive, got ${bad.count}`);
  const merged = lowerNetworkOrThrow({ name: 'search target', layers: given.layers }).layers;
  if (merged.length === 0) throw new RangeError('search target: no layers');
  return merged.map((e) => ({ layer: e.layer, count: e.count }));
}

function isLayerList(t: SearchTarget): t is readonly Layer[] {
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

/** Weights (a, b) so that the log objective is a·log cycles + b·log energy. */
export function logObjectiveWeights(objective: Objective): { readonly cycles: number; readonly energy: number } {
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
