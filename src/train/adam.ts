import { tf } from '../model/tf';

/** Adam hyper-parameters (PyTorch's defaults apart from the learning rate). */
export interface AdamConfig {
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
}

export const ADAM_DEFAULTS: AdamConfig = { beta1: 0.9, beta2: 0.999, epsilon: 1e-8 };

/**
 * Adam's state: first and second moments of all variables, flattened and concatenated in variable
 * order, and the step count. One flat tensor per moment lets a step update every variable with a
 * dozen kernels instead of a dozen per variable (small models are bound by kernel dispatch), and a
 * checkpoint holds it, so training resumes exactly.
 */
export interface AdamState {
  readonly config: AdamConfig;
  /** Number of elements of each variable, in order. */
  readonly sizes: readonly number[];
  readonly m: tf.Variable<tf.Rank.R1>;
  readonly v: tf.Variable<tf.Rank.R1>;
  step: number;
}

export function createAdam(variables: readonly tf.Variable[], config: AdamConfig = ADAM_DEFAULTS): AdamState {
  const sizes = variables.map((x) => x.size);
  const total = sizes.reduce((a, b) => a + b, 0);
  return {
    config,
    sizes,
    m: tf.tidy(() => tf.variable(tf.zeros([total]), false)) as tf.Variable<tf.Rank.R1>,
    v: tf.tidy(() => tf.variable(tf.zeros([total]), false)) as tf.Variable<tf.Rank.R1>,
    step: 0,
  };
}

/** Adam state from saved flat moments. */
export function restoreAdam(sizes: readonly number[], m: tf.Tensor1D, v: tf.Tensor1D, step: number, config: AdamConfig = ADAM_DEFAULTS): AdamState {
  return { config, sizes, m: tf.variable(m, false), v: tf.variable(v, false), step };
}

/**
 * One bias-corrected Adam update at learning rate `lr` of `variables`, which are the state's
 * variables `first`, `first + 1`, ... (a contiguous run, e.g. only the predictor heads), with `grads`
 * in the same order.
 */
export function adamStep(state: AdamState, variables: readonly tf.Variable[], grads: readonly tf.Tensor[], lr: number, first = 0): void {
  const { beta1, beta2, epsilon } = state.config;
  const sizes = state.sizes.slice(first, first + variables.length);
  const start = state.sizes.slice(0, first).reduce((a, b) => a + b, 0);
  const length = sizes.reduce((a, b) => a + b, 0);
  const total = state.m.size;
  state.step += 1;
  const correction2 = Math.sqrt(1 - beta2 ** state.step);
  const stepSize = (lr * correction2) / (1 - beta1 ** state.step);
  tf.tidy(() => {
    const g = tf.concat(grads.map((x) => tf.reshape(x, [-1])));
    const whole = start === 0 && length === total;
    const mOld = whole ? state.m : tf.slice(state.m, start, length);
    const vOld = whole ? state.v : tf.slice(state.v, start, length);
    const m: tf.Tensor1D = tf.add(mOld, tf.mul(1 - beta1, tf.sub(g, mOld)));
    const v: tf.Tensor1D = tf.add(vOld, tf.mul(1 - beta2, tf.sub(tf.square(g), vOld)));
    const update = tf.mul(stepSize, tf.div(m, tf.add(tf.sqrt(v), epsilon * correction2)));
    tf.split(update, sizes).forEach((u, i) => variables[i].assign(tf.sub(variables[i], tf.reshape(u, variables[i].shape))));
    const spliced = (all: tf.Tensor1D, part: tf.Tensor1D): tf.Tensor1D =>
      whole ? part : tf.concat([tf.slice(all, 0, start), part, tf.slice(all, start + length, total - start - length)]);
    state.m.assign(spliced(state.m, m));
    state.v.assign(spliced(state.v, v));
  });
}

export function disposeAdam(state: AdamState): void {
  tf.dispose([state.m, state.v]);
}
