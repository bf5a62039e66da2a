export * from './common';
export * from './hardware';
export * from './workload';
