import type { Rng } from '../common/rng';
import { applyMlp, createMlp, disposeMlp, mlpVariables, type LayerSpec, type Mlp } from './mlp';
import { tf } from './tf';

/** Shape of a VAE: input width (design parameters), latent size and hidden widths (VAESA's `hidden_dims`). */
export interface VaeConfig {
  readonly inputSize: number;
  readonly latentDim: number;
  readonly hidden: readonly number[];
}

/**
 * VAESA's VAE: encoder MLP (LeakyReLU) to (mu, logvar); decoder = a linear input layer, the hidden
 * widths reversed with LeakyReLU, then LeakyReLU and a sigmoid output layer. It reads and writes
 * designs in the design space's log-normalised coordinates (`encodeArch`), which lie in [0, 1].
 */
export interface Vae {
  readonly config: VaeConfig;
  /** Outputs [mu | logvar], width 2 * latentDim. */
  readonly encoder: Mlp;
  readonly decoder: Mlp;
}

export function createVae(config: VaeConfig, rng: Rng): Vae {
  const { inputSize, latentDim, hidden } = config;
  if (hidden.length === 0) throw new RangeError('createVae: at least one hidden layer is needed');
  if (!(Number.isInteger(latentDim) && latentDim > 0)) throw new RangeError(`createVae: bad latent size ${latentDim}`);
  const leaky = (units: number): LayerSpec => ({ units, activation: 'leakyRelu' });
  const encoderLayers: LayerSpec[] = [...hidden.map(leaky), { units: 2 * latentDim, activation: 'linear' }];
  const reversed = [...hidden].reverse();
  const decoderLayers: LayerSpec[] = [
    { units: reversed[0], activation: 'linear' },
    ...reversed.slice(1).map(leaky),
    leaky(reversed[reversed.length - 1]),
    { units: inputSize, activation: 'sigmoid' },
  ];
  return {
    config,
    encoder: createMlp(inputSize, encoderLayers, rng),
    decoder: createMlp(latentDim, decoderLayers, rng),
  };
}

/** Latent mean and log-variance of normalised designs [n, inputSize]. */
export function encodeVae(vae: Vae, x: tf.Tensor2D): { mu: tf.Tensor2D; logvar: tf.Tensor2D } {
  const out = applyMlp(vae.encoder, x);
  const n = x.shape[0];
  const d = vae.config.latentDim;
  return { mu: tf.slice(out, [0, 0], [n, d]), logvar: tf.slice(out, [0, d], [n, d]) };
}

/** Normalised designs [n, inputSize] (each in (0, 1)) for latent points [n, latentDim]. */
export function decodeVae(vae: Vae, z: tf.Tensor2D): tf.Tensor2D {
  return applyMlp(vae.decoder, z);
}

/** The reparameterisation trick: mu + eps * exp(logvar / 2), with eps ~ N(0, 1) given by the caller. */
export function reparameterise(mu: tf.Tensor2D, logvar: tf.Tensor2D, eps: tf.Tensor2D): tf.Tensor2D {
  return tf.add(mu, tf.mul(eps, tf.exp(tf.mul(logvar, 0.5))));
}

export function vaeVariables(vae: Vae): tf.Variable[] {
  return [...mlpVariables(vae.encoder), ...mlpVariables(vae.decoder)];
}

export function disposeVae(vae: Vae): void {
  disposeMlp(vae.encoder);
  disposeMlp(vae.decoder);
}
