export { latentSearch, latentSearchBox } from './latent-search';
export { runOptimizer } from './run-optimizer';
export type { Optimizer, OptimizerContext, CustomOptimizer, SearchBox, SearchDomain, Told } from './optimizer';
export { randomOptimizer, gridOptimizer, bayesOptOptimizer } from './optimizers';
export { cmaesOptimizer } from './cmaes';
export type { CmaEsOptions } from './cmaes';
export { inputSpaceSearch, normalisedDomain, rawDomain } from './input-search';
export { weightedLayers, targetTotals, paretoFront } from './target';
export type { SearchTarget, WeightedLayer, TargetMetrics } from './target';
export { conditionGp, fitGp, matern52, maternCovariance, defaultGpBounds } from './gp';
export type {
  GpKernel,
  GpHyperparameters,
  GpHyperparameterBounds,
  GpPosterior,
  GpPrediction,
  GpPredictionWithGradient,
  FitGpOptions,
  FittedGp,
} from './gp';
export { acquisitionLoss, minimizeAcquisition, defaultAcquisition } from './acquisition';
export type { Acquisition, AcquisitionSearchOptions } from './acquisition';
export type {
  SearchConstraints,
  SearchProgress,
  BayesOptOptions,
  CommonSearchOptions,
  GradientSearchOptions,
  LatentOptimizer,
  InputSpaceOptimizer,
  LatentSearchOptions,
  InputSpaceSearchOptions,
  PredictedMetrics,
  EvaluatedDesign,
  BestDesign,
  StopReason,
  SearchTiming,
  SearchResult,
} from './types';
export { hasBatchedPrediction, gradientOptimizer } from './gradient';
export type { BatchedCostPredictor, GradientOptimizerSetup } from './gradient';
