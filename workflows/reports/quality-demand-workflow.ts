import { proxyActivities } from '@temporalio/workflow';
import type { ReportActivities } from '../../activities/reports';

const mail = proxyActivities<ReportActivities>({ startToCloseTimeout: '2 minutes', retry: { initialInterval: '30 seconds', maximumInterval: '30 minutes' } });

/**
 * CALL-3: mails one demand for measures (workflow id `quality-demand/<measure id>`). Its own
 * workflow so that an SMTP outage is retried until the mail goes, without holding up the API.
 */
export async function qualityDemandMailWorkflow(input: { measureId: string }): Promise<{ status: string }> {
  return mail.mailQualityDemand({ measureId: input.measureId });
}
