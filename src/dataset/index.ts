export type { DatasetRow } from './row';
export {
  VAESA_ARCH_COLUMNS,
  VAESA_LAYER_COLUMNS,
  AREA_COLUMN,
  vaesaHeader,
  formatVaesaRow,
  formatVaesaCsv,
  parseVaesaHeader,
  parseVaesaRow,
  parseVaesaCsv,
  createVaesaCsvReader,
  layerFromFileName,
} from './csv';
export type { VaesaCsvColumns, VaesaCsvLayout, VaesaCsvRead, VaesaCsvReadOptions, VaesaCsvLineReader } from './csv';
export { readVaesaCsv, readVaesaCsvFiles, listVaesaCsvFiles, writeVaesaCsv, convertVaesaFiles, mergeVaesaCsv } from './files';
export type { ReadVaesaCsvOptions, ReadManyProgress, ConvertOptions, ConvertResult } from './files';
export { sampleDesigns } from './sample';
export type { DesignSampler } from './sample';
export { planDataset, planRow, shardRange } from './plan';
export type { DatasetPlan, DatasetPlanOptions, Shard } from './plan';
export { loadEvaluator } from './evaluator-module';
export type { EvaluatorModule, EvaluatorSource } from './evaluator-module';
export { generateDataset } from './generate';
export type { GenerateOptions, GenerateProgress } from './generate';
export { generateDatasetFile } from './generate-file';
export type { GenerateFileOptions, GenerateFileResult } from './generate-file';
export { splitDataset, splitByLayer, sampleIndices, pickLayers } from './split';
export type { Split, SplitOptions, LayerSplitOptions } from './split';
