import type { CostMetrics } from '../common/evaluator';
import type { SearchObjective } from '../common/objective';
import type { ConvLayer } from '../workload/layer';
import * as E from 'fp-ts/Either';
import { formatError, invalidInput, type VaesaError } from '../common/errors';
import { lowerNetwork, type Network } from '../workload/network';
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
 * Normalises any `SearchTarget` to distinct weighted 2-D convolutions (problems lowered), or a `Left`
 * naming the bad part: a count that is not positive, no layer, a custom problem shape (no lowering).
 */
export function searchTarget(target: SearchTarget): E.Either<VaesaError, WeightedLayer[]> {
  const given: Pick<Network, 'layers'> = isLayerList(target)
    ? { layers: target.map((layer) => ({ layer, count: 1 })) }
    : 'layers' in target
      ? target
      : { layers: [{ layer: target, count: 1 }] };
  const bad = given.layers.findIndex((e) => !(e.count > 0));
  if (bad >= 0) return E.left(invalidInput(`target.layers[${bad}].count`, given.layers[bad].count, 'must be positive'));
  const merged = lowerNetwork({ name: 'target', layers: given.layers });
  if (E.isLeft(merged)) return merged;
  if (merged.right.layers.length === 0) return E.left(invalidInput('target', target, 'holds no layer'));
  return E.right(merged.right.layers.map((e) => ({ layer: e.layer, count: e.count })));
}

/** `searchTarget` for a target already checked (or of our own making): a `Left` throws its message. */
export function weightedLayers(target: SearchTarget): WeightedLayer[] {
  const layers = searchTarget(target);
  if (E.isLeft(layers)) throw new RangeError(`search target: ${formatError(layers.left)}`);
  return layers.right;
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

/**
 * Weights (a, b) so that the log objective is a·log cycles + b·log energy; for `'edap'` and a custom
 * objective, those of EDP (the predictors know cycles and energy only).
 */
export function logObjectiveWeights(objective: SearchObjective): { readonly cycles: number; readonly energy: number } {
  if (typeof objective === 'function') return { cycles: 1, energy: 1 };
  switch (objective) {
    case 'edp':
    case 'edap':
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
