import { condition, proxyActivities, proxyLocalActivities, setHandler, sleep, workflowInfo } from '@temporalio/workflow';
import type { RetryPolicy } from '@temporalio/common';
import type { ShippingActivities } from '../../activities/shipping/shipping';
import { jstStartOfDay } from '../../domain/jst';
import { CARRIERS, isCarrier, type ShipmentStatus } from '../../domain/shipping/types';
import {
  cancelShipmentSignal,
  confirmShippedUpdate,
  deliveredSignal,
  orderPlacedSignal,
  reportTroubleUpdate,
  resolveEscalationSignal,
  shipmentStatusQuery,
  type Delivered,
  type EscalationDecision,
  type OrderPlaced,
  type ShipmentAttemptView,
  type ShipmentCancel,
  type ShipmentView,
  type ShipmentWorkflowInput,
  type ShippedConfirmation,
  type TroubleReport,
} from './definitions';

// Ledger and mail calls retry with backoff while the database or SMTP peer is down;
// a shipment that is not in the ledger is a bug, not an outage.
const retry: RetryPolicy = { initialInterval: '2 seconds', maximumInterval: '5 minutes', nonRetryableErrorTypes: ['ShipmentNotFoundError'] };
const act = proxyActivities<ShippingActivities>({ startToCloseTimeout: '1 minute', retry });
const local = proxyLocalActivities<ShippingActivities>({ startToCloseTimeout: '30 seconds', retry });

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * One delivery of one gift line (SHIP-1…5): wait for the delivery's date, join the
 * supplier's next order, tell the donor before it ships (SHIP-4), follow it to the
 * door. Delay, damage or loss starts a re-shipment — a new shipment linked to the
 * one it replaces — up to the configured limit; past it an operator decides.
 */
