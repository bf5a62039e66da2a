import type { ArchConfig } from '../hardware/arch';
import type { ConvLayer } from '../workload/layer';

/** The metrics any evaluator reports for one (design, layer) pair: cycles, energy in pJ, area in mm². */
export interface CostMetrics {
  readonly cycles: number;
  readonly energy: number;
  readonly area?: number;
}

/**
 * Anything that scores a design on a layer: the built-in cost model by default, or a user's own
 * simulator (a Timeloop run, RTL numbers). Synchronous or asynchronous.
 */
export type Evaluator = (arch: ArchConfig, layer: ConvLayer) => CostMetrics | Promise<CostMetrics>;
