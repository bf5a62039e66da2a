import { createRng } from '../../src/common/rng';
import { conditionGp, fitGp, matern52, maternCovariance, type GpHyperparameters } from '../../src/search/gp';

describe('matern52', () => {
  it('has the closed form (1 + √5 r + 5r²/3) exp(-√5 r)', () => {
    expect(matern52(0)).toBe(1);
    expect(matern52(0.5)).toBeCloseTo(0.8286491424181253, 14);
    expect(matern52(1)).toBeCloseTo(0.5239941088318203, 14);
  });

  it('scales distances per dimension by the lengthscales', () => {
    const hyper: GpHyperparameters = { lengthscales: [2, 0.5], signalVariance: 3, noiseVariance: 0 };
    // r = sqrt((1/2)² + (0.25/0.5)²) = sqrt(0.5)
    expect(maternCovariance([0, 0], [1, 0.25], hyper)).toBeCloseTo(3 * matern52(Math.SQRT1_2), 14);
  });
});

describe('conditionGp (three-point examples, reference values from numpy.linalg.solve on the same formulas)', () => {
  const ys = [1, -0.5, 0.3];

  it('1-d: posterior mean, variance and log marginal likelihood', () => {
    const gp = conditionGp([[0], [0.5], [1.2]], ys, { lengthscales: [0.7], signalVariance: 1.5, noiseVariance: 0.01 });
    const p = gp.predict([0.8]);
    expect(p.mean).toBeCloseTo(-0.4369507917965889, 10);
    expect(p.variance).toBeCloseTo(0.12425406841301223, 10);
    expect(gp.logMarginalLikelihood).toBeCloseTo(-4.537218344585049, 10);
  });

  it('2-d ARD: posterior mean, variance and log marginal likelihood', () => {
    const gp = conditionGp(
      [
        [0, 0],
        [0.5, 1],
        [1, 0.25],
      ],
      ys,
      { lengthscales: [0.4, 1.3], signalVariance: 2, noiseVariance: 1e-4 },
    );
    const p = gp.predict([0.3, 0.6]);
    expect(p.mean).toBeCloseTo(0.04189832498949321, 9);
    expect(p.variance).toBeCloseTo(0.49511728815795064, 9);
    expect(gp.logMarginalLikelihood).toBeCloseTo(-4.188360285128025, 8);
  });

  it('interpolates its data when the noise is tiny, and reverts to the prior far away', () => {
    const xs = [[0], [0.5], [1.2]];
    const gp = conditionGp(xs, ys, { lengthscales: [0.3], signalVariance: 2, noiseVariance: 1e-10 });
    xs.forEach((x, i) => {
      expect(gp.predict(x).mean).toBeCloseTo(ys[i], 6);
      expect(gp.predict(x).variance).toBeLessThan(1e-6);
    });
    const far = gp.predict([40]);
    expect(far.mean).toBeCloseTo(0, 10);
    expect(far.variance).toBeCloseTo(2, 10);
  });

  it('gradients of mean and variance agree with finite differences', () => {
    const gp = conditionGp(
      [
        [0, 0],
        [0.5, 1],
        [1, 0.25],
      ],
      ys,
      { lengthscales: [0.4, 1.3], signalVariance: 2, noiseVariance: 1e-3 },
    );
    const x = [0.3, 0.6];
    const g = gp.predictWithGradient(x);
    expect(g.mean).toBeCloseTo(gp.predict(x).mean, 12);
    expect(g.variance).toBeCloseTo(gp.predict(x).variance, 12);
    const h = 1e-6;
    for (let d = 0; d < 2; d++) {
      const plus = x.slice();
      const minus = x.slice();
      plus[d] += h;
      minus[d] -= h;
      expect(g.meanGradient[d]).toBeCloseTo((gp.predict(plus).mean - gp.predict(minus).mean) / (2 * h), 5);
      expect(g.varianceGradient[d]).toBeCloseTo((gp.predict(plus).variance - gp.predict(minus).variance) / (2 * h), 5);
    }
  });

  it('survives duplicated points (jitter) and rejects mismatched data', () => {
    const gp = conditionGp([[0.2], [0.2], [0.7]], [1, 1, 0], { lengthscales: [0.5], signalVariance: 1, noiseVariance: 0 });
    expect(gp.predict([0.2]).mean).toBeCloseTo(1, 4);
    expect(() => conditionGp([[0]], [1, 2], { lengthscales: [1], signalVariance: 1, noiseVariance: 0 })).toThrow(RangeError);
  });
});

