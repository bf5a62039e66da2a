/**
 * CoSA's mapping MIP (Huang et al., "CoSA: Scheduling by Constrained Optimization for Spatial
 * Accelerators", MICRO'21), built for our architecture template as a plain `LinearProgram`.
 *
 * Every prime factor of every loop bound is placed at one storage level, as a temporal loop of that
 * level or as a spatial loop of its fan-out. All capacity and fan-out limits become linear once written
 * in logs (the log of a tile is the sum of the logs of the factors inside it). The level just below
 * DRAM (the GlobalBuffer) also orders its temporal loops, which decides how often each tensor is
 * refetched from it. The objective is CoSA's weighted sum of compute (log of the temporal iterations),
 * buffer utilisation (log tile sizes, rewarded) and traffic (log data movement).
 *
 * Differences from CoSA's Gurobi model, all in the encoding, none in what is optimised:
 * - identical prime factors of a dimension are one integer count per placement (no symmetric binaries);
 * - the GlobalBuffer loop order is not a set of per-factor slot variables multiplied by "already
 *   refetched" flags (a quadratic term that Gurobi accepts and HiGHS does not). The order only matters
 *   through each tensor's reuse: the loops inside its innermost loop over one of its own dims. Only three
 *   reuse patterns are not dominated (`REUSE_PATTERNS`: weights reused over P,Q,N; inputs over R,S,K;
 *   outputs over R,S,C), so three binaries choose one and bound each tensor's reuse linearly. This is
 *   exact: the best order for a placement realises one of these patterns;
 * - input tiles never underestimate Timeloop's sliding-window size, where CoSA's approximation can
 *   overfill the InputBuffer, so every solution fits: capacity uses the exact extent
 *   `(p-1)·stride + (r-1)·dilation + 1` when the filter bound is prime (see `exactWindow`), else the bound
 *   `p·r·stride^[p>1]·dilation^[r>1]`, which the utilisation term always uses (it must stay linear);
 * - a buffer shared by two tensors (the GlobalBuffer: inputs and outputs) may split its entries at any
 *   ratio (see `capacityLimits`), where CoSA fixes 1:3.
 */
import { LAYER_DIMS, type ConvLayer } from '../../workload/layer';
import { TENSOR_NAMES, type TensorName } from '../../costmodel/cost';
import { patternOf, undominatedPatterns, type ReusePattern } from './reuse';
export type { ReusePattern } from './reuse';
import { addExpr, addTerm, LinearProgramBuilder, type LinearExpr, type LinearProgram } from './linear-program';

/** What the formulation needs of an architecture; `ArchTemplate` (from `buildArchTemplate`) is one. */
export interface MipArch {
  /** Storage levels inner to outer; `entries` undefined means unbounded (DRAM, the last level). */
  readonly levels: readonly {
    readonly name: string;
    readonly entries: number | undefined;
    readonly keeps: Readonly<Record<TensorName, boolean>>;
  }[];
  /** `fanouts[l]`: instances below level `l` per instance of `l` (1: no spatial loops there). */
  readonly fanouts: readonly number[];
}

/** CoSA's objective weights (`cosa.py`: compute 10, utilisation -0.1, traffic 1). */
export interface CosaWeights {
  /** Weight of log2(temporal iterations); must be >= 0. */
  readonly compute: number;
  /** Weight of the summed log2 tile sizes of the levels below the GlobalBuffer; negative rewards full buffers. */
  readonly utilization: number;
  /** Weight of the log2 traffic terms; must be >= 0. */
  readonly traffic: number;
}

export const COSA_WEIGHTS: CosaWeights = { compute: 10, utilization: -0.1, traffic: 1 };

/** All prime factors of a dimension equal to `prime`: `count` of them. */
export interface FactorGroup {
  /** Index into `LAYER_DIMS`. */
  readonly dim: number;
  readonly prime: number;
  readonly count: number;
}

/** Where a factor can go: a level, as a temporal loop of it or as a spatial loop of its fan-out. */
export interface FactorSite {
  readonly level: number;
  readonly spatial: boolean;
}

/**
 * A solution of the formulation, decoded: how many factors of each group sit at each site, and the
 * ordered level's temporal loop order.
 */
