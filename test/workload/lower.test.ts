import * as E from 'fp-ts/Either';
import * as fc from 'fast-check';
import { evaluateLayer, evaluateNetwork } from '../../src/mapper/evaluate-layer';
import { TEST_EFFORT as FAST } from '../mapper/search/exhaustive';
import type { ArchConfig } from '../../src/hardware/arch';
import { convLayer, layerMacs, layerName, tensorSizes } from '../../src/workload/layer';
import { LayerCodec, isProblem, layerKey, layerLabel, layerMacsOf, layerProblem, lowerToConvLayers, type Layer } from '../../src/workload/lower';
import { lowerNetwork, networkMacs, uniqueConvLayers, uniqueLayers, type Network } from '../../src/workload/network';
import { decodeWorkload } from '../../src/workload/parse';
import { right } from '../fixtures/right';
import { batchedMatmul, conv2d, dataSpaceSizes, depthwiseConv, groupedConv, matmul, problemMacs, CONV2D_SHAPE, type Problem } from '../../src/workload/problem';


const lowered = (l: Layer) => right(lowerToConvLayers(l));
const loweredMacs = (l: Layer) => lowered(l).reduce((s, p) => s + p.count * layerMacs(p.layer), 0);

describe('lowerToConvLayers', () => {
  test('a GEMM is a 1x1 convolution whose Inputs, Weights and Outputs are A, B and Z', () => {
    const mm = right(matmul({ M: 128, N: 3072, K: 768 }));
    const [part] = lowered(mm);
    expect(part).toEqual({ layer: convLayer({ R: 1, S: 1, P: 128, Q: 1, C: 768, K: 3072, N: 1 }), count: 1 });
    const sizes = dataSpaceSizes(mm);
    expect(tensorSizes(part.layer)).toEqual({ inputs: sizes.Inputs, weights: sizes.Weights, outputs: sizes.Outputs });
  });

  test('groups, channels and batches become counted copies with each copy holding one group of data', () => {
    const g = right(groupedConv({ G: 32, R: 3, S: 3, P: 56, Q: 56, C: 4, K: 4, N: 1 }));
    expect(lowered(g)).toEqual([{ layer: convLayer({ R: 3, S: 3, P: 56, Q: 56, C: 4, K: 4, N: 1 }), count: 32 }]);
    const perGroup = tensorSizes(lowered(g)[0].layer);
    const whole = dataSpaceSizes(g);
    expect([32 * perGroup.weights, 32 * perGroup.inputs, 32 * perGroup.outputs]).toEqual([whole.Weights, whole.Inputs, whole.Outputs]);

    const dw = right(depthwiseConv({ G: 96, R: 3, S: 3, P: 56, Q: 56, N: 1, strideW: 2, strideH: 2 }));
    expect(lowered(dw)).toEqual([{ layer: convLayer({ R: 3, S: 3, P: 56, Q: 56, C: 1, K: 1, N: 1, strideW: 2, strideH: 2 }), count: 96 }]);
    expect(96 * tensorSizes(lowered(dw)[0].layer).inputs).toBe(dataSpaceSizes(dw).Inputs);

    const qk = right(batchedMatmul({ B: 12, M: 128, N: 128, K: 64 }));
    expect(lowered(qk)).toEqual([{ layer: convLayer({ R: 1, S: 1, P: 128, Q: 1, C: 64, K: 128, N: 1 }), count: 12 }]);
  });

  test('MACs are preserved for every built-in shape', () => {
    const dim = fc.integer({ min: 1, max: 40 });
    fc.assert(
      fc.property(dim, dim, dim, dim, dim, dim, dim, fc.integer({ min: 1, max: 3 }), (a, b, c, d, e, f, g, s) => {
        const shapes: Problem[] = [
          right(conv2d({ R: a % 7 || 1, S: b % 7 || 1, P: c, Q: d, C: e, K: f, N: g % 3 || 1, strideW: s, strideH: s })),
          right(groupedConv({ G: g, R: a % 5 || 1, S: a % 5 || 1, P: c, Q: d, C: e, K: f, N: 1, strideW: s })),
          right(depthwiseConv({ G: g, R: b % 5 || 1, S: b % 5 || 1, P: c, Q: d, N: 1, strideH: s })),
          right(matmul({ M: c, N: d, K: e })),
          right(batchedMatmul({ B: g, M: c, N: d, K: e })),
        ];
        for (const p of shapes) expect(loweredMacs(p)).toBe(problemMacs(p));
      }),
    );
  });

  test('a ConvLayer and the equal conv2d problem are one layer', () => {
    const l = convLayer({ R: 3, S: 3, P: 14, Q: 14, C: 64, K: 128, N: 1, strideW: 2, strideH: 2 });
    const p = layerProblem(l);
    expect(isProblem(l)).toBe(false);
    expect(isProblem(p)).toBe(true);
    expect(p.kind).toBe('conv2d');
    expect(lowered(p)).toEqual([{ layer: l, count: 1 }]);
    expect(layerKey(p)).toBe(layerName(l));
    expect(layerLabel(p)).toBe(layerName(l));
    expect(layerMacsOf(p)).toBe(layerMacs(l));
  });

  test('a custom shape has no lowering', () => {
    const custom: Problem = { ...right(conv2d({ R: 1, S: 1, P: 2, Q: 2, C: 2, K: 2, N: 1 })), kind: 'custom', shape: { ...CONV2D_SHAPE, name: 'Mine' } };
    const r = lowerToConvLayers(custom);
    expect(E.isLeft(r) && r.left._tag === 'InvalidInput' && r.left.value).toBe('Mine');
    const net = lowerNetwork({ name: 'n', layers: [{ layer: convLayer({ R: 1, S: 1, P: 1, Q: 1, C: 1, K: 1, N: 1 }), count: 1 }, { layer: custom, count: 1 }] });
    expect(E.isLeft(net) && net.left._tag === 'InvalidInput' && net.left.path).toBe('n.layers[1]');
  });
});

