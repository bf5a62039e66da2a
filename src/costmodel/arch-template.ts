import type { ArchConfig } from '../hardware/arch';
import { areaTable40nm, type AreaTable } from './area';
import { TENSOR_NAMES, type CostModelName, type TensorName } from './cost';
import {
  accelergyEnergyTable40nm,
  patDramEnergy,
  patMacEnergy,
  patSramEnergy,
  type AccelergyEnergyTable,
} from './energy-tables';
import { LEVEL_NAMES, type LevelName } from './mapping';
import type { ArchSpec, StorageLevel } from './spec';

/** One storage level of the template, with Timeloop's attribute names in camelCase. */
export interface StorageLevelSpec {
  readonly name: LevelName;
  /** Words per instance; `undefined` for DRAM (unbounded). */
  readonly entries: number | undefined;
  readonly instances: number;
  readonly meshX: number;
  readonly wordBits: number;
  readonly blockSize: number;
  readonly clusterSize: number;
  readonly numPorts: number;
  readonly numBanks: number;
  readonly isDram: boolean;
  /** Which tensors this level keeps (the others bypass it), from `cosa/arch/mapspace.yaml`. */
  readonly keeps: Readonly<Record<TensorName, boolean>>;
  /** Words per cycle, per direction (Timeloop splits a `bandwidth` attribute in half); undefined = unlimited. */
  readonly readBandwidth: number | undefined;
  readonly writeBandwidth: number | undefined;
  /** Energy (pJ) of one block access of one instance, already divided by the cluster size (Timeloop's `vector_access_energy`). */
  readonly vectorAccessEnergy: number;
}

/**
 * The Simba-like template for one `ArchConfig` and energy setup: storage levels inner to outer
 * (`LEVEL_NAMES` order), the MAC array, and the spatial fan-out below each level
 * (`fanouts[i]` = instances of the level below / instances of level i; the level below Registers is the MAC array).
 */
export interface ArchTemplate {
  readonly model: CostModelName;
  readonly levels: readonly StorageLevelSpec[];
  readonly macs: number;
  readonly meshX: number;
  readonly macEnergy: number;
  readonly fanouts: readonly number[];
}

export interface ArchTemplateOptions {
  readonly model?: CostModelName;
  /** Replaces Accelergy's 40nm table (setup `'accelergy'` only). */
  readonly accelergyTable?: AccelergyEnergyTable;
}

const KEEP: Readonly<Record<LevelName, Readonly<Record<TensorName, boolean>>>> = {
  Registers: { Weights: true, Inputs: false, Outputs: false },
  AccumulationBuffer: { Weights: false, Inputs: false, Outputs: true },
  WeightBuffer: { Weights: true, Inputs: false, Outputs: false },
  InputBuffer: { Weights: false, Inputs: true, Outputs: false },
  GlobalBuffer: { Weights: false, Inputs: true, Outputs: true },
  DRAM: { Weights: true, Inputs: true, Outputs: true },
};

/** The fixed attributes of `simba_dse.yaml` (v0.2, setup `'pat'`) and `simba_dse_v3.yaml` (setup `'accelergy'`). */
interface LevelAttributes {
  readonly name: LevelName;
  readonly entries: (a: ArchConfig) => number | undefined;
  readonly instances: (a: ArchConfig) => number;
  readonly meshX: (a: ArchConfig) => number;
  readonly wordBits: number;
  readonly blockSize: (model: CostModelName) => number;
  readonly clusterSize: number;
  readonly numPorts: number;
  readonly numBanks: number;
}

