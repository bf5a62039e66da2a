import { tf } from '../model/tf';
import type { LatentModel } from '../model/latent-model';
import { weightedLayers, type SearchTarget } from '../search/target';

export interface LatentSliceOptions {
  /** The two latent dimensions spanned (default [0, 1]); the others are held at `center`. */
  readonly dims?: readonly [number, number];
  /** Values of the held dimensions (default all 0). */
  readonly center?: readonly number[];
  /** Grid points per axis (default 41). */
  readonly resolution?: number;
  /** The slice covers [-bound, bound]^2 (default 1, VAESA's latent box). */
  readonly bound?: number;
}

/**
 * The predictor's log10 EDP of `target` (network totals: Σ count·cycles x Σ count·energy) on a 2-D
 * grid through the latent space: `values[row][col]` at z[dims[0]] = x[col], z[dims[1]] = y[row].
 */
export function latentSlice(model: LatentModel, target: SearchTarget, options: LatentSliceOptions = {}) {
  const [d0, d1] = options.dims ?? [0, 1];
  const n = options.resolution ?? 41;
  const bound = options.bound ?? 1;
  const center = options.center ?? new Array<number>(model.latentDim).fill(0);
  if (d0 === d1 || d0 < 0 || d1 < 0 || d0 >= model.latentDim || d1 >= model.latentDim) {
    throw new RangeError(`latentSlice: dims must be two different indices below ${model.latentDim}`);
  }
  if (center.length !== model.latentDim) throw new RangeError(`latentSlice: center needs ${model.latentDim} values`);
  const axis = Array.from({ length: n }, (_, i) => -bound + (2 * bound * i) / (n - 1));
  const points: number[][] = [];
  for (const y of axis) {
    for (const x of axis) {
      const z = [...center];
      z[d0] = x;
      z[d1] = y;
      points.push(z);
    }
  }
  const layers = weightedLayers(target);
  const log10Edp = tf.tidy(() => {
    const z = tf.tensor2d(points);
    let cycles = tf.zeros([points.length]) as tf.Tensor1D;
    let energy = tf.zeros([points.length]) as tf.Tensor1D;
    for (const { layer, count } of layers) {
      const p = model.predictLogCost(z, layer);
      cycles = tf.add(cycles, tf.mul(tf.exp(p.logCycles), count));
      energy = tf.add(energy, tf.mul(tf.exp(p.logEnergy), count));
    }
    return tf.div(tf.add(tf.log(cycles), tf.log(energy)), Math.LN10).dataSync();
  });
  const values = axis.map((_, r) => Array.from(log10Edp.subarray(r * n, (r + 1) * n)));
  return { x: axis, y: axis, dims: [d0, d1] as const, values };
}
