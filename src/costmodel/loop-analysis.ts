/**
 * The fast, allocation-free form of Timeloop's nest analysis (see `nest-analysis.ts` for the walk it
 * reproduces). Facts that make a closed form possible:
 * - only spatial element 0 is reported, and spatial loops route element 0 through child 0 with no offset,
 *   so element 0 of a loop sees one call per combination of iteration 0 / iteration 1 of the temporal
 *   loops above it: a binary counter. Iteration 1 of a loop of n weighs (n - 1).
 * - going from one call to the next flips one counter bit t from 0 to 1 and resets the bits below it,
 *   so the tile moves by +scale_t along dim_t and by -scale_i along each reset dim_i. Whether the delta is
 *   empty, a slice or the whole tile depends on that move and on the last move's direction (Timeloop's
 *   gradient), which has at most 9 states per data space: a small dynamic program over the bits.
 * - children of a fan-out see translated copies of child 0's deltas, so two children share a delta
 *   (multicast) exactly when their offsets project to the same point of the data space.
 */
import type { ArchTemplate } from './arch-template';
import * as layout from './mapping';
import type { PackedMapping } from './mapping';
import type { Coefficients } from './nest-analysis';
import * as accounting from './tile-accounting';

// Module-local copies: imported bindings can compile to getters, which costs in the hot loops.
const NUM_DIMS = layout.NUM_DIMS;
const NUM_LEVELS = layout.NUM_LEVELS;
const PACKED_LEVEL_STRIDE = layout.PACKED_LEVEL_STRIDE;
const PACKED_PERMUTATION = layout.PACKED_PERMUTATION;
const PACKED_SPATIAL = layout.PACKED_SPATIAL;
const PACKED_SPATIAL_PERMUTATION = layout.PACKED_SPATIAL_PERMUTATION;
const PACKED_TEMPORAL = layout.PACKED_TEMPORAL;

const R = 0;
const S = 1;
const P = 2;
const Q = 3;
const C = 4;
const K = 5;
const N = 6;
const NUM_SPACES = 3;
const AXES = 4;
/** Gradient states: 0 = none, 1 + 2 * axis + (moving up ? 1 : 0). */
const NUM_GRADIENT_STATES = 1 + 2 * AXES;
/** At most 7 spatial + 7 temporal loops per level (one placeholder when a level has none). */
const MAX_LOOPS = NUM_LEVELS * 2 * NUM_DIMS;
const OUTPUTS = 2;

const OUTCOME_EMPTY = 0;
const OUTCOME_FULL = 1;
const OUTCOME_SLICE = accounting.OUTCOME_SLICE;

/** Why a mapping cannot run on the template (Timeloop's model checks plus the template's fan-outs). */
export type MappingProblem =
  | { readonly kind: 'structure'; readonly level: number; readonly message: string }
  | { readonly kind: 'factors'; readonly dim: number; readonly product: number; readonly expected: number }
  | { readonly kind: 'fanout'; readonly level: number; readonly used: number; readonly available: number }
  | { readonly kind: 'instances'; readonly level: number; readonly used: number; readonly available: number }
  | { readonly kind: 'capacity'; readonly level: number; readonly used: number; readonly available: number };

/** Appends `problem` to `all` when collecting, and returns it. */
function record(problem: MappingProblem, all: MappingProblem[] | undefined): MappingProblem {
  all?.push(problem);
  return problem;
}

/**
 * Scratch memory of the loop analysis: the current nest, tiles, streams and multicast classes. Any
 * number of evaluators may share one workspace (one `check`/`evaluate` runs at a time in a thread);
 * sharing keeps this memory in the CPU caches when many (arch, layer) pairs are evaluated in turn. Each
 * evaluator keeps its own results. The fields are the analysis's internals, not an interface.
 */
