import * as E from 'fp-ts/Either';
import { formatError, type VaesaError } from '../../../src/common/errors';
import { buildArchTemplate } from '../../../src/costmodel/arch-template';
import { evaluateMapping } from '../../../src/costmodel/evaluate';
import { buildCosaProblem } from '../../../src/mapper/mip/formulation';
import { toLpFormat } from '../../../src/mapper/mip/linear-program';
import { evaluateLayer } from '../../../src/mapper/evaluate-layer';
import { findMappingMip, mipMapper, solveCosaProblem, type MipFailure, type MipMapping } from '../../../src/mapper/mip/mapper';
import { decodePlacement, placementObjective } from '../../../src/mapper/mip/placement';
import { loadMipSolver, solveProgram, type MipSolver } from '../../../src/mapper/mip/solver';
import { isValidMapping } from '../../../src/costmodel/validity';
import { simbaDefaultArch } from '../../../src/hardware/arch';
import { convLayer, layerMacs } from '../../../src/workload/layer';
import { exhaustiveOptimum, tinyArch } from './exhaustive';
import { left, right } from '../../fixtures/right';

let solver: MipSolver;

beforeAll(async () => {
  const loaded = await loadMipSolver();
  if (E.isLeft(loaded)) throw new Error(`HiGHS did not load: ${loaded.left._tag}`);
  solver = loaded.right;
});

function solved(result: E.Either<MipFailure, MipMapping>): MipMapping {
  if (E.isLeft(result)) throw new Error(`expected a mapping, got ${JSON.stringify(result.left)}`);
  return result.right;
}

describe('findMappingMip on tiny layers', () => {
  const template = buildArchTemplate(tinyArch);
  const layers = [
    convLayer({ R: 1, S: 1, P: 2, Q: 2, C: 2, K: 3, N: 1 }),
    convLayer({ R: 3, S: 1, P: 2, Q: 1, C: 2, K: 2, N: 1, strideW: 2 }),
    convLayer({ R: 1, S: 1, P: 1, Q: 1, C: 4, K: 6, N: 1 }),
    convLayer({ R: 3, S: 3, P: 2, Q: 2, C: 1, K: 1, N: 1 }),
  ];
  it.each(layers.map((l) => [`${l.R}x${l.S} P${l.P} Q${l.Q} C${l.C} K${l.K} stride ${l.strideW}`, l] as const))(
    'reaches the exhaustive optimum of its own objective (%s)',
    (_, layer) => {
      const problem = buildCosaProblem(template, layer);
      const mip = solved(solveCosaProblem(solver, problem, { relativeGap: 0, timeLimitSeconds: 60 }));
      expect(mip.optimal).toBe(true);
      expect(mip.objective).toBeCloseTo(exhaustiveOptimum(problem), 6);
      expect(isValidMapping(tinyArch, layer, mip.mapping)).toEqual({ valid: true });
    },
  );
});

describe('findMappingMip on real layers', () => {
  const archs = [
    simbaDefaultArch,
    { meshX: 4, macs: 256, accumulationBuffer: 16, weightBuffer: 512, inputBuffer: 128, globalBuffer: 4096 },
    { meshX: 32, macs: 4096, accumulationBuffer: 200, weightBuffer: 30000, inputBuffer: 3000, globalBuffer: 200000 },
  ];
  const layers = [
    convLayer({ R: 3, S: 3, P: 14, Q: 14, C: 64, K: 64, N: 1 }),
    convLayer({ R: 1, S: 1, P: 1, Q: 1, C: 2048, K: 1000, N: 1 }),
    convLayer({ R: 3, S: 3, P: 28, Q: 28, C: 8, K: 256, N: 1, strideW: 2, strideH: 2 }),
    convLayer({ R: 1, S: 1, P: 7, Q: 7, C: 97, K: 13, N: 3 }),
  ];
  it('returns valid mappings that the cost model evaluates, with the objective the placement scores', () => {
    for (const arch of archs) {
      for (const layer of layers) {
        const mip = solved(findMappingMip(solver, arch, layer));
        expect(isValidMapping(arch, layer, mip.mapping)).toEqual({ valid: true });
        // The program's optimum, read from HiGHS, is the direct score of the decoded placement.
        const problem = buildCosaProblem(buildArchTemplate(arch), layer);
        const outcome = solveProgram(solver, problem.program, { timeLimitSeconds: 10, relativeGap: 0 });
        if (outcome._tag !== 'Solved') throw new Error(outcome._tag);
        expect(placementObjective(problem, decodePlacement(problem, outcome.values))).toBeCloseTo(outcome.objective, 6);
        const cost = evaluateMapping(arch, layer, mip.mapping);
        expect(cost.cycles).toBeGreaterThanOrEqual(layerMacs(layer) / arch.macs);
        expect(Number.isFinite(cost.energy) && cost.energy > 0).toBe(true);
      }
    }
  });

  it('uses the spatial fan-outs: the fully-connected layer runs on every MAC of the default Simba', () => {
    const fc = convLayer({ R: 1, S: 1, P: 1, Q: 1, C: 2048, K: 1000, N: 1 });
    const mip = solved(findMappingMip(solver, simbaDefaultArch, fc));
    const spatial = mip.mapping.levels.reduce((p, l) => p * Object.values(l.spatial).reduce((a, b) => a * b, 1), 1);
    expect(spatial).toBe(1024);
  });
});

