import { createHash, randomUUID } from 'node:crypto';
import { importSla } from '../domain/intake/business-days';
import { applyRelief, reliefDecision, reliefOfMigrated, type ReliefCampaign, type ReliefDecision } from '../domain/intake/disaster-relief';
import { normalizeRequester, type CatalogueChannel, type CatalogueItem, type CatalogueRequestInput, type CatalogueStatus } from '../domain/intake/catalogue';
import { adapterFor, MIGRATION_SOURCE } from '../domain/portals';
import { openPortalFile, PortalFileError, type OrderGroup } from '../domain/portals/reader';
import { isMapper, type MapResult, type MigrationFacts, type RowIssue, type RowMapper } from '../domain/portals/types';
import type { ReviewFinding } from '../domain/review';
import { DuplicateConflictError, IntakeValidationError, registerDonation } from './donations';
import { registerBatch, toNewDonation, type BatchOutcome } from './intake-batch';
import { Donation, DonationIntake, ImportFile, Portal, QuarantineEntry, type ImportSource } from './entities';
import { MIGRATION_ACTOR, migrationFileOf, migrationStart, recordMigrations, type DonationStart, type MigratedRow } from './migration-import';
import type { Orm } from './orm';
import type { EntityManager, Knex } from '@mikro-orm/postgresql';

function txKnex(tx: EntityManager) {
  return (tx.getTransactionContext() as ReturnType<EntityManager['getKnex']> | undefined) ?? tx.getKnex();
}

const CHUNK_BYTES = 1024 * 1024;

export const importWorkflowId = (fileId: string) => `import/${fileId}`;
export const importActor = (fileId: string) => `system:import:${fileId}`;

export class ImportFileNotFoundError extends Error {
  override name = 'ImportFileNotFoundError';
}

/**
 * Takes a portal file into the ledger as it streams in (1 MiB at a time),
 * hashing as it goes. The same bytes for the same portal are one import: the
 * second copy is dropped and the first returned (`existing: true`).
 */
export async function storeImportFile(
  orm: Orm,
  input: { portal: string; fileName: string; source: ImportSource; createdBy: string; bytes: AsyncIterable<Buffer | Uint8Array> },
): Promise<{ file: ImportFile; existing: boolean }> {
  const em = orm.em.fork();
  const portal = await em.findOne(Portal, { code: input.portal });
  // The ふるさと納税do pseudo-portal is inactive on purpose (nothing registers on it) but takes migration files (LEDGER-4).
  if (!portal || (!portal.active && input.portal !== MIGRATION_SOURCE)) throw new IntakeValidationError([{ field: 'portal', reason: `unknown or inactive portal "${input.portal}"` }]);
  const id = randomUUID();
  const knex = em.getKnex();
  await knex('import_files').insert({
    id, portal_code: input.portal, file_name: input.fileName, sha256: `pending:${id}`, size_bytes: 0, source: input.source,
    workflow_id: importWorkflowId(id), created_by: input.createdBy,
  });
  const hash = createHash('sha256');
  let size = 0;
  let seq = 0;
  let pending: Buffer[] = [];
  let pendingSize = 0;
  const flush = async () => {
    if (!pendingSize) return;
    await knex('import_file_chunks').insert({ file_id: id, seq: seq++, data: Buffer.concat(pending) });
    pending = [];
    pendingSize = 0;
  };
  try {
    for await (const piece of input.bytes) {
      const buf = Buffer.isBuffer(piece) ? piece : Buffer.from(piece);
      hash.update(buf);
      size += buf.length;
      pending.push(buf);
      pendingSize += buf.length;
      if (pendingSize >= CHUNK_BYTES) await flush();
    }
    await flush();
  } catch (err) {
    await knex('import_files').where({ id }).delete();
    throw err;
  }
  const sha256 = hash.digest('hex');
  const same = async () => {
    await knex('import_files').where({ id }).delete();
    return { file: await orm.em.fork().findOneOrFail(ImportFile, { portal: input.portal, sha256 }), existing: true };
  };
  if (await knex('import_files').where({ portal_code: input.portal, sha256 }).first()) return same();
  try {
    await knex('import_files').where({ id }).update({ sha256, size_bytes: size });
  } catch (err) {
    // The same file arrived twice at once; the other copy won.
    if (String((err as Error).message).includes('import_files_portal_sha_unique')) return same();
    throw err;
  }
  return { file: await orm.em.fork().findOneOrFail(ImportFile, { id }), existing: false };
}

/** The stored bytes, read back one chunk at a time. */
export async function* storedBytes(orm: Orm, fileId: string): AsyncGenerator<Buffer> {
  const knex = orm.em.fork().getKnex();
  for (let seq = 0; ; seq++) {
    const row = await knex('import_file_chunks').where({ file_id: fileId, seq }).first('data');
    if (!row) return;
    yield row.data as Buffer;
  }
}

export type RowOutcome =
  | {
      kind: 'created' | 'unchanged';
      donation: Donation;
      findings: ReviewFinding[];
      paidAt?: string;
      /** Migration rows: where the old system had got to, and how the workflow starts. */
      migration?: MigrationFacts;
      start?: DonationStart;
      relief?: ReliefDecision;
    }
  | { kind: 'quarantined'; reason: 'invalid' | 'conflict'; portalOrderId?: string; issues: RowIssue[] };

export { toNewDonation } from './intake-batch';

export interface RegisterOptions {
  /** PORTAL-3 campaigns (all of them: a donation is judged by its application time). */
  campaigns?: ReliefCampaign[];
  /** The import file, for migration rows: a donation it created is still "created" when a crashed batch is repeated. */
  fileId?: string;
}

