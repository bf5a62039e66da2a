import * as E from 'fp-ts/Either';
import type { VaesaError } from '../../../src/common/errors';
import { evaluateArchMapping } from '../../../src/costmodel/arch-evaluator';
import { eyerissArch, gemminiArch } from '../../../src/costmodel/families';
import { fanout, type ArchSpec, type Mapping } from '../../../src/costmodel/spec';
import { evaluateLayer } from '../../../src/mapper/evaluate-layer';
import { findMapping } from '../../../src/mapper/find-mapping';
import type { MapspaceConstraints } from '../../../src/mapper/generic/constraints';
import { findGenericMapping } from '../../../src/mapper/generic/find-mapping';
import { shareChords } from '../../../src/mapper/mip/generic-formulation';
import { findGenericMappingMip, type GenericMipMapping } from '../../../src/mapper/mip/generic-mapper';
import { undominatedPatterns } from '../../../src/mapper/mip/reuse';
import { loadMipSolver, type MipSolver } from '../../../src/mapper/mip/solver';
import { batchedMatmul, conv2d, depthwiseConv, groupedConv, matmul, type Problem } from '../../../src/workload/problem';
import { os2Arch, tinyCases, EYERISS_CONSTRAINTS, expectEyerissConstraintsHonoured } from '../generic/archs';
import { exhaustiveOptimum } from '../generic/exhaustive';

let solver: MipSolver;

beforeAll(async () => {
  const loaded = await loadMipSolver();
  if (E.isLeft(loaded)) throw new Error(`HiGHS did not load: ${loaded.left._tag}`);
  solver = loaded.right;
});

const get = <T>(e: E.Either<VaesaError, T>): T => {
  if (E.isLeft(e)) throw new Error(JSON.stringify(e.left));
  return e.right;
};

/** The MIP's answer is what Timeloop's model says of its mapping, and its spatial factors fit each axis. */
function expectValid(arch: ArchSpec, problem: Problem, found: GenericMipMapping): void {
  const cost = get(evaluateArchMapping(arch, problem, found.mapping));
  expect(cost.edp).toBe(found.cost.edp);
  found.mapping.levels.forEach((loops, l) => {
    const split = loops.spatialSplit ?? 0;
    const along = (names: readonly string[]): number => names.reduce((p, d) => p * (loops.spatial[d] ?? 1), 1);
    expect(along(loops.spatialPermutation.slice(0, split))).toBeLessThanOrEqual(fanout(arch, l).x);
    expect(along(loops.spatialPermutation.slice(split))).toBeLessThanOrEqual(fanout(arch, l).y);
  });
}

const withoutTimes = (m: GenericMipMapping): { mapping: Mapping; edp: number; objective: number } => ({ mapping: m.mapping, edp: m.cost.edp, objective: m.mipObjective });

