import { tf } from '../../src/model/tf';
import { adamStep, createAdam, disposeAdam } from '../../src/train/adam';

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
});
