// Every workflow the worker registers. Keep this file to re-exports: it is the bundle entry.
export { donationWorkflow } from './donation/donation-workflow';
export { printBatchWorkflow } from './documents/print-batch-workflow';
export { importFileWorkflow, collectPortalFilesWorkflow } from './intake/import-file-workflow';
export { oneStopApplicationWorkflow } from './onestop/onestop-application-workflow';
export { retentionDestructionWorkflow } from './onestop/retention-workflow';
export { onestopNotificationWorkflow, onestopNotificationReminderWorkflow } from './onestop/notification-workflow';
export { retentionProposalWorkflow } from './onestop/retention-proposal-workflow';
export { shipmentWorkflow } from './shipping/shipment-workflow';
export { supplierOrderWorkflow } from './shipping/supplier-order-workflow';
export { monthlyBillingWorkflow, scheduledBillingWorkflow } from './billing/workflows';
export { monthlyReportWorkflow, monthlyReportScheduleWorkflow } from './reports/monthly-report-workflow';
export { qualityDemandMailWorkflow } from './reports/quality-demand-workflow';
export { incidentReportWorkflow } from './onestop/incident-workflow';
