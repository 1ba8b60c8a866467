import { proxyActivities } from '@temporalio/workflow';
import type { MyNumberExportActivities, MyNumberExportRequest } from '../../activities/onestop/mynumber-export';
import type { MyNumberExport } from '../../ledger/mynumber-exports';
import { step } from '../step-options';

// A year's package is a few megabytes; refusals (no key, no package, a changed file) are not retried.
const { exportMyNumberPackage } = proxyActivities<MyNumberExportActivities>(step('10 minutes', { backoff: ['5 seconds', '1 minute'] }));

/** MYNUM-2: one encrypted, registered export of a year's 申告特例通知書 package (`POST /mynumber/exports`). */
export async function myNumberExportWorkflow(input: MyNumberExportRequest): Promise<MyNumberExport> {
  return exportMyNumberPackage(input);
}
