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
export { buildArchTemplate, simbaArch, SIMBA_MAPPER_SETTINGS } from './arch-template';
export type { ArchTemplate, ArchTemplateOptions, StorageLevelSpec, TemplateMapperSettings } from './arch-template';
export { accelergyEnergyTable40nm, energyTableFromErt, ertMaxEnergies, patSramEnergy, patDramEnergy, patMacEnergy } from './energy-tables';
export type { AccelergyEnergyTable } from './energy-tables';
export { areaTable40nm, estimateArea } from './area';
export type { AreaTable } from './area';
export { EvaluatorWorkspace, MappingEvaluator } from './loop-analysis';
export type { MappingProblem } from './loop-analysis';
export { evaluateMapping, templateFor, describeProblem, costFromEvaluator } from './evaluate';
export type { EvaluateOptions } from './evaluate';
export { isValidMapping } from './validity';
export type { MappingValidity } from './validity';
export { simbaMappingFromRecord, parseSimbaMapYaml } from './timeloop-mapping';
export { mappingFromTimeloop } from './map-file';
export { parseTimeloopArch } from './timeloop-arch';
export type { TimeloopArchOptions } from './timeloop-arch';
export { ArchMappingEvaluator, createMappingEvaluator, evaluateArchMapping } from './arch-evaluator';
export type { ArchCost, StorageLevelCost, DataSpaceStats } from './arch-evaluator';
export { meshY, fanout } from './spec';
export type { ArchSpec, StorageLevel, ArithmeticLevel, StorageTechnology, EnergyModelName, LevelLoops, Mapping } from './spec';
export { eyerissArch, gemminiArch, EYERISS_DEFAULTS, GEMMINI_DEFAULTS } from './families';
export type { EyerissParams, GemminiParams, FamilyEnergy, FamilyOptions } from './families';
export { simbaFamily, eyerissFamily, gemminiFamily, eyerissFamilySpace, gemminiFamilySpace, designFamilies, getDesignFamily } from './design-family';
export type { DesignFamily, DesignFamilyName, EyerissFamilyParam, GemminiFamilyParam } from './design-family';
