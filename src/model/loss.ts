import { applyPredictor, type Predictor } from './predictor';
import { decodeVae, encodeVae, reparameterise, type Vae } from './vae';
import { tf } from './tf';

/** What the predictors are trained for: `edp` trains both heads, `latency` cycles only, `energy` energy only. */
export type Objective = 'edp' | 'latency' | 'energy';

export const OBJECTIVES: readonly Objective[] = ['edp', 'latency', 'energy'];

/**
 * Weights of the loss terms: `reconstruction` on the MSE, `beta` on the KL divergence, `predictor`
 * on each head's L1 loss.
 */
export interface LossWeights {
  readonly reconstruction: number;
  readonly beta: number;
  readonly predictor: number;
}

/** VAESA's weights: MSE 1, KL 1e-5 (`M_N` in models.py), predictor L1 losses times 100 (train.py). */
export const VAESA_LOSS_WEIGHTS: LossWeights = { reconstruction: 1, beta: 1e-5, predictor: 100 };

/** The VAE and the two predictor heads trained together. */
export interface VaesaNetworks {
  readonly vae: Vae;
  readonly cyclesHead: Predictor;
  readonly energyHead: Predictor;
}

/** One training batch, already normalised. */
export interface LossBatch {
  /** Designs in log-normalised coordinates [n, params]. */
  readonly design: tf.Tensor2D;
  /** Normalised layer vectors [n, 9]. */
  readonly layer: tf.Tensor2D;
  /** Normalised cycle and energy targets [n]. */
  readonly cycles: tf.Tensor1D;
  readonly energy: tf.Tensor1D;
  /** Standard normal noise for the reparameterisation [n, latentDim]. */
  readonly eps: tf.Tensor2D;
}

/** Scalar loss terms; `cycles` and `energy` are the unweighted L1 losses (0 for a head not trained). */
export interface LossTerms {
  readonly total: tf.Scalar;
  readonly reconstruction: tf.Scalar;
  readonly kl: tf.Scalar;
  readonly cycles: tf.Scalar;
  readonly energy: tf.Scalar;
}

/** Predictor input: latent mean concatenated with the layer vector (VAESA's `pred_input`). */
export function predictorInput(mu: tf.Tensor2D, layer: tf.Tensor2D): tf.Tensor2D {
  return tf.concat([mu, layer], 1);
}

/**
 * VAESA's loss: reconstruction weight * MSE (mean over batch and parameters, in log-normalised coordinates)
 * + beta * KL(q(z|x) || N(0, I)) (summed over latent dimensions, mean over the batch)
 * + predictor weight * mean |prediction - target| for each head the objective trains.
 * The predictors read the latent mean, so in joint training their loss also shapes the encoder.
 */
export function vaesaLoss(nets: VaesaNetworks, batch: LossBatch, weights: LossWeights, objective: Objective): LossTerms {
  const { mu, logvar } = encodeVae(nets.vae, batch.design);
  const recon = decodeVae(nets.vae, reparameterise(mu, logvar, batch.eps));
  const reconstruction = tf.mean(tf.squaredDifference(recon, batch.design));
  const kl = tf.mean(tf.mul(-0.5, tf.sum(tf.sub(tf.add(1, logvar), tf.add(tf.square(mu), tf.exp(logvar))), 1)));
  const input = predictorInput(mu, batch.layer);
  const zero = tf.scalar(0);
  const cycles = objective === 'energy' ? zero : tf.mean(tf.abs(tf.sub(applyPredictor(nets.cyclesHead, input), batch.cycles)));
  const energy = objective === 'latency' ? zero : tf.mean(tf.abs(tf.sub(applyPredictor(nets.energyHead, input), batch.energy)));
  const total = tf.addN([tf.mul(weights.reconstruction, reconstruction), tf.mul(weights.beta, kl), tf.mul(weights.predictor, tf.add(cycles, energy))]);
  return { total: total as tf.Scalar, reconstruction: reconstruction as tf.Scalar, kl: kl as tf.Scalar, cycles: cycles as tf.Scalar, energy: energy as tf.Scalar };
}
