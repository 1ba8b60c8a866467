import type { Knex } from '@mikro-orm/postgresql';
import { ENVELOPE, fiscalYearOf, receiptPacket, type MailingReason } from '../domain/documents';
import { jstDate } from '../domain/jst';
import { mustPrintBy, type YearEndClosure } from '../domain/deadlines';
import { NOTICE_DOCUMENT, type OneStopNoticeKind } from '../domain/onestop/notices';
import type { PrintedDocument, PrintItemReason } from '../domain/printed-documents';
import { issueReceipt } from './receipts';

/**
 * Print batches (DOCS-1…3, 5, 6) in the ledger: print_batches, their envelopes (print_batch_items),
 * and what collecting and posting a batch stamps on receipts, donations and one-stop notices.
 */

export interface CollectInput {
  batchId: string;
  kind: 'scheduled' | 'on_demand';
  requestedBy: string;
  workflowId: string;
  limit: number;
  donationIds?: string[];
  /** The JST day this batch runs for (the workflow's day); absent = today. Documents that cannot wait for the next print day are all taken (mustPrintBy). */
  printDay?: string;
  /** The year-end closure the print days follow; absent = Dec 29 – Jan 3. */
  closure?: YearEndClosure;
}

export interface BatchCounts {
  batchId: string;
  envelopes: number;
  documents: number;
}

interface PlannedItem {
  donationId: string;
  receiptId: number | null;
  reason: PrintItemReason;
  round: number;
  documents: PrintedDocument[];
  noticeId?: string;
}

const OPEN_ROUND = `exists (select 1 from print_batch_items i where i.donation_id = d.id and i.reason in ('initial', 'returned_mail') and i.round = d.returned_mail_count)`;

/**
 * Collects the envelopes that are due into a new batch, in one transaction. Idempotent on batchId:
 * a retried attempt finds the batch it already collected.
 */
