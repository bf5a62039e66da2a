export { loadMipSolver } from './solver';
export type { CompiledWasmModule, MipSolver, MipSolverLoadOptions } from './solver';
export { findMappingMip, solveCosaProblem, mipMapper, DEFAULT_MIP_TIME_LIMIT_SECONDS } from './mapper';
export type { MipFailure, MipMapperOptions, MipMapping } from './mapper';
export { buildCosaProblem, COSA_WEIGHTS, REUSE_PATTERNS, capacityLimits, factorGroups, primeFactorisation } from './formulation';
export type { CosaProblem, CosaWeights, CosaFormulationOptions, FactorGroup, FactorSite, FactorPlacement, MipArch, ReusePattern, CapacityLimit } from './formulation';
export { decodePlacement, placementObjective, placementToMapping, placementViolations, placementTileLog } from './placement';
export { toLpFormat } from './linear-program';
export type { LinearProgram } from './linear-program';
