export * from './common';
export * from './hardware';
export * from './workload';
export * from './dataset';
export * from './model';
export * from './costmodel';
export * from './train';
export * from './search';
