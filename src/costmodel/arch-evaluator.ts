/**
 * Timeloop's model (11920be) of any mapping of any problem shape on any `ArchSpec`: the closed form of
 * `loop-analysis.ts` (see there for why it equals Timeloop's nest walk) with the CNN layer's fixed data
 * spaces replaced by the problem's projections. Per data space and counter bit, a move of the tile is
 * empty (no rank moves), a slice (one rank moves by less than its extent: only the new part is fetched,
 * subject to Timeloop's gradient rule) or the whole tile. All per-problem and per-arch constants are
 * computed once in the constructor; `check` and `evaluate` allocate nothing unless a mapping is refused.
 */
import * as E from 'fp-ts/Either';
import { invalidInput, type VaesaError } from '../common/errors';
import type { Problem } from '../workload/problem';
import { fanout, type ArchSpec, type Mapping } from './spec';
import { gradientScratch, gradientStream, levelStatistics, OUTCOME_SLICE, settleTiles, type AccessStatistics, type GradientScratch, type LevelConstants, type TileAccounts } from './tile-accounting';

const OUTCOME_EMPTY = 0;
const OUTCOME_FULL = 1;
/** Gradient states are kept in a 32-bit mask: 1 + 2 x ranks must stay below 32. */
const MAX_RANKS = 15;

/** Per level, per data space statistics, per instance as Timeloop reports them. */
export interface DataSpaceStats {
  /** Whether this level keeps the data space (otherwise all counts are 0). */
  readonly keep: boolean;
  /** Words of the tile held by one instance. */
  readonly utilizedCapacity: number;
  readonly utilizedInstances: number;
  readonly utilizedClusters: number;
  readonly reads: number;
  /** Writes of partial sums from below (read-write data spaces only). */
  readonly updates: number;
  /** Writes from the level above. */
  readonly fills: number;
  /** Energy of all instances (pJ). */
  readonly energy: number;
}

/** One storage level's share of a cost. */
export interface StorageLevelCost {
  readonly name: string;
  /** Cycles this level needs: compute cycles stretched by its bandwidth limits (Timeloop's per-level cycles). */
  readonly cycles: number;
  /** Per data space, by name. */
  readonly dataSpaces: Readonly<Record<string, DataSpaceStats>>;
  /** pJ, sum over data spaces. */
  readonly energy: number;
}

/** What `evaluateArchMapping` returns: Timeloop's totals and breakdown. */
export interface ArchCost {
  /** Max over levels of their cycles. */
  readonly cycles: number;
  /** pJ */
  readonly energy: number;
  /** mm² (the `ArchSpec`'s per-instance areas times instances) */
  readonly area: number;
  /** energy (pJ) x cycles */
  readonly edp: number;
  readonly breakdown: {
    /** Storage levels inner to outer. */
    readonly levels: readonly StorageLevelCost[];
    /** pJ of all MACs. */
    readonly macEnergy: number;
    readonly macs: number;
    /** MAC units used (product of all spatial factors). */
    readonly utilizedMacs: number;
    /** Product of all temporal factors (cycles with unlimited bandwidth). */
    readonly computeCycles: number;
  };
}

/**
 * A reusable evaluator of mappings of one problem on one arch. `check(mapping)` returns why Timeloop
 * would refuse the mapping (or undefined); `evaluate(mapping)` (on a mapping that passes `check`) fills
 * the public typed arrays (index `level * dataSpaces + space`) and `cycles`, `energy`, returning the
 * energy-delay product; `cost()` reads them into an `ArchCost`.
 */
