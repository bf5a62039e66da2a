import type { Design, SimbaParam } from '../hardware/space';
import type { ConvLayer } from '../workload/layer';
import type { Layer } from '../workload/lower';

/**
 * One dataset row: a design of the space evaluated on a layer: a `ConvLayer` (VAESA's files, generated
 * datasets), or with `L = Layer` any `Problem` (training and prediction take both). `energy` in pJ, `area` in mm² (absent in
 * VAESA's files). The design is named `arch` as in VAESA's Simba files.
 */
export interface DatasetRow<P extends string = SimbaParam, L extends Layer = ConvLayer> {
  readonly arch: Design<P>;
  readonly layer: L;
  readonly cycles: number;
  readonly energy: number;
  readonly area?: number;
}
