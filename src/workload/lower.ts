import * as t from 'io-ts';
import * as E from 'fp-ts/Either';
import { decodeWith, formatError, invalidInput, type VaesaError } from '../common/errors';
import { ConvLayerCodec, layerMacs, layerName, type ConvLayer } from './layer';
import { conv2d, problemKey, problemMacs, validateProblem, type Problem } from './problem';

/**
 * One layer of a network: a `ConvLayer` (VAESA's and CoSA's layers, the convenient form of a 2-D
 * convolution) or any `Problem` (grouped and depthwise convolutions, GEMMs, batched matmuls, custom
 * shapes). `isProblem` tells them apart.
 */
export type Layer = ConvLayer | Problem;

/** Whether a layer is a `Problem` (it has a `shape`) rather than a `ConvLayer`. */
export function isProblem(layer: Layer): layer is Problem {
  return 'shape' in layer;
}

/** A layer as a `Problem` (a `ConvLayer` becomes a `conv2d` problem). */
export function layerProblem(layer: Layer): Problem {
  if (isProblem(layer)) return layer;
  const p = conv2d(layer);
  // A ConvLayer is valid by construction (its codec checks every field), so conv2d cannot refuse it.
  if (E.isLeft(p)) throw new Error(`layerProblem: ${formatError(p.left)}`);
  return p.right;
}

/** Multiply-accumulates of one occurrence of a layer. */
export function layerMacsOf(layer: Layer): number {
  return isProblem(layer) ? problemMacs(layer) : layerMacs(layer);
}

/**
 * A stable key of a layer's shape, for merging repeats: `layerName` for a convolution (a `conv2d`
 * problem and the equal `ConvLayer` share it), `problemKey` for every other problem.
 */
export function layerKey(layer: Layer): string {
  if (!isProblem(layer)) return layerName(layer);
  return layer.kind === 'conv2d' ? layerName(conv2dAsLayer(layer)) : problemKey(layer);
}

/** A short human label: `layerName` for a convolution, otherwise the kind and its bounds (`matmul M128_N768_K768`). */
export function layerLabel(layer: Layer): string {
  if (!isProblem(layer)) return layerName(layer);
  if (layer.kind === 'conv2d') return layerName(conv2dAsLayer(layer));
  const bounds = layer.shape.dimensions.map((d) => `${d}${layer.bounds[d]}`).join('_');
  const strides = ['Wstride', 'Hstride']
    .filter((c) => (layer.coefficients[c] ?? 1) !== 1)
    .map((c) => `_${c}${layer.coefficients[c]}`)
    .join('');
  const operands = layer.kind === 'batched-matmul' && layer.weightsAreActivations ? ' (act x act)' : '';
  return `${layer.kind === 'custom' ? layer.shape.name : layer.kind} ${bounds}${strides}${operands}`;
}

function conv2dAsLayer(p: Problem): ConvLayer {
  const b = p.bounds;
  const c = p.coefficients;
  return {
    R: b.R,
    S: b.S,
    P: b.P,
    Q: b.Q,
    C: b.C,
    K: b.K,
    N: b.N,
    strideW: c.Wstride ?? 1,
    strideH: c.Hstride ?? 1,
    dilationW: c.Wdilation ?? 1,
    dilationH: c.Hdilation ?? 1,
  };
}

/** A convolution and how many times it stands for one occurrence of the lowered problem. */
export interface LoweredConv {
  readonly layer: ConvLayer;
  readonly count: number;
}

/**
 * Rewrites a layer as 2-D convolutions, for templates and mappers that only know Timeloop's
 * `cnn-layer` (Simba's `ArchConfig`). Exact for MACs and for the data each group or batch touches:
 * - a `ConvLayer` or `conv2d` problem is itself;
 * - `matmul` (M, N, K) is a 1x1 convolution with P = M, C = K, K = N (Inputs = A[M][K], Weights =
 *   B[K][N], Outputs = Z[M][N] keep their roles);
 * - `grouped-conv` with G groups is G x the per-group convolution;
 * - `depthwise-conv` over G channels is G x a single-channel convolution (C = K = 1);
 * - `batched-matmul` with B batches is B x the GEMM (an activation second operand is costed as Weights).
 * What is lost is parallelism across groups or batches (each copy is mapped alone), and for a
 * depthwise convolution the reuse a mapper could find by unrolling channels. A `custom` problem has no
 * lowering and comes back as an error.
 */
