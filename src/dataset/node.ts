// The Node-only face of the dataset module (re-exported by `vaesa/node`): files and worker threads.
export { readVaesaCsv, readVaesaCsvFiles, listVaesaCsvFiles, writeVaesaCsv, convertVaesaFiles, mergeVaesaCsv, readDatasetCsv, readDatasetCsvFiles, writeDatasetCsv } from './files';
export type { ReadVaesaCsvOptions, ReadDatasetCsvOptions, ReadManyProgress, ConvertOptions, ConvertResult } from './files';
export { loadEvaluator } from './evaluator-module';
export type { EvaluatorModule, EvaluatorSource } from './evaluator-module';
export { generateDatasetOnWorkers } from './parallel';
export type { ParallelGenerateOptions } from './parallel';
export { generateDatasetFile } from './generate-file';
export type { GenerateFileOptions, GenerateFileResult } from './generate-file';
