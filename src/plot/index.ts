export { searchHistorySvg, heatmapSvg } from './svg';
export type { Series } from './svg';
export { latentSlice } from './latent-slice';
export type { LatentSliceOptions } from './latent-slice';