export class EvaluatorWorkspace {
  // Loop nest of the current mapping.
  numLoops = 0;
  readonly loopDim = new Int32Array(MAX_LOOPS);
  readonly loopEnd = new Float64Array(MAX_LOOPS);
  readonly loopSpatial = new Uint8Array(MAX_LOOPS);
  /**
   * Cumulative bound per dim of the only tiles ever measured, by slot: 2 * level = the level's master
   * spatial loop (its fan-out's tile), 2 * level + 1 = its storage boundary.
   */
  readonly tileExtent = new Float64Array(2 * NUM_LEVELS * NUM_DIMS);
  /** Scale of each loop along its own dim (product of the bounds below it). */
  readonly loopScale = new Float64Array(MAX_LOOPS);
  readonly levelFirstLoop = new Int32Array(NUM_LEVELS);
  readonly levelSpatialLoops = new Int32Array(NUM_LEVELS);
  readonly levelBoundary = new Int32Array(NUM_LEVELS);
  readonly levelFanout = new Float64Array(NUM_LEVELS);
  readonly levelReplication = new Float64Array(NUM_LEVELS);
  // Per data space scratch.
  readonly projected = new Float64Array(AXES);
  readonly spaceExtentCache = new Float64Array(NUM_SPACES * AXES);
  readonly tileOf = new Float64Array(NUM_SPACES);
  cachedExtentSlot = -1;
  readonly streams = new Float64Array(NUM_SPACES);
  readonly transitionKind = new Uint8Array(MAX_LOOPS);
  readonly transitionSize = new Float64Array(MAX_LOOPS);
  readonly transitionState = new Uint8Array(MAX_LOOPS);
  readonly transitionWeight = new Float64Array(MAX_LOOPS);
  readonly neededAfter = new Int32Array(MAX_LOOPS);
  readonly shift = new Float64Array(NUM_DIMS);
  readonly gradient = accounting.gradientScratch(NUM_GRADIENT_STATES);
  classKeys = new Float64Array(0);
  classHistogram = new Float64Array(0);
  /** Per tile, the number of entries in its multicast lists (one per distinct multicast factor). */
  readonly multicastCount = new Int32Array(NUM_LEVELS * NUM_SPACES);
  classCounts = new Float64Array(0);
  readonly childIndex = new Int32Array(2 * NUM_DIMS);
  readonly seen = new Uint8Array(NUM_DIMS);
  readonly seenSpatial = new Uint8Array(NUM_DIMS);
  // Collapsed tiles, index level * 3 + space (see the evaluator's multicastOffset).
  readonly tileSize = new Float64Array(NUM_LEVELS * NUM_SPACES);
  readonly partitionSize = new Float64Array(NUM_LEVELS * NUM_SPACES);
  readonly contentAccesses = new Float64Array(NUM_LEVELS * NUM_SPACES);
  readonly tileFills = new Float64Array(NUM_LEVELS * NUM_SPACES);
  readonly denominator = new Float64Array(NUM_LEVELS * NUM_SPACES);
  multicastAccesses = new Float64Array(0);
  multicastScatter = new Float64Array(0);

  /** Grows the arrays whose size depends on the template's fan-outs. */
  reserve(maxFanout: number, multicastLength: number): void {
    if (this.classCounts.length < maxFanout) {
      this.classKeys = new Float64Array(4 * maxFanout);
      this.classHistogram = new Float64Array(maxFanout);
      this.classCounts = new Float64Array(maxFanout);
    }
    if (this.multicastAccesses.length < multicastLength) {
      this.multicastAccesses = new Float64Array(multicastLength);
      this.multicastScatter = new Float64Array(multicastLength);
    }
  }
}

/**
 * Evaluates packed mappings of one layer on one template with no allocation per call. After `evaluate`,
 * the public typed arrays hold the per level (`level * 3 + tensor`, tensors Weights, Inputs, Outputs)
 * statistics Timeloop reports per instance.
 */
export class MappingEvaluator {
  readonly template: ArchTemplate;
  private readonly workspace: EvaluatorWorkspace;
  private readonly coef: Coefficients;
  private readonly bounds: Int32Array;
  /** MACs of the layer. */
  readonly macs: number;
  private readonly keepMask: Uint8Array;
  // Per level template constants, flattened for the hot loop.
  private readonly levelClusters = new Float64Array(NUM_LEVELS);
  private readonly levelBlockSize = new Float64Array(NUM_LEVELS);
  private readonly levelVectorEnergy = new Float64Array(NUM_LEVELS);
  private readonly levelReadBandwidth = new Float64Array(NUM_LEVELS);
  private readonly levelWriteBandwidth = new Float64Array(NUM_LEVELS);

  // Collapsed tiles: index level * 3 + space; the multicast list of tile i starts at multicastOffset[i]
  // and has room for the level's fan-out entries.
  private readonly multicastOffset = new Int32Array(NUM_LEVELS * NUM_SPACES);

