/**
 * CoSA's mapping MIP over any `ArchSpec` and `Problem` (the formulation is per level, so it generalises):
 * every prime factor of every bound is placed at one storage level, as a temporal loop of that level or
 * as a spatial loop of its fan-out along X or Y. In logs every limit is linear:
 * - fan-out: the spatial factors along X (Y) below a level are at most its X (Y) fan-out; a dimension
 *   sits on one axis per level (the `Mapping` gives each dimension one spatial factor per level);
 * - capacity: each kept data space's tile at a level is at most its share of the entries, the shares of a
 *   level's kept data spaces summing to at most 1 (shares from a fixed menu, so every solution fits);
 *   keep or bypass, where the mapspace leaves it open, is a decision;
 * - tiles never underestimate Timeloop's: a sliding window whose filter bound is prime is counted exactly at
 *   every tile size it can take, any other rank `c1·d1 + c2·d2 + ...` bounded by the product of its terms'
 *   extents times each coefficient whose dimension has a factor inside;
 * - the level just below the outermost orders its temporal loops, which decides each data space's
 *   refetches: one binary per undominated reuse pattern (as in the Simba formulation).
 * The objective is CoSA's: compute (log temporal iterations), utilisation (log kept tiles below the
 * ordered level, rewarded) and traffic (log data movement). Mapspace constraints (spatial dimensions per
 * axis, fixed temporal factors, a loop-order prefix, forced keeps and bypasses) restrict the variables.
 */
import { fanout, type ArchSpec } from '../../costmodel/spec';
import type { Problem, ProjectionTerm } from '../../workload/problem';
import type { ResolvedConstraints } from '../generic/constraints';
import { COSA_WEIGHTS, dataSizeFactor, INNER_TRAFFIC_FACTOR, isPrime, primeFactorisation, type CosaWeights } from './formulation';
import { undominatedPatterns, type ReusePattern } from './reuse';
import { addExpr, addTerm, LinearProgramBuilder, type LinearExpr, type LinearProgram } from './linear-program';

/** All prime factors of one dimension equal to `prime`: `count` of them. `dim` indexes the problem's dimensions. */
export interface GenericFactorGroup {
  readonly dim: number;
  readonly prime: number;
  readonly count: number;
}

/** Where a factor can go: a level's temporal loops, or its fan-out along X or Y. */
export interface GenericFactorSite {
  readonly level: number;
  readonly kind: 'temporal' | 'x' | 'y';
}

export interface GenericCosaProblem {
  readonly arch: ArchSpec;
  readonly problem: Problem;
  readonly constraints: ResolvedConstraints;
  readonly weights: CosaWeights;
  /** `relevant[t][d]`: dimension d indexes data space t. */
  readonly relevant: readonly (readonly boolean[])[];
  readonly groups: readonly GenericFactorGroup[];
  readonly sites: readonly GenericFactorSite[];
  /** The level whose temporal loops the formulation orders (-1 on a one-level arch). */
  readonly orderedLevel: number;
  readonly patterns: readonly ReusePattern[];
  readonly program: LinearProgram;
  /** `countColumns[g][s]`: the integer count of group g at site s, -1 where it cannot go. */
  readonly countColumns: readonly (readonly number[])[];
  readonly patternColumns: readonly number[];
  /** `keepColumns[l][t]`: the binary saying level l keeps data space t, -1 when the choice is fixed (`fixedKeep`). */
  readonly keepColumns: readonly (readonly number[])[];
  /** `fixedKeep[l][t]`: 1 kept, 0 bypassed, -1 a decision of the program (`keepColumns`). */
  readonly fixedKeep: readonly (readonly number[])[];
}

/** Absolute slack on log2 limits, so that a tile exactly filling a buffer is not cut by rounding. */
const LOG_SLACK = 1e-9;

/**
 * CoSA takes the bypass pattern from the mapspace; where the mapspace leaves a keep open, bypassing costs
 * this much per log2 of the problem's size, more than all the rest of the objective can change, so the
 * program keeps whatever fits and bypasses only what does not (the finishing search may bypass more).
 */