export interface FactorPlacement {
  /** `counts[g][s]`: factors of `groups[g]` placed at `sites[s]`. */
  readonly counts: readonly (readonly number[])[];
  /** The ordered level's temporal loop order, inner to outer: every dim index once. */
  readonly order: readonly number[];
}

/** The formulation of one layer on one architecture. */
export interface CosaProblem {
  readonly layer: ConvLayer;
  readonly arch: MipArch;
  readonly weights: CosaWeights;
  readonly groups: readonly FactorGroup[];
  readonly sites: readonly FactorSite[];
  /** The level whose temporal loops are ordered (the one just below DRAM, the GlobalBuffer). */
  readonly orderedLevel: number;
  readonly program: LinearProgram;
  /** `countColumns[g][s]`: the column of the integer count of group g at site s, -1 where none can go. */
  readonly countColumns: readonly (readonly number[])[];
  /** `patternColumns[k]`: the binary column choosing `REUSE_PATTERNS[k]` for the ordered level's loops. */
  readonly patternColumns: readonly number[];
}

export interface CosaFormulationOptions {
  readonly weights?: CosaWeights;
}

export const WEIGHTS = 0;
export const INPUTS = 1;
export const OUTPUTS = 2;
const NUM_TENSORS = TENSOR_NAMES.length;

const R = 0;
const S = 1;
const P = 2;
const Q = 3;

/**
 * CoSA's `A` matrix: `INDEXES[dim][tensor]`, the dims that index each tensor. R and S do not index the
 * inputs here (CoSA's choice for traffic and reuse); they enter the inputs' tile sizes through the halo.
 */
export const INDEXES: readonly (readonly boolean[])[] = [
  [true, false, false], // R
  [true, false, false], // S
  [false, true, true], // P
  [false, true, true], // Q
  [true, true, false], // C
  [true, false, true], // K
  [false, true, true], // N
];

/** Whether a factor of `dim` grows the tile of `tensor` (inputs: also R and S, the sliding window). */
export function growsTile(dim: number, tensor: number): boolean {
  return INDEXES[dim][tensor] || (tensor === INPUTS && (dim === R || dim === S));
}

/** Absolute slack on log2 limits, so a tile that exactly fills a buffer is not cut by rounding. */
const LOG_SLACK = 1e-9;

/** The prime factorisation of `n` (>= 1) as (prime, multiplicity) pairs, ascending. */
export function primeFactorisation(n: number): { prime: number; count: number }[] {
  if (!(Number.isInteger(n) && n >= 1)) throw new RangeError(`primeFactorisation: expected a positive integer, got ${n}`);
  const result: { prime: number; count: number }[] = [];
  let rest = n;
  for (let p = 2; p * p <= rest; p++) {
    let count = 0;
    while (rest % p === 0) {
      rest /= p;
      count++;
    }
    if (count > 0) result.push({ prime: p, count });
  }
  if (rest > 1) result.push({ prime: rest, count: 1 });
  return result;
}

/** The prime-factor groups of a layer, dims in `LAYER_DIMS` order. */
export function factorGroups(layer: ConvLayer): FactorGroup[] {
  return LAYER_DIMS.flatMap((d, dim) => primeFactorisation(layer[d]).map(({ prime, count }) => ({ dim, prime, count })));
}

/** The tensors a level keeps, as indices into `TENSOR_NAMES`. */
export function keptTensors(arch: MipArch, level: number): number[] {
  return TENSOR_NAMES.flatMap((name, t) => (arch.levels[level].keeps[name] ? [t] : []));
}

/** `sum(coefs[i] * log2(tile of the i-th kept tensor)) <= bound`: one linear capacity limit of a level. */
export interface CapacityLimit {
  readonly coefs: readonly number[];
  readonly bound: number;
}

/**
 * Fractions of a shared buffer at which the boundary `tileA + tileB = entries` is sampled: dense in log
 * space near both ends (down to 1/4096 of the entries), so small tiles beside a large one lose little.
 */