export async function shipmentWorkflow(input: ShipmentWorkflowInput): Promise<ShipmentView> {
  const { workflowId, runId } = workflowInfo();
  let seq = 0;
  const key = () => `${workflowId}@${runId}#${++seq}`;
  const view: ShipmentView = {
    donationId: input.donationId,
    giftCode: input.giftCode,
    deliveryNo: input.deliveryNo,
    deliveries: input.deliveries,
    status: 'planned',
    attempts: [],
    reshipments: 0,
    alerts: [],
    ignored: [],
  };
  let current: ShipmentAttemptView | undefined;
  let ordered: OrderPlaced | undefined;
  let shipped: ShippedConfirmation | undefined;
  let delivered: Delivered | undefined;
  let trouble: TroubleReport | undefined;
  let cancel: ShipmentCancel | undefined;
  let decision: EscalationDecision | undefined;

  setHandler(shipmentStatusQuery, () => view);
  setHandler(orderPlacedSignal, (o) => {
    // The order run re-sends its signals when it runs again the same day: only the first counts.
    if (view.status !== 'awaiting_order' || ordered) return;
    ordered = o;
  });
  setHandler(deliveredSignal, (d) => {
    if (view.status !== 'shipped' || delivered) view.ignored.push(`delivered by ${d.actor} while ${view.status}`);
    else delivered = d;
  });
  setHandler(cancelShipmentSignal, (c) => {
    // Once the supplier has the order the goods are on their way; cancelling is then an operator's call with the supplier.
    if (view.status !== 'planned' && view.status !== 'awaiting_order') view.ignored.push(`cancel by ${c.actor} while ${view.status}`);
    else cancel = c;
  });
  setHandler(resolveEscalationSignal, (d) => {
    if (view.status !== 'escalated' || decision) view.ignored.push(`resolveEscalation by ${d.actor} while ${view.status}`);
    else decision = d;
  });
  setHandler(
    confirmShippedUpdate,
    async (c) => {
      shipped = c;
      await condition(() => view.status === 'shipped' || trouble !== undefined);
      return current as ShipmentAttemptView;
    },
    {
      validator: (c) => {
        if (view.status !== 'ordered' || shipped) throw new Error(`shipment is ${view.status}; only an ordered shipment can be confirmed as shipped`);
        if (!c?.actor?.trim()) throw new Error('actor is required');
        if (!ISO_DATE.test(c.shippedOn ?? '')) throw new Error('shippedOn must be a date (YYYY-MM-DD)');
        if (!isCarrier(c.carrier ?? '')) throw new Error(`carrier "${c.carrier}" is not one of ${CARRIERS.join(', ')}`);
        if (!/^[0-9A-Za-z-]{6,30}$/.test(c.trackingNumber ?? '')) throw new Error('trackingNumber must be 6–30 letters, digits or hyphens');
      },
    },
  );
  setHandler(
    reportTroubleUpdate,
    async (t) => {
      const before = view.reshipments;
      trouble = t;
      await condition(() => trouble === undefined || view.status === 'escalated');
      return { reshipment: view.reshipments > before, escalated: view.status === 'escalated' };
    },
    {
      validator: (t) => {
        if (!['ordered', 'shipped'].includes(view.status) || trouble) throw new Error(`shipment is ${view.status}; trouble can be reported on an ordered or shipped shipment`);
        if (!t?.actor?.trim()) throw new Error('actor is required');
        if (!['delay', 'damage', 'loss'].includes(t.kind)) throw new Error('kind must be delay, damage or loss');
        if (!t.note?.trim()) throw new Error('note is required');
      },
    },
  );

  const move = async (to: ShipmentStatus, actor: string, reason?: string, fields?: Parameters<ShippingActivities['changeShipmentStatus']>[0]['fields']) => {
    const c = current as ShipmentAttemptView;
    await local.changeShipmentStatus({ shipmentId: c.shipmentId, to, actor, reason, fields, at: new Date().toISOString(), key: key() });
    c.status = to;
    view.status = to;
  };

  const startAttempt = async (attempt: number, replaces?: string, reason?: string) => {
    const row = await act.createShipment({
      donationId: input.donationId,
      giftLineId: input.giftLineId,
      deliveryNo: input.deliveryNo,
      deliveries: input.deliveries,
      attempt,
      replacesShipmentId: replaces,
      notBefore: attempt === 1 ? input.notBefore : undefined,
      workflowId,
      actor: 'system:shipping',
      reason,
    });
    current = { shipmentId: row.id, attempt, status: row.status };
    view.attempts.push(current);
    view.shipmentId = row.id;
    view.status = row.status;
    ordered = shipped = delivered = undefined;
  };

  /** Records the trouble on the current attempt; true when a re-shipment was started, false when it ended here. */
  const handleTrouble = async (t: TroubleReport): Promise<boolean> => {
    const c = current as ShipmentAttemptView;
    c.trouble = { kind: t.kind, note: t.note, source: t.source };
    await move('trouble', t.actor, `${t.kind} (${t.source}): ${t.note}`, { troubleKind: t.kind, troubleNote: t.note });
    let reship = view.reshipments < input.policy.maxReshipments;
    let actor = 'system:shipping';
    let reason = `re-shipment ${view.reshipments + 1} after ${t.kind}`;
    if (!reship) {
      await move('escalated', 'system:shipping', `${view.reshipments} re-shipments already made; an operator decides`);
      trouble = undefined;
      await condition(() => decision !== undefined);
      const d = decision as EscalationDecision;
      decision = undefined;
      if (d.action === 'close') {
        await move('closed', d.actor, d.reason);
        return false;
      }
      reship = true;
      actor = d.actor;
      reason = `re-shipment ${view.reshipments + 1} approved: ${d.reason}`;
    }
    view.reshipments += 1;
    await startAttempt(c.attempt + 1, c.shipmentId, `${reason} (by ${actor})`);
    trouble = undefined;
    return true;
  };

  if (input.reopen) {
    current = { shipmentId: input.reopen.shipmentId, attempt: input.reopen.attempt, status: 'delivered' };
    view.attempts.push(current);
    view.shipmentId = current.shipmentId;
    view.reshipments = input.reopen.attempt - 1;
    if (!(await handleTrouble(input.reopen.trouble))) return view;
  } else {
    await startAttempt(1);
    if (input.notBefore) {
      const wait = jstStartOfDay(input.notBefore).getTime() - Date.now();
      if (wait > 0 && (await condition(() => cancel !== undefined, wait))) {
        await move('cancelled', cancel!.actor, cancel!.reason);
        return view;
      }
    }
  }

  for (;;) {
    await move('awaiting_order', 'system:shipping', input.deliveries > 1 ? `定期便 ${input.deliveryNo}/${input.deliveries}` : undefined);
    await condition(() => ordered !== undefined || cancel !== undefined);
    if (cancel && !ordered) {
      await move('cancelled', cancel.actor, cancel.reason);
      return view;
    }
    const o = ordered as OrderPlaced;
    // The order run already wrote 'ordered' to the ledger; the view follows it.
    (current as ShipmentAttemptView).status = 'ordered';
    (current as ShipmentAttemptView).orderId = o.orderId;
    (current as ShipmentAttemptView).plannedShipOn = o.shipOn;
    view.status = 'ordered';
    // A mail that cannot be composed must not hold back the gift: it is recorded and the shipment goes on.
    // An activity, not a local one: while SMTP is away a local activity's retries hold the workflow
    // task, and a thousand shipments retrying starve every other workflow of the worker (the fault
    // suite's SMTP outage stalled the order run that way).
    view.preShippingMail = await act.sendPreShippingMail({ shipmentId: (current as ShipmentAttemptView).shipmentId }).then(
      (r) => r.status,
      (err: Error) => `failed: ${err.message}`,
    );

    await condition(() => shipped !== undefined || trouble !== undefined);
    if (trouble) {
      if (await handleTrouble(trouble)) continue;
      return view;
    }
    const s = shipped as ShippedConfirmation;
    Object.assign(current as ShipmentAttemptView, { shippedOn: s.shippedOn, carrier: s.carrier, trackingNumber: s.trackingNumber });
    await move('shipped', s.actor, `${s.carrier} ${s.trackingNumber}`, { shippedOn: s.shippedOn, carrier: s.carrier, trackingNumber: s.trackingNumber });

    const settled = () => delivered !== undefined || trouble !== undefined;
    if (!(await condition(settled, `${input.policy.deliveryOverdueDays} days`))) {
      const at = new Date().toISOString();
      await act.recordShipmentAlert({ shipmentId: (current as ShipmentAttemptView).shipmentId, kind: 'delivery_overdue', reason: `not delivered ${input.policy.deliveryOverdueDays} days after shipping`, at, key: key() });
      view.alerts.push({ kind: 'delivery_overdue', at });
      await condition(settled);
    }
    if (trouble) {
      if (await handleTrouble(trouble)) continue;
      return view;
    }
    const d = delivered as Delivered;
    await move('delivered', d.actor, `delivered (${d.source})`, { deliveredAt: d.at });
    return view;
  }
}
