/**
 * The search mapper over any `ArchSpec` and `Problem`, after Timeloop's mapspace and ZigZag's LOMA: a
 * mapping is a spatial unrolling (factors per fan-out and axis), an order of the remaining prime-factor
 * loops (inner to outer) and a keep/bypass choice per (level, data space). Given those, the temporal
 * loops are allotted to the levels bottom-up, each level taking the longest prefix of the order whose
 * kept tiles still fit it (a larger inner tile never adds refills for a fixed order), so every candidate
 * fits by construction. The search seeds stationary dataflows on the best-utilized unrollings (the best
 * of each assignment of dimensions to axes first), then hill-climbs (swap or move a loop, flip a bypass,
 * change the unrolling; moves to an equal estimate taken) from the best seeds, halving the climbers after
 * each round, ranked by the estimate (`nest.ts`); the best distinct candidates are the result.
 */
import type { Rng } from '../../common/rng';
import { primeFactors } from '../search/spatial';
import type { ResolvedConstraints } from './constraints';
import { cloneNest, copyNest, emptyNest, NestEstimator, tileWords, type Nest, type NestShape } from './nest';

// A local copy: imported bindings are getters under CommonJS interop, too slow for the allotment's loops.
const tileWordsOf = tileWords;

/** Effort knobs of the generic search. */
export interface GenericSearchEffort {
  /** Spatial unrollings kept (best utilization first). */
  readonly unrollings: number;
  /** Unrollings seeded with the stationary dataflow orders. */
  readonly seededUnrollings: number;
  /** Hill-climbing starts (the best seeds) and moves per start. */
  readonly starts: number;
  readonly moves: number;
  /** Candidates returned, best estimate first. */
  readonly finalists: number;
}

/** Chosen by `bench/mapper-generic.ts` (EDP against a thorough search on ResNet-50 and BERT layers); see docs/mapper.md. */
export const DEFAULT_GENERIC_EFFORT: GenericSearchEffort = { unrollings: 32, seededUnrollings: 32, starts: 16, moves: 40, finalists: 4 };
export const FAST_GENERIC_EFFORT: GenericSearchEffort = { unrollings: 16, seededUnrollings: 8, starts: 8, moves: 40, finalists: 4 };

/** Spatial factors of every fan-out (`l * D + d`), with the bounds they leave to the temporal loops. */
export interface Unrolling {
  readonly spatialX: Float64Array;
  readonly spatialY: Float64Array;
  readonly remaining: Float64Array;
  /** MACs in use (product of all spatial factors). */
  readonly utilization: number;
  /** The prime factors of each remaining bound. */
  readonly remainingPrimes: readonly (readonly number[])[];
}

function divisors(n: number): number[] {
  const out: number[] = [];
  for (let k = 1; k <= n; k++) if (n % k === 0) out.push(k);
  return out;
}

/**
 * `ranked` (best first) reordered so that the best item of each signature (which dimensions are spatial,
 * and along which axis) comes first, then the others in their order: a beam cut to the best utilization
 * alone would keep only variants of one or two assignments, and a slightly less utilized one (a
 * dimension that does not divide the mesh) is often far better for energy.
 */
function diverse<T>(ranked: readonly T[], signature: (item: T) => string): T[] {
  const seen = new Set<string>();
  const firsts: T[] = [];
  const rest: T[] = [];
  for (const item of ranked) {
    const key = signature(item);
    if (seen.has(key)) rest.push(item);
    else {
      seen.add(key);
      firsts.push(item);
    }
  }
  return [...firsts, ...rest];
}

function unrollingSignature(u: Unrolling): string {
  return Array.from(u.spatialX, (f, i) => (f > 1 ? 'x' : u.spatialY[i] > 1 ? 'y' : '-')).join('');
}

/** One assignment of a fan-out: factors along X and Y per dimension, MACs used, words its tiles need, its signature. */
interface FanoutOption {
  readonly x: Float64Array;
  readonly y: Float64Array;
  readonly used: number;
  readonly words: number;
  readonly signature: number;
  readonly index: number;
}

