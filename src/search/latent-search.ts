import type * as E from 'fp-ts/Either';
import { catchInputError, InputError, invalidInput, orInputError, type VaesaError } from '../common/errors';
import { createRng } from '../common/rng';
import { snapDesign } from '../hardware/space';
import type { LatentBox, LatentModel } from '../model/latent-model';
import { cmaesOptimizer } from './cmaes';
import { gradientOptimizer } from './gradient';
import { createLedger, searchSettings } from './ledger';
import { customOptimizer, type CustomOptimizer, type Optimizer, type OptimizerContext, type SearchDomain } from './optimizer';
import { runOptimizer } from './run-optimizer';
import { bayesOptOptimizer, defaultGridPoints, gridOptimizer, randomOptimizer } from './optimizers';
import { searchTarget, type SearchTarget } from './target';
import type { LatentOptimizer, LatentSearchOptions, SearchResult } from './types';

/** VAESA's latent box half-width, used for models that carry no box of their own. */
const VAESA_LATENT_BOUND = 1;

/**
 * The latent box a search uses: `[-bound, bound]^latentDim` when a bound is given, else the model's own
 * box (the span of its training designs' latent means), else VAESA's `[-1, 1]^latentDim`.
 */
export function latentSearchBox<P extends string>(model: LatentModel<P>, bound?: number): LatentBox {
  if (bound !== undefined) {
    if (!(bound > 0 && Number.isFinite(bound))) throw new InputError(invalidInput('options.latentBound', bound, 'must be a positive number'));
    return { lower: new Array<number>(model.latentDim).fill(-bound), upper: new Array<number>(model.latentDim).fill(bound) };
  }
  return model.latentBox ?? latentSearchBox(model, VAESA_LATENT_BOUND);
}

/**
 * Searches a trained model's latent space for the design minimising `options.objective` on `target`,
 * evaluating at most `options.budget` distinct designs with `options.evaluator`:
 * - `gradient`: VAESA's descent on the predicted objective from many starts (see `GradientSearchOptions`);
 * - `bo`: Bayesian optimisation over the latent box, each proposal decoded and evaluated;
 * - `random` / `grid`: uniform random points / a grid in the latent box, decoded;
 * - `cmaes`: CMA-ES over the latent box (see `cmaesOptimizer`);
 * - a `CustomOptimizer`: the user's own ask/tell optimiser over the latent box.
 * Every decoded design is snapped to the model's design space before evaluation. The box is
 * `latentSearchBox(model, options.latentBound)`. A bad option or target comes back as a `Left` naming it
 * and its value (also `maxArea` or `'edap'` with an evaluator that reports no area, found at the first
 * evaluation); an evaluator's failures follow `onEvaluatorError` and are part of the result.
 *
 * @example
 * ```ts
 * import { latentSearch, networks, formatError } from 'vaesa';
 * // trained: the Right of await trainVaesa(rows, { preset: 'fast' })
 * const result = await latentSearch(trained, networks.resnet50, { optimizer: 'bo', budget: 50, seed: 1, objective: 'edap', constraints: { maxArea: 10 } });
 * if (result._tag === 'Left') throw new Error(formatError(result.left));
 * console.log(result.right.best, result.right.stopReason);
 * ```
 */
export async function latentSearch<P extends string>(model: LatentModel<P>, target: SearchTarget, options: LatentSearchOptions<P>): Promise<E.Either<VaesaError, SearchResult<P>>> {
  return catchInputError(() => runLatentSearch(model, target, options));
}

async function runLatentSearch<P extends string>(model: LatentModel<P>, target: SearchTarget, options: LatentSearchOptions<P>): Promise<SearchResult<P>> {
  const layers = orInputError(searchTarget(target));
  const { budget, seed, objective } = orInputError(searchSettings(options));
  const box = latentSearchBox(model, options.latentBound);
  const domain: SearchDomain<P> = {
    ...box,
    toDesigns: (points) => model.decode(points).map((arch) => snapDesign(model.space, arch)),
  };
  const ledger = orInputError(createLedger(model.space, layers, options));
  const context: OptimizerContext = { box, rng: createRng(seed), objective, budget, pareto: options.pareto === true };
  const optimizer =
    options.optimizer === 'gradient'
      ? gradientOptimizer(context, { model, layers, toDesigns: domain.toDesigns, options: options.gradient, stop: ledger.done })
      : boxOptimizer(options.optimizer, context, options, model.latentDim);
  await runOptimizer(optimizer, domain, ledger);
  const inputError = ledger.inputError();
  if (inputError !== undefined) throw new InputError(inputError);
  return ledger.result(`latent-${typeof options.optimizer === 'string' ? options.optimizer : options.optimizer.name}`);
}

function boxOptimizer<P extends string>(
  choice: Exclude<LatentOptimizer, 'gradient'> | CustomOptimizer,
  context: OptimizerContext,
  options: LatentSearchOptions<P>,
  latentDim: number,
): Optimizer {
  switch (choice) {
    case 'bo':
      return bayesOptOptimizer(context, options.bo ?? {});
    case 'random':
      return randomOptimizer(context);
    case 'cmaes':
      return cmaesOptimizer(context, options.cmaes);
    case 'grid':
      return gridOptimizer(context, options.gridPointsPerDim ?? defaultGridPoints(latentDim, context.budget));
    default:
      return customOptimizer(choice, 'gradient, bo, random, grid, cmaes').create(context);
  }
}
