import * as E from 'fp-ts/Either';
import { formatError, invalidInput, type VaesaError } from '../common/errors';
import type { Evaluator } from '../common/evaluator';
import { OBJECTIVES, type Objective } from '../common/objective';
import { getDesignFamily, type DesignFamily, type DesignFamilyName } from '../costmodel/design-family';
import type { ArchSpec } from '../costmodel/spec';
import { designKey, isValidDesign, simbaSpace } from '../hardware/space';
import { layerProblem } from '../workload/lower';
import { createGenericCache, findGenericMapping, GENERIC_SEARCH_EFFORTS, type GenericMappingOptions } from './generic/find-mapping';
import { createMappingCache, mapSimbaLayer, resolveMappingOptions, type FindMappingOptions } from './find-mapping';

/** Plain-data options of the cost-model evaluator (structured-cloneable, so worker threads can receive them). */
export type CostModelEvaluatorOptions = Pick<FindMappingOptions, 'model' | 'objective' | 'seed' | 'effort'>;

/**
 * The built-in cost model as an `Evaluator` (the default of dataset generation and search): each
 * (design, layer) is mapped by the default mapper and costed exactly; one mapping cache is shared by
 * every call of the returned function. `Left` for an unknown `model`, `objective` or `effort` or a bad
 * `seed`. The evaluator throws (an evaluator failure, see `onEvaluatorError`) on a design off Simba's
 * grid or a layer nothing fits.
 */
export function costModelEvaluator(options: CostModelEvaluatorOptions = {}): E.Either<VaesaError, Evaluator> {
  const resolved = resolveMappingOptions({ ...options, cache: createMappingCache() });
  if (E.isLeft(resolved)) return resolved;
  return E.right((arch, layer) => {
    const validity = isValidDesign(simbaSpace, arch);
    if (!validity.ok) throw new RangeError(`not a design of Simba's space: ${validity.reason}`);
    const found = mapSimbaLayer(arch, layer, resolved.right);
    if (E.isLeft(found)) throw new RangeError(formatError(found.left));
    const { cycles, energy, area } = found.right.cost;
    return { cycles, energy, area };
  });
}

/** Plain-data options of a family's evaluator (structured-cloneable when `family` is a built-in name). */
export interface FamilyEvaluatorOptions<P extends string = string> {
  /** A built-in family by name (`'simba'`, `'eyeriss'`, `'gemmini'`) or your own `DesignFamily`. */
  readonly family: DesignFamilyName | DesignFamily<P>;
  /** What the mapper minimises per layer (default `'edp'`). */
  readonly objective?: Objective;
  /** The generic mapper's effort (default `'default'`; `'fast'` for large datasets and searches). */
  readonly effort?: GenericMappingOptions['effort'];
  /** Seed of the mapper's search (default 0). */
  readonly seed?: number;
}

/**
 * A family's built-in evaluator: each (design, layer) is turned into the family's `ArchSpec`
 * (`toArch`), the layer mapped onto it by the generic mapper and costed with Timeloop's model: cycles,
 * energy (pJ) and the arch's area (mm²). One mapping cache is shared by every call of the returned
 * function. `Left` for an unknown family name or a bad effort or objective, naming the option and value;
 * the returned evaluator throws for a design outside the family's space or a layer that fits nowhere,
 * which a search or dataset generation reports as an evaluator failure.
 */
export function familyEvaluator<P extends string>(options: FamilyEvaluatorOptions<P>): E.Either<VaesaError, Evaluator<P>> {
  let family: DesignFamily<P>;
  if (typeof options.family === 'string') {
    const named = getDesignFamily(options.family);
    if (E.isLeft(named)) return named;
    family = named.right as unknown as DesignFamily<P>;
  } else family = options.family;
  const cache = createGenericCache();
  const mapping: GenericMappingOptions = { objective: options.objective, effort: options.effort, seed: options.seed, cache };
  if (mapping.objective !== undefined && !(OBJECTIVES as readonly string[]).includes(mapping.objective)) return E.left(invalidInput('options.objective', mapping.objective, `must be one of ${OBJECTIVES.join(', ')}`));
  if (typeof mapping.effort === 'string' && !Object.prototype.hasOwnProperty.call(GENERIC_SEARCH_EFFORTS, mapping.effort)) {
    return E.left(invalidInput('options.effort', mapping.effort, `must be one of ${Object.keys(GENERIC_SEARCH_EFFORTS).join(', ')} or explicit knobs`));
  }
  let lastKey = '';
  let lastArch: ArchSpec | undefined;
  return E.right((design, layer) => {
    const key = designKey(family.space, design);
    if (key !== lastKey || lastArch === undefined) {
      lastArch = orThrow(family.toArch(design));
      lastKey = key;
    }
    const found = orThrow(findGenericMapping(lastArch, layerProblem(layer), mapping));
    return { cycles: found.cost.cycles, energy: found.cost.energy, area: found.cost.area };
  });
}

function orThrow<T>(value: E.Either<VaesaError, T>): T {
  if (E.isLeft(value)) throw new RangeError(formatError(value.left));
  return value.right;
}
