import type { ArchConfig } from '../hardware/arch';
import type { ConvLayer } from '../workload/layer';
import { describeProblem, templateFor, type EvaluateOptions } from './evaluate';
import { MappingEvaluator, type MappingProblem } from './loop-analysis';
import { NUM_LEVELS, packMapping, type Mapping, type PackedMapping } from './mapping';

/** The verdict of `isValidMapping`: valid, or every reason it is not (one readable line each). */
export type MappingValidity =
  | { readonly valid: true }
  | { readonly valid: false; readonly reasons: readonly string[]; readonly problems: readonly MappingProblem[] };

/**
 * Whether `mapping` can run `layer` on `arch`, with Timeloop's rules: per dim the product of all temporal and
 * spatial factors equals the layer's bound; the spatial factors below each level fit its fan-out (the template's
 * instance ratio, e.g. GlobalBuffer -> InputBuffer 64); every level's utilized instances fit; the tiles a
 * buffer keeps fit its entries (sum over kept tensors, Timeloop's capacity rule; DRAM is unbounded).
 * An arch that cannot form the template or a malformed layer is reported as a reason too.
 */
export function isValidMapping(arch: ArchConfig, layer: ConvLayer, mapping: Mapping | PackedMapping, options: EvaluateOptions = {}): MappingValidity {
  let evaluator: MappingEvaluator;
  try {
    evaluator = new MappingEvaluator(templateFor(arch, options), layer, options.workspace);
  } catch (e) {
    const message = (e as Error).message;
    return { valid: false, reasons: [message], problems: [{ kind: 'structure', level: 0, message }] };
  }
  let packed: PackedMapping;
  if (mapping instanceof Int32Array) packed = mapping;
  else if (mapping.levels?.length !== NUM_LEVELS) {
    const problem: MappingProblem = { kind: 'structure', level: 0, message: `a mapping needs ${NUM_LEVELS} levels` };
    return { valid: false, reasons: [`mapping needs ${NUM_LEVELS} levels, got ${String(mapping.levels?.length)}`], problems: [problem] };
  } else {
    try {
      packed = packMapping(mapping);
    } catch (e) {
      const problem: MappingProblem = { kind: 'structure', level: 0, message: (e as Error).message };
      return { valid: false, reasons: [(e as Error).message], problems: [problem] };
    }
  }
  const problems: MappingProblem[] = [];
  evaluator.check(packed, problems);
  return problems.length === 0 ? { valid: true } : { valid: false, reasons: problems.map(describeProblem), problems };
}
