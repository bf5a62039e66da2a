import type { Rng } from '../common/rng';
import { boxMinimize, type ValueAndGradient } from './box-minimize';
import { cholesky, choleskyInverse, choleskyLogDet, choleskySolve, solveLower, type Cholesky } from './linalg';

/**
 * Gaussian-process regression with a Matern-5/2 kernel
 *   k(x, x') = s² (1 + √5 r + 5r²/3) exp(-√5 r),  r² = Σ_d (x_d - x'_d)² / l_d²
 * plus Gaussian observation noise σn². Lengthscales are per dimension (ARD) or shared (isotropic).
 */

/** Whether each input dimension has its own lengthscale. */
export type GpKernel = 'ard' | 'isotropic';

export interface GpHyperparameters {
  /** One per input dimension (all equal for an isotropic kernel). */
  readonly lengthscales: readonly number[];
  /** s², the prior variance of the latent function. */
  readonly signalVariance: number;
  /** σn², the observation noise variance. */
  readonly noiseVariance: number;
}

/** The latent function's posterior at one point (variance excludes observation noise). */
export interface GpPrediction {
  readonly mean: number;
  readonly variance: number;
}

export interface GpPredictionWithGradient extends GpPrediction {
  readonly meanGradient: number[];
  readonly varianceGradient: number[];
}

/** A GP conditioned on data. */
export interface GpPosterior {
  readonly hyperparameters: GpHyperparameters;
  /** log p(y | X, θ) of the data the posterior was conditioned on (in the units it was fitted in). */
  readonly logMarginalLikelihood: number;
  predict(x: readonly number[]): GpPrediction;
  predictWithGradient(x: readonly number[]): GpPredictionWithGradient;
}

const SQRT5 = Math.sqrt(5);

/** Matern-5/2 correlation at distance r (signal variance 1). */
export function matern52(r: number): number {
  return (1 + SQRT5 * r + (5 / 3) * r * r) * Math.exp(-SQRT5 * r);
}

/** Matern-5/2 covariance between two points. */
export function maternCovariance(a: readonly number[], b: readonly number[], hyper: GpHyperparameters): number {
  let r2 = 0;
  for (let d = 0; d < a.length; d++) {
    const t = (a[d] - b[d]) / hyper.lengthscales[d];
    r2 += t * t;
  }
  return hyper.signalVariance * matern52(Math.sqrt(r2));
}

function checkData(xs: readonly (readonly number[])[], ys: readonly number[]): number {
  if (xs.length === 0 || xs.length !== ys.length) {
    throw new RangeError(`gp: need as many targets as points (got ${xs.length} points, ${ys.length} targets), at least one`);
  }
  const dim = xs[0].length;
  if (xs.some((x) => x.length !== dim)) throw new RangeError('gp: all points must have the same dimension');
  return dim;
}

/**
 * Conditions a zero-mean GP with fixed hyperparameters on (xs, ys).
 * Posterior mean k(x)ᵀ (K + σn² I)⁻¹ y and variance s² - k(x)ᵀ (K + σn² I)⁻¹ k(x).
 */
export function conditionGp(
  xs: readonly (readonly number[])[],
  ys: readonly number[],
  hyper: GpHyperparameters,
): GpPosterior {
  const dim = checkData(xs, ys);
  if (hyper.lengthscales.length !== dim) throw new RangeError(`gp: expected ${dim} lengthscales, got ${hyper.lengthscales.length}`);
  const n = xs.length;
  const k = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      const v = maternCovariance(xs[i], xs[j], hyper);
      k[i * n + j] = v;
      k[j * n + i] = v;
    }
    k[i * n + i] += hyper.noiseVariance;
  }
  const chol = cholesky(k, n);
  const alpha = choleskySolve(chol, ys);
  let fit = 0;
  for (let i = 0; i < n; i++) fit += ys[i] * alpha[i];
  const logMarginalLikelihood = -0.5 * fit - 0.5 * choleskyLogDet(chol) - 0.5 * n * Math.log(2 * Math.PI);
  return makePosterior(xs, hyper, chol, alpha, logMarginalLikelihood);
}

