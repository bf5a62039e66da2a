import * as E from 'fp-ts/Either';
import { batchedMatmul, conv2d, dataSpaceSizes, depthwiseConv, groupedConv, matmul, problemKey, problemMacs, validateProblem, CONV2D_SHAPE } from '../../src/workload/problem';
import type { Problem } from '../../src/workload/problem';

const right = <T>(e: E.Either<unknown, T>): T => {
  if (E.isLeft(e)) throw new Error(`expected Right, got ${JSON.stringify(e.left)}`);
  return e.right;
};

describe('problem shapes', () => {
  test('a strided 3x3 convolution: MACs, tensor sizes with the halo', () => {
    const p = right(conv2d({ R: 3, S: 3, P: 14, Q: 14, C: 32, K: 64, N: 1, strideW: 2, strideH: 2 }));
    expect(problemMacs(p)).toBe(3 * 3 * 14 * 14 * 32 * 64);
    // input width = (P-1)*stride + (R-1)*dilation + 1 = 13*2 + 2 + 1 = 29
    expect(dataSpaceSizes(p)).toEqual({ Weights: 3 * 3 * 32 * 64, Inputs: 32 * 29 * 29, Outputs: 64 * 14 * 14 });
  });

  test('depthwise and grouped convolutions keep per-group input channels', () => {
    const dw = right(depthwiseConv({ G: 64, R: 3, S: 3, P: 28, Q: 28, N: 1 }));
    expect(dataSpaceSizes(dw)).toEqual({ Weights: 64 * 9, Inputs: 64 * 30 * 30, Outputs: 64 * 28 * 28 });
    const g = right(groupedConv({ G: 4, R: 3, S: 3, P: 14, Q: 14, C: 16, K: 32, N: 1 }));
    expect(problemMacs(g)).toBe(4 * 9 * 14 * 14 * 16 * 32);
    expect(dataSpaceSizes(g).Weights).toBe(4 * 9 * 16 * 32);
  });

  test('GEMM and attention products', () => {
    const mm = right(matmul({ M: 256, N: 128, K: 96 }));
    expect(dataSpaceSizes(mm)).toEqual({ Weights: 96 * 128, Inputs: 256 * 96, Outputs: 256 * 128 });
    expect(mm.weightsAreActivations).toBe(false);
    const qk = right(batchedMatmul({ B: 12, M: 128, N: 128, K: 64 }));
    expect(qk.weightsAreActivations).toBe(true);
    expect(problemMacs(qk)).toBe(12 * 128 * 128 * 64);
    expect(problemKey(qk)).toBe('BatchedGEMM:B12_M128_N128_K64');
  });

  test('bad bounds, unknown dimensions and coefficients come back as Left naming the field', () => {
    const bad = conv2d({ R: 3, S: 3, P: 0, Q: 14, C: 3, K: 8, N: 1 });
    expect(E.isLeft(bad) && bad.left._tag === 'InvalidInput' && bad.left.path).toBe('conv2d.bounds.P');
    const p = right(conv2d({ R: 1, S: 1, P: 1, Q: 1, C: 8, K: 8, N: 1 }));
    const unknownDim: Problem = { ...p, shape: { ...CONV2D_SHAPE, dataSpaces: [...CONV2D_SHAPE.dataSpaces, { name: 'Extra', projection: [[{ dim: 'Z' }]], readWrite: false }] } };
    const r = validateProblem(unknownDim);
    expect(E.isLeft(r) && r.left._tag === 'InvalidInput' && r.left.value).toBe('Z');
    const unknownCoef = validateProblem({ ...p, coefficients: { Xstride: 2 } });
    expect(E.isLeft(unknownCoef) && unknownCoef.left._tag === 'InvalidInput' && unknownCoef.left.path).toBe('problem.coefficients.Xstride');
    const twoOutputs = validateProblem({ ...p, shape: { ...CONV2D_SHAPE, dataSpaces: CONV2D_SHAPE.dataSpaces.map((d) => ({ ...d, readWrite: true })) } });
    expect(E.isLeft(twoOutputs)).toBe(true);
  });
});
