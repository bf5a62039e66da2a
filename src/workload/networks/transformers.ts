// Transformer networks written from their published configurations (batch 1). Only matrix products are listed.
import { convLayer } from '../layer';
import type { Network } from '../network';
import { matmul } from '../problem';
import { defined, once, transformerStack } from './define';

/** BERT-base (12 blocks, d 768, 12 heads, FFN 3072) on `seq` tokens, with its pooler (one 768x768 product). */
function bertBase(seq: number): Network {
  return transformerStack(`bert-base-${seq}`, 12, { hidden: 768, heads: 12, ffn: 3072, seq, kind: 'prefill' }, [once(defined(matmul({ M: 1, K: 768, N: 768 })))]);
}

export const bertBase128 = bertBase(128);
export const bertBase512 = bertBase(512);

/** ViT-B/16 on 224x224: a 16x16 stride-16 patch convolution, 12 blocks over 197 tokens (196 patches + class token), the class head. */
export const vitB16: Network = transformerStack('vit-b16', 12, { hidden: 768, heads: 12, ffn: 3072, seq: 197, kind: 'prefill' }, [
  once(convLayer({ R: 16, S: 16, P: 14, Q: 14, C: 3, K: 768, N: 1, strideW: 16, strideH: 16 })),
  once(defined(matmul({ M: 1, K: 768, N: 1000 }))),
]);

/** GPT-2 small's context and Llama-7B's: the prefill length and the decode KV cache of the built-ins. */
export const GPT2_CONTEXT = 1024;
export const LLAMA7B_CONTEXT = 2048;

/** GPT-2 small (12 blocks, d 768, 12 heads, FFN 3072) with its LM head over 50,257 tokens (logits for every position in prefill). */
function gpt2(kind: 'prefill' | 'decode'): Network {
  const rows = kind === 'prefill' ? GPT2_CONTEXT : 1;
  return transformerStack(`gpt2-${kind}`, 12, { hidden: 768, heads: 12, ffn: 3072, seq: GPT2_CONTEXT, kind }, [once(defined(matmul({ M: rows, K: 768, N: 50257 })))]);
}

/** A Llama-7B-style decoder (32 blocks, d 4096, 32 heads of 128, SwiGLU FFN 11008) with its LM head over 32,000 tokens. */
function llama7b(kind: 'prefill' | 'decode'): Network {
  const rows = kind === 'prefill' ? LLAMA7B_CONTEXT : 1;
  return transformerStack(`llama7b-${kind}`, 32, { hidden: 4096, heads: 32, ffn: 11008, seq: LLAMA7B_CONTEXT, kind, gated: true }, [once(defined(matmul({ M: rows, K: 4096, N: 32000 })))]);
}

export const gpt2Prefill = gpt2('prefill');
export const gpt2Decode = gpt2('decode');
export const llama7bPrefill = llama7b('prefill');
export const llama7bDecode = llama7b('decode');
