export {
  LEVEL_NAMES,
  NUM_LEVELS,
  UNIT_FACTORS,
  PACKED_LENGTH,
  PACKED_LEVEL_STRIDE,
  PACKED_TEMPORAL,
  PACKED_PERMUTATION,
  PACKED_SPATIAL,
  PACKED_SPATIAL_PERMUTATION,
  dimFactors,
  makeMapping,
  packMapping,
  unpackMapping,
  permutationFromString,
} from './mapping';
export type { LevelName, DimFactors, LevelMapping, Mapping as SimbaMapping, PackedMapping } from './mapping';
export { TENSOR_NAMES } from './cost';
export type { CostModelName, TensorName, TensorAccess, LevelBreakdown, CostBreakdown, MappingCost } from './cost';
export { buildArchTemplate } from './arch-template';
export type { ArchTemplate, ArchTemplateOptions, StorageLevelSpec } from './arch-template';
export { accelergyEnergyTable40nm, energyTableFromErt, patSramEnergy, patDramEnergy, patMacEnergy } from './energy-tables';
export type { AccelergyEnergyTable } from './energy-tables';
export { areaTable40nm, estimateArea } from './area';
export type { AreaTable } from './area';
export { EvaluatorWorkspace, MappingEvaluator } from './loop-analysis';
export type { MappingProblem } from './loop-analysis';
export { evaluateMapping, templateFor, describeProblem, costFromEvaluator } from './evaluate';
export type { EvaluateOptions } from './evaluate';
export { isValidMapping } from './validity';
export type { MappingValidity } from './validity';
export { mappingFromTimeloop, parseTimeloopMapYaml } from './timeloop-mapping';
export { findMapping, createMappingCache } from './mapper/find-mapping';
export type { FindMappingOptions, FoundMapping, MappingCache, MapperFunction, MapperName } from './mapper/find-mapping';
export { DEFAULT_SEARCH_EFFORT, FAST_SEARCH_EFFORT, SEARCH_EFFORTS } from './mapper/search';
export type { MapperObjective, SearchEffort, SearchEffortName } from './mapper/search';
export { evaluateLayer, evaluateNetwork } from './evaluate-layer';
export type { EvaluateLayerOptions, LayerCost, NetworkCost } from './evaluate-layer';
export * from './mip';
export { costModelEvaluator } from './evaluator';
export type { CostModelEvaluatorOptions } from './evaluator';
export { meshY, fanout } from './spec';
export type { ArchSpec, StorageLevel, ArithmeticLevel, StorageTechnology, EnergyModelName, LevelLoops, Mapping } from './spec';
