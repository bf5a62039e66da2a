import { createRng } from '../../src/common/rng';
import type { DatasetRow } from '../../src/dataset/row';
import { sampleArch, simbaSpace } from '../../src/hardware/space';
import { convLayer, layerMacs } from '../../src/workload/layer';

export const syntheticLayers = [
  convLayer({ R: 3, S: 3, P: 14, Q: 14, C: 64, K: 128, N: 1 }),
  convLayer({ R: 1, S: 1, P: 28, Q: 28, C: 256, K: 64, N: 1 }),
  convLayer({ R: 1, S: 1, P: 1, Q: 1, C: 2048, K: 1000, N: 1 }),
];

/**
 * Rows whose costs are smooth functions of the design in log space (a small cost model stand-in):
 * cycles fall with MACs, energy rises with buffer sizes.
 */
export function syntheticRows(count: number, seed: number): DatasetRow[] {
  const rng = createRng(seed);
  return Array.from({ length: count }, (_, i) => {
    const arch = sampleArch(simbaSpace, rng);
    const layer = syntheticLayers[i % syntheticLayers.length];
    const macs = layerMacs(layer);
    return {
      arch,
      layer,
      cycles: Math.ceil(macs / arch.macs) * (1 + 64 / arch.inputBuffer),
      energy: macs * (1 + Math.log2(arch.weightBuffer) / 8 + Math.log2(arch.globalBuffer) / 16),
    };
  });
}
