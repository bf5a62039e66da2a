import { layerKey, isProblem } from '../../src/workload/lower';
import { problemFeatures } from '../../src/workload/features';
import { randomLayers } from '../../src/workload/random-layers';
import { validateProblem } from '../../src/workload/problem';

describe('randomLayers', () => {
  const layers = randomLayers(400, 7);

  it('is the same for the same seed and differs for another', () => {
    expect(randomLayers(400, 7).map(layerKey)).toEqual(layers.map(layerKey));
    expect(randomLayers(400, 8).map(layerKey)).not.toEqual(layers.map(layerKey));
  });

  it('draws every kind with about its share, each a valid problem with positive features', () => {
    const kind = (l: (typeof layers)[number]): string => (isProblem(l) ? l.kind : l.P === 1 && l.R === 1 ? 'fc' : 'conv2d');
    const counts = new Map<string, number>();
    for (const l of layers) counts.set(kind(l), (counts.get(kind(l)) ?? 0) + 1);
    // 40% convolutions (a few of which are 1x1 on a 1x1 output, i.e. fully connected), 15% FC, 15% GEMM, 10% each of the rest
    expect((counts.get('conv2d') ?? 0) + (counts.get('fc') ?? 0)).toBeGreaterThan(400 * 0.45);
    for (const k of ['matmul', 'batched-matmul', 'depthwise-conv', 'grouped-conv']) expect(counts.get(k)).toBeGreaterThan(400 * 0.05);
    for (const l of layers) {
      if (isProblem(l)) expect(validateProblem(l)._tag).toBe('Right');
      expect(problemFeatures(l).every((x) => Number.isFinite(x) && x > 0)).toBe(true);
    }
    expect(new Set(layers.map(layerKey)).size).toBeGreaterThan(350);
  });

  it('refuses a count that is not a non-negative integer', () => {
    expect(randomLayers(0, 1)).toEqual([]);
    expect(() => randomLayers(-1, 1)).toThrow(RangeError);
  });
});
