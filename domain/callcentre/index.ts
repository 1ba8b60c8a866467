export * from './types';
export * from './hours';
