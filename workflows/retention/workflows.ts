// The retention workflows the worker registers (re-exported by workflows/index.ts, the bundle entry).
// The destruction itself runs in retentionDestructionWorkflow (workflows/onestop), shared by both scopes.
export { recordsRetentionProposalWorkflow } from './proposal-workflow';