describe('mipMapper', () => {
  it('plugs the MIP into evaluateLayer, which costs its mapping exactly', () => {
    const layer = convLayer({ R: 3, S: 3, P: 14, Q: 14, C: 64, K: 64, N: 1 });
    const mip = solved(findMappingMip(solver, simbaDefaultArch, layer));
    const cost = right(evaluateLayer(simbaDefaultArch, layer, { mapper: mipMapper(solver) }));
    const direct = evaluateMapping(simbaDefaultArch, layer, mip.mapping);
    expect(cost.edp).toBeLessThanOrEqual(direct.edp);
    expect(cost.mapping).toEqual(mip.mapping);
    const byName = right(evaluateLayer(simbaDefaultArch, layer, { mapper: 'mip', mipSolver: solver }));
    expect(byName.mapping).toEqual(mip.mapping);
    expect(left(evaluateLayer(simbaDefaultArch, layer, { mapper: 'mip' }))).toMatchObject({ _tag: 'InvalidInput', path: 'options.mipSolver' });
  });
});

describe('findMappingMip failures', () => {
  it('reports Infeasible when no tile fits (a one-word GlobalBuffer cannot hold an input and an output)', () => {
    const arch = { ...simbaDefaultArch, globalBuffer: 1 };
    const result = findMappingMip(solver, arch, convLayer({ R: 3, S: 3, P: 8, Q: 8, C: 16, K: 16, N: 1 }));
    expect(E.isLeft(result) && result.left._tag).toBe('Infeasible');
  });

  it('reports InvalidInput for an arch that cannot form the template', () => {
    const result = findMappingMip(solver, { ...simbaDefaultArch, meshX: 3 }, convLayer({ R: 1, S: 1, P: 2, Q: 2, C: 2, K: 2, N: 1 }));
    expect(E.isLeft(result) && result.left._tag).toBe('InvalidInput');
  });

  it('reports Timeout, not a crash, when the time limit leaves no feasible solution', () => {
    const result = findMappingMip(solver, simbaDefaultArch, convLayer({ R: 3, S: 3, P: 56, Q: 56, C: 64, K: 64, N: 1 }), { timeLimitSeconds: 0 });
    if (E.isRight(result)) throw new Error('a zero time limit gave a mapping');
    expect(result.left._tag).toBe('Timeout');
    expect(formatError(result.left)).toMatch(/^timeout after \d+\.\d s: HiGHS found no feasible mapping within 0 s$/);
  });

  it('fails with VaesaErrors, so a fallible entry point can pass them on and formatError prints them', () => {
    const asVaesaError: E.Either<VaesaError, MipMapping> = findMappingMip(solver, { ...simbaDefaultArch, globalBuffer: 1 }, convLayer({ R: 1, S: 1, P: 2, Q: 2, C: 2, K: 2, N: 1 }));
    expect(E.isLeft(asVaesaError) && formatError(asVaesaError.left)).toBe('infeasible: no mapping of this layer fits the buffers and fan-outs of this arch');
  });
});

describe('toLpFormat', () => {
  it('writes a program that HiGHS reads back to the same optimum', () => {
    const problem = buildCosaProblem(buildArchTemplate(simbaDefaultArch), convLayer({ R: 3, S: 3, P: 7, Q: 7, C: 32, K: 64, N: 1 }));
    const direct = solved(solveCosaProblem(solver, problem, { relativeGap: 0, timeLimitSeconds: 60 }));
    const fromText = solver.highs.solve(toLpFormat(problem.program), { output_flag: false, mip_rel_gap: 0 });
    expect(fromText.Status).toBe('Optimal');
    expect(fromText.ObjectiveValue).toBeCloseTo(direct.objective, 6);
  });
});