describe('networks of any shape', () => {
  const fcLayer = convLayer({ R: 1, S: 1, P: 128, Q: 1, C: 768, K: 768, N: 1 });
  const proj = right(matmul({ M: 128, N: 768, K: 768 }));
  const qk = right(batchedMatmul({ B: 12, M: 128, N: 128, K: 64 }));
  const net: Network = { name: 'attn', layers: [{ layer: proj, count: 4 }, { layer: qk, count: 1 }, { layer: fcLayer, count: 2 }] };

  test('MACs, distinct layers and lowering with merged counts', () => {
    expect(networkMacs(net)).toBe(6 * 128 * 768 * 768 + 12 * 128 * 128 * 64);
    expect(uniqueLayers(net)).toEqual([proj, qk, fcLayer]);
    const low = right(lowerNetwork(net));
    // the GEMM and the 1x1 convolution are the same convolution after lowering: 4 + 2 occurrences
    expect(low.layers).toEqual([
      { layer: fcLayer, count: 6 },
      { layer: convLayer({ R: 1, S: 1, P: 128, Q: 1, C: 64, K: 128, N: 1 }), count: 12 },
    ]);
    expect(networkMacs(low)).toBe(networkMacs(net));
    expect(uniqueConvLayers([net])).toEqual(low.layers.map((e) => e.layer));
  });

  test('a network with problems survives JSON', () => {
    const back = decodeWorkload(JSON.parse(JSON.stringify(net)), 'x');
    expect(back).toEqual(E.right(net));
    expect(LayerCodec.is(proj) && LayerCodec.is(fcLayer)).toBe(true);
    const bad = decodeWorkload({ layers: [{ layer: { ...proj, bounds: { M: 0, N: 1, K: 1 } }, count: 1 }] }, 'x');
    expect(E.isLeft(bad)).toBe(true);
  });

  test('evaluateNetwork on Simba costs the lowered convolutions', () => {
    const simba: ArchConfig = { meshX: 16, macs: 1024, accumulationBuffer: 64, weightBuffer: 16384, inputBuffer: 1024, globalBuffer: 65536 };
    const small = { name: 's', layers: [{ layer: right(batchedMatmul({ B: 4, M: 16, N: 16, K: 32 })), count: 2 }] };
    const cost = right(evaluateNetwork(simba, small, { effort: FAST }));
    const one = right(evaluateLayer(simba, convLayer({ R: 1, S: 1, P: 16, Q: 1, C: 32, K: 16, N: 1 }), { effort: FAST }));
    expect(cost.layers.map((l) => l.count)).toEqual([8]);
    expect(cost.cycles).toBe(8 * one.cycles);
  });
});
