import fs from 'node:fs';
import path from 'node:path';
import { Context } from '@temporalio/activity';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Knex } from '@mikro-orm/postgresql';
import { ENVELOPE, fiscalYearOf, receiptNumber, receiptPacket, type MailingReason } from '../../domain/documents';
import { NOTICE_DOCUMENT, noticeAddressee, type OneStopNoticeKind } from '../../domain/onestop/notices';
import { jstDate } from '../../domain/jst';
import type { Orm } from '../../ledger/orm';
import { documentsSentSignal } from '../../workflows/donation/definitions';
import { MISSING_SAMPLE } from '../../workflows/documents/definitions';
import { PRINTED_DOCUMENT_TITLES, type DocumentRenderer, type PacketData, type PrintedDocument } from './renderer';
import type { PrintingService } from './printing-service';

export interface DocumentActivityDeps {
  orm: Orm;
  temporal: Client;
  printer: PrintingService;
  /** Launched on first use and shared by every batch this worker renders. */
  renderer: () => Promise<DocumentRenderer>;
  /** Where batches are assembled before hand-off. */
  workDir: string;
}

export interface CollectInput {
  batchId: string;
  kind: 'scheduled' | 'on_demand';
  requestedBy: string;
  workflowId: string;
  limit: number;
  donationIds?: string[];
}

export interface BatchCounts {
  batchId: string;
  envelopes: number;
  documents: number;
}

/** onestop_notice: a one-stop notice (DOCS-5) on paper, an envelope of its own. */
type ItemReason = MailingReason | 'payment_form' | 'onestop_notice';

interface PlannedItem {
  donationId: string;
  receiptId: number | null;
  reason: ItemReason;
  round: number;
  documents: PrintedDocument[];
  noticeId?: string;
}

const OPEN_ROUND = `exists (select 1 from print_batch_items i where i.donation_id = d.id and i.reason in ('initial', 'returned_mail') and i.round = d.returned_mail_count)`;

/** Receipt envelopes read from the ledger at a time while notifying the donations. */
const NOTIFY_PAGE = 500;
/** documentsSent signals in flight at once. */
const SIGNAL_BATCH = 16;

/** notifyPostedDonations' result: counts and a few examples, never one entry per donation. */
export interface NotifyPostedResult {
  notified: number;
  /** Donations whose workflow was not there (never started, or already closed); each is a documents_signal_missing event. */
  missing: number;
  /** At most MISSING_SAMPLE of their workflow ids. */
  missingSample: string[];
}

/**
 * notifyPostedDonations' heartbeat: the last envelope (seq) of the last finished signal batch, the
 * counts so far, and when an attempt failed in the middle of a batch the seqs of that batch it had
 * already told (at most SIGNAL_BATCH), so the retry does not signal them again.
 */
export interface NotifyPostedProgress {
  lastSeq: number;
  notified: number;
  missing: number;
  sample: string[];
  partial: number[];
}

/**
 * Reads a heartbeat of this version, or of the one before paging (`{ next }`: an index into the
 * batch's receipt envelopes in seq order, every one before it signalled): that index becomes the
 * seq of the envelope before it. Counts from the old heartbeat are not known and start at zero.
 */
export async function notifyPostedProgressFrom(details: unknown, seqAtIndex: (index: number) => Promise<{ seq: number } | undefined>): Promise<NotifyPostedProgress> {
  const d = (details ?? {}) as Partial<NotifyPostedProgress> & { next?: number };
  if (typeof d.lastSeq === 'number') {
    return {
      lastSeq: d.lastSeq,
      notified: Number(d.notified) || 0,
      missing: Number(d.missing) || 0,
      sample: Array.isArray(d.sample) ? d.sample.slice(0, MISSING_SAMPLE) : [],
      partial: Array.isArray(d.partial) ? d.partial.filter((n) => typeof n === 'number') : [],
    };
  }
  const next = Number(d.next) || 0;
  const lastSeq = next > 0 ? ((await seqAtIndex(next - 1))?.seq ?? 0) : 0;
  return { lastSeq, notified: 0, missing: 0, sample: [], partial: [] };
}

/**
 * Donations posted in a batch while no workflow was there to tell: the ledger shows them
 * posted, but the donation cannot move to documents_sent by itself, so an operator has to look.
 * One event per envelope, however often the notifier retries.
 */