describe('findGenericMappingMip', () => {
  it('on tiny problems of the four families: valid, never below the exhaustive optimum, median within 1%', () => {
    // The tiny cases but the two slowest to enumerate (os2's convolution and os3's GEMM).
    const cases = tinyCases().filter((_, i) => i !== 1 && i !== 2);
    const ratios = cases.map(([arch, problem, constraints]) => {
      const optimum = exhaustiveOptimum(arch, problem, constraints);
      const found = get(findGenericMappingMip(arch, problem, { mipSolver: solver, constraints, timeLimitSeconds: 60 }));
      expect(found.optimal).toBe(true);
      expectValid(arch, problem, found);
      return found.cost.edp / optimum.value;
    });
    const sorted = [...ratios].sort((a, b) => a - b);
    expect(sorted[0]).toBeGreaterThanOrEqual(1 - 1e-12);
    expect(sorted[Math.floor(sorted.length / 2)]).toBeLessThanOrEqual(1.01);
    // CoSA's objective does not see the two-level arch's bandwidth: there it is about 2x the optimum.
    expect(ratios[0]).toBeGreaterThan(1.5);
    expect(sorted[sorted.length - 1]).toBeLessThan(2.5);
  });

  it('maps real layers of every problem kind on the default Eyeriss and Gemmini validly', () => {
    const problems = [
      get(conv2d({ R: 3, S: 3, P: 14, Q: 14, C: 64, K: 64, N: 1 })),
      get(groupedConv({ G: 4, R: 3, S: 3, P: 28, Q: 28, C: 16, K: 16, N: 1, strideW: 2, strideH: 2 })),
      get(depthwiseConv({ G: 32, R: 3, S: 3, P: 28, Q: 28, N: 1 })),
      get(matmul({ M: 128, N: 768, K: 64 })),
      get(batchedMatmul({ B: 12, M: 128, N: 128, K: 64 })),
      get(batchedMatmul({ B: 12, M: 128, N: 64, K: 128 })),
    ];
    for (const arch of [get(eyerissArch()), get(gemminiArch())]) {
      for (const problem of problems) {
        // A limit long enough for a feasible mapping on a loaded machine (the answer may then be unproven).
        const found = get(findGenericMappingMip(arch, problem, { mipSolver: solver, timeLimitSeconds: 5 }));
        expectValid(arch, problem, found);
        const macs = Object.values(problem.bounds).reduce((p, x) => p * x, 1);
        expect(found.cost.cycles).toBeGreaterThanOrEqual(macs / arch.arithmetic.instances);
      }
    }
  });

  it('is deterministic on a real layer it solves to optimality, and its finishing search follows the objective', () => {
    const arch = get(gemminiArch());
    const problem = get(matmul({ M: 128, N: 768, K: 64 }));
    const options = { mipSolver: solver, timeLimitSeconds: 60 };
    const edp = get(findGenericMappingMip(arch, problem, options));
    expect(edp.optimal).toBe(true);
    expect(withoutTimes(get(findGenericMappingMip(arch, problem, options)))).toEqual(withoutTimes(edp));
    const energy = get(findGenericMappingMip(arch, problem, { ...options, objective: 'energy' }));
    expect(energy.cost.energy).toBeLessThanOrEqual(edp.cost.energy);
    const latency = get(findGenericMappingMip(arch, problem, { ...options, objective: 'latency' }));
    expect(latency.cost.cycles).toBeLessThanOrEqual(edp.cost.cycles);
  });

  it('honours constraints: spatial dimensions per axis, fixed factors and orders, forced keeps and bypasses', () => {
    const arch = get(eyerissArch());
    const problem = get(conv2d({ R: 3, S: 3, P: 14, Q: 14, C: 32, K: 64, N: 1 }));
    const found = get(findGenericMappingMip(arch, problem, { mipSolver: solver, constraints: EYERISS_CONSTRAINTS }));
    expectValid(arch, problem, found);
    expectEyerissConstraintsHonoured(found.mapping);
  });

  it('counts a sliding window exactly when its filter bound is prime: a 16-word window fits 16 entries', () => {
    // Inputs' width rank is R + P: with R = 3 and P = 14 inside, 16 words (the product bound would say 42).
    const problem = get(conv2d({ R: 3, S: 1, P: 14, Q: 1, C: 1, K: 1, N: 1 }));
    const constraints: MapspaceConstraints = { levels: { RegisterFile: { keep: ['Inputs'], bypass: ['Weights', 'Outputs'], temporalFactors: { R: 3, P: 14 } } } };
    const fits = get(findGenericMappingMip(os2Arch(2, 2, 16), problem, { mipSolver: solver, constraints }));
    expect(fits.cost.breakdown.levels[0].dataSpaces.Inputs.utilizedCapacity).toBe(16);
    const cramped = findGenericMappingMip(os2Arch(2, 2, 15), problem, { mipSolver: solver, constraints });
    expect(E.isLeft(cramped) && cramped.left._tag).toBe('Infeasible');
  });

  it('returns Infeasible when nothing fits and InvalidInput for bad input, never a throw', () => {
    const problem = get(matmul({ M: 4, N: 4, K: 4 }));
    const tiny = os2Arch(2, 2, 1);
    const cramped = findGenericMappingMip(tiny, problem, { mipSolver: solver, constraints: { levels: { RegisterFile: { keep: ['Weights', 'Outputs'] } } } });
    expect(E.isLeft(cramped) && cramped.left._tag).toBe('Infeasible');
    // Bypassing what does not fit is allowed when the mapspace leaves it open.
    expect(E.isRight(findGenericMappingMip(tiny, problem, { mipSolver: solver }))).toBe(true);
    expect(findGenericMappingMip(tiny, problem, { mipSolver: solver, timeLimitSeconds: 0 })).toMatchObject({ left: { _tag: 'InvalidInput', path: 'timeLimitSeconds' } });
    expect(findGenericMappingMip(tiny, problem, { mipSolver: solver, objective: 'area' as 'edp' })).toMatchObject({ left: { _tag: 'InvalidInput', path: 'objective' } });
    expect(findGenericMappingMip(tiny, problem, { mipSolver: solver, constraints: { levels: { L3: {} } } })).toMatchObject({ left: { _tag: 'InvalidInput', path: 'constraints.levels.L3' } });
    expect(findGenericMappingMip(tiny, { ...problem, bounds: { ...problem.bounds, M: 0 } }, { mipSolver: solver })).toMatchObject({ left: { _tag: 'InvalidInput', path: 'problem.bounds.M' } });
    expect(findMapping(tiny, problem, { mapper: 'mip' })).toMatchObject({ left: { _tag: 'InvalidInput', path: 'mipSolver' } });
  });

  it("is findMapping's and evaluateLayer's mapper 'mip' on an ArchSpec", () => {
    const arch = get(gemminiArch());
    const problem = get(conv2d({ R: 3, S: 3, P: 14, Q: 14, C: 64, K: 64, N: 1 }));
    const direct = get(findGenericMappingMip(arch, problem, { mipSolver: solver, timeLimitSeconds: 60 }));
    expect(direct.optimal).toBe(true);
    expect(get(findMapping(arch, problem, { mapper: 'mip', mipSolver: solver, timeLimitSeconds: 60 })).mapping).toEqual(direct.mapping);
    const layer = get(evaluateLayer(arch, problem, { mapper: 'mip', mipSolver: solver, timeLimitSeconds: 60 }));
    expect(layer.edp).toBe(direct.cost.edp);
    expect(get(findMapping(arch, problem, { mapper: 'search' })).cost.edp).toBe(get(findGenericMapping(arch, problem)).cost.edp);
  });
});

