/**
 * The default mapper (`'search'`), after ZigZag's LOMA/SALSA and Timeloop's mapspace:
 * a mapping is (a spatial unrolling) + (an order of the remaining prime-factor loops, inner to outer).
 * Given the order, the temporal loops are allotted to the storage levels bottom-up, each level taking the
 * longest prefix whose tiles still fit it and every level above (LOMA's memory allocation; a larger inner
 * tile never adds accesses for a fixed order, only the buffer sizes, which are fixed by the arch, set the
 * per-access energy). So every candidate is valid by construction and the search only explores orders:
 * seeded dataflow orders for each of the best unrollings, then a seeded local search (swap / move loops)
 * on the best few, ranked by the fast estimate (`estimate.ts`). The few best mappings are then costed
 * exactly with Timeloop's model and the best one wins.
 */
import type { Objective } from '../../common/objective';
import { createRng, type Rng } from '../../common/rng';
import { buildArchTemplate, type ArchTemplate, type TemplateMapperSettings } from '../../costmodel/arch-template';
import * as layout from '../../costmodel/mapping';
import type { PackedMapping } from '../../costmodel/mapping';
import type { ConvLayer } from '../../workload/layer';
import { MappingEstimator, templateShape, type TemplateShape } from './estimate';
import { adaptUnrolling, narrowerUnrollings, primeFactors, spatialOptions, type LevelOptionsMemo, type SpatialOption } from './spatial';
import type { CostModelName } from '../../costmodel/cost';

// Local copies: imported bindings are getters under CommonJS interop, too slow for these hot loops.
const NUM_DIMS = layout.NUM_DIMS;
const NUM_LEVELS = layout.NUM_LEVELS;
const PACKED_LENGTH = layout.PACKED_LENGTH;
const PACKED_LEVEL_STRIDE = layout.PACKED_LEVEL_STRIDE;
const PACKED_PERMUTATION = layout.PACKED_PERMUTATION;
const PACKED_SPATIAL = layout.PACKED_SPATIAL;
const PACKED_SPATIAL_PERMUTATION = layout.PACKED_SPATIAL_PERMUTATION;
const PACKED_TEMPORAL = layout.PACKED_TEMPORAL;

/** What the mapper minimises. */

/** Effort knobs of the search (defaults chosen by `bench/mapper.ts`; larger is slower and rarely better). */
export interface SearchEffort {
  /** Spatial unrollings kept per shape (best utilization first); the shape's pool of orders is built over all of them. */
  readonly unrollings: number;
  /** Unrollings seeded with the dataflow orders on each arch (spread evenly over the fitting ones). */
  readonly seededUnrollings: number;
  /** Local-search starts (the best seeded candidates). */
  readonly starts: number;
  /** Local-search moves per start. */
  readonly moves: number;
  /** Mappings costed exactly at the end. */
  readonly finalists: number;
  /** Per shape: local-search starts, moves per start and orders kept, on each buffer profile of the pool. */
  readonly poolStarts: number;
  readonly poolMoves: number;
  readonly poolOrders: number;
  /** The layer pool is searched on the first `poolMacCounts` of its MAC counts and `poolProfiles` of its buffer profiles (at least 1 each). */
  readonly poolMacCounts: number;
  readonly poolProfiles: number;
}

export const DEFAULT_SEARCH_EFFORT: SearchEffort = {
  unrollings: 48,
  seededUnrollings: 8,
  starts: 2,
  moves: 60,
  finalists: 4,
  poolStarts: 20,
  poolMoves: 120,
  poolOrders: 14,
  poolMacCounts: 5,
  poolProfiles: 9,
};

/**
 * A lighter search for quick runs (the demo, first looks at a space), with the smaller layer pool:
 * about 3x less CPU than the default on ResNet-50 x random archs, median EDP 3.6% higher, worst 1.7x
 * (docs/mapper.md).
 */
export const FAST_SEARCH_EFFORT: SearchEffort = {
  unrollings: 16,
  seededUnrollings: 4,
  starts: 1,
  moves: 30,
  finalists: 2,
  poolStarts: 6,
  poolMoves: 120,
  poolOrders: 6,
  poolMacCounts: 3,
  poolProfiles: 8,
};

/** Named mapper efforts, for command lines and configs. */
export const SEARCH_EFFORTS = { default: DEFAULT_SEARCH_EFFORT, fast: FAST_SEARCH_EFFORT } as const;

export type SearchEffortName = keyof typeof SEARCH_EFFORTS;

/**
 * Everything about (layer, MAC count, setup) that no buffer size changes: the template shape, the spatial
 * unrollings and the estimator. Built once and shared by every arch with those fan-outs (see `MappingCache`).
 */