function makePosterior(
  xs: readonly (readonly number[])[],
  hyper: GpHyperparameters,
  chol: Cholesky,
  alpha: Float64Array,
  logMarginalLikelihood: number,
): GpPosterior {
  const n = xs.length;
  const dim = hyper.lengthscales.length;
  const inverseSquaredLengths = hyper.lengthscales.map((l) => 1 / (l * l));
  const kx = new Float64Array(n);
  const predict = (x: readonly number[]): GpPrediction => {
    let mean = 0;
    for (let i = 0; i < n; i++) {
      kx[i] = maternCovariance(x, xs[i], hyper);
      mean += kx[i] * alpha[i];
    }
    const v = solveLower(chol, kx);
    let explained = 0;
    for (let i = 0; i < n; i++) explained += v[i] * v[i];
    return { mean, variance: Math.max(0, hyper.signalVariance - explained) };
  };
  const predictWithGradient = (x: readonly number[]): GpPredictionWithGradient => {
    // dk/dx_d = -(5/3) s² (1 + √5 r) exp(-√5 r) (x_d - x_id) / l_d²
    const dk = new Float64Array(n * dim);
    let mean = 0;
    for (let i = 0; i < n; i++) {
      let r2 = 0;
      for (let d = 0; d < dim; d++) {
        const t = x[d] - xs[i][d];
        r2 += t * t * inverseSquaredLengths[d];
      }
      const r = Math.sqrt(r2);
      const e = Math.exp(-SQRT5 * r);
      kx[i] = hyper.signalVariance * (1 + SQRT5 * r + (5 / 3) * r2) * e;
      mean += kx[i] * alpha[i];
      const slope = -(5 / 3) * hyper.signalVariance * (1 + SQRT5 * r) * e;
      for (let d = 0; d < dim; d++) dk[i * dim + d] = slope * (x[d] - xs[i][d]) * inverseSquaredLengths[d];
    }
    const w = choleskySolve(chol, kx);
    let explained = 0;
    for (let i = 0; i < n; i++) explained += kx[i] * w[i];
    const meanGradient = new Array<number>(dim).fill(0);
    const varianceGradient = new Array<number>(dim).fill(0);
    for (let i = 0; i < n; i++) {
      for (let d = 0; d < dim; d++) {
        meanGradient[d] += dk[i * dim + d] * alpha[i];
        varianceGradient[d] -= 2 * dk[i * dim + d] * w[i];
      }
    }
    const variance = hyper.signalVariance - explained;
    if (variance <= 0) varianceGradient.fill(0);
    return { mean, variance: Math.max(0, variance), meanGradient, varianceGradient };
  };
  return { hyperparameters: hyper, logMarginalLikelihood, predict, predictWithGradient };
}

/** Box (in natural units) the fitted hyperparameters stay in; inputs are expected in the unit cube and targets standardised. */
export interface GpHyperparameterBounds {
  readonly lengthscale: readonly [number, number];
  readonly signalVariance: readonly [number, number];
  readonly noiseVariance: readonly [number, number];
}

export const defaultGpBounds: GpHyperparameterBounds = {
  lengthscale: [1e-2, 1e1],
  signalVariance: [1e-2, 1e2],
  noiseVariance: [1e-6, 1],
};

export interface FitGpOptions {
  readonly kernel?: GpKernel;
  /** Random starting points for the likelihood maximisation, besides `initial` (default 3). */
  readonly restarts?: number;
  /** A starting point, e.g. the previous fit's hyperparameters (warm start). */
  readonly initial?: GpHyperparameters;
  readonly bounds?: GpHyperparameterBounds;
  /** Iterations of the local optimiser per start (default 60). */
  readonly maxIterations?: number;
  /** Condition on `initial` as it is, without maximising the likelihood (one O(n³/6) factorisation). */
  readonly keepInitial?: boolean;
}

/** A GP fitted to data: posterior in the data's units, hyperparameters in standardised units. */
export interface FittedGp {
  readonly posterior: GpPosterior;
  /** Hyperparameters for the standardised targets (y - mean) / std; pass back as `initial` to warm-start. */
  readonly hyperparameters: GpHyperparameters;
  readonly yMean: number;
  readonly yStd: number;
}

