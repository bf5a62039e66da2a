/**
 * Timeloop's `tiling.cpp` (11920be), reimplemented: collapses the per-loop tiles of the nest analysis into
 * one tile per storage level, then derives partition sizes and fills, and folds the accesses of levels that
 * bypass a tensor into the next level that keeps it.
 */
import { NUM_SPACES, type LoopTile } from './nest-analysis';

/** One storage level's tile of one data space. */
export interface StorageTile {
  size: number;
  partitionSize: number;
  /** `accesses[m]`: words served with multicast factor m + 1. */
  accesses: Float64Array;
  scatterFactors: Float64Array;
  contentAccesses: number;
  fills: number;
  replicationFactor: number;
  fanout: number;
  partitionFractionDenominator: number;
}

/**
 * Per data space, per storage level (inner to outer), the collapsed tiles.
 * `keeps[level][space]` says whether the level keeps the data space.
 */
export function collapseTiles(
  tiles: readonly LoopTile[],
  numStorageLevels: number,
  keeps: readonly (readonly boolean[])[],
): StorageTile[][] {
  const result: StorageTile[][] = [];
  for (let space = 0; space < NUM_SPACES; space++) {
    const solution: StorageTile[] = [];
    let processed = 0;
    while (processed < tiles.length) {
      let boundary = processed;
      while (!tiles[boundary].isStorageBoundary && boundary < tiles.length - 1) boundary++;
      const inner = tiles[processed];
      const outer = tiles[boundary];
      const f = inner.fanout;
      const accesses = inner.accesses.slice(space * f, (space + 1) * f);
      let content = 0;
      for (let m = 0; m < f; m++) content += accesses[m];
      if (solution.length > 0) {
        const prev = solution[solution.length - 1];
        prev.partitionFractionDenominator = inner.isMasterSpatial ? inner.size[space] : prev.size;
      }
      solution.push({
        size: outer.size[space],
        partitionSize: 0,
        accesses,
        scatterFactors: inner.scatterFactors.slice(space * f, (space + 1) * f),
        contentAccesses: content,
        fills: 0,
        replicationFactor: outer.replicationFactor,
        fanout: f,
        partitionFractionDenominator: 1,
      });
      processed = boundary + 1;
    }
    if (solution.length !== numStorageLevels) {
      throw new Error(`collapseTiles: ${solution.length} tiling levels for ${numStorageLevels} storage levels`);
    }
    computePartitionSizes(solution);
    computeFills(solution);
    maskTiles(solution, keeps.map((k) => k[space]));
    result.push(solution);
  }
  return result;
}

function nextNonEmpty(tiles: readonly StorageTile[], cur: number): number {
  let outer = cur + 1;
  while (outer < tiles.length && tiles[outer].size === 0) outer++;
  return outer;
}

function computePartitionSizes(tiles: StorageTile[]): void {
  const top = tiles.length - 1;
  let partition = tiles[top].size;
  tiles[top].partitionSize = partition;
  for (let cur = top - 1; cur >= 0; cur--) {
    partition = Math.floor((partition * tiles[cur].size) / tiles[cur].partitionFractionDenominator);
    tiles[cur].partitionSize = partition;
  }
}

function computeFills(tiles: StorageTile[]): void {
  for (let cur = 0; cur < tiles.length; cur++) {
    if (tiles[cur].size === 0) continue;
    tiles[cur].fills = 0;
    const outer = nextNonEmpty(tiles, cur);
    if (outer === tiles.length) continue;
    const o = tiles[outer];
    for (let m = 0; m < o.fanout; m++) {
      if (o.accesses[m] !== 0) tiles[cur].fills += Math.floor(o.accesses[m] / o.scatterFactors[m]);
    }
  }
}

function maskTiles(tiles: StorageTile[], keep: readonly boolean[]): void {
  for (let cur = 0; cur < tiles.length; cur++) {
    const t = tiles[cur];
    if (t.size === 0 || keep[cur]) continue;
    if (cur === tiles.length - 1) {
      t.size = 0;
      t.partitionSize = 0;
      t.contentAccesses = 0;
      t.fills = 0;
      t.accesses.fill(0);
      continue;
    }
    const outerIndex = nextNonEmpty(tiles, cur);
    if (outerIndex === tiles.length) continue;
    const o = tiles[outerIndex];
    o.contentAccesses = 0;
    for (let m = 0; m < o.fanout; m++) {
      if (o.accesses[m] !== 0) {
        const moved = t.contentAccesses * o.scatterFactors[m];
        o.contentAccesses += moved;
        o.accesses[m] = moved;
      }
    }
    t.size = 0;
    t.partitionSize = 0;
    t.contentAccesses = 0;
    t.fills = 0;
  }
}
