import { randomUUID } from 'node:crypto';
import { Collection, EntitySchema, OptionalProps } from '@mikro-orm/core';
import type { Channel, DonationStatus, PaymentMethod } from '../../domain/donation-status';
import { Gift, Portal } from './reference';

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

export const DonorSchema = new EntitySchema<Donor>({
  class: Donor,
  tableName: 'donors',
  properties: {
    id: { type: 'uuid', primary: true },
    name: { type: 'string', columnType: 'text' },
    nameKana: { type: 'string', columnType: 'text' },
    postalCode: { type: 'string', columnType: 'text' },
    prefecture: { type: 'string', columnType: 'text' },
    address: { type: 'string', columnType: 'text' },
    phone: { type: 'string', columnType: 'text', nullable: true },
    email: { type: 'string', columnType: 'text', nullable: true },
    createdAt: { type: 'Date', columnType: 'timestamptz', defaultRaw: 'now()' },
    updatedAt: { type: 'Date', columnType: 'timestamptz', defaultRaw: 'now()', onUpdate: () => new Date() },
  },
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

export const DonationSchema = new EntitySchema<Donation>({
  class: Donation,
  tableName: 'donations',
  uniques: [{ name: 'donations_portal_order_unique', properties: ['portal', 'portalOrderId'] }],
  properties: {
    id: { type: 'uuid', primary: true },
    portal: { kind: 'm:1', entity: () => Portal, fieldName: 'portal_code', deleteRule: 'restrict' },
    portalOrderId: { type: 'string', columnType: 'text' },
    donor: { kind: 'm:1', entity: () => Donor, deleteRule: 'restrict' },
    channel: { type: 'string', columnType: 'text' },
    amountYen: { type: 'integer' },
    paymentMethod: { type: 'string', columnType: 'text' },
    purpose: { type: 'string', columnType: 'text', nullable: true },
    wantsOneStop: { type: 'boolean', default: false },
    disasterRelief: { type: 'boolean', default: false },
    status: { type: 'string', columnType: 'text', default: 'received' },
    reviewFlags: { type: 'json', columnType: 'jsonb', defaultRaw: `'[]'` },
    appliedAt: { type: 'Date', columnType: 'timestamptz' },
    paidAt: { type: 'Date', columnType: 'timestamptz', nullable: true },
    documentsDueOn: { type: 'string', columnType: 'date', nullable: true },
    documentsDueAt: { type: 'Date', columnType: 'timestamptz', nullable: true },
    reminderAt: { type: 'Date', columnType: 'timestamptz', nullable: true },
    escalatedAt: { type: 'Date', columnType: 'timestamptz', nullable: true },
    documentsSentAt: { type: 'Date', columnType: 'timestamptz', nullable: true },
    completedAt: { type: 'Date', columnType: 'timestamptz', nullable: true },
    cancelledAt: { type: 'Date', columnType: 'timestamptz', nullable: true },
    postalTransferFormSentAt: { type: 'Date', columnType: 'timestamptz', nullable: true },
    returnedMailCount: { type: 'integer', default: 0 },
    workflowId: { type: 'string', columnType: 'text', unique: 'donations_workflow_id_unique' },
    intakeFingerprint: { type: 'string', columnType: 'text' },
    createdBy: { type: 'string', columnType: 'text' },
    createdAt: { type: 'Date', columnType: 'timestamptz', defaultRaw: 'now()' },
    updatedAt: { type: 'Date', columnType: 'timestamptz', defaultRaw: 'now()', onUpdate: () => new Date() },
    giftLines: { kind: '1:m', entity: () => DonationGiftLine, mappedBy: 'donation' },
  },
});

/** A gift (返礼品) chosen with a donation; 定期便 and multiple gifts are several lines. */
export class DonationGiftLine {
  [OptionalProps]?: 'quantity';
  id!: number;
  donation!: Donation;
  gift!: Gift;
  quantity = 1;
  unitPriceYen!: number;
}

export const DonationGiftLineSchema = new EntitySchema<DonationGiftLine>({
  class: DonationGiftLine,
  tableName: 'donation_gift_lines',
  properties: {
    id: { type: 'integer', primary: true, autoincrement: true },
    donation: { kind: 'm:1', entity: () => Donation, deleteRule: 'cascade' },
    gift: { kind: 'm:1', entity: () => Gift, fieldName: 'gift_code', deleteRule: 'restrict' },
    quantity: { type: 'integer', default: 1 },
    unitPriceYen: { type: 'integer' },
  },
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

export const DonationEventSchema = new EntitySchema<DonationEvent>({
  class: DonationEvent,
  tableName: 'donation_events',
  indexes: [{ name: 'donation_events_donation_idx', properties: ['donation', 'id'] }],
  properties: {
    id: { type: 'bigint', primary: true, autoincrement: true },
    donation: { kind: 'm:1', entity: () => Donation, deleteRule: 'restrict' },
    kind: { type: 'string', columnType: 'text' },
    fromStatus: { type: 'string', columnType: 'text', nullable: true },
    toStatus: { type: 'string', columnType: 'text', nullable: true },
    actor: { type: 'string', columnType: 'text' },
    occurredAt: { type: 'Date', columnType: 'timestamptz' },
    reason: { type: 'string', columnType: 'text', nullable: true },
    before: { type: 'json', columnType: 'jsonb', nullable: true },
    after: { type: 'json', columnType: 'jsonb', nullable: true },
    idempotencyKey: { type: 'string', columnType: 'text', nullable: true, unique: 'donation_events_idempotency_key_unique' },
    recordedAt: { type: 'Date', columnType: 'timestamptz', defaultRaw: 'now()' },
  },
});