export async function collectPrintBatch(knex: Knex, input: CollectInput): Promise<BatchCounts> {
  return knex.transaction(async (trx) => {
    const existing = await trx('print_batches').where({ id: input.batchId }).first();
    if (existing) return { batchId: input.batchId, envelopes: existing.envelope_count, documents: existing.document_count };

    const only = (column: string) => (q: Knex.QueryBuilder) => {
      if (input.donationIds) q.whereIn(column, input.donationIds);
    };
    // One batch collects at a time; a second one waits rather than taking the same envelopes.
    await trx.raw('select pg_advisory_xact_lock(?)', [0x5052494e54]);
    const planned: PlannedItem[] = [];

    const dueQuery = () =>
      trx('donations as d')
        .select('d.id', 'd.wants_one_stop', 'd.returned_mail_count', 'd.paid_at', 'd.applied_at')
        .where('d.status', 'documents_due')
        .whereNot(trx.raw(OPEN_ROUND))
        .modify(only('d.id'))
        .orderBy([{ column: 'd.documents_due_at', order: 'asc' }, { column: 'd.id' }]);
    // DOCS-1: what cannot wait for the next print day (the last run before a closed stretch) goes now, beyond the envelope limit.
    const cutoff = mustPrintBy(input.printDay ?? jstDate(new Date()), input.closure);
    const urgent = await dueQuery().where('d.documents_due_at', '<=', cutoff);
    const rest = await dueQuery()
      .where((q) => q.where('d.documents_due_at', '>', cutoff).orWhereNull('d.documents_due_at'))
      .limit(Math.max(0, input.limit - urgent.length));
    for (const d of [...urgent, ...rest]) {
      const reason: MailingReason = d.returned_mail_count > 0 ? 'returned_mail' : 'initial';
      const receivedOn = jstDate(new Date(d.paid_at ?? d.applied_at));
      const receiptId = await issueReceipt(trx, d.id, reason, input.requestedBy, fiscalYearOf(receivedOn));
      // A returned envelope never reached the donor: the whole packet goes again, one-stop set included.
      planned.push({ donationId: d.id, receiptId, reason, round: d.returned_mail_count, documents: receiptPacket(d.wants_one_stop, reason) });
    }

    // A receipt handed over already posted (CONTRACT-2: its print batch stays with the old system) is never printed again.
    const reissues = await trx('receipts').select('id', 'donation_id').whereNull('print_batch_id').whereNull('posted_at').where('reason', 'reissue').modify(only('donation_id')).orderBy('requested_at').limit(Math.max(0, input.limit - planned.length));
    for (const r of reissues) planned.push({ donationId: r.donation_id, receiptId: r.id, reason: 'reissue', round: 0, documents: receiptPacket(false, 'reissue') });

    const paymentForms = await trx('donations as d')
      .select('d.id')
      .where({ 'd.status': 'awaiting_payment', 'd.payment_method': 'postal_transfer' })
      .whereNull('d.postal_transfer_form_sent_at')
      .modify(only('d.id'))
      .whereNotExists(trx('print_batch_items as i').whereRaw('i.donation_id = d.id').where('i.reason', 'payment_form'))
      .orderBy('d.applied_at')
      .limit(Math.max(0, input.limit - planned.length));
    for (const d of paymentForms) planned.push({ donationId: d.id, receiptId: null, reason: 'payment_form', round: 0, documents: ['postal_transfer_form'] });

    // DOCS-5: one-stop notices to go on paper (paper applicants, and email notices that bounced), oldest first.
    const notices = await trx('onestop_notices as n')
      .join('onestop_applications as a', 'a.id', 'n.application_id')
      .select('n.id', 'n.kind', 'a.donation_id')
      .where({ 'n.status': 'pending', 'n.channel': 'mail' })
      .whereNull('n.print_batch_id')
      // REC-1: nobody is left to write to once the application's personal data is destroyed.
      .whereNull('a.personal_data_purged_at')
      .modify(only('a.donation_id'))
      .orderBy([{ column: 'n.created_at' }, { column: 'n.id' }])
      .limit(Math.max(0, input.limit - planned.length));
    for (const n of notices) {
      planned.push({ donationId: n.donation_id, receiptId: null, reason: 'onestop_notice', round: 0, documents: [NOTICE_DOCUMENT[n.kind as OneStopNoticeKind]], noticeId: String(n.id) });
    }

    if (planned.length === 0) return { batchId: input.batchId, envelopes: 0, documents: 0 };

    const documents = planned.reduce((n, p) => n + p.documents.length, 0);
    await trx('print_batches').insert({
      id: input.batchId,
      kind: input.kind,
      status: 'collected',
      requested_by: input.requestedBy,
      workflow_id: input.workflowId,
      envelope_count: planned.length,
      document_count: documents,
      page_count: documents,
    });
    let page = 1;
    const rows = planned.map((p, i) => {
      const row = {
        batch_id: input.batchId,
        seq: i + 1,
        donation_id: p.donationId,
        receipt_id: p.receiptId,
        reason: p.reason,
        round: p.round,
        documents: JSON.stringify(p.documents),
        envelope: ENVELOPE,
        page_from: page,
        page_to: page + p.documents.length - 1,
        onestop_notice_id: p.noticeId ?? null,
      };
      page += p.documents.length;
      return row;
    });
    for (let i = 0; i < rows.length; i += 1000) await trx('print_batch_items').insert(rows.slice(i, i + 1000));
    const receiptIds = planned.map((p) => p.receiptId).filter((id): id is number => id !== null);
    for (let i = 0; i < receiptIds.length; i += 1000) await trx('receipts').whereIn('id', receiptIds.slice(i, i + 1000)).update({ print_batch_id: input.batchId });
    const noticeIds = planned.map((p) => p.noticeId).filter((id): id is string => id !== undefined);
    for (let i = 0; i < noticeIds.length; i += 1000) await trx('onestop_notices').whereIn('id', noticeIds.slice(i, i + 1000)).update({ print_batch_id: input.batchId });
    return { batchId: input.batchId, envelopes: planned.length, documents };
  });
}

/** A print_batches row as stored (the columns the batch's steps read). */
export interface PrintBatchRecord {
  id: string;
  status: 'collected' | 'rendered' | 'handed_off' | 'posted';
  envelope_count: number;
  document_count: number;
  page_count: number;
  pdf_path: string | null;
  manifest_path: string | null;
  printer_reference: string | null;
  [column: string]: unknown;
}

