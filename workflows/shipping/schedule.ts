// Client-side: the daily supplier order run. Not part of the workflow bundle.
import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import type { AppConfig } from '../../config/env';
import { supplierOrderWorkflow } from './supplier-order-workflow';
import type { SupplierOrderRunInput } from './definitions';

export const SUPPLIER_ORDER_SCHEDULE_ID = 'supplier-orders-daily';

/**
 * SHIP-2: one run every day in Japan time; each supplier is only ordered on its
 * own shipping weekdays, so the schedule never needs to know them.
 */
export async function ensureSupplierOrderSchedule(client: Client, config: AppConfig): Promise<void> {
  const args: [SupplierOrderRunInput] = [{ requestedBy: 'system:schedule' }];
  const spec = {
    calendars: [{ hour: config.shipping.orderTime.hour, minute: config.shipping.orderTime.minute, comment: 'daily supplier orders' }],
    timezone: 'Asia/Tokyo',
  };
  const action = { type: 'startWorkflow' as const, workflowType: supplierOrderWorkflow, args, taskQueue: config.temporal.taskQueue, workflowId: 'supplier-orders/scheduled' };
  try {
    await client.schedule.create({ scheduleId: SUPPLIER_ORDER_SCHEDULE_ID, spec, action, policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 day' } });
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
    await client.schedule.getHandle(SUPPLIER_ORDER_SCHEDULE_ID).update((previous) => ({ ...previous, spec, action }));
  }
}