/**
 * Registers one mapped order; every failure that is the row's fault becomes a
 * quarantine outcome. A disaster-relief donation (PORTAL-3) enters without its
 * gifts; a migrated one (LEDGER-4) under its own portal with the old system's stage, its relief flag
 * and its gift lines as recorded there (reliefOfMigrated).
 */
export async function registerMapped(orm: Orm, portal: string, result: MapResult, mapper: RowMapper, actor: string, opts: RegisterOptions = {}): Promise<RowOutcome> {
  if (!result.ok) return { kind: 'quarantined', reason: 'invalid', portalOrderId: result.portalOrderId, issues: result.issues };
  const mapped = result.donation;
  const realPortal = mapped.portal ?? portal;
  const relief = mapped.migration ? reliefOfMigrated(mapped) : reliefDecision(realPortal, mapped, opts.campaigns ?? []);
  const donation = applyRelief(mapped, relief);
  try {
    const outcome = await registerDonation(orm.em.fork(), toNewDonation(portal, donation), actor);
    if (relief.relief) await recordRelief(orm.em.fork().getKnex(), outcome.donation.id, relief, actor);
    let created: boolean;
    if (donation.migration) {
      // A migrated donation belongs to the file that recorded it; one not recorded yet was created by a crashed try of this file.
      const owner = outcome.created ? null : await migrationFileOf(orm.em.fork().getKnex(), outcome.donation.id);
      created = outcome.created || (outcome.donation.createdBy === MIGRATION_ACTOR && (owner === null || owner === opts.fileId));
    } else {
      // Re-processing after a crash finds the row this import created; it is still "created" by this file.
      created = outcome.created || outcome.donation.createdBy === actor;
    }
    return {
      kind: created ? 'created' : 'unchanged',
      donation: outcome.donation,
      findings: outcome.findings ?? [],
      paidAt: donation.paidAt,
      migration: donation.migration,
      start: donation.migration ? migrationStart(donation.migration) : undefined,
      relief: relief.relief ? relief : undefined,
    };
  } catch (err) {
    if (err instanceof IntakeValidationError) {
      return {
        kind: 'quarantined',
        reason: 'invalid',
        portalOrderId: result.donation.portalOrderId,
        issues: err.errors.map((e) => ({ column: mapper.columnOf(e.field.startsWith('gifts[') ? 'giftCode' : e.field), reason: e.reason })),
      };
    }
    if (err instanceof DuplicateConflictError) {
      return { kind: 'quarantined', reason: 'conflict', portalOrderId: result.donation.portalOrderId, issues: [{ column: mapper.columnOf('portalOrderId'), reason: err.message }] };
    }
    throw err;
  }
}

export interface ChunkHooks {
  /** Starts (or finds) the donation's workflow; `start` places a migrated donation at its stage. Called once every row of the file is in the ledger. */
  ensureWorkflow(donation: Donation, start?: DonationStart, intake?: { importLate: boolean }): Promise<void>;
  /** A later export shows a payment the ledger has not seen yet. */
  paymentSeen(donation: Donation, paidAt: string): Promise<void>;
  heartbeat(rowsDone: number): void;
  now?: () => Date;
  /** Orders per committed batch and per step of workflow starts (tests make it 1 to crash between them). */
  batchGroups?: number;
  /** Workflow starts in flight at once. */
  startConcurrency?: number;
  /** The operators' corrected portal mappings (AppConfig.intake.mappingsDir). */
  mappingsDir?: string;
}

export interface ChunkResult {
  done: boolean;
  rowsDone: number;
  created: number;
  unchanged: number;
  quarantined: number;
  late: number;
}

/**
 * Orders per transaction: large enough that a batch costs a handful of
 * statements per few hundred orders, small enough that a crash repeats little
 * and a transaction holds its gift locks briefly.
 */
const BATCH_GROUPS = 250;

/** Where an import's time goes (milliseconds, summed over batches in this process); read by bench:import. */
export const importProfile = { batches: 0, registerMs: 0, commitMs: 0, startMs: 0, starts: 0 };
/** Workflow starts in flight at once: the dev server takes ~8 ms of CPU per start, more in flight only queues. */
const START_CONCURRENCY = 32;

async function pool<T, R>(items: T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await work(items[i]);
      }
    }),
  );
  return out;
}

/**
 * Starts the workflows of the next `groups` orders after `fromRow` from what
 * the ledger recorded, then moves the file's second resume point
 * (workflows_row) past them and returns it. Re-starting is a no-op (the
 * workflow id is derived from portal + order id), so a crash between here and
 * the resume point only repeats starts.
 */
