export { ConvLayerCodec, LAYER_DIMS, convLayer, layerMacs, inputWidth, inputHeight, tensorSizes, layerName } from './layer';
export type { ConvLayer, Dim } from './layer';
export {
  NetworkCodec,
  NetworkLayerCodec,
  ConvNetworkCodec,
  networkOf,
  distinctLayers,
  uniqueLayers,
  uniqueConvLayers,
  networkMacs,
  networkLayerCount,
  lowerNetwork,
  lowerNetworkOrThrow,
} from './network';
export type { Network, NetworkLayer, ConvNetwork } from './network';
export { LayerCodec, isProblem, layerProblem, layerMacsOf, layerKey, layerLabel, lowerToConvLayers, decodeProblem } from './lower';
export type { Layer, LoweredConv } from './lower';
export {
  VAESA_LAYER_FIELDS,
  decodeVaesaLayer,
  decodeVaesaWorkload,
  parseVaesaWorkload,
  decodeTimeloopLayer,
  parseTimeloopLayer,
  parseCosaNetwork,
  parseWorkloadJson,
  decodeWorkload,
} from './parse';
export type { CosaNetworkFiles } from './parse';
export { parseTimeloopProblem, decodeTimeloopProblem, decodeTimeloopShape } from './timeloop-problem';
export {
  LAYER_FEATURE_SCALES,
  layerFeatures,
  normaliseLayerFeatures,
  denormaliseLayerFeatures,
  layerFeatureVector,
  PROBLEM_FEATURE_NAMES,
  problemFeatures,
  layerFeatureNames,
  layerFeaturesOf,
} from './features';
export type { LayerFeatureNormalisation, LayerFeatureStats, LayerFeatureSet } from './features';
export { randomLayers } from './random-layers';
export { networks, getNetwork, VAESA_NETWORKS, COSA_NETWORKS } from './builtin';
export type { BuiltInNetworkName } from './builtin';
export {
  CONV2D_SHAPE,
  GROUPED_CONV_SHAPE,
  DEPTHWISE_CONV_SHAPE,
  MATMUL_SHAPE,
  BATCHED_MATMUL_SHAPE,
  validateProblem,
  conv2d,
  groupedConv,
  depthwiseConv,
  matmul,
  batchedMatmul,
  problemMacs,
  rankExtent,
  dataSpaceSizes,
  problemKey,
} from './problem';
export type { Problem, ProblemShape, ProblemKind, DataSpace, ProjectionTerm, ConvStrides } from './problem';
export { transformerBlock } from './transformer';
export type { TransformerBlockOptions } from './transformer';
export { readOnnx, ONNX_OPSETS, COSTED_ONNX_OPS } from './onnx/read';
export type { ReadOnnxOptions, OnnxImport, SkippedOps } from './onnx/read';
