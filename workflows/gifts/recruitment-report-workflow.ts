import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { RecruitmentReportActivities } from '../../activities/gifts/recruitment-report';

const mail = proxyActivities<RecruitmentReportActivities>({ startToCloseTimeout: '2 minutes', retry: { initialInterval: '30 seconds', maximumInterval: '30 minutes' } });

export interface RecruitmentReportInput {
  /** YYYY-MM (Japan); absent on a scheduled run: the month before the one the run starts in. */
  month?: string;
  requestedBy: string;
}

/** The JST month before the instant `at`: what a run on the 1st reports. */
export function monthBefore(at: Date): string {
  const jst = new Date(at.getTime() + 9 * 3_600_000);
  return new Date(Date.UTC(jst.getUTCFullYear(), jst.getUTCMonth() - 1, 1)).toISOString().slice(0, 7);
}

/**
 * GIFT-6 (spec 7(9)ウ): the regular recruitment report to the city — a month's briefings, would-be suppliers'
 * inquiries and the suppliers proposed and decided — mailed with its CSV, once per month (the mail's key).
 */
export async function recruitmentReportWorkflow(input: RecruitmentReportInput): Promise<{ month: string; status: string }> {
  const month = input.month ?? monthBefore(workflowInfo().startTime);
  const { status } = await mail.mailRecruitmentReport({ month });
  return { month, status };
}
