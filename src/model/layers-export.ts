/**
 * A trained model's networks as standard TensorFlow.js Layers models, so any tfjs app can load them
 * with `tf.loadLayersModel` without vaesa. The weights are copied; the models do not share tensors
 * with the trained model.
 */
import * as tfl from '@tensorflow/tfjs-layers';
import { LEAKY_RELU_SLOPE, type Activation } from './dense';
import type { VaesaNetworks } from './loss';
import type { Mlp } from './mlp';
import { tf } from './tf';

/** The four networks of a VAESA model as Layers models. */
export interface VaesaLayersModels {
  /** Normalised design [n, params] -> [mu | logvar] [n, 2 x latent]. */
  readonly encoder: tfl.LayersModel;
  /** Latent point [n, latent] -> normalised design [n, params]. */
  readonly decoder: tfl.LayersModel;
  /** [latent mean | normalised layer features] -> normalised log cycles [n, 1]. */
  readonly cyclesHead: tfl.LayersModel;
  /** [latent mean | normalised layer features] -> normalised log energy [n, 1]. */
  readonly energyHead: tfl.LayersModel;
}

/** The Layers activation that computes the same function as ours after a dense layer (leaky ReLU is a separate layer). */
function layersActivation(activation: Activation): 'linear' | 'relu' | 'tanh' | 'sigmoid' {
  return activation === 'leakyRelu' ? 'linear' : activation;
}

/** An MLP as a sequential Layers model with the same weights (copied) and the same function. */
export function mlpToLayersModel(mlp: Mlp, name: string): tfl.LayersModel {
  const model = tfl.sequential({ name });
  mlp.layers.forEach((spec, i) => {
    const { kernel, bias } = mlp.weights[i];
    model.add(
      tfl.layers.dense({
        units: spec.units,
        activation: layersActivation(spec.activation),
        ...(i === 0 ? { inputShape: [mlp.inputSize] } : {}),
        weights: [tf.clone(kernel), tf.clone(bias)],
        name: `${name}_dense_${i}`,
      }),
    );
    if (spec.activation === 'leakyRelu') model.add(tfl.layers.leakyReLU({ alpha: LEAKY_RELU_SLOPE, name: `${name}_leaky_${i}` }));
  });
  return model;
}

/** The encoder, decoder and both predictor heads as Layers models (dispose them when done). */
export function toLayersModels(nets: VaesaNetworks): VaesaLayersModels {
  return {
    encoder: mlpToLayersModel(nets.vae.encoder, 'encoder'),
    decoder: mlpToLayersModel(nets.vae.decoder, 'decoder'),
    cyclesHead: mlpToLayersModel(nets.cyclesHead.mlp, 'cycles_head'),
    energyHead: mlpToLayersModel(nets.energyHead.mlp, 'energy_head'),
  };
}
