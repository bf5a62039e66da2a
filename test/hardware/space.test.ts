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
  encodeDesign,
  decodeDesign,
  gridDesigns,
  isValidDesign,
  parseDesign,
  sampleDesign,
  snapDesign,
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
    expect(isValidArch(simbaSpace, { ...simbaDefaultArch, meshX: 12 })).toEqual({ ok: false, param: 'meshX', reason: 'meshX = 12 is not a power of two' });
    expect(isValidArch(simbaSpace, { ...simbaDefaultArch, macs: 200 })).toEqual({ ok: false, param: 'macs', reason: 'macs = 200 is not a multiple of 128' });
    expect(isValidArch(simbaSpace, { ...simbaDefaultArch, inputBuffer: 8192 })).toEqual({
      ok: false,
      param: 'inputBuffer',
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
    const small = defineSpace({ name: 'small', params: simbaSpace.params.map((p) => (p.name === 'meshX' ? { ...p, min: 4, max: 16 } : p)) });
    if (E.isLeft(small)) throw new Error('small space');
    expect(gridSize(small.right.params[0])).toBe(3);
    expect(spaceCardinality(small.right)).toBe((3 / 7) * spaceCardinality(simbaSpace));
    expect(defineSpace({ name: 'empty', params: simbaSpace.params.map((p) => (p.name === 'macs' ? { ...p, min: 129, max: 255 } : p)) })).toMatchObject({
      left: { _tag: 'InvalidInput', path: 'space.params[1].grid', message: expect.stringMatching(/macs: no valid value/) },
    });
  });
});

describe('any design space', () => {
  const defined = defineSpace({
    name: 'own',
    params: [
      { name: 'peX', min: 2, max: 32, grid: { kind: 'pow2' } },
      { name: 'lanes', min: 4, max: 64, grid: { kind: 'multiple', step: 4 }, encoding: 'linear' },
      { name: 'sram', grid: { kind: 'values', values: [96, 32, 48, 64] } },
      { name: 'clock', min: 0.5, max: 2, grid: { kind: 'multiple', step: 0.1 }, encoding: 'linear' },
    ],
  });
  if (E.isLeft(defined)) throw new Error('own space');
  const own = defined.right;

  it('fills in bounds, sorts value lists and resolves the default log encoding onto [0, 1]', () => {
    expect(own.params[2]).toEqual({ name: 'sram', min: 32, max: 96, grid: { kind: 'values', values: [32, 48, 64, 96] }, encoding: { kind: 'log', unit: 32, scale: 3 } });
    expect(own.params[0].encoding).toEqual({ kind: 'log', unit: 2, scale: 16 });
    expect(gridValues(own.params[3])).toHaveLength(16);
    expect(gridValues(own.params[3])[3]).toBe(0.8);
    expect(spaceCardinality(own)).toBe(5 * 16 * 4 * 16);
    expect(encodeDesign(own, { peX: 2, lanes: 4, sram: 32, clock: 0.5 })).toEqual([0, 0, 0, 0]);
    expect(encodeDesign(own, { peX: 32, lanes: 64, sram: 96, clock: 2 }).map((x) => Number(x.toFixed(12)))).toEqual([1, 1, 1, 1]);
  });

  it('decode(encode(d)) == d and sampled, gridded and snapped designs are valid', () => {
    const rng = createRng(3);
    for (const sampled of [...Array.from({ length: 200 }, () => sampleDesign(own, rng)), ...gridDesigns(own, { pointsPerParam: 3 })]) {
      expect(isValidDesign(own, sampled)).toEqual({ ok: true });
      expect(decodeDesign(own, encodeDesign(own, sampled))).toEqual(sampled);
    }
    fc.assert(
      fc.property(fc.array(fc.double({ min: -3, max: 3, noNaN: true }), { minLength: 4, maxLength: 4 }), (v) => {
        expect(isValidDesign(own, decodeDesign(own, v))).toEqual({ ok: true });
      }),
    );
    expect(snapDesign(own, { peX: 5, lanes: 7, sram: 70, clock: 1.04 })).toEqual({ peX: 4, lanes: 8, sram: 64, clock: 1 });
  });

  it('parseDesign names the parameter and value', () => {
    expect(parseDesign(own, { peX: 8, lanes: 12, sram: 48, clock: 1.3 })).toEqual(E.right({ peX: 8, lanes: 12, sram: 48, clock: 1.3 }));
    expect(parseDesign(own, { peX: 8, lanes: 12, sram: 50, clock: 1.3 })).toMatchObject({ left: { path: 'design.sram', value: 50, message: 'sram = 50 is not one of 32, 48, 64, 96' } });
    expect(parseDesign(own, { peX: 8, lanes: 12, sram: 48 })).toMatchObject({ left: { path: 'design.clock', value: undefined } });
  });

  it('defineSpace names the parameter of a mistake', () => {
    const bad = (params: unknown[]) => defineSpace({ name: 'bad', params } as never);
    expect(bad([])).toMatchObject({ left: { path: 'space.params' } });
    expect(bad([{ name: 'a b', min: 1, max: 2, grid: { kind: 'pow2' } }])).toMatchObject({ left: { path: 'space.params[0].name', value: 'a b' } });
    expect(bad([{ name: 'a', min: 1, max: 2, grid: { kind: 'pow2' } }, { name: 'a', min: 1, max: 2, grid: { kind: 'pow2' } }])).toMatchObject({
      left: { path: 'space.params[1].name', message: 'parameter names repeat' },
    });
    expect(bad([{ name: 'a', min: 4, max: 2, grid: { kind: 'pow2' } }])).toMatchObject({ left: { path: 'space.params[0].max', value: 2 } });
    expect(bad([{ name: 'a', min: 1, max: 8, grid: { kind: 'multiple', step: 0 } }])).toMatchObject({ left: { path: 'space.params[0].grid.step' } });
    expect(bad([{ name: 'a', min: 0, max: 8, grid: { kind: 'multiple', step: 1 } }])).toMatchObject({ left: { path: 'space.params[0].min', message: expect.stringMatching(/log encoding/) } });
    expect(bad([{ name: 'a', min: 0, max: 8, grid: { kind: 'multiple', step: 1 }, encoding: 'linear' }])).toMatchObject({ _tag: 'Right' });
    expect(bad([{ name: 'a', grid: { kind: 'values', values: [1, 1] } }])).toMatchObject({ left: { path: 'space.params[0].grid.values' } });
    expect(bad([{ name: 'a', min: 1, grid: { kind: 'pow2' } }])).toMatchObject({ left: { path: 'space.params[0].max' } });
    expect(bad([{ name: 'a', min: 1, max: 4, grid: { kind: 'cubes' } }])).toMatchObject({ left: { _tag: 'InvalidInput', path: expect.stringMatching(/^space\.params\[0\]\.grid/) } });
  });

  it('simbaSpace is a space like any other: defineSpace of its own parameters gives it back', () => {
    expect(defineSpace({ name: 'simba', params: simbaSpace.params })).toEqual(E.right(simbaSpace));
  });
});
