import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { tf, useBackend } from '../../src/model/tf';
import { adamStep, adamStepWithOps, createAdam, disposeAdam, type AdamState } from '../../src/train/adam';

describe('adamStep', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it("moves each weight by lr against its gradient's sign on the first step, and matches PyTorch's second step", () => {
    const a = tf.variable(tf.tensor2d([[1, 2]]));
    const b = tf.variable(tf.tensor1d([3]));
    const state = createAdam([a, b]);
    adamStep(state, [a, b], [tf.tensor2d([[0.5, -2]]), tf.tensor1d([1e-3])], 0.1);
    expect(Array.from(a.dataSync()).map((x) => +x.toFixed(5))).toEqual([0.9, 2.1]);
    expect(b.dataSync()[0]).toBeCloseTo(2.9, 5);
    // second step with gradient 0.5 again on a[0]: m = 0.095, v = 0.00049975; corrected m 0.5, v 0.25
    adamStep(state, [a, b], [tf.tensor2d([[0.5, 0]]), tf.tensor1d([0])], 0.1);
    expect(a.dataSync()[0]).toBeCloseTo(0.8, 5);
    expect(state.step).toBe(2);
    disposeAdam(state);
    tf.dispose([a, b]);
  });

  it('updates only the given slots, keeping the other variables and their moments', () => {
    const a = tf.variable(tf.tensor1d([1, 1]));
    const b = tf.variable(tf.tensor1d([5]));
    const state = createAdam([a, b]);
    adamStep(state, [b], [tf.tensor1d([-4])], 0.5, [1]);
    expect(Array.from(a.dataSync())).toEqual([1, 1]);
    expect(b.dataSync()[0]).toBeCloseTo(5.5, 5);
    expect(Array.from(state.m[0].dataSync())).toEqual([0, 0]);
    expect(state.m[1].dataSync()[0]).toBeCloseTo(-0.4, 6);
    disposeAdam(state);
    tf.dispose([a, b]);
  });

  /** Variables of mixed shapes (a matrix, a bias, a scalar-like one), each seeded, and five steps of seeded gradients. */
  async function trainFiveSteps(step: typeof adamStep): Promise<{ weights: Float32Array[]; state: AdamState; kernelsPerStep: number[] }> {
    const shapes = [[32, 16], [16], [1]];
    const vars = shapes.map((s, i) => tf.variable(tf.randomNormal(s, 0, 1, 'float32', i + 1)));
    const state = createAdam(vars);
    const kernelsPerStep: number[] = [];
    for (let k = 0; k < 5; k++) {
      // step 2 has tiny gradients, so epsilon matters in the update
      const grads = shapes.map((s, i) => tf.randomNormal(s, 0, k === 2 ? 1e-7 : 1, 'float32', 100 * k + i + 1));
      const before = tf.memory().numTensors;
      kernelsPerStep.push((await tf.profile(() => step(state, vars, grads, 0.01))).kernels.length);
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose(grads);
    }
    const weights = vars.map((v) => v.dataSync() as Float32Array);
    tf.dispose(vars);
    return { weights, state, kernelsPerStep };
  }

  it('updates all variables in one kernel on cpu, bit for bit as the per-variable tfjs ops do', async () => {
    const fused = await trainFiveSteps(adamStep);
    const ops = await trainFiveSteps(adamStepWithOps);
    expect(fused.kernelsPerStep).toEqual([1, 1, 1, 1, 1]);
    expect(ops.kernelsPerStep).toEqual([36, 36, 36, 36, 36]);
    fused.weights.forEach((w, i) => expect(Array.from(w)).toEqual(Array.from(ops.weights[i])));
    fused.state.m.forEach((m, i) => expect(Array.from(m.dataSync())).toEqual(Array.from(ops.state.m[i].dataSync())));
    fused.state.v.forEach((v, i) => expect(Array.from(v.dataSync())).toEqual(Array.from(ops.state.v[i].dataSync())));
    expect(fused.state.step).toBe(5);
    disposeAdam(fused.state);
    disposeAdam(ops.state);
  });

  it('falls back to the tfjs ops on a backend without float32 buffer access', async () => {
    const reference = await trainFiveSteps(adamStep);
    tf.registerBackend('adam-test-backend', () => new MathBackendCPU());
    tf.copyRegisteredKernels('cpu', 'adam-test-backend');
    await tf.setBackend('adam-test-backend');
    try {
      const other = await trainFiveSteps(adamStep);
      expect(other.kernelsPerStep).toEqual([36, 36, 36, 36, 36]);
      other.weights.forEach((w, i) => expect(Array.from(w)).toEqual(Array.from(reference.weights[i])));
      disposeAdam(other.state);
    } finally {
      await tf.setBackend('cpu');
      tf.removeBackend('adam-test-backend');
    }
    disposeAdam(reference.state);
  });
});

describe('adamStep on the wasm backend', () => {
  beforeAll(async () => {
    expect(await useBackend('wasm')).toBe(true);
  });
  afterAll(async () => {
    await tf.setBackend('cpu');
  });

  it('updates all variables in one kernel (WebAssembly SIMD), bit for bit as the ops alone', async () => {
    // sizes that are not multiples of four exercise the function's scalar tail after the four-lane loop
    const shapes = [[128, 128], [64, 63], [63], [1]];
    const run = async (step: typeof adamStep) => {
      const vars = shapes.map((s, i) => tf.variable(tf.randomNormal(s, 0, 1, 'float32', i + 1)));
      const state = createAdam(vars);
      const kernels: number[] = [];
      for (let k = 0; k < 3; k++) {
        // step 1 has tiny gradients, so epsilon matters in the update
        const grads = shapes.map((s, i) => tf.randomNormal(s, 0, k === 1 ? 1e-7 : 1, 'float32', 100 * k + i + 1));
        kernels.push((await tf.profile(() => step(state, vars, grads, 0.01))).kernels.length);
        tf.dispose(grads);
      }
      const weights = vars.map((v) => Array.from(v.dataSync()));
      const moments = [...state.m, ...state.v].map((t) => Array.from(t.dataSync()));
      tf.dispose(vars);
      disposeAdam(state);
      return { weights, moments, kernels };
    };
    const fused = await run(adamStep);
    const ops = await run(adamStepWithOps);
    expect(fused.kernels).toEqual([1, 1, 1]);
    expect(ops.kernels).toEqual([48, 48, 48]);
    expect(fused.weights).toEqual(ops.weights);
    expect(fused.moments).toEqual(ops.moments);
  });
});
