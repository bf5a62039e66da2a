import type { Evaluator } from '../common/evaluator';
import { evaluateLayer } from './evaluate-layer';
import { checkMappingOptions, createMappingCache, type FindMappingOptions } from './find-mapping';

/** Plain-data options of the cost-model evaluator (structured-cloneable, so worker threads can receive them). */
export type CostModelEvaluatorOptions = Pick<FindMappingOptions, 'model' | 'objective' | 'seed' | 'effort'>;

/**
 * The built-in cost model as an `Evaluator` (the default of dataset generation and search): each
 * (design, layer) is mapped by the default mapper and costed exactly; one mapping cache is shared by
 * every call of the returned function. Throws a RangeError for an unknown `model` or `objective`.
 */
export function costModelEvaluator(options: CostModelEvaluatorOptions = {}): Evaluator {
  checkMappingOptions(options);
  const cache = createMappingCache();
  return (arch, layer) => {
    const cost = evaluateLayer(arch, layer, { ...options, cache });
    return { cycles: cost.cycles, energy: cost.energy, area: cost.area };
  };
}