export class ArchMappingEvaluator {
  readonly arch: ArchSpec;
  readonly problem: Problem;
  readonly numLevels: number;
  readonly numDims: number;
  readonly numSpaces: number;
  readonly macs: number;
  readonly area: number;
  // Problem constants.
  private readonly dimIndex = new Map<string, number>();
  private readonly bounds: Float64Array;
  private readonly rankBase: Int32Array;
  private readonly rankCount: Int32Array;
  private readonly termBase: Int32Array;
  private readonly termCount: Int32Array;
  private readonly termDim: Int32Array;
  private readonly termCoef: Float64Array;
  private readonly rankDimMask: Float64Array;
  private readonly relevant: Uint8Array;
  private readonly readWriteSpace: number;
  // Arch constants.
  private readonly fanoutX: Float64Array;
  private readonly fanoutY: Float64Array;
  private readonly levelEntries: Float64Array;
  private readonly levelInstances: Float64Array;
  private readonly levelClusters: Float64Array;
  private readonly levelBlockSize: Float64Array;
  private readonly levelVectorEnergy: Float64Array;
  private readonly levelReadBandwidth: Float64Array;
  private readonly levelWriteBandwidth: Float64Array;
  private readonly allowedKeep: Uint8Array;
  private readonly multicastOffset: Int32Array;
  private readonly spaceIndex = new Map<string, number>();
  // The current mapping; `checked` = the mapping the last passing `check` loaded (its nest is built).
  private checked: Mapping | undefined;
  private readonly temporal: Float64Array;
  private readonly permutation: Int32Array;
  private readonly spatial: Float64Array;
  private readonly spatialPermutation: Int32Array;
  private readonly spatialSplit: Int32Array;
  private readonly axesGiven: Uint8Array;
  private readonly keepMask: Uint8Array;
  private readonly seen: Uint8Array;
  // The loop nest.
  private numLoops = 0;
  private readonly loopDim: Int32Array;
  private readonly loopEnd: Float64Array;
  private readonly loopSpatial: Uint8Array;
  private readonly loopScale: Float64Array;
  private readonly tileExtent: Float64Array;
  private readonly levelFirstLoop: Int32Array;
  private readonly levelSpatialLoops: Int32Array;
  private readonly levelBoundary: Int32Array;
  private readonly levelFanout: Float64Array;
  private readonly levelReplication: Float64Array;
  private readonly running: Float64Array;
  // Scratch.
  private readonly shift: Float64Array;
  private readonly rankExtent: Float64Array;
  private readonly tileOf: Float64Array;
  private cachedSlot = -1;
  private readonly streams: Float64Array;
  private readonly simpleStream: Float64Array;
  private readonly hasSlice: Uint8Array;
  private readonly transitionKind: Uint8Array;
  private readonly transitionSize: Float64Array;
  private readonly transitionState: Uint8Array;
  private readonly transitionWeight: Float64Array;
  private readonly neededAfter: Int32Array;
  private readonly gradient: GradientScratch;
  private readonly childIndex: Int32Array;
  private readonly classKeys: Float64Array;
  private readonly classCounts: Float64Array;
  private readonly classHistogram: Float64Array;
  private readonly multicastCount: Int32Array;
  private readonly multicastAccesses: Float64Array;
  private readonly multicastScatter: Float64Array;
  private readonly tileSize: Float64Array;
  private readonly partitionSize: Float64Array;
  private readonly contentAccesses: Float64Array;
  private readonly tileFills: Float64Array;
  private readonly denominator: Float64Array;
  private readonly constants: LevelConstants;
  private readonly accounts: TileAccounts;
  private readonly statistics: AccessStatistics;

  // Results.
  readonly reads: Float64Array;
  readonly updates: Float64Array;
  readonly fills: Float64Array;
  readonly utilizedCapacity: Float64Array;
  readonly utilizedInstances: Float64Array;
  readonly utilizedClusters: Float64Array;
  /** pJ of all instances, per level and data space. */
  readonly spaceEnergy: Float64Array;
  /** Per level cycles (bandwidth included). */
  readonly levelCycles: Float64Array;
  cycles = 0;
  computeCycles = 0;
  energy = 0;
  macEnergy = 0;
  utilizedMacs = 0;

