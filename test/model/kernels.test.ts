import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { transposeMatrix, wasmProduct, wasmWeightGradients } from '../../src/model/kernels';
import { tf, useBackend } from '../../src/model/tf';

// From 4096 numbers (the custom kernel's threshold): tile multiples, not multiples, a single row or column.
const SHAPES: [number, number][] = [[64, 64], [65, 67], [1, 4096], [4096, 1], [128, 256]];

function matrix(rows: number, cols: number): tf.Tensor2D {
  return tf.tensor2d(Float32Array.from({ length: rows * cols }, (_, i) => i * 0.5 - 3), [rows, cols]);
}

async function kernelNames(f: () => tf.Tensor): Promise<string[]> {
  return (await tf.profile(() => void f().dispose())).kernels.map((k) => k.name);
}

describe.each(['cpu', 'wasm'])('transposeMatrix on %s', (backend) => {
  beforeAll(async () => {
    expect(await useBackend(backend)).toBe(true);
  });
  afterAll(async () => {
    await tf.setBackend('cpu');
  });

  it.each(SHAPES)('transposes a %d x %d matrix: element (i, j) moves to (j, i), in one custom kernel', async (rows, cols) => {
    const x = matrix(rows, cols);
    const t = transposeMatrix(x);
    expect(t.shape).toEqual([cols, rows]);
    const expected = new Float32Array(rows * cols);
    for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) expected[j * rows + i] = i * cols * 0.5 + j * 0.5 - 3;
    expect(t.dataSync()).toEqual(expected);
    expect(await kernelNames(() => transposeMatrix(x))).toEqual(['VaesaTranspose2D']);
    tf.dispose([x, t]);
  });

  it("leaves matrices below 4096 numbers to the backend's Transpose", async () => {
    const x = matrix(63, 65);
    expect(await kernelNames(() => transposeMatrix(x))).toEqual(['Transpose']);
    expect(Array.from(transposeMatrix(x).dataSync())).toEqual(Array.from(tf.transpose(x).dataSync()));
    x.dispose();
  });

  it('is differentiable: d sum(transpose(x) * w) / dx = transpose(w)', () => {
    const x = matrix(64, 80);
    const w = tf.tensor2d(Float32Array.from({ length: 64 * 80 }, (_, i) => i % 97), [80, 64]);
    const grad = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(transposeMatrix(v as tf.Tensor2D), w)))(x);
    expect(Array.from(grad.dataSync())).toEqual(Array.from(tf.transpose(w).dataSync()));
    tf.dispose([x, w, grad]);
  });
});

describe('transposeMatrix on a backend without float32 buffer access', () => {
  afterAll(async () => {
    await tf.setBackend('cpu');
    tf.removeBackend('transpose-test-backend');
  });

  it("uses the backend's own Transpose, with the same result", async () => {
    tf.registerBackend('transpose-test-backend', () => new MathBackendCPU());
    tf.copyRegisteredKernels('cpu', 'transpose-test-backend');
    await tf.setBackend('transpose-test-backend');
    const x = matrix(65, 63);
    expect(await kernelNames(() => transposeMatrix(x))).toEqual(['Transpose']);
    expect(Array.from(transposeMatrix(x).dataSync())).toEqual(Array.from(tf.transpose(x).dataSync()));
    x.dispose();
  });
});

