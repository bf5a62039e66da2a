import fc from 'fast-check';
import { isLeft, type Either } from 'fp-ts/Either';
import {
  batchedMatmul,
  conv2d,
  convLayer,
  depthwiseConv,
  groupedConv,
  layerFeatureNames,
  layerFeaturesOf,
  matmul,
  PROBLEM_FEATURE_NAMES,
  problemFeatures,
  denormaliseLayerFeatures,
  layerFeatureVector,
  layerFeatures,
  LAYER_FEATURE_SCALES,
  normaliseLayerFeatures,
  type LayerFeatureNormalisation,
} from '../../src/workload';

const conv = convLayer({ R: 11, S: 11, P: 55, Q: 55, C: 3, K: 64, N: 1, strideW: 4, strideH: 4, dilationW: 2 });

describe('layerFeatures', () => {
  it("is VAESA's [R, S, P, Q, C, K, N, Wstride, Hstride] without dilations", () => {
    expect(layerFeatures(conv)).toEqual([11, 11, 55, 55, 3, 64, 1, 4, 4]);
  });

  it("max-scales by VAESA's divisors", () => {
    expect(LAYER_FEATURE_SCALES).toEqual([11, 11, 1024, 1024, 4096, 4096, 1, 2, 2]);
    expect(layerFeatureVector(conv, { log: false, scaling: 'max' })).toEqual([1, 1, 55 / 1024, 55 / 1024, 3 / 4096, 64 / 4096, 1, 2, 2]);
  });

  it('takes the natural log before scaling', () => {
    const v = layerFeatureVector(conv, { log: true, scaling: 'max' });
    expect(v[0]).toBeCloseTo(Math.log(11) / 11, 15);
    expect(v[5]).toBeCloseTo(Math.log(64) / 4096, 15);
    expect(v[6]).toBe(0);
    expect(layerFeatureVector(conv, { log: true, scaling: 'none' })[7]).toBeCloseTo(Math.log(4), 15);
  });

  it("standardises with VAESA's 1e-16 guard so a constant feature (std 0) stays finite", () => {
    const stats = { mean: [3, 3, 14, 14, 256, 256, 1, 1, 1], std: [1, 1, 2, 2, 128, 128, 0, 0.5, 0.5] };
    const v = layerFeatureVector(conv, { log: false, scaling: 'mean', stats });
    expect(v).toEqual([8, 8, 20.5, 20.5, (3 - 256) / 128, (64 - 256) / 128, 0, 6, 6].map((x) => expect.closeTo(x, 12)));
  });

  it('denormalise inverts normalise for every scheme', () => {
    const stats = { mean: [1, 1, 3, 3, 5, 5, 0, 0.3, 0.3], std: [0.5, 0.5, 1, 1, 2, 2, 0, 0.4, 0.4] };
    const schemes: LayerFeatureNormalisation[] = [
      { log: false, scaling: 'none' },
      { log: true, scaling: 'max' },
      { log: false, scaling: 'max' },
      { log: true, scaling: 'mean', stats },
    ];
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 5000 }), { minLength: 9, maxLength: 9 }), (raw) => {
        for (const s of schemes) {
          const back = denormaliseLayerFeatures(normaliseLayerFeatures(raw, s), s);
          back.forEach((x, i) => expect(x).toBeCloseTo(raw[i], 6));
        }
      }),
    );
  });

  it('rejects vectors of the wrong length (programmer error)', () => {
    expect(() => normaliseLayerFeatures([1, 2, 3], { log: false, scaling: 'max' })).toThrow(RangeError);
  });
});

