import { customKernelReady, kernelAccess } from '../model/kernels';
import { type AdamUpdateScalars, wasmAdamUpdate } from '../model/wasm-kernels';
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
 *
 * On the cpu and wasm backends one kernel (`adamKernel`) updates every variable up to the backend's
 * `fusedSizeLimit` numbers, on wasm through a small WebAssembly SIMD function (`wasmAdamUpdate`),
 * on cpu (or a wasm runtime without SIMD) through a JavaScript loop; larger variables, and all
 * variables on any other backend (e.g. a user's tfjs-node-gpu), take `adamStepWithOps`'s 12 tfjs
 * ops each. All paths compute the same float32 operations in the same order, so they agree bit for bit.
 */
export function adamStep(
  state: AdamState,
  variables: readonly tf.Variable[],
  grads: readonly tf.Tensor[],
  lr: number,
  slots: readonly number[] = variables.map((_, i) => i),
): void {
  const constants = nextStepConstants(state, lr);
  const limit = customKernelReady(ADAM_KERNEL, adamKernel) ? fusedSizeLimit(tf.backend()) : 0;
  const fused = variables.map((x) => x.size <= limit);
  const pick = <T>(list: readonly T[], wanted: boolean): T[] => list.filter((_, i) => fused[i] === wanted);
  if (fused.some((f) => f)) adamStepFused(state, pick(variables, true), pick(grads, true), constants, pick(slots, true));
  if (fused.some((f) => !f)) applyWithOps(state, pick(variables, false), pick(grads, false), constants, pick(slots, false));
}

/**
 * The largest variable (in numbers) the fused kernel updates on a backend. Measured per variable
 * (`npx tsx bench/train.ts adam`): on wasm the SIMD function beats the 12 wasm ops at every size
 * (65,536 numbers: ~35 against ~210 µs), but a JavaScript loop (no SIMD) costs ~4 µs plus ~10 ns
 * per number against the ops' ~50 µs of dispatch plus ~3 ns per number: ahead up to 4,096 numbers
 * (42 against 62 µs), about level at 8,192; on cpu the ops are 12 JavaScript loops, so the single
 * loop always wins (10x).
 */
function fusedSizeLimit(backend: object): number {
  if (tf.getBackend() !== 'wasm' || wasmAdamUpdate(backend) !== undefined) return Number.POSITIVE_INFINITY;
  return 4096;
}

/** `adamStep` through tfjs ops only (12 kernels per variable): the path of backends without the fused kernel. */
export function adamStepWithOps(
  state: AdamState,
  variables: readonly tf.Variable[],
  grads: readonly tf.Tensor[],
  lr: number,
  slots: readonly number[] = variables.map((_, i) => i),
): void {
  applyWithOps(state, variables, grads, nextStepConstants(state, lr), slots);
}

/** Advances the step count and returns that step's constants (bias correction folded into step size and epsilon). */
function nextStepConstants(state: AdamState, lr: number): AdamUpdateScalars {
  const { beta1, beta2, epsilon } = state.config;
  state.step += 1;
  const correction2 = Math.sqrt(1 - beta2 ** state.step);
  return { beta1, beta2, stepSize: (lr * correction2) / (1 - beta1 ** state.step), epsilon: epsilon * correction2 };
}

function applyWithOps(
  state: AdamState,
  variables: readonly tf.Variable[],
  grads: readonly tf.Tensor[],
  { beta1, beta2, stepSize, epsilon }: AdamUpdateScalars,
  slots: readonly number[],
): void {
  tf.tidy(() => {
    variables.forEach((x, i) => {
      const g = grads[i];
      const slot = slots[i];
      const m = tf.add(tf.mul(state.m[slot], beta1), tf.mul(g, 1 - beta1));
      const v = tf.add(tf.mul(state.v[slot], beta2), tf.mul(tf.square(g), 1 - beta2));
      state.m[slot].assign(m);
      state.v[slot].assign(v);
      x.assign(tf.sub(x, tf.mul(stepSize, tf.div(m, tf.add(tf.sqrt(v), epsilon)))));
    });
  });
}

const ADAM_KERNEL = 'VaesaAdamUpdate';

function adamStepFused(
  state: AdamState,
  variables: readonly tf.Variable[],
  grads: readonly tf.Tensor[],
  constants: AdamUpdateScalars,
  slots: readonly number[],
): void {
  tf.tidy(() => {
    const inputs: tf.NamedTensorMap = {};
    variables.forEach((x, i) => {
      inputs[`x${i}`] = x;
      inputs[`g${i}`] = grads[i];
      inputs[`m${i}`] = state.m[slots[i]];
      inputs[`v${i}`] = state.v[slots[i]];
    });
    const out = tf.engine().runKernel<tf.Tensor[]>(ADAM_KERNEL, inputs, { count: variables.length, ...constants });
    variables.forEach((x, i) => {
      x.assign(out[3 * i]);
      state.m[slots[i]].assign(out[3 * i + 1]);
      state.v[slots[i]].assign(out[3 * i + 2]);
    });
  });
}

/**
 * The whole Adam update of `count` variables in one kernel: inputs x_i, g_i, m_i, v_i; outputs
 * (x_i', m_i', v_i') per variable, in new buffers (a variable's buffer may be shared with a clone,
 * so nothing is written in place). Each operation is rounded to float32 as the tfjs ops round it.
 */
const adamKernel: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const access = kernelAccess(ADAM_KERNEL, backend);
  const { count, beta1, beta2, stepSize, epsilon } = attrs as unknown as AdamUpdateScalars & { count: number };
  const input = (name: string): tf.TensorInfo => {
    const t = inputs[name];
    if (t === undefined) throw new Error(`${ADAM_KERNEL}: input ${name} missing`);
    return t;
  };
  const outputs: tf.TensorInfo[] = [];
  // Allocate every output before taking any view: an allocation can grow the wasm heap, which detaches earlier views.
  for (let i = 0; i < count; i++) {
    const shape = input(`x${i}`).shape;
    outputs.push(access.allocate(shape), access.allocate(shape), access.allocate(shape));
  }
  const simd = wasmAdamUpdate(backend);
  if (simd !== undefined) {
    for (let i = 0; i < count; i++) {
      const [x, m, v] = outputs.slice(3 * i, 3 * i + 3);
      simd({ x: input(`x${i}`), g: input(`g${i}`), m: input(`m${i}`), v: input(`v${i}`) }, { x, m, v }, { beta1, beta2, stepSize, epsilon });
    }
    return outputs;
  }
  const f = Math.fround;
  const b1 = f(beta1);
  const c1 = f(1 - beta1);
  const b2 = f(beta2);
  const c2 = f(1 - beta2);
  const step = f(stepSize);
  const eps = f(epsilon);
  for (let i = 0; i < count; i++) {
    const x = access.view(input(`x${i}`));
    const g = access.view(input(`g${i}`));
    const m = access.view(input(`m${i}`));
    const v = access.view(input(`v${i}`));
    const xOut = access.view(outputs[3 * i]);
    const mOut = access.view(outputs[3 * i + 1]);
    const vOut = access.view(outputs[3 * i + 2]);
    for (let j = 0; j < x.length; j++) {
      const gj = g[j];
      const mj = f(f(m[j] * b1) + f(gj * c1));
      const vj = f(f(v[j] * b2) + f(f(gj * gj) * c2));
      mOut[j] = mj;
      vOut[j] = vj;
      xOut[j] = x[j] - f(step * f(mj / f(f(Math.sqrt(vj)) + eps)));
    }
  }
  return outputs;
};

export function disposeAdam(state: AdamState): void {
  tf.dispose([...state.m, ...state.v]);
}
