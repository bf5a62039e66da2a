import { simbaDefaultArch, type ArchConfig } from '../../src/hardware/arch';
import { convLayer, layerMacs, tensorSizes } from '../../src/workload/layer';
import { evaluateMapping } from '../../src/costmodel/evaluate';
import { EvaluatorWorkspace } from '../../src/costmodel/loop-analysis';
import { makeMapping, type Mapping } from '../../src/costmodel/mapping';
import { TENSOR_NAMES, type MappingCost } from '../../src/costmodel/cost';
import { LEVEL_NAMES } from '../../src/costmodel/mapping';
import { loadFixtureRuns, loadReferenceRuns, referenceRunsAvailable } from './reference-runs';

const arch: ArchConfig = simbaDefaultArch;

function counts(cost: MappingCost, level: string, tensor: 'Weights' | 'Inputs' | 'Outputs'): [number, number, number] {
  const t = cost.breakdown.levels.find((l) => l.level === level)!.tensors[tensor];
  return [t.reads, t.updates, t.fills];
}

describe('evaluateMapping: hand-computed access counts', () => {
  // 1-D convolution R=3, P=4: inputs w = p + r. All loops at DRAM, R inside P; every buffer holds one point.
  const layer = convLayer({ R: 3, S: 1, P: 4, Q: 1, C: 1, K: 1, N: 1 });
  const mapping = makeMapping({ DRAM: { temporal: { R: 3, P: 4 }, permutation: 'RPSQCKN' } });
  const cost = evaluateMapping(arch, layer, mapping);

  it('counts one cycle per MAC and Timeloop-style sliding-window input fetches', () => {
    expect(cost.cycles).toBe(12);
    // Each MAC needs a new weight: 12 reads from Registers, 12 fills from the WeightBuffer.
    expect(counts(cost, 'Registers', 'Weights')).toEqual([12, 0, 12]);
    expect(counts(cost, 'WeightBuffer', 'Weights')).toEqual([12, 0, 12]);
    expect(counts(cost, 'DRAM', 'Weights')).toEqual([12, 0, 0]);
    // Timeloop runs iterations 0 and 1 of each loop and extrapolates: the first tile (1), r: 0->1 (x2),
    // then for p = 1..3 (x3) the step (r=1,p=0)->(r=0,p=1) lands on the same input w=1 (0) and r: 0->1 (x2): 9.
    expect(counts(cost, 'InputBuffer', 'Inputs')).toEqual([12, 0, 9]);
    expect(counts(cost, 'GlobalBuffer', 'Inputs')).toEqual([9, 0, 9]);
    expect(counts(cost, 'DRAM', 'Inputs')).toEqual([9, 0, 0]);
  });

  it('counts partial sums: first write is an update, later ones read-modify-write', () => {
    // 4 outputs, each updated 3 times by the MACs: 12 updates, 12 - 4 = 8 reads; 4 fills from above.
    expect(counts(cost, 'AccumulationBuffer', 'Outputs')).toEqual([8, 12, 4]);
    expect(counts(cost, 'GlobalBuffer', 'Outputs')).toEqual([0, 4, 4]);
    expect(counts(cost, 'DRAM', 'Outputs')).toEqual([0, 4, 0]);
  });

  it('prices pat energies: ceil(accesses / block) x vector energy, 100 pJ per DRAM word in 64-word blocks', () => {
    const dram = cost.breakdown.levels[5];
    // (12 + 9 + 4) words, each tensor rounded up to one 64-word block of 6400 pJ.
    expect(dram.tensors.Weights.energy).toBeCloseTo(6400, 9);
    expect(dram.tensors.Inputs.energy).toBeCloseTo(6400, 9);
    expect(dram.tensors.Outputs.energy).toBeCloseTo(6400, 9);
    expect(cost.breakdown.macEnergy).toBeCloseTo(12 * 0.25, 12);
    expect(cost.edp).toBeCloseTo(cost.energy * cost.cycles, 6);
  });

  it('multicasts an input to the children of a fan-out that need the same data', () => {
    const small = convLayer({ R: 1, S: 1, P: 1, Q: 1, C: 1, K: 2, N: 1 });
    const spatial = evaluateMapping(arch, small, makeMapping({ GlobalBuffer: { spatial: { K: 2 } } }));
    expect(spatial.cycles).toBe(1);
    // One input word read once from the GlobalBuffer and multicast to both InputBuffers.
    expect(counts(spatial, 'GlobalBuffer', 'Inputs')).toEqual([1, 0, 1]);
    expect(counts(spatial, 'InputBuffer', 'Inputs')).toEqual([1, 0, 1]);
    expect(spatial.breakdown.levels[3].tensors.Inputs.utilizedInstances).toBe(2);
    // Two distinct outputs, one from each child.
    expect(counts(spatial, 'GlobalBuffer', 'Outputs')).toEqual([0, 2, 2]);
    expect(counts(spatial, 'AccumulationBuffer', 'Outputs')).toEqual([0, 1, 1]);
  });
});