export async function findPrintBatch(knex: Knex, batchId: string): Promise<PrintBatchRecord | undefined> {
  return knex('print_batches').where({ id: batchId }).first();
}

/** One envelope of a batch with what its packet prints: the donation, the donor, the receipt, a one-stop notice. */
export interface PrintBatchPacketRow {
  seq: number;
  reason: PrintItemReason;
  documents: PrintedDocument[];
  page_from: number;
  page_to: number;
  envelope: string;
  donation_id: string;
  portal_order_id: string;
  amount_yen: number;
  paid_at: Date | string | null;
  applied_at: Date | string;
  purpose: string | null;
  wants_one_stop: boolean;
  disaster_relief: boolean;
  portal_name: string;
  portal_code: string;
  name: string;
  name_kana: string;
  postal_code: string;
  prefecture: string;
  address: string;
  phone: string | null;
  receipt_number: string | null;
  issue: number | null;
  notice_findings: { code: string; field?: string }[] | null;
  changed_particulars: { name?: string; nameKana?: string; address?: string; postalCode?: string } | null;
  application_arrived_on: string | null;
  application_deadline_on: string | null;
}

/** The batch's envelopes in seq order, with everything the renderer and the printer's manifest need. */
export async function printBatchPackets(knex: Knex, batchId: string): Promise<PrintBatchPacketRow[]> {
  return knex('print_batch_items as i')
    .join('donations as d', 'd.id', 'i.donation_id')
    .join('donors as p', 'p.id', 'd.donor_id')
    .join('portals as o', 'o.code', 'd.portal_code')
    .leftJoin('receipts as r', 'r.id', 'i.receipt_id')
    .leftJoin('onestop_notices as n', 'n.id', 'i.onestop_notice_id')
    .leftJoin('onestop_applications as a', 'a.id', 'n.application_id')
    .select(
      'i.seq', 'i.reason', 'i.documents', 'i.page_from', 'i.page_to', 'i.envelope', 'd.id as donation_id', 'd.portal_order_id', 'd.amount_yen',
      'd.paid_at', 'd.applied_at', 'd.purpose', 'd.wants_one_stop', 'd.disaster_relief', 'o.name as portal_name', 'o.code as portal_code',
      'p.name', 'p.name_kana', 'p.postal_code', 'p.prefecture', 'p.address', 'p.phone', 'r.number as receipt_number', 'r.issue',
      'n.findings as notice_findings', 'a.changed_particulars', knex.raw('a.arrived_on::text as application_arrived_on, a.deadline_on::text as application_deadline_on'),
    )
    .where('i.batch_id', batchId)
    .orderBy('i.seq');
}

export async function markPrintBatchRendered(knex: Knex, batchId: string, files: { pdfPath: string; manifestPath: string }): Promise<void> {
  await knex('print_batches').where({ id: batchId }).update({ status: 'rendered', pdf_path: files.pdfPath, manifest_path: files.manifestPath, rendered_at: new Date() });
}

export async function markPrintBatchHandedOff(knex: Knex, batchId: string, printerReference: string): Promise<void> {
  await knex('print_batches').where({ id: batchId }).update({ status: 'handed_off', printer_reference: printerReference, handed_off_at: new Date() });
}

/**
 * The printer confirmed printing and posting: stamps the batch, its receipts, payment forms and
 * one-stop notices, and writes one event per envelope (keyed `print:<batch>:<seq>`), in one
 * transaction that holds the batch's row. A batch already posted is left as it is.
 */