const LEVEL_ATTRIBUTES: readonly LevelAttributes[] = [
  { name: 'Registers', entries: () => 1, instances: (a) => a.macs, meshX: (a) => a.meshX, wordBits: 8, blockSize: () => 1, clusterSize: 64, numPorts: 2, numBanks: 8 },
  { name: 'AccumulationBuffer', entries: (a) => a.accumulationBuffer, instances: () => 128, meshX: (a) => a.meshX, wordBits: 24, blockSize: () => 1, clusterSize: 8, numPorts: 2, numBanks: 2 },
  { name: 'WeightBuffer', entries: (a) => a.weightBuffer, instances: () => 128, meshX: (a) => a.meshX, wordBits: 8, blockSize: () => 8, clusterSize: 1, numPorts: 1, numBanks: 8 },
  { name: 'InputBuffer', entries: (a) => a.inputBuffer, instances: () => 64, meshX: (a) => a.meshX, wordBits: 8, blockSize: () => 8, clusterSize: 1, numPorts: 2, numBanks: 1 },
  // The v0.2 file gives the GlobalBuffer 8-word blocks, the v0.3 file 64-word blocks.
  { name: 'GlobalBuffer', entries: (a) => a.globalBuffer, instances: () => 1, meshX: () => 1, wordBits: 8, blockSize: (m) => (m === 'pat' ? 8 : 64), clusterSize: 1, numPorts: 2, numBanks: 256 },
  { name: 'DRAM', entries: () => undefined, instances: () => 1, meshX: () => 1, wordBits: 8, blockSize: () => 64, clusterSize: 1, numPorts: 2, numBanks: 2 },
];

/**
 * What the search mapper needs to know about a template family beyond one arch: the order pool of a
 * layer is searched once on these buffer profiles and MAC counts and carried over to every arch of the
 * family (see docs/mapper.md). A family tunes them to span its design space.
 */
export interface TemplateMapperSettings {
  /** Entries per storage level, inner to outer (`undefined` = unbounded), of each profile; the first profiles are searched first. */
  readonly bufferProfiles: readonly (readonly (number | undefined)[])[];
  /** MAC counts of the pool's searches; the first ones are searched first. */
  readonly macCounts: readonly number[];
}

/**
 * The Simba template's settings: buffer profiles spanning VAESA's space and MAC counts spreading the
 * AccumulationBuffer's fan-out (macs / 128) over its range and its prime factors (2, 6, 8, 10, 32: an
 * order carries over best to a fan-out sharing its primes). A lighter effort takes the first MAC counts
 * and profiles (the last ones add the primes 3 and 5 and the smallest GlobalBuffer).
 */
export const SIMBA_MAPPER_SETTINGS: TemplateMapperSettings = {
  bufferProfiles: [
    [1, 8, 1024, 64, 4096, undefined],
    [1, 128, 16384, 1024, 4096, undefined],
    [1, 256, 65536, 4096, 16384, undefined],
    [1, 32, 4096, 256, 16384, undefined],
    [1, 128, 16384, 1024, 65536, undefined],
    [1, 256, 65536, 4096, 262144, undefined],
    [1, 256, 2048, 4096, 16384, undefined],
    [1, 32, 65536, 128, 262144, undefined],
    [1, 8, 8192, 128, 1024, undefined],
  ],
  macCounts: [256, 1024, 4096, 768, 1280],
};

/** DRAM bandwidth of the v0.2 file (words/cycle); Timeloop uses half of it for reads and half for writes. */
const PAT_DRAM_BANDWIDTH = 20;

function patVectorEnergy(entries: number | undefined, wordBits: number, blockSize: number, clusterSize: number, isDram: boolean): number {
  if (isDram) return patDramEnergy(wordBits * blockSize);
  if (entries === undefined || entries === 0) return 0;
  const width = wordBits * blockSize * clusterSize;
  const height = Math.ceil(entries / blockSize);
  return patSramEnergy(height, width) / clusterSize;
}

/**
 * Builds the template of `arch` for an energy setup (default `'pat'`, VAESA's). Throws a RangeError
 * when the arch cannot form the template (meshX must divide every PE-level instance count).
 */
