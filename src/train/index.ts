export { trainVaesa, validateTrainingRows } from './train';
export type { TrainOptions } from './train';
export { fastPreset, paperPreset, TRAINING_PRESETS } from './config';
export type { TrainingPreset, TrainingPresetName, TrainingSchedule, VaesaModelConfig } from './config';
export { predictCost, predictCosts } from './trained';
export type { TrainedVaesa, EpochMetrics, TrainingState, PredictedCost } from './trained';
export { evaluateVaesa, spearman, medianAbsolutePercentageError, gridStepDistance } from './evaluate';
export type { VaesaEvaluation, PredictionQuality } from './evaluate';
