import type { Evaluator } from '../common/evaluator';
import type { Design, SimbaParam } from '../hardware/space';
import type { Acquisition } from './acquisition';
import type { GpKernel } from './gp';
import type { SearchObjective, SearchObjectiveName } from '../common/objective';
import type { CustomOptimizer, PredictedMetrics } from './optimizer';
import type { CmaEsOptions } from './cmaes';

/**
 * Limits on acceptable designs, honoured by every optimiser: an infeasible design never becomes
 * `best` and never enters the Pareto front.
 */
export interface SearchConstraints<P extends string = SimbaParam> {
  /**
   * Largest acceptable area in mm², compared with the `area` the evaluator reports (the largest over
   * the target's layers). Known only after evaluating, so an over-area design costs one unit of budget;
   * it is kept in `evaluations` with `feasible: false`. Requires an evaluator that reports area.
   */
  readonly maxArea?: number;
  /**
   * A predicate on the design, checked before evaluating it: a design failing it is never evaluated,
   * costs no budget, and is counted in `SearchResult.rejected`.
   */
  readonly feasible?: (arch: Design<P>) => boolean;
  /**
   * Largest acceptable energy in pJ over the whole target (Σ count·energy), e.g. a battery budget per
   * inference. Like `maxArea`, checked after evaluating.
   */
  readonly maxEnergy?: number;
  /**
   * Largest acceptable average power, as energy per cycle in pJ/cycle over the whole target (at 1 GHz,
   * 1 pJ/cycle is 1 mW). Checked after evaluating.
   */
  readonly maxPower?: number;
}

/**
 * How a search treats an evaluator that throws, times out, or answers with unusable metrics (NaN, 0,
 * a negative number, Infinity, undefined):
 * - `abort` (default): stop; the result so far comes back with `stopReason: 'evaluator-error'` and
 *   `evaluatorError` saying which design and layer failed and how;
 * - `skip`: keep the design as infeasible (`failed`, costs one unit of budget) and go on.
 */
export type EvaluatorErrorPolicy = 'abort' | 'skip';

/** Reported after every new evaluation. */
export interface SearchProgress {
  readonly evaluations: number;
  readonly budget: number;
  /** Best feasible objective so far (+Infinity while none). */
  readonly bestObjective: number;
  readonly duplicates: number;
  readonly rejected: number;
}

export interface BayesOptOptions {
  /** Acquisition function (default UCB with kappa 2.5, VAESA's setting). */
  readonly acquisition?: Acquisition;
  /** Random proposals before the GP takes over (default 5, bayes_opt's default). */
  readonly initialPoints?: number;
  /**
   * GP kernel lengthscales: shared (`isotropic`, default — bayes_opt's Matern as VAESA used it) or one per
   * dimension (`ard`, which overfits with few observations: see docs/search.md).
   */
  readonly kernel?: GpKernel;
  /** Random restarts of the GP likelihood maximisation besides the warm start, on the first and every 10th fit up to `gpRefit.everyIterationUpTo` observations (default 2). */
  readonly gpRestarts?: number;
  /**
   * When the GP's hyperparameters are refitted: at every iteration while there are at most
   * `everyIterationUpTo` observations (default 100); beyond that, warm-started only, once the observations
   * have grown by `growth` (default 0.1 = 10%) since the last fit. In between, the GP is conditioned on
   * all observations with the last fitted hyperparameters. A fit costs tens of O(n³) likelihood
   * evaluations, so long searches would otherwise spend their time there.
   */
  readonly gpRefit?: { readonly everyIterationUpTo?: number; readonly growth?: number };
  /** Random candidates scoring the acquisition before local refinement (default 1000). */
  readonly acquisitionSamples?: number;
  /** Candidates refined by local optimisation (default 5). */
  readonly acquisitionLocalStarts?: number;
}

/** Options shared by `latentSearch` and `inputSpaceSearch`. */
export interface CommonSearchOptions<P extends string = SimbaParam> {
  /** Scores a design on one layer (default for Simba's space: the built-in cost model, `costModelEvaluator`; required for any other space). */
  readonly evaluator?: Evaluator<P>;
  /** What to do when the evaluator fails (default `abort`, see `EvaluatorErrorPolicy`). */
  readonly onEvaluatorError?: EvaluatorErrorPolicy;
  /** Give up on one evaluator call after this many milliseconds (a failure, see `onEvaluatorError`). */
  readonly evaluationTimeoutMs?: number;
  /** Evaluator calls in flight at once for one design's layers (default 4; matters for asynchronous evaluators). */
  readonly evaluatorConcurrency?: number;
  /** Number of distinct designs to evaluate (default 100). */
  readonly budget?: number;
  /** Seed of every random choice (default 0). */
  readonly seed?: number;
  /**
   * Quantity minimised (default `edp`): `edp`, `latency`, `energy`, `edap` (energy x cycles x area; needs
   * an evaluator that reports area), or your own function of the target's totals `{ cycles, energy, area }`
   * giving a positive finite number (lower is better). The predictor-guided parts (gradient descent, BO's
   * surrogate in Pareto mode) see cycles and energy only: for `edap` and a function they descend the
   * predicted EDP, and every proposal is judged by the real objective.
   */
  readonly objective?: SearchObjective;
  readonly constraints?: SearchConstraints<P>;
  /**
   * Multi-objective mode: optimisers spread their effort over latency/energy trade-offs (BO by ParEGO's
   * random augmented-Chebyshev scalarisations, gradient descent by a random weight per start) and the
   * result carries the feasible latency/energy `pareto` front. `best` still follows `objective`.
   */
  readonly pareto?: boolean;
  /** Stops the search between evaluations; the result so far is returned with `stopReason: 'cancelled'`. */
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: SearchProgress) => void;
  /**
   * Proposals in a row that yield no new evaluation (duplicates after snapping, rejected designs)
   * before the search gives up with `stopReason: 'stalled'` (default 200).
   */
  readonly maxConsecutiveRepeats?: number;
  readonly bo?: BayesOptOptions;
  /** Settings of the `cmaes` optimiser. */
  readonly cmaes?: CmaEsOptions;
}

