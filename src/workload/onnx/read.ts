/**
 * ONNX import: the compute layers of an ONNX model as a `Network`. Pure (bytes in, `Either` out, no Node
 * built-ins), so it runs in a browser as well.
 */
import * as E from 'fp-ts/Either';
import { invalidInput, parseError, type VaesaError } from '../../common/errors';
import { convLayer } from '../layer';
import type { Layer } from '../lower';
import { mergedNetwork, type Network, type NetworkLayer } from '../network';
import { batchedMatmul, depthwiseConv, groupedConv, matmul } from '../problem';
import { DATA_TYPE, ModelProto } from './schema';
import { matmulShape, product, propagate, VALUE_LIMIT, windowShape, type Attributes, type NodeContext, type Propagated, type TensorInfo } from './shapes';

/** The default-domain opsets whose operator semantics the importer knows. */
export const ONNX_OPSETS = { min: 7, max: 23 } as const;

/** Options of `readOnnx`. */
export interface ReadOnnxOptions {
  /** The network's name (default: the graph's name, else `onnx`). */
  readonly name?: string;
  /** Values of symbolic (dynamic) input dimensions by name, e.g. `{ batch: 1, sequence: 128 }`. */
  readonly dimensions?: Readonly<Record<string, number>>;
}

/** Operators that were not costed, by ONNX op type, with how many nodes of each the graph has. */
export interface SkippedOps {
  readonly opType: string;
  readonly count: number;
  /**
   * Elements these nodes write (over the outputs whose shape is known): a measure of the work left
   * out, about one operation per element for element-wise operators, a few for softmax and norms.
   */
  readonly outputElements: number;
}

/** What `readOnnx` returns: the costed layers (repeated shapes merged with counts) and every other node by op type. */
export interface OnnxImport {
  readonly network: Network;
  readonly skipped: readonly SkippedOps[];
}

/** The operators costed as layers. */
export const COSTED_ONNX_OPS: readonly string[] = ['Conv', 'Gemm', 'MatMul'];

// The decoded protobuf messages (protobufjs `toObject` with int64 as numbers): only the fields read.
interface OnnxTensor {
  readonly name?: string;
  readonly dims?: readonly number[];
  readonly dataType?: number;
  readonly rawData?: Uint8Array;
  readonly floatData?: readonly number[];
  readonly int32Data?: readonly number[];
  readonly int64Data?: readonly number[];
  readonly doubleData?: readonly number[];
  readonly uint64Data?: readonly number[];
}
interface OnnxAttribute {
  readonly name?: string;
  readonly f?: number;
  readonly i?: number;
  readonly s?: Uint8Array;
  readonly t?: OnnxTensor;
  readonly floats?: readonly number[];
  readonly ints?: readonly number[];
}
interface OnnxNode {
  readonly input?: readonly string[];
  readonly output?: readonly string[];
  readonly name?: string;
  readonly opType?: string;
  readonly domain?: string;
  readonly attribute?: readonly OnnxAttribute[];
}
interface OnnxDim {
  readonly dimValue?: number;
  readonly dimParam?: string;
}
interface OnnxValueInfo {
  readonly name?: string;
  readonly type?: { readonly tensorType?: { readonly elemType?: number; readonly shape?: { readonly dim?: readonly OnnxDim[] } } };
}
interface OnnxGraph {
  readonly name?: string;
  readonly node?: readonly OnnxNode[];
  readonly initializer?: readonly OnnxTensor[];
  readonly input?: readonly OnnxValueInfo[];
  readonly valueInfo?: readonly OnnxValueInfo[];
}
interface OnnxModel {
  readonly irVersion?: number;
  readonly opsetImport?: readonly { readonly domain?: string; readonly version?: number }[];
  readonly graph?: OnnxGraph;
}

const SOURCE = 'onnx';

function decodeModel(bytes: Uint8Array): E.Either<VaesaError, OnnxModel> {
  if (bytes.length === 0) return E.left(parseError(SOURCE, 'empty file: not an ONNX model'));
  try {
    const message = ModelProto.decode(bytes);
    return E.right(ModelProto.toObject(message, { longs: Number, enums: Number }) as OnnxModel);
  } catch (e) {
    return E.left(parseError(SOURCE, `not a readable ONNX model (truncated or another format): ${(e as Error).message}`));
  }
}

