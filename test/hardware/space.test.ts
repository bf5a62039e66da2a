import * as E from 'fp-ts/Either';
import fc from 'fast-check';
import { createRng } from '../../src/common';
import {
  decodeArch,
  defineSpace,
  encodeArch,
  gridArchs,
  gridAxis,
  gridSize,
  gridValues,
  isValidArch,
  parseArch,
  sampleArch,
  simbaSpace,
  snapArch,
  simbaDefaultArch,
  spaceCardinality,
} from '../../src/hardware';

describe('simbaSpace encoding', () => {
  it('encodes the Simba default as log(x/unit)/log(scale)', () => {
    const e = encodeArch(simbaSpace, simbaDefaultArch);
    // meshX 16 -> log 16 / log 64 = 4/6; macs 1024/128 = 8 -> 3/5; acc 64 -> 6/8; wb 2^14 -> 14/16; ib 2^10 -> 10/12; gb 2^16 -> 16/18
    expect(e).toEqual([4 / 6, 3 / 5, 6 / 8, 14 / 16, 10 / 12, 16 / 18].map((x) => expect.closeTo(x, 12)));
  });

  it('decode(encode(x)) == x for every grid value of every parameter', () => {
    simbaSpace.params.forEach((p) => {
      for (const v of gridValues(p)) {
        const arch = { ...simbaDefaultArch, [p.name]: v };
        const back = decodeArch(simbaSpace, encodeArch(simbaSpace, arch));
        expect(back[p.name]).toBe(v);
      }
    });
  });

  it('snaps off-grid values to the nearest valid value and clamps to bounds', () => {
    const snapped = snapArch(simbaSpace, {
      meshX: 5,
      macs: 200,
      accumulationBuffer: 3,
      weightBuffer: 100000,
      inputBuffer: 0,
      globalBuffer: 1500,
    });
    expect(snapped).toEqual({ meshX: 4, macs: 256, accumulationBuffer: 4, weightBuffer: 65536, inputBuffer: 2, globalBuffer: 1024 });
  });

  it('counts the designs of the space', () => {
    expect(spaceCardinality(simbaSpace)).toBe(7 * 32 * 128 * 256 * 2048 * 256);
  });
});

describe('sampling', () => {
  it('is deterministic for a seed and differs across seeds', () => {
    const draw = (seed: number) => {
      const rng = createRng(seed);
      return Array.from({ length: 20 }, () => sampleArch(simbaSpace, rng));
    };
    expect(draw(7)).toEqual(draw(7));
    expect(draw(7)).not.toEqual(draw(8));
  });

  it('only yields valid designs and covers both ends of every grid', () => {
    const rng = createRng(1);
    const seen = simbaSpace.params.map(() => new Set<number>());
    for (let i = 0; i < 3000; i++) {
      const a = sampleArch(simbaSpace, rng);
      expect(isValidArch(simbaSpace, a)).toEqual({ ok: true });
      simbaSpace.params.forEach((p, k) => seen[k].add(a[p.name]));
    }
    // meshX has 7 values, macs 32: with 3000 draws every value appears.
    expect([...seen[0]].sort((x, y) => x - y)).toEqual([1, 2, 4, 8, 16, 32, 64]);
    expect(seen[1].size).toBe(32);
  });
});

describe('gridArchs', () => {
  it('spreads points evenly in log space and snaps them', () => {
    const mesh = simbaSpace.params[0];
    expect(gridAxis(mesh, 3)).toEqual([1, 8, 64]);
    expect(gridAxis(mesh, 100)).toEqual(gridValues(mesh));
    // weightBuffer 256..65536: log2 8..16 in thirds -> 2^8, 2^(32/3) ~ 1625.5 -> 1536, 2^(40/3) ~ 10321 -> 10240, 2^16
    expect(gridAxis(simbaSpace.params[3], 4)).toEqual([256, 1536, 10240, 65536]);
  });

  it('is the full factorial in lexicographic order', () => {
    const archs = gridArchs(simbaSpace, { pointsPerParam: 2 });
    expect(archs).toHaveLength(64);
    expect(archs[0]).toEqual({ meshX: 1, macs: 128, accumulationBuffer: 2, weightBuffer: 256, inputBuffer: 2, globalBuffer: 1024 });
    expect(archs[1]).toEqual({ ...archs[0], globalBuffer: 262144 });
    expect(archs[63]).toEqual({ meshX: 64, macs: 4096, accumulationBuffer: 256, weightBuffer: 65536, inputBuffer: 4096, globalBuffer: 262144 });
    expect(new Set(archs.map((a) => JSON.stringify(a))).size).toBe(64);
  });

  it('refuses grids above maxDesigns', () => {
    expect(() => gridArchs(simbaSpace, { pointsPerParam: 10, maxDesigns: 1000 })).toThrow(/exceed maxDesigns/);
  });
});

describe('validity', () => {
  it('gives the reason a design is invalid', () => {
    expect(isValidArch(simbaSpace, { ...simbaDefaultArch, meshX: 12 })).toEqual({ ok: false, reason: 'meshX = 12 is not a power of two' });
    expect(isValidArch(simbaSpace, { ...simbaDefaultArch, macs: 200 })).toEqual({ ok: false, reason: 'macs = 200 is not a multiple of 128' });
    expect(isValidArch(simbaSpace, { ...simbaDefaultArch, inputBuffer: 8192 })).toEqual({
      ok: false,
      reason: 'inputBuffer = 8192 is outside [2, 4096]',
    });
  });

  it('parseArch names the field and value', () => {
    expect(parseArch(simbaSpace, simbaDefaultArch)).toEqual(E.right(simbaDefaultArch));
    expect(parseArch(simbaSpace, { ...simbaDefaultArch, weightBuffer: 1000 })).toMatchObject({
      left: { _tag: 'InvalidInput', path: 'arch.weightBuffer', value: 1000 },
    });
    expect(parseArch(simbaSpace, { ...simbaDefaultArch, globalBuffer: -1024 })).toMatchObject({
      left: { path: 'arch.globalBuffer', value: -1024, message: 'must be a positive integer' },
    });
    const { macs: _m, ...noMacs } = simbaDefaultArch;
    expect(parseArch(simbaSpace, noMacs)).toMatchObject({ left: { path: 'arch.macs', value: undefined } });
    expect(parseArch(simbaSpace, { ...simbaDefaultArch, meshX: '16' })).toMatchObject({ left: { path: 'arch.meshX', value: '16' } });
  });

  it('snapping always gives a valid design, and decode of any finite vector is valid', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -2, max: 3, noNaN: true }), { minLength: 6, maxLength: 6 }), (v) => {
        expect(isValidArch(simbaSpace, decodeArch(simbaSpace, v))).toEqual({ ok: true });
      }),
    );
  });
});

describe('custom spaces', () => {
  it('defineSpace checks its parameters and counts its designs', () => {
    const small = defineSpace(
      'small',
      simbaSpace.params.map((p) => (p.name === 'meshX' ? { ...p, min: 4, max: 16 } : p)),
    );
    expect(gridSize(small.params[0])).toBe(3);
    expect(spaceCardinality(small)).toBe((3 / 7) * spaceCardinality(simbaSpace));
    expect(() => defineSpace('bad', simbaSpace.params.slice(1))).toThrow(RangeError);
    expect(() => defineSpace('empty', simbaSpace.params.map((p) => (p.name === 'macs' ? { ...p, min: 129, max: 255 } : p)))).toThrow(
      /no valid value/,
    );
  });
});
