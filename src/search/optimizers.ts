import { InputError, invalidInput } from '../common/errors';
import { shuffled, type Rng } from '../common/rng';
import { defaultAcquisition, minimizeAcquisition } from './acquisition';
import { fitGp, type GpHyperparameters } from './gp';
import type { Optimizer, OptimizerContext, SearchBox, Told } from './optimizer';
import type { SearchObjective } from '../common/objective';
import { logObjectiveWeights } from './target';
import type { BayesOptOptions } from './types';

function uniformPoint(box: SearchBox, rng: Rng): number[] {
  return box.lower.map((lo, d) => rng.uniform(lo, box.upper[d]));
}

/** Random search: one point uniform in the box per ask, for as long as the search runs. */
export function randomOptimizer(context: OptimizerContext): Optimizer {
  return { ask: () => [uniformPoint(context.box, context.rng)], tell: () => undefined };
}

/** Refuse grids larger than this many points. */
const MAX_GRID_POINTS = 1_000_000;

/** The smallest k with k^dimension >= budget. */
export function defaultGridPoints(dimension: number, budget: number): number {
  let k = Math.max(1, Math.floor(Math.pow(budget, 1 / dimension)));
  while (Math.pow(k, dimension) < budget) k++;
  return k;
}

/**
 * Grid search: `pointsPerDim` evenly spaced values per dimension (ends included; the centre when 1),
 * the full grid visited in a seeded random order (so a budget smaller than the grid samples it
 * without bias toward one corner), in chunks, until the search stops or the grid is used up.
 */
export function gridOptimizer(context: OptimizerContext, pointsPerDim: number): Optimizer {
  const { box, rng } = context;
  if (!Number.isInteger(pointsPerDim) || pointsPerDim < 1) throw new InputError(invalidInput('options.gridPointsPerDim', pointsPerDim, 'must be a positive integer'));
  const dimension = box.lower.length;
  const total = Math.pow(pointsPerDim, dimension);
  if (total > MAX_GRID_POINTS) throw new InputError(invalidInput('options.gridPointsPerDim', pointsPerDim, `gives ${total} grid points in ${dimension} dimensions, more than ${MAX_GRID_POINTS}`));
  const axis = (d: number, i: number): number =>
    pointsPerDim === 1 ? (box.lower[d] + box.upper[d]) / 2 : box.lower[d] + ((box.upper[d] - box.lower[d]) * i) / (pointsPerDim - 1);
  const order = shuffled(rng, Array.from({ length: total }, (_, n) => n));
  const chunk = 256;
  let start = 0;
  return {
    ask: () => {
      const points = order.slice(start, start + chunk).map((n) => {
        const p: number[] = [];
        let rest = n;
        for (let d = 0; d < dimension; d++) {
          p.push(axis(d, rest % pointsPerDim));
          rest = Math.floor(rest / pointsPerDim);
        }
        return p;
      });
      start += chunk;
      return points;
    },
    tell: () => undefined,
  };
}

/** A BO observation: the proposal (in the unit cube) and the log metrics of the design it gave, if feasible. */
interface Observation {
  readonly unit: number[];
  readonly log: { readonly cycles: number; readonly energy: number; readonly objective: number } | undefined;
}

/** After this many proposals in a row gave no new design, the next proposal is random. */
const RANDOM_AFTER_REPEATS = 5;
/** Every this many GP fits, the likelihood is maximised from random restarts too; in between, from the last fit only. */
const FULL_REFIT_EVERY = 10;
/** Local iterations of a warm-started GP fit (hyperparameters move little between iterations). */
const WARM_FIT_ITERATIONS = 25;
/** ParEGO's augmentation weight. */
const CHEBYSHEV_AUGMENTATION = 0.05;

/**
 * Bayesian optimisation over the box. Each proposal is decoded and snapped; the log of its true
 * objective feeds a GP over the unit-scaled box (targets standardised, Matern-5/2, hyperparameters
 * refitted by marginal likelihood from the previous fit — each iteration up to 100 observations, with
 * random restarts every `FULL_REFIT_EVERY` fits; beyond that after each 10% growth, see `gpRefit`).
 * A repeat of an evaluated design is observed again at the new point with the known value, so the GP
 * moves on; a rejected or over-area
 * design is observed with the worst value seen. In Pareto mode each iteration draws a random weight
 * and minimises ParEGO's augmented Chebyshev scalarisation of (log cycles, log energy).
 */
