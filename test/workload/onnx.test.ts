import * as E from 'fp-ts/Either';
import * as fc from 'fast-check';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { convLayer, layerKey, networkMacs, type Network } from '../../src/workload';
import { readOnnx } from '../../src/workload/onnx/read';
import { ModelProto } from '../../src/workload/onnx/schema';
import { batchedMatmul, depthwiseConv, groupedConv, matmul } from '../../src/workload/problem';
import { buildOnnx } from './onnx-build';
import { expectedNetwork, ONNX_MODELS, ONNX_REFERENCE, readReference } from './onnx-reference';

const right = <T>(e: E.Either<unknown, T>): T => {
  if (E.isLeft(e)) throw new Error(`expected Right, got ${JSON.stringify(e.left)}`);
  return e.right;
};

/** Layer key -> count, so networks compare regardless of the order of first occurrence. */
const counts = (n: Network) => Object.fromEntries(n.layers.map((e) => [layerKey(e.layer), e.count]));

const modelBytes = (m: string) => new Uint8Array(readFileSync(path.join(ONNX_REFERENCE, `${m}.onnx`)));

describe('readOnnx on PyTorch-exported models', () => {
  test.each(ONNX_MODELS)('%s: every Conv, Gemm and MatMul with its dimensions and count; every other node counted', (model) => {
    const ref = readReference(model);
    const { network, skipped } = right(readOnnx(modelBytes(model), { name: model }));
    expect(counts(network)).toEqual(counts(expectedNetwork(ref, model)));
    expect(networkMacs(network)).toBe(ref.summary.total_macs);
    expect(network.layers.reduce((s, e) => s + e.count, 0)).toBe(ref.summary.count_total);
    const costed = Object.fromEntries(Object.entries(ref.summary.all_node_op_types).filter(([op]) => ['Conv', 'Gemm', 'MatMul'].includes(op)));
    const seen = { ...Object.fromEntries(skipped.map((s) => [s.opType, s.count])), ...costed };
    expect(seen).toEqual(ref.summary.all_node_op_types);
  });

  test('MobileNetV2 depthwise layers are depthwise convolutions, BERT attention products have two activations', () => {
    const mobilenet = right(readOnnx(modelBytes('mobilenet_v2'))).network;
    const dw = mobilenet.layers.filter((e) => 'shape' in e.layer && e.layer.kind === 'depthwise-conv');
    expect(dw.reduce((s, e) => s + e.count, 0)).toBe(17);
    const bert = right(readOnnx(modelBytes('bert-base'))).network;
    const attention = bert.layers.filter((e) => 'shape' in e.layer && e.layer.kind === 'batched-matmul' && e.layer.weightsAreActivations);
    expect(attention.map((e) => e.count)).toEqual([12, 12]);
  });
});

describe('readOnnx on bad files', () => {
  const good = modelBytes('alexnet');
  const reencode = (edit: (m: Record<string, any>) => void): Uint8Array => {
    const m = ModelProto.toObject(ModelProto.decode(good), { longs: Number }) as Record<string, any>;
    edit(m);
    return ModelProto.encode(ModelProto.fromObject(m)).finish();
  };

  test('a truncated file, another format, an empty file', () => {
    for (const bytes of [good.slice(0, Math.floor(good.length / 2)), new TextEncoder().encode('{"layers": [[3, 3, 13, 13, 384, 256, 1, 1, 1]]}'), new Uint8Array()]) {
      const r = readOnnx(bytes);
      expect(E.isLeft(r) && r.left._tag).toBe('ParseError');
    }
  });

  test('corrupted bytes give a Left or a network, never an exception', () => {
    const small = modelBytes('squeezenet1_1');
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(small.length - 1), fc.nat(255)), { minLength: 1, maxLength: 8 }), (edits) => {
        const bytes = small.slice();
        for (const [at, value] of edits) bytes[at] = value;
        const r = readOnnx(bytes);
        expect(E.isLeft(r) || r.right.network.layers.length > 0).toBe(true);
      }),
      { numRuns: 300, seed: 7 },
    );
  });

  test('an unsupported opset names it', () => {
    const r = readOnnx(reencode((m) => (m.opsetImport = [{ domain: '', version: 99 }])));
    expect(E.isLeft(r) && r.left).toMatchObject({ _tag: 'InvalidInput', path: 'onnx.opset_import', value: 99 });
  });

  test('a dynamic dimension needs a value', () => {
    const dynamic = reencode((m) => (m.graph.input[0].type.tensorType.shape.dim[0] = { dimParam: 'batch' }));
    const r = readOnnx(dynamic);
    expect(E.isLeft(r) && r.left).toMatchObject({ _tag: 'InvalidInput', path: 'onnx.graph.input.input', value: 'batch' });
    const bound = right(readOnnx(dynamic, { dimensions: { batch: 4 } }));
    expect(networkMacs(bound.network)).toBe(4 * readReference('alexnet').summary.total_macs); // Flatten carries the batch into the Gemms' rows
  });
});

