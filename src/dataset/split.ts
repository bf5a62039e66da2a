import type { Rng } from '../common/rng';
import { shuffled } from '../common/rng';
import { layerName, type ConvLayer } from '../workload/layer';

/** `k` distinct indices of `0..n-1` chosen uniformly (seeded), in ascending order. */
export function sampleIndices(rng: Rng, n: number, k: number): number[] {
  if (!(Number.isInteger(k) && k >= 0 && k <= n)) throw new RangeError(`sampleIndices: need 0 <= k <= ${n}, got ${k}`);
  // Partial Fisher-Yates over an index array: the first k slots end up a uniform k-subset.
  const idx = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < k; i++) {
    const j = i + rng.int(n - i);
    const t = idx[i];
    idx[i] = idx[j];
    idx[j] = t;
  }
  return Array.from(idx.subarray(0, k)).sort((a, b) => a - b);
}

export interface Split<T> {
  readonly train: T[];
  readonly valid: T[];
  readonly test: T[];
}

export interface SplitOptions {
  /** Rows in the training part; VAESA's default is 75% (rounded down). */
  readonly trainSize?: number;
}

/**
 * VAESA's split (`CoSADataset` in ucb-bar/vaesa): shuffle with a seed, the first `trainSize` rows
 * (default floor(0.75 n)) train, the last floor(0.15 n) test, the rows between valid (10% by default).
 * The shuffle is ours (seeded `createRng`), not scikit-learn's, so the parts differ from VAESA's row for row.
 */
export function splitDataset<T>(rows: readonly T[], rng: Rng, options: SplitOptions = {}): Split<T> {
  const n = rows.length;
  const trainSize = options.trainSize ?? Math.floor(0.75 * n);
  const testSize = Math.floor(0.15 * n);
  if (!(Number.isInteger(trainSize) && trainSize >= 0 && trainSize + testSize <= n)) {
    throw new RangeError(`splitDataset: trainSize ${trainSize} leaves no room for the ${testSize} test rows of ${n}`);
  }
  const order = shuffled(rng, rows);
  return { train: order.slice(0, trainSize), valid: order.slice(trainSize, n - testSize), test: order.slice(n - testSize) };
}

export interface LayerSplitOptions {
  /** Layers held out for testing (matched by `layerName`). */
  readonly test: readonly ConvLayer[];
  /** Layers held out for validation. */
  readonly valid?: readonly ConvLayer[];
}

/**
 * Splits by layer, to measure generalisation to unseen layers: rows of the `test` layers form the test part,
 * rows of the `valid` layers the validation part, the rest train. Row order is kept.
 */
export function splitByLayer<T extends { readonly layer: ConvLayer }>(rows: readonly T[], options: LayerSplitOptions): Split<T> {
  const test = new Set(options.test.map(layerName));
  const valid = new Set((options.valid ?? []).map(layerName));
  for (const name of valid) {
    if (test.has(name)) throw new RangeError(`splitByLayer: layer ${name} is both a test and a validation layer`);
  }
  const out: Split<T> = { train: [], valid: [], test: [] };
  for (const r of rows) {
    const name = layerName(r.layer);
    (test.has(name) ? out.test : valid.has(name) ? out.valid : out.train).push(r);
  }
  return out;
}

/** Picks `count` of `layers` at random (seeded), e.g. the held-out layers of `splitByLayer`. */
export function pickLayers(rng: Rng, layers: readonly ConvLayer[], count: number): ConvLayer[] {
  return sampleIndices(rng, layers.length, count).map((i) => layers[i]);
}
