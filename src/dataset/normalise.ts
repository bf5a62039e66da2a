import * as t from 'io-ts';
import type * as E from 'fp-ts/Either';
import { decodeWith, type VaesaError } from '../common/errors';
import type { DatasetRow } from './row';
import {
  layerFeatures,
  normaliseLayerFeatures,
  type LayerFeatureNormalisation,
  type LayerFeatureStats,
} from '../workload/features';
import type { ConvLayer } from '../workload/layer';

/**
 * How cycles and energy become training targets (VAESA's `norm_cycle_obj` / `norm_energy_obj`):
 * `log` takes the natural log, `standardise` subtracts the training mean and divides by the
 * training standard deviation. With neither, VAESA divides cycles by 2^28 and energy by 2^38.
 */
export interface TargetNormalisationOptions {
  readonly log: boolean;
  readonly standardise: boolean;
}

/** How layer vectors become predictor inputs: natural log, then a VAESA scaling (`mean` = z-score). */
export interface LayerNormalisationOptions {
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
  rows: readonly DatasetRow<P>[],
  options: NormalisationOptions = defaultNormalisationOptions,
): NormalisationStats {
  if (rows.length === 0) throw new RangeError('fitNormalisation: no rows');
  const targetValue = (x: number): number => (options.target.log ? Math.log(x) : x);
  const cycles = meanStd(rows.map((r) => targetValue(r.cycles)));
  const energy = meanStd(rows.map((r) => targetValue(r.energy)));
  const layer: LayerFeatureNormalisation =
    options.layer.scaling === 'mean'
      ? { log: options.layer.log, scaling: 'mean', stats: fitLayerStats(rows.map((r) => r.layer), options.layer.log) }
      : { log: options.layer.log, scaling: options.layer.scaling };
  return { target: { ...options.target, cycles, energy }, layer };
}

function fitLayerStats(layers: readonly ConvLayer[], log: boolean): LayerFeatureStats {
  const vectors = layers.map((l) => {
    const v = layerFeatures(l);
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

/** The target value of cycles (or energy) under the statistics: log, then standardise. */
export function normaliseTarget(stats: NormalisationStats, which: 'cycles' | 'energy', value: number): number {
  const tgt = stats.target;
  const logged = tgt.log ? Math.log(value) : value;
  if (tgt.standardise) return (logged - tgt[which].mean) / nonZero(tgt[which].std);
  return tgt.log ? logged : logged / RAW_TARGET_SCALES[which];
}

/** Inverse of `normaliseTarget`: cycles, or energy in pJ. */
export function denormaliseTarget(stats: NormalisationStats, which: 'cycles' | 'energy', value: number): number {
  const tgt = stats.target;
  const unscaled = tgt.standardise
    ? value * nonZero(tgt[which].std) + tgt[which].mean
    : tgt.log
      ? value
      : value * RAW_TARGET_SCALES[which];
  return tgt.log ? Math.exp(unscaled) : unscaled;
}

/**
 * The affine map from a network output to the natural log of cycles (or energy) when targets are
 * logged: `log(value) = scale * output + offset`. Undefined when targets are not logged.
 */
export function logTargetAffine(
  stats: NormalisationStats,
  which: 'cycles' | 'energy',
): { readonly scale: number; readonly offset: number } | undefined {
  const tgt = stats.target;
  if (!tgt.log) return undefined;
  return tgt.standardise ? { scale: nonZero(tgt[which].std), offset: tgt[which].mean } : { scale: 1, offset: 0 };
}

/** The normalised 9-vector of a layer as the predictors read it. */
export function normaliseLayer(stats: NormalisationStats, layer: ConvLayer): number[] {
  return normaliseLayerFeatures(layerFeatures(layer), stats.layer);
}

/** A constant quantity (std 0) is only centred, as VAESA does for its constant batch size N. */
function nonZero(std: number): number {
  return std > 1e-16 ? std : 1;
}

const MeanStdCodec = t.type({ mean: t.number, std: t.number });
const NumberArray9 = t.refinement(t.readonlyArray(t.number), (a) => a.length === 9, 'NineNumbers');

/** io-ts codec of `NormalisationStats`, for checkpoints. */
export const NormalisationStatsCodec = t.type({
  target: t.type({ log: t.boolean, standardise: t.boolean, cycles: MeanStdCodec, energy: MeanStdCodec }),
  layer: t.union([
    t.type({ log: t.boolean, scaling: t.union([t.literal('none'), t.literal('max')]) }),
    t.type({
      log: t.boolean,
      scaling: t.literal('mean'),
      stats: t.type({ mean: NumberArray9, std: NumberArray9 }),
    }),
  ]),
});

/** Decodes saved statistics (checkpoint JSON), naming the bad field on failure. */
export function parseNormalisationStats(input: unknown, root = 'normalisation'): E.Either<VaesaError, NormalisationStats> {
  return decodeWith(NormalisationStatsCodec, input, root);
}