/** The values of a tensor with data, or undefined (no data, too large, or a type whose values are never shape arithmetic). */
function tensorValues(t: OnnxTensor): number[] | undefined {
  const count = product(t.dims ?? []);
  if (count > VALUE_LIMIT) return undefined;
  const typed = [t.int64Data, t.int32Data, t.floatData, t.doubleData, t.uint64Data].find((d) => d !== undefined && d.length > 0);
  if (typed !== undefined) return typed.length === count ? typed.map(Number) : undefined;
  const raw = t.rawData;
  if (raw === undefined || raw.length === 0) return undefined;
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const read: Partial<Record<number, [number, (offset: number) => number]>> = {
    [DATA_TYPE.FLOAT]: [4, (o) => view.getFloat32(o, true)],
    [DATA_TYPE.DOUBLE]: [8, (o) => view.getFloat64(o, true)],
    [DATA_TYPE.INT64]: [8, (o) => Number(view.getBigInt64(o, true))],
    [DATA_TYPE.UINT64]: [8, (o) => Number(view.getBigUint64(o, true))],
    [DATA_TYPE.INT32]: [4, (o) => view.getInt32(o, true)],
    [DATA_TYPE.UINT32]: [4, (o) => view.getUint32(o, true)],
    [DATA_TYPE.INT16]: [2, (o) => view.getInt16(o, true)],
    [DATA_TYPE.UINT16]: [2, (o) => view.getUint16(o, true)],
    [DATA_TYPE.INT8]: [1, (o) => view.getInt8(o)],
    [DATA_TYPE.UINT8]: [1, (o) => view.getUint8(o)],
    [DATA_TYPE.BOOL]: [1, (o) => view.getUint8(o)],
  };
  const reader = read[t.dataType ?? 0];
  if (reader === undefined || raw.length !== reader[0] * count) return undefined;
  return Array.from({ length: count }, (_, i) => reader[1](i * reader[0]));
}

function constantTensor(t: OnnxTensor): TensorInfo {
  const shape = (t.dims ?? []).map(Number);
  const value = tensorValues(t);
  return value === undefined ? { shape, dataType: t.dataType ?? 0, constant: true } : { shape, dataType: t.dataType ?? 0, constant: true, value };
}

function attributesOf(node: OnnxNode): Attributes {
  const byName = new Map((node.attribute ?? []).map((a) => [a.name ?? '', a]));
  return {
    int: (n) => byName.get(n)?.i,
    ints: (n) => byName.get(n)?.ints,
    float: (n) => byName.get(n)?.f,
    floats: (n) => byName.get(n)?.floats,
    string: (n) => {
      const s = byName.get(n)?.s;
      return s === undefined ? undefined : new TextDecoder().decode(s);
    },
    tensor: (n) => {
      const t = byName.get(n)?.t;
      return t === undefined ? undefined : constantTensor(t);
    },
  };
}

/** A static shape from a value_info, or the name of its first dynamic dimension. */
function declaredShape(info: OnnxValueInfo, dimensions: Readonly<Record<string, number>>): { shape?: number[]; dynamic?: string } {
  const dims = info.type?.tensorType?.shape?.dim;
  if (dims === undefined) return {};
  const shape: number[] = [];
  for (const [i, d] of dims.entries()) {
    if (d.dimValue !== undefined && d.dimValue > 0) shape.push(d.dimValue);
    else if (d.dimParam !== undefined && d.dimParam !== '' && Number.isSafeInteger(dimensions[d.dimParam]) && dimensions[d.dimParam] > 0) shape.push(dimensions[d.dimParam]);
    else return { dynamic: d.dimParam !== undefined && d.dimParam !== '' ? d.dimParam : `dimension ${i}` };
  }
  return { shape };
}

/** A node's name for messages. */
const nodeLabel = (node: OnnxNode, index: number): string => `${node.opType ?? '?'} node ${node.name !== undefined && node.name !== '' ? `"${node.name}"` : `#${index}`}`;

