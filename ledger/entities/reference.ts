import { ArrayType, OptionalProps } from '@mikro-orm/core';
import type { ApprovalStatus, CarrierCode, DeliveryConstraints, Temperature } from '../../domain/gifts/types';
import { cityDecision, codeKey, counter, entity, flag, insertedAt, integer, json, optionalDay, optionalInteger, optionalText, optionalTimestamp, serialKey, text } from './columns';

/** A donation portal (ポータルサイト) or the city's own intake channel. */
export class Portal {
  code!: string;
  name!: string;
  /** さとふる and the city's own site do their own intake and shipping; we only record (PORTAL-1). */
  recordOnly!: boolean;
  active!: boolean;
}

export const PortalSchema = entity(Portal, 'portals', {
  code: codeKey(),
  ...text('name'),
  ...flag('recordOnly'),
  active: flag.with({ default: true }),
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

export const SupplierSchema = entity(Supplier, 'suppliers', {
  id: serialKey('integer'),
  code: optionalText.with({ unique: 'suppliers_code_unique' }),
  ...text('name'),
  ...optionalText('email', 'phone', 'postalCode', 'address', 'defaultCarrier'),
  shippingWeekdays: { type: new ArrayType<number>((i) => Number(i), (i) => String(i)), columnType: 'smallint[]', defaultRaw: `'{2,5}'` },
  ...optionalText('shippingExceptionReason', 'shippingExceptionApprovedBy', 'rulesAcknowledgedBy', 'rulesAcknowledgementRef'),
  ...optionalTimestamp('shippingExceptionApprovedAt', 'rulesAcknowledgedAt'),
  ...cityDecision(),
  ...optionalText('decisionReason'),
  active: flag.with({ default: true }),
  ...insertedAt('createdAt'),
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

export const GiftSchema = entity(Gift, 'gifts', {
  code: codeKey(),
  ...text('name'),
  supplier: { kind: 'm:1', entity: () => Supplier, nullable: true, deleteRule: 'restrict' },
  ...integer('priceYen'),
  ...counter('costYen', 'shippingCostYen'),
  ...flag('active', 'autoRebalance'),
  ...cityDecision(),
  ...optionalText('decisionNote', 'localProductBasis', 'carrier'),
  temperature: text.with({ default: 'ambient' }),
  deliveries: integer.with({ columnType: 'smallint', default: 1 }),
  deliveryIntervalDays: optionalInteger.with({ columnType: 'smallint' }),
  ...optionalDay('acceptFrom', 'acceptUntil'),
  deliveryConstraints: json.with({ defaultRaw: `'{}'` }),
  ...optionalInteger('totalStock'),
  lowStockThreshold: integer.with({ default: 10 }),
});
