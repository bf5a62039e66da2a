import fc from 'fast-check';
import { createRng, type Rng } from '../../src/common/rng';
import { convLayer, layerMacs, tensorSizes, LAYER_DIMS, type ConvLayer, type Dim } from '../../src/workload/layer';
import { buildArchTemplate } from '../../src/costmodel/arch-template';
import { EvaluatorWorkspace, MappingEvaluator } from '../../src/costmodel/loop-analysis';
import { countByWalk } from './walk';
import { costFromEvaluator } from '../../src/costmodel/evaluate';
import { LEVEL_NAMES, NUM_LEVELS, makeMapping, packMapping, type Mapping } from '../../src/costmodel/mapping';
import { TENSOR_NAMES } from '../../src/costmodel/cost';
import type { ArchConfig } from '../../src/hardware/arch';

const arch: ArchConfig = { meshX: 4, macs: 512, accumulationBuffer: 64, weightBuffer: 4096, inputBuffer: 512, globalBuffer: 65536 };

function shuffle<T>(rng: Rng, xs: readonly T[]): T[] {
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

function primeFactors(n: number): number[] {
  const fs: number[] = [];
  for (let p = 2; n > 1; p++) while (n % p === 0) (fs.push(p), (n /= p));
  return fs;
}

/** A random mapping: each prime factor of each dim goes to a random temporal slot or a fan-out with room. */
function randomMapping(rng: Rng, layer: ConvLayer, fanouts: readonly number[]): Mapping {
  const temporal = LEVEL_NAMES.map(() => ({}) as Record<Dim, number>);
  const spatial = LEVEL_NAMES.map(() => ({}) as Record<Dim, number>);
  const used = fanouts.map(() => 1);
  for (const d of LAYER_DIMS) {
    for (const l of LEVEL_NAMES.keys()) {
      temporal[l][d] = 1;
      spatial[l][d] = 1;
    }
    for (const p of primeFactors(layer[d])) {
      const l = rng.int(NUM_LEVELS);
      if (rng.int(3) === 0 && used[l] * p <= fanouts[l]) {
        spatial[l][d] *= p;
        used[l] *= p;
      } else temporal[l][d] *= p;
    }
  }
  return {
    levels: LEVEL_NAMES.map((_, l) => ({
      temporal: temporal[l],
      permutation: shuffle(rng, LAYER_DIMS),
      spatial: spatial[l],
      spatialPermutation: shuffle(rng, LAYER_DIMS),
    })),
  };
}

const layerArb = fc.record({
  R: fc.integer({ min: 1, max: 4 }),
  S: fc.integer({ min: 1, max: 3 }),
  P: fc.constantFrom(1, 2, 3, 4, 6, 8),
  Q: fc.constantFrom(1, 2, 4, 6),
  C: fc.constantFrom(1, 2, 4, 6),
  K: fc.constantFrom(1, 2, 4, 8),
  N: fc.constantFrom(1, 2),
  strideW: fc.integer({ min: 1, max: 3 }),
  strideH: fc.integer({ min: 1, max: 2 }),
  dilationW: fc.integer({ min: 1, max: 2 }),
  dilationH: fc.integer({ min: 1, max: 2 }),
});

describe('MappingEvaluator (closed form) agrees with the literal walk of Timeloop\'s nest analysis', () => {
  it('on random layers (strides, dilations) and random mappings with fan-outs; results finite, cycles >= MACs / MAC units, DRAM traffic >= weights and outputs; counts independent of buffer sizes', () => {
    fc.assert(
      fc.property(layerArb, fc.integer(), fc.constantFrom<'pat' | 'accelergy'>('pat', 'accelergy'), (dims, seed, model) => {
        const layer = convLayer(dims);
        const template = buildArchTemplate(arch, { model });
        const mapping = randomMapping(createRng(seed), layer, template.fanouts);
        const packed = packMapping(mapping);
        const evaluator = new MappingEvaluator(template, layer);
        evaluator.evaluate(packed);
        const fast = costFromEvaluator(evaluator, 0);
        const walk = countByWalk(template, layer, packed);
        expect(fast.breakdown.computeCycles).toBe(walk.computeCycles);
        fast.breakdown.levels.forEach((level, l) => {
          TENSOR_NAMES.forEach((t, s) => {
            const a = level.tensors[t];
            const b = walk.levels[l][s];
            expect([l, t, a.reads, a.updates, a.fills, a.utilizedCapacity, a.utilizedInstances]).toEqual([l, t, b.reads, b.updates, b.fills, b.utilizedCapacity, b.utilizedInstances]);
          });
        });
        // Invariants of any mapping: finite results, no fewer cycles than MACs / MAC units used,
        // DRAM traffic covering every weight and output once. Not inputs: strided layers skip inputs, and
        // Timeloop's iteration-0/1 extrapolation can count fewer (74 pat and 165 accelergy reference runs
        // report fewer DRAM input reads than the input tensor holds).
        for (const x of [fast.cycles, fast.energy, fast.edp]) expect(Number.isFinite(x)).toBe(true);
        expect(fast.cycles).toBeGreaterThanOrEqual(layerMacs(layer) / arch.macs);
        const sizes = tensorSizes(layer);
        const dram = fast.breakdown.levels[NUM_LEVELS - 1].tensors;
        expect(dram.Weights.reads).toBeGreaterThanOrEqual(sizes.weights);
        expect(dram.Outputs.updates).toBeGreaterThanOrEqual(sizes.outputs);
        // Growing every buffer leaves every access count unchanged.
        const grown = new MappingEvaluator(buildArchTemplate({ ...arch, accumulationBuffer: 256, weightBuffer: 65536, inputBuffer: 4096, globalBuffer: 262144 }, { model }), layer);
        grown.evaluate(packed);
        expect([Array.from(grown.reads), Array.from(grown.updates), Array.from(grown.fills), grown.cycles]).toEqual([
          Array.from(evaluator.reads),
          Array.from(evaluator.updates),
          Array.from(evaluator.fills),
          evaluator.cycles,
        ]);
      }),
      { numRuns: 250, seed: 20221, endOnFailure: true },
    );
  });

  it('is deterministic and reusable: the same mapping evaluated twice gives the same statistics', () => {
    const layer = convLayer({ R: 3, S: 3, P: 6, Q: 6, C: 4, K: 8, N: 1 });
    const template = buildArchTemplate(arch);
    const evaluator = new MappingEvaluator(template, layer);
    const rng = createRng(7);
    const a = packMapping(randomMapping(rng, layer, template.fanouts));
    const b = packMapping(randomMapping(rng, layer, template.fanouts));
    const edpA = evaluator.evaluate(a);
    const readsA = Array.from(evaluator.reads);
    evaluator.evaluate(b);
    expect(evaluator.evaluate(a)).toBe(edpA);
    expect(Array.from(evaluator.reads)).toEqual(readsA);
  });

  it('evaluators sharing a workspace, used in turn, give what evaluators with their own give', () => {
    // Different fan-outs, so the shared workspace must grow for the larger template.
    const small = buildArchTemplate({ ...arch, meshX: 2, macs: 256 });
    const large = buildArchTemplate({ ...arch, meshX: 16, macs: 4096 });
    const layers = [convLayer({ R: 3, S: 3, P: 6, Q: 6, C: 4, K: 8, N: 1 }), convLayer({ R: 1, S: 1, P: 7, Q: 7, C: 16, K: 32, N: 1, strideW: 2, strideH: 2 })];
    const shared = new EvaluatorWorkspace();
    const pairs = [small, large].flatMap((template) =>
      layers.map((layer) => ({ template, layer, mine: new MappingEvaluator(template, layer), sharing: new MappingEvaluator(template, layer, shared) })),
    );
    const rng = createRng(11);
    for (let round = 0; round < 20; round++) {
      for (const { template, layer, mine, sharing } of pairs) {
        const packed = packMapping(randomMapping(rng, layer, template.fanouts));
        expect(sharing.check(packed)).toEqual(mine.check(packed));
        expect(sharing.evaluate(packed)).toBe(mine.evaluate(packed));
        expect(Array.from(sharing.fills)).toEqual(Array.from(mine.fills));
        expect(Array.from(sharing.tensorEnergy)).toEqual(Array.from(mine.tensorEnergy));
      }
    }
  });

  it('checks capacity against the mapping it is given, whatever was evaluated before', () => {
    const layer = convLayer({ R: 1, S: 1, P: 8, Q: 8, C: 4, K: 4, N: 1 });
    const evaluator = new MappingEvaluator(buildArchTemplate(arch), layer);
    const fits = packMapping(makeMapping({ AccumulationBuffer: { temporal: { P: 8 } }, DRAM: { temporal: { Q: 8, C: 4, K: 4 } } }));
    const overflows = packMapping(makeMapping({ AccumulationBuffer: { temporal: { P: 8, Q: 8, K: 2 } }, DRAM: { temporal: { C: 4, K: 2 } } }));
    evaluator.evaluate(fits);
    expect(evaluator.check(overflows)).toEqual({ kind: 'capacity', level: 1, used: 128, available: 64 });
    expect(evaluator.check(fits)).toBeUndefined();
    evaluator.evaluate(fits);
    expect(evaluator.check(overflows)?.kind).toBe('capacity');
  });
});