  // Results (per instance, Timeloop's stats).
  readonly reads = new Float64Array(NUM_LEVELS * NUM_SPACES);
  readonly updates = new Float64Array(NUM_LEVELS * NUM_SPACES);
  readonly fills = new Float64Array(NUM_LEVELS * NUM_SPACES);
  readonly utilizedCapacity = new Float64Array(NUM_LEVELS * NUM_SPACES);
  readonly utilizedInstances = new Float64Array(NUM_LEVELS * NUM_SPACES);
  readonly utilizedClusters = new Float64Array(NUM_LEVELS * NUM_SPACES);
  /** Energy of all instances, per level and tensor (pJ). */
  readonly tensorEnergy = new Float64Array(NUM_LEVELS * NUM_SPACES);
  cycles = 0;
  computeCycles = 0;
  energy = 0;
  macEnergy = 0;
  utilizedMacs = 0;

  constructor(
    template: ArchTemplate,
    layer: Coefficients & { readonly R: number; readonly S: number; readonly P: number; readonly Q: number; readonly C: number; readonly K: number; readonly N: number },
    workspace: EvaluatorWorkspace = new EvaluatorWorkspace(),
  ) {
    for (const field of ['R', 'S', 'P', 'Q', 'C', 'K', 'N', 'strideW', 'strideH', 'dilationW', 'dilationH'] as const) {
      const value = layer[field];
      if (!(Number.isInteger(value) && value > 0)) throw new RangeError(`MappingEvaluator: layer ${field} must be a positive integer, got ${String(value)}`);
    }
    this.template = template;
    this.coef = { strideW: layer.strideW, strideH: layer.strideH, dilationW: layer.dilationW, dilationH: layer.dilationH };
    this.bounds = Int32Array.from([layer.R, layer.S, layer.P, layer.Q, layer.C, layer.K, layer.N]);
    this.macs = layer.R * layer.S * layer.P * layer.Q * layer.C * layer.K * layer.N;
    let maxFanout = 1;
    for (const f of template.fanouts) maxFanout = Math.max(maxFanout, f);
    let offset = 0;
    for (let i = 0; i < NUM_LEVELS * NUM_SPACES; i++) {
      this.multicastOffset[i] = offset;
      offset += template.fanouts[Math.floor(i / NUM_SPACES)];
    }
    this.workspace = workspace;
    workspace.reserve(maxFanout, offset);
    this.macEnergy = this.macs * template.macEnergy;
    template.levels.forEach((lv, l) => {
      this.levelClusters[l] = Math.floor(lv.instances / lv.clusterSize);
      this.levelBlockSize[l] = lv.blockSize;
      this.levelVectorEnergy[l] = lv.vectorAccessEnergy;
      this.levelReadBandwidth[l] = lv.readBandwidth ?? Infinity;
      this.levelWriteBandwidth[l] = lv.writeBandwidth ?? Infinity;
    });
    this.keepMask = new Uint8Array(NUM_LEVELS * NUM_SPACES);
    template.levels.forEach((lv, l) => {
      this.keepMask[l * NUM_SPACES] = lv.keeps.Weights ? 1 : 0;
      this.keepMask[l * NUM_SPACES + 1] = lv.keeps.Inputs ? 1 : 0;
      this.keepMask[l * NUM_SPACES + 2] = lv.keeps.Outputs ? 1 : 0;
    });
  }