async function recordDocumentsSignalMissing(knex: Knex, batchId: string, postedAt: string, items: { seq: number; donationId: string; workflowId: string }[]): Promise<void> {
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

function csvCell(value: string | number | null | undefined): string {
  const text = value === null || value === undefined ? '' : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * Print batches (DOCS-1…3, 6): collect the envelopes that are due, render one
 * merged PDF with a manifest, hand it to the printing service, and once the
 * printer confirms posting, tell each donation its documents are out.
 */
export function createDocumentActivities(deps: DocumentActivityDeps) {
  const knex = () => deps.orm.em.getKnex();

  async function issueReceipt(trx: Knex.Transaction, donationId: string, reason: MailingReason, requestedBy: string, fiscalYear: number, note?: string): Promise<number> {
    const [previous] = await trx('receipts').where({ donation_id: donationId }).orderBy('issue', 'desc').limit(1);
    const serial = previous ? previous.serial : Number((await trx.raw(`select nextval('receipt_serial_seq') as n`)).rows[0].n);
    const issue = previous ? previous.issue + 1 : 1;
    const fy = previous ? Number(String(previous.number).slice(1, 5)) : fiscalYear;
    const [row] = await trx('receipts')
      .insert({ donation_id: donationId, serial, issue, number: receiptNumber(fy, serial, issue), reason, requested_by: requestedBy, note: note ?? null })
      .returning('id');
    return row.id;
  }

  return {
    /** Idempotent on batchId: a retried attempt finds the batch it already collected. */
    async collectPrintBatch(input: CollectInput): Promise<BatchCounts> {
      return knex().transaction(async (trx) => {
        const existing = await trx('print_batches').where({ id: input.batchId }).first();
        if (existing) return { batchId: input.batchId, envelopes: existing.envelope_count, documents: existing.document_count };

        const only = (column: string) => (q: Knex.QueryBuilder) => {
          if (input.donationIds) q.whereIn(column, input.donationIds);
        };
        // One batch collects at a time; a second one waits rather than taking the same envelopes.
        await trx.raw('select pg_advisory_xact_lock(?)', [0x5052494e54]);
        const planned: PlannedItem[] = [];

        const due = await trx('donations as d')
          .select('d.id', 'd.wants_one_stop', 'd.returned_mail_count', 'd.paid_at', 'd.applied_at')
          .where('d.status', 'documents_due')
          .whereNot(trx.raw(OPEN_ROUND))
          .modify(only('d.id'))
          .orderBy([{ column: 'd.documents_due_at', order: 'asc' }, { column: 'd.id' }])
          .limit(input.limit);
        for (const d of due) {
          const reason: MailingReason = d.returned_mail_count > 0 ? 'returned_mail' : 'initial';
          const receivedOn = jstDate(new Date(d.paid_at ?? d.applied_at));
          const receiptId = await issueReceipt(trx, d.id, reason, input.requestedBy, fiscalYearOf(receivedOn));
          // A returned envelope never reached the donor: the whole packet goes again, one-stop set included.
          planned.push({ donationId: d.id, receiptId, reason, round: d.returned_mail_count, documents: receiptPacket(d.wants_one_stop, reason) });
        }

        const reissues = await trx('receipts').select('id', 'donation_id').whereNull('print_batch_id').where('reason', 'reissue').modify(only('donation_id')).orderBy('requested_at').limit(Math.max(0, input.limit - planned.length));
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
    },

    /**
     * Renders the merged PDF and the manifest. Thousands of envelopes take minutes (Chromium prints
     * some 44 documents a second), so it heartbeats `{ done, of, issuedOn }` after every chunk of
     * packets (100 a chunk) and a worker that dies is noticed within the heartbeat timeout. Each
     * rendered chunk is kept as a PDF of its own under the batch's work folder, keyed by the issue
     * date, so a retry on the same machine (or a shared work folder) takes the chunks already done
     * from there and renders only the rest, with the issue date of the first attempt (one date on
     * the whole batch). The merged file itself cannot be resumed (pdf-lib builds it in memory and
     * saves it whole), so it is assembled again from the chunks; on another worker without those
     * files the render starts again, which is safe: rendering is pure and the packets are fixed
     * in the ledger when the batch is collected.
     */
    async renderPrintBatch({ batchId }: { batchId: string }): Promise<{ pdfPath: string; manifestPath: string; pages: number }> {
      const ctx = Context.current();
      const resumed = ctx.info.heartbeatDetails as { issuedOn?: string } | undefined;
      const issuedOn = typeof resumed?.issuedOn === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(resumed.issuedOn) ? resumed.issuedOn : jstDate(new Date());
      const batch = await knex()('print_batches').where({ id: batchId }).first();
      if (!batch) throw new Error(`print batch ${batchId} does not exist`);
      if (batch.status !== 'collected' && batch.pdf_path && fs.existsSync(batch.pdf_path)) {
        return { pdfPath: batch.pdf_path, manifestPath: batch.manifest_path, pages: batch.page_count };
      }
      const items = await knex()('print_batch_items as i')
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
          'n.findings as notice_findings', 'a.changed_particulars', knex().raw('a.arrived_on::text as application_arrived_on, a.deadline_on::text as application_deadline_on'),
        )
        .where('i.batch_id', batchId)
        .orderBy('i.seq');
      const packets: PacketData[] = items.map((i: Record<string, any>) => {
        const donor = { name: i.name, nameKana: i.name_kana, postalCode: i.postal_code, prefecture: i.prefecture, address: i.address, phone: i.phone ?? undefined };
        const packet: PacketData = {
          donationId: i.donation_id,
          portalName: i.portal_name,
          portalOrderId: i.portal_order_id,
          donor,
          amountYen: i.amount_yen,
          receivedAt: new Date(i.paid_at ?? i.applied_at).toISOString(),
          purpose: i.purpose ?? undefined,
          wantsOneStop: i.wants_one_stop,
          disasterRelief: i.disaster_relief,
          receiptNumber: i.receipt_number ?? undefined,
          issue: i.issue ?? 1,
          documents: i.documents,
        };
        if (i.reason !== 'onestop_notice') return packet;
        // DOCS-5: addressed as the notice says (a 変更届出書's new name or address wins), with its deadline and findings.
        return {
          ...packet,
          donor: noticeAddressee(donor, i.changed_particulars),
          applicationArrivedOn: i.application_arrived_on ?? undefined,
          notice: { deadlineOn: i.application_deadline_on, findings: (i.notice_findings ?? []).map((f: { code: string; field?: string }) => ({ code: f.code, field: f.field })) },
        };
      });
      const dir = path.join(deps.workDir, batchId);
      await fs.promises.mkdir(dir, { recursive: true });
      const renderer = await deps.renderer();
      ctx.heartbeat({ done: 0, of: packets.length, issuedOn });
      const chunkDir = path.join(dir, `chunks-${issuedOn}`);
      const pdf = await renderer.render(packets, path.join(dir, 'tmp'), (done) => ctx.heartbeat({ done, of: packets.length, issuedOn }), { issuedOn, chunkDir });
      ctx.heartbeat({ done: packets.length, of: packets.length, issuedOn });
      const pdfPath = path.join(dir, 'batch.pdf');
      await fs.promises.writeFile(`${pdfPath}.part`, pdf);
      await fs.promises.rename(`${pdfPath}.part`, pdfPath);

      // The printer stuffs envelopes from this: which pages go together, into which envelope. No personal data beyond the order number.
      const header = ['seq', 'donation_id', 'portal', 'portal_order_id', 'receipt_number', 'reason', 'documents', 'page_from', 'page_to', 'envelope'];
      const lines = items.map((i: Record<string, any>) =>
        [i.seq, i.donation_id, i.portal_code, i.portal_order_id, i.receipt_number, i.reason, (i.documents as PrintedDocument[]).map((d) => PRINTED_DOCUMENT_TITLES[d]).join('・'), i.page_from, i.page_to, i.envelope]
          .map(csvCell)
          .join(','),
      );
      const manifestPath = path.join(dir, 'manifest.csv');
      await fs.promises.writeFile(manifestPath, `\uFEFF${[header.join(','), ...lines].join('\r\n')}\r\n`);
      await knex()('print_batches').where({ id: batchId }).update({ status: 'rendered', pdf_path: pdfPath, manifest_path: manifestPath, rendered_at: new Date() });
      // The chunks served their purpose once the merged file is recorded.
      await fs.promises.rm(chunkDir, { recursive: true, force: true });
      return { pdfPath, manifestPath, pages: items.reduce((n: number, i: Record<string, any>) => n + i.documents.length, 0) };
    },

    /**
     * Gives the batch to the printing service. Copying a December batch's PDF (hundreds of MB) to
     * the drop takes a while: the service reports the bytes copied and the activity heartbeats
     * them. A retry hands the whole batch off again rather than resuming mid-file: the drop is
     * written to be replaced whole (READY last), and a half-copied file cannot be trusted.
     */
    async handOffPrintBatch({ batchId }: { batchId: string }): Promise<{ reference: string }> {
      const batch = await knex()('print_batches').where({ id: batchId }).first();
      if (batch.status === 'handed_off' || batch.status === 'posted') return { reference: batch.printer_reference };
      const ctx = Context.current();
      const { reference } = await deps.printer.handOff({ batchId, pdfPath: batch.pdf_path, manifestPath: batch.manifest_path }, (bytes) => ctx.heartbeat({ bytes }));
      await knex()('print_batches').where({ id: batchId }).update({ status: 'handed_off', printer_reference: reference, handed_off_at: new Date() });
      return { reference };
    },

    /** The printer confirmed printing and posting: stamp receipts, payment forms and the event log. */
    async markPrintBatchPosted({ batchId, postedAt, actor }: { batchId: string; postedAt: string; actor: string }): Promise<void> {
      await knex().transaction(async (trx) => {
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
    },

    /**
     * Signals each donation whose receipt went out. The batch's receipt envelopes are read from the
     * ledger a page at a time by envelope number (seq, NOTIFY_PAGE a page) and signalled SIGNAL_BATCH
     * at a time; after each batch the heartbeat carries `{ lastSeq, notified, missing, sample }`, so a
     * retry resumes after the last finished batch. A signal that fails (not "no such workflow") ends
     * the attempt after its batch settles, with the seqs of that batch already told in the heartbeat,
     * so the retry tells only the rest; only a worker that dies mid-batch re-sends (at most one
     * batch). A re-sent
     * documentsSent changes nothing: the donation workflow keeps the first and notes the repeat as
     * ignored. A donation without a running workflow is recorded once as a `documents_signal_missing`
     * event in the ledger (the full list for operators); the result carries counts and at most
     * MISSING_SAMPLE workflow ids, however big the batch.
     */
    async notifyPostedDonations({ batchId, postedAt }: { batchId: string; postedAt: string }): Promise<NotifyPostedResult> {
      const ctx = Context.current();
      const progress = await notifyPostedProgressFrom(ctx.info.heartbeatDetails, (index) =>
        knex()('print_batch_items').select('seq').where('batch_id', batchId).whereIn('reason', ['initial', 'returned_mail']).orderBy('seq').offset(index).limit(1).first(),
      );
      const signal = { actor: 'system:print-batch', sentAt: postedAt, reference: `print batch ${batchId}` };
      for (;;) {
        const page: { seq: number; donation_id: string; workflow_id: string }[] = await knex()('print_batch_items as i')
          .join('donations as d', 'd.id', 'i.donation_id')
          .select('i.seq', 'i.donation_id', 'd.workflow_id')
          .where('i.batch_id', batchId)
          .whereIn('i.reason', ['initial', 'returned_mail'])
          .where('i.seq', '>', progress.lastSeq)
          .orderBy('i.seq')
          .limit(NOTIFY_PAGE);
        for (let i = 0; i < page.length; i += SIGNAL_BATCH) {
          const batch = page.slice(i, i + SIGNAL_BATCH);
          // Envelopes of this batch that an attempt which failed part-way already told (or found without a workflow).
          const pending = batch.filter((item) => !progress.partial.includes(item.seq));
          const missing: typeof batch = [];
          const done: number[] = [];
          let failure: unknown;
          await Promise.all(
            pending.map(async (item) => {
              try {
                await deps.temporal.workflow.getHandle(item.workflow_id).signal(documentsSentSignal, signal);
                progress.notified += 1;
                done.push(item.seq);
              } catch (err) {
                if (!(err instanceof WorkflowNotFoundError)) failure ??= err;
                else missing.push(item);
              }
            }),
          );
          if (missing.length) {
            await recordDocumentsSignalMissing(knex(), batchId, postedAt, missing.map((m) => ({ seq: m.seq, donationId: m.donation_id, workflowId: m.workflow_id })));
            progress.missing += missing.length;
            for (const m of missing) if (progress.sample.length < MISSING_SAMPLE) progress.sample.push(m.workflow_id);
            done.push(...missing.map((m) => m.seq));
          }
          if (failure !== undefined) {
            // The retry resumes in this batch and skips the envelopes already told (at most SIGNAL_BATCH seqs).
            ctx.heartbeat({ ...progress, partial: [...progress.partial, ...done] } satisfies NotifyPostedProgress);
            throw failure;
          }
          progress.lastSeq = batch[batch.length - 1].seq;
          progress.partial = [];
          ctx.heartbeat({ ...progress } satisfies NotifyPostedProgress);
        }
        if (page.length < NOTIFY_PAGE) break;
      }
      return { notified: progress.notified, missing: progress.missing, missingSample: progress.sample };
    },
  };
}

export type DocumentActivities = ReturnType<typeof createDocumentActivities>;