/**
 * Reads an ONNX model (`ModelProto` bytes) into a network of its compute layers: every `Conv` (1-D or
 * 2-D; groups, strides, dilations, pads), `Gemm` (transA/transB) and `MatMul` (batched, broadcast, a
 * constant or an activation on either side) becomes a layer, with repeated shapes merged and counted.
 * Shapes come from the graph's inputs, the initializers' dims, `value_info`, and shape propagation
 * through the other operators where `value_info` is missing. Every node that is not costed is
 * counted in `skipped` by op type. A bad file (truncated, not ONNX, an opset outside
 * `ONNX_OPSETS`, a dynamic input dimension with no value in `options.dimensions`, a compute node
 * whose input shape cannot be known) is a `Left` saying which.
 *
 * Conv with group 1 gives a `ConvLayer`; with one group per input channel and as many outputs, a
 * `depthwiseConv`; other groups a `groupedConv`. A product with a constant operand is a `matmul` (the
 * constant as Weights; leading dims folded into M); one with two activations, or with a batched
 * constant, a `batchedMatmul` over the broadcast batch dims.
 */
export function readOnnx(bytes: Uint8Array, options: ReadOnnxOptions = {}): E.Either<VaesaError, OnnxImport> {
  const decoded = decodeModel(bytes);
  if (E.isLeft(decoded)) return decoded;
  const model = decoded.right;
  const graph = model.graph;
  if (graph === undefined || model.irVersion === undefined || model.irVersion < 1) {
    return E.left(parseError(SOURCE, 'not an ONNX model: no IR version or no graph'));
  }
  const opset = (model.opsetImport ?? []).find((o) => o.domain === undefined || o.domain === '' || o.domain === 'ai.onnx')?.version;
  if (opset === undefined) return E.left(parseError(SOURCE, 'the model imports no default-domain (ai.onnx) opset'));
  if (opset < ONNX_OPSETS.min || opset > ONNX_OPSETS.max) {
    return E.left(invalidInput('onnx.opset_import', opset, `unsupported opset: the importer knows ai.onnx opsets ${ONNX_OPSETS.min} to ${ONNX_OPSETS.max}`));
  }
  const dimensions = options.dimensions ?? {};
  const known = new Map<string, TensorInfo>();
  /** Why a tensor's shape is unknown (the first node on its path that could not be propagated). */
  const unknown = new Map<string, string>();
  for (const t of graph.initializer ?? []) known.set(t.name ?? '', constantTensor(t));
  for (const input of graph.input ?? []) {
    const name = input.name ?? '';
    if (known.has(name)) continue; // an initializer listed as an input too (older exporters)
    const d = declaredShape(input, dimensions);
    if (d.shape === undefined) {
      return E.left(invalidInput(`onnx.graph.input.${name}`, d.dynamic ?? 'no shape', 'a dynamic dimension with no value: give it in options.dimensions (the CLI: --onnx-dims name=value)'));
    }
    known.set(name, { shape: d.shape, dataType: input.type?.tensorType?.elemType ?? 0, constant: false });
  }
  const declared = new Map<string, number[]>();
  for (const info of graph.valueInfo ?? []) {
    const d = declaredShape(info, dimensions);
    if (d.shape !== undefined) declared.set(info.name ?? '', d.shape);
  }

  const layers: NetworkLayer[] = [];
  const skipped = new Map<string, { count: number; outputElements: number }>();
  for (const [index, node] of (graph.node ?? []).entries()) {
    const opType = node.opType ?? '';
    const inputNames = node.input ?? [];
    const inputs = inputNames.map((n) => (n === '' ? undefined : known.get(n)));
    const attributes = attributesOf(node);
    const defaultDomain = node.domain === undefined || node.domain === '' || node.domain === 'ai.onnx';
    const costed = defaultDomain && COSTED_ONNX_OPS.includes(opType);
    if (costed) {
      const missing = inputNames.slice(0, 2).find((n) => !known.has(n));
      if (missing !== undefined) {
        const why = unknown.get(missing);
        return E.left(parseError(SOURCE, `cannot cost ${nodeLabel(node, index)}: the shape of its input "${missing}" is unknown${why === undefined ? ' (not produced by any earlier node)' : ` (${why})`}`));
      }
      const layer = layerOf(opType, inputs[0] as TensorInfo, inputs[1] as TensorInfo, attributes);
      if (E.isLeft(layer)) return E.left(parseError(SOURCE, `${nodeLabel(node, index)}: ${layer.left}`));
      layers.push({ layer: layer.right, count: 1 });
    }
    const outputs = node.output ?? [];
    const result = defaultDomain ? propagateSafely({ opType, inputs, inputNames, outputCount: outputs.length, attributes, opset }) : { ok: false as const, reason: `operator ${node.domain}.${opType} is outside the default domain` };
    outputs.forEach((name, k) => {
      if (name === '') return;
      const inferred = result.ok ? result.outputs[k] : undefined;
      const shape = declared.get(name);
      if (shape !== undefined) {
        const constant = inferred?.constant ?? inputs.every((x, i) => inputNames[i] === '' || x?.constant === true);
        const sameShape = inferred !== undefined && inferred.shape.length === shape.length && inferred.shape.every((d, i) => d === shape[i]);
        known.set(name, sameShape ? inferred : { shape, dataType: inferred?.dataType ?? 0, constant });
      } else if (inferred !== undefined) {
        known.set(name, inferred);
      } else {
        const firstUnknown = inputNames.find((n) => n !== '' && unknown.has(n));
        unknown.set(name, firstUnknown !== undefined ? (unknown.get(firstUnknown) as string) : `${nodeLabel(node, index)}: ${result.ok ? 'an input shape is unknown' : result.reason}`);
      }
    });
    if (!costed) {
      const entry = skipped.get(opType) ?? { count: 0, outputElements: 0 };
      entry.count += 1;
      for (const name of outputs) entry.outputElements += product(known.get(name)?.shape ?? [0]);
      skipped.set(opType, entry);
    }
  }
  if (layers.length === 0) return E.left(parseError(SOURCE, `the model has no ${COSTED_ONNX_OPS.join(', ')} node to cost`));
  const name = options.name ?? (graph.name !== undefined && graph.name !== '' ? graph.name : 'onnx');
  return E.right({
    network: mergedNetwork(name, layers),
    skipped: [...skipped.entries()].map(([opType, e]) => ({ opType, count: e.count, outputElements: e.outputElements })).sort((a, b) => b.count - a.count || a.opType.localeCompare(b.opType)),
  });
}