describe('readOnnx shape propagation', () => {
  test('attention written with Shape/Gather/Concat/Reshape, Split and Transpose, no value_info', () => {
    // x [1, 8, 32] -> fused QKV [1, 8, 96] -> split -> heads [1, 8, 4, 8] -> [1, 4, 8, 8]; Q·Kᵀ, P·V; output projection
    const bytes = buildOnnx({
      inputs: { x: [1, 8, 32] },
      weights: { wqkv: [32, 96], wo: [32, 32] },
      ints: { zero: [0], one: [1], heads: [4], headDim: [-1], split: [32, 32, 32] },
      nodes: [
        { op: 'MatMul', inputs: ['x', 'wqkv'], outputs: ['qkv'] },
        { op: 'Split', inputs: ['qkv', 'split'], outputs: ['q', 'k', 'v'], attrs: { axis: 2 } },
        { op: 'Shape', inputs: ['q'], outputs: ['qs'] },
        { op: 'Gather', inputs: ['qs', 'zero'], outputs: ['b'], attrs: { axis: 0 } },
        { op: 'Gather', inputs: ['qs', 'one'], outputs: ['t'], attrs: { axis: 0 } },
        { op: 'Concat', inputs: ['b', 't', 'heads', 'headDim'], outputs: ['hshape'], attrs: { axis: 0 } },
        ...['q', 'k', 'v'].flatMap((n) => [
          { op: 'Reshape', inputs: [n, 'hshape'], outputs: [`${n}h`] },
          { op: 'Transpose', inputs: [`${n}h`], outputs: [`${n}t`], attrs: { perm: n === 'k' ? [0, 2, 3, 1] : [0, 2, 1, 3] } },
        ]),
        { op: 'MatMul', inputs: ['qt', 'kt'], outputs: ['scores'] },
        { op: 'Softmax', inputs: ['scores'], outputs: ['p'], attrs: { axis: -1 } },
        { op: 'MatMul', inputs: ['p', 'vt'], outputs: ['ctx'] },
        { op: 'Transpose', inputs: ['ctx'], outputs: ['ctxT'], attrs: { perm: [0, 2, 1, 3] } },
        { op: 'Flatten', inputs: ['ctxT'], outputs: ['flat'], attrs: { axis: 2 } },
        { op: 'Reshape', inputs: ['flat', 'hshapeBack'], outputs: ['ctx2'] },
        { op: 'MatMul', inputs: ['ctx2', 'wo'], outputs: ['y'] },
      ].map((n) => (n.op === 'Reshape' && n.inputs[1] === 'hshapeBack' ? { ...n, inputs: ['flat', 'back'] } : n)),
    });
    // 'back' is missing on purpose: the last projection's input shape cannot be known
    const r = readOnnx(bytes);
    expect(E.isLeft(r) && r.left._tag === 'ParseError' && r.left.message).toMatch(/MatMul node "MatMul_\d+".*"ctx2"/);
  });

  test('the same attention with every shape known', () => {
    const bytes = buildOnnx({
      inputs: { x: [1, 8, 32] },
      weights: { wqkv: [32, 96], wo: [32, 32] },
      ints: { shape4: [1, 8, 4, 8], shape3: [1, 8, 32], split: [32, 32, 32] },
      nodes: [
        { op: 'MatMul', inputs: ['x', 'wqkv'], outputs: ['qkv'] },
        { op: 'Split', inputs: ['qkv', 'split'], outputs: ['q', 'k', 'v'], attrs: { axis: 2 } },
        ...['q', 'k', 'v'].flatMap((n) => [
          { op: 'Reshape', inputs: [n, 'shape4'], outputs: [`${n}h`] },
          { op: 'Transpose', inputs: [`${n}h`], outputs: [`${n}t`], attrs: { perm: n === 'k' ? [0, 2, 3, 1] : [0, 2, 1, 3] } },
        ]),
        { op: 'MatMul', inputs: ['qt', 'kt'], outputs: ['scores'] },
        { op: 'Softmax', inputs: ['scores'], outputs: ['p'], attrs: { axis: -1 } },
        { op: 'MatMul', inputs: ['p', 'vt'], outputs: ['ctx'] },
        { op: 'Transpose', inputs: ['ctx'], outputs: ['ctxT'], attrs: { perm: [0, 2, 1, 3] } },
        { op: 'Reshape', inputs: ['ctxT', 'shape3'], outputs: ['ctx2'] },
        { op: 'MatMul', inputs: ['ctx2', 'wo'], outputs: ['y'] },
      ],
    });
    const { network, skipped } = right(readOnnx(bytes));
    expect(counts(network)).toEqual(
      counts({
        name: 'x',
        layers: [
          { layer: right(matmul({ M: 8, N: 96, K: 32 })), count: 1 },
          { layer: right(batchedMatmul({ B: 4, M: 8, N: 8, K: 8 })), count: 2 },
          { layer: right(matmul({ M: 8, N: 32, K: 32 })), count: 1 },
        ],
      }),
    );
    // every tensor after the first product is 8 tokens x 32 wide (256 elements), split into three
    expect(skipped).toEqual([
      { opType: 'Reshape', count: 4, outputElements: 4 * 256 },
      { opType: 'Transpose', count: 4, outputElements: 4 * 256 },
      { opType: 'Softmax', count: 1, outputElements: 4 * 8 * 8 },
      { opType: 'Split', count: 1, outputElements: 3 * 256 },
    ]);
  });

  test('convolutions: padding, strides, dilations, groups, 1-D, non-square; Gemm with transA and two activations', () => {
    const bytes = buildOnnx({
      inputs: { x: [2, 16, 20, 30], s: [1, 8, 100], a: [64, 10], b: [64, 12] },
      weights: { w1: [32, 16, 3, 5], w2: [32, 8, 3, 3], w3: [32, 1, 3, 3], w4: [8, 8, 7] },
      nodes: [
        { op: 'Conv', inputs: ['x', 'w1'], outputs: ['y1'], attrs: { pads: [1, 2, 1, 2], strides: [2, 1], dilations: [1, 1] } },
        { op: 'Conv', inputs: ['y1', 'w2'], outputs: ['y2'], attrs: { group: 4, pads: [2, 2, 2, 2], dilations: [2, 2] } },
        { op: 'Conv', inputs: ['y2', 'w3'], outputs: ['y3'], attrs: { group: 32, auto_pad: 'SAME_UPPER', strides: [2, 2] } },
        { op: 'Conv', inputs: ['s', 'w4'], outputs: ['t'], attrs: { strides: [3] } },
        { op: 'Gemm', inputs: ['a', 'b'], outputs: ['g'], attrs: { transA: 1 } },
      ],
    });
    const { network } = right(readOnnx(bytes));
    // y1: H (20+2-3)/2+1 = 10, W 30+4-5+1 = 30; y2: H 10+4-5+1 = 10, W 30; y3: ceil(10/2) = 5, ceil(30/2) = 15; t: (100-7)/3+1 = 32
    expect(network.layers.map((e) => e.layer)).toEqual([
      convLayer({ N: 2, C: 16, K: 32, R: 5, S: 3, P: 30, Q: 10, strideW: 1, strideH: 2 }),
      right(groupedConv({ G: 4, N: 2, C: 8, K: 8, R: 3, S: 3, P: 30, Q: 10, dilationW: 2, dilationH: 2 })),
      right(depthwiseConv({ G: 32, N: 2, R: 3, S: 3, P: 15, Q: 5, strideW: 2, strideH: 2 })),
      convLayer({ N: 1, C: 8, K: 8, R: 7, S: 1, P: 32, Q: 1, strideW: 3 }),
      right(batchedMatmul({ B: 1, M: 10, N: 12, K: 64 })),
    ]);
  });

  test('a transposed convolution (not costed) passes its output shape on', () => {
    const bytes = buildOnnx({
      inputs: { x: [1, 8, 7, 9] },
      weights: { up: [8, 4, 3, 3], w: [16, 4, 1, 1] },
      nodes: [
        { op: 'ConvTranspose', inputs: ['x', 'up'], outputs: ['u'], attrs: { strides: [2, 2], pads: [1, 1, 1, 1], output_padding: [1, 0] } },
        { op: 'Conv', inputs: ['u', 'w'], outputs: ['y'] },
      ],
    });
    // height 2·(7-1) + 1 + 3 - 2 = 14, width 2·(9-1) + 0 + 3 - 2 = 17
    expect(right(readOnnx(bytes)).network.layers).toEqual([{ layer: convLayer({ N: 1, C: 4, K: 16, R: 1, S: 1, P: 17, Q: 14 }), count: 1 }]);
  });

  test('MatMul with the constant on the left, broadcast batches, value_info where propagation stops', () => {
    const bytes = buildOnnx({
      inputs: { x: [3, 64, 10], y: [2, 1, 5, 6], z: [4, 6, 7] },
      weights: { w: [20, 64] },
      nodes: [
        { op: 'MatMul', inputs: ['w', 'x'], outputs: ['wx'] },
        { op: 'MatMul', inputs: ['y', 'z'], outputs: ['yz'] },
        { op: 'MyOp', inputs: ['yz'], outputs: ['u'], domain: 'com.example' },
        { op: 'MatMul', inputs: ['u', 'z'], outputs: ['uz'] },
      ],
      valueInfo: { u: [2, 4, 5, 6] },
    });
    const { network, skipped } = right(readOnnx(bytes));
    expect(network.layers).toEqual([
      { layer: right(matmul({ M: 30, N: 20, K: 64 })), count: 1 },
      { layer: right(batchedMatmul({ B: 8, M: 5, N: 7, K: 6 })), count: 2 },
    ]);
    expect(skipped).toEqual([{ opType: 'MyOp', count: 1, outputElements: 2 * 4 * 5 * 6 }]);
  });
});
