/**
 * Spatial unrollings: which factors of each dim go to the three fan-outs of the template (GlobalBuffer ->
 * 64 InputBuffers, InputBuffer -> 2 WeightBuffers, AccumulationBuffer -> macs/128 MACs). Computed once per
 * (layer, fan-outs) and shared by every arch with the same MAC count.
 */
import * as layout from '../../costmodel/mapping';

// Local copies: imported bindings are getters under CommonJS interop, too slow for these hot loops.
const NUM_DIMS = layout.NUM_DIMS;
const NUM_LEVELS = layout.NUM_LEVELS;

/** One way to unroll: `factors[level * 7 + dim]` (1 where a level has no fan-out), the leftover bounds, and the MACs used. */
export interface SpatialOption {
  readonly factors: Int32Array;
  readonly remaining: Int32Array;
  readonly utilization: number;
  /** Per level, the product per dim of its fan-out and those below it (`extents[level * 7 + dim]`): its spatial tile. */
  readonly extents: Float64Array;
}

/**
 * An unrolling whose spatial tiles (`extents`) are computed on first use and kept: every allotment on every
 * arch reads them, while most narrowed unrollings (`narrowerUnrollings`) are only checked for fit.
 */
class Unrolling implements SpatialOption {
  private tiles: Float64Array | undefined;

  constructor(
    readonly factors: Int32Array,
    readonly remaining: Int32Array,
    readonly utilization: number,
  ) {}

  get extents(): Float64Array {
    if (this.tiles === undefined) {
      const f = this.factors;
      const tiles = new Float64Array(f.length);
      for (let i = 0; i < f.length; i++) tiles[i] = i < NUM_DIMS ? f[i] : f[i] * tiles[i - NUM_DIMS];
      this.tiles = tiles;
    }
    return this.tiles;
  }
}

export function spatialOption(factors: Int32Array, remaining: Int32Array, utilization: number): SpatialOption {
  return new Unrolling(factors, remaining, utilization);
}

/** Prime factors of `n`, ascending (empty for 1). */
export function primeFactors(n: number): number[] {
  const out: number[] = [];
  let m = n;
  for (let p = 2; p * p <= m; p++) {
    while (m % p === 0) {
      out.push(p);
      m /= p;
    }
  }
  if (m > 1) out.push(m);
  return out;
}

function divisors(n: number): number[] {
  const out: number[] = [];
  for (let d = 1; d * d <= n; d++) {
    if (n % d === 0) {
      out.push(d);
      if (d * d !== n) out.push(n / d);
    }
  }
  return out.sort((a, b) => a - b);
}

/**
 * Per fan-out, the unrollings over at most `maxDims` dims whose product fits the fan-out and cannot be
 * grown by one more prime (of a dim already used, or of any dim while fewer than `maxDims` are used).
 */
function levelOptions(remaining: Int32Array, fanout: number, maxDims: number): Int32Array[] {
  const out: Int32Array[] = [];
  const current = new Int32Array(NUM_DIMS).fill(1);
  const divs = Array.from(remaining, (r) => divisors(r));
  const isMaximal = (product: number, used: number): boolean => {
    for (let d = 0; d < NUM_DIMS; d++) {
      if (used === maxDims && current[d] === 1) continue;
      const left = remaining[d] / current[d];
      if (left === 1) continue;
      const p = primeFactors(left)[0];
      if (product * p <= fanout) return false;
    }
    return true;
  };
  const recurse = (startDim: number, used: number, product: number): void => {
    if (isMaximal(product, used)) out.push(current.slice());
    if (used === maxDims) return;
    for (let d = startDim; d < NUM_DIMS; d++) {
      for (const f of divs[d]) {
        if (f === 1 || product * f > fanout) continue;
        current[d] = f;
        recurse(d + 1, used + 1, product * f);
        current[d] = 1;
      }
    }
  };
  recurse(0, 0, 1);
  return out;
}

/**
 * Per (leftover bounds, fan-out), the maximal unrollings of one fan-out over two dims. The same ones recur
 * across the partial unrollings of `spatialOptions` and across the sources `adaptUnrolling` adapts to one
 * shape (the outer fan-outs see the same leftovers). Kept for one such batch only: over a layer's 32 MAC
 * counts a shared memo grew to about 10 MB per layer.
 */
export type LevelOptionsMemo = Map<string, readonly Int32Array[]>;

