import * as E from 'fp-ts/Either';
import { decodeWith, invalidInput, type VaesaError } from '../common/errors';
import type { ArchCost } from '../costmodel/arch-evaluator';
import type { CostBreakdown } from '../costmodel/cost';
import type { Mapping } from '../costmodel/mapping';
import type { ArchSpec, Mapping as ArchMapping } from '../costmodel/spec';
import type { ArchConfig } from '../hardware/arch';
import type { ConvLayer } from '../workload/layer';
import { isProblem, layerProblem, lowerToConvLayers, type Layer } from '../workload/lower';
import { lowerNetwork, type Network } from '../workload/network';
import { checkSimbaArch, findArchMapping, isArchSpec, mapSimbaLayer, resolveMappingOptions, type ArchMappingOptions, type FindMappingOptions, type FoundMapping, type ResolvedMappingOptions } from './find-mapping';
import { ConvLayerCodec } from '../workload/layer';
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

function simbaLayerCost(arch: ArchConfig, layer: ConvLayer, options: ResolvedMappingOptions): E.Either<VaesaError, LayerCost> {
  return E.map(({ mapping, cost }: FoundMapping): LayerCost => ({ cycles: cost.cycles, energy: cost.energy, area: cost.area, edp: cost.edp, mapping, breakdown: cost.breakdown }))(
    mapSimbaLayer(arch, layer, options),
  );
}

function archLayerCost(arch: ArchSpec, layer: Layer, options: ArchMappingOptions): E.Either<VaesaError, ArchLayerCost> {
  return E.map(({ mapping, cost }: GenericFoundMapping): ArchLayerCost => ({ cycles: cost.cycles, energy: cost.energy, area: cost.area, edp: cost.edp, mapping, breakdown: cost.breakdown }))(
    findArchMapping(arch, layerProblem(layer), options),
  );
}

/** The arch and options of a Simba query, checked: the arch on Simba's grid, every option known. */
function checkSimbaQuery(arch: ArchConfig, options: EvaluateLayerOptions): E.Either<VaesaError, ResolvedMappingOptions> {
  const checkedArch = checkSimbaArch(arch);
  return E.isLeft(checkedArch) ? checkedArch : resolveMappingOptions(options);
}

/** The convolutions a layer lowers to on Simba, each checked. */
function simbaConvolutions(layer: Layer, root: string): E.Either<VaesaError, readonly { readonly layer: ConvLayer; readonly count: number }[]> {
  if (!isProblem(layer)) return E.map((conv: ConvLayer) => [{ layer: conv, count: 1 }])(decodeWith(ConvLayerCodec, layer, root));
  return lowerToConvLayers(layer);
}

/**
 * Cost of `layer` on `arch` with the mapper's best mapping for the objective (default EDP), or a `Left`
 * naming the bad field and value. Pass `options.cache` (`createMappingCache()`, or `createGenericCache()`
 * on an `ArchSpec`) when evaluating many archs or layers.
 * - Simba (`ArchConfig`): the arch must be a design of `simbaSpace` (on its grid: `macs` a multiple of
 *   128 up to 4096, `meshX` a power of two up to 64...); the tuned search (or `options.mapper`), setup
 *   `'pat'` by default; a `Problem` that is not a plain convolution is lowered (`lowerToConvLayers`: a
 *   GEMM as a 1x1 convolution, groups or batches as copies) and its copies' costs summed (the mapping and
 *   breakdown are those of the first lowered convolution).
 * - Any `ArchSpec`: the generic search over its mapspace (`options.constraints`), or with `mapper: 'mip'`
 *   CoSA's MIP (`findGenericMappingMip`).
 * Either way `Infeasible` when nothing fits.
 *
 * @example
 * ```ts
 * import { evaluateLayer, simbaDefaultArch, convLayer, formatError } from 'vaesa';
 * const cost = evaluateLayer(simbaDefaultArch, convLayer({ R: 3, S: 3, P: 56, Q: 56, C: 64, K: 64, N: 1 }));
 * if (cost._tag === 'Left') throw new Error(formatError(cost.left));
 * console.log(cost.right.cycles, cost.right.energy, cost.right.area); // cycles, pJ, mm²
 * ```
 */
