import { createRng } from '../../src/common/rng';
import { vaesaLoss, type VaesaNetworks } from '../../src/model/loss';
import { createPredictor } from '../../src/model/predictor';
import { createVae } from '../../src/model/vae';
import { tf } from '../../src/model/tf';

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
