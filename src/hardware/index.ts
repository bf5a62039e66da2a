export { ArchConfigCodec, PARAM_NAMES, simbaDefaultArch, archId, archToVector, archFromVector } from './arch';
export type { ArchConfig, ParamName } from './arch';
export {
  simbaSpace,
  defineSpace,
  gridValues,
  gridSize,
  gridAxis,
  spaceCardinality,
  snapValue,
  snapArch,
  encodeValue,
  decodeValue,
  encodeArch,
  decodeArch,
  isValidArch,
  parseArch,
  sampleArch,
  gridArchs,
} from './space';
export type { DesignSpace, ParamSpec, ParamGrid, ArchValidity, GridOptions } from './space';
