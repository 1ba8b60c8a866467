import type { CalendarSpec, Client, WorkflowHandle } from '@temporalio/client';
import type { AppConfig } from '../../config/env';
import { SCHEDULES } from '../../workflows/features';
import { jstAt } from './clock';

/**
 * The time-skipping server has no Schedules, so the season fires each one itself: the same
 * ScheduleDefinition the worker creates in production (workflows/<feature>/registry.ts), its
 * calendar read for the day, its action (workflow type, arguments, task queue) started as
 * Temporal would start it, with the firing time appended to the workflow id.
 */
const MONTHS = ['JANUARY', 'FEBRUARY', 'MARCH', 'APRIL', 'MAY', 'JUNE', 'JULY', 'AUGUST', 'SEPTEMBER', 'OCTOBER', 'NOVEMBER', 'DECEMBER'];

function numbers(v: CalendarSpec['hour'] | CalendarSpec['minute'] | CalendarSpec['dayOfMonth'], every: number[]): number[] {
  if (v === undefined) return [0];
  const list = Array.isArray(v) ? v : [v];
  return list.flatMap((x) => (x === '*' ? every : typeof x === 'number' ? [x] : [])) as number[];
}

export interface Firing {
  scheduleId: string;
  at: Date;
}

/**
 * When each of `ids` fires on `day` (JST). A schedule that fires every hour (the portal collection)
 * fires only at `everyHourAt` hours here: a season of 48 collections a day would be mostly empty.
 */
export function firingsOn(config: AppConfig, ids: string[], day: string, everyHourAt: number[]): Firing[] {
  const out: Firing[] = [];
  const [, month, dom] = day.split('-').map(Number);
  for (const id of ids) {
    const def = SCHEDULES.find((s) => s.id === id);
    if (!def) throw new Error(`no schedule ${id} in workflows/features.ts`);
    const shape = def.shape(config, id);
    if (!shape) continue;
    for (const c of shape.spec.calendars ?? []) {
      const months = c.month === undefined ? [month] : (Array.isArray(c.month) ? c.month : [c.month]).map((m) => MONTHS.indexOf(String(m)) + 1);
      if (!months.includes(month)) continue;
      if (c.dayOfMonth !== undefined && !numbers(c.dayOfMonth, [dom]).includes(dom)) continue;
      const hours = c.hour === '*' ? everyHourAt : numbers(c.hour, everyHourAt);
      for (const h of hours) for (const m of c.minute === undefined ? [0] : numbers(c.minute, [0])) {
        if (c.hour === '*' && m !== numbers(c.minute, [0])[0]) continue;
        out.push({ scheduleId: id, at: jstAt(day, h, m) });
      }
    }
  }
  return out.sort((a, b) => a.at.getTime() - b.at.getTime());
}

/** Starts the schedule's action as Temporal would at `at`. */
export async function fire(client: Client, config: AppConfig, f: Firing): Promise<WorkflowHandle> {
  const def = SCHEDULES.find((s) => s.id === f.scheduleId)!;
  const action = def.shape(config, f.scheduleId)!.action;
  if (action.type !== 'startWorkflow') throw new Error(`schedule ${f.scheduleId}: action ${action.type} is not a workflow start`);
  let args = (action.args ?? []) as any[];
  // The supplier order run asks an activity for today's date (the wall clock, which no test server moves): the
  // season hands it the day it fires on, which is what that activity answers at that moment in production.
  if (f.scheduleId === 'supplier-orders-daily') args = [{ ...args[0], shipOn: new Date(f.at.getTime() + 9 * 3_600_000).toISOString().slice(0, 10) }];
  return client.workflow.start(action.workflowType as any, {
    taskQueue: action.taskQueue,
    workflowId: `${action.workflowId}-${f.at.toISOString().replace(/\.\d+Z$/, 'Z')}`,
    args,
  });
}
