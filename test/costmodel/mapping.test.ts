import fc from 'fast-check';
import { LAYER_DIMS } from '../../src/workload/layer';
import {
  LEVEL_NAMES,
  PACKED_LENGTH,
  dimFactors,
  makeMapping,
  packMapping,
  permutationFromString,
  unpackMapping,
  type Mapping,
} from '../../src/costmodel/mapping';

const factorArb = fc.record(Object.fromEntries(LAYER_DIMS.map((d) => [d, fc.integer({ min: 1, max: 16 })])) as Record<(typeof LAYER_DIMS)[number], fc.Arbitrary<number>>);
const permArb = fc.shuffledSubarray([...LAYER_DIMS], { minLength: 7, maxLength: 7 });
const mappingArb: fc.Arbitrary<Mapping> = fc
  .array(fc.record({ temporal: factorArb, permutation: permArb, spatial: factorArb, spatialPermutation: permArb }), { minLength: 6, maxLength: 6 })
  .map((levels) => ({ levels }));

describe('Mapping forms', () => {
  it('packs to an Int32Array and unpacks to the same mapping', () => {
    fc.assert(
      fc.property(mappingArb, (m) => {
        const packed = packMapping(m);
        expect(packed).toBeInstanceOf(Int32Array);
        expect(packed.length).toBe(PACKED_LENGTH);
        expect(unpackMapping(packed)).toEqual(m);
      }),
      { numRuns: 100, seed: 3 },
    );
  });

  it('reuses an output buffer when given one', () => {
    const out = new Int32Array(PACKED_LENGTH);
    expect(packMapping(makeMapping({}), out)).toBe(out);
  });

  it('fills omitted levels and dims with unit loops in R,S,P,Q,C,K,N order', () => {
    const m = makeMapping({ DRAM: { temporal: { K: 4 }, permutation: 'KRSPQCN' } });
    expect(m.levels).toHaveLength(LEVEL_NAMES.length);
    expect(m.levels[5].temporal).toEqual(dimFactors({ K: 4 }));
    expect(m.levels[5].permutation.join('')).toBe('KRSPQCN');
    expect(m.levels[0].temporal).toEqual(dimFactors({}));
    expect(m.levels[0].permutation.join('')).toBe('RSPQCKN');
  });

  it('rejects malformed permutations and factors', () => {
    expect(() => permutationFromString('RSPQCK')).toThrow(/not a permutation/);
    expect(() => permutationFromString('RSPQCKK')).toThrow(/not a permutation/);
    expect(() => permutationFromString('RSPQCKX')).toThrow(/not a permutation/);
    const m = makeMapping({});
    const bad = { levels: m.levels.map((l, i) => (i === 2 ? { ...l, spatial: { ...l.spatial, C: 0 } } : l)) };
    expect(() => packMapping(bad)).toThrow(/WeightBuffer: factors of C must be positive integers/);
    expect(() => packMapping({ levels: m.levels.slice(1) })).toThrow(/expected 6 levels/);
    expect(() => unpackMapping(new Int32Array(3))).toThrow(RangeError);
  });
});