export interface ShapeContext {
  readonly layer: ConvLayer;
  readonly shape: TemplateShape;
  readonly unrollings: readonly SpatialOption[];
  readonly estimator: MappingEstimator;
  /** Per-access (vector) energies of the levels for given entries (inner to outer), this shape's setup. */
  readonly vectorEnergy: (entries: Float64Array) => Float64Array;
  /** Energy of the layer's MACs (pJ). */
  readonly macEnergy: number;
  /** The layer's pool, shared by every MAC count. */
  readonly layerPool: LayerPool;
  /** Per objective, the layer pool's orders carried over to this shape's fan-outs (built on first use). */
  readonly pools: Map<Objective, readonly PoolOrder[]>;
  /** Scratch of the order searches on this shape, which run one at a time: prefix extents of an order. */
  readonly scratch: { prefix: Float64Array };
}

/**
 * Per (layer, setup, effort): per objective, the orders a thorough search finds best on buffer and MAC
 * profiles spanning the space. Building it is the costly part of a first look at a layer, so it is built
 * once and carried over to every MAC count (`adaptUnrolling`) rather than searched again for each.
 */
export interface LayerPool {
  /** The search context of the layer on `macs` MACs (from the cache when there is one). */
  readonly shapeOf: (macs: number) => ShapeContext;
  /** The template family's buffer profiles and MAC counts the pool is searched on. */
  readonly settings: TemplateMapperSettings;
  readonly orders: Map<Objective, readonly PoolOrder[]>;
}

/** A template with `macs` MACs for the arch-independent parts of a shape (buffer sizes and meshX do not matter there). */
export function shapeTemplate(macs: number, model: CostModelName): ArchTemplate {
  return buildArchTemplate({ meshX: 1, macs, accumulationBuffer: 1, weightBuffer: 1, inputBuffer: 1, globalBuffer: 1 }, { model });
}

/** The shape context of `layer` on `template`'s fan-outs, sharing the layer's pool `layerPool`. */
export function createShapeContext(layer: ConvLayer, template: ArchTemplate, effort: SearchEffort, layerPool: LayerPool): ShapeContext {
  const shape = templateShape(template);
  const bounds = [layer.R, layer.S, layer.P, layer.Q, layer.C, layer.K, layer.N];
  const macs = bounds.reduce((a, b) => a * b, 1);
  return {
    layer,
    shape,
    unrollings: spatialOptions(bounds, shape.fanouts, effort.unrollings),
    estimator: new MappingEstimator(layer, shape),
    vectorEnergy: (entries) => {
      const arch = {
        meshX: 1,
        macs: template.macs,
        accumulationBuffer: entries[1],
        weightBuffer: entries[2],
        inputBuffer: entries[3],
        globalBuffer: entries[4],
      };
      return Float64Array.from(buildArchTemplate(arch, { model: template.model }).levels, (level) => level.vectorAccessEnergy);
    },
    macEnergy: macs * template.macEnergy,
    layerPool,
    pools: new Map(),
    scratch: { prefix: new Float64Array(64 * NUM_DIMS) },
  };
}

/**
 * Dataflow orders to seed the search, inner to outer (dim indices R,S,P,Q,C,K,N = 0..6): weight reuse in
 * the registers (P,Q,N innermost) with output-, weight- or input-stationary buffers above, and their mirrors.
 */
const SEED_ORDERS: readonly (readonly number[])[] = [
  [6, 3, 2, 0, 1, 4, 5],
  [6, 3, 2, 4, 0, 1, 5],
  [6, 3, 2, 5, 4, 0, 1],
  [6, 2, 3, 0, 1, 5, 4],
  [4, 0, 1, 6, 3, 2, 5],
  [5, 6, 3, 2, 4, 0, 1],
  [0, 1, 4, 5, 6, 3, 2],
  [0, 1, 4, 6, 3, 2, 5],
];

/** A candidate: an unrolling and an order of the remaining prime loops (dims and primes, inner to outer). */
interface Candidate {
  readonly unrolling: SpatialOption;
  readonly dims: Int32Array;
  readonly primes: Int32Array;
  score: number;
  packed: PackedMapping;
}

/** Per-arch data the search needs: capacities and per-access energies of the template. */
interface ArchView {
  readonly entries: Float64Array;
  readonly vectorEnergy: Float64Array;
  readonly macEnergy: number;
}

function archView(template: ArchTemplate, ctx: ShapeContext): ArchView {
  const entries = new Float64Array(NUM_LEVELS);
  const vectorEnergy = new Float64Array(NUM_LEVELS);
  template.levels.forEach((level, l) => {
    entries[l] = level.entries ?? Infinity;
    vectorEnergy[l] = level.vectorAccessEnergy;
  });
  return { entries, vectorEnergy, macEnergy: ctx.macEnergy };
}

/** Estimated energy (pJ) on `view` of a mapping with these vector accesses per level. */
function energyOf(view: ArchView, vectorAccesses: Float64Array): number {
  let energy = view.macEnergy;
  for (let l = 0; l < NUM_LEVELS; l++) energy += vectorAccesses[l] * view.vectorEnergy[l];
  return energy;
}