async function startWorkflows(orm: Orm, fileId: string, fromRow: number, rowsDone: number, groups: number, hooks: ChunkHooks): Promise<number> {
  if (rowsDone <= fromRow) return fromRow;
  const knex = orm.em.fork().getKnex();
  const rows: Record<string, any>[] = (
    await knex.raw(
      `select r.last_row, r.outcome, r.paid_at_seen, d.id, d.portal_code, d.portal_order_id, d.amount_yen, d.payment_method, d.paid_at, d.documents_sent_at,
              d.review_flags, d.workflow_id, i.late, m.documents_sent_at as m_documents_sent_at, m.gifts as m_gifts, m.gifts_shipped_at as m_gifts_shipped_at
         from import_rows r left join donations d on d.id = r.donation_id
         left join donation_intake i on i.donation_id = d.id
         left join donation_migrations m on m.donation_id = d.id
        where r.file_id = ?::uuid and r.row_number > ?::int and r.row_number <= ?::int
        order by r.row_number
        limit ?::int`,
      [fileId, fromRow, rowsDone, groups],
    )
  ).rows;
  const toRow = rows.length < groups ? rowsDone : Number(rows[rows.length - 1].last_row);
  const began = Date.now();
  const toStart = rows.filter((r) => r.outcome === 'created' || r.outcome === 'unchanged');
  await pool(toStart, hooks.startConcurrency ?? START_CONCURRENCY, async (r) => {
    const donation = {
      id: String(r.id), portal: { code: r.portal_code }, portalOrderId: r.portal_order_id, amountYen: r.amount_yen, paymentMethod: r.payment_method,
      paidAt: r.paid_at ? new Date(r.paid_at) : undefined, documentsSentAt: r.documents_sent_at ? new Date(r.documents_sent_at) : undefined,
      reviewFlags: r.review_flags ?? [], workflowId: r.workflow_id,
    } as unknown as Donation;
    const start = r.m_gifts
      ? migrationStart({
          gifts: r.m_gifts,
          documentsSentAt: r.m_documents_sent_at ? new Date(r.m_documents_sent_at).toISOString() : undefined,
          giftsShippedAt: r.m_gifts_shipped_at ? new Date(r.m_gifts_shipped_at).toISOString() : undefined,
        })
      : undefined;
    await hooks.ensureWorkflow(donation, start, r.late === null || r.late === undefined ? undefined : { importLate: r.late });
    if (r.outcome === 'unchanged' && r.paid_at_seen && !r.paid_at) await hooks.paymentSeen(donation, new Date(r.paid_at_seen).toISOString());
  });
  importProfile.startMs += Date.now() - began;
  importProfile.starts += toStart.length;
  await knex('import_files').where({ id: fileId }).andWhere('workflows_row', '<', toRow).update({ workflows_row: toRow });
  hooks.heartbeat(toRow);
  return toRow;
}

/**
 * Imports up to `maxRows` further rows of a stored file, in two phases.
 * 1. Ledger: a batch of orders is registered set-based (ledger/intake-batch.ts)
 *    in one transaction together with its per-row outcomes, quarantine
 *    entries, SLA records, counters and the resume point (rows_done), so a
 *    crash leaves the whole batch or none of it. When the last row is in,
 *    `registered_at` is set: the file is in the ledger (PORTAL-1's clock).
 * 2. Workflows: the donations' DonationWorkflows are started from what the
 *    ledger recorded, with bounded concurrency; `workflows_row` records how
 *    far that got. The file is `done` when every start is.
 * The whole file goes into the ledger before any start, so registration runs
 * at the database's pace and is not held back by the Temporal server's cost
 * per start; a donation registered but not yet started answers 409 to a signal
 * until its start comes (seconds to minutes for a very large file).
 */
export async function importChunk(orm: Orm, fileId: string, maxRows: number, hooks: ChunkHooks): Promise<ChunkResult> {
  const em = orm.em.fork();
  const file = await em.findOne(ImportFile, { id: fileId });
  if (!file) throw new ImportFileNotFoundError(`import file ${fileId} not found`);
  const result: ChunkResult = { done: file.status === 'done' || file.status === 'failed', rowsDone: file.rowsDone, created: 0, unchanged: 0, quarantined: 0, late: 0 };
  if (result.done) return result;
  const knex = em.getKnex();
  if (file.status === 'stored') await knex('import_files').where({ id: fileId }).update({ status: 'running', started_at: new Date() });
  let budget = maxRows;
  let rowsDone = file.rowsDone;
  if (!file.registeredAt) {
    const registered = await registerRows(orm, file, maxRows, hooks, result);
    if (registered === 'failed') return { ...result, done: true };
    rowsDone = result.rowsDone;
    budget -= registered.processed;
    if (!registered.exhausted) return result;
    await knex('import_files').where({ id: fileId }).update({ registered_at: new Date() });
  }

  let workflowsRow = file.workflowsRow;
  while (workflowsRow < rowsDone && budget > 0) {
    const next = await startWorkflows(orm, fileId, workflowsRow, rowsDone, hooks.batchGroups ?? BATCH_GROUPS, hooks);
    budget -= next - workflowsRow;
    workflowsRow = next;
  }
  if (workflowsRow >= rowsDone) {
    await knex('import_files').where({ id: fileId }).update({ status: 'done', finished_at: new Date() });
    result.done = true;
  }
  return result;
}

