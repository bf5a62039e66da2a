import type { NormalisationOptions } from '../dataset/normalise';
import { defaultNormalisationOptions } from '../dataset/normalise';
import type { LossWeights, Objective } from '../model/loss';
import { VAESA_LOSS_WEIGHTS } from '../model/loss';
import type { PredictorShape } from '../model/presets';

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
 * The default: VAESA's structure and loss with narrower networks, larger batches, a higher learning
 * rate, the reconstruction term weighted 1000 (VAESA: 1; next to 100 x L1 predictor terms an MSE of
 * ~1e-3 otherwise hardly moves the VAE) and a 6-D latent space (VAESA: 4; the six design parameters
 * are independent in the reference data, and 6-D gave better prediction and reconstruction in the
 * same training, see docs/model.md). 40 epochs of 20,000 rows: about 3 minutes on 2 shared CPU
 * cores with the wasm backend (4,400 samples/s measured).
 */
export const fastPreset: TrainingPreset = {
  model: {
    latentDim: 6,
    vaeHidden: [128, 256, 128],
    predictor: { hidden: [128, 256, 128], activation: 'relu' },
    objective: 'edp',
    lossWeights: { ...VAESA_LOSS_WEIGHTS, reconstruction: 1000 },
    normalisation: defaultNormalisationOptions,
  },
  schedule: {
    epochs: 40,
    batchSize: 256,
    learningRate: 3e-3,
    rowsPerEpoch: 20000,
    plateau: { factor: 0.3, patience: 3, minLearningRate: 1e-5 },
    earlyStopping: { patience: 8 },
    validationFraction: 0.05,
  },
};

export const TRAINING_PRESETS = { fast: fastPreset, paper: paperPreset } as const;
export type TrainingPresetName = keyof typeof TRAINING_PRESETS;
