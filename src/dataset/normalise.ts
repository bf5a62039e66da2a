import * as t from 'io-ts';
import * as E from 'fp-ts/Either';
import { decodeWith, invalidInput, type VaesaError } from '../common/errors';
import type { DatasetRow } from './row';
import {
  layerFeatureNames,
  layerFeaturesOf,
  normaliseLayerFeatures,
  type LayerFeatureNormalisation,
  type LayerFeatureSet,
  type LayerFeatureStats,
} from '../workload/features';
import { layerMacsOf, type Layer } from '../workload/lower';

/**
 * How cycles and energy become training targets (VAESA's `norm_cycle_obj` / `norm_energy_obj`):
 * `log` takes the natural log, `standardise` subtracts the training mean and divides by the
 * training standard deviation. With neither, VAESA divides cycles by 2^28 and energy by 2^38.
 * `perMac` (with `log` only) first divides by the layer's MACs, so the heads learn cycles and energy
 * per MAC: the layer's size, which spans orders of magnitude, no longer dominates the target.
 */
export interface TargetNormalisationOptions {
  readonly log: boolean;
  readonly standardise: boolean;
  readonly perMac?: boolean;
}

/**
 * How layers become predictor inputs: the feature set (`vaesa` when absent), the natural log, then a
 * VAESA scaling (`mean` = z-score; `max` for the `vaesa` set only).
 */
export interface LayerNormalisationOptions {
  readonly features?: LayerFeatureSet;
  readonly log: boolean;
  readonly scaling: 'none' | 'max' | 'mean';
}

export interface NormalisationOptions {
  readonly target: TargetNormalisationOptions;
  readonly layer: LayerNormalisationOptions;
}

/** Mean and (sample) standard deviation of one quantity. */
export interface MeanStd {
  readonly mean: number;
  readonly std: number;
}

/**
 * Everything needed to turn rows into network inputs and predictions back into cycles and pJ:
 * the options and the statistics fitted on a training split. Plain data (JSON-serialisable),
 * carried with the dataset and saved in checkpoints.
 */
export interface NormalisationStats {
  readonly target: TargetNormalisationOptions & { readonly cycles: MeanStd; readonly energy: MeanStd };
  readonly layer: LayerFeatureNormalisation;
  /** The layer features the heads read (`vaesa` when absent, as in checkpoints before 0.2). */
  readonly features?: LayerFeatureSet;
}

/** The feature set of fitted statistics. */
export function featureSetOf(stats: NormalisationStats): LayerFeatureSet {
  return stats.features ?? 'vaesa';
}

/** The width of the layer vector the heads read under these statistics. */
export function layerFeatureWidth(stats: NormalisationStats): number {
  return layerFeatureNames(featureSetOf(stats)).length;
}

/** VAESA's defaults for the `CoSADataset` (log and standardise targets) with z-scored log layer vectors. */
export const defaultNormalisationOptions: NormalisationOptions = {
  target: { log: true, standardise: true },
  layer: { log: true, scaling: 'mean' },
};

/** VAESA's fixed divisors used when targets are neither logged nor standardised. */
export const RAW_TARGET_SCALES = { cycles: 2 ** 28, energy: 2 ** 38 } as const;

/**
 * Fits normalisation statistics on training rows. Rows must be non-empty with positive finite
 * cycles and energy (the caller validates user data first; see `trainVaesa`).
 */
export function fitNormalisation<P extends string>(
  rows: readonly DatasetRow<P, Layer>[],
  options: NormalisationOptions = defaultNormalisationOptions,
): NormalisationStats {
  if (rows.length === 0) throw new RangeError('fitNormalisation: no rows');
  const perMac = options.target.perMac === true;
  const targetValue = (x: number, layer: Layer): number => (options.target.log ? Math.log(perMac ? x / layerMacsOf(layer) : x) : x);
  const cycles = meanStd(rows.map((r) => targetValue(r.cycles, r.layer)));
  const energy = meanStd(rows.map((r) => targetValue(r.energy, r.layer)));
  const features = options.layer.features ?? 'vaesa';
  const layer: LayerFeatureNormalisation =
    options.layer.scaling === 'mean'
      ? { log: options.layer.log, scaling: 'mean', stats: fitLayerStats(rows.map((r) => r.layer), features, options.layer.log) }
      : { log: options.layer.log, scaling: options.layer.scaling };
  return { target: { ...options.target, cycles, energy }, layer, ...(features === 'vaesa' ? {} : { features }) };
}

function fitLayerStats(layers: readonly Layer[], features: LayerFeatureSet, log: boolean): LayerFeatureStats {
  const vectors = layers.map((l) => {
    const v = layerFeaturesOf(features, l);
    return log ? v.map(Math.log) : v;
  });
  const stats = vectors[0].map((_, i) => meanStd(vectors.map((v) => v[i])));
  // A constant feature is only centred (VAESA's rule), so a layer with another value stays finite.
  return { mean: stats.map((s) => s.mean), std: stats.map((s) => nonZero(s.std)) };
}