/** The objective as one number for ranking mappings (lower is better); latency and energy break ties with the other. */
export function rankValue(objective: Objective, cycles: number, energy: number): number {
  switch (objective) {
    case 'edp':
      return cycles * energy;
    case 'latency':
      return cycles * (1 + 1e-12 * energy);
    case 'energy':
      return energy * (1 + 1e-12 * cycles);
  }
}

/**
 * The search state for one arch: allots loops to levels (LOMA) and scores candidates with the estimator.
 */
class OrderSearch {
  private readonly ctx: ShapeContext;
  private readonly view: ArchView;
  private readonly objective: Objective;
  /** Per level, the end (exclusive) of its segment of the last cut order. */
  readonly cuts = new Int32Array(NUM_LEVELS);
  private unrolling: SpatialOption | undefined;
  private dims: Int32Array = new Int32Array(0);
  private primes: Int32Array = new Int32Array(0);
  private readonly placed = new Uint8Array(NUM_DIMS);
  /** Scratch of `matches`: a level's loops merged per dim. */
  private readonly merged = new Float64Array(NUM_DIMS);
  private prefix: Float64Array;
  /** The prepared unrolling's `extents`. */
  private spatialExtent: Float64Array = new Float64Array(0);

  constructor(ctx: ShapeContext, view: ArchView, objective: Objective) {
    this.ctx = ctx;
    this.view = view;
    this.objective = objective;
    this.prefix = ctx.scratch.prefix;
  }

  /** Words the kept tiles of `level` need for tile extents (r, s, p, q, c, k, n). */
  private levelNeed(level: number, r: number, s: number, p: number, q: number, c: number, k: number, n: number): number {
    const keeps = this.ctx.shape.keeps;
    let need = 0;
    if (keeps[level * 3]) need += r * s * c * k;
    if (keeps[level * 3 + 1]) {
      const layer = this.ctx.layer;
      const w = (r - 1) * layer.dilationW + (p - 1) * layer.strideW + 1;
      const h = (s - 1) * layer.dilationH + (q - 1) * layer.strideH + 1;
      need += n * c * w * h;
    }
    if (keeps[level * 3 + 2]) need += p * q * k * n;
    return need;
  }

  /** Words `level` needs with the fan-outs up to it and the first `k` loops of the last prepared order. */
  private needAt(level: number, k: number): number {
    const a = this.prefix;
    const b = this.spatialExtent;
    const i = k * NUM_DIMS;
    const j = level * NUM_DIMS;
    return this.levelNeed(level, a[i] * b[j], a[i + 1] * b[j + 1], a[i + 2] * b[j + 2], a[i + 3] * b[j + 3], a[i + 4] * b[j + 4], a[i + 5] * b[j + 5], a[i + 6] * b[j + 6]);
  }

  /** Whether the tiles of the unrolling alone (no temporal loops) fit every buffer. */
  fits(unrolling: SpatialOption): boolean {
    // From the factors, not `extents`: most unrollings checked here (narrowed ones) are never allotted.
    const f = unrolling.factors;
    let r = 1;
    let s = 1;
    let p = 1;
    let q = 1;
    let c = 1;
    let k = 1;
    let n = 1;
    for (let l = 0; l < NUM_LEVELS - 1; l++) {
      const j = l * NUM_DIMS;
      r *= f[j];
      s *= f[j + 1];
      p *= f[j + 2];
      q *= f[j + 3];
      c *= f[j + 4];
      k *= f[j + 5];
      n *= f[j + 6];
      if (this.levelNeed(l, r, s, p, q, c, k, n) > this.view.entries[l]) return false;
    }
    return true;
  }

  /**
   * Allots the order to levels (largest fitting prefix per level, outer levels first so inner cuts never
   * exceed outer ones) and writes the packed mapping. Returns false when even the unrolled tiles do not fit.
   */
  allot(unrolling: SpatialOption, dims: Int32Array, primes: Int32Array, out: PackedMapping): boolean {
    this.prepare(unrolling, dims, primes);
    if (!this.cut(this.view.entries)) return false;
    this.pack(out);
    return true;
  }

  /**
   * First half of `allot`, independent of buffer sizes: the prefix extents of the order (prefix k = its
   * first k loops) and the fan-outs' extents up to each level. `cut` and `pack` then work on them.
   */
  prepare(unrolling: SpatialOption, dims: Int32Array, primes: Int32Array): void {
    const n = dims.length;
    this.unrolling = unrolling;
    this.dims = dims;
    this.primes = primes;
    if (this.prefix.length < (n + 1) * NUM_DIMS) {
      this.prefix = new Float64Array(2 * (n + 1) * NUM_DIMS);
      this.ctx.scratch.prefix = this.prefix;
    }
    const prefix = this.prefix;
    for (let d = 0; d < NUM_DIMS; d++) prefix[d] = 1;
    for (let k = 0; k < n; k++) {
      const o = k * NUM_DIMS;
      for (let d = 0; d < NUM_DIMS; d++) prefix[o + NUM_DIMS + d] = prefix[o + d];
      prefix[o + NUM_DIMS + dims[k]] *= primes[k];
    }
    this.spatialExtent = unrolling.extents;
  }

