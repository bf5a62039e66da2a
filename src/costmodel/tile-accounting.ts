/**
 * The steps of Timeloop's model (11920be) that both loop analyses share once the per-level delta
 * streams and multicast classes are known: the gradient dynamic program for sliding slices, tiling.cpp's
 * partitions, fills and bypass hand-over, and buffer.cpp's per-level statistics, energy and bandwidth
 * slowdown. Arrays are indexed `level * numSpaces + space`; nothing here allocates.
 */

const OUTCOME_FULL = 1;
/** A step of the loop counter moves a tile along one rank by less than its extent: only the new part is fetched. */
export const OUTCOME_SLICE = 2;

/** Scratch of `gradientStream`: four arrays of at least 1 + 2 x (ranks of the largest data space) entries. */
export interface GradientScratch {
  readonly sum: Float64Array;
  readonly out: Int32Array;
  readonly nextSum: Float64Array;
  readonly nextOut: Int32Array;
}

export function gradientScratch(states: number): GradientScratch {
  return { sum: new Float64Array(states), out: new Int32Array(states), nextSum: new Float64Array(states), nextOut: new Int32Array(states) };
}

/**
 * A data space's stream when some counter moves are slices: a dynamic program over the counter bits on
 * Timeloop's gradient states (0 = none, 1 + 2 x rank + (moving up ? 1 : 0)), restricted to the states
 * later bits can use. Bit b's outcome is `kinds[base + b]` (empty, full or slice; a slice's size and
 * state in `sizes`/`states`), its weight (iterations it stands for) `weights[b]`.
 */
export function gradientStream(
  numBits: number,
  tile: number,
  numStates: number,
  kinds: Uint8Array,
  sizes: Float64Array,
  states: Uint8Array,
  base: number,
  weights: Float64Array,
  neededAfter: Int32Array,
  scratch: GradientScratch,
): number {
  let needed = 1; // bit mask of states; state 0 is always needed
  for (let b = numBits - 1; b >= 0; b--) {
    neededAfter[b] = needed;
    if (kinds[base + b] === OUTCOME_SLICE) needed |= 1 << states[base + b];
  }
  let sum = scratch.sum;
  let out = scratch.out;
  let nextSum = scratch.nextSum;
  let nextOut = scratch.nextOut;
  for (let g = 0; g < numStates; g++) {
    sum[g] = 0;
    out[g] = g;
  }
  for (let b = 0; b < numBits; b++) {
    const weight = weights[b];
    const mask = neededAfter[b];
    const kind = kinds[base + b];
    if (kind === OUTCOME_SLICE) {
      const sliceState = states[base + b];
      const sliceSize = sizes[base + b];
      for (let g = 0; g < numStates; g++) {
        if (((mask >> g) & 1) === 0) continue;
        const g1 = out[g];
        // A slice continuing the last move (or after no move) is fetched as a slice; a turn refetches the tile.
        const g2 = g1 === 0 || g1 === sliceState ? sliceState : 0;
        const d = g2 === 0 ? tile : sliceSize;
        nextSum[g] = sum[g] + weight * (d + sum[g2]);
        nextOut[g] = out[g2];
      }
    } else {
      const d = kind === OUTCOME_FULL ? tile : 0;
      const after = weight * (d + sum[0]);
      const out0 = out[0];
      for (let g = 0; g < numStates; g++) {
        if (((mask >> g) & 1) === 0) continue;
        nextSum[g] = sum[g] + after;
        nextOut[g] = out0;
      }
    }
    const ts = sum;
    sum = nextSum;
    nextSum = ts;
    const to = out;
    out = nextOut;
    nextOut = to;
  }
  return sum[0];
}

/** Per level and data space accounts of one evaluation (index `level * numSpaces + space`). */
export interface TileAccounts {
  /** Tile words per instance (zeroed where the level bypasses the data space). */
  readonly tileSize: Float64Array;
  /** The level below's share of the fan-out's tile (the divisor of the partition). */
  readonly denominator: Float64Array;
  readonly partitionSize: Float64Array;
  /** Words served to the level below (all multicast classes). */
  readonly contentAccesses: Float64Array;
  readonly tileFills: Float64Array;
}

/**
 * tiling.cpp after the streams: partition sizes top-down, fills from the level above's accesses per
 * multicast class (`acc`/`scatter`, `count[i]` classes from `offsets[i]`), and a bypassing level handing
 * its accesses (times the next level's scatter factors) to the next level up.
 */
