import { OptionalProps } from '@mikro-orm/core';
import type { RowIssue } from '../../domain/portals/types';
import type { ReviewFinding } from '../../domain/review';
import { boolean, counter, day, entity, insertedAt, integer, json, optionalInteger, optionalText, optionalTimestamp, serialKey, text, timestamp, uuid, uuidKey } from './columns';

export type ImportStatus = 'stored' | 'running' | 'done' | 'failed';
export type ImportSource = 'upload' | 'inbox' | 'http';

/** A portal file taken in (PORTAL-1). Its bytes are in import_file_chunks; rowsDone is the resume point. */
export class ImportFile {
  [OptionalProps]?: 'status' | 'rowsDone' | 'workflowsRow' | 'createdCount' | 'unchangedCount' | 'quarantinedCount' | 'lateCount' | 'createdAt';
  id!: string;
  portal!: string;
  fileName!: string;
  sha256!: string;
  sizeBytes!: number;
  source!: ImportSource;
  status: ImportStatus = 'stored';
  encoding?: string;
  /** Every row up to and including this one is in the ledger or the quarantine. */
  rowsDone = 0;
  /** Every donation up to and including this row has its workflow started (the second resume point). */
  workflowsRow = 0;
  createdCount = 0;
  unchangedCount = 0;
  quarantinedCount = 0;
  lateCount = 0;
  error?: string;
  workflowId!: string;
  createdBy!: string;
  createdAt: Date = new Date();
  startedAt?: Date;
  /** Every row is in the ledger or the quarantine (PORTAL-1's clock); workflows are started after, up to workflows_row. */
  registeredAt?: Date;
  /** Every row in the ledger and every donation's workflow started. */
  finishedAt?: Date;
}

export const ImportFileSchema = entity(ImportFile, 'import_files', {
  id: uuidKey(),
  portal: text.with({ fieldName: 'portal_code' }),
  ...text('fileName', 'sha256', 'source', 'workflowId', 'createdBy'),
  ...optionalText('encoding', 'error'),
  status: text.with({ default: 'stored' }),
  sizeBytes: integer.with({ columnType: 'bigint' }),
  ...counter('rowsDone', 'workflowsRow', 'createdCount', 'unchangedCount', 'quarantinedCount', 'lateCount'),
  ...insertedAt('createdAt'),
  ...optionalTimestamp('startedAt', 'registeredAt', 'finishedAt'),
});

export type QuarantineStatus = 'open' | 'resolved' | 'dismissed';

/** A row (or an order's rows) that could not enter the ledger: kept verbatim with where and why, until fixed and re-submitted. */
export class QuarantineEntry {
  [OptionalProps]?: 'id' | 'corrections' | 'status' | 'createdAt';
  id!: string;
  fileId!: string;
  rowNumber!: number;
  lastRow!: number;
  portal!: string;
  portalOrderId?: string;
  kind!: 'invalid' | 'conflict';
  issues!: RowIssue[];
  header!: string[];
  rows!: string[][];
  /** Column name → corrected value, applied over the original cells on re-submission. */
  corrections: Record<string, string> = {};
  status: QuarantineStatus = 'open';
  donationId?: string;
  resolvedBy?: string;
  resolvedAt?: Date;
  resolution?: string;
  createdAt: Date = new Date();
}

export const QuarantineEntrySchema = entity(QuarantineEntry, 'import_quarantine', {
  id: serialKey('bigint'),
  fileId: uuid.with({ fieldName: 'file_id' }),
  ...integer('rowNumber', 'lastRow'),
  portal: text.with({ fieldName: 'portal_code' }),
  ...text('kind'),
  ...optionalText('portalOrderId', 'resolvedBy', 'resolution'),
  ...json('issues', 'header', 'rows'),
  corrections: json.with({ defaultRaw: `'{}'` }),
  status: text.with({ default: 'open' }),
  donationId: uuid.with({ nullable: true }),
  ...optionalTimestamp('resolvedAt'),
  ...insertedAt('createdAt'),
});

/** When a portal donation reached the ledger, against the next-business-day SLA, and why it was flagged. */
export class DonationIntake {
  [OptionalProps]?: 'reviewFindings';
  donationId!: string;
  importFileId?: string;
  rowNumber?: number;
  appliedAt!: Date;
  importedAt!: Date;
  dueOn!: string;
  late!: boolean;
  reviewFindings: ReviewFinding[] = [];
}

export const DonationIntakeSchema = entity(DonationIntake, 'donation_intake', {
  donationId: uuidKey(),
  importFileId: uuid.with({ nullable: true }),
  ...optionalInteger('rowNumber'),
  ...timestamp('appliedAt', 'importedAt'),
  ...day('dueOn'),
  ...boolean('late'),
  reviewFindings: json.with({ defaultRaw: `'[]'` }),
});

export const INTAKE_ENTITIES = [ImportFileSchema, QuarantineEntrySchema, DonationIntakeSchema];