export interface GradientSearchOptions {
  /**
   * Start points drawn uniformly in the latent box per round (default 4; VAESA used 1). Descent cost
   * grows with starts x distinct layers; see docs/search.md for timings.
   */
  readonly starts?: number;
  /** Adam steps per round (VAESA: 200). */
  readonly steps?: number;
  /** Initial Adam learning rate, annealed to 0 by a cosine schedule over `steps` (VAESA: 0.1). */
  readonly learningRate?: number;
  /** Steps at which the current points are decoded into candidate designs (VAESA: 0, steps/2, steps). */
  readonly recordSteps?: readonly number[];
  /** Rounds of fresh starts while budget remains and the last round found a new design (default 1). */
  readonly maxRounds?: number;
}

export type LatentOptimizer = 'gradient' | 'bo' | 'random' | 'grid' | 'cmaes';
export type InputSpaceOptimizer = 'bo' | 'random' | 'cmaes';

export interface LatentSearchOptions<P extends string = SimbaParam> extends CommonSearchOptions<P> {
  /** A built-in optimiser, or the user's own (ask/tell over the latent box, see `Optimizer`). */
  readonly optimizer: LatentOptimizer | CustomOptimizer;
  /**
   * The latent box is [-latentBound, latentBound]^latentDim (VAESA: 1). Default: the box the model's
   * training designs span (`latentBox`, from the spread of their latent means).
   */
  readonly latentBound?: number;
  readonly gradient?: GradientSearchOptions;
  /** Grid points per latent dimension (default: the smallest k with k^latentDim >= budget). */
  readonly gridPointsPerDim?: number;
}

export interface InputSpaceSearchOptions<P extends string = SimbaParam> extends CommonSearchOptions<P> {
  /** A built-in optimiser, or the user's own (ask/tell over the box, see `Optimizer`). */
  readonly optimizer: InputSpaceOptimizer | CustomOptimizer;
  /**
   * The box searched: `normalised` (default) = each parameter's log-normalised coordinate (`encodeArch`),
   * `raw` = its raw value, as VAESA's original-space baseline searched (see `rawDomain`).
   */
  readonly coordinates?: 'normalised' | 'raw';
}

export type { PredictedMetrics } from './optimizer';

/** One distinct design the search evaluated, with its metrics on the whole target. */
export interface EvaluatedDesign<P extends string = SimbaParam> {
  readonly arch: Design<P>;
  /** Total cycles over the target (Σ count·cycles). */
  readonly cycles: number;
  /** Total energy in pJ over the target (Σ count·energy). */
  readonly energy: number;
  /** cycles x energy. */
  readonly edp: number;
  /** mm², when the evaluator reports it (largest over the target's layers). */
  readonly area: number | undefined;
  /** Value of the search objective. */
  readonly objective: number;
  /** False when the design exceeded a constraint (`maxArea`, `maxEnergy`, `maxPower`) or its evaluation failed. */
  readonly feasible: boolean;
  /** Why the evaluator failed on this design (with `onEvaluatorError: 'skip'`; its metrics are then NaN). */
  readonly error?: string;
  /** The predictor's totals for this design, when a predictor guided the search. */
  readonly predicted?: PredictedMetrics;
}

export interface BestDesign<P extends string = SimbaParam> {
  readonly arch: Design<P>;
  readonly cycles: number;
  readonly energy: number;
  readonly edp: number;
  readonly area: number | undefined;
}

/** Why the search ended. */
export type StopReason = 'budget' | 'cancelled' | 'stalled' | 'exhausted' | 'evaluator-error';

export interface SearchTiming {
  readonly totalMs: number;
  /** Time inside the evaluator. */
  readonly evaluationMs: number;
  /** Everything else: proposals, GP fits, predictor descent, decoding. */
  readonly searchMs: number;
}

export interface SearchResult<P extends string = SimbaParam> {
  readonly optimizer: string;
  /** The objective's name (`'custom'` for a function). */
  readonly objective: SearchObjectiveName;
  readonly budget: number;
  readonly seed: number;
  /** Best feasible design by the objective; undefined when no feasible design was evaluated. */
  readonly best: BestDesign<P> | undefined;
  /** The predictor's totals for `best`, when a predictor guided the search. */
  readonly predicted?: PredictedMetrics;
  /** history[i] = best feasible objective after i+1 distinct evaluations (+Infinity while none is feasible). */
  readonly history: readonly number[];
  /** Every distinct design evaluated, in evaluation order. */
  readonly evaluations: readonly EvaluatedDesign<P>[];
  /** Feasible latency/energy front among the evaluations (only in Pareto mode), by cycles ascending. */
  readonly pareto?: readonly EvaluatedDesign<P>[];
  /** Proposals that snapped to an already evaluated design (not evaluated again, no budget spent). */
  readonly duplicates: number;
  /** Proposals failing `constraints.feasible` (not evaluated, no budget spent). */
  readonly rejected: number;
  /** Evaluated designs over a constraint (`maxArea`, `maxEnergy`, `maxPower`). */
  readonly infeasible: number;
  /** Designs whose evaluation failed and were skipped (`onEvaluatorError: 'skip'`). */
  readonly failed: number;
  /** The failure that stopped the search (`stopReason: 'evaluator-error'`). */
  readonly evaluatorError?: string;
  readonly stopReason: StopReason;
  readonly timing: SearchTiming;
}
