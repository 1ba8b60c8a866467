// The reports workflows the worker registers (re-exported by workflows/index.ts, the bundle entry).
export { monthlyReportWorkflow, monthlyReportScheduleWorkflow } from './monthly-report-workflow';
export { qualityDemandMailWorkflow } from './quality-demand-workflow';