/**
 * Fits a GP: targets are standardised (constant prior mean = their mean), then the hyperparameters
 * maximise the log marginal likelihood, by multi-start projected-gradient ascent on log-parameters
 * with analytic gradients. The returned posterior predicts in the original units.
 */
export function fitGp(
  xs: readonly (readonly number[])[],
  ys: readonly number[],
  rng: Rng,
  options: FitGpOptions = {},
): FittedGp {
  const dim = checkData(xs, ys);
  const kernel = options.kernel ?? 'ard';
  const bounds = options.bounds ?? defaultGpBounds;
  const n = ys.length;
  const yMean = ys.reduce((a, b) => a + b, 0) / n;
  const spread = Math.sqrt(ys.reduce((a, b) => a + (b - yMean) ** 2, 0) / n);
  const yStd = spread > 1e-12 ? spread : 1;
  const z = ys.map((y) => (y - yMean) / yStd);
  if (options.keepInitial === true) {
    if (options.initial === undefined) throw new RangeError('fitGp: keepInitial needs initial hyperparameters');
    const standardised = conditionGp(xs, z, options.initial);
    return { posterior: rescalePosterior(standardised, yMean, yStd), hyperparameters: options.initial, yMean, yStd };
  }

  const lengthParams = kernel === 'ard' ? dim : 1;
  const lower = [
    ...new Array<number>(lengthParams).fill(Math.log(bounds.lengthscale[0])),
    Math.log(bounds.signalVariance[0]),
    Math.log(bounds.noiseVariance[0]),
  ];
  const upper = [
    ...new Array<number>(lengthParams).fill(Math.log(bounds.lengthscale[1])),
    Math.log(bounds.signalVariance[1]),
    Math.log(bounds.noiseVariance[1]),
  ];
  const toHyper = (theta: readonly number[]): GpHyperparameters => ({
    lengthscales: Array.from({ length: dim }, (_, d) => Math.exp(theta[kernel === 'ard' ? d : 0])),
    signalVariance: Math.exp(theta[lengthParams]),
    noiseVariance: Math.exp(theta[lengthParams + 1]),
  });
  const groups = squaredDistanceGroups(xs, kernel);
  const objective = (theta: readonly number[]): ValueAndGradient => negativeLogLikelihood(z, groups, toHyper(theta));

  const starts: number[][] = [];
  if (options.initial !== undefined) {
    const init = options.initial;
    const ls = kernel === 'ard' ? init.lengthscales : [geometricMean(init.lengthscales)];
    starts.push([...ls.map(Math.log), Math.log(init.signalVariance), Math.log(init.noiseVariance)]);
  } else {
    starts.push([...new Array<number>(lengthParams).fill(Math.log(0.3)), 0, Math.log(1e-3)]);
  }
  const restarts = options.restarts ?? 3;
  for (let s = 0; s < restarts; s++) starts.push(lower.map((lo, i) => rng.uniform(lo, upper[i])));

  let best: { theta: number[]; value: number } | undefined;
  for (const start of starts) {
    const result = boxMinimize(objective, start, lower, upper, { maxIterations: options.maxIterations ?? 60 });
    if (Number.isFinite(result.value) && (best === undefined || result.value < best.value)) best = { theta: result.x, value: result.value };
  }
  if (best === undefined) throw new RangeError('fitGp: the likelihood is not finite at any starting point');
  const hyperparameters = toHyper(best.theta);
  const standardised = conditionGp(xs, z, hyperparameters);
  return { posterior: rescalePosterior(standardised, yMean, yStd), hyperparameters, yMean, yStd };
}

function geometricMean(values: readonly number[]): number {
  return Math.exp(values.reduce((a, v) => a + Math.log(v), 0) / values.length);
}

function rescalePosterior(p: GpPosterior, mean: number, scale: number): GpPosterior {
  const s2 = scale * scale;
  return {
    hyperparameters: p.hyperparameters,
    logMarginalLikelihood: p.logMarginalLikelihood,
    predict: (x) => {
      const r = p.predict(x);
      return { mean: mean + scale * r.mean, variance: s2 * r.variance };
    },
    predictWithGradient: (x) => {
      const r = p.predictWithGradient(x);
      return {
        mean: mean + scale * r.mean,
        variance: s2 * r.variance,
        meanGradient: r.meanGradient.map((g) => g * scale),
        varianceGradient: r.varianceGradient.map((g) => g * s2),
      };
    },
  };
}