  /**
   * Builds the evaluator; the problem must be valid (`validateProblem`, at most 15 ranks per data space:
   * a RangeError otherwise) and the arch well formed (`parseTimeloopArch`).
   */
  constructor(arch: ArchSpec, problem: Problem) {
    this.arch = arch;
    this.problem = problem;
    const shape = problem.shape;
    const L = arch.levels.length;
    const D = shape.dimensions.length;
    const S = shape.dataSpaces.length;
    this.numLevels = L;
    this.numDims = D;
    this.numSpaces = S;
    shape.dimensions.forEach((d, i) => this.dimIndex.set(d, i));
    shape.dataSpaces.forEach((ds, i) => this.spaceIndex.set(ds.name, i));
    this.bounds = Float64Array.from(shape.dimensions, (d) => problem.bounds[d]);
    this.macs = this.bounds.reduce((p, b) => p * b, 1);
    // Projections, flattened: ranks of space s are rankBase[s] ..; terms of rank r are termBase[r] ...
    this.rankBase = new Int32Array(S);
    this.rankCount = new Int32Array(S);
    const ranks = shape.dataSpaces.reduce((n, ds) => n + ds.projection.length, 0);
    const terms = shape.dataSpaces.reduce((n, ds) => n + ds.projection.reduce((m, r) => m + r.length, 0), 0);
    this.termBase = new Int32Array(ranks);
    this.termCount = new Int32Array(ranks);
    this.termDim = new Int32Array(terms);
    this.termCoef = new Float64Array(terms);
    this.rankDimMask = new Float64Array(ranks * D);
    this.relevant = new Uint8Array(S * D);
    let r = 0;
    let t = 0;
    let maxRanks = 1;
    shape.dataSpaces.forEach((ds, s) => {
      if (ds.projection.length > MAX_RANKS) throw new RangeError(`ArchMappingEvaluator: data space ${ds.name} has more than ${MAX_RANKS} ranks`);
      this.rankBase[s] = r;
      this.rankCount[s] = ds.projection.length;
      maxRanks = Math.max(maxRanks, ds.projection.length);
      for (const rank of ds.projection) {
        this.termBase[r] = t;
        this.termCount[r] = rank.length;
        for (const term of rank) {
          const d = this.dimIndex.get(term.dim) as number;
          this.termDim[t] = d;
          this.termCoef[t] = term.coefficient === undefined ? 1 : problem.coefficients[term.coefficient];
          this.rankDimMask[r * D + d] = 1;
          this.relevant[s * D + d] = 1;
          t++;
        }
        r++;
      }
    });
    this.readWriteSpace = shape.dataSpaces.findIndex((ds) => ds.readWrite);

    this.fanoutX = new Float64Array(L);
    this.fanoutY = new Float64Array(L);
    this.levelEntries = new Float64Array(L);
    this.levelInstances = new Float64Array(L);
    this.levelClusters = new Float64Array(L);
    this.levelBlockSize = new Float64Array(L);
    this.levelVectorEnergy = new Float64Array(L);
    this.levelReadBandwidth = new Float64Array(L);
    this.levelWriteBandwidth = new Float64Array(L);
    this.allowedKeep = new Uint8Array(L * S);
    this.multicastOffset = new Int32Array(L * S);
    let offset = 0;
    let maxFanout = 1;
    let area = arch.arithmetic.area * arch.arithmetic.instances;
    arch.levels.forEach((lv, l) => {
      const f = fanout(arch, l);
      this.fanoutX[l] = f.x;
      this.fanoutY[l] = f.y;
      const total = f.x * f.y;
      maxFanout = Math.max(maxFanout, total);
      this.levelEntries[l] = lv.entries ?? Infinity;
      this.levelInstances[l] = lv.instances;
      this.levelClusters[l] = Math.floor(lv.instances / lv.clusterSize);
      this.levelBlockSize[l] = lv.blockSize;
      this.levelVectorEnergy[l] = lv.vectorAccessEnergy;
      this.levelReadBandwidth[l] = lv.readBandwidth ?? Infinity;
      this.levelWriteBandwidth[l] = lv.writeBandwidth ?? Infinity;
      for (let s = 0; s < S; s++) {
        this.allowedKeep[l * S + s] = lv.keeps === undefined || lv.keeps.includes(shape.dataSpaces[s].name) ? 1 : 0;
        this.multicastOffset[l * S + s] = offset;
        offset += total;
      }
      area += lv.area * lv.instances;
    });
    this.area = area;
    this.macEnergy = this.macs * arch.arithmetic.energyPerMac;

    this.temporal = new Float64Array(L * D);
    this.permutation = new Int32Array(L * D);
    this.spatial = new Float64Array(L * D);
    this.spatialPermutation = new Int32Array(L * D);
    this.spatialSplit = new Int32Array(L);
    this.axesGiven = new Uint8Array(L);
    this.keepMask = new Uint8Array(L * S);
    this.seen = new Uint8Array(D);
    const maxLoops = L * (2 * D + 1);
    this.loopDim = new Int32Array(maxLoops);
    this.loopEnd = new Float64Array(maxLoops);
    this.loopSpatial = new Uint8Array(maxLoops);
    this.loopScale = new Float64Array(maxLoops);
    this.tileExtent = new Float64Array(2 * L * D);
    this.levelFirstLoop = new Int32Array(L);
    this.levelSpatialLoops = new Int32Array(L);
    this.levelBoundary = new Int32Array(L);
    this.levelFanout = new Float64Array(L);
    this.levelReplication = new Float64Array(L);
    this.running = new Float64Array(D);
    this.shift = new Float64Array(D);
    this.rankExtent = new Float64Array(ranks);
    this.tileOf = new Float64Array(S);
    this.streams = new Float64Array(S);
    this.simpleStream = new Float64Array(S);
    this.hasSlice = new Uint8Array(S);
    this.transitionKind = new Uint8Array(S * maxLoops);
    this.transitionSize = new Float64Array(S * maxLoops);
    this.transitionState = new Uint8Array(S * maxLoops);
    this.transitionWeight = new Float64Array(maxLoops);
    this.neededAfter = new Int32Array(maxLoops);
    this.gradient = gradientScratch(1 + 2 * maxRanks);
    this.childIndex = new Int32Array(2 * D);
    this.classKeys = new Float64Array(maxRanks * maxFanout);
    this.classCounts = new Float64Array(maxFanout);
    this.classHistogram = new Float64Array(maxFanout);
    this.multicastCount = new Int32Array(L * S);
    this.multicastAccesses = new Float64Array(offset);
    this.multicastScatter = new Float64Array(offset);
    this.tileSize = new Float64Array(L * S);
    this.partitionSize = new Float64Array(L * S);
    this.contentAccesses = new Float64Array(L * S);
    this.tileFills = new Float64Array(L * S);
    this.denominator = new Float64Array(L * S);
    this.reads = new Float64Array(L * S);
    this.updates = new Float64Array(L * S);
    this.fills = new Float64Array(L * S);
    this.utilizedCapacity = new Float64Array(L * S);
    this.utilizedInstances = new Float64Array(L * S);
    this.utilizedClusters = new Float64Array(L * S);
    this.spaceEnergy = new Float64Array(L * S);
    this.levelCycles = new Float64Array(L);
    this.constants = {
      clusters: this.levelClusters,
      blockSize: this.levelBlockSize,
      vectorEnergy: this.levelVectorEnergy,
      readBandwidth: this.levelReadBandwidth,
      writeBandwidth: this.levelWriteBandwidth,
    };
    this.accounts = { tileSize: this.tileSize, denominator: this.denominator, partitionSize: this.partitionSize, contentAccesses: this.contentAccesses, tileFills: this.tileFills };
    this.statistics = {
      reads: this.reads,
      updates: this.updates,
      fills: this.fills,
      utilizedCapacity: this.utilizedCapacity,
      utilizedInstances: this.utilizedInstances,
      utilizedClusters: this.utilizedClusters,
      energy: this.spaceEnergy,
      levelCycles: this.levelCycles,
    };
  }

