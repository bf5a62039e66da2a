/**
 * VAESA's named network shapes (ucb-bar/vaesa `src/train.py` for the VAE, `src/train_util.py`
 * for the predictors). A preset name or an explicit list of hidden widths can be used anywhere.
 */
export const VAE_PRESETS = {
  orig: [1024, 2048],
  model_1: [1024, 2048, 1024],
  model_2: [64, 256, 1024, 2048, 1024, 256, 64],
} as const satisfies Record<string, readonly number[]>;

export type VaePresetName = keyof typeof VAE_PRESETS;

/** A predictor head: hidden widths and their activation (the output is one linear unit). */
export interface PredictorShape {
  readonly hidden: readonly number[];
  readonly activation: 'tanh' | 'relu';
}

/** VAESA's predictor heads; `orig` and `deep` scale with its `--hs` (default 1024). */
export function predictorPreset(name: PredictorPresetName, hs = 1024): PredictorShape {
  switch (name) {
    case 'orig':
      return { hidden: [hs], activation: 'tanh' };
    case 'orig_1':
      return { hidden: [256, 1024, 256], activation: 'relu' };
    case 'orig_2':
      return { hidden: [256, 256, 256], activation: 'relu' };
    case 'deep':
      return { hidden: [hs, 2 * hs, hs], activation: 'tanh' };
    case 'deep_1':
      return { hidden: [64, 256, 1024, 2048, 1024, 256, 64], activation: 'tanh' };
    case 'deep_2':
      return { hidden: [64, 256, 1024, 2048, 2048, 1024, 256, 64], activation: 'relu' };
  }
}

export const PREDICTOR_PRESET_NAMES = ['orig', 'orig_1', 'orig_2', 'deep', 'deep_1', 'deep_2'] as const;
export type PredictorPresetName = (typeof PREDICTOR_PRESET_NAMES)[number];

export function isVaePresetName(name: string): name is VaePresetName {
  return Object.prototype.hasOwnProperty.call(VAE_PRESETS, name);
}

export function isPredictorPresetName(name: string): name is PredictorPresetName {
  return (PREDICTOR_PRESET_NAMES as readonly string[]).includes(name);
}
