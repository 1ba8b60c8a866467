// The billing workflows the worker registers (re-exported by workflows/index.ts, the bundle entry).
export { monthlyBillingWorkflow } from './monthly-billing-workflow';
export { scheduledBillingWorkflow } from './scheduled-billing-workflow';
