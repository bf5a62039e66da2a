import { tf, useBackend } from '../../src/model/tf';
import { createRng } from '../../src/common/rng';
import { wasmAdamUpdate, wasmMatMul, wasmTranspose } from '../../src/model/wasm-kernels';

describe('wasm kernels', () => {
  afterAll(async () => {
    await tf.setBackend('cpu');
  });

  it('are not available on the cpu backend', async () => {
    expect(await useBackend('cpu')).toBe(true);
    expect(wasmAdamUpdate(tf.backend())).toBeUndefined();
    expect(wasmTranspose(tf.backend())).toBeUndefined();
    expect(wasmMatMul(tf.backend())).toBeUndefined();
  });

  it("compute Adam's update of 7 numbers (one four-lane step, three scalar ones) in float32, operation by operation", async () => {
    expect(await useBackend('wasm')).toBe(true);
    const update = wasmAdamUpdate(tf.backend());
    expect(update).toBeDefined();
    const x = [1, -2, 0.5, 3, 0, 7, -1e-3];
    const g = [0.5, -2, 1e-7, 0, 3, -0.25, 1];
    const m = [0.1, 0, -0.3, 0.2, 0, 0.01, 1];
    const v = [0.01, 0, 0.04, 1e-6, 0, 0.5, 2];
    const scalars = { beta1: 0.9, beta2: 0.999, stepSize: 0.01, epsilon: 1e-8 };
    const inputs = { x: tf.tensor1d(x), g: tf.tensor1d(g), m: tf.tensor1d(m), v: tf.tensor1d(v) };
    const outputs = tf.tidy(() => ({ x: tf.zeros([7]), m: tf.zeros([7]), v: tf.zeros([7]) }));
    update?.(inputs, outputs, scalars);
    const f = Math.fround;
    const mOut = m.map((mj, j) => f(f(f(mj) * f(0.9)) + f(f(g[j]) * f(0.1))));
    const vOut = v.map((vj, j) => f(f(f(vj) * f(0.999)) + f(f(f(g[j]) * f(g[j])) * f(1 - 0.999))));
    const xOut = x.map((xj, j) => f(f(xj) - f(f(0.01) * f(mOut[j] / f(f(Math.sqrt(vOut[j])) + f(1e-8))))));
    expect(Array.from(outputs.m.dataSync())).toEqual(mOut);
    expect(Array.from(outputs.v.dataSync())).toEqual(vOut);
    expect(Array.from(outputs.x.dataSync())).toEqual(xOut);
    // first number by hand: m' = 0.09 + 0.05, v' = 0.00999 + 0.00025, x' = 1 - 0.01 * 0.14 / 0.10119...
    expect(outputs.x.dataSync()[0]).toBeCloseTo(1 - (0.01 * 0.14) / Math.sqrt(0.01024), 6);
    tf.dispose([...Object.values(inputs), ...Object.values(outputs)]);
  });

  it('transpose a matrix whose sides are not tile multiples', async () => {
    expect(await useBackend('wasm')).toBe(true);
    const transpose = wasmTranspose(tf.backend());
    const [rows, cols] = [19, 35];
    const x = tf.tensor2d(Float32Array.from({ length: rows * cols }, (_, i) => i), [rows, cols]);
    const out = tf.zeros([cols, rows]);
    transpose?.(x, out);
    const t = out.dataSync();
    for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) expect(t[j * rows + i]).toBe(i * cols + j);
    tf.dispose([x, out]);
  });

  /** C = op(A) op(B) + bias in double precision, A [m x k] and B [k x n] as stored (transposed when asked). */
  function referenceProduct(a: Float32Array, b: Float32Array, [m, k, n]: number[], transposeA: boolean, transposeB: boolean, bias?: Float32Array): Float64Array {
    const c = new Float64Array(m * n);
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let sum = bias === undefined ? 0 : bias[j];
        for (let p = 0; p < k; p++) sum += (transposeA ? a[p * m + i] : a[i * k + p]) * (transposeB ? b[j * k + p] : b[p * n + j]);
        c[i * n + j] = sum;
      }
    }
    return c;
  }

  // rows and columns below, at and across the 4 x 8 block; the fast preset's widths; a column count of 1;
  // 1030 rows: a transposed A that is copied first (TRANSPOSED_A_COPY_MIN_ROWS)
  const SHAPES = [[1, 1, 1], [3, 5, 7], [4, 1, 8], [5, 3, 9], [6, 128, 256], [130, 257, 9], [128, 256, 12], [9, 17, 16], [128, 128, 1], [7, 0, 3], [1030, 5, 9]];
  const VARIANTS = [[false, false], [true, false], [false, true]] as const;
  const CASES = SHAPES.flatMap((shape) => VARIANTS.flatMap(([transposeA, transposeB]) => [false, true].map((withBias) => [shape.join('x'), transposeA, transposeB, withBias] as const)));

  it.each(CASES)('multiply %s (transposeA %s, transposeB %s, bias %s) and sum columns as a double-precision loop does, to float rounding', async (shape, transposeA, transposeB, withBias) => {
    expect(await useBackend('wasm')).toBe(true);
    const product = wasmMatMul(tf.backend());
    expect(product).toBeDefined();
    const [m, k, n] = shape.split('x').map(Number);
    const rng = createRng(m * 1000 + k * 10 + n);
    const values = (count: number) => Float32Array.from({ length: count }, () => rng.normal());
    const aValues = values(m * k);
    const bValues = values(k * n);
    const biasValues = values(n);
    const a = tf.tensor2d(aValues, transposeA ? [k, m] : [m, k]);
    const b = tf.tensor2d(bValues, transposeB ? [n, k] : [k, n]);
    const bias = tf.tensor1d(biasValues);
    const out = tf.fill([m, n], Number.NaN); // every number must be written
    const sums = tf.fill([n], Number.NaN);
    product?.({ a, b, transposeA, transposeB, bias: withBias ? bias : undefined, columnSumsOut: sums }, out);
    // 1ᵀ op(B): the product of a row of ones with op(B)
    const expectedSums = referenceProduct(new Float32Array(k).fill(1), bValues, [1, k, n], false, transposeB);
    const sumBound = referenceProduct(new Float32Array(k).fill(1), bValues.map(Math.abs), [1, k, n], false, transposeB);
    const actualSums = sums.dataSync();
    expectedSums.forEach((x, j) => expect(Math.abs(actualSums[j] - x)).toBeLessThanOrEqual((k + 1) * 2 ** -23 * sumBound[j]));
    sums.dispose();
    const expected = referenceProduct(aValues, bValues, [m, k, n], transposeA, transposeB, withBias ? biasValues : undefined);
    const c = out.dataSync();
    expect(c.length).toBe(m * n);
    // float32 sums of k products: relative error within k ulps of the sum of the magnitudes
    const magnitudes = referenceProduct(aValues.map(Math.abs), bValues.map(Math.abs), [m, k, n], transposeA, transposeB, withBias ? biasValues.map(Math.abs) : undefined);
    expected.forEach((x, i) => expect(Math.abs(c[i] - x)).toBeLessThanOrEqual((k + 1) * 2 ** -23 * magnitudes[i]));
    tf.dispose([a, b, bias, out]);
  });

  it.each([0, 0.01])('rectifies with slope %d after the bias: max(x, 0) + slope min(x, 0), as tfjs computes ReLU and LeakyReLU', async (slope) => {
    expect(await useBackend('wasm')).toBe(true);
    const rng = createRng(3);
    const a = tf.tensor2d(Float32Array.from({ length: 13 * 21 }, () => rng.normal()), [13, 21]);
    const b = tf.tensor2d(Float32Array.from({ length: 21 * 19 }, () => rng.normal()), [21, 19]);
    const bias = tf.tensor1d(Float32Array.from({ length: 19 }, () => rng.normal()));
    const plain = tf.zeros([13, 19]);
    const rectified = tf.zeros([13, 19]);
    const product = wasmMatMul(tf.backend());
    product?.({ a, b, transposeA: false, transposeB: false, bias }, plain);
    product?.({ a, b, transposeA: false, transposeB: false, bias, rectifierSlope: slope }, rectified);
    const expected = slope === 0 ? tf.relu(plain) : tf.leakyRelu(plain, slope);
    expect(Array.from(rectified.dataSync())).toEqual(Array.from(expected.dataSync()));
    expect(Array.from(plain.dataSync()).some((x) => x < 0)).toBe(true);
    tf.dispose([a, b, bias, plain, rectified, expected]);
  });

  it('multiplies [2 x 3] by [3 x 2] by hand', async () => {
    expect(await useBackend('wasm')).toBe(true);
    const a = tf.tensor2d([[1, 2, 3], [4, 5, 6]]);
    const b = tf.tensor2d([[1, 0], [0, 1], [2, -1]]);
    const out = tf.zeros([2, 2]);
    wasmMatMul(tf.backend())?.({ a, b, transposeA: false, transposeB: false, bias: tf.tensor1d([10, 20]) }, out);
    // [1 + 6, 2 - 3] + [10, 20] and [4 + 12, 5 - 6] + [10, 20]
    expect(Array.from(out.dataSync())).toEqual([17, 19, 26, 19]);
    tf.dispose([a, b, out]);
  });
});
