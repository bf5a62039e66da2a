export { createRng, shuffled } from './rng';
export type { Rng } from './rng';
export { callEvaluator, EvaluatorFailure, mapWithConcurrency, metricsProblem } from './evaluator';
export type { CostMetrics, EvaluationLimits, Evaluator } from './evaluator';
export { decodeWith, formatError, invalidInput, parseError, PositiveInt } from './errors';
export type { VaesaError } from './errors';
export { OBJECTIVES, objectiveValue } from './objective';
export type { Objective } from './objective';