/** Better first: more MACs used, then fewer words (most multicast and reduction), then enumeration order. */
function compareOptions(a: FanoutOption, b: FanoutOption): number {
  return b.used - a.used || a.words - b.words || a.index - b.index;
}

/**
 * The best `limit` assignments of one fan-out (each dimension on X, Y or neither, factors dividing what
 * remains of it, within the fan-out per axis), in the order of `diverse` over `compareOptions`: the best
 * of each signature first, then the others. Only the candidates of that list are kept while enumerating.
 */
function fanoutOptions(shape: NestShape, remaining: Float64Array, fx: number, fy: number, allowX: Uint8Array, allowY: Uint8Array, limit: number): FanoutOption[] {
  const D = shape.numDims;
  const factors = Array.from(remaining, (r) => divisors(r).filter((k) => k > 1));
  const bestOfSignature = new Map<number, FanoutOption>();
  // The best 2 x limit overall hold the best `limit` of those that are not the first of their signature.
  const top: FanoutOption[] = [];
  const x = new Float64Array(D).fill(1);
  const y = new Float64Array(D).fill(1);
  const ext = new Float64Array(D);
  let index = 0;
  /** Whether an option of `used` MACs and `words` (found now) goes before `o`. */
  const before = (used: number, words: number, o: FanoutOption): boolean => used > o.used || (used === o.used && words < o.words);
  const leaf = (px: number, py: number, signature: number): void => {
    const used = px * py;
    const incumbent = bestOfSignature.get(signature);
    const worst = top.length < 2 * limit ? undefined : top[top.length - 1];
    // Most options use fewer MACs than both lists' last: no need to count their words.
    if (incumbent !== undefined && used < incumbent.used && worst !== undefined && used < worst.used) {
      index++;
      return;
    }
    for (let d = 0; d < D; d++) ext[d] = x[d] * y[d];
    let words = 0;
    for (let t = 0; t < shape.numSpaces; t++) words += tileWords(shape, t, ext, 0);
    const forSignature = incumbent === undefined || before(used, words, incumbent);
    const forTop = worst === undefined || before(used, words, worst);
    if (!forSignature && !forTop) {
      index++;
      return;
    }
    const option: FanoutOption = { x: x.slice(), y: y.slice(), used, words, signature, index: index++ };
    if (forSignature) bestOfSignature.set(signature, option);
    if (forTop) {
      top.push(option);
      top.sort(compareOptions);
      if (top.length > 2 * limit) top.pop();
    }
  };
  const walk = (d: number, px: number, py: number, signature: number): void => {
    if (d === D) {
      leaf(px, py, signature);
      return;
    }
    walk(d + 1, px, py, signature * 3);
    for (const k of factors[d]) {
      if (allowX[d] && px * k <= fx) {
        x[d] = k;
        walk(d + 1, px * k, py, signature * 3 + 1);
        x[d] = 1;
      }
      if (allowY[d] && py * k <= fy) {
        y[d] = k;
        walk(d + 1, px, py * k, signature * 3 + 2);
        y[d] = 1;
      }
    }
  };
  walk(0, 1, 1, 0);
  const firsts = [...bestOfSignature.values()].sort(compareOptions);
  const isFirst = new Set(firsts);
  return [...firsts, ...top.filter((o) => !isFirst.has(o))].slice(0, limit);
}

/**
 * The unrollings of the problem over the arch's fan-outs that the constraints allow (each dimension on
 * at most one axis per fan-out), best utilization first, at most `limit` (a beam per fan-out, outer first).
 */