export async function markPrintBatchPosted(knex: Knex, batchId: string, postedAt: string, actor: string): Promise<void> {
  await knex.transaction(async (trx) => {
    const batch = await trx('print_batches').where({ id: batchId }).forUpdate().first();
    if (batch.status === 'posted') return;
    const at = new Date(postedAt);
    await trx('print_batches').where({ id: batchId }).update({ status: 'posted', posted_at: at, posted_by: actor });
    await trx('receipts').where({ print_batch_id: batchId }).update({ posted_at: at });
    await trx('donations').whereIn('id', trx('print_batch_items').select('donation_id').where({ batch_id: batchId, reason: 'payment_form' })).update({ postal_transfer_form_sent_at: at });
    // DOCS-5: the batch's one-stop notices are sent now, not when printed.
    await trx('onestop_notices').where({ print_batch_id: batchId, status: 'pending' }).update({ status: 'sent', sent_at: at });
    const items = await trx('print_batch_items as i').leftJoin('receipts as r', 'r.id', 'i.receipt_id').select('i.seq', 'i.donation_id', 'i.reason', 'i.documents', 'r.number').where('i.batch_id', batchId).orderBy('i.seq');
    const events = items.map((i: Record<string, any>) => ({
      donation_id: i.donation_id,
      kind: i.reason === 'payment_form' ? 'payment_form_posted' : i.reason === 'reissue' ? 'receipt_reissue_posted' : i.reason === 'onestop_notice' ? 'onestop_notice_posted' : 'documents_posted',
      actor,
      occurred_at: at,
      reason: `print batch ${batchId}, envelope ${i.seq}`,
      after: JSON.stringify({ batchId, documents: i.documents, receiptNumber: i.number ?? null, reason: i.reason }),
      idempotency_key: `print:${batchId}:${i.seq}`,
    }));
    for (let i = 0; i < events.length; i += 1000) await trx('donation_events').insert(events.slice(i, i + 1000)).onConflict('idempotency_key').ignore();
  });
}

/** The seq of the batch's receipt envelope (initial or returned mail) at this index in seq order. */
export async function receiptEnvelopeAt(knex: Knex, batchId: string, index: number): Promise<{ seq: number } | undefined> {
  return knex('print_batch_items').select('seq').where('batch_id', batchId).whereIn('reason', ['initial', 'returned_mail']).orderBy('seq').offset(index).limit(1).first();
}

/** How many documents (of these donations, when given) are due at or before `cutoff` and not yet in a batch: what a closed day's run must not leave. */
export async function documentsDueBy(knex: Knex, cutoff: string, donationIds?: string[]): Promise<number> {
  const q = knex('donations as d').where('d.status', 'documents_due').whereNot(knex.raw(OPEN_ROUND)).where('d.documents_due_at', '<=', cutoff);
  if (donationIds) q.whereIn('d.id', donationIds);
  const [{ n }] = await q.count({ n: '*' });
  return Number(n);
}

/** The batch's receipt envelopes after this seq, in seq order, at most `limit`, with their donations' workflow ids. */
export async function receiptEnvelopesAfter(knex: Knex, batchId: string, afterSeq: number, limit: number): Promise<{ seq: number; donation_id: string; workflow_id: string }[]> {
  return knex('print_batch_items as i')
    .join('donations as d', 'd.id', 'i.donation_id')
    .select('i.seq', 'i.donation_id', 'd.workflow_id')
    .where('i.batch_id', batchId)
    .whereIn('i.reason', ['initial', 'returned_mail'])
    .where('i.seq', '>', afterSeq)
    .orderBy('i.seq')
    .limit(limit);
}

/**
 * Donations posted in a batch while no workflow was there to tell: the ledger shows them
 * posted, but the donation cannot move to documents_sent by itself, so an operator has to look.
 * One event per envelope, however often the notifier retries.
 */
export async function recordDocumentsSignalMissing(knex: Knex, batchId: string, postedAt: string, items: { seq: number; donationId: string; workflowId: string }[]): Promise<void> {
  const rows = items.map((i) => ({
    donation_id: i.donationId,
    kind: 'documents_signal_missing',
    actor: 'system:print-batch',
    occurred_at: new Date(postedAt),
    reason: `print batch ${batchId}, envelope ${i.seq}: posted, but no running workflow received documentsSent`,
    after: JSON.stringify({ batchId, seq: i.seq, workflowId: i.workflowId }),
    idempotency_key: `print-signal-missing:${batchId}:${i.seq}`,
  }));
  await knex('donation_events').insert(rows).onConflict('idempotency_key').ignore();
}
