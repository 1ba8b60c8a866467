import { ArrayType, EntitySchema, OptionalProps } from '@mikro-orm/core';
import type { ApprovalStatus, CarrierCode, DeliveryConstraints, Temperature } from '../../domain/gifts/types';

/** A donation portal (ポータルサイト) or the city's own intake channel. */
export class Portal {
  code!: string;
  name!: string;
  /** さとふる and the city's own site do their own intake and shipping; we only record (PORTAL-1). */
  recordOnly!: boolean;
  active!: boolean;
}

export const PortalSchema = new EntitySchema<Portal>({
  class: Portal,
  tableName: 'portals',
  properties: {
    code: { type: 'string', primary: true, columnType: 'text' },
    name: { type: 'string', columnType: 'text' },
    recordOnly: { type: 'boolean', default: false },
    active: { type: 'boolean', default: true },
  },
});

/** 事業者: a local business that supplies gifts (返礼品). Property names are the camelCase of the columns. */
export class Supplier {
  [OptionalProps]?: 'createdAt' | 'shippingWeekdays' | 'active' | 'approvalStatus';
  id!: number;
  /** The supplier's code; a `supplier` API principal's name is this code. Null only for suppliers from before the catalogue. */
  code?: string;
  name!: string;
  email?: string;
  phone?: string;
  postalCode?: string;
  address?: string;
  /** SHIP-2: ISO weekdays (1 = Monday … 7 = Sunday) the supplier ships on; at least two unless the city approved an exception. */
  shippingWeekdays: number[] = [2, 5];
  shippingExceptionReason?: string;
  shippingExceptionApprovedBy?: string;
  shippingExceptionApprovedAt?: Date;
  /** SHIP-8: 地場産品基準 and 食品表示法 acknowledged (signed) — no gift of the supplier is activated before. */
  rulesAcknowledgedAt?: Date;
  rulesAcknowledgedBy?: string;
  rulesAcknowledgementRef?: string;
  defaultCarrier?: CarrierCode;
  /** GIFT-4: proposed to the city, then approved or refused (who/when/reason); suppliers from before the step count as approved. */
  approvalStatus: ApprovalStatus = 'approved';
  proposedBy?: string;
  proposedAt?: Date;
  decidedBy?: string;
  decidedAt?: Date;
  decisionReason?: string;
  active = true;
  createdAt: Date = new Date();
}

export const SupplierSchema = new EntitySchema<Supplier>({
  class: Supplier,
  tableName: 'suppliers',
  properties: {
    id: { type: 'integer', primary: true, autoincrement: true },
    code: { type: 'string', columnType: 'text', nullable: true, unique: 'suppliers_code_unique' },
    name: { type: 'string', columnType: 'text' },
    email: { type: 'string', columnType: 'text', nullable: true },
    phone: { type: 'string', columnType: 'text', nullable: true },
    postalCode: { type: 'string', columnType: 'text', nullable: true },
    address: { type: 'string', columnType: 'text', nullable: true },
    shippingWeekdays: { type: new ArrayType<number>((i) => Number(i), (i) => String(i)), columnType: 'smallint[]', defaultRaw: `'{2,5}'` },
    shippingExceptionReason: { type: 'string', columnType: 'text', nullable: true },
    shippingExceptionApprovedBy: { type: 'string', columnType: 'text', nullable: true },
    shippingExceptionApprovedAt: { type: 'Date', columnType: 'timestamptz', nullable: true },
    rulesAcknowledgedAt: { type: 'Date', columnType: 'timestamptz', nullable: true },
    rulesAcknowledgedBy: { type: 'string', columnType: 'text', nullable: true },
    rulesAcknowledgementRef: { type: 'string', columnType: 'text', nullable: true },
    defaultCarrier: { type: 'string', columnType: 'text', nullable: true },
    approvalStatus: { type: 'string', columnType: 'text', default: 'approved' },
    proposedBy: { type: 'string', columnType: 'text', nullable: true },
    proposedAt: { type: 'Date', columnType: 'timestamptz', nullable: true },
    decidedBy: { type: 'string', columnType: 'text', nullable: true },
    decidedAt: { type: 'Date', columnType: 'timestamptz', nullable: true },
    decisionReason: { type: 'string', columnType: 'text', nullable: true },
    active: { type: 'boolean', default: true },
    createdAt: { type: 'Date', columnType: 'timestamptz', defaultRaw: 'now()' },
  },
});

/** 返礼品. Money in integer yen throughout the ledger. Property names are the camelCase of the columns. */
export class Gift {
  [OptionalProps]?: 'approvalStatus' | 'temperature' | 'deliveries' | 'deliveryConstraints' | 'lowStockThreshold' | 'autoRebalance';
  code!: string;
  name!: string;
  supplier?: Supplier;
  priceYen!: number;
  costYen!: number;
  shippingCostYen!: number;
  active!: boolean;
  /** GIFT-4/5: the city decides proposed gifts; gifts from before the catalogue count as approved. */
  approvalStatus: ApprovalStatus = 'approved';
  proposedBy?: string;
  proposedAt?: Date;
  decidedBy?: string;
  decidedAt?: Date;
  decisionNote?: string;
  temperature: Temperature = 'ambient';
  /** 定期便: `deliveries` shipments, `deliveryIntervalDays` apart. */
  deliveries = 1;
  deliveryIntervalDays?: number;
  /** GIFT-5 acceptance period, JST dates (YYYY-MM-DD), both inclusive. */
  acceptFrom?: string;
  acceptUntil?: string;
  /** 地場産品基準: which basis makes this a local product. */
  localProductBasis?: string;
  deliveryConstraints: DeliveryConstraints = {};
  carrier?: CarrierCode;
  /** GIFT-2: null = stock not tracked. */
  totalStock?: number;
  lowStockThreshold = 10;
  autoRebalance = false;
}

export const GiftSchema = new EntitySchema<Gift>({
  class: Gift,
  tableName: 'gifts',
  properties: {
    code: { type: 'string', primary: true, columnType: 'text' },
    name: { type: 'string', columnType: 'text' },
    supplier: { kind: 'm:1', entity: () => Supplier, nullable: true, deleteRule: 'restrict' },
    priceYen: { type: 'integer' },
    costYen: { type: 'integer', default: 0 },
    shippingCostYen: { type: 'integer', default: 0 },
    active: { type: 'boolean', default: false },
    approvalStatus: { type: 'string', columnType: 'text', default: 'approved' },
    proposedBy: { type: 'string', columnType: 'text', nullable: true },
    proposedAt: { type: 'Date', columnType: 'timestamptz', nullable: true },
    decidedBy: { type: 'string', columnType: 'text', nullable: true },
    decidedAt: { type: 'Date', columnType: 'timestamptz', nullable: true },
    decisionNote: { type: 'string', columnType: 'text', nullable: true },
    temperature: { type: 'string', columnType: 'text', default: 'ambient' },
    deliveries: { type: 'integer', columnType: 'smallint', default: 1 },
    deliveryIntervalDays: { type: 'integer', columnType: 'smallint', nullable: true },
    acceptFrom: { type: 'string', columnType: 'date', nullable: true },
    acceptUntil: { type: 'string', columnType: 'date', nullable: true },
    localProductBasis: { type: 'string', columnType: 'text', nullable: true },
    deliveryConstraints: { type: 'json', columnType: 'jsonb', defaultRaw: `'{}'` },
    carrier: { type: 'string', columnType: 'text', nullable: true },
    totalStock: { type: 'integer', nullable: true },
    lowStockThreshold: { type: 'integer', default: 10 },
    autoRebalance: { type: 'boolean', default: false },
  },
});
