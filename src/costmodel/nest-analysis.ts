/**
 * Timeloop's loop-nest analysis (NVlabs/timeloop 11920be, `loop-analysis/nest-analysis.cpp` with the
 * axis-aligned hyper-rectangle point sets), reimplemented: it walks the nest the way Timeloop does, with
 * the same shortcuts, because Timeloop's access counts are defined by that walk:
 * - a temporal loop runs iteration 0 and iteration 1 only, and counts iteration 1's delta (n - 1) times;
 * - the innermost spatial loop of a fan-out runs its first three children and extrapolates the others
 *   by translation; outer spatial loops run every child;
 * - each level keeps, per spatial element, the tile it held last; the data a child needs is the tile
 *   minus that last tile, where a difference of boxes is only taken when they differ along one axis and
 *   keep moving in the same direction (Timeloop's "gradient"); otherwise the whole tile is fetched;
 * - children asking for equal deltas in the same step are served by one multicast.
 * Only spatial element 0's counts are reported, as Timeloop does.
 */

/** Data spaces in Timeloop's CNN-layer order. */
export const WEIGHTS = 0;
export const INPUTS = 1;
export const OUTPUTS = 2;
export const NUM_SPACES = 3;
/** Every data space of the CNN layer has four axes. */
const AXES = 4;
const BOX_LENGTH = NUM_SPACES * AXES * 2;

const R = 0;
const S = 1;
const P = 2;
const Q = 3;
const C = 4;
const K = 5;
const N = 6;
const NUM_DIMS = 7;

/** One loop of the nest (inner to outer order in `NestSpec.loops`). */
export interface NestLoop {
  readonly dim: number;
  readonly end: number;
  readonly spatial: boolean;
}

/** A loop nest: loops inner to outer and, per storage level, the index of its outermost loop. */
export interface NestSpec {
  readonly loops: readonly NestLoop[];
  readonly storageBoundaries: readonly number[];
}

/** Stride and dilation coefficients of the input projection. */
export interface Coefficients {
  readonly strideW: number;
  readonly strideH: number;
  readonly dilationW: number;
  readonly dilationH: number;
}

/** What the analysis reports for one valid loop (a temporal loop or the outermost loop of a spatial group). */
export interface LoopTile {
  /** Largest tile seen, per data space (only for storage boundaries and master spatial loops). */
  readonly size: Float64Array;
  /** `accesses[space * fanout + m]`: words served with multicast factor m + 1. */
  readonly accesses: Float64Array;
  readonly scatterFactors: Float64Array;
  readonly fanout: number;
  readonly replicationFactor: number;
  readonly isStorageBoundary: boolean;
  readonly isMasterSpatial: boolean;
}

export interface NestAnalysisResult {
  /** Valid loops, inner to outer. */
  readonly tiles: readonly LoopTile[];
  /** Product of the temporal loop bounds (Timeloop's compute cycles). */
  readonly computeCycles: number;
}

interface ElementState {
  lastBox: Int32Array;
  /** Gradient of the last point set: per space, [axis, value]. */
  lastGradient: Int32Array;
  readonly accesses: Float64Array;
  readonly scatterFactors: Float64Array;
  readonly maxSize: Float64Array;
}

function boxSize(box: Int32Array, space: number): number {
  const base = space * AXES * 2;
  let size = box[base + 1] - box[base];
  for (let a = 1; a < AXES; a++) size *= box[base + 2 * a + 1] - box[base + 2 * a];
  return size;
}

function resetSpace(box: Int32Array, space: number): void {
  box.fill(0, space * AXES * 2, (space + 1) * AXES * 2);
}