/** Phase 1 of importChunk: up to `maxRows` rows into the ledger, a batch per transaction. */
async function registerRows(orm: Orm, file: ImportFile, maxRows: number, hooks: ChunkHooks, result: ChunkResult): Promise<'failed' | { processed: number; exhausted: boolean }> {
  const fileId = file.id;
  const knex = orm.em.fork().getKnex();
  let opened;
  try {
    opened = await openPortalFile(storedBytes(orm, fileId), adapterFor(file.portal, { mappingsDir: hooks.mappingsDir }), { skipThrough: file.rowsDone });
  } catch (err) {
    if (!(err instanceof PortalFileError)) throw err;
    await knex('import_files').where({ id: fileId }).update({ status: 'failed', error: err.message, finished_at: new Date() });
    return 'failed';
  }
  if (!file.encoding) await knex('import_files').where({ id: fileId }).update({ encoding: opened.encoding });
  const migration = file.portal === MIGRATION_SOURCE;
  const actor = migration ? MIGRATION_ACTOR : importActor(fileId);
  const now = hooks.now ?? (() => new Date());
  // Migrated donations are history: today's relief campaigns do not re-judge them (their own flag still counts).
  const campaigns = migration ? [] : await listCampaigns(orm);

  let batch: OrderGroup[] = [];
  let processed = 0;
  let exhausted = true;

  const commit = async () => {
    if (!batch.length) return;
    const groups = batch;
    batch = [];
    const importedAt = now();
    const lastRow = groups[groups.length - 1].lastRow;
    const began = Date.now();
    let registered = began;
    await orm.em.fork().transactional(async (tx) => {
      const t = txKnex(tx);
      const outcomes = await registerBatch(tx, file.portal, groups.map((g) => g.result), opened.mapper, actor, { campaigns, fileId });
      registered = Date.now();
      const quarantineIds = new Map<number, string>();
      const toQuarantine = groups.map((g, i) => ({ g, o: outcomes[i] })).filter((x) => x.o.kind === 'quarantined');
      if (toQuarantine.length) {
        await t('import_quarantine')
          .insert(
            toQuarantine.map(({ g, o }) => ({
              file_id: fileId, row_number: g.firstRow, last_row: g.lastRow, portal_code: file.portal,
              portal_order_id: o.kind === 'quarantined' ? (o.portalOrderId ?? null) : null,
              kind: o.kind === 'quarantined' ? o.reason : 'invalid',
              issues: JSON.stringify(o.kind === 'quarantined' ? o.issues : []),
              header: JSON.stringify(opened.header), rows: JSON.stringify(g.rows),
            })),
          )
          .onConflict(['file_id', 'row_number'])
          .ignore();
        const ids: { id: string; row_number: number }[] = await t('import_quarantine').where('file_id', fileId).whereIn('row_number', toQuarantine.map((x) => x.g.firstRow)).select('id', 'row_number');
        for (const r of ids) quarantineIds.set(r.row_number, String(r.id));
      }
      const inserted: { outcome: string; donation_id: string | null }[] = await t('import_rows')
        .insert(
          groups.map((g, i) => {
            const o = outcomes[i];
            return {
              file_id: fileId, row_number: g.firstRow, last_row: g.lastRow,
              portal_order_id: o.kind === 'quarantined' ? (o.portalOrderId ?? null) : o.portalOrderId,
              outcome: o.kind, donation_id: o.kind === 'quarantined' ? null : o.donationId,
              quarantine_id: o.kind === 'quarantined' ? quarantineIds.get(g.firstRow) : null,
              paid_at_seen: o.kind === 'unchanged' && o.paidAtSeen ? new Date(o.paidAtSeen) : null,
            };
          }),
        )
        .onConflict(['file_id', 'row_number'])
        .ignore()
        .returning(['outcome', 'donation_id']);
      const createdIds = new Set(inserted.filter((r) => r.outcome === 'created').map((r) => r.donation_id));
      type Ok = Exclude<BatchOutcome, { kind: 'quarantined' }>;
      const createdHere = groups.map((g, i) => ({ g, o: outcomes[i] })).filter((x): x is { g: OrderGroup; o: Ok } => x.o.kind === 'created' && createdIds.has(x.o.donationId));
      if (migration) {
        // LEDGER-4: a migration record and a "migrated" event instead of the next-business-day SLA (old donations are not late imports).
        const migrated: MigratedRow[] = createdHere
          .filter(({ o }) => o.migration)
          .map(({ g, o }) => ({ donationId: o.donationId, row: g.firstRow, lastRow: g.lastRow, paidAt: o.paidAt, facts: o.migration as MigrationFacts, findings: o.findings }));
        await recordMigrations(t as unknown as Knex, { id: fileId, fileName: file.fileName }, migrated);
      }
      const intake = migration
        ? []
        : createdHere.map(({ g, o }) => {
            const sla = importSla(o.appliedAt, importedAt);
            return {
              donation_id: o.donationId, import_file_id: fileId, row_number: g.firstRow, applied_at: o.appliedAt, imported_at: importedAt,
              due_on: sla.dueOn, late: sla.late, review_findings: JSON.stringify(o.findings),
            };
          });
      let lateNow = 0;
      if (intake.length) {
        const rows: { late: boolean }[] = await t('donation_intake').insert(intake).onConflict('donation_id').ignore().returning(['late']);
        lateNow = rows.filter((r) => r.late).length;
      }
      const count = (k: string) => inserted.filter((r) => r.outcome === k).length;
      result.created += count('created');
      result.unchanged += count('unchanged');
      result.quarantined += count('quarantined');
      result.late += lateNow;
      await t('import_files')
        .where({ id: fileId })
        .update({
          rows_done: lastRow,
          created_count: t.raw('created_count + ?', [count('created')]),
          unchanged_count: t.raw('unchanged_count + ?', [count('unchanged')]),
          quarantined_count: t.raw('quarantined_count + ?', [count('quarantined')]),
          late_count: t.raw('late_count + ?', [lateNow]),
        });
    });
    const committed = Date.now();
    importProfile.batches += 1;
    importProfile.registerMs += registered - began;
    importProfile.commitMs += committed - registered;
    result.rowsDone = lastRow;
    hooks.heartbeat(lastRow);
  };

  for await (const group of opened.groups) {
    if (group.lastRow <= file.rowsDone) continue;
    if (processed >= maxRows) {
      exhausted = false;
      break;
    }
    batch.push(group);
    processed += group.lastRow - group.firstRow + 1;
    if (batch.length >= (hooks.batchGroups ?? BATCH_GROUPS)) await commit();
  }
  await commit();
  return { processed, exhausted };
}


export interface ImportReport {
  file: {
    id: string; portal: string; fileName: string; status: string; encoding: string | null; sizeBytes: number; rowsDone: number;
    created: number; unchanged: number; quarantined: number; late: number; error: string | null; createdAt: string;
    /** Every row in the ledger or the quarantine (PORTAL-1). */
    registeredAt: string | null;
    /** Rows up to here have their donation's workflow started. */
    workflowsRow: number;
    /** Every row in the ledger and every workflow started. */
    finishedAt: string | null;
    workflowId: string;
  };
  rows: {
    row: number; lastRow: number; portalOrderId: string | null; outcome: string; donationId: string | null; quarantineId: string | null; issues?: RowIssue[];
    /** Migration files (LEDGER-4): the donation's real portal and the stage its workflow started at. */
    migration?: { portal: string; stage: string; gifts: string; sourceId: string | null };
  }[];
}