  /**
   * The cuts of the prepared order for buffers of `entries` (per level, a binary search for the longest
   * prefix that fits: tile sizes only grow with the prefix); false when even the unrolled tiles do not fit.
   */
  cut(entries: Float64Array): boolean {
    const cuts = this.cuts;
    cuts[NUM_LEVELS - 1] = this.dims.length;
    for (let l = NUM_LEVELS - 2; l >= 0; l--) {
      const limit = entries[l];
      if (this.needAt(l, 0) > limit) return false;
      let lo = 0;
      let hi = cuts[l + 1];
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (this.needAt(l, mid) <= limit) lo = mid;
        else hi = mid - 1;
      }
      cuts[l] = lo;
    }
    return true;
  }

  /** Writes the packed mapping of the prepared order and the last cuts. */
  private pack(out: PackedMapping): void {
    const { dims, primes, cuts } = this;
    const unrolling = this.unrolling as SpatialOption;
    out.fill(0);
    let start = 0;
    for (let l = 0; l < NUM_LEVELS; l++) {
      const base = l * PACKED_LEVEL_STRIDE;
      for (let d = 0; d < NUM_DIMS; d++) {
        out[base + PACKED_TEMPORAL + d] = 1;
        out[base + PACKED_SPATIAL + d] = unrolling.factors[l * NUM_DIMS + d];
        out[base + PACKED_SPATIAL_PERMUTATION + d] = d;
      }
      // Permutation: dims in order of their first loop in this level's segment, then the unit dims.
      let filled = 0;
      const placed = this.placed;
      placed.fill(0);
      for (let i = start; i < cuts[l]; i++) {
        const d = dims[i];
        out[base + PACKED_TEMPORAL + d] *= primes[i];
        if (!placed[d]) {
          placed[d] = 1;
          out[base + PACKED_PERMUTATION + filled++] = d;
        }
      }
      for (let d = 0; d < NUM_DIMS; d++) if (!placed[d]) out[base + PACKED_PERMUTATION + filled++] = d;
      start = cuts[l];
    }
  }

  /** Estimated objective of a candidate (Infinity when it cannot be allotted), without writing its mapping. */
  rank(c: Candidate): number {
    this.prepare(c.unrolling, c.dims, c.primes);
    return this.cut(this.view.entries) ? this.scoreCut() : Infinity;
  }

  /**
   * `rank` of a candidate close to `near` (a local move from it): `near`'s own score when it allots to
   * the same mapping (a move within one level's loops of one dim, or of equal loops), without estimating
   * it again. Writes `c.packed` only when it scores better than `near`.
   */
  scoreNear(c: Candidate, near: Candidate): number {
    this.prepare(c.unrolling, c.dims, c.primes);
    if (!this.cut(this.view.entries)) return Infinity;
    if (this.matches(near.packed)) return near.score;
    const score = this.scoreCut();
    // Callers keep only a better candidate, so only then is its mapping written.
    if (score < near.score) this.pack(c.packed);
    return score;
  }

  /** Whether the order last prepared and cut allots to `packed` (as `pack` would write it), checked without writing it. */
  private matches(packed: PackedMapping): boolean {
    const { dims, primes, cuts, merged } = this;
    const factors = (this.unrolling as SpatialOption).factors;
    let start = 0;
    for (let l = 0; l < NUM_LEVELS; l++) {
      const base = l * PACKED_LEVEL_STRIDE;
      for (let d = 0; d < NUM_DIMS; d++) {
        if (packed[base + PACKED_SPATIAL + d] !== factors[l * NUM_DIMS + d]) return false;
        merged[d] = 1;
      }
      // Loops are primes (>= 2), so a merged product of 1 marks a dim not yet seen in this level.
      let filled = 0;
      for (let i = start; i < cuts[l]; i++) {
        const d = dims[i];
        if (merged[d] === 1 && packed[base + PACKED_PERMUTATION + filled++] !== d) return false;
        merged[d] *= primes[i];
      }
      for (let d = 0; d < NUM_DIMS; d++) if (packed[base + PACKED_TEMPORAL + d] !== merged[d]) return false;
      start = cuts[l];
    }
    return true;
  }

  /** Estimated objective of the order last prepared and cut. */
  scoreCut(): number {
    const est = this.ctx.estimator;
    est.estimateOrder((this.unrolling as SpatialOption).factors, this.dims, this.primes, this.cuts);
    return rankValue(this.objective, est.cycles, energyOf(this.view, est.vectorAccesses));
  }

  /** First loop index of `level`'s segment in the last allotted order (after `allot`). */
  segmentStart(level: number): number {
    return level === 0 ? 0 : this.cuts[level - 1];
  }

  segmentEnd(level: number): number {
    return this.cuts[level];
  }
}