export function spatialUnrollings(shape: NestShape, constraints: ResolvedConstraints, fixedTemporal: Float64Array, limit: number): Unrolling[] {
  const { numDims: D, numLevels: L, dims } = shape;
  const base = new Float64Array(D);
  for (let d = 0; d < D; d++) {
    let fixed = 1;
    for (let l = 0; l < L; l++) fixed *= fixedTemporal[l * D + d];
    base[d] = shape.bounds[d] / fixed;
  }
  let beam: Unrolling[] = [{ spatialX: new Float64Array(L * D).fill(1), spatialY: new Float64Array(L * D).fill(1), remaining: base, utilization: 1, remainingPrimes: [] }];
  for (let l = L - 1; l >= 0; l--) {
    const fx = shape.fanoutX[l];
    const fy = shape.fanoutY[l];
    if (fx <= 1 && fy <= 1) continue;
    const allowX = Uint8Array.from(dims, (d) => (fx > 1 && constraints.spatialX[l].includes(d) ? 1 : 0));
    const allowY = Uint8Array.from(dims, (d) => (fy > 1 && constraints.spatialY[l].includes(d) ? 1 : 0));
    const next: Unrolling[] = [];
    for (const u of beam) {
      for (const o of fanoutOptions(shape, u.remaining, fx, fy, allowX, allowY, limit)) {
        const spatialX = u.spatialX.slice();
        const spatialY = u.spatialY.slice();
        const remaining = u.remaining.slice();
        for (let d = 0; d < D; d++) {
          spatialX[l * D + d] = o.x[d];
          spatialY[l * D + d] = o.y[d];
          remaining[d] /= o.x[d] * o.y[d];
        }
        next.push({ spatialX, spatialY, remaining, utilization: u.utilization * o.used, remainingPrimes: [] });
      }
    }
    // Stable: among equal utilizations the fan-out's own ranking stays.
    next.sort((a, b) => b.utilization - a.utilization);
    beam = diverse(next, unrollingSignature).slice(0, limit);
  }
  return beam.map((u) => ({ ...u, remainingPrimes: Array.from(u.remaining, (r) => primeFactors(r)) }));
}

/** A candidate: an unrolling, an order of the remaining prime loops (inner to outer) and a keep mask. */
export interface Candidate {
  unrolling: Unrolling;
  dims: Int32Array;
  primes: Int32Array;
  keep: Uint8Array;
  score: number;
}

/**
 * Allots candidates to levels and scores them. The nest written by `allot` is the candidate's mapping:
 * fixed factors at their levels, each level's loops in order of first appearance (after the constrained
 * dimensions), unit dimensions last.
 */
export class Allotter {
  readonly shape: NestShape;
  readonly estimator: NestEstimator;
  private readonly constraints: ResolvedConstraints;
  private readonly fixed: Float64Array;
  /** Per level, the constrained order as dimension indices (inner to outer). */
  private readonly fixedOrder: readonly Int32Array[];
  readonly objective: 0 | 1 | 2;
  private readonly cuts: Int32Array;
  private prefix: Float64Array;
  private readonly ext: Float64Array;
  private readonly placed: Uint8Array;
  /** Per level (`l * D + d`), the product of the fan-outs and fixed factors at or below it for the candidate being allotted. */
  private readonly below: Float64Array;
  readonly nest: Nest;

  constructor(shape: NestShape, constraints: ResolvedConstraints, fixed: Float64Array, objective: 0 | 1 | 2) {
    this.shape = shape;
    this.estimator = new NestEstimator(shape);
    this.constraints = constraints;
    this.fixed = fixed;
    this.fixedOrder = constraints.permutation.map((p) => Int32Array.from(p, (d) => shape.dims.indexOf(d)));
    this.objective = objective;
    this.cuts = new Int32Array(shape.numLevels);
    this.prefix = new Float64Array(64 * shape.numDims);
    this.ext = new Float64Array(shape.numDims);
    this.placed = new Uint8Array(shape.numDims);
    this.below = new Float64Array(shape.numLevels * shape.numDims);
    this.nest = emptyNest(shape);
  }

  /** Words level `l` needs (kept tiles) with the first `k` loops of the prepared order (after `prepare`). */
  private need(keep: Uint8Array, l: number, k: number): number {
    const s = this.shape;
    const D = s.numDims;
    const ext = this.ext;
    const prefix = this.prefix;
    const below = this.below;
    for (let d = 0; d < D; d++) ext[d] = prefix[k * D + d] * below[l * D + d];
    let words = 0;
    const T = s.numSpaces;
    for (let t = 0; t < T; t++) if (keep[l * T + t]) words += tileWordsOf(s, t, ext, 0);
    return words;
  }