export async function importReport(orm: Orm, fileId: string, opts: { limit: number; offset: number }): Promise<ImportReport | null> {
  const em = orm.em.fork();
  const f = await em.findOne(ImportFile, { id: fileId });
  if (!f) return null;
  const rows: Record<string, any>[] = await em
    .getKnex()('import_rows as r')
    .leftJoin('import_quarantine as q', 'q.id', 'r.quarantine_id')
    .leftJoin('donation_migrations as m', 'm.donation_id', 'r.donation_id')
    .leftJoin('donations as d', 'd.id', 'm.donation_id')
    .where('r.file_id', fileId)
    .orderBy('r.row_number')
    .limit(opts.limit)
    .offset(opts.offset)
    .select('r.row_number', 'r.last_row', 'r.portal_order_id', 'r.outcome', 'r.donation_id', 'r.quarantine_id', 'q.issues', 'm.stage', 'm.gifts', 'm.source_id', 'd.portal_code');
  return {
    file: {
      id: f.id, portal: f.portal, fileName: f.fileName, status: f.status, encoding: f.encoding ?? null, sizeBytes: Number(f.sizeBytes), rowsDone: f.rowsDone,
      created: f.createdCount, unchanged: f.unchangedCount, quarantined: f.quarantinedCount, late: f.lateCount, error: f.error ?? null,
      createdAt: f.createdAt.toISOString(), registeredAt: f.registeredAt?.toISOString() ?? null, workflowsRow: f.workflowsRow,
      finishedAt: f.finishedAt?.toISOString() ?? null, workflowId: f.workflowId,
    },
    rows: rows.map((r) => ({
      row: r.row_number, lastRow: r.last_row, portalOrderId: r.portal_order_id, outcome: r.outcome, donationId: r.donation_id,
      quarantineId: r.quarantine_id === null ? null : String(r.quarantine_id), ...(r.issues ? { issues: r.issues } : {}),
      ...(r.stage ? { migration: { portal: r.portal_code, stage: r.stage, gifts: r.gifts, sourceId: r.source_id } } : {}),
    })),
  };
}

/** The quarantined row as the adapter will see it on re-submission: original cells with the operator's corrections applied by column name. */
export function correctedRows(entry: Pick<QuarantineEntry, 'header' | 'rows' | 'corrections'>): string[][] {
  const index = new Map(entry.header.map((h, i) => [h.replace(/^\uFEFF/, '').trim(), i]));
  return entry.rows.map((cells) => {
    const out = [...cells];
    for (const [column, value] of Object.entries(entry.corrections)) {
      const i = index.get(column);
      if (i !== undefined) out[i] = value;
    }
    return out;
  });
}

export class QuarantineError extends Error {
  override name = 'QuarantineError';
  constructor(message: string, readonly issues: RowIssue[] = []) {
    super(message);
  }
}

/** Sets an operator's corrections (column → value) and re-checks the row without registering it. */
export async function correctQuarantine(orm: Orm, id: string, corrections: Record<string, string>, options: { mappingsDir?: string } = {}): Promise<{ entry: QuarantineEntry; issues: RowIssue[] }> {
  const em = orm.em.fork();
  const entry = await em.findOne(QuarantineEntry, { id });
  if (!entry) throw new ImportFileNotFoundError(`quarantine entry ${id} not found`);
  if (entry.status !== 'open') throw new QuarantineError(`quarantine entry ${id} is ${entry.status}`);
  const header = new Set(entry.header.map((h) => h.replace(/^\uFEFF/, '').trim()));
  const unknown = Object.keys(corrections).filter((c) => !header.has(c));
  if (unknown.length) throw new QuarantineError(`not columns of this file: ${unknown.join(', ')}`, unknown.map((c) => ({ column: c, reason: 'is not a column of this file' })));
  entry.corrections = { ...entry.corrections, ...corrections };
  await em.flush();
  const mapper = mapperFor(entry, options.mappingsDir);
  const mapped = mapper.map(correctedRows(entry));
  return { entry, issues: mapped.ok ? [] : mapped.issues };
}

function mapperFor(entry: QuarantineEntry, mappingsDir: string | undefined): RowMapper {
  const begun = adapterFor(entry.portal, { mappingsDir }).begin(entry.header);
  if (!isMapper(begun)) throw new QuarantineError(begun.error);
  return begun;
}

/**
 * Re-submits a quarantined row with its corrections through the same adapter
 * and registration as a file row. Still bad: the entry stays open with the new
 * issues. Accepted: it is resolved and points at its donation.
 */