export function evaluateLayer(arch: ArchConfig, layer: Layer, options?: EvaluateLayerOptions): E.Either<VaesaError, LayerCost>;
export function evaluateLayer(arch: ArchSpec, layer: Layer, options?: ArchMappingOptions): E.Either<VaesaError, ArchLayerCost>;
export function evaluateLayer(arch: ArchConfig | ArchSpec, layer: Layer, options: EvaluateLayerOptions | ArchMappingOptions = {}): E.Either<VaesaError, LayerCost | ArchLayerCost> {
  if (isArchSpec(arch)) return archLayerCost(arch, layer, options as ArchMappingOptions);
  const resolved = checkSimbaQuery(arch, options as EvaluateLayerOptions);
  if (E.isLeft(resolved)) return resolved;
  const lowered = simbaConvolutions(layer, 'layer');
  if (E.isLeft(lowered)) return lowered;
  const parts: { count: number; cost: LayerCost }[] = [];
  for (const { layer: conv, count } of lowered.right) {
    const cost = simbaLayerCost(arch, conv, resolved.right);
    if (E.isLeft(cost)) return cost;
    parts.push({ count, cost: cost.right });
  }
  if (parts.length === 1 && parts[0].count === 1) return E.right(parts[0].cost);
  const cycles = parts.reduce((sum, p) => sum + p.count * p.cost.cycles, 0);
  const energy = parts.reduce((sum, p) => sum + p.count * p.cost.energy, 0);
  const first = parts[0].cost;
  return E.right({ cycles, energy, area: first.area, edp: cycles * energy, mapping: first.mapping, breakdown: first.breakdown });
}

/**
 * Cost of every layer of `network` on `arch` (each mapped on its own), with totals weighted by the layer
 * counts, or the first problem as a `Left` (a count that is not a positive integer, an arch off Simba's
 * grid, an unknown option, a layer that fails). On Simba, layers that are not 2-D convolutions are lowered
 * first (`lowerNetwork`), so `layers` lists the convolutions costed. On an `ArchSpec` every layer is
 * mapped as it is.
 *
 * @example
 * ```ts
 * import { evaluateNetwork, simbaDefaultArch, networks, formatError } from 'vaesa';
 * const cost = evaluateNetwork(simbaDefaultArch, networks.resnet50);
 * if (cost._tag === 'Left') throw new Error(formatError(cost.left));
 * console.log(cost.right.edp, cost.right.layers.length);
 * ```
 */
export function evaluateNetwork(arch: ArchConfig, network: Network, options?: EvaluateLayerOptions): E.Either<VaesaError, NetworkCost>;
export function evaluateNetwork(arch: ArchSpec, network: Network, options?: ArchMappingOptions): E.Either<VaesaError, ArchNetworkCost>;
export function evaluateNetwork(arch: ArchConfig | ArchSpec, network: Network, options: EvaluateLayerOptions | ArchMappingOptions = {}): E.Either<VaesaError, NetworkCost | ArchNetworkCost> {
  const badCount = network.layers.findIndex(({ count }) => !(Number.isInteger(count) && count >= 1));
  if (badCount >= 0) return E.left(invalidInput(`network.layers[${badCount}].count`, network.layers[badCount].count, 'must be a positive integer (how many times the layer runs)'));
  if (isArchSpec(arch)) {
    const layers: { layer: Layer; count: number; cost: ArchLayerCost }[] = [];
    for (const { layer, count } of network.layers) {
      const cost = archLayerCost(arch, layer, options as ArchMappingOptions);
      if (E.isLeft(cost)) return cost;
      layers.push({ layer, count, cost: cost.right });
    }
    return E.right({ name: network.name, ...totals(layers), layers });
  }
  const resolved = checkSimbaQuery(arch, options as EvaluateLayerOptions);
  if (E.isLeft(resolved)) return resolved;
  const lowered = lowerNetwork(network);
  if (E.isLeft(lowered)) return lowered;
  const layers: { layer: ConvLayer; count: number; cost: LayerCost }[] = [];
  for (const { layer, count } of lowered.right.layers) {
    const cost = simbaLayerCost(arch, layer, resolved.right);
    if (E.isLeft(cost)) return cost;
    layers.push({ layer, count, cost: cost.right });
  }
  return E.right({ name: network.name, ...totals(layers), layers });
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
