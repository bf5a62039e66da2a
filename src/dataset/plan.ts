import { createRng } from '../common/rng';
import type { Design, DesignSpace, SimbaParam } from '../hardware/space';
import type { ConvLayer } from '../workload/layer';
import { distinctLayers, uniqueConvLayers, type Network } from '../workload/network';
import { sampleDesigns, type DesignSampler } from './sample';

/** What a dataset covers: designs drawn from a space, crossed with the layers of some networks and layer lists. */
export interface DatasetPlanOptions<P extends string = SimbaParam> {
  readonly space: DesignSpace<P>;
  /** Networks whose distinct layers are evaluated (lowered to 2-D convolutions, `lowerNetwork`; a custom problem shape throws a RangeError). */
  readonly networks?: readonly Network[];
  /** More layers (after the networks' layers; repeated shapes are evaluated once). */
  readonly layers?: readonly ConvLayer[];
  readonly sampler: DesignSampler;
  readonly seed: number;
}

/**
 * The rows of a dataset, without their metrics: row `i` is design `floor(i / layers.length)` on layer
 * `i % layers.length` (every design on every layer, design by design, as VAESA's data was made).
 */
export interface DatasetPlan<P extends string = SimbaParam> {
  readonly archs: readonly Design<P>[];
  readonly layers: readonly ConvLayer[];
  readonly total: number;
}

export function planDataset<P extends string>(options: DatasetPlanOptions<P>): DatasetPlan<P> {
  const layers = distinctLayers([...uniqueConvLayers(options.networks ?? []), ...(options.layers ?? [])]);
  if (layers.length === 0) throw new RangeError('planDataset: no layers (give networks or layers)');
  const archs = sampleDesigns(options.space, options.sampler, createRng(options.seed));
  return { archs, layers, total: archs.length * layers.length };
}

/** The design and layer of row `index`. */
export function planRow<P extends string>(plan: DatasetPlan<P>, index: number): { readonly arch: Design<P>; readonly layer: ConvLayer } {
  const L = plan.layers.length;
  return { arch: plan.archs[Math.floor(index / L)], layer: plan.layers[index % L] };
}

/** One of `count` parts of a run (0-based `index`), for batch systems that run the parts on several machines. */
export interface Shard {
  readonly index: number;
  readonly count: number;
}

/** The rows `[start, end)` of a shard: contiguous, so concatenating the shards in order gives the whole run. */
export function shardRange(total: number, shard?: Shard): { readonly start: number; readonly end: number } {
  if (shard === undefined) return { start: 0, end: total };
  if (!(Number.isInteger(shard.count) && shard.count >= 1 && Number.isInteger(shard.index) && shard.index >= 0 && shard.index < shard.count)) {
    throw new RangeError(`shardRange: need 0 <= index < count, got ${shard.index}/${shard.count}`);
  }
  return { start: Math.floor((shard.index * total) / shard.count), end: Math.floor(((shard.index + 1) * total) / shard.count) };
}