const SHARE_SAMPLES: readonly number[] = (() => {
  const small = Array.from({ length: 23 }, (_, t) => 2 ** (-(t + 2) / 2));
  return [...new Set([...small, 0.5, ...small.map((a) => 1 - a)])].sort((a, b) => a - b);
})();

/**
 * The capacity limits of a level keeping `kept` tensors (1 or 2), in the log2 tile sizes.
 * One tensor: `log2 tile <= log2 entries`. Two tensors sharing the entries (the GlobalBuffer's inputs
 * and outputs, `tileA + tileB <= entries`): that set is convex in the logs, so the polygon through
 * sampled points of its boundary lies inside it; its edges are linear limits (no split variables, and
 * every solution fits). CoSA instead fixes the split at 1:3.
 */
export function capacityLimits(entries: number, kept: number): CapacityLimit[] {
  const log2 = Math.log2;
  if (kept === 1) return [{ coefs: [1], bound: log2(entries) }];
  if (kept !== 2) throw new RangeError(`capacityLimits: a level may keep 1 or 2 capacity-limited tensors, got ${kept}`);
  const corners = SHARE_SAMPLES.map((a) => [log2(entries * a), log2(entries * (1 - a))]);
  const limits: CapacityLimit[] = [
    { coefs: [1, 0], bound: corners[corners.length - 1][0] },
    { coefs: [0, 1], bound: corners[0][1] },
  ];
  for (let k = 0; k + 1 < corners.length; k++) {
    const [x0, y0] = corners[k];
    const [x1, y1] = corners[k + 1];
    // The line through both corners, feasible side towards smaller tiles.
    limits.push({ coefs: [y0 - y1, x1 - x0], bound: (y0 - y1) * x0 + (x1 - x0) * y0 });
  }
  return limits;
}

/** Stride or dilation that widens the inputs' tile once a factor of `dim` is inside it (1: none). */
export function haloScale(layer: ConvLayer, dim: number): number {
  switch (dim) {
    case P:
      return layer.strideW;
    case Q:
      return layer.strideH;
    case R:
      return layer.dilationW;
    case S:
      return layer.dilationH;
    default:
      return 1;
  }
}

/** A sliding-window axis of the inputs: an output dim (P or Q) with its filter dim (R or S). */
export interface WindowAxis {
  readonly output: number;
  readonly filter: number;
  readonly stride: number;
  readonly dilation: number;
}

export function windowAxes(layer: ConvLayer): readonly WindowAxis[] {
  return [
    { output: P, filter: R, stride: layer.strideW, dilation: layer.dilationW },
    { output: Q, filter: S, stride: layer.strideH, dilation: layer.dilationH },
  ];
}

/** Whether `n` is a prime. */
export function isPrime(n: number): boolean {
  return n > 1 && primeFactorisation(n).length === 1 && primeFactorisation(n)[0].count === 1;
}

/**
 * Whether capacity uses the exact window extent on this axis: the filter bound is prime (its tile is 1 or all
 * of it) and `(R-1)·dilation + 1 >= stride` (then the extent is convex in log p).
 */
export function exactWindow(layer: ConvLayer, axis: WindowAxis): boolean {
  const filter = layer[LAYER_DIMS[axis.filter]];
  return isPrime(filter) && (filter - 1) * axis.dilation + 1 >= axis.stride;
}

/** log2 of the inputs' extent along an axis for output tile p and filter tile r: (p-1)·stride + (r-1)·dilation + 1. */
export function windowExtentLog(p: number, r: number, axis: WindowAxis): number {
  return Math.log2((p - 1) * axis.stride + (r - 1) * axis.dilation + 1);
}

/** CoSA weighs the utilisation of the outermost on-chip buffer of the weights 1% more ("they come straight from DRAM"). */
export function utilizationFactor(arch: MipArch, level: number, orderedLevel: number): number {
  if (!arch.levels[level].keeps.Weights) return 1;
  for (let l = level + 1; l <= orderedLevel; l++) if (arch.levels[l].keeps.Weights) return 1;
  return 1.01;
}

/** CoSA's per-level weight of the data held below the ordered level (`0.8 + 0.04 * level`). */
export function dataSizeFactor(level: number): number {
  return 0.8 + 0.04 * level;
}