export function lowerToConvLayers(layer: Layer): E.Either<VaesaError, readonly LoweredConv[]> {
  if (!isProblem(layer)) return E.right([{ layer, count: 1 }]);
  const b = layer.bounds;
  const c = layer.coefficients;
  const strides = {
    strideW: c.Wstride ?? 1,
    strideH: c.Hstride ?? 1,
    dilationW: c.Wdilation ?? 1,
    dilationH: c.Hdilation ?? 1,
  };
  switch (layer.kind) {
    case 'conv2d':
      return E.right([{ layer: conv2dAsLayer(layer), count: 1 }]);
    case 'grouped-conv':
      return E.right([{ layer: { R: b.R, S: b.S, P: b.P, Q: b.Q, C: b.C, K: b.K, N: b.N, ...strides }, count: b.G }]);
    case 'depthwise-conv':
      return E.right([{ layer: { R: b.R, S: b.S, P: b.P, Q: b.Q, C: 1, K: 1, N: b.N, ...strides }, count: b.G }]);
    case 'matmul':
      return E.right([{ layer: gemmAsConv(b.M, b.N, b.K), count: 1 }]);
    case 'batched-matmul':
      return E.right([{ layer: gemmAsConv(b.M, b.N, b.K), count: b.B }]);
    case 'custom':
      return E.left(invalidInput('layer', layer.shape.name, 'a custom problem shape has no lowering to 2-D convolutions (cost it on an ArchSpec with the generic mapper)'));
  }
}

function gemmAsConv(M: number, N: number, K: number): ConvLayer {
  return { R: 1, S: 1, P: M, Q: 1, C: K, K: N, N: 1, strideW: 1, strideH: 1, dilationW: 1, dilationH: 1 };
}

const ProjectionTermCodec = t.intersection([t.type({ dim: t.string }), t.partial({ coefficient: t.string })]);
const ProblemFields = t.intersection([
  t.type({
    kind: t.keyof({ conv2d: null, 'grouped-conv': null, 'depthwise-conv': null, matmul: null, 'batched-matmul': null, custom: null }),
    shape: t.type({
      name: t.string,
      dimensions: t.array(t.string),
      coefficients: t.record(t.string, t.number),
      dataSpaces: t.array(t.type({ name: t.string, projection: t.array(t.array(ProjectionTermCodec)), readWrite: t.boolean })),
    }),
    bounds: t.record(t.string, t.number),
  }),
  t.partial({ coefficients: t.record(t.string, t.number), weightsAreActivations: t.boolean }),
]);

/** Decodes a `Problem` as JSON holds it (as `JSON.stringify` writes one), checked by `validateProblem`. */
export function decodeProblem(value: unknown, root = ''): E.Either<VaesaError, Problem> {
  const fields = decodeWith(ProblemFields, value, root);
  if (E.isLeft(fields)) return fields;
  const v = fields.right;
  return validateProblem({ kind: v.kind, shape: v.shape, bounds: v.bounds, coefficients: v.coefficients ?? {}, weightsAreActivations: v.weightsAreActivations ?? false }, root === '' ? 'problem' : root);
}

/** io-ts codec of a `Layer`: an object with a `shape` is a `Problem`, anything else a `ConvLayer`. */
export const LayerCodec = new t.Type<Layer, Layer, unknown>(
  'Layer',
  (u): u is Layer => ConvLayerCodec.is(u) || (typeof u === 'object' && u !== null && 'shape' in u),
  (u, c) => {
    if (typeof u === 'object' && u !== null && 'shape' in u) {
      const p = decodeProblem(u);
      return E.isRight(p) ? t.success(p.right) : t.failure(u, c, formatError(p.left));
    }
    return ConvLayerCodec.validate(u, c);
  },
  (a) => a,
);
