import * as E from 'fp-ts/Either';
import { formatError, invalidInput, type VaesaError } from '../common/errors';
import type { ArchCost } from '../costmodel/arch-evaluator';
import type { CostBreakdown } from '../costmodel/cost';
import type { Mapping } from '../costmodel/mapping';
import type { ArchSpec, Mapping as ArchMapping } from '../costmodel/spec';
import type { ArchConfig } from '../hardware/arch';
import type { ConvLayer } from '../workload/layer';
import { isProblem, layerProblem, lowerToConvLayers, type Layer } from '../workload/lower';
import { lowerNetworkOrThrow, type Network } from '../workload/network';
import { findArchMapping, findSimbaMapping, isArchSpec, type ArchMappingOptions, type FindMappingOptions } from './find-mapping';
import type { GenericFoundMapping } from './generic/find-mapping';

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

/** One layer on any `ArchSpec` with the generic mapper's best mapping: Timeloop's cycles, energy (pJ), area (mm²), EDP and breakdown. */
export interface ArchLayerCost {
  readonly cycles: number;
  readonly energy: number;
  readonly area: number;
  readonly edp: number;
  readonly mapping: ArchMapping;
  readonly breakdown: ArchCost['breakdown'];
}

/** A network on an `ArchSpec`: totals over its layers with their counts applied, and each distinct layer's cost. */
export interface ArchNetworkCost {
  readonly name: string;
  readonly cycles: number;
  readonly energy: number;
  readonly area: number;
  readonly edp: number;
  readonly layers: readonly { readonly layer: Layer; readonly count: number; readonly cost: ArchLayerCost }[];
}

function simbaLayerCost(arch: ArchConfig, layer: ConvLayer, options: EvaluateLayerOptions): LayerCost {
  const { mapping, cost } = findSimbaMapping(arch, layer, options);
  return { cycles: cost.cycles, energy: cost.energy, area: cost.area, edp: cost.edp, mapping, breakdown: cost.breakdown };
}

function archLayerCost(arch: ArchSpec, layer: Layer, options: ArchMappingOptions): E.Either<VaesaError, ArchLayerCost> {
  return E.map(({ mapping, cost }: GenericFoundMapping): ArchLayerCost => ({ cycles: cost.cycles, energy: cost.energy, area: cost.area, edp: cost.edp, mapping, breakdown: cost.breakdown }))(
    findArchMapping(arch, layerProblem(layer), options),
  );
}

/**
 * Cost of `layer` on `arch` with the mapper's best mapping for the objective (default EDP). Pass
 * `options.cache` (`createMappingCache()`, or `createGenericCache()` on an `ArchSpec`) when evaluating many
 * archs or layers.
 * - Simba (`ArchConfig`): the tuned search (or `options.mapper`), setup `'pat'` by default; a `Problem` that
 *   is not a plain convolution is lowered (`lowerToConvLayers`: a GEMM as a 1x1 convolution, groups or
 *   batches as copies) and its copies' costs summed (the mapping and breakdown are those of the first
 *   lowered convolution). Throws a RangeError for an invalid arch or layer.
 * - Any `ArchSpec`: the generic search over its mapspace (`options.constraints`), or with `mapper: 'mip'`
 *   CoSA's MIP (`findGenericMappingMip`); returns `Left` for invalid input and `Infeasible` when nothing fits.
 */
export function evaluateLayer(arch: ArchConfig, layer: Layer, options?: EvaluateLayerOptions): LayerCost;
export function evaluateLayer(arch: ArchSpec, layer: Layer, options?: ArchMappingOptions): E.Either<VaesaError, ArchLayerCost>;
export function evaluateLayer(arch: ArchConfig | ArchSpec, layer: Layer, options: EvaluateLayerOptions | ArchMappingOptions = {}): LayerCost | E.Either<VaesaError, ArchLayerCost> {
  if (isArchSpec(arch)) return archLayerCost(arch, layer, options as ArchMappingOptions);
  if (!isProblem(layer)) return simbaLayerCost(arch, layer, options as EvaluateLayerOptions);
  const lowered = lowerToConvLayers(layer);
  if (E.isLeft(lowered)) throw new RangeError(`evaluateLayer: ${formatError(lowered.left)}`);
  const parts = lowered.right.map(({ layer: conv, count }) => ({ count, cost: simbaLayerCost(arch, conv, options as EvaluateLayerOptions) }));
  const cycles = parts.reduce((sum, p) => sum + p.count * p.cost.cycles, 0);
  const energy = parts.reduce((sum, p) => sum + p.count * p.cost.energy, 0);
  const first = parts[0].cost;
  return { cycles, energy, area: first.area, edp: cycles * energy, mapping: first.mapping, breakdown: first.breakdown };
}

/**
 * Cost of every layer of `network` on `arch` (each mapped on its own), with totals weighted by the layer
 * counts. On Simba, layers that are not 2-D convolutions are lowered first (`lowerNetwork`), so `layers`
 * lists the convolutions costed, and a custom problem shape throws a RangeError. On an `ArchSpec` every
 * layer is mapped as it is, and the first layer that fails comes back as `Left`.
 */
export function evaluateNetwork(arch: ArchConfig, network: Network, options?: EvaluateLayerOptions): NetworkCost;
export function evaluateNetwork(arch: ArchSpec, network: Network, options?: ArchMappingOptions): E.Either<VaesaError, ArchNetworkCost>;
export function evaluateNetwork(arch: ArchConfig | ArchSpec, network: Network, options: EvaluateLayerOptions | ArchMappingOptions = {}): NetworkCost | E.Either<VaesaError, ArchNetworkCost> {
  const badCount = network.layers.findIndex(({ count }) => !(Number.isInteger(count) && count >= 1));
  if (badCount >= 0) {
    const problem = invalidInput(`network.layers[${badCount}].count`, network.layers[badCount].count, 'must be a positive integer (how many times the layer runs)');
    if (isArchSpec(arch)) return E.left(problem);
    throw new RangeError(`evaluateNetwork: ${formatError(problem)}`);
  }
  if (isArchSpec(arch)) {
    const layers: { layer: Layer; count: number; cost: ArchLayerCost }[] = [];
    for (const { layer, count } of network.layers) {
      const cost = archLayerCost(arch, layer, options as ArchMappingOptions);
      if (E.isLeft(cost)) return cost;
      layers.push({ layer, count, cost: cost.right });
    }
    return E.right({ name: network.name, ...totals(layers), layers });
  }
  const layers = lowerNetworkOrThrow(network).layers.map(({ layer, count }) => ({ layer, count, cost: simbaLayerCost(arch, layer, options as EvaluateLayerOptions) }));
  return { name: network.name, ...totals(layers), layers };
}

function totals(layers: readonly { readonly count: number; readonly cost: { readonly cycles: number; readonly energy: number; readonly area: number } }[]): { cycles: number; energy: number; area: number; edp: number } {
  let cycles = 0;
  let energy = 0;
  for (const { count, cost } of layers) {
    cycles += count * cost.cycles;
    energy += count * cost.energy;
  }
  const area = layers.length > 0 ? layers[0].cost.area : 0;
  return { cycles, energy, area, edp: cycles * energy };
}
