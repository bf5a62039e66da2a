/** Helpers of the built-in networks written from their definitions (not generated from files). */
import * as E from 'fp-ts/Either';
import { formatError, type VaesaError } from '../../common/errors';
import type { Layer } from '../lower';
import { mergedNetwork, type Network, type NetworkLayer } from '../network';
import { transformerBlock, type TransformerBlockOptions } from '../transformer';

/** The value of a built-in definition's constructor; a Left is a bug in the definition. */
export function defined<T>(value: E.Either<VaesaError, T>): T {
  if (E.isLeft(value)) throw new Error(`built-in network definition: ${formatError(value.left)}`);
  return value.right;
}

/** A transformer stack: `blocks` x the block of `options`, then `extra` layers (embeddings, heads), repeats merged. */
export function transformerStack(name: string, blocks: number, options: TransformerBlockOptions, extra: readonly NetworkLayer[] = []): Network {
  const block = defined(transformerBlock(options));
  return mergedNetwork(name, [...block.layers.map((e) => ({ layer: e.layer, count: e.count * blocks })), ...extra]);
}

/** One occurrence of `layer`. */
export const once = (layer: Layer): NetworkLayer => ({ layer, count: 1 });
