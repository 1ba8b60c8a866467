// The onestop workflows the worker registers (re-exported by workflows/index.ts, the bundle entry).
export { oneStopApplicationWorkflow } from './onestop-application-workflow';
export { retentionDestructionWorkflow } from './retention-workflow';
export { onestopNotificationWorkflow, onestopNotificationReminderWorkflow } from './notification-workflow';
export { retentionProposalWorkflow } from './retention-proposal-workflow';
export { incidentReportWorkflow } from './incident-workflow';
export { mynumberHandlingReportWorkflow } from './handling-report-workflow';
export { handlerRegisterReportWorkflow } from './handler-register-workflow';
export { myNumberExportWorkflow } from './mynumber-export-workflow';
export { lateBounceWorkflow } from './late-bounce-workflow';
