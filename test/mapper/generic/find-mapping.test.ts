import * as E from 'fp-ts/Either';
import type { ArchSpec, Mapping } from '../../../src/costmodel/spec';
import { fanout } from '../../../src/costmodel/spec';
import { eyerissArch, gemminiArch } from '../../../src/costmodel/families';
import { createGenericCache, findGenericMapping, type GenericFoundMapping } from '../../../src/mapper/generic/find-mapping';
import { conv2d, dataSpaceSizes, depthwiseConv, matmul, rankExtent, type Problem } from '../../../src/workload/problem';
import { resolveConstraints } from '../../../src/mapper/generic/constraints';
import { nestShape } from '../../../src/mapper/generic/nest';
import { spatialUnrollings } from '../../../src/mapper/generic/search';
import { exhaustiveOptimum } from './exhaustive';
import { os2Arch, os3Arch, tinyCases, EYERISS_CONSTRAINTS, expectEyerissConstraintsHonoured } from './archs';

const get = <T>(e: E.Either<unknown, T>): T => {
  if (E.isLeft(e)) throw new Error(JSON.stringify(e.left));
  return e.right;
};

/** Checks a mapping against the arch: factors multiply to the bounds, fan-outs fit per axis, kept tiles fit. */
function expectValid(arch: ArchSpec, problem: Problem, mapping: Mapping): void {
  const dims = problem.shape.dimensions;
  for (const d of dims) {
    const product = mapping.levels.reduce((p, l) => p * (l.temporal[d] ?? 1) * (l.spatial[d] ?? 1), 1);
    expect(product).toBe(problem.bounds[d]);
  }
  const extents: Record<string, number> = Object.fromEntries(dims.map((d) => [d, 1]));
  mapping.levels.forEach((loops, i) => {
    const split = loops.spatialSplit ?? loops.spatialPermutation.length;
    const along = (names: readonly string[]): number => names.reduce((p, d) => p * (loops.spatial[d] ?? 1), 1);
    const f = fanout(arch, i);
    expect(along(loops.spatialPermutation.slice(0, split))).toBeLessThanOrEqual(f.x);
    expect(along(loops.spatialPermutation.slice(split))).toBeLessThanOrEqual(f.y);
    for (const d of dims) extents[d] *= (loops.temporal[d] ?? 1) * (loops.spatial[d] ?? 1);
    const level = arch.levels[i];
    const kept = loops.keep ?? [];
    if (level.keeps !== undefined) for (const s of kept) expect(level.keeps).toContain(s);
    const words = problem.shape.dataSpaces
      .filter((ds) => kept.includes(ds.name))
      .reduce((sum, ds) => sum + ds.projection.reduce((p, rank) => p * rankExtent(rank, (d) => extents[d], problem.coefficients), 1), 0);
    if (level.entries !== undefined) expect(words).toBeLessThanOrEqual(level.entries);
  });
  expect(mapping.levels[mapping.levels.length - 1].keep).toEqual(problem.shape.dataSpaces.map((ds) => ds.name));
}

