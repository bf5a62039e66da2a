import { createRng, type Rng } from '../../../src/common/rng';
import { buildArchTemplate, type ArchTemplate } from '../../../src/costmodel/arch-template';
import { MappingEvaluator } from '../../../src/costmodel/loop-analysis';
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
} from '../../../src/costmodel/mapping';
import { MappingEstimator, templateShape } from '../../../src/mapper/search/estimate';
import { primeFactors } from '../../../src/mapper/search/spatial';
import type { ArchConfig } from '../../../src/hardware/arch';
import { convLayer, type ConvLayer } from '../../../src/workload/layer';

function randomArch(rng: Rng): ArchConfig {
  return {
    meshX: 2 ** rng.int(4),
    macs: 128 * 2 ** rng.int(4),
    accumulationBuffer: 2 ** (2 + rng.int(6)),
    weightBuffer: 2 ** (3 + rng.int(8)),
    inputBuffer: 2 ** (3 + rng.int(8)),
    globalBuffer: 2 ** (6 + rng.int(10)),
  };
}

/** A random mapping of `layer` on `template`: every prime factor to a random temporal level or fan-out, random loop orders. */
function randomMapping(layer: ConvLayer, template: ArchTemplate, rng: Rng): PackedMapping {
  const packed = new Int32Array(PACKED_LENGTH);
  for (let l = 0; l < NUM_LEVELS; l++) {
    const base = l * PACKED_LEVEL_STRIDE;
    const order = [0, 1, 2, 3, 4, 5, 6];
    for (let i = order.length - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      [order[i], order[j]] = [order[j], order[i]];
    }
    for (let d = 0; d < NUM_DIMS; d++) {
      packed[base + PACKED_TEMPORAL + d] = 1;
      packed[base + PACKED_SPATIAL + d] = 1;
      packed[base + PACKED_SPATIAL_PERMUTATION + d] = d;
      packed[base + PACKED_PERMUTATION + d] = order[d];
    }
  }
  const fanoutLevels = template.fanouts.flatMap((f, l) => (f > 1 ? [l] : []));
  [layer.R, layer.S, layer.P, layer.Q, layer.C, layer.K, layer.N].forEach((bound, d) => {
    for (const p of primeFactors(bound)) {
      const slot = rng.int(NUM_LEVELS + fanoutLevels.length);
      if (slot < NUM_LEVELS) packed[slot * PACKED_LEVEL_STRIDE + PACKED_TEMPORAL + d] *= p;
      else packed[fanoutLevels[slot - NUM_LEVELS] * PACKED_LEVEL_STRIDE + PACKED_SPATIAL + d] *= p;
    }
  });
  return packed;
}

/** The estimate of a packed mapping: its temporal loops as the order `estimateOrder` takes (one loop per dim and level). */
function estimate(layer: ConvLayer, template: ArchTemplate, packed: PackedMapping): { cycles: number; energy: number } {
  const dims: number[] = [];
  const factors: number[] = [];
  const cuts = new Int32Array(NUM_LEVELS);
  const spatial = new Int32Array(NUM_LEVELS * NUM_DIMS);
  for (let l = 0; l < NUM_LEVELS; l++) {
    const base = l * PACKED_LEVEL_STRIDE;
    for (let j = 0; j < NUM_DIMS; j++) {
      const d = packed[base + PACKED_PERMUTATION + j];
      const f = packed[base + PACKED_TEMPORAL + d];
      if (f > 1) {
        dims.push(d);
        factors.push(f);
      }
    }
    cuts[l] = dims.length;
    for (let d = 0; d < NUM_DIMS; d++) spatial[l * NUM_DIMS + d] = packed[base + PACKED_SPATIAL + d];
  }
  const estimator = new MappingEstimator(layer, templateShape(template));
  estimator.estimateOrder(spatial, Int32Array.from(dims), Int32Array.from(factors), cuts);
  const macs = layer.R * layer.S * layer.P * layer.Q * layer.C * layer.K * layer.N;
  let energy = macs * template.macEnergy;
  for (let l = 0; l < NUM_LEVELS; l++) energy += estimator.vectorAccesses[l] * template.levels[l].vectorAccessEnergy;
  return { cycles: estimator.cycles, energy };
}

/** Estimate vs Timeloop's model (`MappingEvaluator`) on `count` random valid mappings over random archs. */
function compare(layer: ConvLayer, seed: number, count: number): { cyclesExact: number; energyErrors: number[] } {
  const rng = createRng(seed);
  let cyclesExact = 0;
  const energyErrors: number[] = [];
  while (energyErrors.length < count) {
    const template = buildArchTemplate(randomArch(rng), { model: 'pat' });
    const packed = randomMapping(layer, template, rng);
    const exact = new MappingEvaluator(template, layer);
    if (exact.check(packed) !== undefined) continue;
    exact.evaluate(packed);
    const approx = estimate(layer, template, packed);
    if (approx.cycles === exact.cycles) cyclesExact++;
    energyErrors.push(Math.abs(approx.energy / exact.energy - 1));
  }
  return { cyclesExact, energyErrors };
}

describe('MappingEstimator', () => {
  it("equals Timeloop's cycles and energy on 1x1 layers (no sliding windows), for any valid mapping", () => {
    for (const [seed, layer] of [
      [1, convLayer({ R: 1, S: 1, P: 4, Q: 2, C: 6, K: 8, N: 2 })],
      [2, convLayer({ R: 1, S: 1, P: 7, Q: 7, C: 16, K: 12, N: 1 })],
    ] as const) {
      const { cyclesExact, energyErrors } = compare(layer, seed, 200);
      expect(cyclesExact).toBe(200);
      expect(Math.max(...energyErrors)).toBeLessThan(1e-12);
    }
  });

  it('is exact on most mappings of sliding-window layers and close on the rest (the halo rule is approximate)', () => {
    for (const [seed, layer] of [
      [3, convLayer({ R: 3, S: 3, P: 4, Q: 4, C: 4, K: 8, N: 1 })],
      [4, convLayer({ R: 3, S: 1, P: 4, Q: 2, C: 4, K: 4, N: 1, strideW: 2 })],
    ] as const) {
      const { cyclesExact, energyErrors } = compare(layer, seed, 200);
      expect(cyclesExact).toBeGreaterThanOrEqual(198);
      expect(energyErrors.filter((e) => e < 1e-12).length).toBeGreaterThan(140);
      expect(Math.max(...energyErrors)).toBeLessThan(0.1);
    }
  });
});