describe('problemFeatures', () => {
  const ok = <T>(e: Either<unknown, T>): T => {
    if (isLeft(e)) throw new Error(JSON.stringify(e.left));
    return e.right;
  };
  const named = (v: readonly number[]) => Object.fromEntries(PROBLEM_FEATURE_NAMES.map((n, i) => [n, v[i]]));

  it('reads a 3x3 convolution by role: spatial P Q, window R S, reduction C, output channels K, batch N', () => {
    const f = named(problemFeatures(convLayer({ R: 3, S: 3, P: 14, Q: 14, C: 256, K: 512, N: 2, strideW: 2, strideH: 2 })));
    expect(f).toEqual({
      groups: 1,
      batch: 2,
      spatial: 196,
      window: 9,
      reduction: 256,
      outputChannels: 512,
      stride: 4,
      macs: 9 * 196 * 256 * 512 * 2,
      weights: 9 * 256 * 512,
      inputs: 2 * 256 * 29 * 29,
      outputs: 2 * 512 * 196,
      weightReuse: 196 * 2,
      inputReuse: (9 * 196 * 256 * 512 * 2) / (2 * 256 * 29 * 29),
      outputReuse: 9 * 256,
    });
    expect(PROBLEM_FEATURE_NAMES).toHaveLength(14);
  });

  it('gives a 1x1 convolution and the GEMM it equals the same vector, also from the conv2d problem', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4096 }), fc.integer({ min: 1, max: 4096 }), fc.integer({ min: 1, max: 4096 }), (M, N, K) => {
        const gemm = problemFeatures(ok(matmul({ M, N, K })));
        expect(problemFeatures(convLayer({ R: 1, S: 1, P: M, Q: 1, C: K, K: N, N: 1 }))).toEqual(gemm);
        expect(problemFeatures(convLayer({ R: 1, S: 1, P: 1, Q: 1, C: K, K: N, N: M }))).toEqual(gemm);
        expect(problemFeatures(ok(conv2d({ R: 1, S: 1, P: M, Q: 1, C: K, K: N, N: 1 })))).toEqual(gemm);
      }),
    );
  });

  it('gives a grouped 1x1 convolution and the batched GEMM with weights it equals the same vector', () => {
    const batched = problemFeatures(ok(batchedMatmul({ B: 12, M: 128, N: 64, K: 128 })));
    expect(problemFeatures(ok(groupedConv({ G: 12, R: 1, S: 1, P: 128, Q: 1, C: 128, K: 64, N: 1 })))).toEqual(batched);
    expect(named(batched)).toMatchObject({ groups: 12, batch: 128, reduction: 128, outputChannels: 64, macs: 12 * 128 * 64 * 128 });
  });

  it('gives a depthwise convolution and a grouped one with one channel per group the same vector', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 512 }), fc.constantFrom(1, 3, 5, 7), fc.integer({ min: 1, max: 64 }), fc.constantFrom(1, 2), (G, R, P, stride) => {
        const dw = problemFeatures(ok(depthwiseConv({ G, R, S: R, P, Q: P, N: 1, strideW: stride, strideH: stride })));
        expect(problemFeatures(ok(groupedConv({ G, R, S: R, P, Q: P, C: 1, K: 1, N: 1, strideW: stride, strideH: stride })))).toEqual(dw);
        expect(dw.every((x) => Number.isFinite(x) && x > 0)).toBe(true);
      }),
    );
  });

  it('counts a 1x1 stride-2 convolution as spatial with its stride, and a custom shape by its projections', () => {
    expect(named(problemFeatures(convLayer({ R: 1, S: 1, P: 28, Q: 28, C: 256, K: 512, N: 1, strideW: 2, strideH: 2 })))).toMatchObject({ spatial: 784, batch: 1, stride: 4, inputs: 256 * 55 * 55 });
    const gemm = ok(matmul({ M: 64, N: 32, K: 16 }));
    const renamed = { ...gemm, kind: 'custom' as const, shape: { ...gemm.shape, name: 'MyGemm', dataSpaces: gemm.shape.dataSpaces.map((ds) => ({ ...ds, name: ds.readWrite ? 'Z' : ds.name === 'Weights' ? 'B' : 'A' })) } };
    expect(problemFeatures(renamed)).toEqual(problemFeatures(gemm));
  });

  it("names its layout, and reads VAESA's nine for a problem from its lowered convolution", () => {
    expect(layerFeatureNames('problem')).toEqual(PROBLEM_FEATURE_NAMES);
    expect(layerFeatureNames('vaesa')).toEqual(['R', 'S', 'P', 'Q', 'C', 'K', 'N', 'strideW', 'strideH']);
    expect(layerFeaturesOf('vaesa', ok(matmul({ M: 128, N: 768, K: 64 })))).toEqual([1, 1, 128, 1, 64, 768, 1, 1, 1]);
    expect(layerFeaturesOf('problem', conv)).toEqual(problemFeatures(conv));
  });
});