  /**
   * Why Timeloop would refuse `mapping` (factors that are not positive integers or do not multiply to
   * the bounds, spatial factors over a level's fan-out, or over its X or Y fan-out when the mapping
   * assigns axes (`spatialSplit`), a kept data space the level may not keep,
   * tiles over a buffer's entries), as an `InvalidInput` naming the level and field; undefined if it runs.
   */
  check(mapping: Mapping): VaesaError | undefined {
    this.checked = undefined;
    const structure = this.load(mapping);
    if (structure !== undefined) return structure;
    const L = this.numLevels;
    const D = this.numDims;
    const S = this.numSpaces;
    const dims = this.problem.shape.dimensions;
    for (let d = 0; d < D; d++) {
      let product = 1;
      for (let l = 0; l < L; l++) product *= this.temporal[l * D + d] * this.spatial[l * D + d];
      if (product !== this.bounds[d]) {
        return invalidInput(`mapping.factors.${dims[d]}`, product, `the factors of ${dims[d]} multiply to ${product}, the problem's bound is ${this.bounds[d]}`);
      }
    }
    for (let l = 0; l < L; l++) {
      const name = this.arch.levels[l].name;
      let x = 1;
      let y = 1;
      for (let i = 0; i < D; i++) {
        const f = this.spatial[l * D + this.spatialPermutation[l * D + i]];
        if (i < this.spatialSplit[l]) x *= f;
        else y *= f;
      }
      const total = this.fanoutX[l] * this.fanoutY[l];
      if (x * y > total) return invalidInput(`mapping.levels[${l}].spatial (${name})`, x * y, `the fan-out below ${name} is ${total} (${this.fanoutX[l]} x ${this.fanoutY[l]})`);
      if (this.axesGiven[l]) {
        if (x > this.fanoutX[l]) return invalidInput(`mapping.levels[${l}].spatial (${name}, X)`, x, `the fan-out below ${name} is ${this.fanoutX[l]} along X`);
        if (y > this.fanoutY[l]) return invalidInput(`mapping.levels[${l}].spatial (${name}, Y)`, y, `the fan-out below ${name} is ${this.fanoutY[l]} along Y`);
      }
      for (let s = 0; s < S; s++) {
        if (this.keepMask[l * S + s] && !this.allowedKeep[l * S + s]) {
          return invalidInput(`mapping.levels[${l}].keep (${name})`, this.problem.shape.dataSpaces[s].name, `${name} cannot keep this data space`);
        }
      }
    }
    this.buildNest();
    for (let l = 0; l < L; l++) {
      const entries = this.levelEntries[l];
      if (entries === Infinity) continue;
      this.cacheExtents(2 * l + 1);
      let used = 0;
      for (let s = 0; s < S; s++) if (this.keepMask[l * S + s]) used += this.tileOf[s];
      if (used > entries) {
        const name = this.arch.levels[l].name;
        return invalidInput(`mapping.levels[${l}] (${name}) tile`, used, `the kept tiles need ${used} entries, ${name} has ${entries}`);
      }
    }
    this.checked = mapping;
    return undefined;
  }

