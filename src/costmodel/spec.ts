/**
 * An accelerator as data: Timeloop's architecture (storage levels inner to outer, the arithmetic level)
 * with the energy per access and the area already resolved (from pat's formula, an Accelergy ERT or the
 * user's own numbers), so that evaluating a mapping needs nothing else.
 */

/** Where a level's storage lives; Timeloop treats DRAM as unbounded and prices it per block. */
export type StorageTechnology = 'SRAM' | 'DRAM';

/** One storage level with Timeloop's attributes (camelCase). */
export interface StorageLevel {
  readonly name: string;
  readonly technology: StorageTechnology;
  /** Words per instance; `undefined` for an unbounded level (DRAM). */
  readonly entries: number | undefined;
  readonly wordBits: number;
  /** Words per access (one vector access moves a block). */
  readonly blockSize: number;
  readonly clusterSize: number;
  readonly instances: number;
  /** Instances along X; instances / meshX along Y. */
  readonly meshX: number;
  /** Words per cycle per instance; `undefined` = unlimited. */
  readonly readBandwidth: number | undefined;
  readonly writeBandwidth: number | undefined;
  readonly numPorts: number;
  readonly numBanks: number;
  /** pJ of one block access of one instance, already divided by the cluster size (Timeloop's `vector_access_energy`). */
  readonly vectorAccessEnergy: number;
  /** mm² of one instance (0 when the source gives no area). */
  readonly area: number;
  /**
   * Data spaces (by role name) this level may keep; the others always bypass it. `undefined` = any.
   * A mapping's own bypass choice must stay within this set.
   */
  readonly keeps: readonly string[] | undefined;
}

/** The arithmetic (MAC) level. */
export interface ArithmeticLevel {
  readonly name: string;
  readonly instances: number;
  readonly meshX: number;
  readonly wordBits: number;
  /** pJ per multiply-accumulate. */
  readonly energyPerMac: number;
  /** mm² of one MAC unit (0 when unknown). */
  readonly area: number;
}

/** How the per-access energies were obtained. */
export type EnergyModelName = 'pat' | 'accelergy' | 'custom';

/** A whole accelerator: storage levels inner to outer (`levels[0]` sits right above the MACs). */
export interface ArchSpec {
  readonly name: string;
  readonly energyModel: EnergyModelName;
  readonly arithmetic: ArithmeticLevel;
  readonly levels: readonly StorageLevel[];
}

/** Instances along Y of a level (`instances / meshX`). */
export function meshY(level: { readonly instances: number; readonly meshX: number }): number {
  return level.instances / level.meshX;
}

/**
 * The fan-out below storage level `i` along X and Y: the instances of the level below (or the MACs
 * below level 0) per instance of level `i`, per axis (Timeloop's DeriveFanouts).
 */
export function fanout(arch: ArchSpec, i: number): { readonly x: number; readonly y: number } {
  const outer = arch.levels[i];
  const inner = i === 0 ? arch.arithmetic : arch.levels[i - 1];
  return { x: inner.meshX / outer.meshX, y: meshY(inner) / meshY(outer) };
}

/**
 * The loops one storage level owns in a mapping over any architecture and problem. Factors missing
 * from a record are 1. In the nest, a level's loops sit, inner to outer, as: its spatial fan-out (to
 * the level below), then its temporal loops.
 */
export interface LevelLoops {
  readonly temporal: Readonly<Record<string, number>>;
  /** Temporal loop order, inner to outer; dimensions not listed (unit loops) may be omitted. */
  readonly permutation: readonly string[];
  /** Fan-out from this level to the level below; all ones (or empty) where there is none. */
  readonly spatial: Readonly<Record<string, number>>;
  /** Spatial loop order, inner to outer: the first `spatialSplit` entries run along X, the rest along Y. */
  readonly spatialPermutation: readonly string[];
  /**
   * How many entries of `spatialPermutation` run along X (Timeloop's `split`), the rest along Y. When
   * given, the spatial factors must fit the fan-out per axis; when absent (CoSA's Simba mappings, which
   * put every spatial loop along X) only their product must fit the level's whole fan-out, as
   * timeloop-model checks. The axes do not change any count.
   */
  readonly spatialSplit?: number;
  /** Data spaces this level keeps (the rest bypass it); default: the level's `keeps` (all when unset). */
  readonly keep?: readonly string[];
}

/**
 * A mapping of a problem onto an `ArchSpec`: one `LevelLoops` per storage level, inner to outer. For
 * every dimension the product over levels of temporal x spatial factors is the problem's bound.
 * The Simba template's six-level mappings (`SimbaMapping`) are mappings of this type.
 */
export interface Mapping {
  readonly levels: readonly LevelLoops[];
}
