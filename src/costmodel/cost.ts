import type { LevelName } from './mapping';

/** The two energy setups of the reference (names fixed: checks select them by these strings). */
export type CostModelName = 'pat' | 'accelergy';

/** Data kinds, Timeloop's names, in Timeloop's order. */
export const TENSOR_NAMES = ['Weights', 'Inputs', 'Outputs'] as const;
export type TensorName = (typeof TENSOR_NAMES)[number];

/** Per level and tensor access statistics, per instance as Timeloop reports them. */
export interface TensorAccess {
  /** Whether this level keeps the tensor (otherwise all counts are 0). */
  readonly keep: boolean;
  /** Words of the tile held by one instance. */
  readonly utilizedCapacity: number;
  readonly utilizedInstances: number;
  readonly utilizedClusters: number;
  /** Reads per instance (for outputs: reads of partial sums, to the child and to the parent). */
  readonly reads: number;
  /** Updates (writes of partial sums from below) per instance. */
  readonly updates: number;
  /** Fills (writes from the level above) per instance. */
  readonly fills: number;
  /** Energy of one word access (pJ), as Timeloop reports `energy_per_access`. */
  readonly energyPerAccess: number;
  /** Energy of all instances for this tensor at this level (pJ). */
  readonly energy: number;
}

export interface LevelBreakdown {
  readonly level: LevelName;
  readonly tensors: Readonly<Record<TensorName, TensorAccess>>;
  /** Sum of the tensors' energies (pJ). */
  readonly energy: number;
}

export interface CostBreakdown {
  /** Inner to outer, `LEVEL_NAMES` order. */
  readonly levels: readonly LevelBreakdown[];
  readonly macEnergy: number;
  readonly macs: number;
  readonly utilizedMacs: number;
  /** Cycles from the loop bounds alone, before any bandwidth limit. */
  readonly computeCycles: number;
}

/** What `evaluateMapping` returns. */
export interface MappingCost {
  readonly cycles: number;
  /** pJ */
  readonly energy: number;
  /** mm² */
  readonly area: number;
  /** energy (pJ) x cycles */
  readonly edp: number;
  readonly breakdown: CostBreakdown;
}
