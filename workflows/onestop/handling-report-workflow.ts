import { proxyActivities } from '@temporalio/workflow';
import type { HandlingReportActivities } from '../../activities/onestop/handling-report';
import type { OneStopActivities } from '../../activities/onestop/onestop';
import { jstDate } from '../../domain/jst';
import { monthOf, previousMonth } from '../../domain/reports/month';

const { compileMonthlyHandlingReport, recordOneStopAlert } = proxyActivities<HandlingReportActivities & Pick<OneStopActivities, 'recordOneStopAlert'>>({
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '5 seconds', maximumInterval: '2 minutes' },
});

export interface HandlingReportInput {
  /** YYYY-MM; the month before the run's day (Japan) when absent, as the schedule starts it. */
  month?: string;
  requestedBy: string;
}

/** The month before the one `date` (YYYY-MM-DD, JST) lies in: the month a run on the 1st reports. */
export const monthBeforeDay = (date: string): string => previousMonth(monthOf(date));

/**
 * MYNUM-3 / MYNUM-6 (特記9, 13): on the 1st of each month (schedule mynumber-handling-report, Asia/Tokyo)
 * the past month's handling report is compiled from the access log and kept as issued; the city is
 * alerted, with the anomalies counted, and reads it at GET /mynumber/handling-reports/{month}.
 */
export async function mynumberHandlingReportWorkflow(input: HandlingReportInput): Promise<{ month: string; reads: number; anomalies: number }> {
  const month = input.month ?? monthBeforeDay(jstDate(new Date()));
  const r = await compileMonthlyHandlingReport({ month, requestedBy: input.requestedBy });
  await recordOneStopAlert({
    kind: 'handling_report',
    message: `${month} の特定個人情報の取扱状況報告を作成しました: 閲覧 ${r.reads} 件、拒否 ${r.refusals} 件、要確認 ${r.anomalies} 件 (GET /mynumber/handling-reports/${month})`,
    details: { month, reads: r.reads, refusals: r.refusals, anomalies: r.anomalies },
    key: `handling-report/${month}`,
  });
  return { month, reads: r.reads, anomalies: r.anomalies };
}
