import fs from 'node:fs';
import path from 'node:path';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { noticeAddressee } from '../../domain/onestop/notices';
import { jstDate } from '../../domain/jst';
import { mustPrintBy, type YearEndClosure } from '../../domain/deadlines';
import type { Orm } from '../../ledger/orm';
import { clearHandoff } from '../../ledger/subcontractors';
import {
  collectPrintBatch,
  documentsDueBy,
  findPrintBatch,
  markPrintBatchHandedOff,
  markPrintBatchPosted,
  markPrintBatchRendered,
  printBatchPackets,
  receiptEnvelopeAt,
  receiptEnvelopesAfter,
  recordDocumentsSignalMissing,
  type BatchCounts,
  type CollectInput,
} from '../../ledger/print-batches';
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

export type { BatchCounts, CollectInput } from '../../ledger/print-batches';

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

  return {
    /**
     * DOCS-1 on a closed day: how many documents due (of these donations, when given) cannot wait for the
     * next print day. More than none and the scheduled run happens anyway.
     */
    async closedDayDeadlines(input: { on: string; donationIds?: string[]; closure?: YearEndClosure }): Promise<{ mustPrintBy: string; documents: number }> {
      const cutoff = mustPrintBy(input.on, input.closure);
      return { mustPrintBy: cutoff, documents: await documentsDueBy(knex(), cutoff, input.donationIds) };
    },

    /** Idempotent on batchId: a retried attempt finds the batch it already collected. */
    async collectPrintBatch(input: CollectInput): Promise<BatchCounts> {
      return collectPrintBatch(knex(), input);
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
      const batch = await findPrintBatch(knex(), batchId);
      if (!batch) throw new Error(`print batch ${batchId} does not exist`);
      if (batch.status !== 'collected' && batch.pdf_path && fs.existsSync(batch.pdf_path)) {
        return { pdfPath: batch.pdf_path, manifestPath: batch.manifest_path!, pages: batch.page_count };
      }
      const items = await printBatchPackets(knex(), batchId);
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
      await markPrintBatchRendered(knex(), batchId, { pdfPath, manifestPath });
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
      // Called after renderPrintBatch: the batch is there, with its files (and a reference once handed off).
      const batch = (await findPrintBatch(knex(), batchId))!;
      if (batch.status === 'handed_off' || batch.status === 'posted') return { reference: batch.printer_reference! };
      // CONTRACT-3: the envelopes carry donors' names and addresses; only an approved print house receives them.
      // Refused, the step is retried (backoff up to minutes) and the batch waits until the city's approval is recorded.
      const clearance = await clearHandoff(knex(), deps.printer.recipient, 'donor_personal', `print-batch/${batchId}`);
      if (!clearance.cleared) throw ApplicationFailure.retryable(clearance.reason, 'SubcontractorNotApproved');
      const ctx = Context.current();
      const { reference } = await deps.printer.handOff({ batchId, pdfPath: batch.pdf_path!, manifestPath: batch.manifest_path! }, (bytes) => ctx.heartbeat({ bytes }));
      await markPrintBatchHandedOff(knex(), batchId, reference);
      return { reference };
    },

    /** The printer confirmed printing and posting: stamp receipts, payment forms and the event log. */
    async markPrintBatchPosted({ batchId, postedAt, actor }: { batchId: string; postedAt: string; actor: string }): Promise<void> {
      await markPrintBatchPosted(knex(), batchId, postedAt, actor);
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
        receiptEnvelopeAt(knex(), batchId, index),
      );
      const signal = { actor: 'system:print-batch', sentAt: postedAt, reference: `print batch ${batchId}` };
      for (;;) {
        const page = await receiptEnvelopesAfter(knex(), batchId, progress.lastSeq, NOTIFY_PAGE);
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
