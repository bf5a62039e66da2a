/**
 * The generic mapper's view of one (arch, problem): flat typed arrays of the problem's projections and
 * the levels' sizes, a mapping as flat arrays (`Nest`), and a fast estimate of a nest's cycles and
 * energy that ranks candidates in the search's inner loop (allocation-free). The estimate follows
 * Timeloop's rules in a closed form: a level's tile is the projection of the loops below it and of the
 * fan-outs below it; a tile is refilled each time the loops above it change it (innermost loops that do
 * not index the data space keep it in place, a sliding window moves only its new part); a parent serves
 * children that need the same tile with one read (multicast) and sums partial outputs that meet
 * (spatial reduction); cycles are the compute cycles or the busiest level's bandwidth, whichever is more.
 */
import { fanout, type ArchSpec } from '../../costmodel/spec';
import { dataSpaceSizes, type Problem } from '../../workload/problem';

/** Everything about (arch, problem) the search and the estimate read, as flat arrays. */
export interface NestShape {
  readonly dims: readonly string[];
  readonly spaces: readonly string[];
  readonly numDims: number;
  readonly numLevels: number;
  readonly numSpaces: number;
  readonly bounds: Float64Array;
  /** Per data space, its ranks' terms: `rankStart[t]..rankStart[t+1]` index `termStart` (per rank) into `termDim`/`termCoef`. */
  readonly rankStart: Int32Array;
  readonly termStart: Int32Array;
  readonly termDim: Int32Array;
  readonly termCoef: Float64Array;
  /** `relevant[t * D + d]`: dimension d indexes data space t; `sliding`: it does so in a rank with a halo (a sum of terms). */
  readonly relevant: Uint8Array;
  readonly sliding: Uint8Array;
  readonly readWrite: Uint8Array;
  /** Words of each data space over the whole problem. */
  readonly spaceSize: Float64Array;
  /** Per level: entries (Infinity = unbounded), block size, pJ per block access, words per cycle (Infinity = unlimited). */
  readonly entries: Float64Array;
  readonly blockSize: Float64Array;
  readonly vectorEnergy: Float64Array;
  readonly readBandwidth: Float64Array;
  readonly writeBandwidth: Float64Array;
  /** Fan-out below each level per axis. */
  readonly fanoutX: Float64Array;
  readonly fanoutY: Float64Array;
  readonly macs: number;
  readonly macEnergy: number;
}

export function nestShape(arch: ArchSpec, problem: Problem): NestShape {
  const dims = problem.shape.dimensions;
  const D = dims.length;
  const L = arch.levels.length;
  const dataSpaces = problem.shape.dataSpaces;
  const T = dataSpaces.length;
  const rankStart = new Int32Array(T + 1);
  const termStart: number[] = [];
  const termDim: number[] = [];
  const termCoef: number[] = [];
  const relevant = new Uint8Array(T * D);
  const sliding = new Uint8Array(T * D);
  const spaceSize = new Float64Array(T);
  const sizes = dataSpaceSizes(problem);
  dataSpaces.forEach((ds, t) => {
    rankStart[t] = termStart.length;
    for (const rank of ds.projection) {
      termStart.push(termDim.length);
      for (const term of rank) {
        const d = dims.indexOf(term.dim);
        termDim.push(d);
        termCoef.push(term.coefficient === undefined ? 1 : problem.coefficients[term.coefficient]);
        relevant[t * D + d] = 1;
        if (rank.length > 1) sliding[t * D + d] = 1;
      }
    }
    spaceSize[t] = sizes[ds.name];
  });
  rankStart[T] = termStart.length;
  termStart.push(termDim.length);
  const fanouts = arch.levels.map((_, i) => fanout(arch, i));
  return {
    dims,
    spaces: dataSpaces.map((ds) => ds.name),
    numDims: D,
    numLevels: L,
    numSpaces: T,
    bounds: Float64Array.from(dims, (d) => problem.bounds[d]),
    rankStart,
    termStart: Int32Array.from(termStart),
    termDim: Int32Array.from(termDim),
    termCoef: Float64Array.from(termCoef),
    relevant,
    sliding,
    readWrite: Uint8Array.from(dataSpaces, (ds) => (ds.readWrite ? 1 : 0)),
    spaceSize,
    entries: Float64Array.from(arch.levels, (l) => l.entries ?? Infinity),
    blockSize: Float64Array.from(arch.levels, (l) => l.blockSize),
    vectorEnergy: Float64Array.from(arch.levels, (l) => l.vectorAccessEnergy),
    readBandwidth: Float64Array.from(arch.levels, (l) => l.readBandwidth ?? Infinity),
    writeBandwidth: Float64Array.from(arch.levels, (l) => l.writeBandwidth ?? Infinity),
    fanoutX: Float64Array.from(fanouts, (f) => f.x),
    fanoutY: Float64Array.from(fanouts, (f) => f.y),
    macs: dims.reduce((p, d) => p * problem.bounds[d], 1),
    macEnergy: arch.arithmetic.energyPerMac,
  };
}

