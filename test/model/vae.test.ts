import { createRng } from '../../src/common/rng';
import { mlpParameterCount } from '../../src/model/mlp';
import { createPredictor } from '../../src/model/predictor';
import { predictorPreset, VAE_PRESETS } from '../../src/model/presets';
import { createVae, decodeVae, disposeVae, encodeVae } from '../../src/model/vae';
import { tf } from '../../src/model/tf';

describe('createVae', () => {
  it("builds VAESA's layer structure (hand-counted parameters)", () => {
    const vae = createVae({ inputSize: 3, latentDim: 1, hidden: [2] }, createRng(1));
    // encoder 3->2 (8) ->2 [mu, logvar] (6); decoder 1->2 (4) ->2 leaky (6) ->3 sigmoid (9)
    expect(mlpParameterCount(vae.encoder)).toBe(14);
    expect(mlpParameterCount(vae.decoder)).toBe(19);
    expect(vae.decoder.layers.map((l) => l.activation)).toEqual(['linear', 'leakyRelu', 'sigmoid']);
    disposeVae(vae);
  });

  it('maps a batch to latent means/log-variances and back into (0, 1)', () => {
    const vae = createVae({ inputSize: 6, latentDim: 4, hidden: [8, 16] }, createRng(2));
    const out = tf.tidy(() => {
      const { mu, logvar } = encodeVae(vae, tf.randomUniform([5, 6], 0, 1, 'float32', 3) as tf.Tensor2D);
      const x = decodeVae(vae, mu);
      return { mu: mu.shape, logvar: logvar.shape, x: x.shape, values: Array.from(x.dataSync()) };
    });
    expect(out.mu).toEqual([5, 4]);
    expect(out.logvar).toEqual([5, 4]);
    expect(out.x).toEqual([5, 6]);
    expect(out.values.every((v) => v > 0 && v < 1)).toBe(true);
    disposeVae(vae);
  });

  it('initialises identically for the same seed', () => {
    const a = createVae({ inputSize: 6, latentDim: 4, hidden: [8] }, createRng(5));
    const b = createVae({ inputSize: 6, latentDim: 4, hidden: [8] }, createRng(5));
    expect(Array.from(a.encoder.weights[0].kernel.dataSync())).toEqual(Array.from(b.encoder.weights[0].kernel.dataSync()));
    disposeVae(a);
    disposeVae(b);
  });
});

describe('presets', () => {
  it("keeps VAESA's widths", () => {
    expect(VAE_PRESETS.model_1).toEqual([1024, 2048, 1024]);
    expect(predictorPreset('orig_1')).toEqual({ hidden: [256, 1024, 256], activation: 'relu' });
    expect(predictorPreset('orig', 64)).toEqual({ hidden: [64], activation: 'tanh' });
    const head = createPredictor({ ...predictorPreset('orig', 4), inputSize: 13 }, createRng(1));
    // 13->4 (56) ->1 (5)
    expect(mlpParameterCount(head.mlp)).toBe(61);
  });
});