/** Mean and sample standard deviation (n - 1, as pandas computes it; 0 for a single value). */
export function meanStd(values: readonly number[]): MeanStd {
  const n = values.length;
  let mean = 0;
  for (const v of values) mean += v;
  mean /= n;
  let ss = 0;
  for (const v of values) ss += (v - mean) * (v - mean);
  return { mean, std: n > 1 ? Math.sqrt(ss / (n - 1)) : 0 };
}

/** The layer's MACs where targets are per MAC (`perMac`), else 1; `layer` is required then (a programmer error otherwise). */
function targetDivisor(stats: NormalisationStats, layer: Layer | undefined): number {
  if (stats.target.perMac !== true) return 1;
  if (layer === undefined) throw new RangeError('targets per MAC need the layer');
  return layerMacsOf(layer);
}

/** The target value of cycles (or energy) under the statistics: per MAC if asked, log, then standardise. */
export function normaliseTarget(stats: NormalisationStats, which: 'cycles' | 'energy', value: number, layer?: Layer): number {
  const tgt = stats.target;
  const logged = tgt.log ? Math.log(value / targetDivisor(stats, layer)) : value;
  if (tgt.standardise) return (logged - tgt[which].mean) / nonZero(tgt[which].std);
  return tgt.log ? logged : logged / RAW_TARGET_SCALES[which];
}

/** Inverse of `normaliseTarget`: cycles, or energy in pJ. */
export function denormaliseTarget(stats: NormalisationStats, which: 'cycles' | 'energy', value: number, layer?: Layer): number {
  const tgt = stats.target;
  const unscaled = tgt.standardise
    ? value * nonZero(tgt[which].std) + tgt[which].mean
    : tgt.log
      ? value
      : value * RAW_TARGET_SCALES[which];
  return tgt.log ? Math.exp(unscaled) * targetDivisor(stats, layer) : unscaled;
}

/**
 * The affine map from a network output to the natural log of cycles (or energy) on `layer` when
 * targets are logged: `log(value) = scale * output + offset`. Undefined when targets are not logged.
 */
export function logTargetAffine(
  stats: NormalisationStats,
  which: 'cycles' | 'energy',
  layer?: Layer,
): { readonly scale: number; readonly offset: number } | undefined {
  const tgt = stats.target;
  if (!tgt.log) return undefined;
  const perMac = Math.log(targetDivisor(stats, layer));
  return tgt.standardise ? { scale: nonZero(tgt[which].std), offset: tgt[which].mean + perMac } : { scale: 1, offset: perMac };
}

/** The normalised layer vector as the predictors read it (the statistics' feature set). */
export function normaliseLayer(stats: NormalisationStats, layer: Layer): number[] {
  return normaliseLayerFeatures(layerFeaturesOf(featureSetOf(stats), layer), stats.layer);
}

/** A constant quantity (std 0) is only centred, as VAESA does for its constant batch size N. */
function nonZero(std: number): number {
  return std > 1e-16 ? std : 1;
}

const MeanStdCodec = t.type({ mean: t.number, std: t.number });
const FeatureSetCodec = t.union([t.literal('vaesa'), t.literal('problem')]);

/** io-ts codec of `NormalisationStats`, for checkpoints (the statistics' width is checked against the feature set after decoding). */
export const NormalisationStatsCodec = t.type({
  target: t.type({ log: t.boolean, standardise: t.boolean, cycles: MeanStdCodec, energy: MeanStdCodec, perMac: t.union([t.boolean, t.undefined]) }),
  layer: t.union([
    t.type({ log: t.boolean, scaling: t.union([t.literal('none'), t.literal('max')]) }),
    t.type({
      log: t.boolean,
      scaling: t.literal('mean'),
      stats: t.type({ mean: t.readonlyArray(t.number), std: t.readonlyArray(t.number) }),
    }),
  ]),
  // Absent before vaesa 0.2's problem features (read as VAESA's nine).
  features: t.union([FeatureSetCodec, t.undefined]),
});

/** Decodes saved statistics (checkpoint JSON), naming the bad field on failure: layer statistics as wide as the feature set, `max` scaling only for VAESA's. */
export function parseNormalisationStats(input: unknown, root = 'normalisation'): E.Either<VaesaError, NormalisationStats> {
  return E.chain((stats: NormalisationStats) => {
    const bad = normalisationStatsProblem(stats, root);
    return bad === undefined ? E.right(stats) : E.left(bad);
  })(decodeWith(NormalisationStatsCodec, input, root));
}

/** Why decoded statistics cannot be used (undefined when they can). */
export function normalisationStatsProblem(stats: NormalisationStats, root: string): VaesaError | undefined {
  const set = featureSetOf(stats);
  const width = layerFeatureWidth(stats);
  if (stats.layer.scaling === 'max' && set !== 'vaesa') return invalidInput(`${root}.layer.scaling`, 'max', `max scaling has divisors for VAESA's features only, not ${set}`);
  if (stats.layer.scaling === 'mean') {
    for (const key of ['mean', 'std'] as const) {
      const v = stats.layer.stats[key];
      if (v.length !== width) return invalidInput(`${root}.layer.stats.${key}`, v.length, `needs ${width} entries for the ${set} features`);
    }
  }
  if (stats.target.perMac === true && !stats.target.log) return invalidInput(`${root}.target.perMac`, true, 'targets per MAC need log targets');
  return undefined;
}