/** `propagate`, with a malformed node (an attribute or input out of range) reported as unknown shapes rather than thrown. */
function propagateSafely(ctx: NodeContext): Propagated {
  try {
    return propagate(ctx);
  } catch (e) {
    return { ok: false, reason: `malformed node (${(e as Error).message})` };
  }
}

function positive(...xs: number[]): boolean {
  return xs.every((x) => Number.isSafeInteger(x) && x > 0);
}

/** The layer of one costed node, or what is wrong with it. */
function layerOf(opType: string, a: TensorInfo, b: TensorInfo, attributes: Attributes): E.Either<string, Layer> {
  const fromProblem = (p: E.Either<VaesaError, Layer>): E.Either<string, Layer> => E.mapLeft((e: VaesaError) => (e._tag === 'InvalidInput' ? `${e.path}: ${e.message} (got ${String(e.value)})` : e.message))(p);
  switch (opType) {
    case 'Conv':
      return convOf(a, b, attributes, fromProblem);
    case 'Gemm': {
      if (a.shape.length !== 2 || b.shape.length !== 2) return E.left(`Gemm operands must be 2-D, got [${a.shape.join(',')}] and [${b.shape.join(',')}]`);
      const transA = (attributes.int('transA') ?? 0) === 1;
      const transB = (attributes.int('transB') ?? 0) === 1;
      const [M, K] = transA ? [a.shape[1], a.shape[0]] : [a.shape[0], a.shape[1]];
      const [K2, N] = transB ? [b.shape[1], b.shape[0]] : [b.shape[0], b.shape[1]];
      if (K !== K2) return E.left(`Gemm inner dimensions differ (${K} and ${K2})`);
      return fromProblem(productLayer(a.constant, b.constant, [], M, N, K));
    }
    default: {
      const out = matmulShape(a.shape, b.shape);
      if (out === undefined) return E.left(`MatMul operands [${a.shape.join(',')}] and [${b.shape.join(',')}] do not multiply`);
      const a2 = a.shape.length === 1 ? [1, a.shape[0]] : a.shape;
      const b2 = b.shape.length === 1 ? [b.shape[0], 1] : b.shape;
      const M = a2[a2.length - 2];
      const K = a2[a2.length - 1];
      const N = b2[b2.length - 1];
      // A 2-D constant on one side multiplies every row of the other: fold the other's batch into its rows.
      if (b.constant && b2.length === 2) return fromProblem(matmul({ M: product(a2.slice(0, -2)) * M, N, K }));
      if (a.constant && a2.length === 2 && !b.constant) return fromProblem(matmul({ M: product(b2.slice(0, -2)) * N, N: M, K }));
      return fromProblem(productLayer(a.constant, b.constant, out.slice(0, out.length - (a.shape.length === 1 ? 0 : 1) - (b.shape.length === 1 ? 0 : 1)), M, N, K));
    }
  }
}

