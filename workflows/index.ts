// Every workflow the worker registers. Keep this file to re-exports: it is the bundle entry.
export { donationWorkflow } from './donation/donation-workflow';
