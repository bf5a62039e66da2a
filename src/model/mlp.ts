import type { Rng } from '../common/rng';
import { denseStack, type Activation, type DenseLayer } from './dense';
import { tf } from './tf';

/** One dense layer of an MLP: output width and the activation after it. */
export interface LayerSpec {
  readonly units: number;
  readonly activation: Activation;
}

/** The weights of one dense layer (tfjs variables, trainable). */
export interface DenseWeights {
  readonly kernel: tf.Variable<tf.Rank.R2>;
  readonly bias: tf.Variable<tf.Rank.R1>;
}

/** A multi-layer perceptron: its shape and its weights. */
export interface Mlp {
  readonly inputSize: number;
  readonly layers: readonly LayerSpec[];
  readonly weights: readonly DenseWeights[];
}

/**
 * Creates an MLP with PyTorch's default `nn.Linear` initialisation (as VAESA's models start):
 * kernel and bias uniform in ±1/sqrt(fan_in), drawn from `rng`.
 */
export function createMlp(inputSize: number, layers: readonly LayerSpec[], rng: Rng): Mlp {
  if (!(Number.isInteger(inputSize) && inputSize > 0)) throw new RangeError(`createMlp: bad input size ${inputSize}`);
  const weights: DenseWeights[] = [];
  let fanIn = inputSize;
  for (const layer of layers) {
    if (!(Number.isInteger(layer.units) && layer.units > 0)) throw new RangeError(`createMlp: bad layer width ${layer.units}`);
    const bound = 1 / Math.sqrt(fanIn);
    const uniform = (n: number): Float32Array => {
      const a = new Float32Array(n);
      for (let i = 0; i < n; i++) a[i] = rng.uniform(-bound, bound);
      return a;
    };
    const kernel = uniform(fanIn * layer.units);
    const bias = uniform(layer.units);
    weights.push(
      tf.tidy(() => ({
        kernel: tf.variable(tf.tensor2d(kernel, [fanIn, layer.units])),
        bias: tf.variable(tf.tensor1d(bias)),
      })),
    );
    fanIn = layer.units;
  }
  return { inputSize, layers, weights };
}

/** The MLP's layers as `denseStack` takes them. */
export function mlpLayers(mlp: Mlp): DenseLayer[] {
  return mlp.layers.map((layer, i) => ({ ...mlp.weights[i], activation: layer.activation }));
}

/** Runs the MLP on a batch [n, inputSize]. */
export function applyMlp(mlp: Mlp, x: tf.Tensor2D): tf.Tensor2D {
  return denseStack(x, mlpLayers(mlp));
}

/** The MLP's variables in layer order (kernel, bias, kernel, bias, ...). */
export function mlpVariables(mlp: Mlp): tf.Variable[] {
  return mlp.weights.flatMap((w) => [w.kernel, w.bias]);
}

/** Number of trainable numbers. */
export function mlpParameterCount(mlp: Mlp): number {
  let fanIn = mlp.inputSize;
  let count = 0;
  for (const layer of mlp.layers) {
    count += fanIn * layer.units + layer.units;
    fanIn = layer.units;
  }
  return count;
}

/** Multiply-accumulates of one forward pass of one sample. */
export function mlpMacsPerSample(mlp: Mlp): number {
  return mlpParameterCount(mlp) - mlp.layers.reduce((a, l) => a + l.units, 0);
}

export function disposeMlp(mlp: Mlp): void {
  for (const w of mlp.weights) {
    w.kernel.dispose();
    w.bias.dispose();
  }
}
