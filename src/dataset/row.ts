import type { Design, SimbaParam } from '../hardware/space';
import type { ConvLayer } from '../workload/layer';

/**
 * One dataset row: a design of the space evaluated on a layer. `energy` in pJ, `area` in mm² (absent in
 * VAESA's files). The design is named `arch` as in VAESA's Simba files.
 */
export interface DatasetRow<P extends string = SimbaParam> {
  readonly arch: Design<P>;
  readonly layer: ConvLayer;
  readonly cycles: number;
  readonly energy: number;
  readonly area?: number;
}
