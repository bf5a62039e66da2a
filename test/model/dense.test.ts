import { tf } from '../../src/model/tf';
import { dense, denseReference, type Activation } from '../../src/model/dense';
import { createRng } from '../../src/common/rng';

const ACTIVATIONS: Activation[] = ['linear', 'relu', 'leakyRelu', 'tanh', 'sigmoid'];

function randomTensor(rng: ReturnType<typeof createRng>, shape: [number, number] | [number]): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(Array.from({ length: n }, () => rng.normal()), shape);
}

describe('dense', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('computes activation(x·W + b) by hand on a tiny input', () => {
    // x = [1, 2], W = [[1, -1], [0.5, 1]], b = [0, -4] -> z = [2, -3]
    const x = tf.tensor2d([[1, 2]]);
    const w = tf.tensor2d([[1, -1], [0.5, 1]]);
    const b = tf.tensor1d([0, -4]);
    expect(Array.from(dense(x, w, b, 'linear').dataSync())).toEqual([2, -3]);
    expect(Array.from(dense(x, w, b, 'relu').dataSync())).toEqual([2, 0]);
    const leaky = dense(x, w, b, 'leakyRelu').dataSync();
    expect(leaky[0]).toBeCloseTo(2, 6);
    expect(leaky[1]).toBeCloseTo(-0.03, 6);
    tf.dispose([x, w, b]);
  });

  // [5 x 3]x[3 x 4] takes the transposed-kernel path for dx, [2 x 6]x[6 x 5] the transposed-dz path
  const cases = ACTIVATIONS.flatMap((a) => [[a, 5, 3, 4] as const, [a, 2, 6, 5] as const]);
  it.each(cases)('has the same gradients as tfjs built-in ops (%s, [%i x %i]x[. x %i])', (activation, n, k, m) => {
    const rng = createRng(7);
    const x = randomTensor(rng, [n, k]) as tf.Tensor2D;
    const w = randomTensor(rng, [k, m]) as tf.Tensor2D;
    const b = randomTensor(rng, [m]) as tf.Tensor1D;
    const weightsOut = randomTensor(rng, [n, m]) as tf.Tensor2D;
    const loss = (op: typeof dense) => (xx: tf.Tensor, ww: tf.Tensor, bb: tf.Tensor) =>
      tf.sum(tf.mul(op(xx as tf.Tensor2D, ww as tf.Tensor2D, bb as tf.Tensor1D, activation), weightsOut));
    const ours = tf.grads(loss(dense))([x, w, b]);
    const ref = tf.grads(loss(denseReference))([x, w, b]);
    ours.forEach((g, i) => {
      const a = g.dataSync();
      const r = ref[i].dataSync();
      expect(g.shape).toEqual(ref[i].shape);
      a.forEach((v, j) => expect(v).toBeCloseTo(r[j], 5));
    });
    tf.dispose([x, w, b, weightsOut, ...ours, ...ref]);
  });
});
