import { OptionalProps } from '@mikro-orm/core';
import type { DocumentKind, MailingReason } from '../../domain/documents';
import { Donation } from './donation';
import { counter, entity, insertedAt, integer, json, optionalInteger, optionalText, optionalTimestamp, serialKey, text, uuidKey } from './columns';

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

export const PrintBatchSchema = entity(PrintBatch, 'print_batches', {
  id: uuidKey(),
  ...text('kind', 'status', 'requestedBy', 'workflowId'),
  ...counter('envelopeCount', 'documentCount', 'pageCount'),
  ...optionalText('pdfPath', 'manifestPath', 'printerReference', 'postedBy'),
  ...insertedAt('createdAt'),
  ...optionalTimestamp('renderedAt', 'handedOffAt', 'postedAt'),
});

/** 寄附金受領証明書 as issued: one serial per donation, an issue count for reissues. */
export class Receipt {
  [OptionalProps]?: 'requestedAt';
  id!: number;
  donation!: Donation;
  /** The batch that printed it; none until the next batch collects it. */
  printBatch?: PrintBatch;
  serial!: number;
  issue!: number;
  number!: string;
  reason!: Exclude<MailingReason, never>;
  requestedBy!: string;
  requestedAt: Date = new Date();
  note?: string;
  postedAt?: Date;
}

export const ReceiptSchema = entity(Receipt, 'receipts', {
  id: serialKey('integer'),
  donation: { kind: 'm:1', entity: () => Donation, deleteRule: 'restrict' },
  printBatch: { kind: 'm:1', entity: () => PrintBatch, nullable: true, deleteRule: 'set null' },
  ...integer('serial', 'issue'),
  number: text.with({ unique: 'receipts_number_unique' }),
  ...text('reason', 'requestedBy'),
  ...insertedAt('requestedAt'),
  ...optionalText('note'),
  ...optionalTimestamp('postedAt'),
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

export const PrintBatchItemSchema = entity(PrintBatchItem, 'print_batch_items', {
  id: serialKey('integer'),
  batch: { kind: 'm:1', entity: () => PrintBatch, deleteRule: 'cascade' },
  ...integer('seq'),
  donation: { kind: 'm:1', entity: () => Donation, deleteRule: 'restrict' },
  receipt: { kind: 'm:1', entity: () => Receipt, nullable: true, deleteRule: 'restrict' },
  ...text('reason', 'envelope'),
  ...counter('round'),
  ...json('documents'),
  ...optionalInteger('pageFrom', 'pageTo'),
});
