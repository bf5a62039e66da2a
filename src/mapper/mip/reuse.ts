/**
 * Loop orders seen through reuse: an order matters to a data space only through the loops sitting inside
 * its innermost loop over one of its own dimensions (iterating them does not refetch it). Many orders
 * share a reuse pattern, and few patterns are not dominated by another, so a MIP can choose among those.
 */

/** How a loop order reuses each data space: `reused[t][d]` when loops of `d` sit inside t's innermost loop over one of its own dimensions. */
export interface ReusePattern {
  /** An order (dimension indices, inner to outer) realising the pattern. */
  readonly order: readonly number[];
  readonly reused: readonly (readonly boolean[])[];
}

/**
 * Reuse masks of an order: per data space, the bit set of the dimensions sitting inside its innermost loop
 * over a dimension that indexes it.
 */
export function reuseMasks(order: readonly number[], relevant: readonly (readonly boolean[])[]): number[] {
  return relevant.map((indexes) => {
    let mask = 0;
    for (const d of order) {
      if (indexes[d]) break;
      mask |= 1 << d;
    }
    return mask;
  });
}

/** Orders of the free dimensions beyond which patterns are enumerated only from each data space's stationary order. */
const MAX_ENUMERATED_DIMS = 8;

/** Calls `visit` with every order of `items` (Heap's algorithm, in place). */
export function forEachPermutation(items: number[], visit: (order: readonly number[]) => void): void {
  const counters = new Array<number>(items.length).fill(0);
  visit(items);
  let i = 0;
  while (i < items.length) {
    if (counters[i] < i) {
      const j = i % 2 === 0 ? 0 : counters[i];
      [items[i], items[j]] = [items[j], items[i]];
      visit(items);
      counters[i]++;
      i = 0;
    } else {
      counters[i] = 0;
      i++;
    }
  }
}

/**
 * The reuse patterns no other pattern dominates (reuses a superset for every data space), over the orders
 * that start with `prefix` (a level's permutation constraint, inner to outer). With more than
 * `MAX_ENUMERATED_DIMS` free dimensions, only each data space's stationary order (the dimensions not
 * indexing it innermost) is tried.
 */
export function undominatedPatterns(relevant: readonly (readonly boolean[])[], numDims: number, prefix: readonly number[] = []): ReusePattern[] {
  const free = Array.from({ length: numDims }, (_, d) => d).filter((d) => !prefix.includes(d));
  const found: { order: number[]; masks: number[] }[] = [];
  const covers = (a: readonly number[], b: readonly number[]): boolean => a.every((m, t) => (m & b[t]) === b[t]);
  const consider = (rest: readonly number[]): void => {
    const order = [...prefix, ...rest];
    const masks = reuseMasks(order, relevant);
    if (found.some((f) => covers(f.masks, masks))) return;
    for (let i = found.length - 1; i >= 0; i--) if (covers(masks, found[i].masks)) found.splice(i, 1);
    found.push({ order, masks });
  };
  if (free.length <= MAX_ENUMERATED_DIMS) forEachPermutation(free, consider);
  else for (const indexes of relevant) consider([...free.filter((d) => !indexes[d]), ...free.filter((d) => indexes[d])]);
  return found.map(({ order }) => patternOf(order, relevant, numDims));
}

/** The pattern of one order (`relevant[t][d]`: dimension d indexes data space t). */
export function patternOf(order: readonly number[], relevant: readonly (readonly boolean[])[], numDims: number): ReusePattern {
  return { order, reused: reuseMasks(order, relevant).map((mask) => Array.from({ length: numDims }, (_, d) => (mask & (1 << d)) !== 0)) };
}
