/**
 * A fast, approximate access-count model the mapper ranks candidates with (the final cost of a chosen
 * mapping always comes from the exact `MappingEvaluator`). It follows Timeloop's accounting in closed form
 * with the classic reuse rules, without Timeloop's walk:
 * - a level's tile is the projection of every loop inside it (its own temporal loops and all fan-outs below);
 * - the words a level receives over the run: walking the temporal loops above it inner to outer, loops that
 *   do not index the tensor are free until the first loop that does (the tile stays put); that loop moves a
 *   sliding-window input tile by its step (halo reuse) and everything else by a whole tile; every loop after
 *   it refetches the whole inner pattern;
 * - a parent serves each child's fills, shared (multicast) among children that differ only along dims the
 *   tensor ignores; outputs are read-modify-written (reads = updates - partition), as Timeloop counts them.
 * None of these counts depend on buffer sizes, so one estimate serves every arch with the same MAC count:
 * energy = sum over levels of `vectorAccesses[level] * vectorAccessEnergy(level, arch)` + MAC energy.
 */
import type { ArchTemplate } from '../../costmodel/arch-template';
import * as layout from '../../costmodel/mapping';
import type { ConvLayer } from '../../workload/layer';

// Local copies: imported bindings are getters under CommonJS interop, too slow for these hot loops.
const NUM_DIMS = layout.NUM_DIMS;
const NUM_LEVELS = layout.NUM_LEVELS;

const R = 0;
const S = 1;
const P = 2;
const Q = 3;
const C = 4;
const K = 5;
const N = 6;
const WEIGHTS = 0;
const INPUTS = 1;
const OUTPUTS = 2;
const NUM_SPACES = 3;
const MAX_LOOPS = NUM_LEVELS * 2 * NUM_DIMS;

/** Whether dim `d` indexes data space `s` (bit d of the mask). */
const RELEVANT = [
  (1 << R) | (1 << S) | (1 << C) | (1 << K),
  (1 << R) | (1 << S) | (1 << P) | (1 << Q) | (1 << C) | (1 << N),
  (1 << P) | (1 << Q) | (1 << K) | (1 << N),
];

/** The arch-independent facts of a template the estimate needs (same for every arch with the same MAC count and setup). */
export interface TemplateShape {
  readonly fanouts: readonly number[];
  readonly blockSize: readonly number[];
  readonly instances: readonly number[];
  readonly clusterSize: readonly number[];
  /** `keeps[level * 3 + space]`. */
  readonly keeps: readonly boolean[];
  /** Half of the DRAM bandwidth (words/cycle per direction), or undefined when unlimited. */
  readonly dramBandwidth: number | undefined;
}

export function templateShape(template: ArchTemplate): TemplateShape {
  const keeps: boolean[] = [];
  for (const level of template.levels) keeps.push(level.keeps.Weights, level.keeps.Inputs, level.keeps.Outputs);
  const dram = template.levels[NUM_LEVELS - 1];
  return {
    fanouts: template.fanouts,
    blockSize: template.levels.map((l) => l.blockSize),
    instances: template.levels.map((l) => l.instances),
    clusterSize: template.levels.map((l) => l.clusterSize),
    keeps,
    dramBandwidth: dram.readBandwidth,
  };
}

/**
 * Estimates mappings of one layer on one template shape, without allocation per call. After
 * `estimateOrder`, `vectorAccesses[level]` holds the level's block accesses times utilized clusters
 * (multiply by the level's vector access energy) and `cycles` the estimated cycles.
 */
export class MappingEstimator {
  readonly vectorAccesses = new Float64Array(NUM_LEVELS);
  cycles = 0;
  /** Cycles of the loop nest alone (the product of its temporal loops), before DRAM bandwidth. */
  private computeCycles = 0;

  private readonly shape: TemplateShape;
  private readonly strideW: number;
  private readonly strideH: number;
  private readonly dilationW: number;
  private readonly dilationH: number;
  private readonly outputsTotal: number;
  /** Per level, the clusters its instances form (vector accesses are counted per utilized cluster). */
  private readonly clusters: Float64Array;
  /** Per data space, the levels keeping it, inner to outer (DRAM, the last, keeps everything). */
  private readonly keepers: readonly Int32Array[];
  /** The outermost on-chip level keeping outputs (its fills are DRAM's writes). */
  private readonly lastOutputKeeper: number;

