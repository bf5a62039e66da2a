import * as E from 'fp-ts/Either';
import { invalidInput, type VaesaError } from '../common/errors';
import type { Layer } from './lower';
import type { Network, NetworkLayer } from './network';
import { batchedMatmul, matmul } from './problem';

/**
 * One transformer block's shape. `prefill` runs `seq` tokens at once (an encoder such as BERT or ViT,
 * or an LLM reading its prompt); `decode` runs one new token against a KV cache of `seq` tokens.
 */
export interface TransformerBlockOptions {
  /** Model width d. */
  readonly hidden: number;
  /** Attention heads h (d divisible by h; head width d / h). */
  readonly heads: number;
  /** Feed-forward width. */
  readonly ffn: number;
  /** Tokens: the sequence in `prefill`, the KV cache length in `decode`. */
  readonly seq: number;
  readonly kind: 'prefill' | 'decode';
  /** A gated FFN (SwiGLU: gate and up projections, then down) instead of two projections. Default false. */
  readonly gated?: boolean;
  /** Sequences processed together (default 1): multiplies the token rows and the attention batches. */
  readonly batch?: number;
  /** Name of the returned network (default `transformer-block`). */
  readonly name?: string;
}

/**
 * The matrix products of one transformer block, the operators vaesa costs: Q, K, V and output
 * projections (GEMMs against weights), Q·Kᵀ and P·V (batched products of two activations, one batch
 * per head), and the FFN's projections. Softmax, normalisation, residual adds, activation functions
 * and rotary embeddings are element-wise and not costed. A causal mask does not shrink Q·Kᵀ: the full
 * product is counted, as dense kernels compute it.
 */
export function transformerBlock(options: TransformerBlockOptions): E.Either<VaesaError, Network> {
  const { hidden, heads, ffn, seq, kind } = options;
  const batch = options.batch ?? 1;
  for (const [field, v] of Object.entries({ hidden, heads, ffn, seq, batch })) {
    if (!(Number.isSafeInteger(v) && v > 0)) return E.left(invalidInput(`transformerBlock.${field}`, v, 'must be a positive integer'));
  }
  if (kind !== 'prefill' && kind !== 'decode') return E.left(invalidInput('transformerBlock.kind', kind, "must be 'prefill' or 'decode'"));
  if (hidden % heads !== 0) return E.left(invalidInput('transformerBlock.heads', heads, `must divide hidden (${hidden})`));
  const headDim = hidden / heads;
  const queries = kind === 'prefill' ? seq : 1;
  const rows = batch * queries;
  const entries: { layer: E.Either<VaesaError, Layer>; count: number }[] = [
    { layer: matmul({ M: rows, K: hidden, N: hidden }), count: 4 }, // Q, K, V and the output projection
    { layer: batchedMatmul({ B: batch * heads, M: queries, K: headDim, N: seq }), count: 1 }, // Q·Kᵀ
    { layer: batchedMatmul({ B: batch * heads, M: queries, K: seq, N: headDim }), count: 1 }, // P·V
    { layer: matmul({ M: rows, K: hidden, N: ffn }), count: options.gated === true ? 2 : 1 }, // up (and gate)
    { layer: matmul({ M: rows, K: ffn, N: hidden }), count: 1 }, // down
  ];
  const layers: NetworkLayer[] = [];
  for (const e of entries) {
    if (E.isLeft(e.layer)) return e.layer;
    layers.push({ layer: e.layer.right, count: e.count });
  }
  return E.right({ name: options.name ?? 'transformer-block', layers });
}