/**
 * A mapping as flat arrays (level-major, `l * D + d`): temporal and spatial factors, each level's loop
 * order (all dimensions, inner to outer) and which data spaces each level keeps (`l * T + t`).
 */
export interface Nest {
  readonly temporal: Float64Array;
  readonly spatialX: Float64Array;
  readonly spatialY: Float64Array;
  readonly order: Int32Array;
  readonly keep: Uint8Array;
}

export function emptyNest(shape: NestShape): Nest {
  const n = shape.numLevels * shape.numDims;
  return { temporal: new Float64Array(n).fill(1), spatialX: new Float64Array(n).fill(1), spatialY: new Float64Array(n).fill(1), order: new Int32Array(n), keep: new Uint8Array(shape.numLevels * shape.numSpaces) };
}

export function copyNest(from: Nest, to: Nest): void {
  to.temporal.set(from.temporal);
  to.spatialX.set(from.spatialX);
  to.spatialY.set(from.spatialY);
  to.order.set(from.order);
  to.keep.set(from.keep);
}

export function cloneNest(nest: Nest): Nest {
  return { temporal: nest.temporal.slice(), spatialX: nest.spatialX.slice(), spatialY: nest.spatialY.slice(), order: nest.order.slice(), keep: nest.keep.slice() };
}

/** Words of data space `t` for dimension extents `ext` (from offset `o`). */
export function tileWords(shape: NestShape, t: number, ext: Float64Array, o: number): number {
  let words = 1;
  for (let r = shape.rankStart[t]; r < shape.rankStart[t + 1]; r++) {
    let extent = 1;
    for (let k = shape.termStart[r]; k < shape.termStart[r + 1]; k++) extent += shape.termCoef[k] * (ext[o + shape.termDim[k]] - 1);
    words *= extent;
  }
  return words;
}

/** Scratch and results of estimating nests of one shape. */
export class NestEstimator {
  readonly shape: NestShape;
  /** Cumulative extents per level (`l * D + d`): the loops and fan-outs at or below level l. */
  readonly extents: Float64Array;
  /** Utilized instances of each level (product of the fan-outs used above it). */
  private readonly util: Float64Array;
  private readonly reads: Float64Array;
  private readonly writes: Float64Array;
  private readonly accesses: Float64Array;
  private readonly scratch: Float64Array;
  /** Per (level, data space): fan-out factors of the level over dimensions that do not index the data space (multicast, reduction). */
  private readonly sharedFanout: Float64Array;
  /** The temporal loops of the nest (factor > 1) inner to outer, levels in order: `loopsFrom[l]` is level l's first. */
  private readonly loopDim: Int32Array;
  private readonly loopFactor: Float64Array;
  /** `outerProduct[i]`: product of the factors of loops i and outward. */
  private readonly outerProduct: Float64Array;
  private readonly loopsFrom: Int32Array;
  cycles = 0;
  energy = 0;

  constructor(shape: NestShape) {
    this.shape = shape;
    this.extents = new Float64Array(shape.numLevels * shape.numDims);
    this.util = new Float64Array(shape.numLevels + 1);
    this.reads = new Float64Array(shape.numLevels);
    this.writes = new Float64Array(shape.numLevels);
    this.accesses = new Float64Array(shape.numLevels);
    this.scratch = new Float64Array(shape.numDims);
    this.sharedFanout = new Float64Array(shape.numLevels * shape.numSpaces);
    this.loopDim = new Int32Array(shape.numLevels * shape.numDims);
    this.loopFactor = new Float64Array(shape.numLevels * shape.numDims);
    this.outerProduct = new Float64Array(shape.numLevels * shape.numDims + 1);
    this.loopsFrom = new Int32Array(shape.numLevels + 1);
  }

  /** Fills `extents` for `nest`. */
  private computeExtents(nest: Nest): void {
    const { numDims: D, numLevels: L } = this.shape;
    const ext = this.extents;
    for (let l = 0; l < L; l++) {
      for (let d = 0; d < D; d++) {
        const i = l * D + d;
        ext[i] = (l === 0 ? 1 : ext[i - D]) * nest.temporal[i] * nest.spatialX[i] * nest.spatialY[i];
      }
    }
  }

  /** Whether every level's kept tiles fit its entries. */
  fits(nest: Nest): boolean {
    this.computeExtents(nest);
    return this.fitsComputed(nest) < 0;
  }

  /** The first level whose kept tiles overflow it (after `computeExtents`), or -1. */
  private fitsComputed(nest: Nest): number {
    const s = this.shape;
    for (let l = 0; l < s.numLevels; l++) {
      if (s.entries[l] === Infinity) continue;
      let need = 0;
      for (let t = 0; t < s.numSpaces; t++) if (nest.keep[l * s.numSpaces + t]) need += tileWords(s, t, this.extents, l * s.numDims);
      if (need > s.entries[l]) return l;
    }
    return -1;
  }

