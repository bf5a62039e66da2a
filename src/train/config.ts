import type { NormalisationOptions } from '../dataset/normalise';
import { defaultNormalisationOptions } from '../dataset/normalise';
import type { Objective } from '../common/objective';
import type { LossWeights } from '../model/loss';
import { VAESA_LOSS_WEIGHTS } from '../model/loss';
import type { PredictorShape } from '../model/presets';
import { invalidInput, type VaesaError } from '../common/errors';

/** Everything that fixes the networks' shapes and what they are trained for (saved in checkpoints). */
export interface VaesaModelConfig {
  readonly latentDim: number;
  /** VAE hidden widths (VAESA's `hidden_dims`). */
  readonly vaeHidden: readonly number[];
  /** Shape of both predictor heads. */
  readonly predictor: PredictorShape;
  readonly objective: Objective;
  readonly lossWeights: LossWeights;
  readonly normalisation: NormalisationOptions;
}

/** How training runs (not needed to use a trained model). */
export interface TrainingSchedule {
  readonly epochs: number;
  readonly batchSize: number;
  readonly learningRate: number;
  /**
   * Rows drawn (without replacement, afresh each epoch) per epoch; all rows when absent. Keeps an
   * epoch short on large datasets so validation, plateau and early stopping act often enough.
   */
  readonly rowsPerEpoch?: number;
  /** Divide the learning rate by `1 / factor` after `patience` epochs without improvement (PyTorch's ReduceLROnPlateau). */
  readonly plateau: { readonly factor: number; readonly patience: number; readonly minLearningRate: number } | false;
  /**
   * Anneals the learning rate over the planned steps (`epochs` x batches per epoch): it falls linearly
   * from `learningRate` to `learningRate * finalFactor` (the plateau rule, if on, scales both). Small
   * final steps are what let the decoder reach the fine reconstruction precision; absent or `false`:
   * constant.
   */
  readonly annealing?: { readonly finalFactor: number } | false;
  /** Stop after `patience` epochs without validation improvement, and restore the best weights. */
  readonly earlyStopping: { readonly patience: number } | false;
  /** Share of the training rows held out for validation when no validation rows are given. */
  readonly validationFraction: number;
}

export interface TrainingPreset {
  readonly model: VaesaModelConfig;
  readonly schedule: TrainingSchedule;
}

/**
 * VAESA's `run.sh`: nz 4, `model_1` VAE, `orig_1` predictors, batch 64, lr 1e-4, up to 2000 epochs,
 * ReduceLROnPlateau(factor 0.1, patience 10). Sized for a GPU: about an hour per epoch of VAESA's
 * 131k rows on 2 CPU cores (docs/model.md).
 */
export const paperPreset: TrainingPreset = {
  model: {
    latentDim: 4,
    vaeHidden: [1024, 2048, 1024],
    predictor: { hidden: [256, 1024, 256], activation: 'relu' },
    objective: 'edp',
    lossWeights: VAESA_LOSS_WEIGHTS,
    normalisation: defaultNormalisationOptions,
  },
  schedule: {
    epochs: 2000,
    batchSize: 64,
    learningRate: 1e-4,
    plateau: { factor: 0.1, patience: 10, minLearningRate: 0 },
    earlyStopping: { patience: 30 },
    validationFraction: 0.1,
  },
};

