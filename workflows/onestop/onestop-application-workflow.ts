import { condition, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { OneStopActivities } from '../../activities/onestop/onestop';
import { oneStopStatusQuery, resubmittedSignal, type OneStopStatusView, type OneStopWorkflowInput, type Resubmitted } from './definitions';

const onestop = proxyActivities<OneStopActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', nonRetryableErrorTypes: ['OneStopApplicationNotFound'] },
});

const DAY_MS = 86_400_000;

/**
 * One workflow per 申告特例申請書 (ONESTOP-2), ID onestop/<donation id>:
 * review → accepted (受付済み通知, DOCS-5) | late (rejection notice: file a
 * tax return) | deficient (notice naming what is missing, reminders before
 * the deadline, re-review on every resubmission; at the deadline it closes).
 * No search attributes: the state is in the ledger, and the Temporal
 * visibility store is not where personal data may go.
 */
export async function oneStopApplicationWorkflow(input: OneStopWorkflowInput): Promise<OneStopStatusView> {
  const { workflowId } = workflowInfo();
  const view: OneStopStatusView = { applicationId: input.applicationId, state: 'reviewing', round: 0, findings: [], notices: [], resubmissions: 0 };
  const pending: Resubmitted[] = [];
  setHandler(oneStopStatusQuery, () => view);
  setHandler(resubmittedSignal, (r) => {
    pending.push(r);
    view.resubmissions += 1;
  });

  // The state changes only after its notice is recorded, so "accepted" always comes with its 受付済み通知.
  const notify = async (kind: 'accepted' | 'deficiency' | 'reminder' | 'late_rejection' | 'closed_deficient', key: string) => {
    const { channel } = await onestop.recordOneStopNotice({ applicationId: input.applicationId, kind, key: `${workflowId}#notice-${key}` });
    view.notices.push({ kind, channel, at: new Date().toISOString() });
  };

  const review = async (actor: string) => {
    view.state = 'reviewing';
    const r = await onestop.reviewOneStopApplication({ applicationId: input.applicationId, key: `${workflowId}#review-${view.round + 1}`, actor });
    view.round += 1;
    view.findings = r.findings;
    view.deadlineOn = r.deadlineOn;
    return r;
  };

  let result = await review('system:onestop-review');
  if (result.outcome === 'late') {
    await notify('late_rejection', 'late');
    view.state = 'rejected_late';
    return view;
  }

  const deadlineEndsAt = Date.parse(result.deadlineEndsAt);
  const reminders = [...new Set(input.reminderDaysBefore)].sort((a, b) => b - a).map((d) => deadlineEndsAt - d * DAY_MS);

  while (result.outcome === 'deficient') {
    await notify('deficiency', `deficiency-${view.round}`);
    view.state = 'deficient';
    for (;;) {
      const now = Date.now();
      const nextReminder = reminders.find((t) => t > now);
      const wakeAt = nextReminder ?? deadlineEndsAt;
      if (wakeAt <= now) break;
      const arrived = await condition(() => pending.length > 0, wakeAt - now);
      if (arrived) break;
      if (nextReminder !== undefined) await notify('reminder', `reminder-${nextReminder}`);
    }
    const next = pending.shift();
    if (!next) {
      await onestop.closeOneStopApplication({ applicationId: input.applicationId, key: `${workflowId}#closed`, actor: 'system:onestop-deadline' });
      await notify('closed_deficient', 'closed');
      view.state = 'closed_deficient';
      return view;
    }
    pending.length = 0;
    result = await review(next.actor);
  }

  await notify('accepted', 'accepted');
  view.state = 'accepted';
  return view;
}
