import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { ShipmentStatus, TroubleKind } from '../../domain/shipping/types';
import type { NotesIgnoredMessages } from '../status-view';

/** Messages of ShipmentWorkflow and the supplier order run, shared by workflows, activities, API and tests. */
export interface ShipmentPolicy {
  /** SHIP-5: re-shipments allowed per delivery before an operator has to decide. */
  maxReshipments: number;
  /** Days after shipping without a delivery before the shipment is reported overdue. */
  deliveryOverdueDays: number;
}

export interface ShipmentWorkflowInput {
  donationId: string;
  giftLineId: number;
  giftCode: string;
  deliveryNo: number;
  deliveries: number;
  /** JST date before which the shipment is not ordered (定期便 deliveries, seasonal gifts). */
  notBefore?: string;
  policy: ShipmentPolicy;
  /** A new run for a delivery that was completed and then reported damaged or lost. */
  reopen?: { shipmentId: string; attempt: number; trouble: TroubleReport };
}

export interface OrderPlaced {
  orderId: string;
  shipOn: string;
}

export interface ShippedConfirmation {
  actor: string;
  shippedOn: string;
  carrier: string;
  trackingNumber: string;
}

export interface Delivered {
  actor: string;
  at: string;
  source: 'carrier_status' | 'operator';
}

export interface TroubleReport {
  actor: string;
  kind: TroubleKind;
  note: string;
  /** Where the report came from: an operator, a call-centre complaint (CALL-3) or the carrier. */
  source: 'operator' | 'call_centre' | 'carrier';
}

export interface EscalationDecision {
  actor: string;
  action: 'reship' | 'close';
  reason: string;
}

export interface ShipmentCancel {
  actor: string;
  reason: string;
}

export interface ShipmentAttemptView {
  shipmentId: string;
  attempt: number;
  status: ShipmentStatus;
  orderId?: string;
  plannedShipOn?: string;
  shippedOn?: string;
  carrier?: string;
  trackingNumber?: string;
  trouble?: { kind: TroubleKind; note: string; source: string };
}

export interface ShipmentView extends NotesIgnoredMessages {
  donationId: string;
  giftCode: string;
  deliveryNo: number;
  deliveries: number;
  status: ShipmentStatus;
  /** The current attempt's shipment id (a re-shipment has a new one). */
  shipmentId?: string;
  attempts: ShipmentAttemptView[];
  reshipments: number;
  preShippingMail?: string;
  alerts: { kind: string; at: string }[];
}

export const orderPlacedSignal = defineSignal<[OrderPlaced]>('orderPlaced');
export const deliveredSignal = defineSignal<[Delivered]>('delivered');
export const cancelShipmentSignal = defineSignal<[ShipmentCancel]>('cancelShipment');
export const resolveEscalationSignal = defineSignal<[EscalationDecision]>('resolveEscalation');
export const confirmShippedUpdate = defineUpdate<ShipmentAttemptView, [ShippedConfirmation]>('confirmShipped');
export const reportTroubleUpdate = defineUpdate<{ reshipment: boolean; escalated: boolean }, [TroubleReport]>('reportTrouble');
export const shipmentStatusQuery = defineQuery<ShipmentView>('shipmentStatus');

export const shipmentWorkflowId = (donationId: string, giftLineId: number, deliveryNo: number) => `shipment/${donationId}/${giftLineId}/${deliveryNo}`;

export interface SupplierOrderRunInput {
  /** JST date of the run; absent = today in Japan. */
  shipOn?: string;
  requestedBy: string;
  /** Supplier codes to order for; absent = every supplier whose shipping day it is. */
  suppliers?: string[];
}

export interface SupplierOrderRunView {
  shipOn: string;
  orders: { orderId: string; supplierCode: string | null; shipments: number; mail: string }[];
  withoutSupplier: number;
  /** One entry per carrier (`files` of them, `fileName` the first); runs recorded before that have one entry per file and no `files`. */
  carrierFiles: { carrier: string; fileName: string; files?: number; rows: number; problems: number }[];
}
