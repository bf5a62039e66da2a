import * as E from 'fp-ts/Either';
import { eyerissArch } from '../../../src/costmodel/families';
import { evaluateLayer, evaluateNetwork } from '../../../src/mapper/evaluate-layer';
import { findMapping } from '../../../src/mapper/find-mapping';
import { createGenericCache } from '../../../src/mapper/generic/find-mapping';
import { simbaDefaultArch } from '../../../src/hardware/arch';
import { convLayer } from '../../../src/workload/layer';
import { conv2d, matmul, groupedConv } from '../../../src/workload/problem';
import { mergedNetwork, networkOf } from '../../../src/workload/network';
import { os2Arch } from './archs';
import { TEST_EFFORT } from '../search/exhaustive';

const get = <T>(e: E.Either<unknown, T>): T => {
  if (E.isLeft(e)) throw new Error(JSON.stringify(e.left));
  return e.right;
};

describe('evaluateLayer / evaluateNetwork on any ArchSpec', () => {
  const eyeriss = get(eyerissArch());
  const layer = convLayer({ R: 3, S: 3, P: 14, Q: 14, C: 32, K: 64, N: 1 });
  const gemm = get(matmul({ M: 64, N: 128, K: 96 }));

  it('maps a ConvLayer as its conv2d problem with the generic mapper, as findMapping does', () => {
    const fromLayer = get(evaluateLayer(eyeriss, layer, { effort: 'fast' }));
    const fromProblem = get(evaluateLayer(eyeriss, get(conv2d(layer)), { effort: 'fast' }));
    expect(fromLayer).toEqual(fromProblem);
    const found = get(findMapping(eyeriss, layer, { effort: 'fast' }));
    expect(fromLayer.edp).toBe(found.cost.edp);
    expect(fromLayer.mapping).toEqual(found.mapping);
    expect(fromLayer.breakdown.levels.map((l) => l.name)).toEqual(eyeriss.levels.map((l) => l.name));
  });

  it('sums a network weighted by counts, the same with or without a cache', () => {
    const network = mergedNetwork('two', networkOf('two', [layer, gemm, layer]).layers);
    const cache = createGenericCache();
    const cost = get(evaluateNetwork(eyeriss, network, { effort: 'fast', cache }));
    const again = get(evaluateNetwork(eyeriss, network, { effort: 'fast' }));
    expect(again).toEqual(cost);
    expect(cost.layers.map((l) => l.count)).toEqual([2, 1]);
    const conv = get(evaluateLayer(eyeriss, layer, { effort: 'fast' }));
    const mm = get(evaluateLayer(eyeriss, gemm, { effort: 'fast' }));
    expect(cost.cycles).toBe(2 * conv.cycles + mm.cycles);
    expect(cost.energy).toBeCloseTo(2 * conv.energy + mm.energy, 6);
    expect(cost.edp).toBe(cost.cycles * cost.energy);
  });

  it('returns the first failing layer as Left (Infeasible when nothing fits)', () => {
    const cramped = evaluateNetwork(os2Arch(2, 2, 1), networkOf('one', [gemm]), { constraints: { levels: { RegisterFile: { keep: ['Weights', 'Outputs'] } } } });
    expect(E.isLeft(cramped) && cramped.left._tag).toBe('Infeasible');
  });

  it('on Simba, costs a Problem through its lowering: a GEMM as its 1x1 convolution, G groups as G copies', () => {
    const arch = simbaDefaultArch;
    const asConv = convLayer({ R: 1, S: 1, P: 64, Q: 1, C: 96, K: 128, N: 1 });
    expect(evaluateLayer(arch, gemm, { effort: TEST_EFFORT })).toEqual(evaluateLayer(arch, asConv, { effort: TEST_EFFORT }));
    const grouped = get(groupedConv({ G: 4, R: 3, S: 3, P: 14, Q: 14, C: 8, K: 16, N: 1 }));
    const one = get(evaluateLayer(arch, convLayer({ R: 3, S: 3, P: 14, Q: 14, C: 8, K: 16, N: 1 }), { effort: TEST_EFFORT }));
    const four = get(evaluateLayer(arch, grouped, { effort: TEST_EFFORT }));
    expect(four.cycles).toBe(4 * one.cycles);
    expect(four.energy).toBeCloseTo(4 * one.energy, 6);
    expect(four.mapping).toEqual(one.mapping);
  });
});
