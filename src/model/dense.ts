import { transposeMatrix, wasmProduct, wasmWeightGradients } from './kernels';
import { tf } from './tf';

/** Activation applied after a dense layer. `leakyRelu` uses PyTorch's default slope 0.01, as VAESA. */
export type Activation = 'linear' | 'relu' | 'leakyRelu' | 'tanh' | 'sigmoid';

export const LEAKY_RELU_SLOPE = 0.01;

function activate(z: tf.Tensor2D, activation: Activation): tf.Tensor2D {
  switch (activation) {
    case 'linear':
      return z;
    case 'relu':
      return tf.relu(z);
    case 'leakyRelu':
      return tf.leakyRelu(z, LEAKY_RELU_SLOPE);
    case 'tanh':
      return tf.tanh(z);
    case 'sigmoid':
      return tf.sigmoid(z);
  }
}

/** d activation / dz written in terms of the activation's output y (so only y is saved). */
function activationSlope(y: tf.Tensor2D, activation: Activation): tf.Tensor | undefined {
  switch (activation) {
    case 'linear':
      return undefined;
    case 'relu':
      return tf.step(y, 0);
    case 'leakyRelu':
      return tf.step(y, LEAKY_RELU_SLOPE);
    case 'tanh':
      return tf.sub(1, tf.square(y));
    case 'sigmoid':
      return tf.mul(y, tf.sub(1, y));
  }
}

/** One layer of `denseStack`: `activation(x · kernel + bias)`. */
export interface DenseLayer {
  readonly kernel: tf.Tensor2D;
  readonly bias: tf.Tensor1D;
  readonly activation: Activation;
}

/**
 * Gradients of one layer from the gradient `dy` of its output `y` (undefined for a linear layer),
 * its input `x` and kernel; the input's gradient only when `inputGradient`.
 */
function denseBackward(
  dy: tf.Tensor2D,
  x: tf.Tensor2D,
  kernel: tf.Tensor2D,
  y: tf.Tensor2D | undefined,
  activation: Activation,
  inputGradient: boolean,
): { dx: tf.Tensor2D | undefined; dkernel: tf.Tensor2D; dbias: tf.Tensor1D } {
  const slope = y === undefined ? undefined : activationSlope(y, activation);
  const dz: tf.Tensor2D = slope === undefined ? dy : tf.mul(dy, slope);
  const [rows, units] = dz.shape;
  const [inputs] = kernel.shape;
  // Transposes cost per element: transpose the kernel when it is smaller than dz and the result.
  const dx = !inputGradient
    ? undefined
    : (wasmProduct(dz, kernel, { transposeB: true }) ??
      (inputs * units <= rows * (inputs + units) ? tf.matMul<tf.Tensor2D>(dz, transposeMatrix(kernel)) : transposeMatrix(tf.matMul(kernel, transposeMatrix(dz)))));
  const weights = wasmWeightGradients(x, dz);
  if (weights !== undefined) return { dx, ...weights };
  const dkernel = tf.matMul<tf.Tensor2D>(transposeMatrix(x), dz);
  const dbias = tf.reshape<tf.Rank.R1>(tf.matMul(tf.ones([1, rows]), dz), [units]);
  return { dx, dkernel, dbias };
}

/** Every layer's output of dense layers applied in turn to `x` (the last one is the stack's output). */
export function denseStackOutputs(x: tf.Tensor2D, layers: readonly DenseLayer[]): tf.Tensor2D[] {
  const outputs: tf.Tensor2D[] = [];
  layers.forEach((layer, i) => {
    const input = i === 0 ? x : outputs[i - 1];
    // on wasm one kernel: the product, the bias and a ReLU or LeakyReLU
    const rectifierSlope = layer.activation === 'relu' ? 0 : layer.activation === 'leakyRelu' ? LEAKY_RELU_SLOPE : undefined;
    const fused = wasmProduct(input, layer.kernel, { bias: layer.bias, rectifierSlope });
    outputs.push(
      fused === undefined ? activate(tf.add(tf.matMul(input, layer.kernel), layer.bias), layer.activation) : rectifierSlope === undefined ? activate(fused, layer.activation) : fused,
    );
  });
  return outputs;
}

/** The gradients of a stack's parameters and (optionally) its input. */
export interface DenseStackGradients {
  /** Gradient of the input; undefined when not asked for. */
  readonly dx: tf.Tensor2D | undefined;
  readonly kernels: tf.Tensor2D[];
  readonly biases: tf.Tensor1D[];
}

