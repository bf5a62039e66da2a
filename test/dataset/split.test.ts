import { createRng } from '../../src/common';
import { pickLayers, sampleIndices, splitByLayer, splitDataset } from '../../src/dataset';
import { convLayer, layerName, networks, uniqueLayers } from '../../src/workload';

describe('splitDataset', () => {
  const rows = Array.from({ length: 1000 }, (_, i) => i);

  it("cuts VAESA's 75 / 10 / 15 from a seeded shuffle, covering every row once", () => {
    const s = splitDataset(rows, createRng(1));
    expect([s.train.length, s.valid.length, s.test.length]).toEqual([750, 100, 150]);
    expect([...s.train, ...s.valid, ...s.test].sort((a, b) => a - b)).toEqual(rows);
    expect(splitDataset(rows, createRng(1))).toEqual(s);
    expect(splitDataset(rows, createRng(2)).train).not.toEqual(s.train);
  });

  it('takes a given train size and keeps 15% for test (rounded down, as VAESA)', () => {
    const s = splitDataset(Array.from({ length: 131 }, (_, i) => i), createRng(5), { trainSize: 50 });
    expect([s.train.length, s.valid.length, s.test.length]).toEqual([50, 131 - 50 - 19, 19]);
    expect(() => splitDataset(rows, createRng(1), { trainSize: 900 })).toThrow(RangeError);
  });
});

describe('splitByLayer', () => {
  const layers = uniqueLayers(networks.alexnet);
  const rows = layers.flatMap((layer, i) => [0, 1, 2].map((k) => ({ layer, id: 3 * i + k })));

  it('holds out whole layers and keeps row order', () => {
    const s = splitByLayer(rows, { test: [layers[0], layers[5]], valid: [layers[2]] });
    expect(s.test.map((r) => r.id)).toEqual([0, 1, 2, 15, 16, 17]);
    expect(s.valid.map((r) => r.id)).toEqual([6, 7, 8]);
    expect(s.train).toHaveLength(24 - 9);
    expect(s.train.some((r) => [0, 2, 5].map((i) => layerName(layers[i])).includes(layerName(r.layer)))).toBe(false);
  });

  it('matches layers by shape, and refuses a layer in both parts', () => {
    const sameShape = convLayer({ ...layers[1] });
    expect(splitByLayer(rows, { test: [sameShape] }).test.map((r) => r.id)).toEqual([3, 4, 5]);
    expect(() => splitByLayer(rows, { test: [layers[1]], valid: [sameShape] })).toThrow(RangeError);
  });

  it('pickLayers draws distinct layers, seeded', () => {
    const picked = pickLayers(createRng(9), layers, 3);
    expect(new Set(picked.map(layerName)).size).toBe(3);
    expect(pickLayers(createRng(9), layers, 3)).toEqual(picked);
  });
});

describe('sampleIndices', () => {
  it('draws k distinct sorted indices, uniformly enough', () => {
    const rng = createRng(4);
    const hits = new Array(10).fill(0);
    for (let t = 0; t < 2000; t++) {
      const s = sampleIndices(rng, 10, 3);
      expect(new Set(s).size).toBe(3);
      expect([...s].sort((a, b) => a - b)).toEqual(s);
      s.forEach((i) => hits[i]++);
    }
    // Each index is chosen with probability 3/10: 600 expected of 2000, binomial sd ~ 20.5.
    hits.forEach((h) => expect(Math.abs(h - 600)).toBeLessThan(100));
    expect(sampleIndices(rng, 5, 5)).toEqual([0, 1, 2, 3, 4]);
    expect(() => sampleIndices(rng, 5, 6)).toThrow(RangeError);
  });
});
