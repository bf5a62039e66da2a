import { tf } from '../model/tf';

/** Adam hyper-parameters (PyTorch's defaults apart from the learning rate). */
export interface AdamConfig {
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
}

export const ADAM_DEFAULTS: AdamConfig = { beta1: 0.9, beta2: 0.999, epsilon: 1e-8 };

/**
 * Adam's state: first and second moment per variable and the step count. Kept as plain tensors
 * (not a tfjs optimizer) so a checkpoint holds it and training resumes exactly.
 */
export interface AdamState {
  readonly config: AdamConfig;
  readonly m: tf.Variable[];
  readonly v: tf.Variable[];
  step: number;
}

export function createAdam(variables: readonly tf.Variable[], config: AdamConfig = ADAM_DEFAULTS): AdamState {
  return {
    config,
    m: variables.map((x) => tf.tidy(() => tf.variable(tf.zerosLike(x), false))),
    v: variables.map((x) => tf.tidy(() => tf.variable(tf.zerosLike(x), false))),
    step: 0,
  };
}

/** Adam state from saved moments (same order and shapes as the variables). */
export function restoreAdam(m: readonly tf.Tensor[], v: readonly tf.Tensor[], step: number, config: AdamConfig = ADAM_DEFAULTS): AdamState {
  return { config, m: m.map((t) => tf.variable(t, false)), v: v.map((t) => tf.variable(t, false)), step };
}

/**
 * One Adam update of `variables` with `grads` (same order) at learning rate `lr`, bias-corrected.
 * `slots[i]` is the moment slot of `variables[i]` (default: the same index), so a subset of the
 * variables the state was created for can be trained.
 */
export function adamStep(
  state: AdamState,
  variables: readonly tf.Variable[],
  grads: readonly tf.Tensor[],
  lr: number,
  slots: readonly number[] = variables.map((_, i) => i),
): void {
  const { beta1, beta2, epsilon } = state.config;
  state.step += 1;
  const stepSize = (lr * Math.sqrt(1 - beta2 ** state.step)) / (1 - beta1 ** state.step);
  tf.tidy(() => {
    variables.forEach((x, i) => {
      const g = grads[i];
      const slot = slots[i];
      const m = tf.add(tf.mul(state.m[slot], beta1), tf.mul(g, 1 - beta1));
      const v = tf.add(tf.mul(state.v[slot], beta2), tf.mul(tf.square(g), 1 - beta2));
      state.m[slot].assign(m);
      state.v[slot].assign(v);
      x.assign(tf.sub(x, tf.mul(stepSize, tf.div(m, tf.add(tf.sqrt(v), epsilon * Math.sqrt(1 - beta2 ** state.step))))));
    });
  });
}

export function disposeAdam(state: AdamState): void {
  tf.dispose([...state.m, ...state.v]);
}
