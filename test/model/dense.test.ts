import { tf, useBackend } from '../../src/model/tf';
import { dense, denseReference, denseStack, type Activation } from '../../src/model/dense';
import { createRng } from '../../src/common/rng';

const ACTIVATIONS: Activation[] = ['linear', 'relu', 'leakyRelu', 'tanh', 'sigmoid'];

function randomTensor(rng: ReturnType<typeof createRng>, shape: [number, number] | [number]): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(Array.from({ length: n }, () => rng.normal()), shape);
}

// [5 x 3]x[3 x 4] takes the transposed-kernel path for dx, [2 x 6]x[6 x 5] the transposed-dz path (on cpu);
// [9 x 130]x[130 x 11] crosses the wasm product's 4 x 8 blocks
const GRADIENT_CASES = ACTIVATIONS.flatMap((a) => [[a, 5, 3, 4] as const, [a, 2, 6, 5] as const, [a, 9, 130, 11] as const]);

function expectTfjsGradients(activation: Activation, n: number, k: number, m: number): void {
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
    a.forEach((v, j) => expect(v).toBeCloseTo(r[j], 4));
  });
  tf.dispose([x, w, b, weightsOut, ...ours, ...ref]);
}

describe('dense on wasm (products in WebAssembly)', () => {
  beforeAll(async () => {
    expect(await useBackend('wasm')).toBe(true);
  });
  afterAll(async () => {
    await tf.setBackend('cpu');
  });

  it.each(GRADIENT_CASES)('has the same gradients as tfjs built-in ops (%s, [%i x %i]x[. x %i])', expectTfjsGradients);

  it.each(['relu', 'leakyRelu'] as const)('runs its forward pass as one product kernel with the bias and %s, and its backward pass without transposes', async (activation) => {
    const x = tf.ones([9, 130]) as tf.Tensor2D;
    const w = tf.ones([130, 11]) as tf.Tensor2D;
    const b = tf.zeros([11]) as tf.Tensor1D;
    const forward = await tf.profile(() => void dense(x, w, b, activation).dispose());
    // (the unnamed kernel is tf.customGrad's wrapper of the stack)
    expect(forward.kernels.map((k) => k.name).filter((name) => name !== '')).toEqual(['VaesaMatMul']);
    const backward = await tf.profile(() => tf.tidy(() => void tf.grads((xx: tf.Tensor, ww: tf.Tensor) => tf.sum(dense(xx as tf.Tensor2D, ww as tf.Tensor2D, b, 'relu')))([x, w])));
    const names = backward.kernels.map((k) => k.name);
    expect(names.filter((name) => name.includes('Transpose') || (name.includes('MatMul') && name !== 'VaesaMatMul'))).toEqual([]);
    // forward and dx, then dkernel and dbias in one kernel
    expect(names.filter((name) => name === 'VaesaMatMul')).toHaveLength(2);
    expect(names.filter((name) => name === 'VaesaDenseWeightGradients')).toHaveLength(1);
    tf.dispose([x, w, b]);
  });
});

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

  it.each(GRADIENT_CASES)('has the same gradients as tfjs built-in ops (%s, [%i x %i]x[. x %i])', expectTfjsGradients);

  describe('denseStack', () => {
    const widths = [4, 7, 5, 3];
    const activations: Activation[] = ['leakyRelu', 'tanh', 'linear'];
    function stackCase(asVariables: boolean) {
      const rng = createRng(11);
      const x = randomTensor(rng, [6, widths[0]]) as tf.Tensor2D;
      const params = activations.flatMap((_, i) => {
        const k = randomTensor(rng, [widths[i], widths[i + 1]]);
        const b = randomTensor(rng, [widths[i + 1]]);
        return asVariables ? [tf.variable(k), tf.variable(b)] : [k, b];
      });
      const weightsOut = randomTensor(rng, [6, widths[widths.length - 1]]);
      const layersOf = (p: tf.Tensor[]) => activations.map((activation, i) => ({ kernel: p[2 * i] as tf.Tensor2D, bias: p[2 * i + 1] as tf.Tensor1D, activation }));
      const lossOf = (apply: (input: tf.Tensor2D, p: tf.Tensor[]) => tf.Tensor) => (...inputs: tf.Tensor[]) =>
        tf.sum(tf.mul(apply(inputs[0] as tf.Tensor2D, inputs.slice(1)), weightsOut));
      const stacked = lossOf((input, p) => denseStack(input, layersOf(p)));
      const layered = lossOf((input, p) => layersOf(p).reduce((h, l) => denseReference(h, l.kernel, l.bias, l.activation), input));
      return { x, params, weightsOut, stacked, layered };
    }

    it.each([false, true])('has the gradients of the layers applied one by one with tfjs ops (kernels as variables: %s)', (asVariables) => {
      const { x, params, weightsOut, stacked, layered } = stackCase(asVariables);
      const ours = tf.grads(stacked)([x, ...params]);
      const ref = tf.grads(layered)([x, ...params]);
      expect(ours.map((g) => g.shape)).toEqual(ref.map((g) => g.shape));
      ours.forEach((g, i) => g.dataSync().forEach((v, j) => expect(v).toBeCloseTo(ref[i].dataSync()[j], 5)));
      tf.dispose([x, ...params, weightsOut, ...ours, ...ref]);
    });

    it('copies for its gradient the input and each output a later step reads once, and kernels only when not variables', async () => {
      const copies = async (asVariables: boolean, perLayer: boolean) => {
        const { x, params, weightsOut, stacked } = stackCase(asVariables);
        const chained = (...inputs: tf.Tensor[]) =>
          tf.sum(tf.mul(activations.reduce((h, activation, i) => dense(h, inputs[1 + 2 * i] as tf.Tensor2D, inputs[2 + 2 * i] as tf.Tensor1D, activation), inputs[0] as tf.Tensor2D), weightsOut));
        const profile = await tf.profile(() => tf.tidy(() => void tf.grads(perLayer ? chained : stacked)([x, ...params])));
        tf.dispose([x, ...params, weightsOut]);
        return profile.kernels.filter((k) => k.name === 'Identity').length;
      };
      // the three kernels, when they are not variables
      expect((await copies(false, false)) - (await copies(true, false))).toBe(3);
      // layer by layer, the outputs of layers 1 and 2 are copied twice (as output and as the next input)
      expect((await copies(true, true)) - (await copies(true, false))).toBe(2);
    });
  });
});
