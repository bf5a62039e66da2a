import { decodeArch, encodeArch, gridValues, simbaSpace, snapArch, simbaDefaultArch, spaceCardinality } from '../../src/hardware';

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
