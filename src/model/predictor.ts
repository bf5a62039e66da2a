import type { Rng } from '../common/rng';
import { applyMlp, createMlp, disposeMlp, mlpVariables, type Mlp } from './mlp';
import type { PredictorShape } from './presets';
import { tf } from './tf';

/** Shape of a predictor head: input = latent size + layer features, hidden widths and activation. */
export interface PredictorConfig extends PredictorShape {
  readonly inputSize: number;
}

/** A cost predictor head: (latent mean ++ normalised layer vector) -> one normalised target. */
export interface Predictor {
  readonly config: PredictorConfig;
  readonly mlp: Mlp;
}

export function createPredictor(config: PredictorConfig, rng: Rng): Predictor {
  const layers = [
    ...config.hidden.map((units) => ({ units, activation: config.activation })),
    { units: 1, activation: 'linear' as const },
  ];
  return { config, mlp: createMlp(config.inputSize, layers, rng) };
}

/** Predictions [n] for inputs [n, inputSize]. */
export function applyPredictor(p: Predictor, input: tf.Tensor2D): tf.Tensor1D {
  return tf.reshape(applyMlp(p.mlp, input), [input.shape[0]]);
}

export function predictorVariables(p: Predictor): tf.Variable[] {
  return mlpVariables(p.mlp);
}

export function disposePredictor(p: Predictor): void {
  disposeMlp(p.mlp);
}
