import * as E from 'fp-ts/Either';
import * as path from 'node:path';
import {
  convLayer,
  getNetwork,
  layerMacs,
  layerName,
  networkLayerCount,
  networkMacs,
  networks,
  uniqueLayers,
  VAESA_NETWORKS,
  COSA_NETWORKS,
  isProblem,
  layerKey,
  lowerNetwork,
  transformerBlock,
  type ConvLayer,
  type Network,
} from '../../src/workload';
import { expectedNetwork, readReference } from './onnx-reference';

const right = <T>(e: E.Either<unknown, T>): T => {
  if (E.isLeft(e)) throw new Error(`expected Right, got ${JSON.stringify(e.left)}`);
  return e.right;
};
import { readCosaNetworkDir } from '../../src/workload/files';

const cosaWorkloads = path.resolve(__dirname, '../../../shared/reference/cosa/workloads');

/** ResNet-50 v1.5 (stride on the 3x3 conv) written out from its definition, one entry per layer occurrence. */
function resnet50Layers(): ConvLayer[] {
  const out: ConvLayer[] = [convLayer({ R: 7, S: 7, P: 112, Q: 112, C: 3, K: 64, N: 1, strideW: 2, strideH: 2 })];
  let inC = 64;
  let size = 56;
  [
    { blocks: 3, width: 64 },
    { blocks: 4, width: 128 },
    { blocks: 6, width: 256 },
    { blocks: 3, width: 512 },
  ].forEach(({ blocks, width }, stage) => {
    for (let b = 0; b < blocks; b++) {
      const stride = stage > 0 && b === 0 ? 2 : 1;
      const inSize = size;
      const outSize = inSize / stride;
      out.push(convLayer({ R: 1, S: 1, P: inSize, Q: inSize, C: inC, K: width, N: 1 }));
      out.push(convLayer({ R: 3, S: 3, P: outSize, Q: outSize, C: width, K: width, N: 1, strideW: stride, strideH: stride }));
      out.push(convLayer({ R: 1, S: 1, P: outSize, Q: outSize, C: width, K: 4 * width, N: 1 }));
      if (b === 0) out.push(convLayer({ R: 1, S: 1, P: outSize, Q: outSize, C: inC, K: 4 * width, N: 1, strideW: stride, strideH: stride }));
      inC = 4 * width;
      size = outSize;
    }
  });
  out.push(convLayer({ R: 1, S: 1, P: 1, Q: 1, C: 2048, K: 1000, N: 1 }));
  return out;
}

/** VGG-16 written out from its definition (3x3 convs, 2x2 pooling, three FC layers). */
function vgg16Layers(): ConvLayer[] {
  const out: ConvLayer[] = [];
  let inC = 3;
  let size = 224;
  for (const v of [64, 64, 'M', 128, 128, 'M', 256, 256, 256, 'M', 512, 512, 512, 'M', 512, 512, 512, 'M'] as const) {
    if (v === 'M') {
      size /= 2;
      continue;
    }
    out.push(convLayer({ R: 3, S: 3, P: size, Q: size, C: inC, K: v, N: 1 }));
    inC = v;
  }
  out.push(convLayer({ R: 1, S: 1, P: 1, Q: 1, C: 512 * 7 * 7, K: 4096, N: 1 }));
  out.push(convLayer({ R: 1, S: 1, P: 1, Q: 1, C: 4096, K: 4096, N: 1 }));
  out.push(convLayer({ R: 1, S: 1, P: 1, Q: 1, C: 4096, K: 1000, N: 1 }));
  return out;
}

function countByName(layers: readonly ConvLayer[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const l of layers) m.set(layerName(l), (m.get(layerName(l)) ?? 0) + 1);
  return m;
}

