import { randomUUID } from 'node:crypto';
import { Collection, OptionalProps } from '@mikro-orm/core';
import type { Channel, DonationStatus, PaymentMethod } from '../../domain/donation-status';
import { Gift, Portal } from './reference';
import { counter, createdAndUpdated, entity, flag, insertedAt, integer, json, optionalDay, optionalJson, optionalText, optionalTimestamp, serialKey, text, timestamp, uuidKey } from './columns';

/** 寄附者. One row per person; repeat donors keep one record. */
export class Donor {
  [OptionalProps]?: 'id' | 'createdAt' | 'updatedAt';
  id: string = randomUUID();
  name!: string;
  nameKana!: string;
  postalCode!: string;
  prefecture!: string;
  address!: string;
  phone?: string;
  email?: string;
  createdAt: Date = new Date();
  updatedAt: Date = new Date();
}

export const DonorSchema = entity(Donor, 'donors', {
  id: uuidKey(),
  ...text('name', 'nameKana', 'postalCode', 'prefecture', 'address'),
  ...optionalText('phone', 'email'),
  ...createdAndUpdated(),
});

/** 寄附: one donation, from any portal or entered by hand. The workflow owns its lifecycle; this row mirrors it. */
export class Donation {
  [OptionalProps]?: 'id' | 'wantsOneStop' | 'disasterRelief' | 'status' | 'reviewFlags' | 'returnedMailCount' | 'createdAt' | 'updatedAt' | 'giftLines';
  id: string = randomUUID();
  portal!: Portal;
  portalOrderId!: string;
  donor!: Donor;
  channel!: Channel;
  amountYen!: number;
  paymentMethod!: PaymentMethod;
  purpose?: string;
  wantsOneStop = false;
  disasterRelief = false;
  status: DonationStatus = 'received';
  reviewFlags: string[] = [];
  appliedAt!: Date;
  paidAt?: Date;
  documentsDueOn?: string;
  documentsDueAt?: Date;
  reminderAt?: Date;
  escalatedAt?: Date;
  documentsSentAt?: Date;
  completedAt?: Date;
  cancelledAt?: Date;
  /** DOCS-6: when the 払込取扱票 went out to a donor paying by postal transfer. */
  postalTransferFormSentAt?: Date;
  /** DOCS-4: how many times the documents came back undelivered. */
  returnedMailCount = 0;
  workflowId!: string;
  /** Hash of what intake saw, so a re-sent donation is recognised as the same one (or a conflicting one). */
  intakeFingerprint!: string;
  createdBy!: string;
  createdAt: Date = new Date();
  updatedAt: Date = new Date();
  giftLines = new Collection<DonationGiftLine>(this);
}

export const DonationSchema = entity(
  Donation,
  'donations',
  {
    id: uuidKey(),
    portal: { kind: 'm:1', entity: () => Portal, fieldName: 'portal_code', deleteRule: 'restrict' },
    donor: { kind: 'm:1', entity: () => Donor, deleteRule: 'restrict' },
    ...text('portalOrderId', 'channel', 'paymentMethod', 'intakeFingerprint', 'createdBy'),
    ...optionalText('purpose'),
    ...integer('amountYen'),
    ...counter('returnedMailCount'),
    ...flag('wantsOneStop', 'disasterRelief'),
    status: text.with({ default: 'received' }),
    workflowId: text.with({ unique: 'donations_workflow_id_unique' }),
    reviewFlags: json.with({ defaultRaw: `'[]'` }),
    ...timestamp('appliedAt'),
    ...optionalTimestamp('paidAt', 'documentsDueAt', 'reminderAt', 'escalatedAt', 'documentsSentAt', 'completedAt', 'cancelledAt', 'postalTransferFormSentAt'),
    ...optionalDay('documentsDueOn'),
    ...createdAndUpdated(),
    giftLines: { kind: '1:m', entity: () => DonationGiftLine, mappedBy: 'donation' },
  },
  { uniques: [{ name: 'donations_portal_order_unique', properties: ['portal', 'portalOrderId'] }] },
);

/** A gift (返礼品) chosen with a donation; 定期便 and multiple gifts are several lines. */
export class DonationGiftLine {
  [OptionalProps]?: 'quantity';
  id!: number;
  donation!: Donation;
  gift!: Gift;
  quantity = 1;
  unitPriceYen!: number;
}

export const DonationGiftLineSchema = entity(DonationGiftLine, 'donation_gift_lines', {
  id: serialKey('integer'),
  donation: { kind: 'm:1', entity: () => Donation, deleteRule: 'cascade' },
  gift: { kind: 'm:1', entity: () => Gift, fieldName: 'gift_code', deleteRule: 'restrict' },
  quantity: integer.with({ default: 1 }),
  ...integer('unitPriceYen'),
});

/**
 * Append-only history of a donation: every state change and correction, with
 * who, when, before/after and why. The database refuses UPDATE and DELETE.
 */
export class DonationEvent {
  [OptionalProps]?: 'recordedAt';
  id!: string;
  donation!: Donation;
  kind!: string;
  fromStatus?: string;
  toStatus?: string;
  actor!: string;
  occurredAt!: Date;
  reason?: string;
  before?: Record<string, unknown>;
  after?: Record<string, unknown>;
  idempotencyKey?: string;
  recordedAt: Date = new Date();
}

export const DonationEventSchema = entity(
  DonationEvent,
  'donation_events',
  {
    id: serialKey('bigint'),
    donation: { kind: 'm:1', entity: () => Donation, deleteRule: 'restrict' },
    ...text('kind', 'actor'),
    ...optionalText('fromStatus', 'toStatus', 'reason'),
    idempotencyKey: optionalText.with({ unique: 'donation_events_idempotency_key_unique' }),
    ...optionalJson('before', 'after'),
    ...timestamp('occurredAt'),
    ...insertedAt('recordedAt'),
  },
  { indexes: [{ name: 'donation_events_donation_idx', properties: ['donation', 'id'] }] },
);
