// Client-side: the daily supplier order run. Not part of the workflow bundle.
import { ScheduleOverlapPolicy } from '@temporalio/client';
import { inJapan, workflowSchedule } from '../schedule-definition';
import { supplierOrderWorkflow } from './supplier-order-workflow';
import type { SupplierOrderRunInput } from './definitions';

export const SUPPLIER_ORDER_SCHEDULE_ID = 'supplier-orders-daily';

/**
 * SHIP-2: one run every day in Japan time; each supplier is only ordered on its
 * own shipping weekdays, so the schedule never needs to know them.
 */
export const supplierOrderSchedule = workflowSchedule(SUPPLIER_ORDER_SCHEDULE_ID, 'SHIP-2 daily supplier order run', supplierOrderWorkflow, (config) => ({
  spec: inJapan({ ...config.shipping.orderTime, comment: 'daily supplier orders' }),
  input: { requestedBy: 'system:schedule' } satisfies SupplierOrderRunInput, workflowId: 'supplier-orders/scheduled', policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 day' },
}));
