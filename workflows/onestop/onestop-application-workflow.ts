import { condition, patched, proxyActivities, proxyLocalActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import { ActivityFailure, ApplicationFailure, RetryState, type RetryPolicy } from '@temporalio/common';
import type { OneStopActivities } from '../../activities/onestop/onestop';
import { oneStopStatusQuery, resubmittedSignal, type OneStopStatusView, type OneStopWorkflowInput, type Resubmitted } from './definitions';

const retry: RetryPolicy = { initialInterval: '1 second', maximumInterval: '1 minute', nonRetryableErrorTypes: ['OneStopApplicationNotFound'] };
const onestop = proxyActivities<OneStopActivities>({ startToCloseTimeout: '30 seconds', retry });
// The decision touches only the ledger: it runs inside the workflow task, without a task of its own.
const ledger = proxyLocalActivities<OneStopActivities>({ startToCloseTimeout: '30 seconds', retry });

/**
 * A local activity's failure reaches the workflow as its cause alone: wrapped as an activity's failure
 * is, the workflow fails as it did when the review was an activity (callers read failure.cause.cause).
 */
function asActivityFailure(activityType: string) {
  return (err: unknown): never => {
    throw err instanceof ApplicationFailure ? new ActivityFailure('Activity task failed', activityType, undefined, RetryState.NON_RETRYABLE_FAILURE, undefined, err) : err;
  };
}

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
  // Issue 19: review and notice in one local activity (decideOneStopApplication) instead of two activities, each with its task and workflow task;
  // histories recorded before take the two-step path they were recorded with.
  const oneStep = patched('onestop-decide-in-one-step');
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

  const reviewed = (r: { findings: OneStopStatusView['findings']; deadlineOn: string }) => {
    view.round += 1;
    view.findings = r.findings;
    view.deadlineOn = r.deadlineOn;
  };

  const review = async (actor: string) => {
    view.state = 'reviewing';
    const r = await onestop.reviewOneStopApplication({ applicationId: input.applicationId, key: `${workflowId}#review-${view.round + 1}`, actor });
    reviewed(r);
    return r;
  };

  /** The review, its verdict and the notice its outcome calls for, with the keys the two-step path uses. */
  const decide = async (actor: string) => {
    view.state = 'reviewing';
    const round = view.round + 1;
    const noticeKeys = { accepted: `${workflowId}#notice-accepted`, deficient: `${workflowId}#notice-deficiency-${round}`, late: `${workflowId}#notice-late` };
    const r = await ledger.decideOneStopApplication({ applicationId: input.applicationId, key: `${workflowId}#review-${round}`, actor, noticeKeys }).catch(asActivityFailure('decideOneStopApplication'));
    reviewed(r);
    const { kind } = r.notice;
    // An email notice is sent (or falls back to paper) by the mailing activity, which finds it queued under its key.
    const channel = r.notice.emailPending ? (await onestop.recordOneStopNotice({ applicationId: input.applicationId, kind, key: noticeKeys[r.outcome] })).channel : r.notice.channel;
    view.notices.push({ kind, channel, at: new Date().toISOString() });
    return r;
  };
  const decideOrReview = (actor: string) => (oneStep ? decide(actor) : review(actor));

  let result = await decideOrReview('system:onestop-review');
  if (result.outcome === 'late') {
    if (!oneStep) await notify('late_rejection', 'late');
    view.state = 'rejected_late';
    return view;
  }

  const deadlineEndsAt = Date.parse(result.deadlineEndsAt);
  const reminders = [...new Set(input.reminderDaysBefore)].sort((a, b) => b - a).map((d) => deadlineEndsAt - d * DAY_MS);

  while (result.outcome === 'deficient') {
    if (!oneStep) await notify('deficiency', `deficiency-${view.round}`);
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
    result = await decideOrReview(next.actor);
  }

  if (!oneStep) await notify('accepted', 'accepted');
  view.state = 'accepted';
  return view;
}
