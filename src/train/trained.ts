import {
  logTargetAffine,
  denormaliseTarget,
  normaliseLayer,
  type NormalisationStats,
} from '../dataset/normalise';
import { decodeDesign, encodeDesign, type Design, type DesignSpace, type SimbaParam } from '../hardware/space';
import { predictorInput, type VaesaNetworks } from '../model/loss';
import type { LatentBox, LatentModel } from '../model/latent-model';
import { applyPredictor, disposePredictor } from '../model/predictor';
import { decodeVae, disposeVae, encodeVae } from '../model/vae';
import { tf } from '../model/tf';
import type { Layer } from '../workload/lower';
import type { AdamState } from './adam';
import { disposeAdam } from './adam';
import type { TrainingSchedule, VaesaModelConfig } from './config';

/** Metrics of one training epoch (losses are means per batch; `cycles`/`energy` are unweighted L1). */
export interface EpochMetrics {
  readonly epoch: number;
  readonly epochs: number;
  readonly learningRate: number;
  readonly trainLoss: number;
  readonly validation: {
    readonly loss: number;
    readonly reconstruction: number;
    readonly kl: number;
    readonly cycles: number;
    readonly energy: number;
  };
  /** Wall-clock seconds of this epoch and rows trained on. */
  readonly seconds: number;
  readonly rows: number;
}

/** Where training stopped and how to continue it. */
export interface TrainingState {
  /** Epochs completed. */
  readonly epoch: number;
  readonly learningRate: number;
  /** Best validation loss so far and the epoch it was reached. */
  readonly bestLoss: number;
  readonly bestEpoch: number;
  /** Epochs since the learning rate was last reduced or the loss improved (plateau counter). */
  readonly plateauCount: number;
  readonly seed: number;
  readonly stopReason: 'epochs' | 'early-stopping' | 'aborted' | 'time-limit';
  /** The schedule trained with, so a resumed run keeps it (absent in checkpoints of version 0.1.0). */
  readonly schedule?: TrainingSchedule;
}

/** A trained VAESA model: networks, design space and normalisation; usable directly for latent search. */
export interface TrainedVaesa<P extends string = SimbaParam> extends LatentModel<P> {
  /** `LatentModel.predictLogCost` for any layer: a `ConvLayer` or any `Problem`. */
  predictLogCost(z: tf.Tensor2D, layer: Layer): { logCycles: tf.Tensor1D; logEnergy: tf.Tensor1D };
  /**
   * `predictLogCost` for several layers in one tfjs graph: tensors [layers.length, n], row l for
   * layers[l] (the batched capability latent search uses; see `BatchedCostPredictor`).
   */
  predictLogCostLayers(z: tf.Tensor2D, layers: readonly Layer[]): { logCycles: tf.Tensor2D; logEnergy: tf.Tensor2D };
  readonly config: VaesaModelConfig;
  readonly stats: NormalisationStats;
  readonly networks: VaesaNetworks;
  readonly history: readonly EpochMetrics[];
  readonly training: TrainingState;
  /** Adam moments, kept to resume training. */
  readonly optimiser: AdamState;
  /** Frees the model's tensors. */
  dispose(): void;
}

export interface TrainedVaesaParts<P extends string = SimbaParam> {
  readonly config: VaesaModelConfig;
  readonly space: DesignSpace<P>;
  readonly stats: NormalisationStats;
  readonly networks: VaesaNetworks;
  readonly history: readonly EpochMetrics[];
  readonly training: TrainingState;
  readonly optimiser: AdamState;
  readonly latentBox?: LatentBox;
}

