import { createRng } from '../../src/common/rng';
import { trainedHeads, vaesaLoss, vaesaLossAndGradients, type LossBatch, type VaesaNetworks } from '../../src/model/loss';
import type { Objective } from '../../src/common/objective';
import { predictorVariables } from '../../src/model/predictor';
import { vaeVariables } from '../../src/model/vae';
import { createPredictor } from '../../src/model/predictor';
import { createVae } from '../../src/model/vae';
import { tf, useBackend } from '../../src/model/tf';

/** Networks whose kernels are zero, so every output is its last bias: hand-computable losses. */
function constantNetworks(): VaesaNetworks {
  const rng = createRng(1);
  const nets: VaesaNetworks = {
    vae: createVae({ inputSize: 2, latentDim: 1, hidden: [3] }, rng),
    cyclesHead: createPredictor({ inputSize: 10, hidden: [3], activation: 'relu' }, rng),
    energyHead: createPredictor({ inputSize: 10, hidden: [3], activation: 'relu' }, rng),
  };
  for (const mlp of [nets.vae.encoder, nets.vae.decoder, nets.cyclesHead.mlp, nets.energyHead.mlp]) {
    for (const w of mlp.weights) {
      w.kernel.assign(tf.zerosLike(w.kernel));
      w.bias.assign(tf.zerosLike(w.bias));
    }
  }
  // encoder output [mu, logvar] = [1, ln 2]; heads predict 0.5 and -1
  nets.vae.encoder.weights[1].bias.assign(tf.tensor1d([1, Math.log(2)]));
  nets.cyclesHead.mlp.weights[1].bias.assign(tf.tensor1d([0.5]));
  nets.energyHead.mlp.weights[1].bias.assign(tf.tensor1d([-1]));
  return nets;
}

describe('vaesaLoss', () => {
  it('matches hand-computed terms on a fixed batch', () => {
    const nets = constantNetworks();
    const terms = tf.tidy(() => {
      const t = vaesaLoss(
        nets,
        {
          design: tf.tensor2d([[0.25, 1], [0.5, 0]]),
          layer: tf.zeros([2, 9]),
          cycles: tf.tensor1d([0.5, 1.5]),
          energy: tf.tensor1d([0, -3]),
          eps: tf.tensor2d([[0.3], [-2]]),
        },
        { reconstruction: 2, beta: 0.1, predictor: 100 },
        'edp',
      );
      return { total: t.total.dataSync()[0], rec: t.reconstruction.dataSync()[0], kl: t.kl.dataSync()[0], c: t.cycles.dataSync()[0], e: t.energy.dataSync()[0] };
    });
    // decoder outputs sigmoid(0) = 0.5: squared errors 0.0625, 0.25, 0, 0.25 -> mean 0.140625
    expect(terms.rec).toBeCloseTo(0.140625, 6);
    // KL per sample -0.5 (1 + ln 2 - 1 - 2) = 1 - ln(2)/2
    expect(terms.kl).toBeCloseTo(1 - Math.log(2) / 2, 6);
    // |0.5 - 0.5|, |0.5 - 1.5| -> 0.5 ; |-1 - 0|, |-1 + 3| -> 1.5
    expect(terms.c).toBeCloseTo(0.5, 6);
    expect(terms.e).toBeCloseTo(1.5, 6);
    expect(terms.total).toBeCloseTo(2 * 0.140625 + 0.1 * (1 - Math.log(2) / 2) + 100 * 2, 4);
  });

  it('drops the head the objective does not train', () => {
    const nets = constantNetworks();
    const [c, e] = tf.tidy(() => {
      const batch = { design: tf.fill([1, 2], 0.5) as tf.Tensor2D, layer: tf.zeros([1, 9]) as tf.Tensor2D, cycles: tf.tensor1d([3]), energy: tf.tensor1d([3]), eps: tf.zeros([1, 1]) as tf.Tensor2D };
      const w = { reconstruction: 1, beta: 0, predictor: 1 };
      return [vaesaLoss(nets, batch, w, 'latency').total.dataSync()[0], vaesaLoss(nets, batch, w, 'energy').total.dataSync()[0]];
    });
    expect(c).toBeCloseTo(2.5, 6);
    expect(e).toBeCloseTo(4, 6);
  });

});