  private numLoops = 0;
  private readonly loopDim = new Int32Array(MAX_LOOPS);
  private readonly loopEnd = new Float64Array(MAX_LOOPS);
  private readonly loopSpatial = new Uint8Array(MAX_LOOPS);
  /** Product of the bounds of the temporal loops outside each loop. */
  private readonly outerProduct = new Float64Array(MAX_LOOPS);
  /** Product of the bounds of the loops of the same dim inside each loop (its step along its dim). */
  private readonly loopScale = new Float64Array(MAX_LOOPS);
  /** Scratch for the distinct input offsets of spatial children along one axis. */
  private offsets = new Float64Array(4096);
  private offsetsNext = new Float64Array(4096);
  /** Per level, the cumulative bound per dim of every loop up to its outermost one (its tile's extents). */
  private readonly levelExtent = new Float64Array(NUM_LEVELS * NUM_DIMS);
  /** Index of the outermost loop of each level (its tile), -1 if the nest below is empty. */
  private readonly boundary = new Int32Array(NUM_LEVELS);
  private readonly spatialProduct = new Float64Array(NUM_LEVELS * NUM_SPACES);
  private readonly levelFanout = new Float64Array(NUM_LEVELS);
  private readonly accesses = new Float64Array(NUM_LEVELS * NUM_SPACES);
  private readonly running = new Float64Array(NUM_DIMS);
  /** Fan-out of the level being built. */
  private fanout = 1;
  /** Scratch of `estimateOrder`: a level's loops merged per dim, and the dims in order of first appearance. */
  private readonly merged = new Float64Array(NUM_DIMS);
  private readonly mergedOrder = new Int32Array(NUM_DIMS);

  constructor(layer: ConvLayer, shape: TemplateShape) {
    this.shape = shape;
    this.strideW = layer.strideW;
    this.strideH = layer.strideH;
    this.dilationW = layer.dilationW;
    this.dilationH = layer.dilationH;
    this.outputsTotal = layer.P * layer.Q * layer.K * layer.N;
    this.clusters = Float64Array.from(shape.instances, (instances, l) => Math.floor(instances / shape.clusterSize[l]));
    this.keepers = [WEIGHTS, INPUTS, OUTPUTS].map((s) => Int32Array.from({ length: NUM_LEVELS }, (_, l) => l).filter((l) => shape.keeps[l * NUM_SPACES + s]));
    const outputs = this.keepers[OUTPUTS];
    this.lastOutputKeeper = outputs.length > 1 ? outputs[outputs.length - 2] : -1;
  }

  /**
   * Estimates the mapping an order allots to (the mapper's candidates, without packing them): the fan-outs
   * `spatialFactors[level * 7 + dim]`, then per level the loops `dims`/`primes` from the previous level's
   * cut to `cuts[level]`, merged per dim in order of first appearance, as `OrderSearch.pack` writes them.
   */
  estimateOrder(spatialFactors: Int32Array, dims: Int32Array, primes: Int32Array, cuts: Int32Array): void {
    this.beginNest();
    const merged = this.merged;
    const order = this.mergedOrder;
    let start = 0;
    for (let l = 0; l < NUM_LEVELS; l++) {
      for (let d = 0; d < NUM_DIMS; d++) {
        const f = spatialFactors[l * NUM_DIMS + d];
        if (f > 1) this.pushSpatial(l, d, f);
      }
      // (Loops, not `fill`: a builtin call costs more than seven stores here.)
      for (let d = 0; d < NUM_DIMS; d++) merged[d] = 1;
      let count = 0;
      for (let i = start; i < cuts[l]; i++) {
        const d = dims[i];
        if (merged[d] === 1) order[count++] = d;
        merged[d] *= primes[i];
      }
      for (let i = 0; i < count; i++) this.pushTemporal(l, order[i], merged[order[i]]);
      this.endLevel(l);
      start = cuts[l];
    }
    this.finishNest();
    this.countAccesses();
  }