export function buildArchTemplate(arch: ArchConfig, options: ArchTemplateOptions = {}): ArchTemplate {
  const model = options.model ?? 'pat';
  const table = options.accelergyTable ?? accelergyEnergyTable40nm;
  for (const [field, value] of Object.entries(arch)) {
    if (!(Number.isInteger(value) && value > 0)) throw new RangeError(`buildArchTemplate: ${field} must be a positive integer, got ${String(value)}`);
  }
  const levels = LEVEL_ATTRIBUTES.map((attr): StorageLevelSpec => {
    const entries = attr.entries(arch);
    const instances = attr.instances(arch);
    const meshX = attr.meshX(arch);
    if (instances % meshX !== 0) {
      throw new RangeError(`buildArchTemplate: ${attr.name} has ${instances} instances, not a multiple of meshX ${meshX}`);
    }
    const blockSize = attr.blockSize(model);
    const isDram = attr.name === 'DRAM';
    const vectorAccessEnergy =
      model === 'pat'
        ? patVectorEnergy(entries, attr.wordBits, blockSize, attr.clusterSize, isDram)
        : table[attr.name] / attr.clusterSize;
    const bandwidth = isDram && model === 'pat' ? PAT_DRAM_BANDWIDTH / 2 : undefined;
    return {
      name: attr.name,
      entries,
      instances,
      meshX,
      wordBits: attr.wordBits,
      blockSize,
      clusterSize: attr.clusterSize,
      numPorts: attr.numPorts,
      numBanks: attr.numBanks,
      isDram,
      keeps: KEEP[attr.name],
      readBandwidth: bandwidth,
      writeBandwidth: bandwidth,
      vectorAccessEnergy,
    };
  });
  const fanouts = levels.map((level, i) => {
    const below = i === 0 ? arch.macs : levels[i - 1].instances;
    if (below % level.instances !== 0) {
      throw new RangeError(`buildArchTemplate: ${level.name} instances ${level.instances} do not divide the ${below} below`);
    }
    return below / level.instances;
  });
  if (levels.length !== LEVEL_NAMES.length) throw new Error('buildArchTemplate: level table out of sync with LEVEL_NAMES');
  return {
    model,
    levels,
    macs: arch.macs,
    meshX: arch.meshX,
    macEnergy: model === 'pat' ? patMacEnergy(8) : table.MACC,
    fanouts,
  };
}

/**
 * The Simba-like template of `arch` as an `ArchSpec`, for the generic evaluator (`evaluateArchMapping`):
 * the same levels, keep rules, bandwidths and energies as `buildArchTemplate` for the setup (`'pat'`:
 * VAESA's v0.2 file; `'accelergy'`: the v0.3 file with `accelergyTable`, default Accelergy's 40nm table),
 * and per-instance areas that add up to `estimateArea(arch, area)`. Throws a RangeError where
 * `buildArchTemplate` does.
 */
export function simbaArch(arch: ArchConfig, setup: CostModelName = 'pat', tables: { readonly accelergy?: AccelergyEnergyTable; readonly area?: AreaTable } = {}): ArchSpec {
  const template = buildArchTemplate(arch, { model: setup, accelergyTable: tables.accelergy });
  const area = tables.area ?? areaTable40nm;
  const levels = template.levels.map(
    (level): StorageLevel => ({
      name: level.name,
      technology: level.isDram ? 'DRAM' : 'SRAM',
      entries: level.entries,
      wordBits: level.wordBits,
      blockSize: level.blockSize,
      clusterSize: level.clusterSize,
      instances: level.instances,
      meshX: level.meshX,
      readBandwidth: level.readBandwidth,
      writeBandwidth: level.writeBandwidth,
      numPorts: level.numPorts,
      numBanks: level.numBanks,
      vectorAccessEnergy: level.vectorAccessEnergy,
      // Registers are flip-flops, the other on-chip levels SRAM, DRAM off chip (as `estimateArea`).
      area: level.isDram ? 0 : ((level.entries ?? 0) * level.wordBits * (level.name === 'Registers' ? area.registerBit : area.sramBit)) / 1e6,
      keeps: TENSOR_NAMES.filter((t) => level.keeps[t]),
    }),
  );
  return {
    name: `simba_${arch.meshX}_${arch.macs}_${arch.accumulationBuffer}_${arch.weightBuffer}_${arch.inputBuffer}_${arch.globalBuffer}`,
    energyModel: setup,
    arithmetic: { name: 'MACC', instances: template.macs, meshX: template.meshX, wordBits: 8, energyPerMac: template.macEnergy, area: area.mac / 1e6 },
    levels,
  };
}
