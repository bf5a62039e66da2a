export type { LatentModel } from './latent-model';
