/**
 * `vaesa/node`: everything in `vaesa` plus the Node-only edges (file and worker-thread I/O).
 * The main entry stays free of `node:` imports so it also bundles for the browser.
 */
export * from './index';
export { readWorkloadFile, readCosaNetworkDir, readOnnxFile } from './workload/files';
export * from './dataset/node';
export { saveVaesa, loadVaesa } from './train/checkpoint';
// tfjs-layers (about 1 MB, not marked side-effect free) stays out of the main entry that browser bundles use.
export { saveLayersModels } from './train/layers-files';
export { toLayersModels, mlpToLayersModel } from './model/layers-export';
export type { VaesaLayersModels } from './model/layers-export';