/** CoSA's weight of DRAM traffic per tensor (weights 1% more: "encode DRAM latency for weights"). */
export function dramTrafficFactor(tensor: number): number {
  return tensor === WEIGHTS ? 1.01 : 1;
}

/** CoSA's discount of the data-size and spatial terms of the traffic. */
export const INNER_TRAFFIC_FACTOR = 0.99;

function validateInputs(arch: MipArch, weights: CosaWeights): void {
  const numLevels = arch.levels.length;
  if (numLevels < 2 || arch.fanouts.length !== numLevels) {
    throw new RangeError(`buildCosaProblem: need >= 2 levels and one fan-out per level, got ${numLevels} levels, ${arch.fanouts.length} fan-outs`);
  }
  if (arch.levels[numLevels - 1].entries !== undefined) throw new RangeError('buildCosaProblem: the outermost level must be unbounded (DRAM)');
  for (const t of TENSOR_NAMES) {
    if (!arch.levels[numLevels - 1].keeps[t]) throw new RangeError(`buildCosaProblem: the outermost level must keep ${t}`);
  }
  if (!(weights.compute >= 0 && weights.traffic >= 0 && Number.isFinite(weights.utilization))) {
    throw new RangeError(`buildCosaProblem: weights must have compute >= 0, traffic >= 0 and a finite utilization, got ${JSON.stringify(weights)}`);
  }
}

/** CoSA's `A` matrix by tensor: `TENSOR_INDEXES[tensor][dim]`. */
const TENSOR_INDEXES: readonly (readonly boolean[])[] = [WEIGHTS, INPUTS, OUTPUTS].map((tensor) => INDEXES.map((row) => row[tensor]));

/**
 * The reuse patterns no other pattern dominates (reuses a superset for every tensor), found by walking
 * every order of the seven dims (`REUSE_PATTERNS` is this list, written out; a test checks they agree).
 */
export function undominatedReusePatterns(): ReusePattern[] {
  return undominatedPatterns(TENSOR_INDEXES, LAYER_DIMS.length);
}

/**
 * With convolution's index sets, three patterns: outputs reused over R,S,C (inputs over R,S); inputs over
 * R,S,K (outputs over R,S); weights over P,Q,N. Each with an order (inner to outer) realising it.
 */
export const REUSE_PATTERNS: readonly ReusePattern[] = [
  [R, S, 4, P, Q, 5, 6],
  [R, S, 5, P, Q, 4, 6],
  [P, Q, 6, R, S, 4, 5],
].map((order) => patternOf(order, TENSOR_INDEXES, LAYER_DIMS.length));

/**
 * Builds CoSA's formulation of `layer` on `arch`. Pure; throws a
 * RangeError only for a malformed `arch` or weights (programmer errors). An arch on which no mapping
 * fits still gives programs (infeasible ones).
 */
