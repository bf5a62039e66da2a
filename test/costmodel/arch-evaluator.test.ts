import * as E from 'fp-ts/Either';
import { createMappingEvaluator, evaluateArchMapping } from '../../src/costmodel/arch-evaluator';
import { mappingFromTimeloop } from '../../src/costmodel/map-file';
import type { ArchSpec } from '../../src/costmodel/spec';
import { parseTimeloopArch } from '../../src/costmodel/timeloop-arch';
import { matmul, type Problem } from '../../src/workload/problem';

const leftOf = <A>(e: E.Either<unknown, A>): unknown => (E.isLeft(e) ? e.left : undefined);
function right<A>(e: E.Either<unknown, A>): A {
  if (E.isLeft(e)) throw new Error(JSON.stringify(e.left));
  return e.right;
}

// 4 MACs in a 2 x 2 mesh, each under a 4-word register file that keeps outputs; a DRAM keeps everything.
const arch: ArchSpec = right(
  parseTimeloopArch(
    `arch:
  arithmetic: {name: MACC, instances: 4, meshX: 2, word-bits: 16}
  storage:
  - {name: RF, entries: 4, instances: 4, meshX: 2, word-bits: 16}
  - {name: DRAM, technology: DRAM, instances: 1, word-bits: 16, block-size: 1, read_bandwidth: 1}
`,
    { energyModel: 'pat' },
  ),
);
const gemm: Problem = right(matmul({ M: 4, N: 2, K: 3 }));

const map = (text: string) => right(mappingFromTimeloop(text, arch, gemm));
const mapText = `mapping:
- {target: RF, type: temporal, factors: M=1 N=1 K=3, permutation: KMN}
- {target: DRAM, type: spatial, factors: M=2 N=2 K=1, permutation: MNK, split: 1}
- {target: DRAM, type: temporal, factors: M=2 N=1 K=1, permutation: MNK}
- {target: RF, type: bypass, keep: [Outputs], bypass: [Weights, Inputs]}
`;

