import { InputError, invalidInput } from '../common/errors';
import type { Rng } from '../common/rng';
import type { Design } from '../hardware/space';
import type { SearchObjective } from '../common/objective';

/** Predicted network totals from a model's cost predictor. */
export interface PredictedMetrics {
  readonly cycles: number;
  readonly energy: number;
  readonly edp: number;
}

/** A box of points: `lower[d] <= x[d] <= upper[d]`. */
export interface SearchBox {
  readonly lower: readonly number[];
  readonly upper: readonly number[];
}

/** What an optimiser is built with. */
export interface OptimizerContext {
  /** The box it proposes points in (the latent box, or the space's normalised or raw box). */
  readonly box: SearchBox;
  /** Its only source of randomness (seeded from the search's seed). */
  readonly rng: Rng;
  /** The quantity minimised. */
  readonly objective: SearchObjective;
  /** Distinct evaluations the search may spend. */
  readonly budget: number;
  /** Multi-objective mode (see `CommonSearchOptions.pareto`). */
  readonly pareto: boolean;
}

/**
 * What became of one proposed point: its design was evaluated now (`new`), had been evaluated before
 * (`duplicate`: no budget spent, the known metrics given), or failed `constraints.feasible`
 * (`rejected`: not evaluated). `feasible` is false for a rejected or over-area design. Cycles and energy
 * (pJ) are totals over the search target; `objective` is the searched quantity.
 */
export type Told =
  | {
      readonly point: readonly number[];
      readonly outcome: 'new' | 'duplicate';
      readonly feasible: boolean;
      readonly cycles: number;
      readonly energy: number;
      readonly objective: number;
    }
  | { readonly point: readonly number[]; readonly outcome: 'rejected'; readonly feasible: false };

/**
 * An optimiser over a box, driven by the search (ask/tell): the search asks for points, turns each into
 * a design (decoded and snapped), evaluates it through the ledger that keeps the budget and counts
 * duplicates, and tells the optimiser every outcome, in order. Asking again after the budget is spent
 * never happens; an empty answer ends the search (`stopReason: 'exhausted'`).
 */
export interface Optimizer {
  /** The next points to try, at most `remaining` are evaluated (the rest are dropped). */
  ask(remaining: number): readonly (readonly number[])[] | Promise<readonly (readonly number[])[]>;
  /** The outcomes of the points of the last `ask` that were submitted, in order. */
  tell(results: readonly Told[]): void;
  /** Optional: a model-guided optimiser's prediction for a point of its last `ask`, kept with the design's evaluation. */
  predicted?(point: readonly number[]): PredictedMetrics | undefined;
}

/** The user's own optimiser for `latentSearch` or `inputSpaceSearch`: a name (for the result) and a factory. */
export interface CustomOptimizer {
  readonly name: string;
  create(context: OptimizerContext): Optimizer;
}

/** A box and how its points become valid designs. */
export interface SearchDomain<P extends string> extends SearchBox {
  toDesigns(points: readonly (readonly number[])[]): Design<P>[];
}


/** `choice` as a custom optimiser, or a RangeError naming the built-in names (an unknown name must not run nothing). */
export function customOptimizer(choice: unknown, builtIn: string): CustomOptimizer {
  if (typeof choice === 'object' && choice !== null && typeof (choice as CustomOptimizer).create === 'function') return choice as CustomOptimizer;
  throw new InputError(invalidInput('options.optimizer', choice, `must be one of ${builtIn} or a CustomOptimizer { name, create }`));
}
