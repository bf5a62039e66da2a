import { convLayer, distinctLayers, networkLayerCount, networkMacs, networkOf, uniqueLayers } from '../../src/workload';

const a = convLayer({ R: 3, S: 3, P: 4, Q: 4, C: 2, K: 5, N: 1 }); // 3*3*4*4*2*5 = 1440 MACs
const b = convLayer({ R: 1, S: 1, P: 1, Q: 1, C: 10, K: 7, N: 2 }); // 140 MACs
const aAgain = convLayer({ R: 3, S: 3, P: 4, Q: 4, C: 2, K: 5, N: 1 });

describe('networks', () => {
  it('weights MACs by counts', () => {
    const net = { name: 'n', layers: [{ layer: a, count: 3 }, { layer: b, count: 2 }] };
    expect(networkMacs(net)).toBe(3 * 1440 + 2 * 140);
    expect(networkLayerCount(net)).toBe(5);
  });

  it('dedupes layer shapes in first-occurrence order, across networks too', () => {
    expect(distinctLayers([b, a, aAgain, b])).toEqual([b, a]);
    expect(uniqueLayers([networkOf('x', [a]), networkOf('y', [b, aAgain])])).toEqual([a, b]);
    expect(uniqueLayers(networkOf('x', [a, aAgain]))).toEqual([a]);
  });
});
