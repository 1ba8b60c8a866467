import { ActivityFailure, ApplicationFailure, CancellationScope, isCancellation, proxyActivities, setHandler, sleep, workflowInfo } from '@temporalio/workflow';
import type { ReportActivities } from '../../activities/reports/reports';
import { jstDate } from '../../domain/jst';
import { previousMonth, reportDueAt, reportDueOn } from '../../domain/reports/month';
import { monthlyReportStatusQuery, type MonthlyReportInput, type MonthlyReportScheduleInput, type MonthlyReportView } from './definitions';

const build = proxyActivities<ReportActivities>({
  startToCloseTimeout: '30 minutes',
  // A few quick tries for a passing hiccup; a lasting failure is the workflow's loop (and its alerts).
  retry: { initialInterval: '10 seconds', backoffCoefficient: 3, maximumAttempts: 3, nonRetryableErrorTypes: ['ReportMonthError'] },
});
const quick = proxyActivities<ReportActivities>({ startToCloseTimeout: '2 minutes', retry: { initialInterval: '10 seconds', maximumInterval: '10 minutes' } });

function reason(err: unknown): string {
  const cause = err instanceof ActivityFailure ? (err.cause ?? err) : err;
  return cause instanceof Error ? cause.message.slice(0, 500) : String(cause);
}

/**
 * REPORT-1/2: one revision of a month's 月次業務報告書 (workflow id `report-YYYY-MM`). Builds it
 * (figures, PDF, CSV, stored), then tells the city. A scheduled run also watches the due day: a
 * reminder `reminderDaysBefore` days before it and an escalation (recorded and mailed to the city)
 * when it passes without a report; the build keeps being retried until it succeeds.
 */
export async function monthlyReportWorkflow(input: MonthlyReportInput): Promise<MonthlyReportView> {
  const info = workflowInfo();
  const view: MonthlyReportView = { month: input.month, status: 'building', attempts: 0, alerts: [] };
  setHandler(monthlyReportStatusQuery, () => view);
  const dueOn = reportDueOn(input.month, input.dueDay);
  const alert = async (kind: 'build_failed' | 'reminder' | 'overdue' | 'built_late', message: string, mailCity = false) => {
    view.alerts.push(kind);
    await quick.recordMonthlyReportAlert({
      month: input.month,
      kind,
      message,
      workflowId: info.workflowId,
      key: `${info.workflowId}/${info.runId}/${kind}`,
      mailCity: mailCity ? { dueOn, attempts: view.attempts } : undefined,
    });
  };

  let overdue = false;
  const watchers = new CancellationScope();
  const watching =
    input.kind === 'scheduled'
      ? watchers
          .run(async () => {
            const dueAt = reportDueAt(input.month, input.dueDay).getTime();
            const remindAt = dueAt - input.reminderDaysBefore * 86_400_000;
            if (input.reminderDaysBefore > 0 && remindAt > Date.now()) {
              await sleep(remindAt - Date.now());
              await alert('reminder', `${input.month} の月次業務報告書が未作成です（期限 ${dueOn}、試行 ${view.attempts} 回${view.lastError ? `、直近のエラー: ${view.lastError}` : ''}）`);
            }
            if (dueAt > Date.now()) await sleep(dueAt - Date.now());
            overdue = true;
            await alert('overdue', view.lastError ? `作成に失敗しています: ${view.lastError}` : '作成が期限までに終わりませんでした', true);
          })
          .catch((err) => {
            if (!isCancellation(err)) throw err;
          })
      : Promise.resolve();

  let built: Awaited<ReturnType<ReportActivities['buildMonthlyReport']>> | undefined;
  while (!built) {
    view.attempts += 1;
    view.status = 'building';
    try {
      built = await build.buildMonthlyReport({
        month: input.month,
        kind: input.kind,
        requestedBy: input.requestedBy,
        workflowId: info.workflowId,
        buildKey: `${info.workflowId}/${info.runId}`,
        dueDay: input.dueDay,
        escalated: overdue,
      });
    } catch (err) {
      if (err instanceof ActivityFailure && err.cause instanceof ApplicationFailure && err.cause.nonRetryable) throw err;
      view.lastError = reason(err);
      view.status = 'waiting_to_retry';
      if (view.attempts === 1) await alert('build_failed', `月次業務報告書 ${input.month} の作成に失敗しました: ${view.lastError}`);
      await sleep(input.retryInterval ?? '1 hour');
    }
  }
  watchers.cancel();
  await watching;
  Object.assign(view, { status: 'built', reportId: built.reportId, revision: built.revision, late: built.late });
  if (overdue) await alert('built_late', `期限（${dueOn}）後に第${built.revision}版を作成しました`);

  view.noticeStatus = (await quick.mailMonthlyReportNotice({ reportId: built.reportId })).status;
  view.status = 'notified';
  return view;
}

/**
 * The monthly Schedule's run (the 1st, Asia/Tokyo): starts `report-<previous month>` (through an
 * activity) and ends; a report of that month already being built (on demand) is left alone.
 */
export async function monthlyReportScheduleWorkflow(input: MonthlyReportScheduleInput): Promise<{ month: string; workflowId: string; started: boolean }> {
  const month = previousMonth(jstDate(new Date()).slice(0, 7));
  const { workflowId, started } = await quick.startMonthlyReport({ month, requestedBy: input.requestedBy, dueDay: input.dueDay, reminderDaysBefore: input.reminderDaysBefore, retryInterval: input.retryInterval });
  return { month, workflowId, started };
}