export function buildCosaProblem(arch: MipArch, layer: ConvLayer, options: CosaFormulationOptions = {}): CosaProblem {
  const weights = options.weights ?? COSA_WEIGHTS;
  validateInputs(arch, weights);
  const numLevels = arch.levels.length;
  const orderedLevel = numLevels - 2;
  const groups = factorGroups(layer);
  const sites: FactorSite[] = [];
  for (let level = 0; level < numLevels; level++) {
    sites.push({ level, spatial: false });
    if (arch.fanouts[level] > 1) sites.push({ level, spatial: true });
  }

  const lp = new LinearProgramBuilder();
  const log2 = Math.log2;

  // Placement counts per group and site; spatial sites are bounded by how many copies of the prime fit the fan-out.
  const countColumns = groups.map((g, gi) =>
    sites.map((site) => {
      const limit = site.spatial ? Math.min(g.count, Math.floor(log2(arch.fanouts[site.level]) / log2(g.prime) + LOG_SLACK)) : g.count;
      const name = `n_${LAYER_DIMS[g.dim]}${g.prime}_g${gi}_${site.spatial ? 's' : 't'}${site.level}`;
      return limit > 0 ? lp.addColumn(name, 0, limit, true) : -1;
    }),
  );
  groups.forEach((g, gi) => {
    const all: LinearExpr = new Map();
    for (const col of countColumns[gi]) if (col >= 0) addTerm(all, col, 1);
    lp.addRow(`place_g${gi}`, all, g.count, g.count);
  });

  // Symmetry: when swapping two dims maps every mapping to an equally good one (P,Q of a square layer with
  // equal strides; R,S with equal dilations), keep only the half where the first sits no lower, on a
  // weighted average over sites, than the second.
  const symmetricPairs: [number, number][] = [];
  if (layer.P === layer.Q && layer.strideW === layer.strideH) symmetricPairs.push([P, Q]);
  if (layer.R === layer.S && layer.dilationW === layer.dilationH) symmetricPairs.push([R, S]);
  for (const [first, second] of symmetricPairs) {
    const row: LinearExpr = new Map();
    groups.forEach((g, gi) => {
      const sign = g.dim === first ? 1 : g.dim === second ? -1 : 0;
      if (sign !== 0) countColumns[gi].forEach((col, si) => col >= 0 && addTerm(row, col, sign * (si + 1) * log2(g.prime)));
    });
    if (row.size > 0) lp.addRow(`symmetry_${LAYER_DIMS[first]}${LAYER_DIMS[second]}`, row, 0, Infinity);
  }

  // Spatial fan-out limits.
  sites.forEach((site, si) => {
    if (!site.spatial) return;
    const used: LinearExpr = new Map();
    groups.forEach((g, gi) => {
      if (countColumns[gi][si] >= 0) addTerm(used, countColumns[gi][si], log2(g.prime));
    });
    lp.addRow(`fanout_${arch.levels[site.level].name}`, used, -Infinity, log2(arch.fanouts[site.level]));
  });

  // How many factors of group `gi` sit at or below each bounded level (the loops inside its tile), as columns
  // implied integer by the counts: capacity rows stay sparse (measured: faster than expanding the sums).
  const cumulative = groups.map((g, gi) => {
    const cols: number[] = [];
    for (let level = 0; level < numLevels - 1; level++) {
      const col = lp.addColumn(`inside_g${gi}_${arch.levels[level].name}`, 0, g.count, false);
      const row: LinearExpr = new Map([[col, 1]]);
      if (level > 0) addTerm(row, cols[level - 1], -1);
      sites.forEach((site, si) => {
        if (site.level === level && countColumns[gi][si] >= 0) addTerm(row, countColumns[gi][si], -1);
      });
      lp.addRow(`inside_g${gi}_${level}`, row, 0, 0);
      cols.push(col);
    }
    return cols;
  });
  const groupCountUpTo = (gi: number, level: number): LinearExpr => new Map([[cumulative[gi][level], 1]]);
  // Sum over a dim's groups of (log2 prime, or 1) x the count inside `level`.
  const dimLogUpTo = (dim: number, level: number, inLogs: boolean): LinearExpr => {
    const expr: LinearExpr = new Map();
    groups.forEach((g, gi) => {
      if (g.dim === dim) addExpr(expr, groupCountUpTo(gi, level), inLogs ? log2(g.prime) : 1);
    });
    return expr;
  };

  // Halo indicators: 1 iff some factor of the dim is inside the level's tile (only where a stride or dilation widens the inputs).
  const haloColumns = new Map<string, number>();
  const haloTerms = new Map<number, LinearExpr>();
  for (let level = 0; level < numLevels; level++) {
    if (arch.levels[level].entries === undefined || !arch.levels[level].keeps.Inputs) continue;
    const expr: LinearExpr = new Map();
    for (const dim of [R, S, P, Q]) {
      const scale = haloScale(layer, dim);
      const total = groups.reduce((sum, g) => sum + (g.dim === dim ? g.count : 0), 0);
      if (scale <= 1 || total === 0) continue;
      const inside = dimLogUpTo(dim, level, false);
      const z = lp.addColumn(`halo_${LAYER_DIMS[dim]}_${arch.levels[level].name}`, 0, 1, true);
      lp.addRow(`halo_${LAYER_DIMS[dim]}_${level}_lo`, addTerm(addExpr(new Map(), inside, -1), z, total), 0, Infinity);
      lp.addRow(`halo_${LAYER_DIMS[dim]}_${level}_hi`, addTerm(addExpr(new Map(), inside, -1), z, 1), -Infinity, 0);
      addTerm(expr, z, log2(scale));
      haloColumns.set(`${level}_${dim}`, z);
    }
    haloTerms.set(level, expr);
  }

  // log2 of the tile of `tensor` held by one instance of `level` (for inputs: the p·r·stride·dilation bound, see above).
  const tileLog = (level: number, tensor: number): LinearExpr => {
    const expr: LinearExpr = new Map();
    groups.forEach((g, gi) => {
      if (growsTile(g.dim, tensor)) addExpr(expr, groupCountUpTo(gi, level), log2(g.prime));
    });
    if (tensor === INPUTS) addExpr(expr, haloTerms.get(level) ?? new Map());
    return expr;
  };

  // For capacity, a window axis whose filter bound is prime gets its exact extent (p-1)·s + (r-1)·d + 1 instead:
  // r is 1 or all of the filter, and with the filter inside the extent is convex in log p, so the lines through
  // its values at the divisors of P bound it from above, exactly at every divisor (`exactWindow`).
  const capacityTileLog = (level: number, tensor: number): LinearExpr => {
    if (tensor !== INPUTS) return tileLog(level, tensor);
    const expr: LinearExpr = new Map();
    groups.forEach((g, gi) => {
      if (INDEXES[g.dim][INPUTS] && g.dim !== P && g.dim !== Q) addExpr(expr, groupCountUpTo(gi, level), log2(g.prime));
    });
    for (const axis of windowAxes(layer)) {
      const outputLog = dimLogUpTo(axis.output, level, true);
      const strideIndicator = haloColumns.get(`${level}_${axis.output}`);
      if (!exactWindow(layer, axis)) {
        addExpr(expr, outputLog);
        addExpr(expr, dimLogUpTo(axis.filter, level, true));
        if (strideIndicator !== undefined) addTerm(expr, strideIndicator, log2(axis.stride));
        const dilationIndicator = haloColumns.get(`${level}_${axis.filter}`);
        if (dilationIndicator !== undefined) addTerm(expr, dilationIndicator, log2(axis.dilation));
        continue;
      }
      const extent = lp.addColumn(`window_${LAYER_DIMS[axis.output]}_${arch.levels[level].name}`, 0, Infinity, false);
      // Without the filter inside: extent >= log p + stride indicator.
      const alone = addExpr(new Map([[extent, 1]]), outputLog, -1);
      if (strideIndicator !== undefined) addTerm(alone, strideIndicator, -log2(axis.stride));
      lp.addRow(`window_${LAYER_DIMS[axis.output]}_${level}_alone`, alone, 0, Infinity);
      // With it: extent >= each line (vacuous when the filter is outside: big-M = the extent's largest value).
      const filterInside = dimLogUpTo(axis.filter, level, false);
      const bound = layer[LAYER_DIMS[axis.output]];
      const divisors = Array.from({ length: bound }, (_, i) => i + 1).filter((d) => bound % d === 0);
      const points = divisors.map((d) => [log2(d), windowExtentLog(d, layer[LAYER_DIMS[axis.filter]], axis)]);
      const bigM = points[points.length - 1][1];
      const segments = points.length === 1 ? [[points[0], [points[0][0] + 1, points[0][1]]]] : points.slice(1).map((q, k) => [points[k], q]);
      segments.forEach(([[x0, y0], [x1, y1]], k) => {
        const slope = (y1 - y0) / (x1 - x0);
        const row = addExpr(new Map([[extent, 1]]), outputLog, -slope);
        addExpr(row, filterInside, -bigM);
        lp.addRow(`window_${LAYER_DIMS[axis.output]}_${level}_line${k}`, row, y0 - slope * x0 - bigM, Infinity);
      });
      addTerm(expr, extent, 1);
    }
    return expr;
  };

  // Capacity: the kept tensors' tiles fit the level's entries. A shared level gets one column per tile's log,
  // so its many boundary edges each touch two columns instead of every count.
  for (let level = 0; level < numLevels; level++) {
    const entries = arch.levels[level].entries;
    const kept = keptTensors(arch, level);
    if (entries === undefined || kept.length === 0) continue;
    const name = arch.levels[level].name;
    const tiles = kept.map((tensor): LinearExpr => {
      if (kept.length === 1) return capacityTileLog(level, tensor);
      const col = lp.addColumn(`tile_${name}_${TENSOR_NAMES[tensor]}`, 0, Infinity, false);
      lp.addRow(`tile_${name}_${TENSOR_NAMES[tensor]}`, addTerm(addExpr(new Map(), capacityTileLog(level, tensor), -1), col, 1), 0, 0);
      return new Map([[col, 1]]);
    });
    capacityLimits(entries, kept.length).forEach((limit, i) => {
      const expr: LinearExpr = new Map();
      limit.coefs.forEach((coef, t) => addExpr(expr, tiles[t], coef));
      lp.addRow(`capacity_${name}_${i}`, expr, -Infinity, limit.bound);
    });
  }

  // Objective: compute (temporal iterations).
  groups.forEach((g, gi) => {
    sites.forEach((site, si) => {
      if (!site.spatial && countColumns[gi][si] >= 0) lp.addCost(countColumns[gi][si], weights.compute * log2(g.prime));
    });
  });
  // Utilisation of the levels below the ordered one.
  for (let level = 0; level < orderedLevel; level++) {
    for (const tensor of keptTensors(arch, level)) lp.addCostExpr(tileLog(level, tensor), weights.utilization * utilizationFactor(arch, level, orderedLevel));
  }
  // Traffic: data held below the ordered level, its spatial fan-out, and DRAM's temporal loops.
  for (let tensor = 0; tensor < NUM_TENSORS; tensor++) {
    groups.forEach((g, gi) => {
      sites.forEach((site, si) => {
        const col = countColumns[gi][si];
        if (col < 0) return;
        const lg = log2(g.prime);
        if (site.level < orderedLevel && INDEXES[g.dim][tensor]) lp.addCost(col, weights.traffic * INNER_TRAFFIC_FACTOR * dataSizeFactor(site.level) * lg);
        if (site.level === orderedLevel && site.spatial) lp.addCost(col, weights.traffic * INNER_TRAFFIC_FACTOR * lg);
        if (site.level > orderedLevel && !site.spatial) lp.addCost(col, weights.traffic * dramTrafficFactor(tensor) * lg);
      });
    });
  }
  // Refetches at the ordered level: each tensor pays the log size of every temporal loop there, less its reuse,
  // which is at most the log size of the loops the chosen pattern reuses it across (exactly one pattern is chosen).
  const orderedTemporal = sites.findIndex((site) => site.level === orderedLevel && !site.spatial);
  const layerLog = groups.reduce((sum, g) => sum + g.count * log2(g.prime), 0);
  const patternColumns = REUSE_PATTERNS.map((_, k) => lp.addColumn(`pattern${k}`, 0, 1, true));
  lp.addRow('one_pattern', new Map(patternColumns.map((col) => [col, 1])), 1, 1);
  for (let tensor = 0; tensor < NUM_TENSORS; tensor++) {
    groups.forEach((g, gi) => lp.addCost(countColumns[gi][orderedTemporal], weights.traffic * log2(g.prime)));
    const reuse = lp.addColumn(`reuse_${TENSOR_NAMES[tensor]}`, 0, layerLog, false, -weights.traffic);
    REUSE_PATTERNS.forEach((pattern, k) => {
      const row: LinearExpr = new Map([[reuse, 1]]);
      groups.forEach((g, gi) => {
        if (pattern.reused[tensor][g.dim]) addTerm(row, countColumns[gi][orderedTemporal], -log2(g.prime));
      });
      // reuse <= reused loops' log + layerLog * (1 - chosen)
      lp.addRow(`reuse_${TENSOR_NAMES[tensor]}_pattern${k}`, addTerm(row, patternColumns[k], layerLog), -Infinity, layerLog);
    });
  }

  return { layer, arch, weights, groups, sites, orderedLevel, program: lp.build(), countColumns, patternColumns };
}
