import { formatError } from '../common/errors';
import type { ConvLayer } from './layer';
import { isProblem, layerProblem, lowerToConvLayers, type Layer } from './lower';
import { VAESA_LAYER_FIELDS } from './parse';
import { dataSpaceSizes, problemMacs, type DataSpace, type Problem } from './problem';

/**
 * Which layer vector the predictor heads read:
 * - `vaesa`: VAESA's nine convolution numbers `[R, S, P, Q, C, K, N, Wstride, Hstride]` (checkpoints of
 *   vaesa 0.1 and 0.2); a non-convolution problem is read as its lowered convolution;
 * - `problem`: `PROBLEM_FEATURE_NAMES`, the same fixed-width vector for every problem shape (see
 *   `problemFeatures`), so one model covers convolutions of all kinds, GEMMs and attention products.
 */
export type LayerFeatureSet = 'vaesa' | 'problem';

/**
 * The entries of `problemFeatures`, in order: the extent of each canonical loop role (groups, batch,
 * output spatial, filter window, reduction channels, output channels), the stride, the MACs, the words
 * of each operand (weights, inputs, outputs) and each operand's reuse (MACs per word).
 */
export const PROBLEM_FEATURE_NAMES = [
  'groups',
  'batch',
  'spatial',
  'window',
  'reduction',
  'outputChannels',
  'stride',
  'macs',
  'weights',
  'inputs',
  'outputs',
  'weightReuse',
  'inputReuse',
  'outputReuse',
] as const;

/** The names of a feature set's entries, in order (what checkpoints record as their layout). */
export function layerFeatureNames(set: LayerFeatureSet): readonly string[] {
  return set === 'vaesa' ? VAESA_LAYER_FIELDS : PROBLEM_FEATURE_NAMES;
}

/** The feature set whose names are `names`, or undefined for a layout this version does not know. */
export function layerFeatureSetOf(names: readonly string[]): LayerFeatureSet | undefined {
  return (['vaesa', 'problem'] as const).find((set) => layerFeatureNames(set).join() === names.join());
}

/** The raw (positive, unlogged) layer vector of a feature set. */
export function layerFeaturesOf(set: LayerFeatureSet, layer: Layer): number[] {
  if (set === 'problem') return problemFeatures(layer);
  if (!isProblem(layer)) return layerFeatures(layer);
  const lowered = lowerToConvLayers(layer);
  if (lowered._tag === 'Left') throw new RangeError(`VAESA's layer features: ${formatError(lowered.left)}`);
  return layerFeatures(lowered.right[0].layer);
}

/**
 * The role of a loop dimension, from the data spaces it indexes (any shape, custom ones included):
 * in all three operands `groups`; in inputs and outputs only `spatial` when it slides against a window
 * (its input rank has another term of extent > 1, or a coefficient > 1) and `batch` otherwise; in
 * weights and outputs only `outputChannels`; in weights and inputs only `window` when it is a sliding
 * window's term and `reduction` otherwise; elsewhere `reduction` (summed) or, in no operand, `batch`.
 */
type LoopRole = 'groups' | 'batch' | 'spatial' | 'window' | 'reduction' | 'outputChannels';

/** The weights, inputs and outputs of a problem: by Timeloop's names, else the read-write space and the others in order. */
function operands(problem: Problem): { weights?: DataSpace; inputs?: DataSpace; outputs: DataSpace } {
  const spaces = problem.shape.dataSpaces;
  const outputs = spaces.find((ds) => ds.readWrite)!;
  const others = spaces.filter((ds) => !ds.readWrite);
  const weights = others.find((ds) => ds.name === 'Weights') ?? others.find((ds) => ds.name !== 'Inputs');
  const inputs = others.find((ds) => ds.name === 'Inputs') ?? others.find((ds) => ds !== weights);
  return { weights, inputs, outputs };
}

function roleOf(problem: Problem, dim: string, ops: ReturnType<typeof operands>): LoopRole {
  const indexes = (ds: DataSpace | undefined): boolean => ds !== undefined && ds.projection.some((rank) => rank.some((t) => t.dim === dim));
  const w = indexes(ops.weights);
  const i = indexes(ops.inputs);
  const o = indexes(ops.outputs);
  const slidingRank = ops.inputs?.projection.find((rank) => rank.length > 1 && rank.some((t) => t.dim === dim));
  if (w && i && o) return 'groups';
  if (i && o && !w) {
    const slides =
      slidingRank !== undefined &&
      slidingRank.some((t) => (t.dim !== dim && problem.bounds[t.dim] > 1) || (t.dim === dim && t.coefficient !== undefined && problem.coefficients[t.coefficient] > 1));
    return slides ? 'spatial' : 'batch';
  }
  if (w && o && !i) return 'outputChannels';
  if (w && i && !o) return slidingRank !== undefined ? 'window' : 'reduction';
  return w || i ? 'reduction' : 'batch';
}

