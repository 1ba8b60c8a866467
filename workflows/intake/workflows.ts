// The intake workflows the worker registers (re-exported by workflows/index.ts, the bundle entry).
export { importFileWorkflow, collectPortalFilesWorkflow } from './import-file-workflow';