  /**
   * Checks `packed` against the layer and the template: factor products, fan-outs, instances and buffer
   * capacities (sum of the kept tiles <= entries). Returns the first problem, or undefined; with `all`,
   * pushes every problem found there (structure problems stop the checks). Builds the nest.
   */
  check(packed: PackedMapping, all?: MappingProblem[]): MappingProblem | undefined {
    const ws = this.workspace;
    // No allocation unless there is a problem: mappers call this for every candidate.
    const seen = ws.seen;
    const seenSpatial = ws.seenSpatial;
    for (let l = 0; l < NUM_LEVELS; l++) {
      const b = l * PACKED_LEVEL_STRIDE;
      for (let i = 0; i < NUM_DIMS; i++) {
        const t = packed[b + PACKED_TEMPORAL + i];
        const sp = packed[b + PACKED_SPATIAL + i];
        if (!(t >= 1) || !(sp >= 1)) return record({ kind: 'structure', level: l, message: 'factors must be positive integers' }, all);
        seen[i] = 0;
        seenSpatial[i] = 0;
      }
      for (let i = 0; i < NUM_DIMS; i++) {
        const d = packed[b + PACKED_PERMUTATION + i];
        const ds = packed[b + PACKED_SPATIAL_PERMUTATION + i];
        if (d < 0 || d >= NUM_DIMS || seen[d] || ds < 0 || ds >= NUM_DIMS || seenSpatial[ds]) {
          return record({ kind: 'structure', level: l, message: 'a permutation must list each of R,S,P,Q,C,K,N once' }, all);
        }
        seen[d] = 1;
        seenSpatial[ds] = 1;
      }
    }
    let first: MappingProblem | undefined;
    for (let d = 0; d < NUM_DIMS; d++) {
      let product = 1;
      for (let l = 0; l < NUM_LEVELS; l++) {
        const b = l * PACKED_LEVEL_STRIDE;
        product *= packed[b + PACKED_TEMPORAL + d] * packed[b + PACKED_SPATIAL + d];
      }
      if (product !== this.bounds[d]) {
        const problem = record({ kind: 'factors', dim: d, product, expected: this.bounds[d] }, all);
        first ??= problem;
        if (all === undefined) return first;
      }
    }
    for (let l = 0; l < NUM_LEVELS; l++) {
      let used = 1;
      for (let d = 0; d < NUM_DIMS; d++) used *= packed[l * PACKED_LEVEL_STRIDE + PACKED_SPATIAL + d];
      if (used > this.template.fanouts[l]) {
        const problem = record({ kind: 'fanout', level: l, used, available: this.template.fanouts[l] }, all);
        first ??= problem;
        if (all === undefined) return first;
      }
    }
    this.buildNest(packed);
    for (let l = 0; l < NUM_LEVELS; l++) {
      const spec = this.template.levels[l];
      if (ws.levelReplication[l] > spec.instances) {
        const problem = record({ kind: 'instances', level: l, used: ws.levelReplication[l], available: spec.instances }, all);
        first ??= problem;
        if (all === undefined) return first;
      }
      if (spec.entries === undefined) continue;
      this.cacheExtents(2 * l + 1);
      let used = 0;
      for (let s = 0; s < NUM_SPACES; s++) if (this.keeps(l, s)) used += ws.tileOf[s];
      if (used > spec.entries) {
        const problem = record({ kind: 'capacity', level: l, used, available: spec.entries }, all);
        first ??= problem;
        if (all === undefined) return first;
      }
    }
    return first;
  }

  /**
   * Evaluates a packed mapping that passes `check` (fan-outs within the template's are required): fills
   * the statistics and sets `cycles`, `energy` (pJ) and `computeCycles`. Returns the energy-delay product.
   */
  evaluate(packed: PackedMapping): number {
    this.buildNest(packed);
    this.collapse();
    return this.stats();
  }

  private keeps(level: number, space: number): boolean {
    return this.keepMask[level * NUM_SPACES + space] === 1;
  }

  private buildNest(packed: PackedMapping): void {
    const ws = this.workspace;
    ws.cachedExtentSlot = -1;
    let n = 0;
    const running = ws.shift; // reused as the running cumulative bound per dim
    for (let d = 0; d < NUM_DIMS; d++) running[d] = 1;
    const loopDim = ws.loopDim;
    const loopEnd = ws.loopEnd;
    const loopSpatial = ws.loopSpatial;
    const loopScale = ws.loopScale;
    let utilized = 1;
    for (let l = 0; l < NUM_LEVELS; l++) {
      const base = l * PACKED_LEVEL_STRIDE;
      ws.levelFirstLoop[l] = n;
      let spatialLoops = 0;
      let fanout = 1;
      for (let i = 0; i < NUM_DIMS; i++) {
        const dim = packed[base + PACKED_SPATIAL_PERMUTATION + i];
        const end = packed[base + PACKED_SPATIAL + dim];
        if (end > 1) {
          loopDim[n] = dim;
          loopEnd[n] = end;
          loopSpatial[n] = 1;
          loopScale[n] = running[dim];
          running[dim] *= end;
          n++;
          spatialLoops++;
          fanout *= end;
        }
      }
      // Only the tiles of master spatial loops and storage boundaries are ever measured.
      if (spatialLoops > 0) this.snapshotExtent(2 * l, running);
      let temporal = 0;
      for (let i = 0; i < NUM_DIMS; i++) {
        const dim = packed[base + PACKED_PERMUTATION + i];
        const end = packed[base + PACKED_TEMPORAL + dim];
        if (end > 1) {
          loopDim[n] = dim;
          loopEnd[n] = end;
          loopSpatial[n] = 0;
          loopScale[n] = running[dim];
          running[dim] *= end;
          n++;
          temporal++;
        }
      }
      if (temporal === 0) {
        loopDim[n] = N;
        loopEnd[n] = 1;
        loopSpatial[n] = 0;
        loopScale[n] = running[N];
        n++;
      }
      this.snapshotExtent(2 * l + 1, running);
      ws.levelSpatialLoops[l] = spatialLoops;
      ws.levelFanout[l] = fanout;
      ws.levelBoundary[l] = n - 1;
      utilized *= fanout;
    }
    ws.numLoops = n;
    this.utilizedMacs = utilized;
    // Replication of a level = product of the fan-outs of the levels above it.
    let replication = 1;
    for (let l = NUM_LEVELS - 1; l >= 0; l--) {
      ws.levelReplication[l] = replication;
      replication *= ws.levelFanout[l];
    }
  }