  private countAccesses(): void {
    const acc = this.accesses;
    const compute = this.computeCycles;
    const chains = this.keepers;
    for (let s = 0; s < NUM_SPACES; s++) {
      const chain = chains[s];
      // Innermost keeping level: serves every compute step (per instance), shared across fan-outs the tensor ignores.
      const inner = chain[0];
      const served = compute * this.spatialBetween(s, -1, inner);
      acc[inner * NUM_SPACES + s] = s === OUTPUTS ? 2 * served - this.partition(inner) : served;
      for (let k = 1; k < chain.length; k++) {
        const child = chain[k - 1];
        const l = chain[k];
        const childFills = this.fillsOf(child, s);
        const delivered = childFills * this.spatialBetween(s, child, l);
        acc[l * NUM_SPACES + s] = s === OUTPUTS ? 2 * delivered - this.partition(l) : delivered;
        // The child's fills.
        acc[child * NUM_SPACES + s] += childFills;
      }
    }
    let cycles = compute;
    const bw = this.shape.dramBandwidth;
    if (bw !== undefined) {
      const d = (NUM_LEVELS - 1) * NUM_SPACES;
      const dramWrites = this.fillsOf(this.lastOutputKeeper, OUTPUTS);
      const dramReads = acc[d + WEIGHTS] + acc[d + INPUTS] + (acc[d + OUTPUTS] - dramWrites);
      cycles = Math.max(cycles, Math.ceil(dramReads / bw), Math.ceil(dramWrites / bw));
    }
    this.cycles = cycles;
    const keeps = this.shape.keeps;
    let replication = 1;
    for (let l = NUM_LEVELS - 1; l >= 0; l--) {
      // Instances of level l the mapping uses: the product of the fan-outs above it.
      if (l < NUM_LEVELS - 1) replication *= this.levelFanout[l + 1];
      const block = this.shape.blockSize[l];
      const clusters = Math.min(replication, this.clusters[l]);
      let v = 0;
      for (let s = 0; s < NUM_SPACES; s++) if (keeps[l * NUM_SPACES + s]) v += Math.ceil(acc[l * NUM_SPACES + s] / block);
      this.vectorAccesses[l] = v * clusters;
    }
  }

  /**
   * Distinct data the children of the fan-outs of levels lo+1 .. hi need of `space`: the product of their
   * factors over dims that index it, except that input children whose windows start at the same point
   * (P and R, or Q and S, unrolled together) need the same data and are served once (Timeloop's multicast).
   */
  private spatialBetween(space: number, lo: number, hi: number): number {
    let p = 1;
    for (let j = lo + 1; j <= hi; j++) p *= this.spatialProduct[j * NUM_SPACES + space];
    if (space !== INPUTS || p === 1) return p;
    const first = lo < 0 ? 0 : this.boundary[lo] + 1;
    const last = this.boundary[hi];
    let slidingW = 0;
    let slidingH = 0;
    for (let t = first; t <= last; t++) {
      if (!this.loopSpatial[t]) continue;
      const d = this.loopDim[t];
      if (d === P || d === R) slidingW++;
      else if (d === Q || d === S) slidingH++;
    }
    if (slidingW < 2 && slidingH < 2) return p;
    let distinct = p;
    if (slidingW >= 2) distinct = (distinct / this.axisProduct(first, last, P, R)) * this.distinctOffsets(first, last, P, this.strideW, R, this.dilationW);
    if (slidingH >= 2) distinct = (distinct / this.axisProduct(first, last, Q, S)) * this.distinctOffsets(first, last, Q, this.strideH, S, this.dilationH);
    return distinct;
  }

  private axisProduct(first: number, last: number, a: number, b: number): number {
    let p = 1;
    for (let t = first; t <= last; t++) if (this.loopSpatial[t] && (this.loopDim[t] === a || this.loopDim[t] === b)) p *= this.loopEnd[t];
    return p;
  }

  /** Number of distinct window starts along one input axis over the spatial loops of dims a (x ca) and b (x cb). */
  private distinctOffsets(first: number, last: number, a: number, ca: number, b: number, cb: number): number {
    let size = 1;
    this.offsets[0] = 0;
    for (let t = first; t <= last; t++) {
      const d = this.loopDim[t];
      if (!this.loopSpatial[t] || (d !== a && d !== b)) continue;
      const step = this.loopScale[t] * (d === a ? ca : cb);
      const end = this.loopEnd[t];
      if (this.offsetsNext.length < size * end) {
        this.offsetsNext = new Float64Array(2 * size * end);
        const grown = new Float64Array(2 * size * end);
        grown.set(this.offsets.subarray(0, size));
        this.offsets = grown;
      }
      let n = 0;
      for (let i = 0; i < end; i++) for (let k = 0; k < size; k++) this.offsetsNext[n++] = this.offsets[k] + i * step;
      const sorted = this.offsetsNext.subarray(0, n).sort();
      size = 0;
      for (let k = 0; k < n; k++) if (k === 0 || sorted[k] !== sorted[k - 1]) this.offsets[size++] = sorted[k];
    }
    return size;
  }

