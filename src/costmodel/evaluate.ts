import type { ArchConfig } from '../hardware/arch';
import type { ConvLayer } from '../workload/layer';
import { buildArchTemplate, type ArchTemplate } from './arch-template';
import { estimateArea, type AreaTable } from './area';
import { TENSOR_NAMES, type CostModelName, type LevelBreakdown, type MappingCost, type TensorAccess, type TensorName } from './cost';
import type { AccelergyEnergyTable } from './energy-tables';
import { MappingEvaluator, type EvaluatorWorkspace, type MappingProblem } from './loop-analysis';
import { LEVEL_NAMES, NUM_LEVELS, packMapping, type Mapping, type PackedMapping } from './mapping';

export interface EvaluateOptions {
  /** Energy setup: `'pat'` (default, VAESA's) or `'accelergy'`. */
  readonly model?: CostModelName;
  /** Tables replacing the defaults: Accelergy energies (setup `'accelergy'`) and the area model. */
  readonly tables?: { readonly accelergy?: AccelergyEnergyTable; readonly area?: AreaTable };
  /**
   * Scratch memory to reuse across calls (default: a new one per call). Allocating it is most of the
   * cost of one `evaluateMapping` call, so a loop over many mappings should pass one.
   */
  readonly workspace?: EvaluatorWorkspace;
}

/** The template of `arch` for the options' setup and tables. */
export function templateFor(arch: ArchConfig, options: EvaluateOptions = {}): ArchTemplate {
  return buildArchTemplate(arch, { model: options.model, accelergyTable: options.tables?.accelergy });
}

/** One line describing why a mapping cannot run. */
export function describeProblem(p: MappingProblem): string {
  const dims = 'RSPQCKN';
  switch (p.kind) {
    case 'structure':
      return `${LEVEL_NAMES[p.level]}: ${p.message}`;
    case 'factors':
      return `the product of the ${dims[p.dim]} factors is ${p.product}, the layer's ${dims[p.dim]} is ${p.expected}`;
    case 'fanout':
      return `spatial factors at ${LEVEL_NAMES[p.level]} use a fan-out of ${p.used}, the hardware has ${p.available}`;
    case 'instances':
      return `${LEVEL_NAMES[p.level]} needs ${p.used} instances, the hardware has ${p.available}`;
    case 'capacity':
      return `${LEVEL_NAMES[p.level]} tiles need ${p.used} entries, the buffer has ${p.available}`;
  }
}

/** Reads an evaluator's statistics (after `evaluate`) into a `MappingCost`. */
export function costFromEvaluator(ev: MappingEvaluator, area: number): MappingCost {
  const levels: LevelBreakdown[] = [];
  for (let l = 0; l < NUM_LEVELS; l++) {
    const spec = ev.template.levels[l];
    const tensors: Partial<Record<TensorName, TensorAccess>> = {};
    let levelEnergy = 0;
    for (let s = 0; s < TENSOR_NAMES.length; s++) {
      const i = l * TENSOR_NAMES.length + s;
      const accesses = ev.reads[i] + ev.updates[i] + ev.fills[i];
      const instances = ev.utilizedInstances[i];
      levelEnergy += ev.tensorEnergy[i];
      tensors[TENSOR_NAMES[s]] = {
        keep: spec.keeps[TENSOR_NAMES[s]],
        utilizedCapacity: ev.utilizedCapacity[i],
        utilizedInstances: instances,
        utilizedClusters: ev.utilizedClusters[i],
        reads: ev.reads[i],
        updates: ev.updates[i],
        fills: ev.fills[i],
        energyPerAccess: accesses > 0 ? ev.tensorEnergy[i] / instances / accesses : 0,
        energy: ev.tensorEnergy[i],
      };
    }
    levels.push({ level: spec.name, tensors: tensors as Record<TensorName, TensorAccess>, energy: levelEnergy });
  }
  return {
    cycles: ev.cycles,
    energy: ev.energy,
    area,
    edp: ev.energy * ev.cycles,
    breakdown: {
      levels,
      macEnergy: ev.macEnergy,
      macs: ev.macs,
      utilizedMacs: ev.utilizedMacs,
      computeCycles: ev.computeCycles,
    },
  };
}

/**
 * Evaluates one mapping of `layer` on `arch` the way timeloop-model (11920be) does: cycles, energy (pJ),
 * area (mm², see `estimateArea`), energy-delay product and the per level, per tensor breakdown.
 * Throws a RangeError naming the problem if the mapping cannot run (check with `isValidMapping` first).
 * For many mappings, pass `options.workspace` (a reused `EvaluatorWorkspace`); for many mappings of one
 * (arch, layer), build a `MappingEvaluator` once and call its `evaluate`.
 */
export function evaluateMapping(
  arch: ArchConfig,
  layer: ConvLayer,
  mapping: Mapping | PackedMapping,
  options: EvaluateOptions = {},
): MappingCost {
  const evaluator = new MappingEvaluator(templateFor(arch, options), layer, options.workspace);
  const packed = mapping instanceof Int32Array ? mapping : packMapping(mapping);
  const problem = evaluator.check(packed);
  if (problem !== undefined) throw new RangeError(`evaluateMapping: invalid mapping: ${describeProblem(problem)}`);
  evaluator.evaluate(packed);
  return costFromEvaluator(evaluator, estimateArea(arch, options.tables?.area));
}
