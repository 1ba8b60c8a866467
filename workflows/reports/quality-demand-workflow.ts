import { patched, proxyActivities, sleep } from '@temporalio/workflow';
import type { ReportActivities } from '../../activities/reports/reports';

const mail = proxyActivities<ReportActivities>({ startToCloseTimeout: '2 minutes', retry: { initialInterval: '30 seconds', maximumInterval: '30 minutes' } });

const DAY_MS = 86_400_000;

/**
 * CALL-3: mails one demand for measures (workflow id `quality-demand/<measure id>`). Its own
 * workflow so that an SMTP outage is retried until the mail goes, without holding up the API.
 * It then waits for the end of the due day (JST): a party that has not replied by then gets one
 * reminder. A demand sent after its due day had ended gets none — the demand itself says when.
 */
export async function qualityDemandMailWorkflow(input: { measureId: string }): Promise<{ status: string; reminder?: string }> {
  const sent = await mail.mailQualityDemand({ measureId: input.measureId });
  // Executions started before reminders existed completed right after the mail.
  if (!patched('quality-demand-reminder') || !sent.dueOn) return { status: sent.status };
  const wait = Date.parse(`${sent.dueOn}T00:00:00+09:00`) + DAY_MS - Date.now();
  if (wait <= 0) return { status: sent.status };
  await sleep(wait);
  const reminder = await mail.remindQualityDemand({ measureId: input.measureId });
  return { status: sent.status, reminder: reminder.status };
}
