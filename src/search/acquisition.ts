import type { Rng } from '../common/rng';
import { boxMinimize, type ValueAndGradient } from './box-minimize';
import type { GpPosterior } from './gp';

/**
 * How BO scores a candidate, for minimisation:
 * - `ucb`: the lower confidence bound mean - kappa·σ (VAESA: kappa 2.5, the minimising form of UCB);
 * - `ei`: expected improvement below the best observed value, by at least `xi`.
 */
export type Acquisition = { readonly kind: 'ucb'; readonly kappa: number } | { readonly kind: 'ei'; readonly xi: number };

export const defaultAcquisition: Acquisition = { kind: 'ucb', kappa: 2.5 };

const MIN_STD = 1e-9;

function standardNormalPdf(z: number): number {
  return Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI);
}

/** Standard normal CDF, Φ(z) = erfc(-z/√2)/2. */
export function standardNormalCdf(z: number): number {
  return 0.5 * erfc(-z / Math.SQRT2);
}

/** Complementary error function, relative error < 1.2e-7 everywhere (Numerical Recipes' erfcc Chebyshev fit). */
function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

/**
 * The loss from a prediction's mean and standard deviation, with its partial derivatives:
 * UCB: mean - kappa·sd; EI = I Φ(z) + sd φ(z) with I = best - mean - xi, z = I / sd, negated
 * (∂EI/∂mean = -Φ(z), ∂EI/∂sd = φ(z)).
 */
function lossFromMoments(
  acquisition: Acquisition,
  bestObserved: number,
  mean: number,
  std: number,
): { value: number; dMean: number; dStd: number } {
  if (acquisition.kind === 'ucb') return { value: mean - acquisition.kappa * std, dMean: 1, dStd: -acquisition.kappa };
  const improvement = bestObserved - mean - acquisition.xi;
  const z = improvement / std;
  const cdf = standardNormalCdf(z);
  const pdf = standardNormalPdf(z);
  return { value: -(improvement * cdf + std * pdf), dMean: cdf, dStd: -pdf };
}

/** The acquisition loss to minimise at `x` (lower is more promising), with its gradient. */
export function acquisitionLoss(
  posterior: GpPosterior,
  acquisition: Acquisition,
  bestObserved: number,
  x: readonly number[],
): ValueAndGradient {
  const p = posterior.predictWithGradient(x);
  const clamped = p.variance < MIN_STD * MIN_STD;
  const std = clamped ? MIN_STD : Math.sqrt(p.variance);
  const loss = lossFromMoments(acquisition, bestObserved, p.mean, std);
  return {
    value: loss.value,
    gradient: p.meanGradient.map((g, d) => loss.dMean * g + (clamped ? 0 : (loss.dStd * p.varianceGradient[d]) / (2 * std))),
  };
}

export interface AcquisitionSearchOptions {
  /** Uniform random candidates scored first (default 1000). */
  readonly samples?: number;
  /** Best candidates refined by local optimisation (default 5). */
  readonly localStarts?: number;
  /** Iterations of each local optimisation (default 50). */
  readonly maxIterations?: number;
}

/**
 * The point of the box minimising the acquisition loss: `samples` uniform random candidates, then
 * projected-gradient refinement from the `localStarts` best of them (as bayes_opt does with
 * warm-up samples and L-BFGS-B restarts).
 */
export function minimizeAcquisition(
  posterior: GpPosterior,
  acquisition: Acquisition,
  bestObserved: number,
  lower: readonly number[],
  upper: readonly number[],
  rng: Rng,
  options: AcquisitionSearchOptions = {},
): number[] {
  const samples = options.samples ?? 1000;
  const localStarts = options.localStarts ?? 5;
  const loss = (x: readonly number[]): ValueAndGradient => acquisitionLoss(posterior, acquisition, bestObserved, x);
  const scored: { x: number[]; value: number }[] = [];
  for (let s = 0; s < samples; s++) {
    const x = lower.map((lo, d) => rng.uniform(lo, upper[d]));
    scored.push({ x, value: scoreOnly(posterior, acquisition, bestObserved, x) });
  }
  scored.sort((a, b) => a.value - b.value);
  let best = scored[0];
  for (const start of scored.slice(0, localStarts)) {
    const refined = boxMinimize(loss, start.x, lower, upper, { maxIterations: options.maxIterations ?? 50 });
    if (refined.value < best.value) best = { x: refined.x, value: refined.value };
  }
  return best.x;
}

/** The acquisition loss without its gradient (cheaper, for scoring many random candidates). */
function scoreOnly(posterior: GpPosterior, acquisition: Acquisition, bestObserved: number, x: readonly number[]): number {
  const p = posterior.predict(x);
  return lossFromMoments(acquisition, bestObserved, p.mean, Math.sqrt(Math.max(p.variance, MIN_STD * MIN_STD))).value;
}
