import { EntitySchema, OptionalProps } from '@mikro-orm/core';
import type { RowIssue } from '../../domain/portals/types';
import type { ReviewFinding } from '../../domain/review';

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

export const ImportFileSchema = new EntitySchema<ImportFile>({
  class: ImportFile,
  tableName: 'import_files',
  properties: {
    id: { type: 'uuid', primary: true },
    portal: { type: 'string', columnType: 'text', fieldName: 'portal_code' },
    fileName: { type: 'string', columnType: 'text' },
    sha256: { type: 'string', columnType: 'text' },
    sizeBytes: { type: 'integer', columnType: 'bigint' },
    source: { type: 'string', columnType: 'text' },
    status: { type: 'string', columnType: 'text', default: 'stored' },
    encoding: { type: 'string', columnType: 'text', nullable: true },
    rowsDone: { type: 'integer', default: 0 },
    workflowsRow: { type: 'integer', default: 0 },
    createdCount: { type: 'integer', default: 0 },
    unchangedCount: { type: 'integer', default: 0 },
    quarantinedCount: { type: 'integer', default: 0 },
    lateCount: { type: 'integer', default: 0 },
    error: { type: 'string', columnType: 'text', nullable: true },
    workflowId: { type: 'string', columnType: 'text' },
    createdBy: { type: 'string', columnType: 'text' },
    createdAt: { type: 'Date', columnType: 'timestamptz', defaultRaw: 'now()' },
    startedAt: { type: 'Date', columnType: 'timestamptz', nullable: true },
    registeredAt: { type: 'Date', columnType: 'timestamptz', nullable: true },
    finishedAt: { type: 'Date', columnType: 'timestamptz', nullable: true },
  },
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

export const QuarantineEntrySchema = new EntitySchema<QuarantineEntry>({
  class: QuarantineEntry,
  tableName: 'import_quarantine',
  properties: {
    id: { type: 'bigint', primary: true, autoincrement: true },
    fileId: { type: 'uuid', fieldName: 'file_id' },
    rowNumber: { type: 'integer' },
    lastRow: { type: 'integer' },
    portal: { type: 'string', columnType: 'text', fieldName: 'portal_code' },
    portalOrderId: { type: 'string', columnType: 'text', nullable: true },
    kind: { type: 'string', columnType: 'text' },
    issues: { type: 'json', columnType: 'jsonb' },
    header: { type: 'json', columnType: 'jsonb' },
    rows: { type: 'json', columnType: 'jsonb' },
    corrections: { type: 'json', columnType: 'jsonb', defaultRaw: `'{}'` },
    status: { type: 'string', columnType: 'text', default: 'open' },
    donationId: { type: 'uuid', nullable: true },
    resolvedBy: { type: 'string', columnType: 'text', nullable: true },
    resolvedAt: { type: 'Date', columnType: 'timestamptz', nullable: true },
    resolution: { type: 'string', columnType: 'text', nullable: true },
    createdAt: { type: 'Date', columnType: 'timestamptz', defaultRaw: 'now()' },
  },
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

export const DonationIntakeSchema = new EntitySchema<DonationIntake>({
  class: DonationIntake,
  tableName: 'donation_intake',
  properties: {
    donationId: { type: 'uuid', primary: true },
    importFileId: { type: 'uuid', nullable: true },
    rowNumber: { type: 'integer', nullable: true },
    appliedAt: { type: 'Date', columnType: 'timestamptz' },
    importedAt: { type: 'Date', columnType: 'timestamptz' },
    dueOn: { type: 'string', columnType: 'date' },
    late: { type: 'boolean' },
    reviewFindings: { type: 'json', columnType: 'jsonb', defaultRaw: `'[]'` },
  },
});

export const INTAKE_ENTITIES = [ImportFileSchema, QuarantineEntrySchema, DonationIntakeSchema];
