import type * as tf from '@tensorflow/tfjs-core';
import type { ArchConfig } from '../hardware/arch';
import type { DesignSpace } from '../hardware/space';
import type { ConvLayer } from '../workload/layer';

/**
 * What latent-space search needs from a trained model: the design space, encode/decode between
 * designs and latent points, and a differentiable cost prediction. `TrainedVaesa` implements it.
 */
export interface LatentModel {
  /** The design space the model was trained on. */
  readonly space: DesignSpace;
  readonly latentDim: number;
  /** Latent means of designs (encoder mu). */
  encode(archs: readonly ArchConfig[]): number[][];
  /** Decoded and snapped designs for latent points. */
  decode(z: readonly (readonly number[])[]): ArchConfig[];
  /**
   * Differentiable prediction: for latent points z [n, latentDim] and one layer, natural-log predicted
   * cycles and energy (denormalised: log(cycles), log(energy pJ)), tensors of shape [n]. Built only from
   * tfjs ops on z, so tf.grad / optimizers can differentiate with respect to z. The caller disposes.
   */
  predictLogCost(z: tf.Tensor2D, layer: ConvLayer): { logCycles: tf.Tensor1D; logEnergy: tf.Tensor1D };
}
