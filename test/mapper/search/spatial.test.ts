import fc from 'fast-check';
import { adaptUnrolling, spatialOption, spatialOptions, type SpatialOption } from '../../../src/mapper/search/spatial';
import { NUM_DIMS, NUM_LEVELS } from '../../../src/costmodel/mapping';

// Fan-outs below each level (inner to outer): AccumulationBuffer -> MACs varies with the MAC count,
// InputBuffer -> 2 WeightBuffers, GlobalBuffer -> 64 PEs.
const fanouts = (macs: number): number[] => [1, macs / 128, 1, 2, 64, 1];
const K = 5;
const C = 4;
const ACCUMULATION_BUFFER = 1;

function unrollingOf(level: number, factors: Partial<Record<number, number>>, bounds: readonly number[]): SpatialOption {
  const all = new Int32Array(NUM_LEVELS * NUM_DIMS).fill(1);
  const remaining = Int32Array.from(bounds);
  for (const [d, f] of Object.entries(factors)) {
    all[level * NUM_DIMS + Number(d)] = f ?? 1;
    remaining[Number(d)] /= f ?? 1;
  }
  return spatialOption(all, remaining, 1);
}

const at = (u: SpatialOption, level: number): number[] => Array.from(u.factors.subarray(level * NUM_DIMS, (level + 1) * NUM_DIMS));

describe('adaptUnrolling', () => {
  const bounds = [1, 1, 1, 1, 3, 64, 1]; // C = 3, K = 64

  it('widens a level to the larger fan-out along the same dim', () => {
    const source = unrollingOf(ACCUMULATION_BUFFER, { [K]: 8 }, bounds);
    const adapted = adaptUnrolling(source, bounds, [1, 16, 1, 1, 1, 1]);
    expect(at(adapted, ACCUMULATION_BUFFER)).toEqual([1, 1, 1, 1, 1, 16, 1]);
    expect(Array.from(adapted.remaining)).toEqual([1, 1, 1, 1, 3, 4, 1]);
    expect(adapted.utilization).toBe(16);
  });

  it('prefers the unrolling sharing most with the source over a wider one', () => {
    // Fan-out 6: K 2 x C 3 uses all six MACs but shares only 2 with K 8; K 4 shares 4.
    const source = unrollingOf(ACCUMULATION_BUFFER, { [K]: 8 }, bounds);
    const adapted = adaptUnrolling(source, bounds, [1, 6, 1, 1, 1, 1]);
    expect(at(adapted, ACCUMULATION_BUFFER)).toEqual([1, 1, 1, 1, 1, 4, 1]);
    // With C in the source, the full 6 is also the most shared.
    const withC = unrollingOf(ACCUMULATION_BUFFER, { [C]: 3, [K]: 2 }, bounds);
    expect(at(adaptUnrolling(withC, bounds, [1, 6, 1, 1, 1, 1]), ACCUMULATION_BUFFER)).toEqual([1, 1, 1, 1, 3, 2, 1]);
  });

  it('returns a maximal unrolling of the same fan-outs unchanged', () => {
    const layerBounds = [3, 3, 14, 14, 256, 256, 1];
    for (const option of spatialOptions(layerBounds, fanouts(2048), 16)) {
      expect(Array.from(adaptUnrolling(option, layerBounds, fanouts(2048)).factors)).toEqual(Array.from(option.factors));
    }
  });

  it('always gives a valid unrolling of the new fan-outs', () => {
    const dimBound = fc.constantFrom(1, 2, 3, 4, 7, 8, 12, 16, 27, 56, 64, 256);
    fc.assert(
      fc.property(fc.array(dimBound, { minLength: 7, maxLength: 7 }), fc.integer({ min: 1, max: 32 }), fc.integer({ min: 1, max: 32 }), (b, from, to) => {
        const source = spatialOptions(b, fanouts(128 * from), 1)[0];
        const adapted = adaptUnrolling(source, b, fanouts(128 * to));
        const f = fanouts(128 * to);
        for (let l = 0; l < NUM_LEVELS; l++) {
          const product = at(adapted, l).reduce((x, y) => x * y, 1);
          expect(product).toBeLessThanOrEqual(f[l]);
        }
        for (let d = 0; d < NUM_DIMS; d++) {
          let product = adapted.remaining[d];
          for (let l = 0; l < NUM_LEVELS; l++) product *= adapted.factors[l * NUM_DIMS + d];
          expect(product).toBe(b[d]);
        }
      }),
      { numRuns: 200, seed: 3 },
    );
  });
});

describe('spatialOption', () => {
  it('gives each level the product of its fan-out and those below it, per dim', () => {
    const factors = new Int32Array(NUM_LEVELS * NUM_DIMS).fill(1);
    factors[1 * NUM_DIMS + K] = 8; // AccumulationBuffer -> MACs: K by 8
    factors[3 * NUM_DIMS + C] = 2; // InputBuffer -> WeightBuffers: C by 2
    factors[4 * NUM_DIMS + K] = 4; // GlobalBuffer -> PEs: K by 4 and C by 16
    factors[4 * NUM_DIMS + C] = 16;
    const u = spatialOption(factors, Int32Array.from([1, 1, 1, 1, 32, 32, 1]), 1024);
    const extentsAt = (level: number): number[] => Array.from(u.extents.subarray(level * NUM_DIMS, (level + 1) * NUM_DIMS));
    expect(extentsAt(0)).toEqual([1, 1, 1, 1, 1, 1, 1]);
    expect(extentsAt(1)).toEqual([1, 1, 1, 1, 1, 8, 1]);
    expect(extentsAt(2)).toEqual([1, 1, 1, 1, 1, 8, 1]);
    expect(extentsAt(3)).toEqual([1, 1, 1, 1, 2, 8, 1]);
    expect(extentsAt(4)).toEqual([1, 1, 1, 1, 32, 32, 1]);
    expect(extentsAt(5)).toEqual([1, 1, 1, 1, 32, 32, 1]);
  });
});
