import { createRng } from '../common/rng';
import { archFromVector } from '../hardware/arch';
import { decodeArch, encodeValue, gridValues, snapValue, type DesignSpace } from '../hardware/space';
import { createLedger, searchSettings } from './ledger';
import { bayesOptSearch, randomSearch, type SearchDomain } from './optimizers';
import { weightedLayers, type SearchTarget } from './target';
import type { InputSpaceSearchOptions, SearchResult } from './types';

/**
 * The box of a space's normalised parameters (`encodeArch`'s coordinates), from the encoded smallest
 * to the encoded largest valid value of each parameter; points decode and snap with `decodeArch`.
 */
export function normalisedDomain(space: DesignSpace): SearchDomain {
  const ends = space.params.map((p) => {
    const values = gridValues(p);
    return [encodeValue(p, values[0]), encodeValue(p, values[values.length - 1])] as const;
  });
  return {
    lower: ends.map((e) => e[0]),
    upper: ends.map((e) => e[1]),
    toDesigns: (points) => points.map((x) => decodeArch(space, x)),
  };
}

/**
 * The box of a space's raw parameter values, from each parameter's smallest to its largest valid value;
 * points snap to the nearest valid value per parameter. This is how VAESA's original-space BO searched
 * (bayes_opt over raw ranges): most of the box is then large values (for the global buffer, everything
 * above 128 KiB is the upper half).
 */
export function rawDomain(space: DesignSpace): SearchDomain {
  const ends = space.params.map((p) => {
    const values = gridValues(p);
    return [values[0], values[values.length - 1]] as const;
  });
  return {
    lower: ends.map((e) => e[0]),
    upper: ends.map((e) => e[1]),
    toDesigns: (points) => points.map((x) => archFromVector(space.params.map((p, i) => snapValue(p, x[i])))),
  };
}

/**
 * The baselines VAESA compares against: random search or BO directly over the normalised parameters
 * of `space` (or their raw values, `coordinates: 'raw'`; each proposal snapped to the grid before
 * evaluation), with the same budget accounting,
 * constraints and result as `latentSearch`.
 */
export async function inputSpaceSearch(space: DesignSpace, target: SearchTarget, options: InputSpaceSearchOptions): Promise<SearchResult> {
  const layers = weightedLayers(target);
  const { seed } = searchSettings(options);
  const ledger = createLedger(layers, options);
  const rng = createRng(seed);
  const coordinates = options.coordinates ?? 'normalised';
  if (coordinates !== 'normalised' && coordinates !== 'raw') {
    throw new RangeError(`inputSpaceSearch: coordinates must be 'normalised' or 'raw', got ${JSON.stringify(coordinates)}`);
  }
  const domain = coordinates === 'raw' ? rawDomain(space) : normalisedDomain(space);
  switch (options.optimizer) {
    case 'bo':
      await bayesOptSearch(domain, ledger, rng, options.bo ?? {}, options.pareto === true);
      break;
    case 'random':
      await randomSearch(domain, ledger, rng);
      break;
  }
  return ledger.result(`input-${options.optimizer}`);
}