describe('the generic formulation pieces', () => {
  it("share chords lie above 2^sigma at every sigma the share takes, and meet it at the breakpoints", () => {
    for (const entries of [1, 3, 64, 1000, 262144]) {
      const lines = shareChords(entries);
      const bound = (x: number): number => Math.max(...lines.map((l) => l.slope * x + l.intercept));
      let lowest = Infinity;
      let highest = 0;
      for (let x = 0; x >= -Math.log2(entries); x -= 0.01) {
        lowest = Math.min(lowest, bound(x) - 2 ** x);
        highest = Math.max(highest, bound(x) / 2 ** x);
      }
      expect(lowest).toBeGreaterThanOrEqual(-1e-12);
      // Between breakpoints the chords give away at most 1.6% of the share.
      expect(highest).toBeLessThanOrEqual(1.016);
      for (let x = 0; x > -Math.log2(entries); x -= 0.5) expect(bound(x)).toBeCloseTo(2 ** x, 12);
    }
  });

  it('reuse patterns of GEMM: three undominated ones, one per operand kept stationary', () => {
    // M N K; Weights = (K, N), Inputs = (M, K), Outputs = (M, N).
    const relevant = [
      [false, true, true],
      [true, false, true],
      [true, true, false],
    ];
    const patterns = undominatedPatterns(relevant, 3);
    const reusedNames = patterns.map((p) => p.reused.map((row) => row.flatMap((r, d) => (r ? ['MNK'[d]] : [])).join('')).join('/')).sort();
    expect(reusedNames).toEqual(['M//', '/N/', '//K'].sort());
    // A prefix fixes the innermost loops: with N innermost, Inputs are reused over N in every pattern.
    expect(undominatedPatterns(relevant, 3, [1]).every((p) => p.reused[1][1])).toBe(true);
  });
});