/**
 * Backward pass of dense layers applied in turn to `x`: the gradients of their kernels and biases,
 * and of `x` when `inputGradient`, from the gradient `dy` of the last output. `outputs` are the
 * layers' outputs (`denseStackOutputs`); a linear last layer's may be undefined (it is not read).
 * Every product is plain (see `denseStack`).
 */
export function denseStackGradients(
  dy: tf.Tensor2D,
  x: tf.Tensor2D,
  layers: readonly DenseLayer[],
  outputs: readonly (tf.Tensor2D | undefined)[],
  inputGradient = true,
): DenseStackGradients {
  const kernels: tf.Tensor2D[] = [];
  const biases: tf.Tensor1D[] = [];
  let g: tf.Tensor2D | undefined = dy;
  for (let i = layers.length - 1; i >= 0; i--) {
    const layerInput = i === 0 ? x : (outputs[i - 1] as tf.Tensor2D);
    const step = denseBackward(g as tf.Tensor2D, layerInput, layers[i].kernel, outputs[i], layers[i].activation, i > 0 || inputGradient);
    kernels[i] = step.dkernel;
    biases[i] = step.dbias;
    g = step.dx;
  }
  return { dx: g, kernels, biases };
}

/**
 * Dense layers applied in turn, as one op with a hand-written gradient. tfjs's own MatMul gradient
 * uses matMul with transpose flags, which the cpu and wasm backends run several times slower than a
 * plain product (docs/model.md has the numbers). On wasm every product is our WebAssembly kernel
 * (`wasmProduct`), which reads a transposed operand in place: the forward pass is one kernel per
 * layer (product, bias, ReLU or LeakyReLU), the backward pass dx = dz · kernelᵀ and, in one kernel,
 * dkernel = xᵀ · dz with dbias = 1ᵀ · dz (`wasmWeightGradients`). Elsewhere every product is plain
 * (the transposes are `transposeMatrix`, a faster copy than the cpu backend's own):
 * dx = dz · kernelᵀ or (kernel · dzᵀ)ᵀ (whichever transposes fewer numbers), dkernel = xᵀ · dz,
 * dbias = 1ᵀ · dz (a product is also faster than a column sum).
 * One op for the whole stack, not one per layer, because tfjs copies every tensor an op saves for
 * its gradient: the stack saves its input and each layer's output once (a layer's output is the
 * next one's input), and not the kernels that are variables (a variable outlives the forward pass).
 */
export function denseStack(x: tf.Tensor2D, layers: readonly DenseLayer[]): tf.Tensor2D {
  const last = layers.length - 1;
  // A linear last layer's output is needed neither as an input nor for its slope.
  const outputSaved = layers.map((layer, i) => i < last || layer.activation !== 'linear');
  const kernelSaved = layers.map((layer) => !(layer.kernel instanceof tf.Variable));
  const op = tf.customGrad((...args) => {
    const save = args[args.length - 1] as tf.GradSaveFunc;
    const input = args[0] as tf.Tensor2D;
    const outputs = denseStackOutputs(input, layers);
    save([input, ...outputs.filter((_, i) => outputSaved[i]), ...layers.filter((_, i) => kernelSaved[i]).map((l) => l.kernel)]);
    return {
      value: outputs[last],
      gradFunc: (dy: tf.Tensor2D, saved: tf.Tensor[]) => {
        const rest = saved.slice(1) as tf.Tensor2D[];
        const savedOutputs = layers.map((_, i) => (outputSaved[i] ? rest.shift() : undefined));
        const savedLayers = layers.map((layer, i) => (kernelSaved[i] ? { ...layer, kernel: rest.shift() as tf.Tensor2D } : layer));
        const grads = denseStackGradients(dy, saved[0] as tf.Tensor2D, savedLayers, savedOutputs);
        return [grads.dx as tf.Tensor2D, ...layers.flatMap((_, i) => [grads.kernels[i], grads.biases[i]])];
      },
    };
  });
  return op(x, ...layers.flatMap((l) => [l.kernel, l.bias])) as tf.Tensor2D;
}

/** A dense layer `activation(x · kernel + bias)` whose backward pass avoids tfjs's slow transposed products. */
export function dense(x: tf.Tensor2D, kernel: tf.Tensor2D, bias: tf.Tensor1D, activation: Activation): tf.Tensor2D {
  return denseStack(x, [{ kernel, bias, activation }]);
}

/** The same layer through tfjs's built-in gradients (reference for tests and the benchmark). */
export function denseReference(x: tf.Tensor2D, kernel: tf.Tensor2D, bias: tf.Tensor1D, activation: Activation): tf.Tensor2D {
  return activate(tf.add(tf.matMul(x, kernel), bias), activation);
}