  /**
   * Evaluates a mapping that passes `check` (unchecked mappings give meaningless numbers): fills the
   * statistics and sets `cycles`, `energy` (pJ), `computeCycles`. Returns the energy-delay product.
   * Called right after `check` on the same object, it reuses the loops `check` read.
   */
  evaluate(mapping: Mapping): number {
    // Right after a passing `check` of the same mapping, its loops and nest are already in place.
    if (mapping !== this.checked) {
      const structure = this.load(mapping);
      if (structure !== undefined) throw new RangeError(`ArchMappingEvaluator.evaluate: ${structure._tag === 'InvalidInput' ? structure.message : ''} (call check first)`);
      this.buildNest();
    }
    this.checked = undefined;
    this.collapse();
    return this.stats();
  }

  /** The last evaluated mapping's cost. */
  cost(): ArchCost {
    const S = this.numSpaces;
    const names = this.problem.shape.dataSpaces.map((ds) => ds.name);
    const levels = this.arch.levels.map((lv, l): StorageLevelCost => {
      const dataSpaces: Record<string, DataSpaceStats> = {};
      let energy = 0;
      for (let s = 0; s < S; s++) {
        const i = l * S + s;
        energy += this.spaceEnergy[i];
        dataSpaces[names[s]] = {
          keep: this.keepMask[i] === 1,
          utilizedCapacity: this.utilizedCapacity[i],
          utilizedInstances: this.utilizedInstances[i],
          utilizedClusters: this.utilizedClusters[i],
          reads: this.reads[i],
          updates: this.updates[i],
          fills: this.fills[i],
          energy: this.spaceEnergy[i],
        };
      }
      return { name: lv.name, cycles: this.levelCycles[l], dataSpaces, energy };
    });
    return {
      cycles: this.cycles,
      energy: this.energy,
      area: this.area,
      edp: this.energy * this.cycles,
      breakdown: { levels, macEnergy: this.macEnergy, macs: this.macs, utilizedMacs: this.utilizedMacs, computeCycles: this.computeCycles },
    };
  }

  /** Reads a mapping into the typed arrays; returns a structural problem (level count, names, non-integers). */
  private load(mapping: Mapping): VaesaError | undefined {
    const L = this.numLevels;
    const D = this.numDims;
    const S = this.numSpaces;
    if (mapping.levels.length !== L) return invalidInput('mapping.levels', mapping.levels.length, `expected ${L} levels (${this.arch.levels.map((l) => l.name).join(', ')})`);
    const dims = this.problem.shape.dimensions;
    for (let l = 0; l < L; l++) {
      const lm = mapping.levels[l];
      const b = l * D;
      for (let d = 0; d < D; d++) {
        const t = lm.temporal[dims[d]] ?? 1;
        const sp = lm.spatial[dims[d]] ?? 1;
        if (!(Number.isInteger(t) && t >= 1)) return invalidInput(`mapping.levels[${l}].temporal.${dims[d]}`, t, 'must be a positive integer');
        if (!(Number.isInteger(sp) && sp >= 1)) return invalidInput(`mapping.levels[${l}].spatial.${dims[d]}`, sp, 'must be a positive integer');
        this.temporal[b + d] = t;
        this.spatial[b + d] = sp;
      }
      for (const key in lm.temporal) if (!this.dimIndex.has(key)) return invalidInput(`mapping.levels[${l}].temporal.${key}`, lm.temporal[key], 'unknown dimension');
      for (const key in lm.spatial) if (!this.dimIndex.has(key)) return invalidInput(`mapping.levels[${l}].spatial.${key}`, lm.spatial[key], 'unknown dimension');
      const problem = this.readPermutation(lm.permutation, this.permutation, b, `mapping.levels[${l}].permutation`);
      if (problem !== undefined) return problem;
      const spatialProblem = this.readPermutation(lm.spatialPermutation, this.spatialPermutation, b, `mapping.levels[${l}].spatialPermutation`);
      if (spatialProblem !== undefined) return spatialProblem;
      this.spatialSplit[l] = lm.spatialSplit ?? D;
      this.axesGiven[l] = lm.spatialSplit === undefined ? 0 : 1;
      for (let s = 0; s < S; s++) this.keepMask[l * S + s] = lm.keep === undefined ? this.allowedKeep[l * S + s] : 0;
      if (lm.keep !== undefined) {
        for (const name of lm.keep) {
          const s = this.spaceIndex.get(name);
          if (s === undefined) return invalidInput(`mapping.levels[${l}].keep`, name, 'unknown data space');
          this.keepMask[l * S + s] = 1;
        }
      }
    }
    return undefined;
  }