describe('wasmProduct', () => {
  afterAll(async () => {
    await tf.setBackend('cpu');
  });

  it('is undefined on the cpu backend (callers keep their tfjs path)', async () => {
    expect(await useBackend('cpu')).toBe(true);
    expect(wasmProduct(matrix(3, 4), matrix(4, 5))).toBeUndefined();
  });

  // op(a) op(b) against tfjs's matMul with the same flags
  it.each([
    [false, false, [5, 7], [7, 9]],
    [true, false, [7, 5], [7, 9]],
    [false, true, [5, 7], [9, 7]],
  ] as const)('on wasm (transposeA %s, transposeB %s) multiplies as tf.matMul in one kernel, and its gradients are tf.matMul\'s', async (transposeA, transposeB, aShape, bShape) => {
    expect(await useBackend('wasm')).toBe(true);
    const a = tf.tensor2d(Float32Array.from({ length: aShape[0] * aShape[1] }, (_, i) => Math.sin(i)), [...aShape]);
    const b = tf.tensor2d(Float32Array.from({ length: bShape[0] * bShape[1] }, (_, i) => Math.cos(i)), [...bShape]);
    const bias = tf.tensor1d(Float32Array.from({ length: 9 }, (_, i) => i - 4));
    const w = tf.tensor2d(Float32Array.from({ length: 45 }, (_, i) => (i % 7) - 3), [5, 9]);
    expect(await kernelNames(() => wasmProduct(a, b, { transposeA, transposeB, bias }) as tf.Tensor)).toEqual(['VaesaMatMul']);
    const ours = (x: tf.Tensor, y: tf.Tensor, c: tf.Tensor) => tf.sum(tf.mul(wasmProduct(x as tf.Tensor2D, y as tf.Tensor2D, { transposeA, transposeB, bias: c as tf.Tensor1D }) as tf.Tensor2D, w));
    const reference = (x: tf.Tensor, y: tf.Tensor, c: tf.Tensor) => tf.sum(tf.mul(tf.add(tf.matMul(x, y, transposeA, transposeB), c), w));
    const close = (x: tf.Tensor, y: tf.Tensor) => {
      expect(x.shape).toEqual(y.shape);
      const yv = y.dataSync();
      x.dataSync().forEach((v, i) => expect(v).toBeCloseTo(yv[i], 4));
    };
    close(ours(a, b, bias), reference(a, b, bias));
    const grads = tf.grads(ours)([a, b, bias]);
    tf.grads(reference)([a, b, bias]).forEach((g, i) => close(grads[i], g));
    expect(() => wasmProduct(a, b, { transposeA: !transposeA, transposeB })).toThrow(RangeError);
    // with a LeakyReLU fused in
    const rectified = (x: tf.Tensor, y: tf.Tensor, c: tf.Tensor) =>
      tf.sum(tf.mul(wasmProduct(x as tf.Tensor2D, y as tf.Tensor2D, { transposeA, transposeB, bias: c as tf.Tensor1D, rectifierSlope: 0.1 }) as tf.Tensor2D, w));
    const rectifiedReference = (x: tf.Tensor, y: tf.Tensor, c: tf.Tensor) => tf.sum(tf.mul(tf.leakyRelu(tf.add(tf.matMul(x, y, transposeA, transposeB), c), 0.1), w));
    close(rectified(a, b, bias), rectifiedReference(a, b, bias));
    const rectifiedGrads = tf.grads(rectified)([a, b, bias]);
    tf.grads(rectifiedReference)([a, b, bias]).forEach((g, i) => close(rectifiedGrads[i], g));
  });
});

describe('wasmWeightGradients', () => {
  afterAll(async () => {
    await tf.setBackend('cpu');
  });

  it('is undefined on the cpu backend', async () => {
    expect(await useBackend('cpu')).toBe(true);
    expect(wasmWeightGradients(matrix(3, 4), matrix(3, 5))).toBeUndefined();
  });

  it('gives xᵀ·dz and the column sums of dz in one kernel on wasm', async () => {
    expect(await useBackend('wasm')).toBe(true);
    const x = tf.tensor2d(Float32Array.from({ length: 13 * 6 }, (_, i) => Math.sin(i)), [13, 6]);
    const dz = tf.tensor2d(Float32Array.from({ length: 13 * 19 }, (_, i) => Math.cos(i)), [13, 19]);
    expect((await tf.profile(() => void tf.dispose(Object.values(wasmWeightGradients(x, dz) ?? {})))).kernels.map((k) => k.name)).toEqual(['VaesaDenseWeightGradients']);
    const grads = wasmWeightGradients(x, dz);
    const dkernel = tf.matMul(x, dz, true, false);
    const dbias = tf.sum(dz, 0);
    expect(grads?.dkernel.shape).toEqual([6, 19]);
    expect(grads?.dbias.shape).toEqual([19]);
    grads?.dkernel.dataSync().forEach((v, i) => expect(v).toBeCloseTo(dkernel.dataSync()[i], 5));
    grads?.dbias.dataSync().forEach((v, i) => expect(v).toBeCloseTo(dbias.dataSync()[i], 5));
    expect(() => wasmWeightGradients(x, tf.zeros([12, 19]) as tf.Tensor2D)).toThrow(RangeError);
    tf.dispose([x, dz, dkernel, dbias, ...Object.values(grads ?? {})]);
  });
});