  private snapshotExtent(slot: number, running: Float64Array): void {
    const ws = this.workspace;
    const o = slot * NUM_DIMS;
    const x = ws.tileExtent;
    for (let d = 0; d < NUM_DIMS; d++) x[o + d] = running[d];
  }

  /** Projects the problem-space vector in `shift` onto the four axes of `space`, into `projected`. */
  private project(space: number): void {
    const ws = this.workspace;
    const v = ws.shift;
    const out = ws.projected;
    if (space === 0) {
      out[0] = v[R];
      out[1] = v[S];
      out[2] = v[C];
      out[3] = v[K];
    } else if (space === 1) {
      const c = this.coef;
      out[0] = v[R] * c.dilationW + v[P] * c.strideW;
      out[1] = v[S] * c.dilationH + v[Q] * c.strideH;
      out[2] = v[C];
      out[3] = v[N];
    } else {
      out[0] = v[P];
      out[1] = v[Q];
      out[2] = v[K];
      out[3] = v[N];
    }
  }

  /**
   * For each data space, the sum over all calls of element 0 of loop `loop` of |delta| x epochs: the words
   * the level above fetches for this loop's tile (in `slot`) over the whole run. Writes `streams[space]`.
   *
   * Weights and outputs project each problem dim onto its own axis, and a counter move along an axis is at
   * least the tile's extent there, so their deltas are empty or the whole tile and the gradient never
   * matters: stream' = stream * n + (n - 1) * delta. Inputs can move by less than their sliding-window
   * extent; those slices need the gradient dynamic program (`inputStream`).
   */
  private deltaStreams(loop: number, slot: number, streams: Float64Array): void {
    const ws = this.workspace;
    const v = ws.shift;
    for (let d = 0; d < NUM_DIMS; d++) v[d] = 0;
    this.cacheExtents(slot);
    const e = ws.spaceExtentCache;
    const tileW = ws.tileOf[0];
    const tileI = ws.tileOf[1];
    const tileO = ws.tileOf[2];
    const extentW = e[AXES];
    const extentH = e[AXES + 1];
    const c = this.coef;
    const kinds = ws.transitionKind;
    const sizes = ws.transitionSize;
    const states = ws.transitionState;
    const weights = ws.transitionWeight;
    let weightsStream = 0;
    let inputsStream = 0;
    let outputsStream = 0;
    let slices = false;
    let numBits = 0;
    for (let t = loop + 1; t < ws.numLoops; t++) {
      const n = ws.loopEnd[t];
      if (ws.loopSpatial[t] || n < 2) continue;
      const dim = ws.loopDim[t];
      const scale = ws.loopScale[t];
      // Bit t goes 0 -> 1; the bits below (already in `shift` as negative steps) go 1 -> 0.
      v[dim] += scale;
      const w = n - 1;
      const movesWeights = v[R] !== 0 || v[S] !== 0 || v[C] !== 0 || v[K] !== 0;
      weightsStream = weightsStream * n + (movesWeights ? w * tileW : 0);
      const movesOutputs = v[P] !== 0 || v[Q] !== 0 || v[K] !== 0 || v[N] !== 0;
      outputsStream = outputsStream * n + (movesOutputs ? w * tileO : 0);
      const stepW = v[R] * c.dilationW + v[P] * c.strideW;
      const stepH = v[S] * c.dilationH + v[Q] * c.strideH;
      const movesCN = v[C] !== 0 || v[N] !== 0;
      let kind = OUTCOME_FULL;
      if (stepW === 0 && stepH === 0 && !movesCN) kind = OUTCOME_EMPTY;
      else if (!movesCN && (stepW === 0) !== (stepH === 0)) {
        const step = stepW !== 0 ? stepW : stepH;
        const ext = stepW !== 0 ? extentW : extentH;
        const mag = step < 0 ? -step : step;
        if (mag < ext) {
          kind = OUTCOME_SLICE;
          sizes[numBits] = (tileI / ext) * mag;
          states[numBits] = 1 + 2 * (stepW !== 0 ? 0 : 1) + (step > 0 ? 1 : 0);
          slices = true;
        }
      }
      kinds[numBits] = kind;
      weights[numBits] = w;
      inputsStream = inputsStream * n + (kind === OUTCOME_EMPTY ? 0 : w * tileI);
      v[dim] -= 2 * scale;
      numBits++;
    }
    // The first call fetches the whole tile.
    streams[0] = tileW + weightsStream;
    streams[1] = tileI + (slices ? this.inputStream(numBits, tileI) : inputsStream);
    streams[2] = tileO + outputsStream;
  }

