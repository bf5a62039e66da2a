/** The literal walk of Timeloop's nest analysis turned into access counts: the oracle for the fast path. */
import type { ConvLayer } from '../../src/workload/layer';
import type { ArchTemplate } from '../../src/costmodel/arch-template';
import { TENSOR_NAMES } from '../../src/costmodel/cost';
import {
  NUM_DIMS,
  NUM_LEVELS,
  PACKED_LENGTH,
  PACKED_LEVEL_STRIDE,
  PACKED_PERMUTATION,
  PACKED_SPATIAL,
  PACKED_SPATIAL_PERMUTATION,
  PACKED_TEMPORAL,
  type PackedMapping,
} from '../../src/costmodel/mapping';
import { NestAnalysis, NUM_SPACES, type NestLoop, type NestSpec } from '../../src/costmodel/nest-analysis';
import { collapseTiles } from '../../src/costmodel/tiling';

/** Loop dimension used by Timeloop for the placeholder loop of a level without loops (N). */
const PLACEHOLDER_DIM = 6;

/**
 * Builds Timeloop's loop nest for a packed mapping: per level, inner to outer, the non-unit spatial loops of
 * its fan-out (if the level has one), then its non-unit temporal loops (or one unit loop if it has none).
 * Throws a RangeError if a level without a fan-out has spatial factors.
 */
export function buildNest(template: ArchTemplate, packed: PackedMapping): NestSpec {
  const loops: NestLoop[] = [];
  const storageBoundaries: number[] = [];
  for (let l = 0; l < NUM_LEVELS; l++) {
    const base = l * PACKED_LEVEL_STRIDE;
    for (let i = 0; i < NUM_DIMS; i++) {
      const dim = packed[base + PACKED_SPATIAL_PERMUTATION + i];
      const end = packed[base + PACKED_SPATIAL + dim];
      if (end > 1) {
        if (template.fanouts[l] <= 1) {
          throw new RangeError(`mapping: ${template.levels[l].name} has no spatial fan-out but spatial factor ${end}`);
        }
        loops.push({ dim, end, spatial: true });
      }
    }
    let temporal = 0;
    for (let i = 0; i < NUM_DIMS; i++) {
      const dim = packed[base + PACKED_PERMUTATION + i];
      const end = packed[base + PACKED_TEMPORAL + dim];
      if (end > 1) {
        loops.push({ dim, end, spatial: false });
        temporal++;
      }
    }
    if (temporal === 0) loops.push({ dim: PLACEHOLDER_DIM, end: 1, spatial: false });
    storageBoundaries.push(loops.length - 1);
  }
  return { loops, storageBoundaries };
}

/** Per level (inner to outer) and tensor (Weights, Inputs, Outputs): Timeloop's per-instance counts. */
export interface WalkCounts {
  readonly computeCycles: number;
  readonly levels: readonly (readonly {
    readonly reads: number;
    readonly updates: number;
    readonly fills: number;
    readonly utilizedCapacity: number;
    readonly utilizedInstances: number;
  }[])[];
}

/**
 * The access counts `evaluateMapping` reports, computed by literally walking the nest as Timeloop does
 * (`NestAnalysis`) and collapsing it with `collapseTiles`. Exponentially slower; kept as the independent
 * oracle the closed form is tested against. The mapping must be structurally valid.
 */
export function countByWalk(template: ArchTemplate, layer: ConvLayer, packed: PackedMapping): WalkCounts {
  if (packed.length !== PACKED_LENGTH) throw new RangeError(`countByWalk: packed mapping must have ${PACKED_LENGTH} values`);
  const analysis = new NestAnalysis(buildNest(template, packed), layer).run();
  const keeps = template.levels.map((lv) => TENSOR_NAMES.map((t) => lv.keeps[t]));
  const tiles = collapseTiles(analysis.tiles, NUM_LEVELS, keeps);
  const levels = template.levels.map((_, l) =>
    TENSOR_NAMES.map((_t, s) => {
      const tile = tiles[s][l];
      const readWrite = s === NUM_SPACES - 1;
      return {
        reads: readWrite ? tile.contentAccesses - tile.partitionSize : tile.contentAccesses,
        updates: readWrite ? tile.contentAccesses : 0,
        fills: tile.fills,
        utilizedCapacity: tile.size,
        utilizedInstances: tile.replicationFactor,
      };
    }),
  );
  return { computeCycles: analysis.computeCycles, levels };
}