  /** A permutation (inner to outer) into `out[base ..]`; dimensions it leaves out follow in the shape's order. */
  private readPermutation(order: readonly string[], out: Int32Array, base: number, path: string): VaesaError | undefined {
    const D = this.numDims;
    const seen = this.seen;
    seen.fill(0);
    let n = 0;
    for (const name of order) {
      const d = this.dimIndex.get(name);
      if (d === undefined) return invalidInput(path, name, 'unknown dimension');
      if (seen[d]) return invalidInput(path, name, 'a dimension appears twice');
      seen[d] = 1;
      out[base + n++] = d;
    }
    for (let d = 0; d < D; d++) if (!seen[d]) out[base + n++] = d;
    return undefined;
  }

  private buildNest(): void {
    const L = this.numLevels;
    const D = this.numDims;
    this.cachedSlot = -1;
    const running = this.running;
    running.fill(1);
    let n = 0;
    let utilized = 1;
    for (let l = 0; l < L; l++) {
      const b = l * D;
      this.levelFirstLoop[l] = n;
      let spatialLoops = 0;
      let fan = 1;
      for (let i = 0; i < D; i++) {
        const dim = this.spatialPermutation[b + i];
        const end = this.spatial[b + dim];
        if (end > 1) {
          this.pushLoop(n++, dim, end, 1);
          spatialLoops++;
          fan *= end;
        }
      }
      if (spatialLoops > 0) this.snapshot(2 * l);
      let temporalLoops = 0;
      for (let i = 0; i < D; i++) {
        const dim = this.permutation[b + i];
        const end = this.temporal[b + dim];
        if (end > 1) {
          this.pushLoop(n++, dim, end, 0);
          temporalLoops++;
        }
      }
      if (temporalLoops === 0) this.pushLoop(n++, 0, 1, 0);
      this.snapshot(2 * l + 1);
      this.levelSpatialLoops[l] = spatialLoops;
      this.levelFanout[l] = fan;
      this.levelBoundary[l] = n - 1;
      utilized *= fan;
    }
    this.numLoops = n;
    this.utilizedMacs = utilized;
    let replication = 1;
    for (let l = L - 1; l >= 0; l--) {
      this.levelReplication[l] = replication;
      replication *= this.levelFanout[l];
    }
  }

  private pushLoop(n: number, dim: number, end: number, spatial: number): void {
    this.loopDim[n] = dim;
    this.loopEnd[n] = end;
    this.loopSpatial[n] = spatial;
    this.loopScale[n] = this.running[dim];
    this.running[dim] *= end;
  }

  private snapshot(slot: number): void {
    this.tileExtent.set(this.running, slot * this.numDims);
  }

  /** Extents per rank (`rankExtent`) and words per data space (`tileOf`) of the tile in `slot`. */
  private cacheExtents(slot: number): void {
    if (this.cachedSlot === slot) return;
    const D = this.numDims;
    const o = slot * D;
    const x = this.tileExtent;
    for (let s = 0; s < this.numSpaces; s++) {
      let size = 1;
      const r0 = this.rankBase[s];
      for (let r = r0; r < r0 + this.rankCount[s]; r++) {
        let extent = 1;
        const t0 = this.termBase[r];
        for (let t = t0; t < t0 + this.termCount[r]; t++) extent += this.termCoef[t] * (x[o + this.termDim[t]] - 1);
        this.rankExtent[r] = extent;
        size *= extent;
      }
      this.tileOf[s] = size;
    }
    this.cachedSlot = slot;
  }