/** Levels whose loop order is polished, outer first (DRAM and GlobalBuffer orders set most of the traffic). */
const POLISHED_LEVELS = [5, 4, 2, 1];
/** Polish a level only when its loops span at most this many dims (all orders of them are tried). */
const POLISH_MAX_DIMS = 4;

function permutationsOf(items: readonly number[]): number[][] {
  if (items.length <= 1) return [items.slice()];
  const out: number[][] = [];
  items.forEach((x, i) => {
    for (const rest of permutationsOf([...items.slice(0, i), ...items.slice(i + 1)])) out.push([x, ...rest]);
  });
  return out;
}

/**
 * Interstellar's observation applied to one candidate: within a level only the order of its dims matters,
 * so try every order of the dims of each polished level (their loops kept together) and keep the best.
 */
function polish(start: Candidate, search: OrderSearch): Candidate {
  let best = start;
  const trial = scratchFrom(start);
  for (const level of POLISHED_LEVELS) {
    // Allotting `best` again gives its level segments (its score is known).
    if (!search.allot(best.unrolling, best.dims, best.primes, best.packed)) return best;
    const from = search.segmentStart(level);
    const to = search.segmentEnd(level);
    const dimsHere: number[] = [];
    for (let i = from; i < to; i++) if (!dimsHere.includes(best.dims[i])) dimsHere.push(best.dims[i]);
    if (dimsHere.length < 2 || dimsHere.length > POLISH_MAX_DIMS) continue;
    for (const order of permutationsOf(dimsHere)) {
      trial.dims.set(best.dims);
      trial.primes.set(best.primes);
      let k = from;
      for (const d of order) {
        for (let i = from; i < to; i++) {
          if (best.dims[i] !== d) continue;
          trial.dims[k] = d;
          trial.primes[k] = best.primes[i];
          k++;
        }
      }
      trial.score = search.scoreNear(trial, best);
      if (trial.score < best.score) best = copyOf(trial);
    }
  }
  return best;
}

/** A candidate to try moves in (a copy of `c`'s order; its own scratch mapping). */
function scratchFrom(c: Candidate): Candidate {
  return { unrolling: c.unrolling, dims: c.dims.slice(), primes: c.primes.slice(), score: Infinity, packed: new Int32Array(PACKED_LENGTH) };
}

/** A trial worth keeping, copied out of its scratch. */
function copyOf(trial: Candidate): Candidate {
  return { unrolling: trial.unrolling, dims: trial.dims.slice(), primes: trial.primes.slice(), score: trial.score, packed: trial.packed.slice() };
}

function seededOrder(unrolling: SpatialOption, priority: readonly number[]): { dims: Int32Array; primes: Int32Array } {
  const dims: number[] = [];
  const primes: number[] = [];
  for (const d of priority) {
    for (const p of primeFactors(unrolling.remaining[d])) {
      dims.push(d);
      primes.push(p);
    }
  }
  return { dims: new Int32Array(dims), primes: new Int32Array(primes) };
}

function shuffledPriority(rng: Rng): number[] {
  const order = [0, 1, 2, 3, 4, 5, 6];
  for (let i = order.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

/** One local move on an order, in place: swap two loops, or move one loop to another position. */
function perturb(dims: Int32Array, primes: Int32Array, rng: Rng): void {
  const n = dims.length;
  const i = rng.int(n);
  const j = rng.int(n);
  if (rng.next() < 0.5) {
    const d = dims[i];
    const p = primes[i];
    dims[i] = dims[j];
    primes[i] = primes[j];
    dims[j] = d;
    primes[j] = p;
    return;
  }
  const d = dims[i];
  const p = primes[i];
  if (i < j) {
    dims.copyWithin(i, i + 1, j + 1);
    primes.copyWithin(i, i + 1, j + 1);
  } else {
    dims.copyWithin(j + 1, j, i);
    primes.copyWithin(j + 1, j, i);
  }
  dims[j] = d;
  primes[j] = p;
}

/**
 * The given unrollings whose tiles fit the arch's buffers; each one that does not fit is replaced by its
 * widest narrower versions that do (breadth-first, one prime at a time). At most `limit`, widest first.
 */
function fittingUnrollings(unrollings: readonly SpatialOption[], search: OrderSearch, limit: number): SpatialOption[] {
  // The common case, every unrolling fits: they are distinct and already widest first.
  if (unrollings.every((u) => search.fits(u))) return unrollings.slice(0, limit);
  const out: SpatialOption[] = [];
  const seen = new Set<string>();
  let frontier: SpatialOption[] = [...unrollings];
  while (frontier.length > 0 && out.length < limit) {
    const next: SpatialOption[] = [];
    for (const u of frontier) {
      const key = u.factors.join(',');
      if (seen.has(key)) continue;
      seen.add(key);
      if (search.fits(u)) out.push(u);
      else next.push(...narrowerUnrollings(u));
    }
    frontier = next;
  }
  return out.sort((a, b) => b.utilization - a.utilization).slice(0, limit);
}

/** Candidates with distinct mappings, in the order first seen (hashed, then compared in full). */
class DistinctCandidates {
  private readonly byHash = new Map<number, Candidate[]>();
  readonly all: Candidate[] = [];

  add(c: Candidate): void {
    const hash = mappingHash(c.packed);
    const same = this.byHash.get(hash);
    if (same === undefined) this.byHash.set(hash, [c]);
    else if (same.some((other) => sameMapping(other.packed, c.packed))) return;
    else same.push(c);
    this.all.push(c);
  }
}

/** FNV-1a over the mapping's words. */
function mappingHash(packed: PackedMapping): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < packed.length; i++) h = Math.imul(h ^ packed[i], 0x01000193);
  return h;
}