describe('evaluateMapping: bad input', () => {
  const layer = convLayer({ R: 3, S: 3, P: 4, Q: 4, C: 8, K: 8, N: 1 });
  it('names the dim whose factors do not multiply to the layer', () => {
    expect(() => evaluateMapping(arch, layer, makeMapping({ DRAM: { temporal: { R: 3, S: 3, P: 4, Q: 4, C: 8, K: 4 } } }))).toThrow(/product of the K factors is 4, the layer's K is 8/);
  });
  it('rejects a fan-out larger than the hardware', () => {
    const m = makeMapping({ DRAM: { temporal: { R: 3, S: 3, P: 4, Q: 4 } }, GlobalBuffer: { spatial: { C: 8, K: 8, N: 1 } } });
    expect(() => evaluateMapping({ ...arch }, layer, m)).not.toThrow();
    const big = convLayer({ R: 1, S: 1, P: 1, Q: 1, C: 16, K: 8, N: 1 });
    expect(() => evaluateMapping(arch, big, makeMapping({ GlobalBuffer: { spatial: { C: 16, K: 8 } } }))).toThrow(/fan-out of 128, the hardware has 64/);
  });
  it('rejects tiles that overflow a buffer', () => {
    const tiny: ArchConfig = { ...arch, accumulationBuffer: 2 };
    const m = makeMapping({ AccumulationBuffer: { temporal: { P: 4, Q: 4 } }, DRAM: { temporal: { R: 3, S: 3, C: 8, K: 8 } } });
    expect(() => evaluateMapping(tiny, layer, m)).toThrow(/AccumulationBuffer tiles need 16 entries, the buffer has 2/);
  });
  it('rejects an arch that cannot form the template', () => {
    expect(() => evaluateMapping({ ...arch, meshX: 3 }, layer, makeMapping({}))).toThrow(RangeError);
  });
});

describe('evaluateMapping replays Timeloop 11920be (the fixture of runs kept in test/, always run)', () => {
  for (const setup of ['pat', 'accelergy'] as const) {
    it(`${setup}: every run's cycles and per-level counts equal, energy within 2%`, () => {
      const runs = loadFixtureRuns(setup);
      expect(runs).toHaveLength(20);
      const workspace = new EvaluatorWorkspace();
      for (const run of runs) {
        const cost = evaluateMapping(run.arch, run.layer, run.mapping, { model: setup, workspace });
        expect({ id: run.id, cycles: cost.cycles }).toEqual({ id: run.id, cycles: run.cycles });
        expect(Math.abs(cost.energy / run.energy - 1)).toBeLessThan(0.02);
        cost.breakdown.levels.forEach((level, l) => {
          for (const t of TENSOR_NAMES) {
            const ref = run.levels[LEVEL_NAMES[l]][t];
            const mine = level.tensors[t];
            expect({ id: run.id, level: LEVEL_NAMES[l], t, counts: [mine.reads, mine.updates, mine.fills, mine.utilizedCapacity, mine.utilizedInstances] }).toEqual({
              id: run.id,
              level: LEVEL_NAMES[l],
              t,
              counts: [ref.reads, ref.updates, ref.fills, ref.utilized_capacity, ref.utilized_instances],
            });
          }
        });
      }
    });
  }
});

const runsPresent = referenceRunsAvailable('pat') && referenceRunsAvailable('accelergy');
(runsPresent ? describe : describe.skip)('evaluateMapping replays Timeloop 11920be (sample of the reference runs)', () => {
  for (const setup of ['pat', 'accelergy'] as const) {
    it(`${setup}: cycles and per-level counts equal, energy within 0.5% median / 2% p95`, () => {
      const runs = loadReferenceRuns(setup, 15);
      expect(runs.length).toBeGreaterThan(150);
      let cyclesEqual = 0;
      let countsEqual = 0;
      const errors: number[] = [];
      // One workspace across every arch and layer of the sample, as a loop over many mappings uses it.
      const workspace = new EvaluatorWorkspace();
      for (const run of runs) {
        const cost = evaluateMapping(run.arch, run.layer, run.mapping, { model: setup, workspace });
        if (cost.cycles === run.cycles) cyclesEqual++;
        errors.push(Math.abs(cost.energy / run.energy - 1));
        const equal = cost.breakdown.levels.every((level, l) =>
          TENSOR_NAMES.every((t) => {
            const ref = run.levels[LEVEL_NAMES[l]][t];
            const mine = level.tensors[t];
            return ref.reads === mine.reads && ref.updates === mine.updates && ref.fills === mine.fills && ref.utilized_capacity === mine.utilizedCapacity && ref.utilized_instances === mine.utilizedInstances;
          }),
        );
        if (equal) countsEqual++;
      }
      errors.sort((a, b) => a - b);
      expect(cyclesEqual / runs.length).toBeGreaterThanOrEqual(0.99);
      expect(countsEqual).toBe(runs.length);
      expect(errors[Math.floor(errors.length / 2)]).toBeLessThan(0.005);
      expect(errors[Math.floor(errors.length * 0.95)]).toBeLessThan(0.02);
    });
  }
});

describe('evaluateMapping: invariants', () => {
  const layer = convLayer({ R: 3, S: 3, P: 8, Q: 8, C: 16, K: 32, N: 1, strideW: 2, strideH: 2 });
  const mapping: Mapping = makeMapping({
    AccumulationBuffer: { temporal: { P: 2, R: 3 }, spatial: { K: 8 }, permutation: 'PRSQCKN' },
    WeightBuffer: { temporal: { S: 3 }, permutation: 'SRPQCKN' },
    InputBuffer: { temporal: { Q: 4 }, spatial: { C: 2 }, permutation: 'QRSPCKN' },
    GlobalBuffer: { temporal: { P: 2 }, spatial: { K: 4, C: 8 }, permutation: 'PRSQCKN' },
    DRAM: { temporal: { P: 2, Q: 2 }, permutation: 'QPRSCKN' },
  });
  const base = evaluateMapping(arch, layer, mapping);

  it('never needs fewer cycles than MACs / MAC units, and is finite', () => {
    expect(base.cycles).toBeGreaterThanOrEqual(layerMacs(layer) / arch.macs);
    for (const v of [base.cycles, base.energy, base.edp, base.area]) expect(Number.isFinite(v)).toBe(true);
  });

  it('moves every weight and output through DRAM at least once', () => {
    const sizes = tensorSizes(layer);
    const dram = base.breakdown.levels[5].tensors;
    expect(dram.Weights.reads).toBeGreaterThanOrEqual(sizes.weights);
    expect(dram.Outputs.updates).toBeGreaterThanOrEqual(sizes.outputs);
  });

  it('leaves access counts unchanged when a buffer grows', () => {
    for (const grow of [{ accumulationBuffer: 256 }, { weightBuffer: 65536 }, { inputBuffer: 4096 }, { globalBuffer: 262144 }]) {
      const bigger = evaluateMapping({ ...arch, ...grow }, layer, mapping);
      bigger.breakdown.levels.forEach((level, l) => {
        for (const t of TENSOR_NAMES) {
          const a = level.tensors[t];
          const b = base.breakdown.levels[l].tensors[t];
          expect([a.reads, a.updates, a.fills]).toEqual([b.reads, b.updates, b.fills]);
        }
      });
      expect(bigger.cycles).toBe(base.cycles);
    }
  });
});