/** Bundles trained parts into a `TrainedVaesa` (encode, decode and differentiable prediction). */
export function assembleTrainedVaesa<P extends string>(parts: TrainedVaesaParts<P>): TrainedVaesa<P> {
  const { space, stats, networks } = parts;
  const latentDim = parts.config.latentDim;
  /** Natural-log cycles (or energy) from a head's raw outputs on rows whose layers are `layers` (one per row). */
  const toLog = (raw: tf.Tensor1D, layers: readonly Layer[], which: 'cycles' | 'energy'): tf.Tensor1D => {
    if (!stats.target.log) return tf.log(tf.maximum(tf.mul(raw, denormaliseTarget(stats, which, 1)), 1e-30)) as tf.Tensor1D;
    const affines = layers.map((l) => logTargetAffine(stats, which, l)!);
    return tf.add(tf.mul(raw, affines[0].scale), tf.tensor1d(affines.map((a) => a.offset)));
  };
  /** Natural-log cycles and energy for rows of (normalised layer features, latent point), `layers` the rows' layers. */
  const logCost = (features: tf.Tensor2D, z: tf.Tensor2D, layers: readonly Layer[]) => {
    const input = predictorInput(z, features);
    return {
      logCycles: toLog(applyPredictor(networks.cyclesHead, input), layers, 'cycles'),
      logEnergy: toLog(applyPredictor(networks.energyHead, input), layers, 'energy'),
    };
  };
  return {
    ...parts,
    latentDim,
    encode: (archs) => encodeArchs(networks, space, archs),
    decode: (z) =>
      tf.tidy(() => {
        if (z.length === 0) return [];
        const out = decodeVae(networks.vae, tf.tensor2d(z.map((p) => checkLatent(p, latentDim)))).arraySync();
        return out.map((v) => decodeDesign(space, v));
      }),
    predictLogCost: (z: tf.Tensor2D, layer: Layer) =>
      tf.tidy(() => {
        const p = logCost(tf.tile(tf.tensor2d([normaliseLayer(stats, layer)]), [z.shape[0], 1]), z, Array.from({ length: z.shape[0] }, () => layer));
        return { logCycles: p.logCycles, logEnergy: p.logEnergy };
      }),
    // All (layer, point) pairs in one graph: a network's descent step costs one pass, not one per layer.
    predictLogCostLayers: (z: tf.Tensor2D, layers: readonly Layer[]) =>
      tf.tidy(() => {
        const n = z.shape[0];
        const rowLayers = layers.flatMap((l) => Array.from({ length: n }, () => l));
        const features = tf.tensor2d(rowLayers.map((l) => normaliseLayer(stats, l)));
        const p = logCost(features, tf.tile(z, [layers.length, 1]), rowLayers);
        return { logCycles: tf.reshape(p.logCycles, [layers.length, n]), logEnergy: tf.reshape(p.logEnergy, [layers.length, n]) };
      }),
    dispose: () => {
      disposeVae(networks.vae);
      disposePredictor(networks.cyclesHead);
      disposePredictor(networks.energyHead);
      disposeAdam(parts.optimiser);
    },
  };
}

/** The span of the designs' latent means, per latent dimension (see `LatentModel.latentBox`). */
export function latentBoxOf<P extends string>(networks: VaesaNetworks, space: DesignSpace<P>, designs: readonly Design<P>[]): LatentBox | undefined {
  if (designs.length === 0) return undefined;
  const mu = encodeArchs(networks, space, designs);
  const lower = mu[0].slice();
  const upper = mu[0].slice();
  for (const z of mu) {
    z.forEach((v, d) => {
      if (v < lower[d]) lower[d] = v;
      if (v > upper[d]) upper[d] = v;
    });
  }
  return { lower, upper };
}

function checkLatent(p: readonly number[], latentDim: number): number[] {
  if (p.length !== latentDim) throw new RangeError(`decode: latent points have ${latentDim} entries, got ${p.length}`);
  return p.slice();
}

function encodeArchs<P extends string>(networks: VaesaNetworks, space: DesignSpace<P>, archs: readonly Design<P>[]): number[][] {
  if (archs.length === 0) return [];
  return tf.tidy(() => encodeVae(networks.vae, tf.tensor2d(archs.map((a) => encodeDesign(space, a)))).mu.arraySync());
}

/** Predicted cost of a design on a layer: cycles, energy in pJ, and their product (pJ·cycles). */
export interface PredictedCost {
  readonly cycles: number;
  readonly energy: number;
  readonly edp: number;
}

/**
 * Predicted costs of (design, layer) pairs in one batch: each design is encoded to its latent mean
 * and the heads read it with the layer's vector. Non-logged target modes are denormalised as VAESA does.
 * The designs and layers must be valid (`parseDesign`, `convLayer`): this is a building block after the
 * checks, and an unusable input throws.
 *
 * @example
 * ```ts
 * import { predictCosts, simbaDefaultArch, networks } from 'vaesa';
 * // trained: the Right of await trainVaesa(rows, { preset: 'fast' }) or of loadVaesa(dir)
 * const [p] = predictCosts(trained, [{ arch: simbaDefaultArch, layer: networks.resnet50.layers[0].layer }]);
 * console.log(p.cycles, p.energy, p.edp);
 * ```
 */
export function predictCosts<P extends string>(
  trained: TrainedVaesa<P>,
  pairs: readonly { readonly arch: Design<P>; readonly layer: Layer }[],
): PredictedCost[] {
  if (pairs.length === 0) return [];
  const [cycles, energy] = tf.tidy(() => {
    const { mu } = encodeVae(trained.networks.vae, tf.tensor2d(pairs.map((p) => encodeDesign(trained.space, p.arch))));
    const input = predictorInput(mu, tf.tensor2d(pairs.map((p) => normaliseLayer(trained.stats, p.layer))));
    return [applyPredictor(trained.networks.cyclesHead, input).arraySync(), applyPredictor(trained.networks.energyHead, input).arraySync()];
  });
  return cycles.map((c, i) => {
    const cyc = denormaliseTarget(trained.stats, 'cycles', c, pairs[i].layer);
    const en = denormaliseTarget(trained.stats, 'energy', energy[i], pairs[i].layer);
    return { cycles: cyc, energy: en, edp: cyc * en };
  });
}

/** Predicted cost of one design on one layer. */
export function predictCost<P extends string>(trained: TrainedVaesa<P>, arch: Design<P>, layer: Layer): PredictedCost {
  return predictCosts(trained, [{ arch, layer }])[0];
}