const BYPASS_PENALTY_PER_LOG = 100;

/** Step (log2) between the breakpoints of the chords that bound a share from above. */
const SHARE_LOG_STEP = 0.5;

/**
 * Lines `share >= slope x sigma + intercept` whose maximum is the chord interpolation of `2^sigma` over
 * breakpoints `0, -step, -2 step, ..., -log2(entries)`: it lies above the convex `2^sigma`, so shares that
 * sum to at most 1 on the chords do too, and every kept tile fits (capacity lost between breakpoints: at
 * most 1.6%).
 */
export function shareChords(entries: number): { readonly slope: number; readonly intercept: number }[] {
  const lowest = -Math.log2(entries);
  const points: number[] = [];
  for (let x = 0; x > lowest; x -= SHARE_LOG_STEP) points.push(x);
  points.push(lowest);
  if (points.length === 1) points.push(lowest - SHARE_LOG_STEP);
  const lines: { slope: number; intercept: number }[] = [];
  for (let k = 0; k + 1 < points.length; k++) {
    const [x1, x0] = [points[k], points[k + 1]];
    const slope = (2 ** x1 - 2 ** x0) / (x1 - x0);
    lines.push({ slope, intercept: 2 ** x1 - slope * x1 });
  }
  return lines;
}

/** A sliding-window rank `c_f·filter + c_s·sliding` whose filter dimension has a prime bound. */
interface WindowRank {
  readonly filter: ProjectionTerm;
  readonly sliding: ProjectionTerm;
}

/** The rank as a window when it has two terms over distinct dimensions, one with a prime bound (the smaller if both). */
function windowOf(rank: readonly ProjectionTerm[], problem: Problem): WindowRank | undefined {
  if (rank.length !== 2 || rank[0].dim === rank[1].dim) return undefined;
  const [a, b] = rank;
  const primeA = isPrime(problem.bounds[a.dim]);
  const primeB = isPrime(problem.bounds[b.dim]);
  if (!primeA && !primeB) return undefined;
  const aIsFilter = primeA && (!primeB || problem.bounds[a.dim] <= problem.bounds[b.dim]);
  return aIsFilter ? { filter: a, sliding: b } : { filter: b, sliding: a };
}

/**
 * With the whole filter inside, the window's log extent `log2((q-1)·c_s + (F-1)·c_f + 1)` at each divisor q
 * of the sliding bound: the lines through consecutive points (one flat line when the bound is 1).
 */
function windowLines(window: WindowRank, problem: Problem): { readonly slope: number; readonly intercept: number }[] {
  const coefficient = (term: ProjectionTerm): number => (term.coefficient === undefined ? 1 : problem.coefficients[term.coefficient]);
  const bound = problem.bounds[window.sliding.dim];
  const reach = (problem.bounds[window.filter.dim] - 1) * coefficient(window.filter) + 1;
  const points = Array.from({ length: bound }, (_, i) => i + 1)
    .filter((q) => bound % q === 0)
    .map((q) => [Math.log2(q), Math.log2((q - 1) * coefficient(window.sliding) + reach)]);
  if (points.length === 1) return [{ slope: 0, intercept: points[0][1] }];
  return points.slice(1).map(([x1, y1], k) => {
    const [x0, y0] = points[k];
    const slope = (y1 - y0) / (x1 - x0);
    return { slope, intercept: y0 - slope * x0 };
  });
}

/** The multiplicity of `prime` in `n`. */
function multiplicity(n: number, prime: number): number {
  let count = 0;
  for (let rest = n; rest % prime === 0; rest /= prime) count++;
  return count;
}

/**
 * Builds CoSA's formulation of `problem` on `arch` within `constraints` (resolved, so already checked).
 * Pure; a problem that cannot fit gives an infeasible program.
 */
