import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import type { AppConfig } from '../../config/env';
import type { ShipmentRow } from '../../ledger/shipments';
import { reportTroubleUpdate, type ShipmentWorkflowInput, type TroubleReport } from '../../workflows/shipping/definitions';
import { shipmentWorkflow } from '../../workflows';
import { conflict, HttpError } from '../errors';

/** A call to a shipment's running workflow (an update); a refused update is 409, a finished workflow 409. */
export async function updateShipmentWorkflow<R>(shipment: Pick<ShipmentRow, 'id'>, run: () => Promise<R>): Promise<R> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError) throw new HttpError(409, 'rejected', err.cause?.message ?? err.message);
    if (err instanceof WorkflowNotFoundError) throw conflict(`shipment ${shipment.id} has no running workflow`);
    throw err;
  }
}

const CLOSE_WAIT_MS = 10_000;

/** Whether the workflow's current run ends (in any way) within `ms`. */
async function closesWithin(temporal: Client, workflowId: string, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const closed = temporal.workflow.getHandle(workflowId).result().then(() => true, () => true);
  const late = new Promise<boolean>((resolve) => { timer = setTimeout(() => resolve(false), ms); });
  try {
    return await Promise.race([closed, late]);
  } finally {
    clearTimeout(timer);
  }
}

export type TroubleOutcome = { reopened: true; workflowId: string } | { reopened: false; workflowId: string; outcome: unknown };

/**
 * SHIP-5 / CALL-3: trouble with a shipment, for POST /shipments/:id/trouble and a complaint's
 * re-shipment alike. An ordered or shipped shipment's workflow takes the report as an update;
 * damage is usually found after delivery, when the delivery's workflow has finished: a new run
 * of it (same ID) re-ships.
 */
export async function reportShipmentTrouble(
  { config, temporal }: { config: AppConfig; temporal: Client },
  shipment: ShipmentRow,
  trouble: TroubleReport,
): Promise<TroubleOutcome> {
  const { workflowId } = shipment;
  if (shipment.status === 'delivered') {
    const input: ShipmentWorkflowInput = {
      donationId: shipment.donationId,
      giftLineId: shipment.giftLineId,
      giftCode: shipment.giftCode,
      deliveryNo: shipment.deliveryNo,
      deliveries: shipment.deliveries,
      policy: { maxReshipments: config.shipping.maxReshipments, deliveryOverdueDays: config.shipping.deliveryOverdueDays },
      reopen: { shipmentId: shipment.id, attempt: shipment.attempt, trouble },
    };
    const reopen = () => temporal.workflow.start(shipmentWorkflow, { taskQueue: config.temporal.taskQueue, workflowId, args: [input], workflowIdReusePolicy: 'ALLOW_DUPLICATE', workflowIdConflictPolicy: 'FAIL' });
    const busy = (err: any) => err?.name === 'WorkflowExecutionAlreadyStartedError';
    await reopen().catch(async (err) => {
      if (!busy(err)) throw err;
      // The ledger says delivered a moment before the workflow that wrote it closes: a complaint that
      // arrives in that moment waits for the close (a few seconds at most), then reopens.
      if (!(await closesWithin(temporal, workflowId, CLOSE_WAIT_MS))) throw conflict(`shipment ${shipment.id} is already being handled`);
      await reopen().catch((again) => {
        throw busy(again) ? conflict(`shipment ${shipment.id} is already being handled`) : again;
      });
    });
    return { reopened: true, workflowId };
  }
  if (!['ordered', 'shipped'].includes(shipment.status)) throw conflict(`shipment ${shipment.id} is ${shipment.status}; trouble applies to ordered, shipped or delivered shipments`);
  const outcome = await updateShipmentWorkflow(shipment, () => temporal.workflow.getHandle(workflowId).executeUpdate(reportTroubleUpdate, { args: [trouble] }));
  return { reopened: false, workflowId, outcome };
}
