import { tf, useBackend } from '../../src/model/tf';
import { wasmAdamUpdate, wasmTranspose } from '../../src/model/wasm-kernels';

describe('wasm kernels', () => {
  afterAll(async () => {
    await tf.setBackend('cpu');
  });

  it('are not available on the cpu backend', async () => {
    expect(await useBackend('cpu')).toBe(true);
    expect(wasmAdamUpdate(tf.backend())).toBeUndefined();
    expect(wasmTranspose(tf.backend())).toBeUndefined();
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
});
