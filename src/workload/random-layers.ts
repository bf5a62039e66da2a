import * as E from 'fp-ts/Either';
import { formatError, type VaesaError } from '../common/errors';
import { createRng, type Rng } from '../common/rng';
import { convLayer } from './layer';
import type { Layer } from './lower';
import { batchedMatmul, depthwiseConv, groupedConv, matmul, type Problem } from './problem';

/**
 * A value drawn log-uniformly from [lo, hi], rounded to the kind of number layer shapes use: a power of
 * two, or three quarters of one (channel counts like 48, 96, 192, 384, 768).
 */
function channels(rng: Rng, lo: number, hi: number): number {
  const power = 2 ** Math.round(rng.uniform(Math.log2(lo), Math.log2(hi)));
  const value = power >= 4 && rng.next() < 0.3 ? (3 * power) / 4 : power;
  return Math.min(hi, Math.max(lo, value));
}

/** A log-uniform integer in [lo, hi] (output sizes like 7, 13, 27, 56 are not powers of two). */
function extent(rng: Rng, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, Math.round(Math.exp(rng.uniform(Math.log(lo), Math.log(hi))))));
}

function orThrow(p: E.Either<VaesaError, Problem>): Problem {
  // The sampler draws positive integer bounds only, so the constructors cannot refuse them.
  if (E.isLeft(p)) throw new Error(`randomLayers: ${formatError(p.left)}`);
  return p.right;
}

/** One layer of a kind drawn with the shares of `randomLayers`. */
function randomLayer(rng: Rng): Layer {
  const kind = rng.next();
  const filter = (): number => [1, 1, 3, 3, 3, 5, 7][rng.int(7)];
  if (kind < 0.4) {
    const R = filter();
    const P = extent(rng, 1, 112);
    const stride = rng.next() < 0.2 ? 2 : 1;
    return convLayer({ R, S: R, P, Q: P, C: channels(rng, 1, 2048), K: channels(rng, 8, 2048), N: 1, strideW: stride, strideH: stride });
  }
  if (kind < 0.55) return convLayer({ R: 1, S: 1, P: 1, Q: 1, C: channels(rng, 8, 8192), K: channels(rng, 1, 8192), N: 1 });
  if (kind < 0.7) return orThrow(matmul({ M: channels(rng, 1, 2048), N: channels(rng, 16, 8192), K: channels(rng, 16, 8192) }));
  if (kind < 0.8) return orThrow(batchedMatmul({ B: channels(rng, 2, 64), M: channels(rng, 1, 1024), N: channels(rng, 16, 1024), K: channels(rng, 16, 1024) }));
  const P = extent(rng, 1, 112);
  const R = [3, 3, 3, 5, 7][rng.int(5)];
  const stride = rng.next() < 0.2 ? 2 : 1;
  if (kind < 0.9) return orThrow(depthwiseConv({ G: channels(rng, 8, 1024), R, S: R, P, Q: P, N: 1, strideW: stride, strideH: stride }));
  return orThrow(groupedConv({ G: channels(rng, 2, 64), R, S: R, P, Q: P, C: channels(rng, 2, 64), K: channels(rng, 2, 64), N: 1, strideW: stride, strideH: stride }));
}

/**
 * `count` random layer shapes (the same for the same seed), to add to a training set so that a
 * predictor sees more of the space of shapes than a few networks' layers: 40% convolutions (filters
 * 1-7, outputs 1-112, strides 1-2, 1-2048 channels), 15% fully-connected layers, 15% GEMMs, 10%
 * batched matmuls (attention products), 10% depthwise and 10% grouped convolutions, their sizes
 * log-uniform. Channel counts are powers of two or three quarters of one, as in real networks.
 */
export function randomLayers(count: number, seed: number): Layer[] {
  if (!(Number.isInteger(count) && count >= 0)) throw new RangeError(`randomLayers: count must be a non-negative integer, got ${count}`);
  const rng = createRng(seed);
  return Array.from({ length: count }, () => randomLayer(rng));
}
