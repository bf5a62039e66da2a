import { createRng } from '../common/rng';
import { snapDesign } from '../hardware/space';
import type { LatentBox, LatentModel } from '../model/latent-model';
import { cmaesOptimizer } from './cmaes';
import { gradientOptimizer } from './gradient';
import { createLedger, searchSettings } from './ledger';
import { customOptimizer, type CustomOptimizer, type Optimizer, type OptimizerContext, type SearchDomain } from './optimizer';
import { runOptimizer } from './run-optimizer';
import { bayesOptOptimizer, defaultGridPoints, gridOptimizer, randomOptimizer } from './optimizers';
import { weightedLayers, type SearchTarget } from './target';
import type { LatentOptimizer, LatentSearchOptions, SearchResult } from './types';

/** VAESA's latent box half-width, used for models that carry no box of their own. */
const VAESA_LATENT_BOUND = 1;

/**
 * The latent box a search uses: `[-bound, bound]^latentDim` when a bound is given, else the model's own
 * box (the span of its training designs' latent means), else VAESA's `[-1, 1]^latentDim`.
 */
export function latentSearchBox<P extends string>(model: LatentModel<P>, bound?: number): LatentBox {
  if (bound !== undefined) {
    if (!(bound > 0)) throw new RangeError(`latentSearch: latentBound must be positive, got ${bound}`);
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
 * `latentSearchBox(model, options.latentBound)`.
 */
export async function latentSearch<P extends string>(model: LatentModel<P>, target: SearchTarget, options: LatentSearchOptions<P>): Promise<SearchResult<P>> {
  const layers = weightedLayers(target);
  const { budget, seed, objective } = searchSettings(options);
  const box = latentSearchBox(model, options.latentBound);
  const domain: SearchDomain<P> = {
    ...box,
    toDesigns: (points) => model.decode(points).map((arch) => snapDesign(model.space, arch)),
  };
  const ledger = createLedger(model.space, layers, options);
  const context: OptimizerContext = { box, rng: createRng(seed), objective, budget, pareto: options.pareto === true };
  const optimizer =
    options.optimizer === 'gradient'
      ? gradientOptimizer(context, { model, layers, toDesigns: domain.toDesigns, options: options.gradient, stop: ledger.done })
      : boxOptimizer(options.optimizer, context, options, model.latentDim);
  await runOptimizer(optimizer, domain, ledger);
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