  /** The inputs' stream when some moves are slices (Timeloop's gradient rule, `gradientStream`). */
  private inputStream(numBits: number, tile: number): number {
    const ws = this.workspace;
    return accounting.gradientStream(numBits, tile, NUM_GRADIENT_STATES, ws.transitionKind, ws.transitionSize, ws.transitionState, 0, ws.transitionWeight, ws.neededAfter, ws.gradient);
  }

  /** Caches the extents (`spaceExtentCache`, space * 4 + axis) and sizes (`tileOf`) of the tile in `slot`. */
  private cacheExtents(slot: number): void {
    const ws = this.workspace;
    if (ws.cachedExtentSlot === slot) return;
    const x = ws.tileExtent;
    const o = slot * NUM_DIMS;
    const e = ws.spaceExtentCache;
    const c = this.coef;
    const r = x[o + R];
    const sDim = x[o + S];
    const p = x[o + P];
    const q = x[o + Q];
    const ch = x[o + C];
    const k = x[o + K];
    const n = x[o + N];
    e[0] = r;
    e[1] = sDim;
    e[2] = ch;
    e[3] = k;
    e[4] = (r - 1) * c.dilationW + (p - 1) * c.strideW + 1;
    e[5] = (sDim - 1) * c.dilationH + (q - 1) * c.strideH + 1;
    e[6] = ch;
    e[7] = n;
    e[8] = p;
    e[9] = q;
    e[10] = k;
    e[11] = n;
    ws.tileOf[0] = r * sDim * ch * k;
    ws.tileOf[1] = e[4] * e[5] * ch * n;
    ws.tileOf[2] = p * q * k * n;
    ws.cachedExtentSlot = slot;
  }

