export { createRng, shuffled } from './rng';
export type { Rng } from './rng';
export { callEvaluator, EvaluatorFailure, mapWithConcurrency, metricsProblem } from './evaluator';
export type { CostMetrics, EvaluationLimits, Evaluator } from './evaluator';
export { catchInputError, decodeWith, formatError, InputError, invalidInput, orInputError, parseError, PositiveInt } from './errors';
export type { VaesaError } from './errors';
export { OBJECTIVES, SEARCH_OBJECTIVES, objectiveValue, searchObjectiveName } from './objective';
export type { Objective, ObjectiveCosts, SearchObjective, SearchObjectiveName } from './objective';
