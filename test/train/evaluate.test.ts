import * as E from 'fp-ts/Either';
import { archId } from '../../src/hardware/arch';
import { simbaSpace } from '../../src/hardware/space';
import { VAESA_LOSS_WEIGHTS } from '../../src/model/loss';
import { tf } from '../../src/model/tf';
import { evaluateVaesa, gridStepDistance, medianAbsolutePercentageError, spearman } from '../../src/train/evaluate';
import { trainVaesa } from '../../src/train/train';
import { syntheticRows } from './fixtures';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('rank and error statistics', () => {
  it('computes Spearman with average ranks for ties', () => {
    expect(spearman([1, 2, 3, 4], [10, 20, 30, 40])).toBeCloseTo(1, 12);
    expect(spearman([1, 2, 3, 4], [4, 3, 2, 1])).toBeCloseTo(-1, 12);
    // ranks of [1, 1, 2] are [0.5, 0.5, 2]; against [0, 1, 2]: Pearson = 1.5 / sqrt(1.5 * 2)
    expect(spearman([1, 1, 2], [0, 1, 2])).toBeCloseTo(1.5 / Math.sqrt(3), 12);
    expect(spearman([1], [2])).toBeNaN();
  });

  it('takes the median of absolute percentage errors', () => {
    expect(medianAbsolutePercentageError([110, 80, 100], [100, 100, 100])).toBeCloseTo(0.1, 12);
    expect(medianAbsolutePercentageError([110, 80], [100, 100])).toBeCloseTo(0.15, 12);
  });

  it('measures grid steps (octaves for powers of two)', () => {
    expect(gridStepDistance(simbaSpace.params[0], 4, 16)).toBe(2);
    expect(gridStepDistance(simbaSpace.params[5], 2048, 5120)).toBe(3);
  });
});

describe('evaluateVaesa reconstruction', () => {
  it('counts designs within 10% per parameter and on every parameter, consistently with encode/decode', async () => {
    const rows = syntheticRows(300, 21);
    const trained = await trainVaesa(rows, {
      seed: 4,
      model: { latentDim: 6, vaeHidden: [16], predictor: { hidden: [8], activation: 'relu' }, lossWeights: VAESA_LOSS_WEIGHTS },
      schedule: { epochs: 2, batchSize: 32, rowsPerEpoch: undefined },
    });
    if (E.isLeft(trained)) throw new Error(JSON.stringify(trained.left));
    const model = trained.right;
    const test = syntheticRows(120, 22);
    const ev = evaluateVaesa(model, test).reconstruction;
    const designs = [...new Map(test.map((r) => [archId(r.arch), r.arch])).values()];
    const decoded = model.decode(model.encode(designs));
    const within = (i: number, name: (typeof simbaSpace.params)[number]['name']) => Math.abs(decoded[i][name] - designs[i][name]) <= 0.1 * designs[i][name];
    expect(ev.designs).toBe(designs.length);
    for (const p of simbaSpace.params) {
      const share = designs.filter((_, i) => within(i, p.name)).length / designs.length;
      expect(ev.within10PercentShareByParam[p.name]).toBeCloseTo(share, 12);
      expect(ev.within10PercentShare).toBeLessThanOrEqual(share);
    }
    const all = designs.filter((_, i) => simbaSpace.params.every((p) => within(i, p.name))).length / designs.length;
    expect(ev.within10PercentShare).toBeCloseTo(all, 12);
    model.dispose();
  });
});
