// Client-side: the daily supplier order run. Not part of the workflow bundle.
import { ScheduleOverlapPolicy } from '@temporalio/client';
import { inJapan, startWorkflowAction, type ScheduleDefinition } from '../schedule-definition';
import { supplierOrderWorkflow } from './supplier-order-workflow';
import type { SupplierOrderRunInput } from './definitions';

export const SUPPLIER_ORDER_SCHEDULE_ID = 'supplier-orders-daily';

/**
 * SHIP-2: one run every day in Japan time; each supplier is only ordered on its
 * own shipping weekdays, so the schedule never needs to know them.
 */
export const supplierOrderSchedule: ScheduleDefinition = {
  id: SUPPLIER_ORDER_SCHEDULE_ID,
  purpose: 'SHIP-2 daily supplier order run',
  shape: (config) => ({
    spec: inJapan({ hour: config.shipping.orderTime.hour, minute: config.shipping.orderTime.minute, comment: 'daily supplier orders' }),
    action: startWorkflowAction(config, supplierOrderWorkflow, [{ requestedBy: 'system:schedule' }] satisfies [SupplierOrderRunInput], 'supplier-orders/scheduled'),
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 day' },
  }),
};