  /** Allots `c` and writes `this.nest`; false when even the unrolled tiles do not fit. */
  allot(c: Candidate): boolean {
    const s = this.shape;
    const D = s.numDims;
    const L = s.numLevels;
    const n = c.dims.length;
    if (this.prefix.length < (n + 1) * D) this.prefix = new Float64Array(2 * (n + 1) * D);
    const prefix = this.prefix;
    for (let d = 0; d < D; d++) prefix[d] = 1;
    for (let k = 0; k < n; k++) {
      for (let d = 0; d < D; d++) prefix[(k + 1) * D + d] = prefix[k * D + d];
      prefix[(k + 1) * D + c.dims[k]] *= c.primes[k];
    }
    // Per level, the fan-outs and fixed factors at or below it.
    const below = this.below;
    const u = c.unrolling;
    for (let l = 0; l < L; l++) {
      for (let d = 0; d < D; d++) {
        const i = l * D + d;
        below[i] = (l === 0 ? 1 : below[i - D]) * u.spatialX[i] * u.spatialY[i] * this.fixed[i];
      }
    }
    const cuts = this.cuts;
    cuts[L - 1] = n;
    const outermostBounded = s.entries[L - 1] !== Infinity;
    if (outermostBounded && this.need(c.keep, L - 1, 0) > s.entries[L - 1]) return false;
    for (let l = L - 2; l >= 0; l--) {
      const limit = s.entries[l];
      // A level that is unbounded or keeps nothing takes every loop left.
      let keeps = false;
      for (let t = 0; t < s.numSpaces; t++) if (c.keep[l * s.numSpaces + t]) keeps = true;
      if (!keeps || limit === Infinity) {
        cuts[l] = cuts[l + 1];
        continue;
      }
      if (this.need(c.keep, l, 0) > limit) return false;
      let lo = 0;
      let hi = cuts[l + 1];
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (this.need(c.keep, l, mid) <= limit) lo = mid;
        else hi = mid - 1;
      }
      cuts[l] = lo;
    }
    // The outermost level must hold its tile too (bounded outermost levels).
    if (outermostBounded && this.need(c.keep, L - 1, n) > s.entries[L - 1]) return false;
    const nest = this.nest;
    nest.spatialX.set(c.unrolling.spatialX);
    nest.spatialY.set(c.unrolling.spatialY);
    nest.keep.set(c.keep);
    let start = 0;
    const placed = this.placed;
    for (let l = 0; l < L; l++) {
      for (let d = 0; d < D; d++) nest.temporal[l * D + d] = this.fixed[l * D + d];
      placed.fill(0);
      let filled = 0;
      const fixedOrder = this.fixedOrder[l];
      for (let k = 0; k < fixedOrder.length; k++) {
        const d = fixedOrder[k];
        placed[d] = 1;
        nest.order[l * D + filled++] = d;
      }
      for (let i = start; i < cuts[l]; i++) {
        const d = c.dims[i];
        nest.temporal[l * D + d] *= c.primes[i];
        if (!placed[d]) {
          placed[d] = 1;
          nest.order[l * D + filled++] = d;
        }
      }
      for (let d = 0; d < D; d++) if (!placed[d]) nest.order[l * D + filled++] = d;
      start = cuts[l];
    }
    return true;
  }

  /** Estimated objective of `c` (Infinity when it cannot be allotted). */
  score(c: Candidate): number {
    if (!this.allot(c)) return Infinity;
    return this.estimator.estimate(this.nest, this.objective);
  }

  /** Keep masks a move may flip: the (level, data space) pairs the constraints leave open. */
  openKeeps(): Int32Array {
    const s = this.shape;
    const open: number[] = [];
    this.constraints.mayKeep.forEach((spaces, l) => {
      for (const name of spaces) open.push(l * s.numSpaces + s.spaces.indexOf(name));
    });
    return Int32Array.from(open);
  }
}

