// Client-side: how every Temporal Schedule of the system is described and brought in line. Not part of the workflow bundle.
import { ScheduleAlreadyRunning, ScheduleNotFoundError, type CalendarSpec, type Client, type ScheduleOptionsAction, type ScheduleOverlapPolicy, type ScheduleSpec } from '@temporalio/client';
import type { Workflow } from '@temporalio/common';
import type { Duration } from '@temporalio/common';
import type { AppConfig } from '../config/env';

export interface ScheduleShape {
  spec: ScheduleSpec;
  action: ScheduleOptionsAction;
  policies: { overlap: ScheduleOverlapPolicy; catchupWindow: Duration };
}

export interface ScheduleDefinition {
  id: string;
  /** The requirement it serves, printed when the worker brings it in line. */
  purpose: string;
  /** The schedule under this configuration; undefined when the configuration switches it off (an existing one is then deleted). */
  shape(config: AppConfig, scheduleId: string): ScheduleShape | undefined;
}

/** Every schedule of the system keeps Japan time: one calendar entry, in Asia/Tokyo. */
export function inJapan(calendar: CalendarSpec): ScheduleSpec {
  return { calendars: [calendar], timezone: 'Asia/Tokyo' };
}

/** The schedule's action: start `workflowType` with `args` on the configured task queue, as `workflowId`. */
export function startWorkflowAction<W extends Workflow>(config: AppConfig, workflowType: W, args: Parameters<W>, workflowId: string): ScheduleOptionsAction {
  return { type: 'startWorkflow', workflowType, args, taskQueue: config.temporal.taskQueue, workflowId };
}

/** What a schedule that starts one workflow says under a configuration: when, with which input, as which workflow id, with which policies. */
export interface WorkflowRun<I> {
  spec: ScheduleSpec;
  input: I;
  workflowId: string;
  policies: ScheduleShape['policies'];
}

/** A schedule that starts `workflowType` with one input on the configured task queue; `run` answers undefined when the configuration switches it off. */
export function workflowSchedule<I>(id: string, purpose: string, workflowType: (input: I) => Promise<unknown>, run: (config: AppConfig, scheduleId: string) => WorkflowRun<NoInfer<I>> | undefined): ScheduleDefinition {
  return {
    id,
    purpose,
    shape(config, scheduleId) {
      const r = run(config, scheduleId);
      return r && { spec: r.spec, action: startWorkflowAction(config, workflowType, [r.input], r.workflowId), policies: r.policies };
    },
  };
}

export type ScheduleOutcome = 'created' | 'updated' | 'deleted' | 'off';

/**
 * Creates the schedule or, when it exists, replaces its spec, action and
 * policies with what the configuration says now (a changed BILL_RUN_TIME takes
 * effect at the next worker start). Paused state and notes set by an operator
 * are kept. Safe when several workers start at once: whoever loses the create
 * race updates to the same shape.
 */
export async function ensureSchedule(client: Client, def: ScheduleDefinition, config: AppConfig, scheduleId = def.id): Promise<ScheduleOutcome> {
  const shape = def.shape(config, scheduleId);
  const handle = client.schedule.getHandle(scheduleId);
  if (!shape) {
    try {
      await handle.delete();
      return 'deleted';
    } catch (err) {
      if (err instanceof ScheduleNotFoundError) return 'off';
      throw err;
    }
  }
  try {
    await client.schedule.create({ scheduleId, ...shape });
    return 'created';
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
  }
  await handle.update((previous) => ({ ...previous, spec: shape.spec, action: shape.action, policies: { ...previous.policies, ...shape.policies } }));
  return 'updated';
}