/** A product of two operands with batch dims `batch`: a GEMM when one side is a constant and there is no batch, else a batched product. */
function productLayer(aConstant: boolean, bConstant: boolean, batch: readonly number[], M: number, N: number, K: number): E.Either<VaesaError, Layer> {
  const B = product(batch);
  if (B === 1 && bConstant) return matmul({ M, N, K });
  if (B === 1 && aConstant) return matmul({ M: N, N: M, K });
  return batchedMatmul({ B, M, N, K, weightsAreActivations: !bConstant });
}

function convOf(x: TensorInfo, w: TensorInfo, attributes: Attributes, fromProblem: (p: E.Either<VaesaError, Layer>) => E.Either<string, Layer>): E.Either<string, Layer> {
  const spatial = x.shape.length - 2;
  if (spatial !== 1 && spatial !== 2) return E.left(`only 1-D and 2-D convolutions are costed, got an input of shape [${x.shape.join(',')}]`);
  if (w.shape.length !== x.shape.length) return E.left(`weight shape [${w.shape.join(',')}] does not fit input shape [${x.shape.join(',')}]`);
  const kernel = attributes.ints('kernel_shape') ?? w.shape.slice(2);
  const out = windowShape(x.shape, kernel, attributes);
  const stridesAttr = attributes.ints('strides') ?? kernel.map(() => 1);
  const dilations = attributes.ints('dilations') ?? kernel.map(() => 1);
  // ONNX orders spatial axes (height, width); Timeloop's R, P, W run along the width, S, Q, H along the height.
  const last = spatial - 1;
  const dims = {
    N: x.shape[0],
    R: kernel[last],
    S: spatial === 2 ? kernel[0] : 1,
    P: out[last],
    Q: spatial === 2 ? out[0] : 1,
    strideW: stridesAttr[last],
    strideH: spatial === 2 ? stridesAttr[0] : 1,
    dilationW: dilations[last],
    dilationH: spatial === 2 ? dilations[0] : 1,
  };
  const group = attributes.int('group') ?? 1;
  const C = x.shape[1];
  const K = w.shape[0];
  if (!positive(group, C, K, ...Object.values(dims)) || C % group !== 0 || K % group !== 0 || w.shape[1] * group !== C) {
    return E.left(`inconsistent convolution: input [${x.shape.join(',')}], weight [${w.shape.join(',')}], group ${group}, output [${out.join(',')}]`);
  }
  if (group === 1) return E.right(convLayer({ ...dims, C, K }));
  if (group === C && K === C) return fromProblem(depthwiseConv({ ...dims, G: C }));
  return fromProblem(groupedConv({ ...dims, G: group, C: C / group, K: K / group }));
}
