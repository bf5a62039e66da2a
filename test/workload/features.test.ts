import fc from 'fast-check';
import {
  convLayer,
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