  /**
   * Multicast classes of a level's fan-out for one data space: children whose offsets project to the same
   * point share deltas. Writes, by increasing multicast factor, the number of classes of each size for
   * tile `i` into `multicastScatter` and the list's length into `multicastCount` (the factors themselves
   * only matter for network energy, which is zero in both setups).
   */
  private multicastClasses(level: number, space: number, i: number): void {
    const ws = this.workspace;
    const first = ws.levelFirstLoop[level];
    const numSpatial = ws.levelSpatialLoops[level];
    const fanout = ws.levelFanout[level];
    const o = this.multicastOffset[i];
    // Unless two spatial dims feed one input axis (R with P, or S with Q), children differ exactly in
    // the dims the data space depends on: classes are all of size (product of the other dims).
    let multicast = 1;
    let hasR = false;
    let hasS = false;
    let hasP = false;
    let hasQ = false;
    for (let k = 0; k < numSpatial; k++) {
      const d = ws.loopDim[first + k];
      hasR ||= d === R;
      hasS ||= d === S;
      hasP ||= d === P;
      hasQ ||= d === Q;
      const irrelevant = space === 0 ? d === P || d === Q || d === N : space === 1 ? d === K : d === R || d === S || d === C;
      if (irrelevant) multicast *= ws.loopEnd[first + k];
    }
    const sharedAxis = space === 1 && ((hasR && hasP) || (hasS && hasQ));
    if (!sharedAxis) {
      ws.multicastScatter[o] = fanout / multicast;
      ws.multicastCount[i] = 1;
      return;
    }
    const idx = ws.childIndex;
    for (let k = 0; k < numSpatial; k++) idx[k] = 0;
    let numClasses = 0;
    const keys = ws.classKeys;
    const classCounts = ws.classCounts;
    const v = ws.shift;
    for (let child = 0; child < fanout; child++) {
      v.fill(0);
      for (let k = 0; k < numSpatial; k++) v[ws.loopDim[first + k]] += idx[k] * ws.loopScale[first + k];
      this.project(space);
      const k0 = ws.projected[0];
      const k1 = ws.projected[1];
      const k2 = ws.projected[2];
      const k3 = ws.projected[3];
      let k = 0;
      while (k < numClasses && !(keys[4 * k] === k0 && keys[4 * k + 1] === k1 && keys[4 * k + 2] === k2 && keys[4 * k + 3] === k3)) k++;
      if (k === numClasses) {
        keys[4 * k] = k0;
        keys[4 * k + 1] = k1;
        keys[4 * k + 2] = k2;
        keys[4 * k + 3] = k3;
        classCounts[k] = 0;
        numClasses++;
      }
      classCounts[k]++;
      for (let d = 0; d < numSpatial; d++) {
        idx[d]++;
        if (idx[d] < ws.loopEnd[first + d]) break;
        idx[d] = 0;
      }
    }
    // Histogram of class sizes, listed by increasing multicast factor (Timeloop's vector order).
    const histogram = ws.classHistogram;
    histogram.fill(0, 0, fanout);
    for (let k = 0; k < numClasses; k++) histogram[classCounts[k] - 1]++;
    let count = 0;
    for (let m = 0; m < fanout; m++) {
      if (histogram[m] === 0) continue;
      ws.multicastScatter[o + count] = histogram[m];
      count++;
    }
    ws.multicastCount[i] = count;
  }

