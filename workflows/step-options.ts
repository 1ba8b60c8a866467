// Workflow-side (deterministic): the shape of an activity step's options, written once.
import type { ActivityOptions } from '@temporalio/workflow';
import type { Duration } from '@temporalio/common';

export interface StepShape {
  /** Long steps heartbeat their progress: a worker that dies mid-step is noticed within this, not the step's whole timeout. */
  heartbeat?: Duration;
  /** Retry backoff from the first interval up to the maximum; attempts are unlimited (Temporal's default), deadlines live in the workflows. */
  backoff?: readonly [initial: Duration, maximum: Duration];
}

/** Options for `proxyActivities`: how long one attempt may take, and the shape above. */
export function step(startToCloseTimeout: Duration, { heartbeat, backoff }: StepShape = {}): ActivityOptions {
  return {
    startToCloseTimeout,
    ...(heartbeat ? { heartbeatTimeout: heartbeat } : {}),
    ...(backoff ? { retry: { initialInterval: backoff[0], maximumInterval: backoff[1] } } : {}),
  };
}
