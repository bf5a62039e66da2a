// The browser-safe face of the dataset module; file and worker-thread I/O is in ./node.ts (`vaesa/node`).
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
export {
  DESIGN_CSV_LAYER_COLUMNS,
  DESIGN_CSV_METRIC_COLUMNS,
  designCsvHeader,
  formatDesignCsvRow,
  formatDesignCsv,
  isDesignCsvHeader,
  parseDesignCsvHeader,
  parseDesignCsvRow,
  createDesignCsvReader,
} from './design-csv';
export type { DesignCsvLayout, DesignCsvReadOptions } from './design-csv';
export { createCsvLineReader, parseCsvText } from './csv-lines';
export type { CsvRead, CsvLineReader } from './csv-lines';
export { datasetCsvFormat, createDatasetCsvReader } from './dataset-csv';
export type { DatasetCsvFormat, DatasetCsvReadOptions } from './dataset-csv';
export { sampleDesigns } from './sample';
export type { DesignSampler } from './sample';
export { planDataset, planRow, shardRange } from './plan';
export type { DatasetPlan, DatasetPlanOptions, Shard } from './plan';
export { generateDataset, defaultEvaluator } from './generate';
export type { GenerateOptions, GenerateRunOptions, GenerateProgress } from './generate';
export { splitDataset, splitByLayer, sampleIndices, pickLayers } from './split';
export type { Split, SplitOptions, LayerSplitOptions } from './split';
export {
  fitNormalisation,
  defaultNormalisationOptions,
  RAW_TARGET_SCALES,
  normaliseTarget,
  denormaliseTarget,
  normaliseLayer,
  NormalisationStatsCodec,
  parseNormalisationStats,
} from './normalise';
export type { NormalisationStats, NormalisationOptions, TargetNormalisationOptions, LayerNormalisationOptions, MeanStd } from './normalise';