describe('vaesaLossAndGradients', () => {
  /** Random networks (every activation kind of the presets) and a random batch of 9 rows. */
  function randomCase(seed: number): { nets: VaesaNetworks; batch: LossBatch } {
    const rng = createRng(seed);
    const nets: VaesaNetworks = {
      vae: createVae({ inputSize: 6, latentDim: 3, hidden: [8, 5] }, rng.fork()),
      cyclesHead: createPredictor({ inputSize: 12, hidden: [7, 4], activation: 'relu' }, rng.fork()),
      energyHead: createPredictor({ inputSize: 12, hidden: [6], activation: 'tanh' }, rng.fork()),
    };
    const values = (n: number, f: () => number) => Array.from({ length: n }, f);
    const batch: LossBatch = {
      design: tf.tensor2d(values(54, () => rng.uniform(0, 1)), [9, 6]),
      layer: tf.tensor2d(values(81, () => rng.normal()), [9, 9]),
      cycles: tf.tensor1d(values(9, () => rng.normal())),
      energy: tf.tensor1d(values(9, () => rng.normal())),
      eps: tf.tensor2d(values(27, () => rng.normal()), [9, 3]),
    };
    return { nets, batch };
  }

  const weights = { reconstruction: 3, beta: 0.5, predictor: 2 };
  it.each(['edp', 'latency', 'energy'] as Objective[])('gives the terms of vaesaLoss and the gradients of tf.variableGrads (objective %s)', (objective) => {
    const { nets, batch } = randomCase(5);
    const variables = [...vaeVariables(nets.vae), ...trainedHeads(nets, objective).flatMap(predictorVariables)];
    tf.tidy(() => {
      const ours = vaesaLossAndGradients(nets, batch, weights, objective);
      const reference = vaesaLoss(nets, batch, weights, objective);
      for (const term of ['total', 'reconstruction', 'kl', 'cycles', 'energy'] as const) {
        expect(ours.terms[term].dataSync()[0]).toBe(reference[term].dataSync()[0]);
      }
      const { grads } = tf.variableGrads(() => vaesaLoss(nets, batch, weights, objective).total, variables);
      expect(Object.keys(ours.grads).sort()).toEqual(variables.map((v) => v.name).sort());
      for (const v of variables) {
        const a = ours.grads[v.name].dataSync();
        const b = grads[v.name].dataSync();
        const scale = Math.max(...Array.from(b, Math.abs));
        a.forEach((x, i) => expect(Math.abs(x - b[i])).toBeLessThanOrEqual(1e-5 * scale));
      }
    });
  });

  it('gives only the heads their gradients when the VAE is frozen', () => {
    const { nets, batch } = randomCase(6);
    tf.tidy(() => {
      const ours = vaesaLossAndGradients(nets, batch, weights, 'edp', false);
      const heads = [...predictorVariables(nets.cyclesHead), ...predictorVariables(nets.energyHead)];
      expect(Object.keys(ours.grads).sort()).toEqual(heads.map((v) => v.name).sort());
      const { grads } = tf.variableGrads(() => vaesaLoss(nets, batch, weights, 'edp').total, heads);
      for (const v of heads) {
        const a = ours.grads[v.name].dataSync();
        const b = grads[v.name].dataSync();
        const scale = Math.max(...Array.from(b, Math.abs));
        a.forEach((x, i) => expect(Math.abs(x - b[i])).toBeLessThanOrEqual(1e-5 * scale));
      }
    });
  });

  describe('on the wasm backend (products in WebAssembly)', () => {
    afterAll(async () => {
      await tf.setBackend('cpu');
    });

    /** The total and every gradient of a step of `randomCase(seed)` on `backend`. */
    async function step(backend: string, seed: number): Promise<{ total: number; grads: Record<string, Float32Array> }> {
      expect(await useBackend(backend)).toBe(true);
      const { nets, batch } = randomCase(seed);
      const variables = [...vaeVariables(nets.vae), ...predictorVariables(nets.cyclesHead), ...predictorVariables(nets.energyHead)];
      // variables are named by a global counter: key the gradients by position instead
      const result = tf.tidy(() => {
        const ours = vaesaLossAndGradients(nets, batch, weights, 'edp');
        const { grads } = tf.variableGrads(() => vaesaLoss(nets, batch, weights, 'edp').total, variables);
        variables.forEach((v) => {
          const a = ours.grads[v.name].dataSync();
          const b = grads[v.name].dataSync();
          const scale = Math.max(...Array.from(b, Math.abs));
          a.forEach((x, i) => expect(Math.abs(x - b[i])).toBeLessThanOrEqual(1e-5 * scale));
        });
        return { total: ours.terms.total.dataSync()[0], grads: Object.fromEntries(variables.map((v, i) => [String(i), ours.grads[v.name].dataSync() as Float32Array])) };
      });
      tf.dispose([...variables, ...Object.values(batch)]);
      return result;
    }

    it("gives tf.variableGrads' gradients, the cpu backend's to float rounding, and the same bits every time", async () => {
      const cpu = await step('cpu', 8);
      const wasm = await step('wasm', 8);
      expect(wasm.total).toBeCloseTo(cpu.total, 5);
      Object.entries(cpu.grads).forEach(([i, b]) => {
        const scale = Math.max(...Array.from(b, Math.abs));
        wasm.grads[i].forEach((x, j) => expect(Math.abs(x - b[j])).toBeLessThanOrEqual(1e-5 * scale));
      });
      const again = await step('wasm', 8);
      expect(again).toEqual(wasm);
    });
  });
});
