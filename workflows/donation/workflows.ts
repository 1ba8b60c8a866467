// The donation workflows the worker registers (re-exported by workflows/index.ts, the bundle entry).
export { donationWorkflow } from './donation-workflow';
