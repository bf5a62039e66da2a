import { transposeMatrix } from './kernels';
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

type DenseOp = (x: tf.Tensor2D, kernel: tf.Tensor2D, bias: tf.Tensor1D) => tf.Tensor2D;

/**
 * `activation(x · kernel + bias)` with a hand-written gradient. tfjs's own MatMul gradient uses
 * matMul with transpose flags, which the cpu and wasm backends run several times slower than a
 * plain product (docs/model.md has the numbers); here every product is plain (the transposes are
 * `transposeMatrix`, a faster copy than the backends' own on cpu and wasm):
 * dx = dz · kernelᵀ or (kernel · dzᵀ)ᵀ (whichever transposes fewer numbers), dkernel = xᵀ · dz, dbias = 1ᵀ · dz (a product is also faster than a column sum).
 */
function makeDenseOp(activation: Activation): DenseOp {
  const op = tf.customGrad((...args) => {
    const [x, kernel, bias, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D, tf.GradSaveFunc];
    const y = activate(tf.add(tf.matMul(x, kernel), bias), activation);
    save([x, kernel, y]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor2D, saved: tf.Tensor[]) => {
        const [sx, sk, sy] = saved as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
        const slope = activationSlope(sy, activation);
        const dz: tf.Tensor2D = slope === undefined ? dy : tf.mul(dy, slope);
        const [rows, units] = dz.shape;
        const [inputs] = sk.shape;
        // Transposes cost per element: transpose the kernel when it is smaller than dz and the result.
        const dx =
          inputs * units <= rows * (inputs + units)
            ? tf.matMul(dz, transposeMatrix(sk))
            : transposeMatrix(tf.matMul(sk, transposeMatrix(dz)));
        const dk = tf.matMul(transposeMatrix(sx), dz);
        const db = tf.reshape(tf.matMul(tf.ones([1, rows]), dz), [units]);
        return [dx, dk, db];
      },
    };
  });
  return op as DenseOp;
}

const denseOps: Readonly<Record<Activation, DenseOp>> = {
  linear: makeDenseOp('linear'),
  relu: makeDenseOp('relu'),
  leakyRelu: makeDenseOp('leakyRelu'),
  tanh: makeDenseOp('tanh'),
  sigmoid: makeDenseOp('sigmoid'),
};

/** A dense layer `activation(x · kernel + bias)` whose backward pass avoids tfjs's slow transposed products. */
export function dense(x: tf.Tensor2D, kernel: tf.Tensor2D, bias: tf.Tensor1D, activation: Activation): tf.Tensor2D {
  return denseOps[activation](x, kernel, bias);
}

/** The same layer through tfjs's built-in gradients (reference for tests and the benchmark). */
export function denseReference(x: tf.Tensor2D, kernel: tf.Tensor2D, bias: tf.Tensor1D, activation: Activation): tf.Tensor2D {
  return activate(tf.add(tf.matMul(x, kernel), bias), activation);
}