export async function resubmitQuarantine(
  orm: Orm,
  id: string,
  actor: string,
  hooks: Pick<ChunkHooks, 'ensureWorkflow' | 'mappingsDir'> & { now?: () => Date },
): Promise<{ entry: QuarantineEntry; donation?: Donation; issues: RowIssue[] }> {
  const em = orm.em.fork();
  const entry = await em.findOne(QuarantineEntry, { id });
  if (!entry) throw new ImportFileNotFoundError(`quarantine entry ${id} not found`);
  if (entry.status !== 'open') throw new QuarantineError(`quarantine entry ${id} is ${entry.status}`);
  const mapper = mapperFor(entry, hooks.mappingsDir);
  const migration = entry.portal === MIGRATION_SOURCE;
  const campaigns = migration ? [] : await listCampaigns(orm);
  const outcome = await registerMapped(orm, entry.portal, mapper.map(correctedRows(entry)), mapper, actor, { campaigns, fileId: entry.fileId });
  if (outcome.kind === 'quarantined') {
    entry.issues = outcome.issues;
    entry.kind = outcome.reason;
    await em.flush();
    return { entry, issues: outcome.issues };
  }
  const accepted = outcome;
  await hooks.ensureWorkflow(accepted.donation, accepted.start);
  const now = (hooks.now ?? (() => new Date()))();
  await em.transactional(async (tx) => {
    if (migration && accepted.migration && (accepted.kind === 'created' || [actor, MIGRATION_ACTOR].includes(accepted.donation.createdBy))) {
      const file = await tx.findOneOrFail(ImportFile, { id: entry.fileId });
      await recordMigrations(txKnex(tx) as unknown as Knex, { id: file.id, fileName: file.fileName }, [
        { donationId: accepted.donation.id, row: entry.rowNumber, lastRow: entry.lastRow, paidAt: accepted.paidAt, facts: accepted.migration, findings: accepted.findings },
      ]);
    }
    const e = await tx.findOneOrFail(QuarantineEntry, { id });
    e.status = 'resolved';
    e.donationId = accepted.donation.id;
    e.resolvedBy = actor;
    e.resolvedAt = now;
    e.resolution = accepted.kind === 'created' ? 'corrected and registered' : 'matches a donation already in the ledger';
    if (accepted.kind === 'created' && !migration) {
      const sla = importSla(accepted.donation.appliedAt, now);
      await txKnex(tx)('donation_intake')
        .insert({ donation_id: accepted.donation.id, import_file_id: entry.fileId, row_number: entry.rowNumber, applied_at: accepted.donation.appliedAt, imported_at: now, due_on: sla.dueOn, late: sla.late, review_findings: JSON.stringify(accepted.findings) })
        .onConflict('donation_id')
        .ignore();
    }
  });
  return { entry: await orm.em.fork().findOneOrFail(QuarantineEntry, { id }), donation: accepted.donation, issues: [] };
}

export async function dismissQuarantine(orm: Orm, id: string, actor: string, reason: string): Promise<QuarantineEntry> {
  const em = orm.em.fork();
  const entry = await em.findOne(QuarantineEntry, { id });
  if (!entry) throw new ImportFileNotFoundError(`quarantine entry ${id} not found`);
  if (entry.status !== 'open') throw new QuarantineError(`quarantine entry ${id} is ${entry.status}`);
  Object.assign(entry, { status: 'dismissed', resolvedBy: actor, resolvedAt: new Date(), resolution: reason });
  await em.flush();
  return entry;
}

export async function listQuarantine(orm: Orm, f: { status?: string; portal?: string; fileId?: string; limit: number; offset: number }): Promise<{ total: number; entries: QuarantineEntry[] }> {
  const where: Record<string, unknown> = {};
  if (f.status) where.status = f.status;
  if (f.portal) where.portal = f.portal;
  if (f.fileId) where.fileId = f.fileId;
  const [entries, total] = await orm.em.fork().findAndCount(QuarantineEntry, where, { orderBy: { id: 'asc' }, limit: f.limit, offset: f.offset });
  return { total, entries };
}

/** PORTAL-1 figures: imported donations on time and late, per portal, for a JST date range of applications. */
export async function slaSummary(orm: Orm, range: { from?: string; to?: string }): Promise<{ portal: string; imported: number; late: number }[]> {
  const knex = orm.em.fork().getKnex();
  const q = knex('donation_intake as i').join('donations as d', 'd.id', 'i.donation_id');
  if (range.from) q.where('i.applied_at', '>=', range.from);
  if (range.to) q.where('i.applied_at', '<', range.to);
  const rows: { portal_code: string; imported: number; late: number }[] = await q
    .groupBy('d.portal_code')
    .orderBy('d.portal_code')
    .select('d.portal_code', knex.raw('count(*)::int as imported'), knex.raw('count(*) filter (where i.late)::int as late'));
  return rows.map((r) => ({ portal: r.portal_code, imported: r.imported, late: r.late }));
}

export async function donationIntake(orm: Orm, donationId: string): Promise<DonationIntake | null> {
  return orm.em.fork().findOne(DonationIntake, { donationId });
}


// ---------------------------------------------------------------------------------------------
// PORTAL-3: disaster-relief campaigns

/** Links a relief donation to its campaign and records the dropped gifts in its event log; once per donation. */
async function recordRelief(knex: Knex, donationId: string, decision: ReliefDecision, actor: string): Promise<void> {
  if (!decision.relief || !decision.basis) return;
  const inserted = await knex('disaster_relief_donations')
    .insert({ donation_id: donationId, campaign_id: decision.campaignId ?? null, basis: decision.basis, dropped_gifts: JSON.stringify(decision.droppedGifts) })
    .onConflict('donation_id')
    .ignore()
    .returning(['donation_id']);
  if (!inserted.length) return;
  const dropped = decision.droppedGifts.map((g) => `${g.code}×${g.quantity}`).join(', ');
  await knex('donation_events')
    .insert({
      donation_id: donationId, kind: 'disaster_relief', actor, occurred_at: new Date(),
      reason: `災害支援 (${decision.basis}${decision.campaignId ? `, campaign ${decision.campaignId}` : ''}): no gift${dropped ? `; dropped ${dropped}` : ''}`,
      after: JSON.stringify({ disasterRelief: true, campaignId: decision.campaignId ?? null, basis: decision.basis, droppedGifts: decision.droppedGifts }),
      idempotency_key: `disaster-relief:${donationId}`,
    })
    .onConflict('idempotency_key')
    .ignore();
}

export class CampaignError extends Error {
  override name = 'CampaignError';
}

export interface CampaignView extends ReliefCampaign {
  status: 'scheduled' | 'open' | 'closed';
  note: string | null;
  openedBy: string;
  openedAt: string;
  closedBy: string | null;
  closedAt: string | null;
}