/** The keep mask with every forced keep and every open keep set (`open` all on) or clear. */
export function keepMask(shape: NestShape, constraints: ResolvedConstraints, open: boolean): Uint8Array {
  const keep = new Uint8Array(shape.numLevels * shape.numSpaces);
  for (let l = 0; l < shape.numLevels; l++) {
    for (const name of constraints.mustKeep[l]) keep[l * shape.numSpaces + shape.spaces.indexOf(name)] = 1;
    if (open) for (const name of constraints.mayKeep[l]) keep[l * shape.numSpaces + shape.spaces.indexOf(name)] = 1;
  }
  return keep;
}

/** The order's primes for an unrolling, dimensions in `priority` order (inner first). */
function seededOrder(u: Unrolling, priority: readonly number[]): { dims: Int32Array; primes: Int32Array } {
  const dims: number[] = [];
  const primes: number[] = [];
  for (const d of priority) {
    for (const p of u.remainingPrimes[d]) {
      dims.push(d);
      primes.push(p);
    }
  }
  return { dims: Int32Array.from(dims), primes: Int32Array.from(primes) };
}

/** `c`'s order carried to another unrolling: its loops kept in order where they remain, freed loops innermost. */
function withUnrolling(c: Candidate, u: Unrolling): { dims: Int32Array; primes: Int32Array } {
  const left = u.remainingPrimes.map((ps) => ps.slice());
  const kept: number[] = [];
  for (let i = 0; i < c.dims.length; i++) {
    const ps = left[c.dims[i]];
    const k = ps.indexOf(c.primes[i]);
    if (k < 0) continue;
    ps[k] = 0;
    kept.push(i);
  }
  const dims: number[] = [];
  const primes: number[] = [];
  left.forEach((ps, d) => {
    for (const p of ps) {
      if (p === 0) continue;
      dims.push(d);
      primes.push(p);
    }
  });
  for (const i of kept) {
    dims.push(c.dims[i]);
    primes.push(c.primes[i]);
  }
  return { dims: Int32Array.from(dims), primes: Int32Array.from(primes) };
}

/** Seed priorities: per data space, the dimensions that do not index it innermost (it stays put) and the reverse. */
function seedPriorities(shape: NestShape): number[][] {
  const D = shape.numDims;
  const out: number[][] = [];
  const seen = new Set<string>();
  const add = (p: number[]): void => {
    const key = p.join(',');
    if (!seen.has(key)) {
      seen.add(key);
      out.push(p);
    }
  };
  for (let t = 0; t < shape.numSpaces; t++) {
    const irrelevant: number[] = [];
    const relevant: number[] = [];
    for (let d = 0; d < D; d++) (shape.relevant[t * D + d] ? relevant : irrelevant).push(d);
    add([...irrelevant, ...relevant]);
    add([...relevant, ...irrelevant]);
  }
  return out;
}