export function buildGenericCosaProblem(arch: ArchSpec, problem: Problem, constraints: ResolvedConstraints, weights: CosaWeights = COSA_WEIGHTS): GenericCosaProblem {
  const log2 = Math.log2;
  const dims = problem.shape.dimensions;
  const D = dims.length;
  const L = arch.levels.length;
  const spaces = problem.shape.dataSpaces;
  const T = spaces.length;
  const relevant = spaces.map((ds) => dims.map((d) => ds.projection.some((rank) => rank.some((term) => term.dim === d))));
  const groups: GenericFactorGroup[] = dims.flatMap((d, dim) => primeFactorisation(problem.bounds[d]).map(({ prime, count }) => ({ dim, prime, count })));
  const orderedLevel = L - 2;
  const fanouts = arch.levels.map((_, l) => fanout(arch, l));
  const sites: GenericFactorSite[] = [];
  for (let level = 0; level < L; level++) {
    sites.push({ level, kind: 'temporal' });
    if (fanouts[level].x > 1 && constraints.spatialX[level].length > 0) sites.push({ level, kind: 'x' });
    if (fanouts[level].y > 1 && constraints.spatialY[level].length > 0) sites.push({ level, kind: 'y' });
  }
  const lp = new LinearProgramBuilder();

  // Placement counts. A fixed temporal factor fixes its level's temporal counts of that dimension.
  const countColumns = groups.map((g, gi) =>
    sites.map((site) => {
      const dim = dims[g.dim];
      const name = `n_${dim}${g.prime}_g${gi}_${site.kind}${site.level}`;
      if (site.kind === 'temporal') {
        const fixed = constraints.temporalFactors[site.level][dim];
        if (fixed === undefined) return lp.addColumn(name, 0, g.count, true);
        const n = multiplicity(fixed, g.prime);
        return n > 0 ? lp.addColumn(name, n, n, true) : -1;
      }
      const allowed = (site.kind === 'x' ? constraints.spatialX : constraints.spatialY)[site.level].includes(dim);
      const size = site.kind === 'x' ? fanouts[site.level].x : fanouts[site.level].y;
      const limit = allowed ? Math.min(g.count, Math.floor(log2(size) / log2(g.prime) + LOG_SLACK)) : 0;
      return limit > 0 ? lp.addColumn(name, 0, limit, true) : -1;
    }),
  );
  groups.forEach((g, gi) => {
    lp.addRow(`place_g${gi}`, new Map(countColumns[gi].filter((c) => c >= 0).map((c) => [c, 1])), g.count, g.count);
  });

  // Fan-out per axis, and one axis per dimension per level.
  sites.forEach((site, si) => {
    if (site.kind === 'temporal') return;
    const used: LinearExpr = new Map();
    groups.forEach((g, gi) => countColumns[gi][si] >= 0 && addTerm(used, countColumns[gi][si], log2(g.prime)));
    if (used.size > 0) lp.addRow(`fanout_${site.kind}_${arch.levels[site.level].name}`, used, -Infinity, log2(site.kind === 'x' ? fanouts[site.level].x : fanouts[site.level].y) + LOG_SLACK);
  });
  for (let level = 0; level < L; level++) {
    const xs = sites.findIndex((s) => s.level === level && s.kind === 'x');
    const ys = sites.findIndex((s) => s.level === level && s.kind === 'y');
    if (xs < 0 || ys < 0) continue;
    dims.forEach((dim, d) => {
      const onX: LinearExpr = new Map();
      const onY: LinearExpr = new Map();
      let total = 0;
      groups.forEach((g, gi) => {
        if (g.dim !== d) return;
        total += g.count;
        if (countColumns[gi][xs] >= 0) addTerm(onX, countColumns[gi][xs], 1);
        if (countColumns[gi][ys] >= 0) addTerm(onY, countColumns[gi][ys], 1);
      });
      if (onX.size === 0 || onY.size === 0) return;
      const axis = lp.addColumn(`axis_${dim}_${arch.levels[level].name}`, 0, 1, true);
      lp.addRow(`axis_${dim}_${level}_x`, addTerm(onX, axis, -total), -Infinity, 0);
      lp.addRow(`axis_${dim}_${level}_y`, addTerm(onY, axis, total), -Infinity, total);
    });
  }

  // Per group, the factors at or below each level (the loops inside its tiles), implied integer by the counts.
  const inside = groups.map((g, gi) => {
    const cols: number[] = [];
    for (let level = 0; level < L; level++) {
      const col = lp.addColumn(`inside_g${gi}_${arch.levels[level].name}`, 0, g.count, false);
      const row: LinearExpr = new Map([[col, 1]]);
      if (level > 0) addTerm(row, cols[level - 1], -1);
      sites.forEach((site, si) => site.level === level && countColumns[gi][si] >= 0 && addTerm(row, countColumns[gi][si], -1));
      lp.addRow(`inside_g${gi}_${level}`, row, 0, 0);
      cols.push(col);
    }
    return cols;
  });
  const dimLogInside = (d: number, level: number): LinearExpr => {
    const expr: LinearExpr = new Map();
    groups.forEach((g, gi) => g.dim === d && addTerm(expr, inside[gi][level], log2(g.prime)));
    return expr;
  };
  // Indicator that dimension d has a factor inside level's tiles (only for coefficients above 1).
  const indicators = new Map<string, number>();
  const indicator = (d: number, level: number): number => {
    const key = `${d}_${level}`;
    const known = indicators.get(key);
    if (known !== undefined) return known;
    const total = groups.reduce((sum, g) => sum + (g.dim === d ? g.count : 0), 0);
    const z = lp.addColumn(`has_${dims[d]}_${arch.levels[level].name}`, 0, 1, true);
    const count: LinearExpr = new Map();
    groups.forEach((g, gi) => g.dim === d && addTerm(count, inside[gi][level], 1));
    lp.addRow(`has_${dims[d]}_${level}_lo`, addTerm(addExpr(new Map(), count, -1), z, total), 0, Infinity);
    lp.addRow(`has_${dims[d]}_${level}_hi`, addTerm(addExpr(new Map(), count, -1), z, 1), -Infinity, 0);
    indicators.set(key, z);
    return z;
  };
  const coefficientOf = (coefficient: string | undefined): number => (coefficient === undefined ? 1 : problem.coefficients[coefficient]);
  // log2 of the product bound of one rank's extent: each term's extent, times its coefficient once its dimension has a factor inside.
  const rankProductLog = (rank: readonly ProjectionTerm[], level: number): LinearExpr => {
    const expr: LinearExpr = new Map();
    for (const term of rank) {
      const d = dims.indexOf(term.dim);
      addExpr(expr, dimLogInside(d, level));
      const c = coefficientOf(term.coefficient);
      if (rank.length > 1 && c > 1 && problem.bounds[term.dim] > 1) addTerm(expr, indicator(d, level), log2(c));
    }
    return expr;
  };
  // log2 of an upper bound on the tile of data space t one instance of `level` holds (linear in the tile logs;
  // the utilisation reward uses it, so that it cannot be inflated).
  const tileLog = (level: number, t: number): LinearExpr => {
    const expr: LinearExpr = new Map();
    for (const rank of spaces[t].projection) addExpr(expr, rankProductLog(rank, level));
    return expr;
  };
  // For capacity, a two-term rank one of whose dimensions has a prime bound (a filter: its tile is 1 or all of
  // it) gets the window's own extent: a column bounded below by `rankProductLog` and, with the filter inside,
  // by the lines through the extent's values at the divisors of the other bound (exact there when convex).
  const capacityTileLog = (level: number, t: number): LinearExpr => {
    const expr: LinearExpr = new Map();
    spaces[t].projection.forEach((rank, r) => {
      const window = windowOf(rank, problem);
      if (window === undefined) {
        addExpr(expr, rankProductLog(rank, level));
        return;
      }
      const extent = lp.addColumn(`window_${spaces[t].name}${r}_${arch.levels[level].name}`, 0, Infinity, false);
      const sliding = dims.indexOf(window.sliding.dim);
      const filterInside = indicator(dims.indexOf(window.filter.dim), level);
      // Filter outside: extent >= the product bound (then the sliding term's alone). Inside: relaxed by the filter's part.
      const filterLog = log2(problem.bounds[window.filter.dim]) + log2(coefficientOf(window.filter.coefficient));
      const product = addExpr(new Map([[extent, 1]]), rankProductLog(rank, level), -1);
      lp.addRow(`window_${spaces[t].name}${r}_${level}_product`, addTerm(product, filterInside, filterLog), 0, Infinity);
      const lines = windowLines(window, problem);
      const bigM = Math.max(...lines.flatMap((line) => [line.intercept, line.slope * log2(problem.bounds[window.sliding.dim]) + line.intercept]));
      lines.forEach((line, k) => {
        // extent >= slope x log(sliding tile) + intercept - bigM x (1 - filter inside)
        const row = addExpr(new Map([[extent, 1]]), dimLogInside(sliding, level), -line.slope);
        addTerm(row, filterInside, -bigM);
        lp.addRow(`window_${spaces[t].name}${r}_${level}_line${k}`, row, line.intercept - bigM, Infinity);
      });
      addTerm(expr, extent, 1);
    });
    return expr;
  };
  const largestTileLog = spaces.map((ds) => ds.projection.reduce((sum, rank) => sum + rank.reduce((s, term) => s + log2(problem.bounds[term.dim]) + (rank.length > 1 ? log2(coefficientOf(term.coefficient)) : 0), 0), 0));

  // Keeps and capacity. A level keeping one data space: its tile fits the entries. Several: each kept tile
  // fits its share 2^sigma of the entries, and the shares sum to at most 1 (`shareRows`).
  const problemLog = groups.reduce((sum, g) => sum + g.count * log2(g.prime), 0);
  const bypassPenalty = BYPASS_PENALTY_PER_LOG * (problemLog + 1);
  const fixedKeep: number[][] = [];
  const keepColumns: number[][] = [];
  for (let level = 0; level < L; level++) {
    const name = arch.levels[level].name;
    const fixedRow = spaces.map((ds) => (constraints.mustKeep[level].includes(ds.name) ? 1 : constraints.mayKeep[level].includes(ds.name) ? -1 : 0));
    const columnsRow = spaces.map((ds, t) => (fixedRow[t] === -1 ? lp.addColumn(`keep_${ds.name}_${name}`, 0, 1, true, -bypassPenalty) : -1));
    fixedKeep.push(fixedRow);
    keepColumns.push(columnsRow);
    const entries = arch.levels[level].entries;
    if (entries === undefined) continue;
    const competing = fixedRow.filter((k) => k !== 0).length;
    const shareSum: LinearExpr = new Map();
    spaces.forEach((ds, t) => {
      if (fixedRow[t] === 0) return;
      // Relaxed by bigM when not kept: `tile <= log entries + sigma + bigM x (1 - keep)`.
      const bigM = largestTileLog[t] + 1;
      const keep = columnsRow[t];
      const row = capacityTileLog(level, t);
      let upper = log2(entries) + LOG_SLACK;
      if (keep >= 0) {
        addTerm(row, keep, bigM);
        upper += bigM;
      }
      if (competing > 1) {
        const sigma = lp.addColumn(`share_log_${ds.name}_${name}`, -log2(entries), 0, false);
        const share = lp.addColumn(`share_${ds.name}_${name}`, 0, 1, false);
        addTerm(row, sigma, -1);
        for (const [k, line] of shareChords(entries).entries()) {
          // share >= slope x sigma + intercept - (1 - keep)
          const chord: LinearExpr = new Map([[share, 1], [sigma, -line.slope]]);
          if (keep >= 0) addTerm(chord, keep, -1);
          lp.addRow(`share_${ds.name}_${level}_${k}`, chord, line.intercept - (keep >= 0 ? 1 : 0), Infinity);
        }
        addTerm(shareSum, share, 1);
      }
      lp.addRow(`capacity_${ds.name}_${level}`, row, -Infinity, upper);
    });
    if (shareSum.size > 0) lp.addRow(`shares_${name}`, shareSum, -Infinity, 1);
  }

  // Objective: compute (temporal iterations).
  groups.forEach((g, gi) => sites.forEach((site, si) => site.kind === 'temporal' && countColumns[gi][si] >= 0 && lp.addCost(countColumns[gi][si], weights.compute * log2(g.prime))));
  // Utilisation of the kept tiles below the ordered level: u <= tile, u <= bigM x kept (the reward pushes u up).
  for (let level = 0; level < orderedLevel; level++) {
    spaces.forEach((ds, t) => {
      if (fixedKeep[level][t] === 0) return;
      const u = lp.addColumn(`util_${ds.name}_${arch.levels[level].name}`, 0, Infinity, false, weights.utilization);
      lp.addRow(`util_${ds.name}_${level}_tile`, addTerm(addExpr(new Map(), tileLog(level, t), -1), u, 1), -Infinity, 0);
      const keep = keepColumns[level][t];
      if (keep >= 0) lp.addRow(`util_${ds.name}_${level}_kept`, new Map([[u, 1], [keep, -(largestTileLog[t] + 1)]]), -Infinity, 0);
    });
  }
  // Traffic: data held below the ordered level, the ordered level's fan-out, the outer levels' temporal loops.
  for (let t = 0; t < T; t++) {
    groups.forEach((g, gi) => {
      sites.forEach((site, si) => {
        const col = countColumns[gi][si];
        if (col < 0) return;
        const lg = log2(g.prime);
        if (site.level < orderedLevel && relevant[t][g.dim]) lp.addCost(col, weights.traffic * INNER_TRAFFIC_FACTOR * dataSizeFactor(site.level) * lg);
        if (site.level === orderedLevel && site.kind !== 'temporal') lp.addCost(col, weights.traffic * INNER_TRAFFIC_FACTOR * lg);
        if (site.level > orderedLevel && site.kind === 'temporal') lp.addCost(col, weights.traffic * lg);
      });
    });
  }
  // Refetches at the ordered level: every temporal loop there, less the data space's reuse under the chosen pattern.
  const prefix = orderedLevel >= 0 ? constraints.permutation[orderedLevel].map((d) => dims.indexOf(d)) : [];
  const patterns = orderedLevel >= 0 ? undominatedPatterns(relevant, D, prefix) : [];
  const patternColumns = patterns.map((_, k) => lp.addColumn(`pattern${k}`, 0, 1, true));
  if (orderedLevel >= 0) {
    const orderedTemporal = sites.findIndex((s) => s.level === orderedLevel && s.kind === 'temporal');
    lp.addRow('one_pattern', new Map(patternColumns.map((c) => [c, 1])), 1, 1);
    for (let t = 0; t < T; t++) {
      groups.forEach((g, gi) => countColumns[gi][orderedTemporal] >= 0 && lp.addCost(countColumns[gi][orderedTemporal], weights.traffic * log2(g.prime)));
      const reuse = lp.addColumn(`reuse_${spaces[t].name}`, 0, problemLog, false, -weights.traffic);
      patterns.forEach((pattern, k) => {
        const row: LinearExpr = new Map([[reuse, 1]]);
        groups.forEach((g, gi) => pattern.reused[t][g.dim] && countColumns[gi][orderedTemporal] >= 0 && addTerm(row, countColumns[gi][orderedTemporal], -log2(g.prime)));
        lp.addRow(`reuse_${spaces[t].name}_pattern${k}`, addTerm(row, patternColumns[k], problemLog), -Infinity, problemLog);
      });
    }
  }

  return { arch, problem, constraints, weights, relevant, groups, sites, orderedLevel, patterns, program: lp.build(), countColumns, patternColumns, keepColumns, fixedKeep };
}