  /**
   * Estimates `nest` (which must fit): sets `cycles` and `energy` (pJ) and returns the objective
   * (`objectiveOf`). The outermost level must keep every data space.
   */
  estimate(nest: Nest, objective: 0 | 1 | 2): number {
    const s = this.shape;
    const { numDims: D, numLevels: L, numSpaces: T } = s;
    this.computeExtents(nest);
    const util = this.util;
    // util[l + 1] = utilized instances of level l; util[0] = MACs in use.
    util[L] = 1;
    for (let l = L - 1; l >= 0; l--) {
      let p = 1;
      for (let d = 0; d < D; d++) p *= nest.spatialX[l * D + d] * nest.spatialY[l * D + d];
      util[l] = util[l + 1] * p;
    }
    // The temporal loops in nest order, and the product of each loop's factor with all outer ones.
    const loopDim = this.loopDim;
    const loopFactor = this.loopFactor;
    const loopsFrom = this.loopsFrom;
    let numLoops = 0;
    for (let l = 0; l < L; l++) {
      loopsFrom[l] = numLoops;
      for (let k = 0; k < D; k++) {
        const d = nest.order[l * D + k];
        const f = nest.temporal[l * D + d];
        if (f === 1) continue;
        loopDim[numLoops] = d;
        loopFactor[numLoops++] = f;
      }
    }
    loopsFrom[L] = numLoops;
    const outerProduct = this.outerProduct;
    outerProduct[numLoops] = 1;
    for (let i = numLoops - 1; i >= 0; i--) outerProduct[i] = outerProduct[i + 1] * loopFactor[i];
    const sharedFanout = this.sharedFanout;
    for (let l = 0; l < L; l++) {
      for (let t = 0; t < T; t++) {
        let shared = 1;
        for (let d = 0; d < D; d++) if (!s.relevant[t * D + d]) shared *= nest.spatialX[l * D + d] * nest.spatialY[l * D + d];
        sharedFanout[l * T + t] = shared;
      }
    }
    const reads = this.reads;
    const writes = this.writes;
    const accesses = this.accesses;
    reads.fill(0);
    writes.fill(0);
    accesses.fill(0);
    const ext = this.extents;
    for (let t = 0; t < T; t++) {
      const rw = s.readWrite[t] === 1;
      // Words flowing up from the level below (the MACs first): reads served (read-only) or updates (outputs).
      let child = -1;
      let fromBelow = s.macs;
      for (let l = 0; l < L; l++) {
        if (!nest.keep[l * T + t]) continue;
        // Multicast / spatial reduction between the child and this level: fan-outs over dimensions that do not index t.
        let shared = 1;
        for (let j = child + 1; j <= l; j++) shared *= sharedFanout[j * T + t];
        const served = fromBelow / shared;
        // This level's own residencies: its tile, refilled each time the loops above change it (the
        // innermost loops above that do not index t keep it in place).
        const tile = tileWords(s, t, ext, l * D);
        let first = loopsFrom[l + 1];
        while (first < numLoops && !s.relevant[t * D + loopDim[first]]) first++;
        const residencies = outerProduct[first];
        let moved = tile;
        if (first < numLoops && s.sliding[t * D + loopDim[first]] && !rw) {
          // A sliding window: over the f steps only the union of the windows moves.
          const d = loopDim[first];
          const f = loopFactor[first];
          const sc = this.scratch;
          for (let e = 0; e < D; e++) sc[e] = ext[l * D + e];
          sc[d] *= f;
          moved = tileWords(s, t, sc, 0) / f;
        }
        const instances = util[l + 1];
        const total = moved * residencies * instances;
        if (rw) {
          // Updates from below (read-modify-write reads for all but a residency's first), drains up, partial sums back.
          const fills = l === L - 1 ? 0 : Math.max(0, total - s.spaceSize[t]);
          const rmwReads = Math.max(0, served - total + fills);
          const drains = l === L - 1 ? 0 : total;
          reads[l] += rmwReads + drains;
          writes[l] += served + fills;
          accesses[l] += served + rmwReads + drains + fills;
          fromBelow = drains;
        } else {
          reads[l] += served;
          const fills = l === L - 1 ? 0 : total;
          writes[l] += fills;
          accesses[l] += served + fills;
          fromBelow = fills;
        }
        child = l;
      }
    }
    const computeCycles = outerProduct[0];
    let cycles = computeCycles;
    let energy = s.macs * s.macEnergy;
    for (let l = 0; l < L; l++) {
      const instances = util[l + 1];
      energy += (accesses[l] / s.blockSize[l]) * s.vectorEnergy[l];
      const rc = reads[l] / instances / s.readBandwidth[l];
      const wc = writes[l] / instances / s.writeBandwidth[l];
      if (rc > cycles) cycles = rc;
      if (wc > cycles) cycles = wc;
    }
    this.cycles = Math.ceil(cycles);
    this.energy = energy;
    return objectiveOf(objective, this.cycles, energy);
  }
}

/** 0 = EDP, 1 = latency (energy breaks ties), 2 = energy (cycles break ties); lower is better. */
export function objectiveOf(objective: 0 | 1 | 2, cycles: number, energy: number): number {
  if (objective === 0) return cycles * energy;
  if (objective === 1) return cycles * (1 + 1e-12 * energy);
  return energy * (1 + 1e-12 * cycles);
}