  /**
   * Timeloop's tiling.cpp on the closed-form per-level access counts. The partition, fill and bypass
   * steps here and `stats` are `settleTiles` and `levelStatistics` of tile-accounting.ts (which the generic
   * evaluator runs) specialised to the template's fixed level and tensor counts, so that the fast path
   * keeps its compile-time sizes (docs/cost-model.md, "Generic families").
   */
  private collapse(): void {
    const ws = this.workspace;
    const offsets = this.multicastOffset;
    const acc = ws.multicastAccesses;
    const scatter = ws.multicastScatter;
    const count = ws.multicastCount;
    let cycles = 1;
    for (let t = 0; t < ws.numLoops; t++) if (!ws.loopSpatial[t]) cycles *= ws.loopEnd[t];
    this.computeCycles = cycles;
    const streams = ws.streams;
    for (let l = 0; l < NUM_LEVELS; l++) {
      if (l > 0) this.deltaStreams(ws.levelBoundary[l - 1], 2 * l - 1, streams);
      // The level below's partition denominator: the fan-out's tile if this level has one, else its own tile.
      if (l > 0) {
        if (ws.levelSpatialLoops[l] > 0) {
          this.cacheExtents(2 * l);
          for (let s = 0; s < NUM_SPACES; s++) ws.denominator[(l - 1) * NUM_SPACES + s] = ws.tileOf[s];
        } else {
          for (let s = 0; s < NUM_SPACES; s++) ws.denominator[(l - 1) * NUM_SPACES + s] = ws.tileSize[(l - 1) * NUM_SPACES + s];
        }
      }
      // This level's tile, left in the cache for the next level's streams.
      this.cacheExtents(2 * l + 1);
      for (let s = 0; s < NUM_SPACES; s++) ws.tileSize[l * NUM_SPACES + s] = ws.tileOf[s];
      for (let s = 0; s < NUM_SPACES; s++) {
        const i = l * NUM_SPACES + s;
        const o = offsets[i];
        const stream = l === 0 ? cycles : streams[s];
        if (ws.levelSpatialLoops[l] === 0) {
          scatter[o] = 1;
          count[i] = 1;
        } else this.multicastClasses(l, s, i);
        let content = 0;
        for (let k = 0; k < count[i]; k++) {
          acc[o + k] = scatter[o + k] * stream;
          content += acc[o + k];
        }
        ws.contentAccesses[i] = content;
      }
    }
    for (let s = 0; s < NUM_SPACES; s++) {
      // Partition sizes: the level above divides its tile among the children of a fan-out.
      const top = (NUM_LEVELS - 1) * NUM_SPACES + s;
      let partition = ws.tileSize[top];
      ws.partitionSize[top] = partition;
      for (let l = NUM_LEVELS - 2; l >= 0; l--) {
        const i = l * NUM_SPACES + s;
        partition = Math.floor((partition * ws.tileSize[i]) / ws.denominator[i]);
        ws.partitionSize[i] = partition;
      }
      // Fills come from the next level up (every tile is non-empty before masking).
      for (let l = 0; l < NUM_LEVELS; l++) {
        const i = l * NUM_SPACES + s;
        let fills = 0;
        if (l < NUM_LEVELS - 1) {
          const outer = i + NUM_SPACES;
          const o = offsets[outer];
          for (let k = 0; k < count[outer]; k++) if (acc[o + k] !== 0) fills += Math.floor(acc[o + k] / scatter[o + k]);
        }
        ws.tileFills[i] = fills;
      }
      // Levels that bypass the tensor hand their accesses to the next level up.
      for (let l = 0; l < NUM_LEVELS - 1; l++) {
        if (this.keeps(l, s)) continue;
        const i = l * NUM_SPACES + s;
        const outer = i + NUM_SPACES;
        const o = offsets[outer];
        let content = 0;
        for (let k = 0; k < count[outer]; k++) {
          if (acc[o + k] !== 0) {
            acc[o + k] = ws.contentAccesses[i] * scatter[o + k];
            content += acc[o + k];
          }
        }
        ws.contentAccesses[outer] = content;
        ws.tileSize[i] = 0;
        ws.partitionSize[i] = 0;
        ws.contentAccesses[i] = 0;
        ws.tileFills[i] = 0;
      }
    }
  }

  private stats(): number {
    const ws = this.workspace;
    const cc = this.computeCycles;
    let energy = this.macEnergy;
    let cycles = cc;
    for (let l = 0; l < NUM_LEVELS; l++) {
      const clustersAvailable = this.levelClusters[l];
      const blockSize = this.levelBlockSize[l];
      const vectorEnergy = this.levelVectorEnergy[l];
      let readBandwidth = 0;
      let writeBandwidth = 0;
      for (let s = 0; s < NUM_SPACES; s++) {
        const i = l * NUM_SPACES + s;
        const content = ws.contentAccesses[i];
        const reads = s === OUTPUTS ? content - ws.partitionSize[i] : content;
        const updates = s === OUTPUTS ? content : 0;
        const fills = ws.tileFills[i];
        const instances = ws.levelReplication[l];
        const clusters = Math.min(instances, clustersAvailable);
        const accesses = reads + updates + fills;
        const vectors = Math.ceil(accesses / blockSize);
        const e = ((vectors * vectorEnergy) / (instances / clusters)) * instances;
        this.reads[i] = reads;
        this.updates[i] = updates;
        this.fills[i] = fills;
        this.utilizedCapacity[i] = ws.tileSize[i];
        this.utilizedInstances[i] = instances;
        this.utilizedClusters[i] = clusters;
        this.tensorEnergy[i] = e;
        energy += e;
        readBandwidth += reads / cc;
        writeBandwidth += (updates + fills) / cc;
      }
      // Timeloop's bandwidth slowdown, in the same floating-point steps.
      // Unlimited bandwidth is stored as Infinity, which never slows down.
      let slowdown = 1.0;
      const readLimit = this.levelReadBandwidth[l];
      const writeLimit = this.levelWriteBandwidth[l];
      if (readLimit < readBandwidth) slowdown = Math.min(slowdown, readLimit / readBandwidth);
      if (writeLimit < writeBandwidth) slowdown = Math.min(slowdown, writeLimit / writeBandwidth);
      if (slowdown < 1) cycles = Math.max(cycles, Math.ceil(cc / slowdown));
    }
    this.cycles = cycles;
    this.energy = energy;
    return energy * cycles;
  }
}