  /** Words of output a level holds over the run (Timeloop's partition size, approximated). */
  private partition(l: number): number {
    let shared = 1;
    for (let j = l + 1; j < NUM_LEVELS; j++) shared *= this.spatialProduct[j * NUM_SPACES + OUTPUTS];
    return this.outputsTotal / shared;
  }

  // Building the nest inner to outer: per level its spatial loops, then its temporal loops, then endLevel.
  private beginNest(): void {
    this.numLoops = 0;
    this.running.fill(1);
    this.computeCycles = 1;
    this.fanout = 1;
    this.spatialProduct.fill(1);
  }

  private pushSpatial(level: number, dim: number, end: number): void {
    this.fanout *= end;
    for (let s = 0; s < NUM_SPACES; s++) if (RELEVANT[s] & (1 << dim)) this.spatialProduct[level * NUM_SPACES + s] *= end;
    this.push(dim, end, true);
  }

  private pushTemporal(level: number, dim: number, end: number): void {
    if (end <= 1) return;
    this.computeCycles *= end;
    this.push(dim, end, false);
  }

  private endLevel(level: number): void {
    this.levelFanout[level] = this.fanout;
    this.fanout = 1;
    this.boundary[level] = this.numLoops - 1;
    for (let d = 0; d < NUM_DIMS; d++) this.levelExtent[level * NUM_DIMS + d] = this.running[d];
  }

  /** The product of the temporal loops outside each loop (the refetches `fillsOf` counts). */
  private finishNest(): void {
    let product = 1;
    for (let t = this.numLoops - 1; t >= 0; t--) {
      this.outerProduct[t] = product;
      if (!this.loopSpatial[t]) product *= this.loopEnd[t];
    }
  }

  private push(dim: number, end: number, spatial: boolean): void {
    const n = this.numLoops;
    const running = this.running;
    this.loopDim[n] = dim;
    this.loopEnd[n] = end;
    this.loopSpatial[n] = spatial ? 1 : 0;
    this.loopScale[n] = running[dim];
    running[dim] *= end;
    this.numLoops = n + 1;
  }

  private inputWidth(level: number): number {
    const o = level * NUM_DIMS;
    return (this.levelExtent[o + R] - 1) * this.dilationW + (this.levelExtent[o + P] - 1) * this.strideW + 1;
  }

  private inputHeight(level: number): number {
    const o = level * NUM_DIMS;
    return (this.levelExtent[o + S] - 1) * this.dilationH + (this.levelExtent[o + Q] - 1) * this.strideH + 1;
  }

  /** Words of data space `s` in the tile of `level` (everything inside its outermost loop). */
  private tileSize(level: number, s: number): number {
    if (level < 0) return 1;
    const o = level * NUM_DIMS;
    const e = this.levelExtent;
    if (s === WEIGHTS) return e[o + R] * e[o + S] * e[o + C] * e[o + K];
    if (s === INPUTS) return e[o + N] * e[o + C] * this.inputWidth(level) * this.inputHeight(level);
    return e[o + P] * e[o + Q] * e[o + K] * e[o + N];
  }

  /** Words level `l` receives for space `s` per instance over the run (see the module comment). */
  private fillsOf(l: number, s: number): number {
    const tile = this.tileSize(l, s);
    // The first temporal loop above the level that indexes the tensor moves the tile; the loops inside it
    // that do not are free, and every loop after it refetches the whole pattern (`outerProduct`).
    let t = this.boundary[l] + 1;
    while (t < this.numLoops && (this.loopSpatial[t] || !(RELEVANT[s] & (1 << this.loopDim[t])))) t++;
    if (t === this.numLoops) return tile;
    const dim = this.loopDim[t];
    let step = tile;
    if (s === INPUTS && (dim === P || dim === R || dim === Q || dim === S)) {
      const horizontal = dim === P || dim === R;
      const extentAxis = horizontal ? this.inputWidth(l) : this.inputHeight(l);
      // The loop steps by everything of its dim inside it, fan-outs above this level included.
      const coefficient = dim === P ? this.strideW : dim === R ? this.dilationW : dim === Q ? this.strideH : this.dilationH;
      const shift = this.loopScale[t] * coefficient;
      step = (tile / extentAxis) * Math.min(extentAxis, shift);
    }
    return (tile + (this.loopEnd[t] - 1) * step) * this.outerProduct[t];
  }
}