describe('built-in networks', () => {
  it('ResNet-50 has the layers of its definition with the right counts and MACs', () => {
    const reference = resnet50Layers();
    expect(reference).toHaveLength(54);
    const expectedMacs = reference.reduce((s, l) => s + layerMacs(l), 0);
    // The commonly quoted ~4.09 GMACs of ResNet-50 (FC layer included).
    expect(expectedMacs).toBe(4_089_184_256);
    expect(networkMacs(networks.resnet50)).toBe(expectedMacs);
    expect(networkLayerCount(networks.resnet50)).toBe(54);
    expect(new Map(networks.resnet50.layers.map((e) => [layerName(e.layer), e.count]))).toEqual(countByName(reference));
  });

  it("ResNet-50's unique-layer MAC sum matches a hand-written subset plus the rest", () => {
    const unique = uniqueLayers(networks.resnet50);
    expect(unique).toHaveLength(24);
    // The first three unique layers in CoSA's order, by hand: 7*7*112*112*3*64, 56*56*64*64, 3*3*56*56*64*64.
    expect(unique.slice(0, 3).map(layerMacs)).toEqual([118_013_952, 12_845_056, 115_605_504]);
    const uniqueSum = unique.reduce((s, l) => s + layerMacs(l), 0);
    const fromDefinition = [...new Map(resnet50Layers().map((l) => [layerName(l), l])).values()].reduce((s, l) => s + layerMacs(l), 0);
    expect(uniqueSum).toBe(fromDefinition);
  });

  it("AlexNet's MACs are the sum of its eight layers computed by hand", () => {
    const byHand = [
      11 * 11 * 55 * 55 * 3 * 64, // 70,276,800
      5 * 5 * 27 * 27 * 64 * 192,
      3 * 3 * 13 * 13 * 192 * 384,
      3 * 3 * 13 * 13 * 384 * 256,
      3 * 3 * 13 * 13 * 256 * 256,
      9216 * 4096,
      4096 * 4096,
      4096 * 1000,
    ];
    expect(byHand[0]).toBe(70_276_800);
    expect(networkMacs(networks.alexnet)).toBe(byHand.reduce((a, b) => a + b, 0));
    expect(networkMacs(networks.alexnet)).toBe(714_188_480);
  });

  it('VGG-16 merges its repeated layers and keeps the MACs of its definition', () => {
    const reference = vgg16Layers();
    expect(networkLayerCount(networks.vgg16)).toBe(16);
    expect(networks.vgg16.layers).toHaveLength(12);
    expect(networkMacs(networks.vgg16)).toBe(reference.reduce((s, l) => s + layerMacs(l), 0));
    expect(new Map(networks.vgg16.layers.map((e) => [layerName(e.layer), e.count]))).toEqual(countByName(reference));
  });

  it("VAESA's four networks have 57 distinct layers (131,328 rows = 2,304 designs x 57 layers)", () => {
    const layers = uniqueLayers(VAESA_NETWORKS.map((n) => networks[n]));
    expect(layers).toHaveLength(57);
    expect(2304 * layers.length).toBe(131_328);
    expect(uniqueLayers(networks.deepbench)).toHaveLength(9);
    expect(uniqueLayers(networks.resnext50_32x4d)).toHaveLength(25);
  });

  it('the generated TS data equals what the reference folders give today', async () => {
    for (const name of COSA_NETWORKS) {
      const fromFiles = await readCosaNetworkDir(path.join(cosaWorkloads, `${name}_graph`), name);
      expect(fromFiles).toEqual(E.right(networks[name]));
    }
  });

  it('getNetwork finds built-ins and names the bad name', () => {
    expect(getNetwork('resnet50')).toEqual(E.right(networks.resnet50));
    const bad = getNetwork('resnet51');
    expect(E.isLeft(bad) && bad.left).toMatchObject({ _tag: 'InvalidInput', path: 'network', value: 'resnet51' });
    expect(E.isLeft(getNetwork('toString'))).toBe(true);
  });
});

describe('networks written from their definitions', () => {
  const keyCounts = (n: Network) => Object.fromEntries(n.layers.map((e) => [layerKey(e.layer), e.count]));

  test('MobileNetV2 and BERT-base (128) are the layers PyTorch exports', () => {
    expect(keyCounts(networks['mobilenet-v2'])).toEqual(keyCounts(expectedNetwork(readReference('mobilenet_v2'), 'm')));
    expect(keyCounts(networks['bert-base-128'])).toEqual(keyCounts(expectedNetwork(readReference('bert-base'), 'b')));
  });

  test("ResNeXt-50's grouped convolutions lower to CoSA's per-group list, same MACs", () => {
    const grouped = networks['resnext50-grouped'];
    expect(networkMacs(grouped)).toBe(networkMacs(networks.resnext50_32x4d));
    const g = grouped.layers.filter((e) => isProblem(e.layer) && e.layer.kind === 'grouped-conv');
    expect(g.reduce((s, e) => s + e.count, 0)).toBe(16);
  });

  test('ViT-B/16 is 17.56 GMACs (torchvision), transformers count blocks x 8 products plus heads', () => {
    expect(networkMacs(networks['vit-b16'])).toBe(17_563_828_224);
    expect(networkLayerCount(networks['gpt2-prefill'])).toBe(12 * 8 + 1);
    expect(networkLayerCount(networks['llama7b-decode'])).toBe(32 * 9 + 1);
  });

  test('prefill and decode of a Llama-7B block: known MACs', () => {
    const [d, f, n, h] = [4096, 11008, 2048, 32];
    const block = (kind: 'prefill' | 'decode') => networkMacs(right(transformerBlock({ hidden: d, heads: h, ffn: f, seq: n, kind, gated: true })));
    // projections 4·d² and the SwiGLU FFN 3·d·f per token; Q·Kᵀ and P·V h·(d/h)·n each per query
    expect(block('prefill')).toBe(n * (4 * d * d + 3 * d * f) + 2 * n * n * d);
    expect(block('decode')).toBe(4 * d * d + 3 * d * f + 2 * n * d);
    expect(networkMacs(networks['llama7b-decode'])).toBe(32 * block('decode') + 4096 * 32000);
  });

  test('transformerBlock rejects bad shapes', () => {
    expect(transformerBlock({ hidden: 768, heads: 10, ffn: 3072, seq: 8, kind: 'prefill' })).toMatchObject(E.left({ path: 'transformerBlock.heads' }));
    expect(transformerBlock({ hidden: 768, heads: 12, ffn: 0, seq: 8, kind: 'decode' })).toMatchObject(E.left({ path: 'transformerBlock.ffn' }));
  });

  test('every built-in is reachable by name and lowers to convolutions with the same MACs', () => {
    for (const [name, network] of Object.entries(networks)) {
      expect(getNetwork(name)).toEqual(E.right(network));
      expect(networkMacs(right(lowerNetwork(network)))).toBe(networkMacs(network));
    }
  });
});