function sameMapping(a: PackedMapping, b: PackedMapping): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** A loop order (with its unrolling) found good on some arch of a shape, tried again on every arch of it. */
export interface PoolOrder {
  readonly unrolling: SpatialOption;
  readonly dims: Int32Array;
  readonly primes: Int32Array;
}

/**
 * Seeded dataflow orders for every fitting unrolling, the pool's orders, then a local search from the
 * best few. Returns every distinct candidate kept, best estimate first.
 */
function runSearch(ctx: ShapeContext, view: ArchView, objective: Objective, rng: Rng, effort: SearchEffort, pool: readonly PoolOrder[]): Candidate[] {
  const search = new OrderSearch(ctx, view, objective);
  const scored: Candidate[] = [];
  // Candidates are scored into one scratch mapping; only the few kept get their own (see below).
  const scratch = new Int32Array(PACKED_LENGTH);
  const consider = (unrolling: SpatialOption, dims: Int32Array, primes: Int32Array): void => {
    const c: Candidate = { unrolling, dims, primes, score: Infinity, packed: scratch };
    c.score = search.rank(c);
    if (Number.isFinite(c.score)) scored.push(c);
  };
  const fitting = fittingUnrollings(ctx.unrollings, search, ctx.unrollings.length);
  const stride = Math.max(1, fitting.length / effort.seededUnrollings);
  for (let k = 0; k < fitting.length; k += stride) {
    const unrolling = fitting[Math.floor(k)];
    for (const priority of [...SEED_ORDERS, shuffledPriority(rng)]) {
      const { dims, primes } = seededOrder(unrolling, priority);
      consider(unrolling, dims, primes);
    }
  }
  // Candidates' orders are never changed in place (local moves work on copies), so pool orders are shared.
  // A pool order whose unrolling's tiles do not fit this arch's buffers (small buffers, below every pool
  // profile) is tried on the widest narrower unrolling that fits, rather than dropped.
  const narrowed = new Map<string, SpatialOption | undefined>();
  for (const p of pool) {
    const before = scored.length;
    consider(p.unrolling, p.dims, p.primes);
    if (scored.length > before) continue;
    const key = p.unrolling.factors.join(',');
    if (!narrowed.has(key)) narrowed.set(key, fittingUnrollings([p.unrolling], search, 1)[0]);
    const fitting = narrowed.get(key);
    if (fitting !== undefined) {
      const q = withUnrolling(p, fitting);
      consider(q.unrolling, q.dims, q.primes);
    }
  }
  scored.sort((a, b) => a.score - b.score);
  const top = scored.slice(0, Math.max(effort.finalists * 4, effort.starts));
  // The kept candidates get their own mapping (their scores are known).
  for (const c of top) {
    c.packed = new Int32Array(PACKED_LENGTH);
    search.allot(c.unrolling, c.dims, c.primes, c.packed);
  }
  const kept = new DistinctCandidates();
  const remember = (c: Candidate): void => kept.add(c);
  top.slice(0, effort.finalists * 4).forEach(remember);

  for (const start of top.slice(0, effort.starts)) {
    if (start.dims.length < 2) continue;
    let best: Candidate = start;
    const trial = scratchFrom(start);
    for (let m = 0; m < effort.moves; m++) {
      trial.dims.set(best.dims);
      trial.primes.set(best.primes);
      perturb(trial.dims, trial.primes, rng);
      if (rng.next() < 0.3) perturb(trial.dims, trial.primes, rng);
      trial.score = search.scoreNear(trial, best);
      if (trial.score < best.score) {
        best = copyOf(trial);
        remember(best);
      }
    }
  }
  const ranked = [...kept.all].sort((a, b) => a.score - b.score);
  for (const c of ranked.slice(0, effort.starts)) remember(polish(c, search));
  return [...kept.all].sort((a, b) => a.score - b.score);
}

