/**
 * `vaesa/node`: everything in `vaesa` plus the Node-only edges (file and worker-thread I/O).
 * The main entry stays free of `node:` imports so it also bundles for the browser.
 */
export * from './index';
export { readWorkloadFile, readCosaNetworkDir } from './workload/files';
export * from './dataset/node';
export { saveVaesa, loadVaesa } from './train/checkpoint';
