export { ConvLayerCodec, LAYER_DIMS, convLayer, layerMacs, inputWidth, inputHeight, tensorSizes, layerName } from './layer';
export type { ConvLayer, Dim } from './layer';
