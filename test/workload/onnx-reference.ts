/**
 * The expected network of a reference ONNX model, built from its `<model>.layers.json` (every Conv,
 * Gemm and MatMul with its dimensions, listed by an independent tool) with the importer's documented
 * rules: group 1 -> ConvLayer, one group per channel -> depthwise, other groups -> grouped; a product
 * with a 2-D constant -> GEMM (batch folded into M); otherwise a batched product.
 */
import * as E from 'fp-ts/Either';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { convLayer } from '../../src/workload/layer';
import type { Layer } from '../../src/workload/lower';
import { mergedNetwork, type Network } from '../../src/workload/network';
import { batchedMatmul, depthwiseConv, groupedConv, matmul } from '../../src/workload/problem';

export const ONNX_REFERENCE = path.resolve(__dirname, '../../../shared/reference/onnx');
export const ONNX_MODELS = ['alexnet', 'resnet50', 'mobilenet_v2', 'squeezenet1_1', 'bert-base'] as const;

interface ReferenceLayer {
  readonly op: 'Conv' | 'Gemm' | 'MatMul';
  readonly macs: number;
  readonly [key: string]: unknown;
}

export interface Reference {
  readonly layers: readonly ReferenceLayer[];
  readonly summary: { readonly total_macs: number; readonly all_node_op_types: Record<string, number>; readonly count_total: number };
}

export function readReference(model: string): Reference {
  return JSON.parse(readFileSync(path.join(ONNX_REFERENCE, `${model}.layers.json`), 'utf8')) as Reference;
}

const must = <T>(e: E.Either<unknown, T>): T => {
  if (E.isLeft(e)) throw new Error(JSON.stringify(e.left));
  return e.right;
};
const prod = (xs: readonly number[]): number => xs.reduce((p, x) => p * x, 1);

function expectedLayer(l: ReferenceLayer): Layer {
  const n = (k: string) => l[k] as number;
  const pair = (k: string) => l[k] as readonly number[];
  if (l.op === 'Conv') {
    const dims = { N: n('batch'), R: n('R'), S: n('S'), P: n('P'), Q: n('Q'), strideH: pair('strides')[0], strideW: pair('strides')[1], dilationH: pair('dilations')[0], dilationW: pair('dilations')[1] };
    const group = n('group');
    if (group === 1) return convLayer({ ...dims, C: n('C'), K: n('K') });
    if (group === n('C') && n('K') === n('C')) return must(depthwiseConv({ ...dims, G: group }));
    return must(groupedConv({ ...dims, G: group, C: n('C') / group, K: n('K') / group }));
  }
  const bConst = l.b_is_const as boolean;
  const aConst = l.a_is_const as boolean;
  const flat = l.flat_gemm as { M: number; N: number; K: number } | null | undefined;
  if (l.op === 'MatMul' && flat) return must(matmul(flat));
  const batch = prod((l.batch_dims as number[] | undefined) ?? []);
  if (batch === 1 && bConst) return must(matmul({ M: n('M'), N: n('N'), K: n('K') }));
  if (batch === 1 && aConst) return must(matmul({ M: n('N'), N: n('M'), K: n('K') }));
  return must(batchedMatmul({ B: batch, M: n('M'), N: n('N'), K: n('K'), weightsAreActivations: !bConst }));
}

/** The reference's layers as a network (repeated shapes merged), named `name`. */
export function expectedNetwork(reference: Reference, name: string): Network {
  return mergedNetwork(name, reference.layers.map((l) => ({ layer: expectedLayer(l), count: 1 })));
}
