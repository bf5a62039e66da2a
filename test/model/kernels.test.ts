import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { transposeMatrix } from '../../src/model/kernels';
import { tf, useBackend } from '../../src/model/tf';

// Shapes around the 16x16 tile: smaller, not a multiple, a single row or column, dense-layer sized.
const SHAPES: [number, number][] = [[1, 1], [3, 5], [1, 40], [40, 1], [17, 33], [128, 256]];

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
    const values = t.dataSync();
    for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) expect(values[j * rows + i]).toBe(i * cols * 0.5 + j * 0.5 - 3);
    expect(await kernelNames(() => transposeMatrix(x))).toEqual(['VaesaTranspose2D']);
    tf.dispose([x, t]);
  });

  it('is differentiable: d sum(transpose(x) * w) / dx = transpose(w)', () => {
    const x = matrix(3, 5);
    const w = tf.tensor2d(Float32Array.from({ length: 15 }, (_, i) => i), [5, 3]);
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
    const x = matrix(17, 33);
    expect(await kernelNames(() => transposeMatrix(x))).toEqual(['Transpose']);
    expect(Array.from(transposeMatrix(x).dataSync())).toEqual(Array.from(tf.transpose(x).dataSync()));
    x.dispose();
  });
});