  /**
   * Per data space, the words the level above fetches for the tile of `slot` (bounded by loop `loop`)
   * over the whole run: the first call fetches the tile, then each counter bit's move fetches nothing,
   * a slice or the tile (see `loop-analysis.ts`). Writes `streams`.
   */
  private deltaStreams(loop: number, slot: number): void {
    const S = this.numSpaces;
    const v = this.shift;
    v.fill(0);
    this.cacheExtents(slot);
    const maxLoops = this.loopEnd.length;
    this.simpleStream.fill(0);
    this.hasSlice.fill(0);
    let numBits = 0;
    for (let t = loop + 1; t < this.numLoops; t++) {
      const n = this.loopEnd[t];
      if (this.loopSpatial[t] || n < 2) continue;
      const dim = this.loopDim[t];
      const scale = this.loopScale[t];
      v[dim] += scale;
      const w = n - 1;
      for (let s = 0; s < S; s++) {
        let moving = 0;
        let movedRank = 0;
        let step = 0;
        const r0 = this.rankBase[s];
        for (let r = r0; r < r0 + this.rankCount[s]; r++) {
          let st = 0;
          const t0 = this.termBase[r];
          for (let k = t0; k < t0 + this.termCount[r]; k++) st += this.termCoef[k] * v[this.termDim[k]];
          if (st !== 0) {
            moving++;
            movedRank = r;
            step = st;
          }
        }
        const tile = this.tileOf[s];
        const j = s * maxLoops + numBits;
        let kind = OUTCOME_FULL;
        if (moving === 0) kind = OUTCOME_EMPTY;
        else if (moving === 1) {
          const ext = this.rankExtent[movedRank];
          const mag = step < 0 ? -step : step;
          if (mag < ext) {
            kind = OUTCOME_SLICE;
            this.transitionSize[j] = (tile / ext) * mag;
            this.transitionState[j] = 1 + 2 * (movedRank - r0) + (step > 0 ? 1 : 0);
            this.hasSlice[s] = 1;
          }
        }
        this.transitionKind[j] = kind;
        this.simpleStream[s] = this.simpleStream[s] * n + (kind === OUTCOME_EMPTY ? 0 : w * tile);
      }
      this.transitionWeight[numBits] = w;
      v[dim] -= 2 * scale;
      numBits++;
    }
    for (let s = 0; s < S; s++) {
      const tile = this.tileOf[s];
      this.streams[s] = tile + (this.hasSlice[s] ? this.sliceStream(s, numBits, tile) : this.simpleStream[s]);
    }
  }

  /** A data space's stream when some moves are slices (Timeloop's gradient rule). */
  private sliceStream(space: number, numBits: number, tile: number): number {
    const base = space * this.loopEnd.length;
    const numStates = 1 + 2 * this.rankCount[space];
    return gradientStream(numBits, tile, numStates, this.transitionKind, this.transitionSize, this.transitionState, base, this.transitionWeight, this.neededAfter, this.gradient);
  }

  /**
   * Multicast classes of level `level`'s fan-out for one data space: children whose offsets project to
   * the same point share deltas. Writes the number of classes of each size, by increasing size.
   */
  private multicastClasses(level: number, space: number, i: number): void {
    const D = this.numDims;
    const first = this.levelFirstLoop[level];
    const numSpatial = this.levelSpatialLoops[level];
    const fan = this.levelFanout[level];
    const o = this.multicastOffset[i];
    let multicast = 1;
    for (let k = 0; k < numSpatial; k++) {
      if (!this.relevant[space * D + this.loopDim[first + k]]) multicast *= this.loopEnd[first + k];
    }
    // Two spatial dimensions in one rank (a sliding window) can map different children to overlapping points.
    const r0 = this.rankBase[space];
    const numRanks = this.rankCount[space];
    let shared = false;
    for (let r = r0; r < r0 + numRanks && !shared; r++) {
      let count = 0;
      for (let k = 0; k < numSpatial; k++) count += this.rankDimMask[r * D + this.loopDim[first + k]];
      shared = count >= 2;
    }
    if (!shared) {
      this.multicastScatter[o] = fan / multicast;
      this.multicastCount[i] = 1;
      return;
    }
    const idx = this.childIndex;
    for (let k = 0; k < numSpatial; k++) idx[k] = 0;
    const keys = this.classKeys;
    const counts = this.classCounts;
    const v = this.shift;
    let numClasses = 0;
    for (let child = 0; child < fan; child++) {
      v.fill(0);
      for (let k = 0; k < numSpatial; k++) v[this.loopDim[first + k]] += idx[k] * this.loopScale[first + k];
      let c = 0;
      for (; c < numClasses; c++) {
        let same = true;
        for (let r = 0; r < numRanks && same; r++) same = keys[c * numRanks + r] === this.project(r0 + r);
        if (same) break;
      }
      if (c === numClasses) {
        for (let r = 0; r < numRanks; r++) keys[c * numRanks + r] = this.project(r0 + r);
        counts[c] = 0;
        numClasses++;
      }
      counts[c]++;
      for (let k = 0; k < numSpatial; k++) {
        idx[k]++;
        if (idx[k] < this.loopEnd[first + k]) break;
        idx[k] = 0;
      }
    }
    const histogram = this.classHistogram;
    histogram.fill(0, 0, fan);
    for (let c = 0; c < numClasses; c++) histogram[counts[c] - 1]++;
    let count = 0;
    for (let m = 0; m < fan; m++) {
      if (histogram[m] === 0) continue;
      this.multicastScatter[o + count] = histogram[m];
      count++;
    }
    this.multicastCount[i] = count;
  }