describe('evaluateArchMapping: a hand-computed GEMM on a 2 x 2 output-stationary array', () => {
  const cost = right(evaluateArchMapping(arch, gemm, map(mapText)));
  const stats = (level: number, space: string) => {
    const s = cost.breakdown.levels[level].dataSpaces[space];
    return [s.reads, s.updates, s.fills];
  };

  it('counts the output-stationary accesses', () => {
    // Each PE accumulates one output over K = 3 MACs, twice (M's outer loop): 6 updates, 4 reads of partial
    // sums; Timeloop also counts a fill for each of the 2 output tiles a PE starts (never read from DRAM).
    expect(stats(0, 'Outputs')).toEqual([4, 6, 2]);
    expect(stats(0, 'Weights')).toEqual([0, 0, 0]);
    // DRAM: every weight (K x N = 6) is read once per M iteration and multicast to the 2 PEs of one column (M spatial): 12;
    // inputs (M x K = 12) once, shared by the 2 PEs of a row (N spatial); outputs written back once each (8), never read.
    expect(stats(1, 'Weights')).toEqual([12, 0, 0]);
    expect(stats(1, 'Inputs')).toEqual([12, 0, 0]);
    expect(stats(1, 'Outputs')).toEqual([0, 8, 0]);
    expect(cost.breakdown.utilizedMacs).toBe(4);
    expect(cost.breakdown.computeCycles).toBe(6);
  });

  it('stretches cycles by the DRAM read bandwidth and prices accesses with pat', () => {
    // 24 DRAM reads at 1 word per cycle.
    expect(cost.cycles).toBe(24);
    expect(cost.breakdown.levels[1].cycles).toBe(24);
    // 24 MACs at 1 pJ (16 bit); DRAM 200 pJ per 16-bit word over 24 reads + 8 updates.
    const rf = cost.breakdown.levels[0].energy;
    expect(cost.energy).toBeCloseTo(24 + 200 * 32 + rf, 9);
    expect(cost.edp).toBe(cost.energy * cost.cycles);
  });

  it('gives the same numbers from a reused evaluator', () => {
    const ev = createMappingEvaluator(arch, gemm);
    const m = map(mapText);
    expect(ev.check(m)).toBeUndefined();
    for (let i = 0; i < 3; i++) expect(ev.evaluate(m)).toBe(cost.energy * cost.cycles);
    expect(ev.cost()).toEqual(cost);
  });

  it('refuses what Timeloop refuses, naming the level and field', () => {
    expect(leftOf(evaluateArchMapping(arch, gemm, map(mapText.replace('factors: M=2 N=1 K=1', 'factors: M=1 N=1 K=1'))))).toMatchObject({ path: 'mapping.factors.M', value: 2 });
    // Four PEs along X where the mesh has two.
    expect(leftOf(evaluateArchMapping(arch, gemm, map(mapText.replace('split: 1', 'split: 3'))))).toMatchObject({ path: 'mapping.levels[1].spatial (DRAM, X)', value: 4 });
    expect(leftOf(evaluateArchMapping(arch, gemm, map(mapText.replace('factors: M=1 N=1 K=3', 'factors: M=2 N=1 K=3').replace('factors: M=2 N=1 K=1', 'factors: M=1 N=1 K=1'))))).toBeUndefined();
    // Keeping all three tiles (3 weights + 3 inputs + 1 output) overflows the 4-entry register file.
    expect(leftOf(evaluateArchMapping(arch, gemm, map(mapText.replace('keep: [Outputs], bypass: [Weights, Inputs]', 'keep: [Outputs, Weights, Inputs]'))))).toMatchObject({
      path: 'mapping.levels[0] (RF) tile',
      value: 7,
    });
    const restricted: ArchSpec = { ...arch, levels: [{ ...arch.levels[0], keeps: ['Outputs'] }, arch.levels[1]] };
    const keepsInputs = right(mappingFromTimeloop(mapText.replace('keep: [Outputs], bypass: [Weights, Inputs]', 'keep: [Outputs, Inputs]'), restricted, gemm));
    expect(leftOf(evaluateArchMapping(restricted, gemm, keepsInputs))).toMatchObject({ path: 'mapping.levels[0].keep (RF)', value: 'Inputs' });
  });

  it('refuses a data space of more than 15 ranks (the gradient states are a 32-bit mask)', () => {
    const dims = 'ABCDEFGHIJKLMNOP'.split('');
    const wide: Problem = {
      kind: 'custom',
      shape: { name: 'Wide', dimensions: dims, coefficients: {}, dataSpaces: [{ name: 'Outputs', projection: dims.map((dim) => [{ dim }]), readWrite: true }] },
      bounds: Object.fromEntries(dims.map((d) => [d, 1])),
      coefficients: {},
      weightsAreActivations: false,
    };
    expect(leftOf(evaluateArchMapping(arch, wide, { levels: [] }))).toMatchObject({ path: 'problem.shape.dataSpaces.Outputs', value: 16 });
  });

  it('reads map files strictly', () => {
    expect(leftOf(mappingFromTimeloop(mapText.replace('target: RF, type: temporal', 'target: L9, type: temporal'), arch, gemm))).toMatchObject({ path: 'mapping[0].target', value: 'L9' });
    expect(leftOf(mappingFromTimeloop(mapText.replace('factors: M=1 N=1 K=3', 'factors: M=1 X=1 K=3'), arch, gemm))).toMatchObject({ path: 'mapping[0].factors', value: 'X' });
    expect(leftOf(mappingFromTimeloop(mapText.replace('bypass: [Weights, Inputs]', 'bypass: [Weights, Psums]'), arch, gemm))).toMatchObject({ path: 'mapping[3].bypass', value: 'Psums' });
    expect(leftOf(mappingFromTimeloop(mapText.replace('type: bypass', 'type: skip'), arch, gemm))).toMatchObject({ path: 'mapping[3].type', value: 'skip' });
  });
});