function sameSpace(a: Int32Array, b: Int32Array, space: number): boolean {
  const base = space * AXES * 2;
  for (let i = base; i < base + AXES * 2; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Timeloop's AAHR `Subtract`: removes `s` from `delta` (one space) in place when the two boxes differ along
 * a single axis and overlap; returns the gradient as [axis, value] in `gradient`.
 */
function subtractSpace(delta: Int32Array, s: Int32Array, space: number, gradient: Int32Array): void {
  gradient[0] = 0;
  gradient[1] = 0;
  if (boxSize(delta, space) === 0 || boxSize(s, space) === 0) return;
  if (sameSpace(delta, s, space)) {
    resetSpace(delta, space);
    return;
  }
  const base = space * AXES * 2;
  for (let a = 0; a < AXES; a++) {
    const min = delta[base + 2 * a];
    const max = delta[base + 2 * a + 1];
    if (s[base + 2 * a + 1] <= min || s[base + 2 * a] >= max) return;
  }
  let found = false;
  let changedAxis = -1;
  let newMin = 0;
  let newMax = 0;
  let gAxis = 0;
  let gValue = 0;
  for (let a = 0; a < AXES; a++) {
    const min = delta[base + 2 * a];
    const max = delta[base + 2 * a + 1];
    const sMin = s[base + 2 * a];
    const sMax = s[base + 2 * a + 1];
    if (min === sMin && max === sMax) continue;
    // A second differing axis: the difference is not a box; keep the whole tile, zero gradient.
    if (found) return;
    found = true;
    changedAxis = a;
    newMin = min;
    newMax = max;
    if (sMin <= min) {
      if (sMax <= max) {
        gAxis = a;
        gValue = sMax - min;
        newMin = sMax;
      } else {
        gAxis = 0;
        gValue = 0;
        newMax = min;
      }
    } else if (sMax < max) {
      throw new Error('nest analysis: fractured point-set difference');
    } else {
      gAxis = a;
      gValue = sMin - max;
      newMax = sMin;
    }
    if (newMin === newMax) {
      resetSpace(delta, space);
      return;
    }
  }
  delta[base + 2 * changedAxis] = newMin;
  delta[base + 2 * changedAxis + 1] = newMax;
  gradient[0] = gAxis;
  gradient[1] = gValue;
}

/** Timeloop's analysis of one nest on one layer; `run()` may be called once. */
export class NestAnalysis {
  private readonly loops: readonly NestLoop[];
  private readonly numLoops: number;
  private readonly bounds: Int32Array;
  private readonly coef: Coefficients;
  private readonly scale: Int32Array;
  private readonly moldHigh: Int32Array;
  private readonly numSpatialElems: Float64Array;
  private readonly master: Uint8Array;
  private readonly fanout: Int32Array;
  private readonly boundary: Uint8Array;
  private readonly states: Map<number, ElementState>[];
  private readonly transform = new Int32Array(NUM_DIMS);
  private readonly gradientScratch = new Int32Array(2);
  private epochs = 1;
  private spatialId = 0;
  private computeCycles = 0;

  constructor(nest: NestSpec, coef: Coefficients) {
    this.loops = nest.loops;
    this.coef = coef;
    const n = nest.loops.length;
    this.numLoops = n;
    this.bounds = new Int32Array(NUM_DIMS);
    this.scale = new Int32Array(n * NUM_DIMS);
    this.moldHigh = new Int32Array(n * NUM_DIMS);
    this.numSpatialElems = new Float64Array(n);
    this.master = new Uint8Array(n);
    this.fanout = new Int32Array(n);
    this.boundary = new Uint8Array(n);
    for (const b of nest.storageBoundaries) this.boundary[b] = 1;

    let product = 1;
    let prevSpatial = false;
    for (let l = n - 1; l >= 0; l--) {
      this.numSpatialElems[l] = product;
      const loop = nest.loops[l];
      if (loop.spatial) {
        this.master[l] = prevSpatial ? 0 : 1;
        product *= loop.end;
        prevSpatial = true;
      } else {
        prevSpatial = false;
      }
    }
    for (let l = 0; l < n; l++) {
      if (!nest.loops[l].spatial) this.fanout[l] = 1;
      else if (!this.master[l]) this.fanout[l] = 0;
      else {
        let f = 1;
        for (let m = l; m >= 0 && nest.loops[m].spatial; m--) f *= nest.loops[m].end;
        this.fanout[l] = f;
      }
    }
    const cumulative = new Int32Array(NUM_DIMS).fill(1);
    for (let l = 0; l < n; l++) {
      for (let d = 0; d < NUM_DIMS; d++) this.scale[l * NUM_DIMS + d] = cumulative[d];
      cumulative[nest.loops[l].dim] *= nest.loops[l].end;
      for (let d = 0; d < NUM_DIMS; d++) this.moldHigh[l * NUM_DIMS + d] = cumulative[d] - 1;
    }
    this.bounds.set(cumulative);
    this.states = nest.loops.map(() => new Map<number, ElementState>());
  }

  run(): NestAnalysisResult {
    if (this.numLoops > 0) this.computeDeltas(this.numLoops - 1);
    const tiles: LoopTile[] = [];
    for (let l = 0; l < this.numLoops; l++) {
      if (this.loops[l].spatial && !this.master[l]) continue;
      const st = this.state(l, 0);
      tiles.push({
        size: st.maxSize,
        accesses: st.accesses,
        scatterFactors: st.scatterFactors,
        fanout: this.fanout[l],
        replicationFactor: this.numSpatialElems[l],
        isStorageBoundary: this.boundary[l] === 1,
        isMasterSpatial: this.master[l] === 1,
      });
    }
    return { tiles, computeCycles: this.computeCycles };
  }

  private state(level: number, id: number): ElementState {
    const map = this.states[level];
    let st = map.get(id);
    if (st === undefined) {
      const f = this.fanout[level];
      st = {
        lastBox: new Int32Array(BOX_LENGTH),
        lastGradient: new Int32Array(NUM_SPACES * 2),
        accesses: new Float64Array(NUM_SPACES * f),
        scatterFactors: new Float64Array(NUM_SPACES * f),
        maxSize: new Float64Array(NUM_SPACES),
      };
      map.set(id, st);
    }
    return st;
  }

  /** The tile (projected into every data space) of loop `level` at the current transform. */
  private pointSet(level: number): Int32Array {
    const box = new Int32Array(BOX_LENGTH);
    const t = this.transform;
    const h = this.moldHigh;
    const o = level * NUM_DIMS;
    const lo = (d: number): number => t[d];
    const hi = (d: number): number => t[d] + h[o + d];
    const set = (space: number, axis: number, min: number, maxInclusive: number): void => {
      box[space * 8 + axis * 2] = min;
      box[space * 8 + axis * 2 + 1] = maxInclusive + 1;
    };
    set(WEIGHTS, 0, lo(R), hi(R));
    set(WEIGHTS, 1, lo(S), hi(S));
    set(WEIGHTS, 2, lo(C), hi(C));
    set(WEIGHTS, 3, lo(K), hi(K));
    const c = this.coef;
    set(INPUTS, 0, lo(R) * c.dilationW + lo(P) * c.strideW, hi(R) * c.dilationW + hi(P) * c.strideW);
    set(INPUTS, 1, lo(S) * c.dilationH + lo(Q) * c.strideH, hi(S) * c.dilationH + hi(Q) * c.strideH);
    set(INPUTS, 2, lo(C), hi(C));
    set(INPUTS, 3, lo(N), hi(N));
    set(OUTPUTS, 0, lo(P), hi(P));
    set(OUTPUTS, 1, lo(Q), hi(Q));
    set(OUTPUTS, 2, lo(K), hi(K));
    set(OUTPUTS, 3, lo(N), hi(N));
    return box;
  }

  private computeDeltas(level: number): Int32Array {
    const st = this.state(level, this.spatialId);
    const pointSet = this.pointSet(level);
    if (this.loops[level].spatial) this.spatialWorkingSet(level, st);
    else this.temporalWorkingSet(level, st);

    if (this.boundary[level] || this.master[level]) {
      for (let s = 0; s < NUM_SPACES; s++) st.maxSize[s] = Math.max(st.maxSize[s], boxSize(pointSet, s));
    }
    // delta = pointSet - last, with Timeloop's reset-on-gradient-change rule.
    const delta = new Int32Array(pointSet);
    const g = this.gradientScratch;
    const newGradient = new Int32Array(NUM_SPACES * 2);
    for (let s = 0; s < NUM_SPACES; s++) {
      subtractSpace(delta, st.lastBox, s, g);
      const lastAxis = st.lastGradient[2 * s];
      const lastValue = st.lastGradient[2 * s + 1];
      if (lastValue === 0 || (g[1] === 0 && boxSize(delta, s) === 0) || (lastAxis === g[0] && Math.sign(lastValue) === Math.sign(g[1]))) {
        newGradient[2 * s] = g[0];
        newGradient[2 * s + 1] = g[1];
      } else {
        const base = s * AXES * 2;
        for (let i = base; i < base + AXES * 2; i++) delta[i] = pointSet[i];
      }
    }
    st.lastBox = pointSet;
    st.lastGradient = newGradient;
    return delta;
  }

  private temporalWorkingSet(level: number, st: ElementState): void {
    const loop = this.loops[level];
    const n = loop.end;
    if (level === 0) {
      const body = n * this.epochs;
      if (this.spatialId === 0) this.computeCycles += body;
      for (let s = 0; s < NUM_SPACES; s++) {
        st.accesses[s * this.fanout[level]] += body;
        st.scatterFactors[s * this.fanout[level]] = 1;
      }
      return;
    }
    const dim = loop.dim;
    const scale = this.scale[level * NUM_DIMS + dim];
    const saved = this.transform[dim];
    const deltaSizes = [0, 0, 0];
    // Iteration 0.
    let delta = this.computeDeltas(level - 1);
    for (let s = 0; s < NUM_SPACES; s++) deltaSizes[s] += boxSize(delta, s);
    this.transform[dim] += scale;
    // Iteration 1 stands for iterations 1 .. n-1.
    if (n >= 2) {
      const virtual = n - 1;
      const savedEpochs = this.epochs;
      this.epochs *= virtual;
      delta = this.computeDeltas(level - 1);
      this.epochs = savedEpochs;
      for (let s = 0; s < NUM_SPACES; s++) deltaSizes[s] += boxSize(delta, s) * virtual;
    }
    this.transform[dim] = saved;
    if (this.boundary[level - 1]) {
      for (let s = 0; s < NUM_SPACES; s++) {
        st.accesses[s * this.fanout[level]] += deltaSizes[s] * this.epochs;
        st.scatterFactors[s * this.fanout[level]] = 1;
      }
    }
  }

  private spatialWorkingSet(level: number, st: ElementState): void {
    const f = this.fanout[level];
    this.spatialId *= f;
    const deltas: Int32Array[] = new Array<Int32Array>(f);
    this.fillSpatialDeltas(level, deltas, 0);
    this.spatialId /= f;

    const accesses = new Float64Array(NUM_SPACES * f);
    const scatter = new Float64Array(NUM_SPACES * f);
    const unaccounted = new Uint8Array(NUM_SPACES * f).fill(1);
    for (let i = 0; i < f; i++) {
      for (let s = 0; s < NUM_SPACES; s++) {
        if (!unaccounted[i * NUM_SPACES + s]) continue;
        unaccounted[i * NUM_SPACES + s] = 0;
        let matches = 1;
        for (let j = i + 1; j < f; j++) {
          if (unaccounted[j * NUM_SPACES + s] && sameSpace(deltas[i], deltas[j], s)) {
            unaccounted[j * NUM_SPACES + s] = 0;
            matches++;
          }
        }
        accesses[s * f + matches - 1] += boxSize(deltas[i], s) * this.epochs;
        scatter[s * f + matches - 1] += 1;
      }
    }
    for (let s = 0; s < NUM_SPACES; s++) {
      for (let m = 0; m < f; m++) {
        const a = accesses[s * f + m];
        st.accesses[s * f + m] += a;
        if (a > 0 && st.scatterFactors[s * f + m] === 0) st.scatterFactors[s * f + m] = scatter[s * f + m];
      }
    }
  }

  private fillSpatialDeltas(level: number, deltas: Int32Array[], baseIndex: number): void {
    const loop = this.loops[level];
    const base = baseIndex * loop.end;
    const next = level - 1;
    if (next < 0) throw new Error('nest analysis: a spatial loop cannot be the innermost loop');
    const dim = loop.dim;
    const scale = this.scale[level * NUM_DIMS + dim];
    const savedId = this.spatialId;
    const savedTransform = this.transform[dim];
    if (this.loops[next].spatial) {
      for (let i = 0; i < loop.end; i++) {
        this.fillSpatialDeltas(next, deltas, base + i);
        this.transform[dim] += scale;
      }
    } else {
      const run = Math.min(3, loop.end);
      for (let i = 0; i < run; i++) {
        this.spatialId = savedId + base + i;
        deltas[base + i] = this.computeDeltas(next);
        this.transform[dim] += scale;
      }
      if (run < loop.end) {
        // Translate the delta of child 2 by the step from child 1 to child 2, repeatedly.
        const last = deltas[base + 2];
        const secondLast = deltas[base + 1];
        for (let i = 3; i < loop.end; i++) {
          const prev = deltas[base + i - 1];
          const d = new Int32Array(BOX_LENGTH);
          for (let k = 0; k < BOX_LENGTH; k += 2) {
            const shift = last[k] - secondLast[k];
            d[k] = prev[k] + shift;
            d[k + 1] = prev[k + 1] + shift;
          }
          deltas[base + i] = d;
        }
      }
    }
    this.transform[dim] = savedTransform;
    this.spatialId = savedId;
  }
}