describe('fitGp', () => {
  const rng = createRng(3);
  const xs = Array.from({ length: 25 }, () => [rng.next(), rng.next()]);
  // smooth along x0, nearly flat along x1: ARD should give x1 the longer lengthscale
  const ys = xs.map((x) => 3 + Math.sin(6 * x[0]) + 0.05 * x[1]);

  it('maximises the marginal likelihood: no random hyperparameters in the bounds do better', () => {
    const fitted = fitGp(xs, ys, createRng(1), { kernel: 'ard', restarts: 3 });
    const standardised = ys.map((y) => (y - fitted.yMean) / fitted.yStd);
    const best = fitted.posterior.logMarginalLikelihood;
    expect(conditionGp(xs, standardised, fitted.hyperparameters).logMarginalLikelihood).toBeCloseTo(best, 8);
    const probe = createRng(2);
    for (let i = 0; i < 200; i++) {
      const hyper: GpHyperparameters = {
        lengthscales: [Math.exp(probe.uniform(-4.6, 2.3)), Math.exp(probe.uniform(-4.6, 2.3))],
        signalVariance: Math.exp(probe.uniform(-4.6, 4.6)),
        noiseVariance: Math.exp(probe.uniform(-13.8, 0)),
      };
      expect(conditionGp(xs, standardised, hyper).logMarginalLikelihood).toBeLessThanOrEqual(best + 1e-6);
    }
    expect(fitted.hyperparameters.lengthscales[1]).toBeGreaterThan(fitted.hyperparameters.lengthscales[0]);
  });

  it('predicts held-out points of a smooth function well, in the original units', () => {
    const fitted = fitGp(xs, ys, createRng(1));
    for (const x of [
      [0.25, 0.5],
      [0.6, 0.1],
    ]) {
      const p = fitted.posterior.predict(x);
      expect(Math.abs(p.mean - (3 + Math.sin(6 * x[0]) + 0.05 * x[1]))).toBeLessThan(0.05);
    }
  });

  it('isotropic: no random shared lengthscale in the bounds does better', () => {
    const fitted = fitGp(xs, ys, createRng(1), { kernel: 'isotropic', restarts: 3 });
    const standardised = ys.map((y) => (y - fitted.yMean) / fitted.yStd);
    const best = fitted.posterior.logMarginalLikelihood;
    const probe = createRng(4);
    for (let i = 0; i < 200; i++) {
      const lengthscale = Math.exp(probe.uniform(-4.6, 2.3));
      const hyper: GpHyperparameters = {
        lengthscales: [lengthscale, lengthscale],
        signalVariance: Math.exp(probe.uniform(-4.6, 4.6)),
        noiseVariance: Math.exp(probe.uniform(-13.8, 0)),
      };
      expect(conditionGp(xs, standardised, hyper).logMarginalLikelihood).toBeLessThanOrEqual(best + 1e-6);
    }
  });

  it('keepInitial conditions on the given hyperparameters without fitting', () => {
    const initial: GpHyperparameters = { lengthscales: [0.4, 0.4], signalVariance: 1.3, noiseVariance: 1e-4 };
    const kept = fitGp(xs, ys, createRng(1), { kernel: 'isotropic', initial, keepInitial: true });
    expect(kept.hyperparameters).toEqual(initial);
    const standardised = ys.map((y) => (y - kept.yMean) / kept.yStd);
    const direct = conditionGp(xs, standardised, initial).predict([0.3, 0.7]);
    const p = kept.posterior.predict([0.3, 0.7]);
    expect(p.mean).toBeCloseTo(kept.yMean + kept.yStd * direct.mean, 12);
    expect(p.variance).toBeCloseTo(kept.yStd ** 2 * direct.variance, 12);
    expect(() => fitGp(xs, ys, createRng(1), { keepInitial: true })).toThrow(/initial/);
  });

  it('is deterministic for a seed, and an isotropic kernel shares one lengthscale', () => {
    const a = fitGp(xs, ys, createRng(7), { kernel: 'isotropic' });
    const b = fitGp(xs, ys, createRng(7), { kernel: 'isotropic' });
    expect(a.hyperparameters).toEqual(b.hyperparameters);
    expect(a.hyperparameters.lengthscales[0]).toBe(a.hyperparameters.lengthscales[1]);
  });
});