/**
 * The pool's own seeds, one per search (MAC count x profile): the pool must not depend on the call's seed
 * or on which arch asked first, and a smaller pool (fewer MAC counts or profiles) is part of a larger one.
 */
const POOL_SEED = 0x5eed;

function poolSearchSeed(macs: number, profile: number): number {
  return POOL_SEED + 1000 * macs + profile;
}

/** A buffer profile's entries per level, unbounded levels as Infinity. */
function profileEntries(levels: readonly (number | undefined)[]): Float64Array {
  return Float64Array.from(levels, (entries) => entries ?? Infinity);
}

function orderKey(o: PoolOrder): string {
  return `${o.unrolling.factors.join(',')}|${o.dims.join(',')}|${o.primes.join(',')}`;
}

function layerPoolOrders(pool: LayerPool, objective: Objective, effort: SearchEffort): readonly PoolOrder[] {
  const cached = pool.orders.get(objective);
  if (cached !== undefined) return cached;
  const poolEffort: SearchEffort = { ...effort, seededUnrollings: effort.unrollings, starts: effort.poolStarts, moves: effort.poolMoves, finalists: effort.poolOrders };
  const orders: PoolOrder[] = [];
  const seen = new Set<string>();
  for (const macs of pool.settings.macCounts.slice(0, effort.poolMacCounts)) {
    const ctx = pool.shapeOf(macs);
    for (const [profile, levels] of pool.settings.bufferProfiles.slice(0, effort.poolProfiles).entries()) {
      const entries = profileEntries(levels);
      const view: ArchView = { entries, vectorEnergy: ctx.vectorEnergy(entries), macEnergy: ctx.macEnergy };
      const rng = createRng(poolSearchSeed(macs, profile));
      for (const c of runSearch(ctx, view, objective, rng, poolEffort, []).slice(0, poolEffort.finalists)) {
        const order: PoolOrder = { unrolling: c.unrolling, dims: c.dims, primes: c.primes };
        const key = orderKey(order);
        if (seen.has(key)) continue;
        seen.add(key);
        orders.push(order);
      }
    }
  }
  pool.orders.set(objective, orders);
  return orders;
}

/** Memos of carrying a pool over to one shape: adapted unrollings by source, and the fan-out options behind them. */
interface Adaptation {
  readonly unrollings: Map<SpatialOption, SpatialOption>;
  readonly levelOptions: LevelOptionsMemo;
}

/**
 * A pool order carried over to `ctx`'s fan-outs: the unrolling adapted (`adaptUnrolling`, memoised in
 * `adaptation` per source unrolling: many orders share one), the temporal loops kept in the source's
 * order where the new unrolling leaves them, and the loops it no longer unrolls put innermost (where the
 * source had them, spatially below every temporal loop).
 */
function carryOver(order: PoolOrder, ctx: ShapeContext, adaptation: Adaptation): PoolOrder {
  const layer = ctx.layer;
  let unrolling = adaptation.unrollings.get(order.unrolling);
  if (unrolling === undefined) {
    unrolling = adaptUnrolling(order.unrolling, [layer.R, layer.S, layer.P, layer.Q, layer.C, layer.K, layer.N], ctx.shape.fanouts, adaptation.levelOptions);
    adaptation.unrollings.set(order.unrolling, unrolling);
  }
  return withUnrolling(order, unrolling);
}

/**
 * `order` on another unrolling of the same layer: its temporal loops kept in order where the new
 * unrolling leaves them, and the loops the new unrolling no longer unrolls put innermost.
 */
function withUnrolling(order: PoolOrder, unrolling: SpatialOption): PoolOrder {
  // Per dim, the primes the new unrolling leaves; a prime the order places is zeroed (taken).
  const left = Array.from(unrolling.remaining, (r) => primeFactors(r));
  let total = 0;
  for (const ps of left) total += ps.length;
  const keep = new Uint8Array(order.dims.length);
  let kept = 0;
  for (let i = 0; i < order.dims.length; i++) {
    const ps = left[order.dims[i]];
    const k = ps.indexOf(order.primes[i]);
    if (k < 0) continue;
    ps[k] = 0;
    keep[i] = 1;
    kept++;
  }
  const dims = new Int32Array(total);
  const primes = new Int32Array(total);
  let inner = 0;
  left.forEach((ps, d) => {
    for (const p of ps) {
      if (p === 0) continue;
      dims[inner] = d;
      primes[inner++] = p;
    }
  });
  let outer = total - kept;
  for (let i = 0; i < order.dims.length; i++) {
    if (!keep[i]) continue;
    dims[outer] = order.dims[i];
    primes[outer++] = order.primes[i];
  }
  return { unrolling, dims, primes };
}

