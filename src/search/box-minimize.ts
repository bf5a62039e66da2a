/**
 * Minimisation of a smooth function inside a box by the spectral projected gradient method
 * (Birgin, Martinez & Raydan 2000): projected steps with Barzilai-Borwein step lengths and a
 * non-monotone Armijo line search. Used for GP hyperparameters (a box in log space) and for
 * acquisition functions (the search box). Needs only values and gradients, allocates little.
 */

/** A function value with its gradient. */
export interface ValueAndGradient {
  readonly value: number;
  readonly gradient: ArrayLike<number>;
}

export interface BoxMinimizeOptions {
  readonly maxIterations?: number;
  /** Stop when the projected gradient step's largest component is below this. */
  readonly tolerance?: number;
}

export interface BoxMinimum {
  readonly x: number[];
  readonly value: number;
  readonly iterations: number;
}

const HISTORY = 10;
const ARMIJO = 1e-4;
const STEP_MIN = 1e-10;
const STEP_MAX = 1e10;

/** Clamps `x` into [lower, upper] in place and returns it. */
export function projectToBox(x: number[], lower: readonly number[], upper: readonly number[]): number[] {
  for (let i = 0; i < x.length; i++) x[i] = Math.min(upper[i], Math.max(lower[i], x[i]));
  return x;
}

/**
 * Minimises `f` over the box [lower, upper] from `start`. Non-finite values are treated as
 * +infinity (the line search backs off from them). Returns the best point seen.
 */
export function boxMinimize(
  f: (x: readonly number[]) => ValueAndGradient,
  start: readonly number[],
  lower: readonly number[],
  upper: readonly number[],
  options: BoxMinimizeOptions = {},
): BoxMinimum {
  const maxIterations = options.maxIterations ?? 100;
  const tolerance = options.tolerance ?? 1e-6;
  const d = start.length;
  let x = projectToBox(start.slice(), lower, upper);
  let current = f(x);
  if (!Number.isFinite(current.value)) return { x, value: current.value, iterations: 0 };
  let g = Array.from(current.gradient);
  const recent: number[] = [current.value];
  let step = 1 / Math.max(STEP_MIN, projectedStepNorm(x, g, 1, lower, upper));
  step = Math.min(STEP_MAX, Math.max(STEP_MIN, step));
  const direction = new Array<number>(d);
  const trial = new Array<number>(d);
  let best = { x: x.slice(), value: current.value };
  let iterations = 0;
  for (; iterations < maxIterations; iterations++) {
    for (let i = 0; i < d; i++) direction[i] = Math.min(upper[i], Math.max(lower[i], x[i] - step * g[i])) - x[i];
    let largest = 0;
    let slope = 0;
    for (let i = 0; i < d; i++) {
      largest = Math.max(largest, Math.abs(direction[i]));
      slope += g[i] * direction[i];
    }
    if (largest < tolerance || !(slope < 0)) break;
    const reference = Math.max(...recent);
    let lambda = 1;
    let next: ValueAndGradient | undefined;
    for (let backtrack = 0; backtrack < 40; backtrack++) {
      for (let i = 0; i < d; i++) trial[i] = x[i] + lambda * direction[i];
      const candidate = f(trial);
      if (Number.isFinite(candidate.value) && candidate.value <= reference + ARMIJO * lambda * slope) {
        next = candidate;
        break;
      }
      lambda *= 0.5;
    }
    if (next === undefined) break;
    let ss = 0;
    let sy = 0;
    for (let i = 0; i < d; i++) {
      const s = trial[i] - x[i];
      const y = next.gradient[i] - g[i];
      ss += s * s;
      sy += s * y;
    }
    x = trial.slice();
    g = Array.from(next.gradient);
    current = next;
    if (current.value < best.value) best = { x: x.slice(), value: current.value };
    recent.push(current.value);
    if (recent.length > HISTORY) recent.shift();
    step = sy > 0 ? Math.min(STEP_MAX, Math.max(STEP_MIN, ss / sy)) : STEP_MAX;
  }
  return { x: best.x, value: best.value, iterations };
}

function projectedStepNorm(
  x: readonly number[],
  g: readonly number[],
  step: number,
  lower: readonly number[],
  upper: readonly number[],
): number {
  let largest = 0;
  for (let i = 0; i < x.length; i++) {
    largest = Math.max(largest, Math.abs(Math.min(upper[i], Math.max(lower[i], x[i] - step * g[i])) - x[i]));
  }
  return largest;
}
