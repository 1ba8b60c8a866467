import { EntitySchema, OptionalProps } from '@mikro-orm/core';

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

/** 事業者: a local business that supplies gifts (返礼品). */
export class Supplier {
  [OptionalProps]?: 'createdAt';
  id!: number;
  name!: string;
  createdAt: Date = new Date();
}

export const SupplierSchema = new EntitySchema<Supplier>({
  class: Supplier,
  tableName: 'suppliers',
  properties: {
    id: { type: 'integer', primary: true, autoincrement: true },
    name: { type: 'string', columnType: 'text' },
    createdAt: { type: 'Date', columnType: 'timestamptz', defaultRaw: 'now()' },
  },
});

/** 返礼品. Money in integer yen throughout the ledger. */
export class Gift {
  code!: string;
  name!: string;
  supplier?: Supplier;
  priceYen!: number;
  costYen!: number;
  shippingCostYen!: number;
  active!: boolean;
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
  },
});