function campaignView(r: Record<string, any>, now = new Date()): CampaignView {
  const startsAt = new Date(r.starts_at);
  const endsAt = r.ends_at ? new Date(r.ends_at) : null;
  return {
    id: r.id, name: r.name, startsAt: startsAt.toISOString(), endsAt: endsAt?.toISOString() ?? null,
    portals: r.portals, giftCodes: r.gift_codes, wholePortal: r.whole_portal,
    status: r.closed_at || (endsAt && now >= endsAt) ? 'closed' : now < startsAt ? 'scheduled' : 'open',
    note: r.note, openedBy: r.opened_by, openedAt: new Date(r.opened_at).toISOString(), closedBy: r.closed_by, closedAt: r.closed_at ? new Date(r.closed_at).toISOString() : null,
  };
}

export async function listCampaigns(orm: Orm): Promise<CampaignView[]> {
  const rows = await orm.em.fork().getKnex()('disaster_relief_campaigns').orderBy('starts_at', 'desc').select();
  return rows.map((r: Record<string, any>) => campaignView(r));
}

export async function getCampaign(orm: Orm, id: string): Promise<(CampaignView & { donations: number; amountYen: number }) | null> {
  const knex = orm.em.fork().getKnex();
  const r = await knex('disaster_relief_campaigns').where({ id }).first();
  if (!r) return null;
  const [totals] = await knex('disaster_relief_donations as r').join('donations as d', 'd.id', 'r.donation_id').where('r.campaign_id', id)
    .select(knex.raw('count(*)::int as n'), knex.raw('coalesce(sum(d.amount_yen), 0)::bigint as amount'));
  return { ...campaignView(r), donations: Number(totals.n), amountYen: Number(totals.amount) };
}

/**
 * Opens a campaign (from now, or from `startsAt`; open-ended unless `endsAt`).
 * Portals are checked against the ledger; item codes are the portals' codes
 * after their mapping, and are not gifts (relief donations get none).
 */
export async function openCampaign(
  orm: Orm,
  input: { name: string; startsAt?: string; endsAt?: string; portals: string[]; giftCodes: string[]; wholePortal: boolean; note?: string },
  actor: string,
  now = new Date(),
): Promise<CampaignView> {
  const knex = orm.em.fork().getKnex();
  const errors: { field: string; reason: string }[] = [];
  if (!input.name.trim()) errors.push({ field: 'name', reason: 'is required' });
  const startsAt = input.startsAt ? new Date(input.startsAt) : now;
  const endsAt = input.endsAt ? new Date(input.endsAt) : null;
  if (Number.isNaN(startsAt.getTime())) errors.push({ field: 'startsAt', reason: 'must be a date and time' });
  if (endsAt && (Number.isNaN(endsAt.getTime()) || endsAt <= startsAt)) errors.push({ field: 'endsAt', reason: 'must be a date and time after startsAt' });
  const portals = [...new Set(input.portals)];
  if (portals.length) {
    const known = new Set((await knex('portals').whereIn('code', portals).where('active', true).select('code')).map((p: { code: string }) => p.code));
    portals.forEach((p, i) => {
      if (!known.has(p)) errors.push({ field: `portals[${i}]`, reason: `unknown or inactive portal "${p}"` });
    });
  }
  if (input.wholePortal && !portals.length) errors.push({ field: 'wholePortal', reason: 'needs the portals whose every donation is for the campaign' });
  if (errors.length) throw new IntakeValidationError(errors);
  const id = randomUUID();
  await knex('disaster_relief_campaigns').insert({
    id, name: input.name.trim(), starts_at: startsAt, ends_at: endsAt, portals, gift_codes: [...new Set(input.giftCodes.map((c) => c.trim()).filter(Boolean))],
    whole_portal: input.wholePortal, note: input.note ?? null, opened_by: actor, opened_at: now,
  });
  return campaignView(await knex('disaster_relief_campaigns').where({ id }).first(), now);
}

/** Closes a campaign now (or at `endsAt`): donations applied from then on are ordinary again. */
export async function closeCampaign(orm: Orm, id: string, actor: string, endsAtText?: string, now = new Date()): Promise<CampaignView> {
  const knex = orm.em.fork().getKnex();
  const r = await knex('disaster_relief_campaigns').where({ id }).first();
  if (!r) throw new ImportFileNotFoundError(`campaign ${id} not found`);
  if (r.closed_at) throw new CampaignError(`campaign ${id} was closed by ${r.closed_by} at ${new Date(r.closed_at).toISOString()}`);
  const endsAt = endsAtText ? new Date(endsAtText) : now;
  if (Number.isNaN(endsAt.getTime())) throw new IntakeValidationError([{ field: 'endsAt', reason: 'must be a date and time' }]);
  if (endsAt <= new Date(r.starts_at)) throw new IntakeValidationError([{ field: 'endsAt', reason: 'must be after the campaign start' }]);
  await knex('disaster_relief_campaigns').where({ id }).update({ ends_at: endsAt, closed_by: actor, closed_at: now });
  return campaignView(await knex('disaster_relief_campaigns').where({ id }).first(), now);
}

// ---------------------------------------------------------------------------------------------
// INTAKE-3: catalogue requests (資料請求)

export interface CatalogueRequestView {
  id: string;
  requester: { name: string; nameKana: string; postalCode: string; prefecture: string; address: string; phone: string | null; email: string | null };
  items: CatalogueItem[];
  copies: number;
  channel: CatalogueChannel;
  requestedAt: string;
  note: string | null;
  status: CatalogueStatus;
  recordedBy: string;
  sentAt: string | null;
  sentBy: string | null;
  sendReference: string | null;
  cancelledAt: string | null;
  cancelledBy: string | null;
  cancelReason: string | null;
}

