export type { DatasetRow } from './row';
