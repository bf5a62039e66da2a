import { simbaDefaultArch } from '../../src/hardware/arch';
import { convLayer } from '../../src/workload/layer';
import { isValidMapping } from '../../src/costmodel/validity';
import { makeMapping, packMapping } from '../../src/costmodel/mapping';

const layer = convLayer({ R: 3, S: 3, P: 8, Q: 8, C: 16, K: 16, N: 1 });

describe('isValidMapping', () => {
  it('accepts a mapping within fan-outs, instances and capacities', () => {
    const m = makeMapping({
      AccumulationBuffer: { temporal: { P: 8 }, spatial: { K: 8 } },
      WeightBuffer: { temporal: { R: 3, S: 3 } },
      GlobalBuffer: { spatial: { C: 16, K: 2 } },
      DRAM: { temporal: { Q: 8 } },
    });
    expect(isValidMapping(simbaDefaultArch, layer, m)).toEqual({ valid: true });
    expect(isValidMapping(simbaDefaultArch, layer, packMapping(m))).toEqual({ valid: true });
  });

  it('lists every reason a mapping cannot run', () => {
    const m = makeMapping({
      Registers: { temporal: { R: 3 } },
      AccumulationBuffer: { temporal: { P: 8, Q: 8 } },
      GlobalBuffer: { spatial: { C: 16, K: 8 } },
      DRAM: { temporal: { S: 3 } },
    });
    const v = isValidMapping(simbaDefaultArch, layer, m);
    expect(v.valid).toBe(false);
    if (!v.valid) {
      expect(v.reasons).toEqual([
        'the product of the K factors is 8, the layer\'s K is 16',
        'spatial factors at GlobalBuffer use a fan-out of 128, the hardware has 64',
        'Registers tiles need 3 entries, the buffer has 1',
        'InputBuffer needs 128 instances, the hardware has 64',
      ]);
    }
  });

  it('reports an arch or layer that cannot be evaluated', () => {
    const m = makeMapping({ DRAM: { temporal: { R: 3, S: 3, P: 8, Q: 8, C: 16, K: 16 } } });
    const badArch = isValidMapping({ ...simbaDefaultArch, macs: 100 }, layer, m);
    expect(badArch.valid).toBe(false);
    if (!badArch.valid) expect(badArch.reasons[0]).toMatch(/Registers has 100 instances, not a multiple of meshX 16/);
    const badLayer = isValidMapping(simbaDefaultArch, { ...layer, strideW: 0 }, m);
    expect(badLayer.valid).toBe(false);
    if (!badLayer.valid) expect(badLayer.reasons[0]).toMatch(/layer strideW must be a positive integer, got 0/);
  });

  it('rejects malformed mappings with a reason instead of throwing', () => {
    const v = isValidMapping(simbaDefaultArch, layer, { levels: [] });
    expect(v.valid).toBe(false);
    const bad = makeMapping({ DRAM: { temporal: { R: 3, S: 3, P: 8, Q: 8, C: 16, K: 16 } } });
    const broken = { levels: bad.levels.map((l, i) => (i === 5 ? { ...l, temporal: { ...l.temporal, K: 2.5 } } : l)) };
    const r = isValidMapping(simbaDefaultArch, layer, broken);
    expect(r.valid).toBe(false);
    if (!r.valid) expect(r.reasons[0]).toMatch(/K must be positive integers/);
  });
});
