import * as E from 'fp-ts/Either';
import {
  denormaliseTarget,
  fitNormalisation,
  logTargetAffine,
  meanStd,
  normaliseLayer,
  normaliseTarget,
  parseNormalisationStats,
  RAW_TARGET_SCALES,
} from '../../src/dataset/normalise';
import type { DatasetRow } from '../../src/dataset/row';
import { simbaDefaultArch } from '../../src/hardware/arch';
import { convLayer } from '../../src/workload/layer';

const layerA = convLayer({ R: 3, S: 3, P: 14, Q: 14, C: 64, K: 64, N: 1 });
const layerB = convLayer({ R: 1, S: 1, P: 7, Q: 7, C: 256, K: 512, N: 1 });
const rows: DatasetRow[] = [
  { arch: simbaDefaultArch, layer: layerA, cycles: Math.E, energy: 10 },
  { arch: simbaDefaultArch, layer: layerB, cycles: Math.E ** 3, energy: 1000 },
];

describe('meanStd', () => {
  it('uses the sample standard deviation (n - 1), as pandas does', () => {
    const s = meanStd([1, 2, 3, 4]);
    expect(s.mean).toBe(2.5);
    expect(s.std).toBeCloseTo(Math.sqrt(5 / 3), 12);
    expect(meanStd([7]).std).toBe(0);
  });
});

describe('fitNormalisation', () => {
  const stats = fitNormalisation(rows);

  it('fits log-target mean and std on the rows', () => {
    // log cycles = 1 and 3: mean 2, sample std sqrt(2)
    expect(stats.target.cycles.mean).toBeCloseTo(2, 12);
    expect(stats.target.cycles.std).toBeCloseTo(Math.SQRT2, 12);
    expect(normaliseTarget(stats, 'cycles', Math.E ** 3)).toBeCloseTo(1 / Math.SQRT2, 12);
    expect(denormaliseTarget(stats, 'energy', normaliseTarget(stats, 'energy', 1234.5))).toBeCloseTo(1234.5, 6);
  });

  it('gives the affine map from network output to natural-log cost', () => {
    const a = logTargetAffine(stats, 'cycles')!;
    expect(a.scale * 0.5 + a.offset).toBeCloseTo(Math.log(denormaliseTarget(stats, 'cycles', 0.5)), 12);
  });

  it('z-scores log layer features; a constant feature (N) is only centred', () => {
    const v = normaliseLayer(stats, layerA);
    // R: log 3 and log 1 -> mean log(3)/2, std log(3)/sqrt(2); layer A sits +1/sqrt(2) std above
    expect(v[0]).toBeCloseTo(1 / Math.SQRT2, 12);
    expect(v[6]).toBe(0);
    const batch16 = normaliseLayer(stats, convLayer({ R: 3, S: 3, P: 14, Q: 14, C: 64, K: 64, N: 16 }));
    expect(batch16[6]).toBeCloseTo(Math.log(16), 12);
  });

  it("uses VAESA's fixed divisors when targets are neither logged nor standardised", () => {
    const raw = fitNormalisation(rows, { target: { log: false, standardise: false }, layer: { log: false, scaling: 'max' } });
    expect(normaliseTarget(raw, 'cycles', 2 ** 27)).toBe(0.5);
    expect(denormaliseTarget(raw, 'energy', 0.25)).toBe(RAW_TARGET_SCALES.energy / 4);
    expect(normaliseLayer(raw, layerB)[4]).toBe(256 / 4096);
    expect(logTargetAffine(raw, 'cycles')).toBeUndefined();
  });

  it('round-trips through JSON and names a bad field', () => {
    const back = parseNormalisationStats(JSON.parse(JSON.stringify(stats)));
    expect(back).toEqual(E.right(stats));
    const bad = parseNormalisationStats({ ...stats, target: { ...stats.target, log: 'yes' } });
    expect(E.isLeft(bad) && bad.left._tag === 'InvalidInput' && bad.left.path).toBe('normalisation.target.log');
  });
});
