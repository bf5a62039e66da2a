import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import type { CostMetrics, Evaluator } from '../../src/common/evaluator';
import type { ArchConfig } from '../../src/hardware/arch';
import { decodeArch, encodeArch, simbaSpace } from '../../src/hardware/space';
import type { LatentModel } from '../../src/model/latent-model';
import type { BatchedCostPredictor } from '../../src/search/gradient';
import { convLayer, type ConvLayer } from '../../src/workload/layer';

/**
 * A synthetic problem with a known optimum. A fake 2-d "VAE" maps z linearly to the encoded
 * parameters, e = 0.5 + 0.25 M z (M has orthogonal columns, so encode is z = Mᵀ(e - 0.5)), and the
 * cost is quadratic in e: log cycles = log 1000 + S |e - e(zCycles)|², log energy = log 5e5 + S |e - e(zEnergy)|²
 * (times the layer's `K` as a per-layer scale). The predictor is the same quadratic in z, so it is exact
 * up to snapping. Log EDP is smallest at the midpoint of zCycles and zEnergy.
 */
export const M = [
  [1, 0],
  [0, 1],
  [1, 0],
  [0, 1],
  [1, 1],
  [1, -1],
];
export const Z_CYCLES = [0.5, -0.3];
export const Z_ENERGY = [-0.1, 0.5];
export const SHARPNESS = 8;

export function latentToEncoded(z: readonly number[]): number[] {
  return M.map((row) => 0.5 + 0.25 * (row[0] * z[0] + row[1] * z[1]));
}

const E_CYCLES = latentToEncoded(Z_CYCLES);
const E_ENERGY = latentToEncoded(Z_ENERGY);

function squaredDistance(a: readonly number[], b: readonly number[]): number {
  return a.reduce((s, v, i) => s + (v - b[i]) ** 2, 0);
}

/** The synthetic cost of a design on a layer (scaled by K so layers differ); area grows with MACs and buffers. */
export function syntheticCost(arch: ArchConfig, layer: ConvLayer): CostMetrics {
  const e = encodeArch(simbaSpace, arch);
  return {
    cycles: layer.K * 1000 * Math.exp(SHARPNESS * squaredDistance(e, E_CYCLES)),
    energy: layer.K * 5e5 * Math.exp(SHARPNESS * squaredDistance(e, E_ENERGY)),
    area: arch.macs / 1024 + arch.globalBuffer / 65536,
  };
}

export const syntheticEvaluator: Evaluator = syntheticCost;

export const layerA = convLayer({ R: 3, S: 3, P: 14, Q: 14, C: 64, K: 2, N: 1 });
export const layerB = convLayer({ R: 1, S: 1, P: 7, Q: 7, C: 128, K: 3, N: 1 });

export function fakeModel(): LatentModel {
  const m = tf.tensor2d(M);
  const toEncoded = (z: tf.Tensor2D): tf.Tensor2D => tf.add(0.5, tf.mul(0.25, tf.matMul(z, m, false, true)));
  const quadratic = (z: tf.Tensor2D, centre: readonly number[]): tf.Tensor1D =>
    tf.mul(SHARPNESS, tf.sum(tf.square(tf.sub(toEncoded(z), tf.tensor1d(centre.slice()))), 1));
  return {
    space: simbaSpace,
    latentDim: 2,
    encode: (archs) =>
      archs.map((a) => {
        const e = encodeArch(simbaSpace, a).map((v) => v - 0.5);
        return [0, 1].map((j) => M.reduce((s, row, i) => s + row[j] * e[i], 0));
      }),
    decode: (zs) => zs.map((z) => decodeArch(simbaSpace, latentToEncoded(z))),
    predictLogCost: (z, layer) =>
      tf.tidy(() => ({
        logCycles: tf.add(Math.log(layer.K * 1000), quadratic(z, E_CYCLES)),
        logEnergy: tf.add(Math.log(layer.K * 5e5), quadratic(z, E_ENERGY)),
      })),
  };
}

/** The best EDP reachable through the fake decoder on a target: brute force over a fine latent grid. */
export function reachableOptimum(layers: readonly { layer: ConvLayer; count: number }[], bound = 1, steps = 200): number {
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i <= steps; i++) {
    for (let j = 0; j <= steps; j++) {
      const z = [-bound + (2 * bound * i) / steps, -bound + (2 * bound * j) / steps];
      const arch = decodeArch(simbaSpace, latentToEncoded(z));
      let cycles = 0;
      let energy = 0;
      for (const l of layers) {
        const c = syntheticCost(arch, l.layer);
        cycles += l.count * c.cycles;
        energy += l.count * c.energy;
      }
      best = Math.min(best, cycles * energy);
    }
  }
  return best;
}

/** `fakeModel` with the batched prediction form (all layers in one graph), for the same numbers. */
export function batchedFakeModel(): LatentModel & BatchedCostPredictor {
  const base = fakeModel();
  return {
    ...base,
    predictLogCostLayers: (z, layers) =>
      tf.tidy(() => {
        const rows = layers.map((l) => base.predictLogCost(z, l));
        return { logCycles: tf.stack(rows.map((r) => r.logCycles)) as tf.Tensor2D, logEnergy: tf.stack(rows.map((r) => r.logEnergy)) as tf.Tensor2D };
      }),
  };
}