/**
 * Estimated objective of every order on every view (`scores[view][order]`, Infinity where it cannot be
 * allotted), as `OrderSearch.rank` computes it one at a time. Cheaper in bulk: an order's prefix
 * extents are computed once for all views, and views whose buffers cut it the same way share one
 * estimate (the estimate does not depend on buffer sizes; about a tenth of the pool's cuts repeat).
 */
function scoreOnViews(ctx: ShapeContext, views: readonly ArchView[], objective: Objective, orders: readonly PoolOrder[]): Float64Array[] {
  const search = new OrderSearch(ctx, views[0], objective);
  const estimator = ctx.estimator;
  const scores = views.map(() => new Float64Array(orders.length));
  // Per view of the current order: its cuts and, for the first view with those cuts, the estimate.
  const cutsOf = views.map(() => new Int32Array(NUM_LEVELS));
  const cyclesOf = new Float64Array(views.length);
  const accessesOf = views.map(() => new Float64Array(NUM_LEVELS));
  const sameCuts = (a: Int32Array, b: Int32Array): boolean => {
    for (let l = 0; l < NUM_LEVELS; l++) if (a[l] !== b[l]) return false;
    return true;
  };
  orders.forEach((order, i) => {
    search.prepare(order.unrolling, order.dims, order.primes);
    let estimated = 0;
    views.forEach((view, v) => {
      if (!search.cut(view.entries)) {
        scores[v][i] = Infinity;
        return;
      }
      let k = 0;
      while (k < estimated && !sameCuts(cutsOf[k], search.cuts)) k++;
      if (k === estimated) {
        estimator.estimateOrder(order.unrolling.factors, order.dims, order.primes, search.cuts);
        cutsOf[k].set(search.cuts);
        cyclesOf[k] = estimator.cycles;
        accessesOf[k].set(estimator.vectorAccesses);
        estimated++;
      }
      scores[v][i] = rankValue(objective, cyclesOf[k], energyOf(view, accessesOf[k]));
    });
  });
  return scores;
}

/**
 * The layer pool carried over to `ctx`'s fan-outs, re-ranked on this shape: per buffer profile, the
 * `effort.poolOrders` best carried orders (so an arch re-allots about as many orders as one profile
 * search keeps, whatever the number of MAC counts the layer pool was searched on).
 */
function shapePool(ctx: ShapeContext, objective: Objective, effort: SearchEffort): readonly PoolOrder[] {
  const cached = ctx.pools.get(objective);
  if (cached !== undefined) return cached;
  const adaptation: Adaptation = { unrollings: new Map(), levelOptions: new Map() };
  // Orders that carry over to the same order are scored once (about a tenth of them).
  const carried: PoolOrder[] = [];
  const keys: string[] = [];
  const distinct = new Set<string>();
  for (const order of layerPoolOrders(ctx.layerPool, objective, effort)) {
    const c = carryOver(order, ctx, adaptation);
    const key = orderKey(c);
    if (distinct.has(key)) continue;
    distinct.add(key);
    carried.push(c);
    keys.push(key);
  }
  const views = ctx.layerPool.settings.bufferProfiles.slice(0, effort.poolProfiles).map((levels): ArchView => {
    const entries = profileEntries(levels);
    return { entries, vectorEnergy: ctx.vectorEnergy(entries), macEnergy: ctx.macEnergy };
  });
  const scores = scoreOnViews(ctx, views, objective, carried);
  const kept: PoolOrder[] = [];
  const seen = new Set<string>();
  for (const viewScores of scores) {
    // Best first; ties keep the pool's order (a stable sort).
    const ranked = carried.map((_, i) => i).filter((i) => Number.isFinite(viewScores[i]));
    ranked.sort((a, b) => viewScores[a] - viewScores[b]);
    let taken = 0;
    for (const i of ranked) {
      if (taken >= effort.poolOrders) break;
      if (seen.has(keys[i])) continue;
      seen.add(keys[i]);
      kept.push(carried[i]);
      taken++;
    }
  }
  ctx.pools.set(objective, kept);
  return kept;
}

/**
 * Candidate mappings of `ctx.layer` for one arch, best estimate first (distinct, at most `effort.finalists`).
 * Deterministic for the rng's seed. Empty when no unrolling's tiles fit the buffers.
 */
export function searchMappings(ctx: ShapeContext, template: ArchTemplate, objective: Objective, rng: Rng, effort: SearchEffort = DEFAULT_SEARCH_EFFORT): PackedMapping[] {
  const view = archView(template, ctx);
  return runSearch(ctx, view, objective, rng, effort, shapePool(ctx, objective, effort))
    .slice(0, effort.finalists)
    .map((c) => c.packed);
}