/**
 * The squared differences the likelihood needs, one n*n matrix (lower triangle filled) per lengthscale
 * parameter: per dimension for ARD; for an isotropic kernel the squared distance, summed once here
 * instead of in every likelihood evaluation.
 */
function squaredDistanceGroups(xs: readonly (readonly number[])[], kernel: GpKernel): Float64Array[] {
  const n = xs.length;
  const dim = xs[0].length;
  const groups = Array.from({ length: kernel === 'ard' ? dim : 1 }, () => new Float64Array(n * n));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) {
      for (let d = 0; d < dim; d++) {
        const t = xs[i][d] - xs[j][d];
        groups[kernel === 'ard' ? d : 0][i * n + j] += t * t;
      }
    }
  }
  return groups;
}

/**
 * -log p(y | X, θ) and its gradient w.r.t. θ = (log lengthscale per group, log s², log σn²), using
 * ∂ log p / ∂θ = ½ tr((α αᵀ - K⁻¹) ∂K/∂θ). For Matern-5/2,
 * ∂k/∂ log l_g = (5/3) s² (1 + √5 r) exp(-√5 r) D_g / l_g² (D_g: the group's squared differences).
 * K is symmetric: only its lower triangle is computed, off-diagonal terms count twice in the traces.
 */
function negativeLogLikelihood(y: readonly number[], groups: readonly Float64Array[], hyper: GpHyperparameters): ValueAndGradient {
  const n = y.length;
  const numGroups = groups.length;
  const failed = { value: Number.POSITIVE_INFINITY, gradient: new Array<number>(numGroups + 2).fill(0) };
  // In the isotropic case every lengthscale is the same, so the first one stands for the group.
  const inverseSquaredLengths = groups.map((_, g) => 1 / hyper.lengthscales[g] ** 2);
  const signalVariance = hyper.signalVariance;
  const k = new Float64Array(n * n);
  const slope = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let idx = i * n, end = i * n + i; idx < end; idx++) {
      let r2 = 0;
      for (let g = 0; g < numGroups; g++) r2 += groups[g][idx] * inverseSquaredLengths[g];
      const r = Math.sqrt(r2);
      const e = Math.exp(-SQRT5 * r);
      k[idx] = signalVariance * (1 + SQRT5 * r + (5 / 3) * r2) * e;
      slope[idx] = (5 / 3) * signalVariance * (1 + SQRT5 * r) * e;
    }
    k[i * n + i] = signalVariance + hyper.noiseVariance;
  }
  let chol: Cholesky;
  try {
    chol = cholesky(k, n, 4);
  } catch {
    return failed;
  }
  const alpha = choleskySolve(chol, y);
  let fit = 0;
  for (let i = 0; i < n; i++) fit += y[i] * alpha[i];
  const value = 0.5 * fit + 0.5 * choleskyLogDet(chol) + 0.5 * n * Math.log(2 * Math.PI);
  if (!Number.isFinite(value)) return failed;
  const inverse = choleskyInverse(chol);
  // W = α αᵀ - K⁻¹; the traces tr(W ∂K/∂θ) over the symmetric matrices.
  let trace = 0;
  let signalTerm = 0;
  const lengthTerms = new Float64Array(numGroups);
  for (let i = 0; i < n; i++) {
    const wii = alpha[i] * alpha[i] - inverse[i * n + i];
    trace += wii;
    signalTerm += wii * signalVariance;
    for (let j = 0, idx = i * n; j < i; j++, idx++) {
      const w = 2 * (alpha[i] * alpha[j] - inverse[idx]);
      signalTerm += w * k[idx];
      const ws = w * slope[idx];
      for (let g = 0; g < numGroups; g++) lengthTerms[g] += ws * groups[g][idx];
    }
  }
  const gradient = new Array<number>(numGroups + 2);
  for (let g = 0; g < numGroups; g++) gradient[g] = -0.5 * lengthTerms[g] * inverseSquaredLengths[g];
  gradient[numGroups] = -0.5 * signalTerm;
  gradient[numGroups + 1] = -0.5 * hyper.noiseVariance * trace;
  return { value, gradient };
}