/**
 * A fixed-width vector (`PROBLEM_FEATURE_NAMES`) of any problem, computed from its projections alone:
 * each dimension's bound multiplies into its role's extent (see the roles above), the stride is the
 * product of the spatial dimensions' coefficients, and the operand sizes are the data spaces' words. So
 * a 1x1 convolution and the GEMM it equals, a grouped convolution and the batched GEMM it equals, and a
 * depthwise convolution and a grouped one of one channel per group, give the same vector. Every entry is
 * positive (the predictor reads their logs).
 */
export function problemFeatures(layer: Layer): number[] {
  const problem = layerProblem(layer);
  const ops = operands(problem);
  const extents: Record<LoopRole, number> = { groups: 1, batch: 1, spatial: 1, window: 1, reduction: 1, outputChannels: 1 };
  let stride = 1;
  for (const dim of problem.shape.dimensions) {
    const role = roleOf(problem, dim, ops);
    extents[role] *= problem.bounds[dim];
    if (role === 'spatial') {
      const t = ops.inputs?.projection.flat().find((term) => term.dim === dim);
      if (t?.coefficient !== undefined) stride *= problem.coefficients[t.coefficient];
    }
  }
  const sizes = dataSpaceSizes(problem);
  const words = (ds: DataSpace | undefined): number => (ds === undefined ? 1 : sizes[ds.name]);
  const macs = problemMacs(problem);
  const [weights, inputs, outputs] = [words(ops.weights), words(ops.inputs), words(ops.outputs)];
  return [extents.groups, extents.batch, extents.spatial, extents.window, extents.reduction, extents.outputChannels, stride, macs, weights, inputs, outputs, macs / weights, macs / inputs, macs / outputs];
}

/**
 * VAESA's max-scaling divisors of the layer vector `[R, S, P, Q, C, K, N, Wstride, Hstride]`
 * (`_LAYER_FEAT_SCALES` in ucb-bar/vaesa `src/dataset_prob.py`).
 */
export const LAYER_FEATURE_SCALES: readonly number[] = [11, 11, 1024, 1024, 4096, 4096, 1, 2, 2];

/** Per-feature mean and standard deviation of a (possibly logged) layer vector, from training data. */
export interface LayerFeatureStats {
  readonly mean: readonly number[];
  readonly std: readonly number[];
}

/**
 * How VAESA turns a layer vector into predictor input (`norm_layerfeat_func` in ucb-bar/vaesa
 * `src/train_util.py`): optionally the natural log of every entry, then optionally
 * `max` (divide by `LAYER_FEATURE_SCALES`, VAESA's nine features only) or `mean` (`(x - mean) / (std + 1e-16)`,
 * a vector of any width with its statistics).
 */
export type LayerFeatureNormalisation =
  | { readonly log: boolean; readonly scaling: 'none' | 'max' }
  | { readonly log: boolean; readonly scaling: 'mean'; readonly stats: LayerFeatureStats };

/** VAESA's raw layer vector `[R, S, P, Q, C, K, N, Wstride, Hstride]` (dilations are not part of it). */
export function layerFeatures(layer: ConvLayer): number[] {
  return VAESA_LAYER_FIELDS.map((f) => layer[f]);
}

/** VAESA's stabiliser for a zero standard deviation (N is constant in its data). */
const STD_EPSILON = 1e-16;

/** Normalises a raw layer vector as VAESA's search does for its target layers. */
export function normaliseLayerFeatures(features: readonly number[], norm: LayerFeatureNormalisation): number[] {
  checkLength(features, norm);
  const logged = norm.log ? features.map(Math.log) : features.slice();
  switch (norm.scaling) {
    case 'none':
      return logged;
    case 'max':
      return logged.map((x, i) => x / LAYER_FEATURE_SCALES[i]);
    case 'mean':
      return logged.map((x, i) => (x - norm.stats.mean[i]) / (norm.stats.std[i] + STD_EPSILON));
  }
}

/** Inverse of `normaliseLayerFeatures`. */
export function denormaliseLayerFeatures(normalised: readonly number[], norm: LayerFeatureNormalisation): number[] {
  checkLength(normalised, norm);
  const unscaled =
    norm.scaling === 'max'
      ? normalised.map((x, i) => x * LAYER_FEATURE_SCALES[i])
      : norm.scaling === 'mean'
        ? normalised.map((x, i) => x * (norm.stats.std[i] + STD_EPSILON) + norm.stats.mean[i])
        : normalised.slice();
  return norm.log ? unscaled.map(Math.exp) : unscaled;
}

/** The normalised layer vector of `layer`. */
export function layerFeatureVector(layer: ConvLayer, norm: LayerFeatureNormalisation): number[] {
  return normaliseLayerFeatures(layerFeatures(layer), norm);
}

/** The width a normalisation fixes: its statistics' for `mean`, VAESA's nine for `max`, any for `none`. */
function checkLength(v: readonly number[], norm: LayerFeatureNormalisation): void {
  const width = norm.scaling === 'mean' ? norm.stats.mean.length : norm.scaling === 'max' ? LAYER_FEATURE_SCALES.length : v.length;
  if (v.length !== width || (norm.scaling === 'mean' && norm.stats.std.length !== width)) {
    throw new RangeError(`layer feature vectors have ${width} entries, got ${v.length}`);
  }
}
