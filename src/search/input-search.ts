import type * as E from 'fp-ts/Either';
import { catchInputError, InputError, invalidInput, orInputError, type VaesaError } from '../common/errors';
import { createRng } from '../common/rng';
import { decodeDesign, designFromVector, encodeValue, gridValues, snapValue, type DesignSpace } from '../hardware/space';
import { createLedger, searchSettings } from './ledger';
import { customOptimizer, type Optimizer, type OptimizerContext, type SearchDomain } from './optimizer';
import { runOptimizer } from './run-optimizer';
import { cmaesOptimizer } from './cmaes';
import { bayesOptOptimizer, randomOptimizer } from './optimizers';
import { searchTarget, type SearchTarget } from './target';
import type { InputSpaceSearchOptions, SearchResult } from './types';

/**
 * The box of a space's normalised parameters (`encodeDesign`'s coordinates), from the encoded smallest
 * to the encoded largest valid value of each parameter; points decode and snap with `decodeDesign`.
 */
export function normalisedDomain<P extends string>(space: DesignSpace<P>): SearchDomain<P> {
  const ends = space.params.map((p) => {
    const values = gridValues(p);
    return [encodeValue(p, values[0]), encodeValue(p, values[values.length - 1])] as const;
  });
  return {
    lower: ends.map((e) => e[0]),
    upper: ends.map((e) => e[1]),
    toDesigns: (points) => points.map((x) => decodeDesign(space, x)),
  };
}

/**
 * The box of a space's raw parameter values, from each parameter's smallest to its largest valid value;
 * points snap to the nearest valid value per parameter. This is how VAESA's original-space BO searched
 * (bayes_opt over raw ranges): most of the box is then large values (for the global buffer, everything
 * above 128 KiB is the upper half).
 */
export function rawDomain<P extends string>(space: DesignSpace<P>): SearchDomain<P> {
  const ends = space.params.map((p) => {
    const values = gridValues(p);
    return [values[0], values[values.length - 1]] as const;
  });
  return {
    lower: ends.map((e) => e[0]),
    upper: ends.map((e) => e[1]),
    toDesigns: (points) => points.map((x) => designFromVector(space, space.params.map((p, i) => snapValue(p, x[i])))),
  };
}

/**
 * The baselines VAESA compares against: random search, BO or CMA-ES (or the user's own ask/tell optimiser)
 * directly over the normalised parameters of `space` (or their raw values, `coordinates: 'raw'`; each
 * proposal snapped to the grid before evaluation), with the same budget accounting, constraints and
 * result as `latentSearch`, and like it a `Left` naming a bad option or target and its value.
 *
 * @example
 * ```ts
 * import { inputSpaceSearch, simbaSpace, networks, formatError } from 'vaesa';
 * const result = await inputSpaceSearch(simbaSpace, networks.alexnet, { optimizer: 'random', budget: 20, seed: 1, objective: (c) => c.energy * c.cycles ** 2 });
 * if (result._tag === 'Left') throw new Error(formatError(result.left));
 * console.log(result.right.best);
 * ```
 */
export async function inputSpaceSearch<P extends string>(space: DesignSpace<P>, target: SearchTarget, options: InputSpaceSearchOptions<P>): Promise<E.Either<VaesaError, SearchResult<P>>> {
  return catchInputError(() => runInputSpaceSearch(space, target, options));
}

async function runInputSpaceSearch<P extends string>(space: DesignSpace<P>, target: SearchTarget, options: InputSpaceSearchOptions<P>): Promise<SearchResult<P>> {
  const layers = orInputError(searchTarget(target));
  const { seed, budget, objective } = orInputError(searchSettings(options));
  const ledger = orInputError(createLedger(space, layers, options));
  const rng = createRng(seed);
  const coordinates = options.coordinates ?? 'normalised';
  if (coordinates !== 'normalised' && coordinates !== 'raw') {
    throw new InputError(invalidInput('options.coordinates', coordinates, "must be 'normalised' or 'raw'"));
  }
  const domain = coordinates === 'raw' ? rawDomain(space) : normalisedDomain(space);
  const context: OptimizerContext = { box: domain, rng, objective, budget, pareto: options.pareto === true };
  const choice = options.optimizer;
  const optimizer: Optimizer =
    choice === 'bo'
      ? bayesOptOptimizer(context, options.bo ?? {})
      : choice === 'random'
        ? randomOptimizer(context)
        : choice === 'cmaes'
          ? cmaesOptimizer(context, options.cmaes)
          : customOptimizer(choice, 'bo, random, cmaes').create(context);
  await runOptimizer(optimizer, domain, ledger);
  const inputError = ledger.inputError();
  if (inputError !== undefined) throw new InputError(inputError);
  return ledger.result(`input-${typeof choice === 'string' ? choice : choice.name}`);
}
