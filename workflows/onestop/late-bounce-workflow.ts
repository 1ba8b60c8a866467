import { proxyActivities } from '@temporalio/workflow';
import type { LateBounceActivities, LateBounceCounts } from '../../activities/onestop/late-bounces';

const { readLateBounces } = proxyActivities<LateBounceActivities>({
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '10 seconds', maximumInterval: '5 minutes' },
});

/**
 * DOCS-5 late bounces: on the schedule mail-late-bounces (every MAIL_DSN_CHECK_MINUTES) the DSN mailbox
 * is read; a permanent failure of a one-stop notice's email moves the notice to paper, as an immediate
 * 5xx does. Input and result: a folder and counts, nothing personal.
 */
export async function lateBounceWorkflow(input: { dir: string }): Promise<LateBounceCounts> {
  return readLateBounces({ dir: input.dir });
}
