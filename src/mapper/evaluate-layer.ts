import type { ArchConfig } from '../hardware/arch';
import type { ConvLayer } from '../workload/layer';
import { lowerNetworkOrThrow, type Network } from '../workload/network';
import type { CostBreakdown } from '../costmodel/cost';
import type { Mapping } from '../costmodel/mapping';
import { findMapping, type FindMappingOptions } from './find-mapping';

/** Options of `evaluateLayer` / `evaluateNetwork`: setup, objective, mapper, seed and a shared cache. */
export type EvaluateLayerOptions = FindMappingOptions;

/** One layer on one arch with the mapper's best mapping: Timeloop's cycles and energy (pJ), area (mm²), EDP (pJ x cycles). */
export interface LayerCost {
  readonly cycles: number;
  readonly energy: number;
  readonly area: number;
  readonly edp: number;
  readonly mapping: Mapping;
  readonly breakdown: CostBreakdown;
}

/** A network on one arch: totals over its layers with their counts applied, and each distinct layer's cost. */
export interface NetworkCost {
  readonly name: string;
  /** Sum of count x layer cycles. */
  readonly cycles: number;
  /** Sum of count x layer energy (pJ). */
  readonly energy: number;
  /** The arch's area (mm²). */
  readonly area: number;
  /** Total energy x total cycles. */
  readonly edp: number;
  readonly layers: readonly { readonly layer: ConvLayer; readonly count: number; readonly cost: LayerCost }[];
}

/**
 * Cost of `layer` on `arch`: the mapper finds the best mapping for the objective (default EDP, setup
 * `'pat'`, mapper `'search'`), costed exactly. Pass `options.cache` (`createMappingCache()`) when
 * evaluating many archs or layers. Throws a RangeError for an invalid arch or layer.
 */
export function evaluateLayer(arch: ArchConfig, layer: ConvLayer, options: EvaluateLayerOptions = {}): LayerCost {
  const { mapping, cost } = findMapping(arch, layer, options);
  return { cycles: cost.cycles, energy: cost.energy, area: cost.area, edp: cost.edp, mapping, breakdown: cost.breakdown };
}

/**
 * Cost of every layer of `network` on `arch` (each mapped on its own), with totals weighted by the layer
 * counts. Layers that are not 2-D convolutions are lowered first (`lowerNetwork`: a GEMM as a 1x1
 * convolution, G groups or B batches as G or B copies), so `layers` lists the convolutions costed.
 * Throws a RangeError for a custom problem shape, which has no lowering.
 */
export function evaluateNetwork(arch: ArchConfig, network: Network, options: EvaluateLayerOptions = {}): NetworkCost {
  const layers = lowerNetworkOrThrow(network).layers.map(({ layer, count }) => ({ layer, count, cost: evaluateLayer(arch, layer, options) }));
  let cycles = 0;
  let energy = 0;
  for (const { count, cost } of layers) {
    cycles += count * cost.cycles;
    energy += count * cost.energy;
  }
  const area = layers.length > 0 ? layers[0].cost.area : 0;
  return { name: network.name, cycles, energy, area, edp: cycles * energy, layers };
}