export function bayesOptOptimizer(context: OptimizerContext, options: BayesOptOptions): Optimizer {
  const { box, rng, objective, pareto } = context;
  const dimension = box.lower.length;
  const acquisition = options.acquisition ?? defaultAcquisition;
  const initialPoints = options.initialPoints ?? 5;
  const refitEveryIterationUpTo = options.gpRefit?.everyIterationUpTo ?? 100;
  const refitGrowth = options.gpRefit?.growth ?? 0.1;
  if (!(refitEveryIterationUpTo >= 0)) throw new InputError(invalidInput('options.bo.gpRefit.everyIterationUpTo', refitEveryIterationUpTo, 'must be >= 0'));
  if (!(refitGrowth >= 0)) throw new InputError(invalidInput('options.bo.gpRefit.growth', refitGrowth, 'must be >= 0'));
  let lastFitSize = 0;
  const unitLower = new Array<number>(dimension).fill(0);
  const unitUpper = new Array<number>(dimension).fill(1);
  const fromUnit = (u: readonly number[]): number[] => u.map((v, d) => box.lower[d] + v * (box.upper[d] - box.lower[d]));
  const observations: Observation[] = [];
  let hyperparameters: GpHyperparameters | undefined;
  let fits = 0;
  let repeatsInARow = 0;
  let pending: number[] = [];
  const propose = (): number[] => {
    const feasibleCount = observations.filter((o) => o.log !== undefined).length;
    if (observations.length < initialPoints || feasibleCount < 2 || repeatsInARow >= RANDOM_AFTER_REPEATS) {
      return unitLower.map(() => rng.next());
    }
    const ys = scalarise(observations, objective, pareto ? rng.next() : undefined);
    const n = observations.length;
    const early = n <= refitEveryIterationUpTo;
    const refit = hyperparameters === undefined || early || n >= lastFitSize * (1 + refitGrowth);
    const fullFit = hyperparameters === undefined || (early && fits % FULL_REFIT_EVERY === 0);
    const fitted = fitGp(observations.map((o) => o.unit), ys, rng, {
      kernel: options.kernel ?? 'isotropic',
      restarts: fullFit ? (options.gpRestarts ?? 2) : 0,
      maxIterations: fullFit ? 60 : WARM_FIT_ITERATIONS,
      ...(hyperparameters === undefined ? {} : { initial: hyperparameters }),
      keepInitial: !refit,
    });
    if (refit) {
      fits++;
      lastFitSize = n;
    }
    hyperparameters = fitted.hyperparameters;
    return minimizeAcquisition(fitted.posterior, acquisition, Math.min(...ys), unitLower, unitUpper, rng, {
      samples: options.acquisitionSamples ?? 1000,
      localStarts: options.acquisitionLocalStarts ?? 5,
    });
  };
  return {
    ask: () => {
      pending = propose();
      return [fromUnit(pending)];
    },
    tell: (results) => {
      for (const r of results) {
        repeatsInARow = r.outcome === 'new' ? 0 : repeatsInARow + 1;
        observations.push({ unit: pending, log: logMetrics(r) });
      }
    },
  };
}

function logMetrics(told: Told): Observation['log'] {
  if (told.outcome === 'rejected' || !told.feasible) return undefined;
  return { cycles: Math.log(told.cycles), energy: Math.log(told.energy), objective: Math.log(told.objective) };
}

/**
 * GP targets: the log objective (or, given a Pareto weight, the augmented Chebyshev scalarisation of
 * the min-max normalised log metrics); infeasible observations get the worst feasible value.
 */
function scalarise(observations: readonly Observation[], objective: SearchObjective, paretoWeight: number | undefined): number[] {
  const feasible = observations.map((o) => o.log).filter((l): l is NonNullable<Observation['log']> => l !== undefined);
  let value: (l: NonNullable<Observation['log']>) => number;
  if (paretoWeight === undefined && (typeof objective === 'function' || objective === 'edap')) {
    // Area or the user's function are in the measured objective only.
    value = (l) => l.objective;
  } else if (paretoWeight === undefined) {
    const w = logObjectiveWeights(objective);
    value = (l) => w.cycles * l.cycles + w.energy * l.energy;
  } else {
    const range = (pick: (l: NonNullable<Observation['log']>) => number): [number, number] => {
      const vs = feasible.map(pick);
      const lo = Math.min(...vs);
      return [lo, Math.max(Math.max(...vs) - lo, 1e-12)];
    };
    const [cLo, cSpan] = range((l) => l.cycles);
    const [eLo, eSpan] = range((l) => l.energy);
    value = (l) => {
      const a = (paretoWeight * (l.cycles - cLo)) / cSpan;
      const b = ((1 - paretoWeight) * (l.energy - eLo)) / eSpan;
      return Math.max(a, b) + CHEBYSHEV_AUGMENTATION * (a + b);
    };
  }
  const worst = Math.max(...feasible.map(value));
  return observations.map((o) => (o.log === undefined ? worst : value(o.log)));
}