function shuffled(n: number, rng: Rng): number[] {
  const a = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

/** One local move in place: swap two loops, move one, or flip an open keep. */
function perturb(c: Candidate, open: Int32Array, rng: Rng): void {
  const n = c.dims.length;
  const r = rng.next();
  if ((r < 0.2 || n < 2) && open.length > 0) {
    const k = open[rng.int(open.length)];
    c.keep[k] ^= 1;
    return;
  }
  if (n < 2) return;
  const i = rng.int(n);
  // A loop of another dimension (swapping or moving past equal loops changes nothing), when there is one.
  let j = rng.int(n);
  for (let tries = 0; tries < 4 && c.dims[j] === c.dims[i]; tries++) j = rng.int(n);
  const d = c.dims[i];
  const p = c.primes[i];
  if (r < 0.6) {
    c.dims[i] = c.dims[j];
    c.primes[i] = c.primes[j];
    c.dims[j] = d;
    c.primes[j] = p;
    return;
  }
  if (i < j) {
    c.dims.copyWithin(i, i + 1, j + 1);
    c.primes.copyWithin(i, i + 1, j + 1);
  } else {
    c.dims.copyWithin(j + 1, j, i);
    c.primes.copyWithin(j + 1, j, i);
  }
  c.dims[j] = d;
  c.primes[j] = p;
}

function sameNest(a: Nest, b: Nest): boolean {
  for (let i = 0; i < a.temporal.length; i++) {
    if (a.temporal[i] !== b.temporal[i] || a.order[i] !== b.order[i] || a.spatialX[i] !== b.spatialX[i] || a.spatialY[i] !== b.spatialY[i]) return false;
  }
  for (let i = 0; i < a.keep.length; i++) if (a.keep[i] !== b.keep[i]) return false;
  return true;
}

function copyCandidate(c: Candidate): Candidate {
  return { unrolling: c.unrolling, dims: c.dims.slice(), primes: c.primes.slice(), keep: c.keep.slice(), score: c.score };
}

/**
 * Greedy descent over the open keeps of `c` (in place): flip each open (level, data space) in turn and
 * keep a flip that lowers the score, until a whole pass changes nothing. Bypasses interact with the
 * loop order little, so this finds the dataflow's keep choice in a few passes.
 */
function polishKeeps(c: Candidate, open: Int32Array, allotter: Allotter): void {
  let improved = true;
  while (improved) {
    improved = false;
    for (const k of open) {
      c.keep[k] ^= 1;
      const score = allotter.score(c);
      if (score < c.score) {
        c.score = score;
        improved = true;
      } else c.keep[k] ^= 1;
    }
  }
}

/** One start's hill-climb: its best candidate and that candidate's nest. */
interface Climb {
  best: Candidate;
  readonly nest: Nest;
}

/**
 * `moves` local moves from `state.best` (in place): a loop swapped or moved, a bypass flipped, or the
 * unrolling changed with the order carried over; a move that lowers the estimate is taken and recorded in
 * `results`. A move that allots to the current nest (loops moved within one level) is not estimated again.
 */
function climb(state: Climb, moves: number, allotter: Allotter, unrollings: readonly Unrolling[], open: Int32Array, rng: Rng, results: Candidate[]): void {
  let trial = copyCandidate(state.best);
  for (let m = 0; m < moves; m++) {
    const best = state.best;
    trial.unrolling = best.unrolling;
    if (trial.dims.length !== best.dims.length) {
      trial.dims = best.dims.slice();
      trial.primes = best.primes.slice();
    } else {
      trial.dims.set(best.dims);
      trial.primes.set(best.primes);
    }
    if (trial.keep.length !== best.keep.length) trial.keep = best.keep.slice();
    else trial.keep.set(best.keep);
    if (rng.next() < 0.1 && unrollings.length > 1) {
      const u = unrollings[rng.int(unrollings.length)];
      const moved = withUnrolling(best, u);
      trial.unrolling = u;
      trial.dims = moved.dims;
      trial.primes = moved.primes;
    } else {
      perturb(trial, open, rng);
      if (rng.next() < 0.3) perturb(trial, open, rng);
    }
    if (allotter.allot(trial) && !sameNest(allotter.nest, state.nest)) {
      trial.score = allotter.estimator.estimate(allotter.nest, allotter.objective);
      // Each new best estimate is a finalist candidate (the climb then walks on over equal estimates, whose exact costs differ a little).
      if (trial.score < best.score) results.push(copyCandidate(trial));
      if (trial.score <= best.score) {
        // Ties are taken too: plateaus of equal estimates are wide, and walking them escapes local optima.
        // The trial becomes the best; the old best's arrays are the next trial's.
        state.best = trial;
        trial = best;
        copyNest(allotter.nest, state.nest);
      }
    }
  }
}

/**
 * The search on one (arch, problem): the best distinct nests found, best estimate first (at most
 * `effort.finalists`), each with its estimated score. Empty when nothing fits. Deterministic for the rng.
 */
export function searchNests(allotter: Allotter, unrollings: readonly Unrolling[], constraints: ResolvedConstraints, rng: Rng, effort: GenericSearchEffort): { nest: Nest; score: number }[] {
  const shape = allotter.shape;
  const open = allotter.openKeeps();
  // Seeds keep everything they may; the starts' bypasses are then chosen by `polishKeeps`.
  const keeps = [keepMask(shape, constraints, true)];
  const scored: Candidate[] = [];
  const priorities = seedPriorities(shape);
  const stride = Math.max(1, unrollings.length / effort.seededUnrollings);
  for (let k = 0; k < unrollings.length; k += stride) {
    const u = unrollings[Math.floor(k)];
    for (const priority of [...priorities, shuffled(shape.numDims, rng)]) {
      const { dims, primes } = seededOrder(u, priority);
      for (const keep of keeps) {
        const c: Candidate = { unrolling: u, dims, primes, keep: keep.slice(), score: Infinity };
        c.score = allotter.score(c);
        if (Number.isFinite(c.score)) scored.push(c);
      }
    }
  }
  scored.sort((a, b) => a.score - b.score);
  const results: Candidate[] = scored.slice(0, effort.finalists * 2);
  // Starts: the best seeds of distinct unrollings, their keeps polished.
  const starts: Candidate[] = [];
  for (const c of scored) {
    if (starts.length >= effort.starts) break;
    if (starts.some((s) => s.unrolling === c.unrolling)) continue;
    const start = copyCandidate(c);
    polishKeeps(start, open, allotter);
    starts.push(start);
    results.push(start);
  }
  // Successive halving: every start climbs `effort.moves` moves, then the better half climbs as many
  // more, and so on down to one, so the budget goes to the starts that lead.
  const climbs: Climb[] = [];
  for (const start of starts) {
    if (!allotter.allot(start)) continue;
    climbs.push({ best: copyCandidate(start), nest: cloneNest(allotter.nest) });
  }
  for (let survivors = climbs.length; survivors >= 1; survivors >>= 1) {
    climbs.sort((a, b) => a.best.score - b.best.score);
    for (let k = 0; k < survivors; k++) climb(climbs[k], effort.moves, allotter, unrollings, open, rng, results);
    if (survivors === 1) break;
  }
  // The bypasses of the leading climbs polished once more.
  climbs.sort((a, b) => a.best.score - b.best.score);
  climbs.forEach(({ best }, k) => {
    results.push(best);
    if (k >= effort.finalists) return;
    const polished = copyCandidate(best);
    polishKeeps(polished, open, allotter);
    if (polished.score < best.score) results.push(polished);
  });
  // Finalists: the best distinct nests, then the best of each other unrolling within 1% of the best
  // estimate (the estimate's small errors can hide the exact optimum behind another unrolling).
  results.sort((a, b) => a.score - b.score);
  const out: { nest: Nest; score: number }[] = [];
  const seen = new Set<string>();
  const unrollingsIn = new Set<Unrolling>();
  let extra = 0;
  for (const c of results) {
    const top = out.length < effort.finalists;
    if (!top && (extra >= effort.finalists || c.score > results[0].score * 1.01)) break;
    if (!top && unrollingsIn.has(c.unrolling)) continue;
    if (!allotter.allot(c)) continue;
    const nest = cloneNest(allotter.nest);
    const key = `${nest.temporal.join(',')}|${nest.spatialX.join(',')}|${nest.spatialY.join(',')}|${nest.order.join(',')}|${nest.keep.join(',')}`;
    if (seen.has(key)) continue;
    seen.add(key);
    unrollingsIn.add(c.unrolling);
    if (!top) extra++;
    out.push({ nest, score: c.score });
  }
  return out;
}

/** Every loop at the outermost level, no fan-out, only the forced keeps: fits whenever anything does with these keeps. */
export function outermostNest(shape: NestShape, constraints: ResolvedConstraints, fixed: Float64Array): Nest {
  const nest = emptyNest(shape);
  const D = shape.numDims;
  const L = shape.numLevels;
  nest.temporal.set(fixed);
  for (let d = 0; d < D; d++) {
    let f = 1;
    for (let l = 0; l < L; l++) f *= fixed[l * D + d];
    nest.temporal[(L - 1) * D + d] *= shape.bounds[d] / f;
    for (let l = 0; l < L; l++) nest.order[l * D + d] = d;
  }
  nest.keep.set(keepMask(shape, constraints, false));
  return nest;
}
