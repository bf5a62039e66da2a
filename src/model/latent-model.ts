import type * as tf from '@tensorflow/tfjs-core';
import type { Design, DesignSpace, SimbaParam } from '../hardware/space';
import type { ConvLayer } from '../workload/layer';

/**
 * What latent-space search needs from a trained model: the design space, encode/decode between
 * designs and latent points, and a differentiable cost prediction. `TrainedVaesa` implements it.
 */
/** A box in the latent space: `lower[d] <= z[d] <= upper[d]`. */
export interface LatentBox {
  readonly lower: readonly number[];
  readonly upper: readonly number[];
}

export interface LatentModel<P extends string = SimbaParam> {
  /** The design space the model was trained on. */
  readonly space: DesignSpace<P>;
  readonly latentDim: number;
  /**
   * The box the latent means of the training designs span (per dimension, their smallest and largest
   * value): latent searches search it unless given a bound. Absent for models saved by vaesa 0.1.
   */
  readonly latentBox?: LatentBox;
  /** Latent means of designs (encoder mu). */
  encode(archs: readonly Design<P>[]): number[][];
  /** Decoded and snapped designs for latent points. */
  decode(z: readonly (readonly number[])[]): Design<P>[];
  /**
   * Differentiable prediction: for latent points z [n, latentDim] and one layer, natural-log predicted
   * cycles and energy (denormalised: log(cycles), log(energy pJ)), tensors of shape [n]. Built only from
   * tfjs ops on z, so tf.grad / optimizers can differentiate with respect to z. The caller disposes.
   */
  predictLogCost(z: tf.Tensor2D, layer: ConvLayer): { logCycles: tf.Tensor1D; logEnergy: tf.Tensor1D };
}
