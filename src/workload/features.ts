import type { ConvLayer } from './layer';
import { VAESA_LAYER_FIELDS } from './parse';

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
 * `max` (divide by `LAYER_FEATURE_SCALES`) or `mean` (`(x - mean) / (std + 1e-16)`).
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
  checkLength(features);
  const logged = norm.log ? features.map(Math.log) : features.slice();
  switch (norm.scaling) {
    case 'none':
      return logged;
    case 'max':
      return logged.map((x, i) => x / LAYER_FEATURE_SCALES[i]);
    case 'mean':
      checkLength(norm.stats.mean);
      checkLength(norm.stats.std);
      return logged.map((x, i) => (x - norm.stats.mean[i]) / (norm.stats.std[i] + STD_EPSILON));
  }
}

/** Inverse of `normaliseLayerFeatures`. */
export function denormaliseLayerFeatures(normalised: readonly number[], norm: LayerFeatureNormalisation): number[] {
  checkLength(normalised);
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

function checkLength(v: readonly number[]): void {
  if (v.length !== VAESA_LAYER_FIELDS.length) {
    throw new RangeError(`layer feature vectors have ${VAESA_LAYER_FIELDS.length} entries, got ${v.length}`);
  }
}
