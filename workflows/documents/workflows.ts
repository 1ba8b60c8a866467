// The documents workflows the worker registers (re-exported by workflows/index.ts, the bundle entry).
export { printBatchWorkflow } from './print-batch-workflow';
