import type { Objective } from '../common/objective';
import { denseStackGradients, denseStackOutputs, type DenseLayer } from './dense';
import { mlpLayers, type Mlp } from './mlp';
import { applyPredictor, type Predictor } from './predictor';
import { decodeVae, encodeVae, reparameterise, type Vae } from './vae';
import { tf } from './tf';


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

/** The loss terms of a batch and the gradients of the total with respect to trained variables. */
export interface LossAndGradients {
  readonly terms: LossTerms;
  /** Gradient per variable name (as `tf.variableGrads` returns them), for the trained networks' variables. */
  readonly grads: tf.NamedTensorMap;
}

/** The heads an objective trains. */
export function trainedHeads(nets: VaesaNetworks, objective: Objective): Predictor[] {
  return objective === 'edp' ? [nets.cyclesHead, nets.energyHead] : objective === 'latency' ? [nets.cyclesHead] : [nets.energyHead];
}

/**
 * `vaesaLoss` and its gradients in one pass, without tfjs's gradient tape: the forward pass keeps
 * what the backward pass reads and the backward pass is written out (the chain rule through the
 * loss terms, `denseStackGradients` through the networks). The same numbers as `tf.variableGrads`
 * of `vaesaLoss` up to float rounding (tests check it), in about half the kernels: the tape saves
 * a copy of every input an op's gradient reads, and its bookkeeping costs per op.
 * Gradients are given for the variables of the heads the objective trains and, unless
 * `vaeGradients` is false (heads-only training), for the encoder's and decoder's.
 */
export function vaesaLossAndGradients(
  nets: VaesaNetworks,
  batch: LossBatch,
  weights: LossWeights,
  objective: Objective,
  vaeGradients = true,
): LossAndGradients {
  const n = batch.design.shape[0];
  const d = nets.vae.config.latentDim;
  // forward, as vaesaLoss computes it
  const encoderLayers = mlpLayers(nets.vae.encoder);
  const encoded = denseStackOutputs(batch.design, encoderLayers);
  const out = encoded[encoded.length - 1];
  const mu = tf.slice(out, [0, 0], [n, d]);
  const logvar = tf.slice(out, [0, d], [n, d]);
  const std = tf.exp(tf.mul(logvar, 0.5));
  const z = tf.add(mu, tf.mul(batch.eps, std)) as tf.Tensor2D;
  const decoderLayers = mlpLayers(nets.vae.decoder);
  const decoded = denseStackOutputs(z, decoderLayers);
  const recon = decoded[decoded.length - 1];
  const reconError = tf.sub(recon, batch.design);
  const reconstruction = tf.mean(tf.square(reconError)) as tf.Scalar;
  const variance = tf.exp(logvar);
  const kl = tf.mean(tf.mul(-0.5, tf.sum(tf.sub(tf.add(1, logvar), tf.add(tf.square(mu), variance)), 1))) as tf.Scalar;
  const input = predictorInput(mu, batch.layer);
  const heads = trainedHeads(nets, objective).map((head) => {
    const layers = mlpLayers(head.mlp);
    const outputs = denseStackOutputs(input, layers);
    const target = head === nets.cyclesHead ? batch.cycles : batch.energy;
    const error = tf.sub(tf.reshape(outputs[outputs.length - 1], [n]), target);
    return { head, layers, outputs, error, loss: tf.mean(tf.abs(error)) as tf.Scalar };
  });
  const zero = tf.scalar(0);
  const cycles = heads.find((h) => h.head === nets.cyclesHead)?.loss ?? zero;
  const energy = heads.find((h) => h.head === nets.energyHead)?.loss ?? zero;
  const total = tf.addN([tf.mul(weights.reconstruction, reconstruction), tf.mul(weights.beta, kl), tf.mul(weights.predictor, tf.add(cycles, energy))]) as tf.Scalar;

  // backward
  const grads: tf.NamedTensorMap = {};
  const record = (mlp: Mlp, g: { kernels: tf.Tensor[]; biases: tf.Tensor[] }): void => {
    mlp.weights.forEach((w, i) => {
      grads[w.kernel.name] = g.kernels[i];
      grads[w.bias.name] = g.biases[i];
    });
  };
  // d mean|e| / de = sign(e) / n, with tfjs's sign convention at 0 (Abs's gradient: step(e, -1))
  const inputGrads = heads.map(({ head, layers, outputs, error }) => {
    const dOut = tf.reshape(tf.mul(tf.step(error, -1), weights.predictor / n), [n, 1]) as tf.Tensor2D;
    const g = denseStackGradients(dOut, input, layers, outputs, vaeGradients);
    record(head.mlp, g);
    return g.dx;
  });
  if (!vaeGradients) return { terms: { total, reconstruction, kl, cycles, energy }, grads };

  // d (w mean(e^2)) / d recon = 2 w e / (n p)
  const dRecon = tf.mul(reconError, (2 * weights.reconstruction) / reconError.size) as tf.Tensor2D;
  const decoderGrads = denseStackGradients(dRecon, z, decoderLayers, decoded);
  record(nets.vae.decoder, decoderGrads);
  const dz = decoderGrads.dx as tf.Tensor2D;
  // z = mu + eps exp(logvar / 2); KL = -0.5 mean_n sum_d (1 + logvar - mu^2 - exp(logvar))
  const dMuTerms: tf.Tensor[] = [dz, tf.mul(mu, weights.beta / n)];
  const headInputGrad = inputGrads.length === 0 ? undefined : inputGrads.length === 1 ? inputGrads[0] : tf.add(inputGrads[0] as tf.Tensor2D, inputGrads[1] as tf.Tensor2D);
  if (headInputGrad !== undefined) dMuTerms.push(tf.slice(headInputGrad, [0, 0], [n, d]));
  const dMu = tf.addN(dMuTerms);
  const dLogvar = tf.add(tf.mul(tf.mul(dz, batch.eps), tf.mul(std, 0.5)), tf.mul(tf.sub(variance, 1), (0.5 * weights.beta) / n));
  const encoderGrads = denseStackGradients(tf.concat([dMu, dLogvar], 1) as tf.Tensor2D, batch.design, encoderLayers, encoded, false);
  record(nets.vae.encoder, encoderGrads);
  return { terms: { total, reconstruction, kl, cycles, energy }, grads };
}
