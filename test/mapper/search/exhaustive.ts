/**
 * Test utility: the exhaustive optimum of a tiny layer. Enumerates every assignment of the layer's prime
 * factors to the nine loop slots (six temporal levels, three fan-outs) and every order of the non-unit
 * temporal loops within each level, costs each valid mapping exactly and returns the best.
 * Only for layers with a handful of prime factors (the count grows as 9^primes x orders).
 */
import { buildArchTemplate } from '../../../src/costmodel/arch-template';
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
import type { Objective } from '../../../src/common/objective';
import { rankValue, type SearchEffort } from '../../../src/mapper/search/search';
import { primeFactors } from '../../../src/mapper/search/spatial';
import type { ArchConfig } from '../../../src/hardware/arch';
import { convLayer, type ConvLayer } from '../../../src/workload/layer';

/** A lighter search for tests about behaviour rather than quality (the default effort builds larger pools). */
export const TEST_EFFORT: SearchEffort = { unrollings: 12, seededUnrollings: 6, starts: 2, moves: 40, finalists: 3, poolStarts: 3, poolMoves: 60, poolOrders: 4, poolMacCounts: 3, poolProfiles: 8 };

/** Layers with three or four prime factors, including a strided one and one with a prime dim of 5. */
export const TINY_LAYERS: readonly ConvLayer[] = [
  convLayer({ R: 1, S: 1, P: 2, Q: 1, C: 2, K: 2, N: 1 }),
  convLayer({ R: 3, S: 1, P: 2, Q: 1, C: 1, K: 2, N: 1 }),
  convLayer({ R: 1, S: 1, P: 1, Q: 5, C: 2, K: 2, N: 1 }),
  convLayer({ R: 3, S: 1, P: 2, Q: 1, C: 2, K: 1, N: 1, strideW: 2 }),
  convLayer({ R: 1, S: 1, P: 2, Q: 2, C: 1, K: 2, N: 2 }),
];

function permutations(items: readonly number[]): number[][] {
  if (items.length <= 1) return [items.slice()];
  const out: number[][] = [];
  items.forEach((x, i) => {
    for (const rest of permutations([...items.slice(0, i), ...items.slice(i + 1)])) out.push([x, ...rest]);
  });
  return out;
}

export interface ExhaustiveResult {
  readonly value: number;
  readonly packed: PackedMapping;
  /** Valid mappings costed. */
  readonly count: number;
}

export function exhaustiveOptimum(arch: ArchConfig, layer: ConvLayer, objective: Objective, model: 'pat' | 'accelergy' = 'pat'): ExhaustiveResult {
  const template = buildArchTemplate(arch, { model });
  const evaluator = new MappingEvaluator(template, layer);
  const bounds = [layer.R, layer.S, layer.P, layer.Q, layer.C, layer.K, layer.N];
  const primes: { dim: number; p: number }[] = [];
  bounds.forEach((b, dim) => primeFactors(b).forEach((p) => primes.push({ dim, p })));
  const spatialLevels = template.fanouts.map((f, l) => (f > 1 ? l : -1)).filter((l) => l >= 0);
  // Slots 0..5: temporal at that level; 6..: spatial below spatialLevels[slot - 6].
  const slots = NUM_LEVELS + spatialLevels.length;
  const seen = new Set<string>();
  let best: ExhaustiveResult = { value: Infinity, packed: new Int32Array(PACKED_LENGTH), count: 0 };
  let count = 0;
  const choice = new Array<number>(primes.length).fill(0);
  const total = slots ** primes.length;
  for (let code = 0; code < total; code++) {
    let c = code;
    for (let i = 0; i < primes.length; i++) {
      choice[i] = c % slots;
      c = Math.floor(c / slots);
    }
    const temporal = Array.from({ length: NUM_LEVELS }, () => new Array<number>(NUM_DIMS).fill(1));
    const spatial = Array.from({ length: NUM_LEVELS }, () => new Array<number>(NUM_DIMS).fill(1));
    primes.forEach(({ dim, p }, i) => {
      const slot = choice[i];
      if (slot < NUM_LEVELS) temporal[slot][dim] *= p;
      else spatial[spatialLevels[slot - NUM_LEVELS]][dim] *= p;
    });
    const key = JSON.stringify([temporal, spatial]);
    if (seen.has(key)) continue;
    seen.add(key);
    const orders = temporal.map((factors) => permutations(factors.map((f, d) => (f > 1 ? d : -1)).filter((d) => d >= 0)));
    const pick = new Array<number>(NUM_LEVELS).fill(0);
    for (;;) {
      const packed = new Int32Array(PACKED_LENGTH);
      for (let l = 0; l < NUM_LEVELS; l++) {
        const base = l * PACKED_LEVEL_STRIDE;
        const order = orders[l][pick[l]];
        const rest = [0, 1, 2, 3, 4, 5, 6].filter((d) => !order.includes(d));
        [...order, ...rest].forEach((d, i) => {
          packed[base + PACKED_PERMUTATION + i] = d;
          packed[base + PACKED_SPATIAL_PERMUTATION + i] = i;
        });
        for (let d = 0; d < NUM_DIMS; d++) {
          packed[base + PACKED_TEMPORAL + d] = temporal[l][d];
          packed[base + PACKED_SPATIAL + d] = spatial[l][d];
        }
      }
      if (evaluator.check(packed) === undefined) {
        evaluator.evaluate(packed);
        count++;
        const value = rankValue(objective, evaluator.cycles, evaluator.energy);
        if (value < best.value) best = { value, packed, count: 0 };
      }
      let l = 0;
      while (l < NUM_LEVELS && ++pick[l] === orders[l].length) pick[l++] = 0;
      if (l === NUM_LEVELS) break;
    }
  }
  return { ...best, count };
}