export function settleTiles(
  numLevels: number,
  numSpaces: number,
  keepMask: Uint8Array,
  offsets: Int32Array,
  acc: Float64Array,
  scatter: Float64Array,
  count: Int32Array,
  t: TileAccounts,
): void {
  const { tileSize, denominator, partitionSize, contentAccesses, tileFills } = t;
  for (let s = 0; s < numSpaces; s++) {
    const top = (numLevels - 1) * numSpaces + s;
    let partition = tileSize[top];
    partitionSize[top] = partition;
    for (let l = numLevels - 2; l >= 0; l--) {
      const i = l * numSpaces + s;
      partition = Math.floor((partition * tileSize[i]) / denominator[i]);
      partitionSize[i] = partition;
    }
    // Fills come from the next level up (every tile is non-empty before masking).
    for (let l = 0; l < numLevels; l++) {
      const i = l * numSpaces + s;
      let fills = 0;
      if (l < numLevels - 1) {
        const outer = i + numSpaces;
        const o = offsets[outer];
        for (let k = 0; k < count[outer]; k++) if (acc[o + k] !== 0) fills += Math.floor(acc[o + k] / scatter[o + k]);
      }
      tileFills[i] = fills;
    }
    for (let l = 0; l < numLevels - 1; l++) {
      const i = l * numSpaces + s;
      if (keepMask[i]) continue;
      const outer = i + numSpaces;
      const o = offsets[outer];
      let content = 0;
      for (let k = 0; k < count[outer]; k++) {
        if (acc[o + k] !== 0) {
          acc[o + k] = contentAccesses[i] * scatter[o + k];
          content += acc[o + k];
        }
      }
      contentAccesses[outer] = content;
      tileSize[i] = 0;
      partitionSize[i] = 0;
      contentAccesses[i] = 0;
      tileFills[i] = 0;
    }
  }
}

/** Per level constants of an arch. Unlimited bandwidth is Infinity. */
export interface LevelConstants {
  /** Clusters per level: floor(instances / cluster size). */
  readonly clusters: Float64Array;
  readonly blockSize: Float64Array;
  /** pJ per block access, already divided by the cluster size. */
  readonly vectorEnergy: Float64Array;
  readonly readBandwidth: Float64Array;
  readonly writeBandwidth: Float64Array;
}

/** Where `levelStatistics` writes Timeloop's per-instance statistics (index `level * numSpaces + space`). */
export interface AccessStatistics {
  readonly reads: Float64Array;
  readonly updates: Float64Array;
  readonly fills: Float64Array;
  readonly utilizedCapacity: Float64Array;
  readonly utilizedInstances: Float64Array;
  readonly utilizedClusters: Float64Array;
  /** pJ of all instances. */
  readonly energy: Float64Array;
  /** Per level: compute cycles stretched by the level's bandwidth. */
  readonly levelCycles: Float64Array;
}

/**
 * buffer.cpp's statistics from settled tiles: reads (the read-write space's first write of each partial
 * sum is no read), updates, fills, utilized instances (`replication[l]`) and clusters, energy
 * `ceil(accesses / block) x vector energy / (instances / clusters)` per instance, and each level's cycles
 * under Timeloop's bandwidth slowdown, in the same floating-point steps. Returns the total energy (pJ)
 * including `macEnergy`.
 */
export function levelStatistics(
  numLevels: number,
  numSpaces: number,
  readWriteSpace: number,
  computeCycles: number,
  macEnergy: number,
  constants: LevelConstants,
  replication: Float64Array,
  t: TileAccounts,
  out: AccessStatistics,
): number {
  const cc = computeCycles;
  const { contentAccesses, partitionSize, tileFills, tileSize } = t;
  const { reads: outReads, updates: outUpdates, fills: outFills, utilizedCapacity, utilizedInstances, utilizedClusters, energy: outEnergy } = out;
  let energy = macEnergy;
  for (let l = 0; l < numLevels; l++) {
    const clustersAvailable = constants.clusters[l];
    const blockSize = constants.blockSize[l];
    const vectorEnergy = constants.vectorEnergy[l];
    const instances = replication[l];
    const clusters = Math.min(instances, clustersAvailable);
    let readBandwidth = 0;
    let writeBandwidth = 0;
    for (let s = 0; s < numSpaces; s++) {
      const i = l * numSpaces + s;
      const content = contentAccesses[i];
      const readWrite = s === readWriteSpace;
      const reads = readWrite ? content - partitionSize[i] : content;
      const updates = readWrite ? content : 0;
      const fills = tileFills[i];
      const vectors = Math.ceil((reads + updates + fills) / blockSize);
      const e = ((vectors * vectorEnergy) / (instances / clusters)) * instances;
      outReads[i] = reads;
      outUpdates[i] = updates;
      outFills[i] = fills;
      utilizedCapacity[i] = tileSize[i];
      utilizedInstances[i] = instances;
      utilizedClusters[i] = clusters;
      outEnergy[i] = e;
      energy += e;
      readBandwidth += reads / cc;
      writeBandwidth += (updates + fills) / cc;
    }
    let slowdown = 1.0;
    const readLimit = constants.readBandwidth[l];
    const writeLimit = constants.writeBandwidth[l];
    if (readLimit < readBandwidth) slowdown = Math.min(slowdown, readLimit / readBandwidth);
    if (writeLimit < writeBandwidth) slowdown = Math.min(slowdown, writeLimit / writeBandwidth);
    out.levelCycles[l] = slowdown < 1 ? Math.ceil(cc / slowdown) : cc;
  }
  return energy;
}