  /** The point of rank `r` for the problem-space vector in `shift`. */
  private project(r: number): number {
    let p = 0;
    const t0 = this.termBase[r];
    for (let t = t0; t < t0 + this.termCount[r]; t++) p += this.termCoef[t] * this.shift[this.termDim[t]];
    return p;
  }

  /** Timeloop's tiling.cpp on the per-level access counts (as `loop-analysis.ts`). */
  private collapse(): void {
    const L = this.numLevels;
    const S = this.numSpaces;
    const offsets = this.multicastOffset;
    const acc = this.multicastAccesses;
    const scatter = this.multicastScatter;
    const count = this.multicastCount;
    let cycles = 1;
    for (let t = 0; t < this.numLoops; t++) if (!this.loopSpatial[t]) cycles *= this.loopEnd[t];
    this.computeCycles = cycles;
    for (let l = 0; l < L; l++) {
      if (l > 0) {
        this.deltaStreams(this.levelBoundary[l - 1], 2 * l - 1);
        if (this.levelSpatialLoops[l] > 0) {
          this.cacheExtents(2 * l);
          for (let s = 0; s < S; s++) this.denominator[(l - 1) * S + s] = this.tileOf[s];
        } else {
          for (let s = 0; s < S; s++) this.denominator[(l - 1) * S + s] = this.tileSize[(l - 1) * S + s];
        }
      }
      this.cacheExtents(2 * l + 1);
      for (let s = 0; s < S; s++) this.tileSize[l * S + s] = this.tileOf[s];
      for (let s = 0; s < S; s++) {
        const i = l * S + s;
        const o = offsets[i];
        const stream = l === 0 ? cycles : this.streams[s];
        if (this.levelSpatialLoops[l] === 0) {
          scatter[o] = 1;
          count[i] = 1;
        } else this.multicastClasses(l, s, i);
        let content = 0;
        for (let k = 0; k < count[i]; k++) {
          acc[o + k] = scatter[o + k] * stream;
          content += acc[o + k];
        }
        this.contentAccesses[i] = content;
      }
    }
    settleTiles(L, S, this.keepMask, offsets, acc, scatter, count, this.accounts);
  }

  private stats(): number {
    const energy = levelStatistics(this.numLevels, this.numSpaces, this.readWriteSpace, this.computeCycles, this.macEnergy, this.constants, this.levelReplication, this.accounts, this.statistics);
    let cycles = this.computeCycles;
    for (let l = 0; l < this.numLevels; l++) if (this.levelCycles[l] > cycles) cycles = this.levelCycles[l];
    this.cycles = cycles;
    this.energy = energy;
    return energy * cycles;
  }
}

/** A reusable evaluator of many mappings of `problem` on `arch` (see `ArchMappingEvaluator`). */
export function createMappingEvaluator(arch: ArchSpec, problem: Problem): ArchMappingEvaluator {
  return new ArchMappingEvaluator(arch, problem);
}

/**
 * Evaluates one mapping of `problem` on any `arch` the way timeloop-model (11920be) does: cycles
 * (bandwidth-bound included), energy (pJ), area (mm²), energy-delay product and the per level, per data
 * space breakdown. A mapping Timeloop would refuse comes back as `Left` naming the level and field. For
 * many mappings of one (arch, problem), build `createMappingEvaluator` once. The Simba template's own
 * entry point with `ArchConfig`/`ConvLayer` is `evaluateMapping`.
 */
export function evaluateArchMapping(arch: ArchSpec, problem: Problem, mapping: Mapping): E.Either<VaesaError, ArchCost> {
  const wide = problem.shape.dataSpaces.find((ds) => ds.projection.length > MAX_RANKS);
  if (wide !== undefined) return E.left(invalidInput(`problem.shape.dataSpaces.${wide.name}`, wide.projection.length, `at most ${MAX_RANKS} ranks per data space`));
  const evaluator = new ArchMappingEvaluator(arch, problem);
  const refusal = evaluator.check(mapping);
  if (refusal !== undefined) return E.left(refusal);
  evaluator.evaluate(mapping);
  return E.right(evaluator.cost());
}
