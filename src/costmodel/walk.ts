/** The literal walk of Timeloop's nest analysis turned into costs: the oracle for the fast path. */
import { layerMacs, type ConvLayer } from '../workload/layer';
import type { ArchTemplate } from './arch-template';
import { TENSOR_NAMES, type LevelBreakdown, type MappingCost, type TensorAccess, type TensorName } from './cost';
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
} from './mapping';
import { NestAnalysis, NUM_SPACES, type NestLoop, type NestSpec } from './nest-analysis';
import { collapseTiles } from './tiling';

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

/**
 * The same statistics as `evaluateMapping`, computed by literally walking the nest as Timeloop does
 * (`NestAnalysis`). Exponentially slower; kept as the oracle the fast closed form is tested against.
 * The mapping must be structurally valid; capacity and instance limits are not checked.
 */
export function evaluateByWalk(template: ArchTemplate, layer: ConvLayer, packed: PackedMapping, area = 0): MappingCost {
  if (packed.length !== PACKED_LENGTH) throw new RangeError(`evaluateMapping: packed mapping must have ${PACKED_LENGTH} values`);
  const nest = buildNest(template, packed);
  const analysis = new NestAnalysis(nest, layer).run();
  const keeps = template.levels.map((lv) => TENSOR_NAMES.map((t) => lv.keeps[t]));
  const tiles = collapseTiles(analysis.tiles, NUM_LEVELS, keeps);
  const computeCycles = analysis.computeCycles;

  let energy = 0;
  let cycles = computeCycles;
  const levels: LevelBreakdown[] = [];
  for (let l = 0; l < NUM_LEVELS; l++) {
    const spec = template.levels[l];
    const tensors: Partial<Record<TensorName, TensorAccess>> = {};
    let levelEnergy = 0;
    let readBandwidth = 0;
    let writeBandwidth = 0;
    for (let s = 0; s < NUM_SPACES; s++) {
      const tile = tiles[s][l];
      const readWrite = s === 2;
      const reads = readWrite ? tile.contentAccesses - tile.partitionSize : tile.contentAccesses;
      const updates = readWrite ? tile.contentAccesses : 0;
      const fills = tile.fills;
      const instances = tile.replicationFactor;
      const clusters = Math.min(instances, Math.floor(spec.instances / spec.clusterSize));
      const accesses = reads + updates + fills;
      const vectors = Math.ceil(accesses / spec.blockSize);
      const perInstance = instances > 0 ? (vectors * spec.vectorAccessEnergy) / (instances / clusters) : 0;
      const tensorEnergy = perInstance * instances;
      levelEnergy += tensorEnergy;
      readBandwidth += reads / computeCycles;
      writeBandwidth += (updates + fills) / computeCycles;
      tensors[TENSOR_NAMES[s]] = {
        keep: spec.keeps[TENSOR_NAMES[s]],
        utilizedCapacity: tile.size,
        utilizedInstances: instances,
        utilizedClusters: clusters,
        reads,
        updates,
        fills,
        energyPerAccess: accesses > 0 ? perInstance / accesses : 0,
        energy: tensorEnergy,
      };
    }
    // Timeloop's bandwidth slowdown, computed in the same floating-point steps.
    let slowdown = 1.0;
    if (spec.readBandwidth !== undefined && spec.readBandwidth < readBandwidth) slowdown = Math.min(slowdown, spec.readBandwidth / readBandwidth);
    if (spec.writeBandwidth !== undefined && spec.writeBandwidth < writeBandwidth) slowdown = Math.min(slowdown, spec.writeBandwidth / writeBandwidth);
    cycles = Math.max(cycles, Math.ceil(computeCycles / slowdown));
    energy += levelEnergy;
    levels.push({ level: spec.name, tensors: tensors as Record<TensorName, TensorAccess>, energy: levelEnergy });
  }
  const macs = layerMacs(layer);
  const macEnergy = macs * template.macEnergy;
  energy += macEnergy;
  let utilizedMacs = 1;
  for (let l = 0; l < NUM_LEVELS; l++) {
    for (let d = 0; d < NUM_DIMS; d++) utilizedMacs *= packed[l * PACKED_LEVEL_STRIDE + PACKED_SPATIAL + d];
  }
  return {
    cycles,
    energy,
    area,
    edp: energy * cycles,
    breakdown: { levels, macEnergy, macs, utilizedMacs, computeCycles },
  };
}

