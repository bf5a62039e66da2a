import { evaluateLayer, evaluateNetwork } from '../../src/mapper/evaluate-layer';
import { evaluateMapping } from '../../src/costmodel/evaluate';
import { createMappingCache } from '../../src/mapper/find-mapping';
import { TEST_EFFORT as FAST } from './search/exhaustive';
import type { ArchConfig } from '../../src/hardware/arch';
import { convLayer } from '../../src/workload/layer';
import { left, right } from '../fixtures/right';

const simba: ArchConfig = { meshX: 16, macs: 1024, accumulationBuffer: 64, weightBuffer: 16384, inputBuffer: 1024, globalBuffer: 65536 };
const conv = convLayer({ R: 3, S: 3, P: 14, Q: 14, C: 64, K: 128, N: 1 });
const fc = convLayer({ R: 1, S: 1, P: 1, Q: 1, C: 512, K: 100, N: 1 });

describe('evaluateLayer', () => {
  it("reports the exact cost of the mapper's mapping", () => {
    const cost = right(evaluateLayer(simba, conv, { effort: FAST }));
    const replay = evaluateMapping(simba, conv, cost.mapping);
    expect(cost.cycles).toBe(replay.cycles);
    expect(cost.energy).toBe(replay.energy);
    expect(cost.area).toBe(replay.area);
    expect(cost.edp).toBe(cost.cycles * cost.energy);
    expect(cost.breakdown).toEqual(replay.breakdown);
  });

  it('gives the same cost with a shared cache as without', () => {
    const cache = createMappingCache();
    for (const arch of [simba, { ...simba, weightBuffer: 4096 }, { ...simba, macs: 256 }]) {
      const plain = right(evaluateLayer(arch, fc, { effort: FAST }));
      expect(right(evaluateLayer(arch, fc, { cache, effort: FAST }))).toEqual(plain);
    }
  });
});

describe('evaluateNetwork', () => {
  it('applies the layer counts to cycles and energy and keeps per-layer detail', () => {
    const network = { name: 'tiny', layers: [{ layer: conv, count: 3 }, { layer: fc, count: 1 }] };
    const cost = right(evaluateNetwork(simba, network, { effort: FAST }));
    const a = right(evaluateLayer(simba, conv, { effort: FAST }));
    const b = right(evaluateLayer(simba, fc, { effort: FAST }));
    expect(cost.name).toBe('tiny');
    expect(cost.cycles).toBe(3 * a.cycles + b.cycles);
    expect(cost.energy).toBeCloseTo(3 * a.energy + b.energy, 6);
    expect(cost.edp).toBe(cost.cycles * cost.energy);
    expect(cost.area).toBe(a.area);
    expect(cost.layers.map((l) => l.count)).toEqual([3, 1]);
    expect(cost.layers[0].cost).toEqual(a);
  });

  it('returns a Left naming the field and value for an invalid arch', () => {
    expect(left(evaluateNetwork({ ...simba, meshX: 0 }, { name: 'x', layers: [{ layer: fc, count: 1 }] }))).toMatchObject({ _tag: 'InvalidInput', path: 'arch.meshX', value: 0 });
  });

  it('returns a Left for a design off Simba\'s grid instead of costing it', () => {
    expect(left(evaluateLayer({ ...simba, macs: 1e9 }, fc))).toMatchObject({ _tag: 'InvalidInput', path: 'arch.macs', value: 1e9 });
    expect(left(evaluateLayer({ ...simba, macs: 1000 }, fc))).toMatchObject({ path: 'arch.macs', value: 1000, message: 'macs = 1000 is not a multiple of 128' });
    expect(left(evaluateLayer({ ...simba, meshX: 12 }, fc))).toMatchObject({ path: 'arch.meshX', value: 12, message: 'meshX = 12 is not a power of two' });
    expect(left(evaluateLayer({ ...simba, weightBuffer: 100 }, fc))).toMatchObject({ path: 'arch.weightBuffer', value: 100 });
    expect(left(evaluateNetwork({ ...simba, globalBuffer: 1e6 }, { name: 'x', layers: [{ layer: fc, count: 1 }] }))).toMatchObject({ path: 'arch.globalBuffer', value: 1e6 });
  });
});
