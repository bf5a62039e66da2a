import { createRng } from '../../src/common/rng';
import { acquisitionLoss, minimizeAcquisition, standardNormalCdf } from '../../src/search/acquisition';
import { conditionGp } from '../../src/search/gp';

const gp = conditionGp(
  [[0.1], [0.4], [0.9]],
  [0.5, -1, 0.8],
  { lengthscales: [0.25], signalVariance: 1, noiseVariance: 1e-6 },
);

describe('standardNormalCdf', () => {
  it('matches known values', () => {
    expect(standardNormalCdf(0)).toBeCloseTo(0.5, 7);
    expect(standardNormalCdf(1)).toBeCloseTo(0.8413447460685429, 6);
    expect(standardNormalCdf(-2)).toBeCloseTo(0.022750131948179195, 7);
  });
});

describe('acquisitionLoss', () => {
  const x = [0.6];
  const p = gp.predict(x);
  const sd = Math.sqrt(p.variance);

  it('UCB (minimising form) is mean - kappa·sd', () => {
    expect(acquisitionLoss(gp, { kind: 'ucb', kappa: 2.5 }, -1, x).value).toBeCloseTo(p.mean - 2.5 * sd, 12);
  });

  it('EI is the expectation of max(best - xi - f, 0), negated', () => {
    const best = -1;
    // numerical expectation over f ~ N(mean, sd²)
    let ei = 0;
    const n = 20000;
    for (let i = 0; i < n; i++) {
      const z = -8 + (16 * (i + 0.5)) / n;
      const f = p.mean + sd * z;
      ei += Math.max(best - 0.01 - f, 0) * (Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI)) * (16 / n);
    }
    expect(-acquisitionLoss(gp, { kind: 'ei', xi: 0.01 }, best, x).value).toBeCloseTo(ei, 6);
  });

  it('gradients agree with finite differences', () => {
    const h = 1e-6;
    for (const acq of [{ kind: 'ucb', kappa: 2.5 } as const, { kind: 'ei', xi: 0 } as const]) {
      const g = acquisitionLoss(gp, acq, -1, x).gradient[0];
      const fd = (acquisitionLoss(gp, acq, -1, [x[0] + h]).value - acquisitionLoss(gp, acq, -1, [x[0] - h]).value) / (2 * h);
      expect(g).toBeCloseTo(fd, 5);
    }
  });
});

describe('minimizeAcquisition', () => {
  it('with kappa 0 finds the posterior mean minimum near the lowest observation, inside the box', () => {
    const x = minimizeAcquisition(gp, { kind: 'ucb', kappa: 0 }, -1, [0], [1], createRng(1));
    let gridBest = 0;
    for (let i = 0; i <= 10000; i++) if (gp.predict([i / 10000]).mean < gp.predict([gridBest]).mean) gridBest = i / 10000;
    expect(x[0]).toBeCloseTo(gridBest, 3);
  });

  it('with a large kappa explores the least known region', () => {
    const x = minimizeAcquisition(gp, { kind: 'ucb', kappa: 100 }, -1, [0], [1], createRng(1));
    expect(x[0]).toBeGreaterThan(0.6);
    expect(x[0]).toBeLessThan(0.75);
  });
});
