import { planDataset, planRow, shardRange } from '../../src/dataset';
import { simbaSpace } from '../../src/hardware';
import { layerName, networks, VAESA_NETWORKS } from '../../src/workload';

describe('planDataset', () => {
  it("VAESA's set-up: 2,304 designs x the 57 distinct layers of its four networks = 131,328 rows", () => {
    const plan = planDataset({ space: simbaSpace, networks: VAESA_NETWORKS.map((n) => networks[n]), sampler: { kind: 'random', count: 2304 }, seed: 1 });
    expect(plan.layers).toHaveLength(57);
    expect(plan.total).toBe(131_328);
    expect(layerName(planRow(plan, 57 * 3 + 5).layer)).toBe(layerName(plan.layers[5]));
    expect(planRow(plan, 57 * 3 + 5).arch).toBe(plan.archs[3]);
  });

  it('needs layers', () => {
    expect(() => planDataset({ space: simbaSpace, sampler: { kind: 'random', count: 1 }, seed: 1 })).toThrow(RangeError);
  });
});

describe('shardRange', () => {
  it('cuts contiguous parts covering everything once', () => {
    for (const count of [1, 2, 3, 7, 10]) {
      let next = 0;
      for (let index = 0; index < count; index++) {
        const { start, end } = shardRange(100, { index, count });
        expect(start).toBe(next);
        next = end;
      }
      expect(next).toBe(100);
    }
    expect(shardRange(10, { index: 2, count: 3 })).toEqual({ start: 6, end: 10 });
    expect(() => shardRange(10, { index: 3, count: 3 })).toThrow(RangeError);
  });
});
