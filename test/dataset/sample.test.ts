import { createRng } from '../../src/common';
import { sampleDesigns } from '../../src/dataset';
import { defineSpace, encodeArch, gridArchs, isValidArch, simbaSpace } from '../../src/hardware';

describe('sampleDesigns', () => {
  it('random: seeded, valid designs', () => {
    const a = sampleDesigns(simbaSpace, { kind: 'random', count: 50 }, createRng(1));
    expect(a).toHaveLength(50);
    expect(sampleDesigns(simbaSpace, { kind: 'random', count: 50 }, createRng(1))).toEqual(a);
    a.forEach((d) => expect(isValidArch(simbaSpace, d)).toEqual({ ok: true }));
  });

  it('lhs: one point per stratum of the encoded range on each parameter', () => {
    // A space with fine grids (step 1 over [1e4, 2e4]) so that snapping hardly moves a point.
    const defined = defineSpace({
      name: 'fine',
      params: simbaSpace.params.map((p) => ({ name: p.name, min: 10_000, max: 20_000, grid: { kind: 'multiple' as const, step: 1 }, encoding: 'linear' as const })),
    });
    if (defined._tag === 'Left') throw new Error('fine space');
    const fine = defined.right;
    const n = 20;
    const designs = sampleDesigns(fine, { kind: 'lhs', count: n }, createRng(2));
    fine.params.forEach((p, k) => {
      const [lo, hi] = [0, 1];
      const strata = designs.map((d) => Math.min(n - 1, Math.floor(((encodeArch(fine, d)[k] - lo) / (hi - lo)) * n)));
      expect(new Set(strata).size).toBeGreaterThanOrEqual(n - 1);
    });
    expect(sampleDesigns(fine, { kind: 'lhs', count: n }, createRng(2))).toEqual(designs);
  });

  it('lhs on the Simba space gives valid designs spread over every meshX value', () => {
    const designs = sampleDesigns(simbaSpace, { kind: 'lhs', count: 16 }, createRng(2));
    designs.forEach((d) => expect(isValidArch(simbaSpace, d)).toEqual({ ok: true }));
    expect(new Set(designs.map((d) => d.meshX)).size).toBe(7);
  });

  it('grid: the full-factorial grid', () => {
    expect(sampleDesigns(simbaSpace, { kind: 'grid', pointsPerParam: 2 }, createRng(0))).toEqual(gridArchs(simbaSpace, { pointsPerParam: 2 }));
  });

  it('rejects a bad count', () => {
    expect(() => sampleDesigns(simbaSpace, { kind: 'random', count: -1 }, createRng(0))).toThrow(RangeError);
  });
});
