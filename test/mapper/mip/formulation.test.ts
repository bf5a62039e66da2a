import fc from 'fast-check';
import { buildArchTemplate } from '../../../src/costmodel/arch-template';
import {
  buildCosaProblem,
  capacityLimits,
  factorGroups,
  primeFactorisation,
  REUSE_PATTERNS,
  undominatedReusePatterns,
  type FactorPlacement,
  type ReusePattern,
} from '../../../src/mapper/mip/formulation';
import { linearObjectiveValue } from '../../../src/mapper/mip/linear-program';
import { placementObjective, placementToMapping, placementViolations } from '../../../src/mapper/mip/placement';
import { tinyArch } from './exhaustive';
import { convLayer, LAYER_DIMS } from '../../../src/workload/layer';

const dimSet = (flags: readonly boolean[]): string => LAYER_DIMS.filter((_, d) => flags[d]).join('');

describe('primeFactorisation', () => {
  it('factors known numbers', () => {
    expect(primeFactorisation(1)).toEqual([]);
    expect(primeFactorisation(56)).toEqual([
      { prime: 2, count: 3 },
      { prime: 7, count: 1 },
    ]);
    expect(primeFactorisation(1000)).toEqual([
      { prime: 2, count: 3 },
      { prime: 5, count: 3 },
    ]);
    expect(primeFactorisation(97)).toEqual([{ prime: 97, count: 1 }]);
  });
  it('multiplies back to the number', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100_000 }), (n) => {
        expect(primeFactorisation(n).reduce((p, { prime, count }) => p * prime ** count, 1)).toBe(n);
      }),
    );
  });
});

describe('REUSE_PATTERNS', () => {
  it('are the three undominated ways to order the GlobalBuffer loops (weights, inputs or outputs stationary)', () => {
    // per pattern, the dims Weights/Inputs/Outputs are reused across
    const described = (patterns: readonly ReusePattern[]): string[] => patterns.map((p) => p.reused.map(dimSet).join('/')).sort();
    expect(described(REUSE_PATTERNS)).toEqual(['/RS/RSC', '/RSK/RS', 'PQN//']);
    // the written-out table is what walking all 5,040 orders finds
    expect(described(undominatedReusePatterns())).toEqual(described(REUSE_PATTERNS));
  });
});

describe('capacityLimits', () => {
  it('is log2(entries) for one tensor', () => {
    expect(capacityLimits(1024, 1)).toEqual([{ coefs: [1], bound: 10 }]);
  });
  it('for two tensors admits only tile pairs that fit together, and admits splits at the sampled shares', () => {
    const entries = 4096;
    const limits = capacityLimits(entries, 2);
    const inside = (x: number, y: number): boolean => limits.every((l) => l.coefs[0] * x + l.coefs[1] * y <= l.bound + 1e-9);
    for (let a = 1; a < 64; a++) {
      for (let b = 1; b < 64; b++) {
        const ta = a * 64;
        const tb = b * 64;
        if (inside(Math.log2(ta), Math.log2(tb))) expect(ta + tb).toBeLessThanOrEqual(entries);
      }
    }
    expect(inside(Math.log2(2048), Math.log2(2048))).toBe(true);
    expect(inside(Math.log2(1024), Math.log2(3072))).toBe(true);
    expect(inside(0, Math.log2(4000))).toBe(true);
    expect(inside(Math.log2(2049), Math.log2(2048))).toBe(false);
  });
});

describe('buildCosaProblem', () => {
  const template = buildArchTemplate(tinyArch);

  it('has one count per prime-factor group and site, and the factors of each group add up', () => {
    const layer = convLayer({ R: 3, S: 1, P: 4, Q: 1, C: 2, K: 6, N: 1 });
    const problem = buildCosaProblem(template, layer);
    expect(factorGroups(layer).map((g) => `${LAYER_DIMS[g.dim]}${g.prime}^${g.count}`)).toEqual(['R3^1', 'P2^2', 'C2^1', 'K2^1', 'K3^1']);
    expect(problem.countColumns).toHaveLength(5);
    expect(problem.program.numCols).toBeGreaterThan(0);
    // Spatial sites: AccumulationBuffer (fan-out 2), InputBuffer (2), GlobalBuffer (64); a 3 fits none of the 2-way fan-outs.
    const spatialSites = problem.sites.filter((s) => s.spatial).map((s) => s.level);
    expect(spatialSites).toEqual([1, 3, 4]);
    const r3 = problem.countColumns[0];
    problem.sites.forEach((site, si) => {
      if (site.spatial && site.level !== 4) expect(r3[si]).toBe(-1);
    });
  });

  it("scores a placement the same through the program's objective and directly", () => {
    const layer = convLayer({ R: 1, S: 1, P: 2, Q: 2, C: 2, K: 3, N: 1 });
    const problem = buildCosaProblem(template, layer);
    // Everything at DRAM, weights-stationary order: the reuse column must be set to what the pattern allows (0 here).
    const dram = problem.sites.findIndex((s) => s.level === 5);
    const counts = problem.groups.map((g) => problem.sites.map((_, si) => (si === dram ? g.count : 0)));
    const x = new Float64Array(problem.program.numCols);
    counts.forEach((row, gi) => row.forEach((n, si) => problem.countColumns[gi][si] >= 0 && (x[problem.countColumns[gi][si]] = n)));
    x[problem.patternColumns[0]] = 1;
    const placement: FactorPlacement = { counts, order: REUSE_PATTERNS[0].order };
    expect(placementViolations(problem, placement)).toEqual([]);
    expect(linearObjectiveValue(problem.program, x)).toBeCloseTo(placementObjective(problem, placement), 9);
    // compute 10 x log2(24) + traffic 3.01 x log2(24) (DRAM loops), no utilisation
    expect(placementObjective(problem, placement)).toBeCloseTo(13.01 * Math.log2(24), 9);
  });

  it('turns a placement into a mapping whose factors multiply to the layer', () => {
    const layer = convLayer({ R: 3, S: 1, P: 4, Q: 1, C: 2, K: 6, N: 1 });
    const problem = buildCosaProblem(template, layer);
    const counts = problem.groups.map((g) => problem.sites.map((s) => (s.level === 5 && !s.spatial ? g.count : 0)));
    const mapping = placementToMapping(problem, { counts, order: REUSE_PATTERNS[2].order });
    for (const d of LAYER_DIMS) {
      expect(mapping.levels.reduce((p, l) => p * l.temporal[d] * l.spatial[d], 1)).toBe(layer[d]);
    }
    expect(mapping.levels[5].temporal).toEqual({ R: 3, S: 1, P: 4, Q: 1, C: 2, K: 6, N: 1 });
    expect(mapping.levels[4].permutation.join('')).toBe(REUSE_PATTERNS[2].order.map((d) => LAYER_DIMS[d]).join(''));
  });
});
