import { EntitySchema, OptionalProps } from '@mikro-orm/core';
import type { DocumentKind, MailingReason } from '../../domain/documents';
import { Donation } from './donation';

export type PrintBatchStatus = 'collected' | 'rendered' | 'handed_off' | 'posted';

/** One run of the printing line: a merged PDF and a manifest handed to the printing service. */
export class PrintBatch {
  [OptionalProps]?: 'envelopeCount' | 'documentCount' | 'pageCount' | 'createdAt';
  id!: string;
  kind!: 'scheduled' | 'on_demand';
  status!: PrintBatchStatus;
  requestedBy!: string;
  workflowId!: string;
  envelopeCount = 0;
  documentCount = 0;
  pageCount = 0;
  pdfPath?: string;
  manifestPath?: string;
  printerReference?: string;
  createdAt: Date = new Date();
  renderedAt?: Date;
  handedOffAt?: Date;
  postedAt?: Date;
  postedBy?: string;
}

export const PrintBatchSchema = new EntitySchema<PrintBatch>({
  class: PrintBatch,
  tableName: 'print_batches',
  properties: {
    id: { type: 'uuid', primary: true },
    kind: { type: 'string', columnType: 'text' },
    status: { type: 'string', columnType: 'text' },
    requestedBy: { type: 'string', columnType: 'text' },
    workflowId: { type: 'string', columnType: 'text' },
    envelopeCount: { type: 'integer', default: 0 },
    documentCount: { type: 'integer', default: 0 },
    pageCount: { type: 'integer', default: 0 },
    pdfPath: { type: 'string', columnType: 'text', nullable: true },
    manifestPath: { type: 'string', columnType: 'text', nullable: true },
    printerReference: { type: 'string', columnType: 'text', nullable: true },
    createdAt: { type: 'Date', columnType: 'timestamptz', defaultRaw: 'now()' },
    renderedAt: { type: 'Date', columnType: 'timestamptz', nullable: true },
    handedOffAt: { type: 'Date', columnType: 'timestamptz', nullable: true },
    postedAt: { type: 'Date', columnType: 'timestamptz', nullable: true },
    postedBy: { type: 'string', columnType: 'text', nullable: true },
  },
});

/** 寄附金受領証明書 as issued: one serial per donation, an issue count for reissues. */
export class Receipt {
  [OptionalProps]?: 'requestedAt';
  id!: number;
  donation!: Donation;
  serial!: number;
  issue!: number;
  number!: string;
  reason!: Exclude<MailingReason, never>;
  requestedBy!: string;
  requestedAt: Date = new Date();
  note?: string;
  printBatch?: PrintBatch;
  postedAt?: Date;
}

export const ReceiptSchema = new EntitySchema<Receipt>({
  class: Receipt,
  tableName: 'receipts',
  properties: {
    id: { type: 'integer', primary: true, autoincrement: true },
    donation: { kind: 'm:1', entity: () => Donation, deleteRule: 'restrict' },
    serial: { type: 'integer' },
    issue: { type: 'integer' },
    number: { type: 'string', columnType: 'text', unique: 'receipts_number_unique' },
    reason: { type: 'string', columnType: 'text' },
    requestedBy: { type: 'string', columnType: 'text' },
    requestedAt: { type: 'Date', columnType: 'timestamptz', defaultRaw: 'now()' },
    note: { type: 'string', columnType: 'text', nullable: true },
    printBatch: { kind: 'm:1', entity: () => PrintBatch, nullable: true, deleteRule: 'set null' },
    postedAt: { type: 'Date', columnType: 'timestamptz', nullable: true },
  },
});

/** One envelope in a batch: which donation, which documents, which pages of the merged PDF. */
export class PrintBatchItem {
  [OptionalProps]?: 'round';
  id!: number;
  batch!: PrintBatch;
  seq!: number;
  donation!: Donation;
  receipt?: Receipt;
  reason!: MailingReason | 'payment_form';
  round = 0;
  documents!: DocumentKind[];
  envelope!: string;
  pageFrom?: number;
  pageTo?: number;
}

export const PrintBatchItemSchema = new EntitySchema<PrintBatchItem>({
  class: PrintBatchItem,
  tableName: 'print_batch_items',
  properties: {
    id: { type: 'integer', primary: true, autoincrement: true },
    batch: { kind: 'm:1', entity: () => PrintBatch, deleteRule: 'cascade' },
    seq: { type: 'integer' },
    donation: { kind: 'm:1', entity: () => Donation, deleteRule: 'restrict' },
    receipt: { kind: 'm:1', entity: () => Receipt, nullable: true, deleteRule: 'restrict' },
    reason: { type: 'string', columnType: 'text' },
    round: { type: 'integer', default: 0 },
    documents: { type: 'json', columnType: 'jsonb' },
    envelope: { type: 'string', columnType: 'text' },
    pageFrom: { type: 'integer', nullable: true },
    pageTo: { type: 'integer', nullable: true },
  },
});
