import { createRng } from '../common/rng';
import { snapArch } from '../hardware/space';
import type { LatentModel } from '../model/latent-model';
import { gradientSearch } from './gradient';
import { createLedger, searchSettings } from './ledger';
import { bayesOptSearch, defaultGridPoints, gridSearch, randomSearch, type SearchDomain } from './optimizers';
import { weightedLayers, type SearchTarget } from './target';
import type { LatentSearchOptions, SearchResult } from './types';

/**
 * Searches a trained model's latent space for the design minimising `options.objective` on `target`,
 * evaluating at most `options.budget` distinct designs with `options.evaluator`:
 * - `gradient`: VAESA's descent on the predicted objective from many starts (see `GradientSearchOptions`);
 * - `bo`: Bayesian optimisation over the latent box, each proposal decoded and evaluated;
 * - `random` / `grid`: uniform random points / a grid in the latent box, decoded.
 * Every decoded design is snapped to the model's design space before evaluation.
 */
export async function latentSearch(model: LatentModel, target: SearchTarget, options: LatentSearchOptions): Promise<SearchResult> {
  const layers = weightedLayers(target);
  const { budget, seed } = searchSettings(options);
  const bound = options.latentBound ?? 1;
  if (!(bound > 0)) throw new RangeError(`latentSearch: latentBound must be positive, got ${bound}`);
  const domain: SearchDomain = {
    lower: new Array<number>(model.latentDim).fill(-bound),
    upper: new Array<number>(model.latentDim).fill(bound),
    toDesigns: (points) => model.decode(points).map((arch) => snapArch(model.space, arch)),
  };
  const ledger = createLedger(layers, options);
  const rng = createRng(seed);
  const pareto = options.pareto === true;
  switch (options.optimizer) {
    case 'gradient':
      await gradientSearch(model, domain.toDesigns, ledger, rng, options.gradient ?? {}, bound, pareto);
      break;
    case 'bo':
      await bayesOptSearch(domain, ledger, rng, options.bo ?? {}, pareto);
      break;
    case 'random':
      await randomSearch(domain, ledger, rng);
      break;
    case 'grid':
      await gridSearch(domain, ledger, rng, options.gridPointsPerDim ?? defaultGridPoints(model.latentDim, budget));
      break;
  }
  return ledger.result(`latent-${options.optimizer}`);
}
