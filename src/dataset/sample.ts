import { shuffled, type Rng } from '../common/rng';
import { decodeValue, designFromVector, encodeValue, gridDesigns, gridValues, sampleDesign, snapValue, type Design, type DesignSpace } from '../hardware/space';

/**
 * How designs are drawn from a space:
 * - `random`: `count` designs, each parameter uniform over its grid (VAESA's random search);
 * - `lhs`: a Latin hypercube of `count` points in the normalised (log) space, snapped to the grid;
 * - `grid`: the full-factorial grid with `pointsPerParam` values per parameter (`gridDesigns`).
 */
export type DesignSampler =
  | { readonly kind: 'random'; readonly count: number }
  | { readonly kind: 'lhs'; readonly count: number }
  | { readonly kind: 'grid'; readonly pointsPerParam: number; readonly maxDesigns?: number };

/** The designs a sampler draws, in a fixed order for a given `rng` state. */
export function sampleDesigns<P extends string>(space: DesignSpace<P>, sampler: DesignSampler, rng: Rng): Design<P>[] {
  switch (sampler.kind) {
    case 'random':
      checkCount(sampler.count);
      return Array.from({ length: sampler.count }, () => sampleDesign(space, rng));
    case 'lhs':
      checkCount(sampler.count);
      return latinHypercube(space, sampler.count, rng);
    case 'grid':
      return gridDesigns(space, { pointsPerParam: sampler.pointsPerParam, maxDesigns: sampler.maxDesigns });
  }
}

function checkCount(count: number): void {
  if (!(Number.isInteger(count) && count >= 0)) throw new RangeError(`sampleDesigns: count must be a non-negative integer, got ${count}`);
}

/**
 * Latin hypercube in the encoded space: each parameter's encoded range [enc(min), enc(max)] is cut into
 * `count` equal strata, every stratum is used once (in a random order per parameter), the point is uniform
 * within its stratum, then decoded and snapped to the grid.
 */
function latinHypercube<P extends string>(space: DesignSpace<P>, count: number, rng: Rng): Design<P>[] {
  const columns = space.params.map((p) => {
    const values = gridValues(p);
    const lo = encodeValue(p, values[0]);
    const hi = encodeValue(p, values[values.length - 1]);
    const strata = shuffled(
      rng,
      Array.from({ length: count }, (_, i) => i),
    );
    return strata.map((s) => snapValue(p, decodeValue(p, lo + ((hi - lo) * (s + rng.next())) / count)));
  });
  return Array.from({ length: count }, (_, i) => designFromVector(space, columns.map((c) => c[i])));
}