describe('findGenericMapping', () => {
  it('is within 1% of the exhaustive optimum on every tiny problem of the four families, never below it', () => {
    const cases = tinyCases();
    const gaps = cases.map(([arch, problem, constraints]) => {
      const optimum = exhaustiveOptimum(arch, problem, constraints);
      expect(optimum.count).toBeGreaterThan(500);
      const found = get(findGenericMapping(arch, problem, { constraints }));
      expectValid(arch, problem, found.mapping);
      return found.cost.edp / optimum.value - 1;
    });
    const sorted = [...gaps].sort((a, b) => a - b);
    expect(sorted[0]).toBeGreaterThanOrEqual(-1e-12);
    expect(sorted[Math.floor(sorted.length / 2)]).toBeLessThanOrEqual(0.01);
    expect(sorted[sorted.length - 1]).toBeLessThanOrEqual(0.01);
  });

  it('keeps the best unrolling of each assignment of dimensions to axes, not only the best-utilized ones', () => {
    // A 16 x 12 mesh: a 1x1 convolution has no factor 3, so 128 PEs is the most it can use; the 7s of P
    // and Q reach 112. Ranked by utilization alone, the 32 kept were all 128-PE variants.
    const arch = get(eyerissArch({ meshX: 16, meshY: 12 }));
    const problem = get(conv2d({ R: 1, S: 1, P: 14, Q: 14, C: 512, K: 1024, N: 1 }));
    const shape = nestShape(arch, problem);
    const unrollings = spatialUnrollings(shape, get(resolveConstraints(arch, problem, undefined)), new Float64Array(shape.numLevels * shape.numDims).fill(1), 32);
    expect(unrollings).toHaveLength(32);
    expect(unrollings[0].utilization).toBe(128);
    const signatures = unrollings.map((u) => Array.from(u.spatialX, (x, i) => (x > 1 ? 'x' : u.spatialY[i] > 1 ? 'y' : '-')).join(''));
    expect(new Set(signatures).size).toBe(32);
    const sevens = unrollings.filter((u) => [...u.spatialX, ...u.spatialY].some((f) => f % 7 === 0));
    expect(sevens.length).toBeGreaterThan(0);
    expect(sevens.every((u) => u.utilization === 112)).toBe(true);
    for (const u of unrollings) {
      shape.dims.forEach((_, d) => {
        let product = u.remaining[d];
        for (let l = 0; l < shape.numLevels; l++) product *= u.spatialX[l * shape.numDims + d] * u.spatialY[l * shape.numDims + d];
        expect(product).toBe(shape.bounds[d]);
      });
    }
  });

  it('maps layers of real size on the default Eyeriss and Gemmini validly, deterministically for a seed', () => {
    const eyeriss = get(eyerissArch());
    const gemmini = get(gemminiArch());
    const problems = [get(conv2d({ R: 3, S: 3, P: 14, Q: 14, C: 64, K: 128, N: 1 })), get(matmul({ M: 128, N: 768, K: 64 })), get(depthwiseConv({ G: 32, R: 3, S: 3, P: 28, Q: 28, N: 1 }))];
    for (const arch of [eyeriss, gemmini]) {
      for (const problem of problems) {
        const a = get(findGenericMapping(arch, problem, { effort: 'fast', seed: 3 }));
        const b = get(findGenericMapping(arch, problem, { effort: 'fast', seed: 3, cache: createGenericCache() }));
        expectValid(arch, problem, a.mapping);
        expect(b).toEqual(a);
        expect(a.cost.cycles).toBeGreaterThanOrEqual(Object.values(problem.bounds).reduce((p, x) => p * x, 1) / arch.arithmetic.instances);
        expect(a.cost.edp).toBeCloseTo(a.cost.cycles * a.cost.energy, 0);
      }
    }
  });

  it('optimises the objective it is given: within 1% of the exhaustive optimum of each', () => {
    const arch = os3Arch(2, 2, 4, 32);
    const problem = get(matmul({ M: 4, N: 2, K: 2 }));
    const objectives = [['edp', 0, (c: GenericFoundMapping['cost']) => c.edp], ['latency', 1, (c: GenericFoundMapping['cost']) => c.cycles], ['energy', 2, (c: GenericFoundMapping['cost']) => c.energy]] as const;
    for (const [name, index, metric] of objectives) {
      const optimum = exhaustiveOptimum(arch, problem, undefined, index);
      const found = get(findGenericMapping(arch, problem, { objective: name })).cost;
      const best = index === 0 ? optimum.cycles * optimum.energy : index === 1 ? optimum.cycles : optimum.energy;
      expect(metric(found)).toBeGreaterThanOrEqual(best * (1 - 1e-12));
      expect(metric(found)).toBeLessThanOrEqual(best * 1.01);
    }
  });

  it('honours constraints: spatial dimensions per axis, fixed factors and orders, forced keeps and bypasses', () => {
    const arch = get(eyerissArch());
    const problem = get(conv2d({ R: 3, S: 3, P: 14, Q: 14, C: 32, K: 64, N: 1 }));
    const { mapping } = get(findGenericMapping(arch, problem, { constraints: EYERISS_CONSTRAINTS, effort: 'fast' }));
    expectValid(arch, problem, mapping);
    expectEyerissConstraintsHonoured(mapping);
  });

  it('returns Infeasible when nothing fits, and InvalidInput naming a bad option', () => {
    const problem = get(matmul({ M: 4, N: 4, K: 4 }));
    const tiny = os2Arch(2, 2, 1);
    const cramped = findGenericMapping(tiny, problem, { constraints: { levels: { RegisterFile: { keep: ['Weights', 'Outputs'] } } } });
    expect(E.isLeft(cramped) && cramped.left._tag).toBe('Infeasible');
    expect(E.isRight(findGenericMapping(tiny, problem))).toBe(true);
    const badDim = findGenericMapping(tiny, problem, { constraints: { levels: { MainMemory: { spatialX: ['Z'] } } } });
    expect(E.isLeft(badDim) && badDim.left).toMatchObject({ _tag: 'InvalidInput', path: 'constraints.levels.MainMemory.spatialX', value: 'Z' });
    const badLevel = findGenericMapping(tiny, problem, { constraints: { levels: { L3: {} } } });
    expect(E.isLeft(badLevel) && badLevel.left).toMatchObject({ _tag: 'InvalidInput', path: 'constraints.levels.L3' });
    const badFactor = findGenericMapping(tiny, problem, { constraints: { levels: { RegisterFile: { temporalFactors: { M: 3 } } } } });
    expect(E.isLeft(badFactor) && badFactor.left).toMatchObject({ _tag: 'InvalidInput', path: 'constraints.levels.RegisterFile.temporalFactors.M' });
    const badEffort = findGenericMapping(tiny, problem, { effort: 'thorough' as 'fast' });
    expect(E.isLeft(badEffort) && badEffort.left).toMatchObject({ _tag: 'InvalidInput', path: 'effort' });
    const badProblem = findGenericMapping(tiny, { ...problem, bounds: { ...problem.bounds, M: 0 } });
    expect(E.isLeft(badProblem) && badProblem.left).toMatchObject({ _tag: 'InvalidInput', path: 'problem.bounds.M' });
    const badArch = findGenericMapping({ ...tiny, levels: [{ ...tiny.levels[0], entries: -1 }, tiny.levels[1]] }, problem);
    expect(E.isLeft(badArch) && badArch.left).toMatchObject({ _tag: 'InvalidInput', path: 'arch.levels[0].entries' });
    expect(dataSpaceSizes(problem)).toEqual({ Weights: 16, Inputs: 16, Outputs: 16 });
  });
});