/**
 * The default: VAESA's structure and loss, sized to train in under 2 minutes on 2 shared CPU cores
 * (wasm backend) while meeting the quality targets of docs/model.md:
 * - a 6-D latent space (VAESA: 4): the six design parameters are independent in the reference data,
 *   so a 4-D latent cannot hold them to 10% (see docs/model.md);
 * - a VAE with one hidden layer of 256 (encoder 6-256-12, decoder 6-256-256-6): the map to invert is
 *   smooth and near one-to-one, and a shallow wide net reaches a lower reconstruction error per
 *   second than [128, 256, 128] (fewer kernels per step, better conditioned);
 * - VAESA's VAE loss (MSE + 1e-5 x KL) scaled by 1e5: reconstruction 1e5, beta 1, predictor 100. At
 *   the needed error (MSE ~1e-5 in normalised units; 10% of GlobalBuffer is 0.0076) the
 *   reconstruction term then still counts next to the 100 x L1 predictor losses in the encoder's
 *   gradient (the decoder and heads, under Adam, do not see the scale): with reconstruction 1000 it
 *   reached MSE 2.5e-5 and 85% within 10%, with 1e5 3.6e-6 and 99.8% in the same training. Scaling
 *   beta along keeps VAESA's balance between reconstruction and KL (latent noise std ~0.03 instead
 *   of ~0.001, the same accuracy);
 * - batch 128, Adam at 6e-3 annealed linearly to 6e-5 over 30 epochs of 20,000 rows (4,710 steps):
 *   the final small steps are what bring the decoder to the needed precision (a constant rate
 *   stalled at MSE ~3e-4). Batch 128 balances steps (what the reconstruction needs) against rows
 *   seen (what the predictors need): batch 64 at 3e-3 for 15 epochs reconstructed as well but
 *   ranked EDP worse, batch 256 at 1e-2 for 40 epochs reconstructed only 70% within 10%.
 */
export const fastPreset: TrainingPreset = {
  model: {
    latentDim: 6,
    vaeHidden: [256],
    predictor: { hidden: [128, 256, 128], activation: 'relu' },
    objective: 'edp',
    lossWeights: { reconstruction: 1e5, beta: 1, predictor: 100 },
    normalisation: defaultNormalisationOptions,
  },
  schedule: {
    epochs: 30,
    batchSize: 128,
    learningRate: 6e-3,
    rowsPerEpoch: 20000,
    annealing: { finalFactor: 0.01 },
    plateau: false,
    earlyStopping: false,
    validationFraction: 0.05,
  },
};

export const TRAINING_PRESETS = { fast: fastPreset, paper: paperPreset } as const;
export type TrainingPresetName = keyof typeof TRAINING_PRESETS;

/** Largest latent size and hidden width accepted (far beyond any useful model; bigger ones exhaust memory). */
const MAX_LATENT_DIM = 1024;
const MAX_HIDDEN_WIDTH = 16384;

/** The first model field outside its range, as an `InvalidInput` naming it. */
export function modelConfigProblem(model: VaesaModelConfig, root = 'options.model'): VaesaError | undefined {
  const width = (v: unknown, max: number): boolean => typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= max;
  if (!width(model.latentDim, MAX_LATENT_DIM)) return invalidInput(`${root}.latentDim`, model.latentDim, `must be an integer from 1 to ${MAX_LATENT_DIM}`);
  const hidden: [string, readonly number[]][] = [
    ['vaeHidden', model.vaeHidden],
    ['predictor.hidden', model.predictor.hidden],
  ];
  for (const [field, widths] of hidden) {
    const i = widths.findIndex((w) => !width(w, MAX_HIDDEN_WIDTH));
    if (i >= 0) return invalidInput(`${root}.${field}[${i}]`, widths[i], `must be an integer from 1 to ${MAX_HIDDEN_WIDTH}`);
  }
  const { layer, target } = model.normalisation;
  if (layer.features !== undefined && layer.features !== 'vaesa' && layer.features !== 'problem') {
    return invalidInput(`${root}.normalisation.layer.features`, layer.features, "must be 'vaesa' or 'problem'");
  }
  if (layer.scaling === 'max' && (layer.features ?? 'vaesa') !== 'vaesa') {
    return invalidInput(`${root}.normalisation.layer.scaling`, layer.scaling, "max scaling has divisors for VAESA's features only (use 'mean' or 'none')");
  }
  if (target.perMac === true && !target.log) return invalidInput(`${root}.normalisation.target.perMac`, target.perMac, 'targets per MAC need log targets');
  return undefined;
}