const iso = (v: unknown) => (v ? new Date(v as string).toISOString() : null);

function catalogueView(r: Record<string, any>): CatalogueRequestView {
  return {
    id: r.id,
    requester: { name: r.name, nameKana: r.name_kana, postalCode: r.postal_code, prefecture: r.prefecture, address: r.address, phone: r.phone, email: r.email },
    items: r.items, copies: r.copies, channel: r.channel, requestedAt: iso(r.requested_at) as string, note: r.note, status: r.status, recordedBy: r.recorded_by,
    sentAt: iso(r.sent_at), sentBy: r.sent_by, sendReference: r.send_reference, cancelledAt: iso(r.cancelled_at), cancelledBy: r.cancelled_by, cancelReason: r.cancel_reason,
  };
}

export class CatalogueRequestError extends Error {
  override name = 'CatalogueRequestError';
}

/**
 * Records a request. The same person asking again for the same items while a
 * request is still waiting to be mailed gets that request back (created: false):
 * a caller who rings twice gets one envelope.
 */
export async function createCatalogueRequest(orm: Orm, input: CatalogueRequestInput, actor: string, now = new Date()): Promise<{ request: CatalogueRequestView; created: boolean }> {
  const knex = orm.em.fork().getKnex();
  const p = normalizeRequester(input.requester);
  const items = [...new Set(input.items)].sort();
  return knex.transaction(async (trx) => {
    // One request at a time per address, so two clerks entering the same call do not both create one.
    await trx.raw('select pg_advisory_xact_lock(hashtext(?))', [`catalogue:${p.postalCode}:${p.address}`]);
    const open = await trx('catalogue_requests')
      .where({ status: 'requested', name: p.name, postal_code: p.postalCode, address: p.address })
      .whereRaw(`items = string_to_array(?, ',')`, [items.join(',')])
      .first();
    if (open) return { request: catalogueView(open), created: false };
    const id = randomUUID();
    await trx('catalogue_requests').insert({
      id, name: p.name, name_kana: p.nameKana, postal_code: p.postalCode, prefecture: p.prefecture, address: p.address,
      phone: p.phone || null, email: p.email || null, items, copies: input.copies ?? 1, channel: input.channel,
      requested_at: input.requestedAt ? new Date(input.requestedAt) : now, note: input.note ?? null, recorded_by: actor,
    });
    return { request: catalogueView(await trx('catalogue_requests').where({ id }).first()), created: true };
  });
}

export async function listCatalogueRequests(
  orm: Orm,
  f: { status?: CatalogueStatus; requestedFrom?: string; requestedTo?: string; limit: number; offset: number },
): Promise<{ total: number; requests: CatalogueRequestView[] }> {
  const knex = orm.em.fork().getKnex();
  const q = knex('catalogue_requests');
  if (f.status) q.where('status', f.status);
  if (f.requestedFrom) q.where('requested_at', '>=', f.requestedFrom);
  if (f.requestedTo) q.where('requested_at', '<', f.requestedTo);
  const [{ n }] = await q.clone().count({ n: '*' });
  const rows = await q.orderBy([{ column: 'requested_at', order: 'asc' }, { column: 'id', order: 'asc' }]).limit(f.limit).offset(f.offset).select();
  return { total: Number(n), requests: rows.map(catalogueView) };
}

export async function getCatalogueRequest(orm: Orm, id: string): Promise<CatalogueRequestView | null> {
  const r = await orm.em.fork().getKnex()('catalogue_requests').where({ id }).first();
  return r ? catalogueView(r) : null;
}

/**
 * Marks requests as mailed (one envelope run). Requests already sent stay as
 * they were (repeating the call is harmless); cancelled or unknown ones are
 * refused by name and nothing is changed.
 */
export async function markCatalogueSent(
  orm: Orm,
  ids: string[],
  opts: { sentAt?: string; reference?: string },
  actor: string,
  now = new Date(),
): Promise<{ sent: string[]; alreadySent: string[] }> {
  const knex = orm.em.fork().getKnex();
  const unique = [...new Set(ids)];
  return knex.transaction(async (trx) => {
    const rows: { id: string; status: CatalogueStatus }[] = await trx('catalogue_requests').whereIn('id', unique).forUpdate().select('id', 'status');
    const found = new Map(rows.map((r) => [r.id, r.status]));
    const problems = unique.filter((id) => !found.has(id) || found.get(id) === 'cancelled').map((id) => `${id} ${found.has(id) ? 'is cancelled' : 'not found'}`);
    if (problems.length) throw new CatalogueRequestError(`nothing marked: ${problems.join('; ')}`);
    const toSend = unique.filter((id) => found.get(id) === 'requested');
    if (toSend.length) {
      await trx('catalogue_requests')
        .whereIn('id', toSend)
        .update({ status: 'sent', sent_at: opts.sentAt ? new Date(opts.sentAt) : now, sent_by: actor, send_reference: opts.reference ?? null });
    }
    return { sent: toSend, alreadySent: unique.filter((id) => found.get(id) === 'sent') };
  });
}

export async function cancelCatalogueRequest(orm: Orm, id: string, reason: string, actor: string, now = new Date()): Promise<CatalogueRequestView> {
  const knex = orm.em.fork().getKnex();
  const r = await knex('catalogue_requests').where({ id }).first();
  if (!r) throw new ImportFileNotFoundError(`catalogue request ${id} not found`);
  if (r.status !== 'requested') throw new CatalogueRequestError(`catalogue request ${id} is ${r.status}`);
  await knex('catalogue_requests').where({ id, status: 'requested' }).update({ status: 'cancelled', cancelled_at: now, cancelled_by: actor, cancel_reason: reason });
  return catalogueView(await knex('catalogue_requests').where({ id }).first());
}
