// The workflow bundle entry: every feature's workflows.ts. Keep this file to re-exports.
export * from './donation/workflows';
export * from './intake/workflows';
export * from './documents/workflows';
export * from './shipping/workflows';
export * from './gifts/workflows';
export * from './onestop/workflows';
export * from './billing/workflows';
export * from './reports/workflows';
export * from './retention/workflows';