function memoLevelOptions(remaining: Int32Array, fanout: number, memo: LevelOptionsMemo | undefined): readonly Int32Array[] {
  if (memo === undefined) return levelOptions(remaining, fanout, 2);
  const key = `${remaining.join(',')}|${fanout}`;
  let options = memo.get(key);
  if (options === undefined) {
    options = levelOptions(remaining, fanout, 2);
    memo.set(key, options);
  }
  return options;
}

/**
 * The unrollings of `bounds` onto `fanouts` (per level, 1 = none), best utilization first, at most `limit`.
 * Each fan-out takes at most two dims (CoSA's and Simba's practice; more rarely helps and multiplies the space).
 */
export function spatialOptions(bounds: readonly number[], fanouts: readonly number[], limit: number): SpatialOption[] {
  const memo: LevelOptionsMemo = new Map();
  const levels: number[] = [];
  for (let l = NUM_LEVELS - 1; l >= 0; l--) if (fanouts[l] > 1) levels.push(l);
  let partial: SpatialOption[] = [spatialOption(new Int32Array(NUM_LEVELS * NUM_DIMS).fill(1), Int32Array.from(bounds), 1)];
  // Keep the search breadth bounded level by level: the widest unrollings so far (stable order).
  const breadth = Math.max(2 * limit, 16);
  for (const l of levels) {
    const extensions: { parent: SpatialOption; option: Int32Array; utilization: number }[] = [];
    for (const parent of partial) {
      for (const option of memoLevelOptions(parent.remaining, fanouts[l], memo)) {
        let product = 1;
        for (let d = 0; d < NUM_DIMS; d++) product *= option[d];
        extensions.push({ parent, option, utilization: parent.utilization * product });
      }
    }
    extensions.sort((x, y) => y.utilization - x.utilization);
    partial = extensions.slice(0, breadth).map(({ parent, option, utilization }) => {
      const factors = parent.factors.slice();
      const remaining = parent.remaining.slice();
      for (let d = 0; d < NUM_DIMS; d++) {
        factors[l * NUM_DIMS + d] = option[d];
        remaining[d] /= option[d];
      }
      return spatialOption(factors, remaining, utilization);
    });
  }
  return partial.slice(0, limit);
}

/**
 * The unrollings with one prime factor fewer (moved back to the temporal loops of its dim), for archs
 * whose buffers cannot hold the tiles of a wider unrolling.
 */
export function narrowerUnrollings(option: SpatialOption): SpatialOption[] {
  const out: SpatialOption[] = [];
  for (let i = 0; i < option.factors.length; i++) {
    const f = option.factors[i];
    if (f === 1) continue;
    const p = primeFactors(f)[0];
    const factors = option.factors.slice();
    factors[i] = f / p;
    const remaining = option.remaining.slice();
    remaining[i % NUM_DIMS] *= p;
    out.push(spatialOption(factors, remaining, option.utilization / p));
  }
  return out;
}

function gcd(a: number, b: number): number {
  let x = a;
  let y = b;
  while (y !== 0) [x, y] = [y, x % y];
  return x;
}

/**
 * `source` (an unrolling found on other fan-outs) carried over to `fanouts`: each level takes the maximal
 * unrolling of its fan-out sharing the most with the source's (by the product of common factors; then the
 * widest), so a level whose factors still fit and cannot grow keeps them. This is how an order found on
 * one MAC count seeds the search on another (only the AccumulationBuffer's fan-out differs).
 */
export function adaptUnrolling(source: SpatialOption, bounds: readonly number[], fanouts: readonly number[], memo?: LevelOptionsMemo): SpatialOption {
  const factors = new Int32Array(NUM_LEVELS * NUM_DIMS).fill(1);
  const remaining = Int32Array.from(bounds);
  let utilization = 1;
  for (let l = NUM_LEVELS - 1; l >= 0; l--) {
    if (fanouts[l] <= 1) continue;
    let chosen: Readonly<Int32Array> = new Int32Array(NUM_DIMS).fill(1);
    let bestShared = 0;
    let bestProduct = 0;
    for (const option of memoLevelOptions(remaining, fanouts[l], memo)) {
      let shared = 1;
      let product = 1;
      for (let d = 0; d < NUM_DIMS; d++) {
        shared *= gcd(option[d], source.factors[l * NUM_DIMS + d]);
        product *= option[d];
      }
      if (shared > bestShared || (shared === bestShared && product > bestProduct)) {
        bestShared = shared;
        bestProduct = product;
        chosen = option;
      }
    }
    for (let d = 0; d < NUM_DIMS; d++) {
      factors[l * NUM_DIMS + d] = chosen[d];
      remaining[d] /= chosen[d];
    }
    utilization *= bestProduct;
  }
  return spatialOption(factors, remaining, utilization);
}
