import type { ArchConfig } from '../hardware/arch';
import type { ConvLayer } from '../workload/layer';

/** One dataset row: a design evaluated on a layer. `energy` in pJ, `area` in mm² (absent in VAESA's files). */
export interface DatasetRow {
  readonly arch: ArchConfig;
  readonly layer: ConvLayer;
  readonly cycles: number;
  readonly energy: number;
  readonly area?: number;
}
