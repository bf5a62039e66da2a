import { InputError, invalidInput } from '../common/errors';
/**
 * CMA-ES (Hansen's covariance matrix adaptation evolution strategy, the (mu/mu_w, lambda) form of
 * "The CMA Evolution Strategy: A Tutorial", 2016) as an ask/tell `Optimizer` over a box.
 */
import type { Optimizer, OptimizerContext, Told } from './optimizer';
import { symmetricEigen } from './linalg';

export interface CmaEsOptions {
  /** Points per generation (lambda; default 4 + floor(3 ln n)). */
  readonly populationSize?: number;
  /** Initial step size as a fraction of the box width (default 0.3). */
  readonly initialSigma?: number;
}

/** Below this step size (in box widths, along the widest axis) the search has converged and restarts. */
const CONVERGED_SIGMA = 1e-9;

/**
 * CMA-ES over the box, in coordinates scaled to the unit cube. Each ask is one generation of lambda
 * points drawn from N(m, sigma² C) and clipped to the box (the clipped points enter the update); each is
 * ranked by its objective (rejected, infeasible or failed designs last). The mean starts uniform in the
 * box. When a whole generation gives no new design (every point snapped to a design already evaluated)
 * or the step size has collapsed, the strategy restarts from a new uniform mean with the initial step size.
 */
export function cmaesOptimizer(context: OptimizerContext, options: CmaEsOptions = {}): Optimizer {
  const { box, rng } = context;
  const n = box.lower.length;
  const lambda = options.populationSize ?? 4 + Math.floor(3 * Math.log(n));
  const sigma0 = options.initialSigma ?? 0.3;
  if (!Number.isInteger(lambda) || lambda < 2) throw new InputError(invalidInput('options.cmaes.populationSize', lambda, 'must be an integer >= 2'));
  if (!(sigma0 > 0)) throw new InputError(invalidInput('options.cmaes.initialSigma', sigma0, 'must be positive'));
  const mu = Math.floor(lambda / 2);
  const rawWeights = Array.from({ length: mu }, (_, i) => Math.log((lambda + 1) / 2) - Math.log(i + 1));
  const weightSum = rawWeights.reduce((a, b) => a + b, 0);
  const weights = rawWeights.map((w) => w / weightSum);
  const muEff = 1 / weights.reduce((a, w) => a + w * w, 0);
  const cSigma = (muEff + 2) / (n + muEff + 5);
  const dSigma = 1 + 2 * Math.max(0, Math.sqrt((muEff - 1) / (n + 1)) - 1) + cSigma;
  const cc = (4 + muEff / n) / (n + 4 + (2 * muEff) / n);
  const c1 = 2 / ((n + 1.3) ** 2 + muEff);
  const cMu = Math.min(1 - c1, (2 * (muEff - 2 + 1 / muEff)) / ((n + 2) ** 2 + muEff));
  const chiN = Math.sqrt(n) * (1 - 1 / (4 * n) + 1 / (21 * n * n));
  const width = box.lower.map((lo, d) => box.upper[d] - lo);

  let mean: Float64Array;
  let sigma: number;
  let cov: Float64Array;
  let basis: Float64Array;
  let scales: Float64Array;
  let pSigma: Float64Array;
  let pC: Float64Array;
  let generation: number;
  const restart = (): void => {
    mean = Float64Array.from({ length: n }, () => rng.next());
    sigma = sigma0;
    cov = new Float64Array(n * n);
    basis = new Float64Array(n * n);
    for (let i = 0; i < n; i++) cov[i * n + i] = basis[i * n + i] = 1;
    scales = new Float64Array(n).fill(1);
    pSigma = new Float64Array(n);
    pC = new Float64Array(n);
    generation = 0;
  };
  restart();
  let population: Float64Array[] = [];

  const update = (told: readonly Told[]): void => {
    const fitness = told.map((t) => (t.outcome === 'rejected' || !t.feasible ? Number.POSITIVE_INFINITY : t.objective));
    const order = fitness.map((_, i) => i).sort((a, b) => fitness[a] - fitness[b]);
    const steps = order.slice(0, mu).map((i) => population[i].map((x, d) => (x - mean[d]) / sigma));
    const yW = new Float64Array(n);
    steps.forEach((y, k) => y.forEach((v, d) => (yW[d] += weights[k] * v)));
    for (let d = 0; d < n; d++) mean[d] += sigma * yW[d];
    // C^{-1/2} yW = B D^{-1} Bᵀ yW
    const projected = new Float64Array(n);
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += basis[i * n + j] * yW[i];
      projected[j] = s / scales[j];
    }
    const normFactor = Math.sqrt(cSigma * (2 - cSigma) * muEff);
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += basis[i * n + j] * projected[j];
      pSigma[i] = (1 - cSigma) * pSigma[i] + normFactor * s;
    }
    generation++;
    const pSigmaNorm = Math.sqrt(pSigma.reduce((a, v) => a + v * v, 0));
    const hSigma = pSigmaNorm / Math.sqrt(1 - Math.pow(1 - cSigma, 2 * generation)) < (1.4 + 2 / (n + 1)) * chiN ? 1 : 0;
    const ccFactor = Math.sqrt(cc * (2 - cc) * muEff);
    for (let d = 0; d < n; d++) pC[d] = (1 - cc) * pC[d] + hSigma * ccFactor * yW[d];
    const keep = 1 - c1 - cMu + (1 - hSigma) * c1 * cc * (2 - cc);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j <= i; j++) {
        let rankMu = 0;
        steps.forEach((y, k) => (rankMu += weights[k] * y[i] * y[j]));
        const value = keep * cov[i * n + j] + c1 * pC[i] * pC[j] + cMu * rankMu;
        cov[i * n + j] = cov[j * n + i] = value;
      }
    }
    sigma *= Math.exp((cSigma / dSigma) * (pSigmaNorm / chiN - 1));
    const eigen = symmetricEigen(cov, n);
    basis = eigen.vectors;
    scales = eigen.values.map((v) => Math.sqrt(Math.max(v, 1e-20)));
    const widest = Math.max(...scales);
    if (!Number.isFinite(sigma) || sigma * widest < CONVERGED_SIGMA || !told.some((t) => t.outcome === 'new')) restart();
  };

  return {
    ask: () => {
      population = Array.from({ length: lambda }, () => {
        const z = Float64Array.from({ length: n }, () => rng.normal());
        const x = new Float64Array(n);
        for (let i = 0; i < n; i++) {
          let s = 0;
          for (let j = 0; j < n; j++) s += basis[i * n + j] * scales[j] * z[j];
          x[i] = Math.min(1, Math.max(0, mean[i] + sigma * s));
        }
        return x;
      });
      return population.map((x) => Array.from(x, (u, d) => box.lower[d] + u * width[d]));
    },
    tell: (results) => {
      // A generation cut short by the end of the budget is not used.
      if (results.length === population.length) update(results);
    },
  };
}
