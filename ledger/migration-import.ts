import type { Knex } from '@mikro-orm/postgresql';
import type { MigrationFacts } from '../domain/portals/types';
import type { ReviewFinding } from '../domain/review';

/**
 * LEDGER-4 / SHIP-7: what the ledger keeps about a donation migrated from
 * ふるさと納税do, and how its DonationWorkflow starts. The file itself goes
 * through the portal-file machinery (ledger/intake.ts): stored once by hash,
 * imported in resumable batches, bad rows quarantined with row, column and
 * reason. This module adds the migration record and the event log entry.
 */
export const MIGRATION_ACTOR = 'system:migration';

/** Where the donation stood in the old system; the workflow starts there. */
export type MigrationStage = 'awaiting_payment' | 'documents_due' | 'documents_sent';

export function migrationStage(paidAt: string | undefined, facts: MigrationFacts): MigrationStage {
  if (facts.documentsSentAt) return 'documents_sent';
  return paidAt ? 'documents_due' : 'awaiting_payment';
}

/**
 * The DonationWorkflow start for a migrated donation (see DonationWorkflowInput):
 * paidAt comes from the ledger row; documents already posted are recorded as
 * sent; gifts already shipped plan no shipment, gifts still due ship after
 * payment like any donation (SHIP-7, also for donations made before 2026-04-01).
 * Judgement: a donation whose documents the old system already posted is not
 * held for review (nothing is left to stop; the findings stay in the ledger and
 * the event log); one whose documents are still due is held like any import.
 */
export interface DonationStart {
  documentsSentAt?: string;
  giftsShippedAt?: string;
  /** Overrides the ledger's review flags for the hold; absent = the ledger's. */
  reviewFlags?: string[];
}

export function migrationStart(facts: MigrationFacts): DonationStart {
  return {
    documentsSentAt: facts.documentsSentAt,
    giftsShippedAt: facts.gifts === 'shipped' ? facts.giftsShippedAt : undefined,
    reviewFlags: facts.documentsSentAt ? [] : undefined,
  };
}

/** The migration file that created this donation, if any. */
export async function migrationFileOf(knex: Knex, donationId: string): Promise<string | null> {
  const row = await knex('donation_migrations').where({ donation_id: donationId }).first('import_file_id');
  return row ? String(row.import_file_id) : null;
}

export interface MigratedRow {
  donationId: string;
  row: number;
  lastRow: number;
  paidAt?: string;
  facts: MigrationFacts;
  findings: ReviewFinding[];
}

/**
 * Writes the migration record and the "migrated" event (actor system:migration,
 * source file and row) for donations this file created. Idempotent: a repeated
 * batch finds both already there and writes nothing.
 */
export async function recordMigrations(t: Knex, file: { id: string; fileName: string }, rows: MigratedRow[]): Promise<number> {
  if (!rows.length) return 0;
  const inserted: { donation_id: string }[] = await t('donation_migrations')
    .insert(
      rows.map((r) => ({
        donation_id: r.donationId, import_file_id: file.id, row_number: r.row, last_row: r.lastRow, source_id: r.facts.sourceId ?? null,
        stage: migrationStage(r.paidAt, r.facts), gifts: r.facts.gifts, paid_at: r.paidAt ?? null,
        documents_sent_at: r.facts.documentsSentAt ?? null, gifts_shipped_at: r.facts.giftsShippedAt ?? null,
        review_findings: JSON.stringify(r.findings),
      })),
    )
    .onConflict('donation_id')
    .ignore()
    .returning(['donation_id']);
  const fresh = new Set(inserted.map((r) => r.donation_id));
  const events = rows
    .filter((r) => fresh.has(r.donationId))
    .map((r) => ({
      donation_id: r.donationId,
      kind: 'migrated',
      actor: MIGRATION_ACTOR,
      occurred_at: new Date(),
      reason: `migrated from ふるさと納税do: file "${file.fileName}" row ${r.row}${r.lastRow > r.row ? `–${r.lastRow}` : ''}`,
      after: JSON.stringify({
        source: 'furusato_do', fileId: file.id, fileName: file.fileName, row: r.row, lastRow: r.lastRow, sourceId: r.facts.sourceId ?? null,
        stage: migrationStage(r.paidAt, r.facts), paidAt: r.paidAt ?? null, documentsSentAt: r.facts.documentsSentAt ?? null,
        gifts: r.facts.gifts, giftsShippedAt: r.facts.giftsShippedAt ?? null,
        reviewFindings: r.findings, heldForReview: r.findings.length > 0 && !r.facts.documentsSentAt,
      }),
      idempotency_key: `migration:${r.donationId}`,
    }));
  if (events.length) await t('donation_events').insert(events).onConflict('idempotency_key').ignore();
  return fresh.size;
}

/** The migration facts of a donation, as recorded (for a workflow start after a crash or a resubmission). */
export async function migrationFacts(knex: Knex, donationId: string): Promise<MigrationFacts | null> {
  const r = await knex('donation_migrations').where({ donation_id: donationId }).first();
  if (!r) return null;
  return {
    sourceId: r.source_id ?? undefined,
    documentsSentAt: r.documents_sent_at ? new Date(r.documents_sent_at).toISOString() : undefined,
    gifts: r.gifts,
    giftsShippedAt: r.gifts_shipped_at ? new Date(r.gifts_shipped_at).toISOString() : undefined,
  };
}
