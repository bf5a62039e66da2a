/**
 * `vaesa`: the task-level functions and types at the root; every module's full face under its
 * namespace (`costmodel`, `mapper`, `workload`, `hardware`, `dataset`, `model`, `train`, `search`,
 * `plot`, `common`), e.g. `import { costmodel } from 'vaesa'; costmodel.buildArchTemplate(...)`.
 */
export * as common from './common';
export * as hardware from './hardware';
export * as workload from './workload';
export * as dataset from './dataset';
export * as model from './model';
export * as costmodel from './costmodel';
export * as mapper from './mapper';
export * as train from './train';
export * as search from './search';
export * as plot from './plot';

// Errors, randomness and objectives.
export { formatError, createRng, OBJECTIVES, objectiveValue } from './common';
export type { VaesaError, Rng, Objective, Evaluator, CostMetrics } from './common';

// Design spaces and designs.
export {
  simbaSpace,
  simbaDefaultArch,
  defineSpace,
  encodeDesign,
  decodeDesign,
  snapDesign,
  sampleDesign,
  gridDesigns,
  isValidDesign,
  parseDesign,
  designName,
  parseArch,
  sampleArch,
  encodeArch,
  decodeArch,
  snapArch,
  isValidArch,
} from './hardware';
export type { ArchConfig, ParamName, DesignSpace, Design, ParamSpec, SpaceInput } from './hardware';

// Workloads: layers of any shape, networks, files.
export {
  convLayer,
  conv2d,
  groupedConv,
  depthwiseConv,
  matmul,
  batchedMatmul,
  problemMacs,
  dataSpaceSizes,
  layerMacs,
  tensorSizes,
  layerName,
  layerLabel,
  transformerBlock,
  networks,
  getNetwork,
  networkMacs,
  networkOf,
  lowerNetwork,
  uniqueLayers,
  lowerToConvLayers,
  readOnnx,
  parseTimeloopProblem,
  parseWorkloadJson,
  parseVaesaWorkload,
} from './workload';
export type { ConvLayer, Problem, Layer, Network, ConvNetwork, NetworkLayer, OnnxImport, TransformerBlockOptions, BuiltInNetworkName } from './workload';

// The cost model: accelerators as data, Timeloop's model of a mapping.
export { parseTimeloopArch, simbaArch, eyerissArch, gemminiArch, simbaFamily, eyerissFamily, gemminiFamily, designFamilies, getDesignFamily, evaluateMapping, evaluateArchMapping, createMappingEvaluator, mappingFromTimeloop } from './costmodel';
export type { ArchSpec, DesignFamily, DesignFamilyName, Mapping, SimbaMapping, MappingCost, CostBreakdown, ArchCost, CostModelName } from './costmodel';

// Mappers: a good mapping and its cost for a layer or a network.
export { findMapping, evaluateLayer, evaluateNetwork, createMappingCache, costModelEvaluator, familyEvaluator, loadMipSolver, findMappingMip, findGenericMappingMip } from './mapper';
export type { FoundMapping, LayerCost, NetworkCost, MappingCache, MapspaceConstraints, MipSolverLoadOptions, ArchMappingOptions } from './mapper';

// Datasets.
export { generateDataset, splitDataset, splitByLayer, parseVaesaCsv, formatVaesaCsv } from './dataset';
export type { DatasetRow } from './dataset';

// Training and prediction.
export { trainVaesa, predictCost, predictCosts, evaluateVaesa, encodeVaesa, decodeVaesa, fastPreset, paperPreset } from './train';
export type { TrainedVaesa, TrainOptions, VaesaEvaluation } from './train';
export { useBackend } from './model';

// Search in the latent space and in the design space.
export { latentSearch, inputSpaceSearch, paretoFront, randomOptimizer, gridOptimizer, bayesOptOptimizer, cmaesOptimizer, gradientOptimizer } from './search';
export type { SearchResult, SearchTarget, BestDesign, Optimizer, CustomOptimizer, SearchBox } from './search';

// Plots.
export { searchHistorySvg, latentSlice } from './plot';
