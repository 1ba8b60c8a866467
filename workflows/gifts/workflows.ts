// The gifts workflows the worker registers (re-exported by workflows/index.ts, the bundle entry).
export { recruitmentReportWorkflow } from './recruitment-report-workflow';
