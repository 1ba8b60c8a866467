import { ApplicationFailure } from '@temporalio/common';
import type { AppConfig, MailConfig } from '../../config/env';
import type { Orm } from '../../ledger/orm';
import { jstDate } from '../../domain/jst';
import { composeInvoice, type Adjustment } from '../../domain/billing/invoice';
import { invoiceCsv } from '../../domain/billing/csv';
import { invoiceDueOn, lastDay } from '../../domain/billing/month';
import {
  BillingError,
  ensureBillingRun,
  findStatement,
  gatherStatements,
  loadBillingRun,
  markStatementSent,
  overrideConfirmations,
  recordBillingAlert,
  recordStatementResponse,
  resolveDispute,
  statementLines,
  type NewBillingRun,
  type StatementResponse,
} from '../../ledger/billing';
import { invoiceInputs } from '../../ledger/billing-fees';
import { reportInspection } from '../../ledger/report-inspections';
import { supplierEmail } from '../../ledger/suppliers';
import { decideInvoice, extendPaymentDeadline, findInvoice, markInvoiceOverdue, recordCityPayment, storeInvoice, type CityPayment, type InvoiceDecision, type InvoiceRow, type PaymentDeadlineExtension } from '../../ledger/billing-invoices';
import type { DocumentRenderer } from '../documents/renderer';
import type { Mailer } from '../mail/mailer';
import { createMailActivities } from '../mail/send-mail';
import { monthLabel, renderInvoicePdf } from './invoice';

export interface BillingDeps {
  orm: Orm;
  mailer: Mailer;
  mailConfig: MailConfig;
  billing: AppConfig['billing'];
  renderer: () => Promise<DocumentRenderer>;
  workDir: string;
}

// A ledger rule refused the change (wrong state, unknown statement): retrying cannot help.
async function ledger<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof BillingError) throw ApplicationFailure.create({ type: 'BillingError', message: err.message, nonRetryable: true, details: [err.status] });
    throw err;
  }
}

const yen = (n: number) => `${n.toLocaleString('ja-JP')}円`;

export interface InvoiceSummary {
  number: string;
  revision: number;
  status: InvoiceRow['status'];
  totalYen: number;
  taxYen: number;
  capFlags: number;
  issuedAt: string;
  paymentDueOn: string | null;
}

const summary = (i: InvoiceRow): InvoiceSummary => ({
  number: i.number,
  revision: i.revision,
  status: i.status,
  totalYen: i.totalYen,
  taxYen: i.content.totals.taxYen,
  capFlags: i.content.capFlags.length,
  issuedAt: i.issuedAt,
  paymentDueOn: i.paymentDueOn,
});

const csvCell = (v: unknown) => {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

export function createBillingActivities(deps: BillingDeps) {
  const knex = () => deps.orm.em.getKnex();
  // The shared mail protocol (mail_log, one mail per key, the same Message-ID on a resend), called in-process.
  const { sendMail: sendBillingMail } = createMailActivities({ orm: deps.orm, mailer: deps.mailer, config: { mail: deps.mailConfig } });

  return {
    async startBillingRun(input: NewBillingRun): Promise<void> {
      await ledger(() => ensureBillingRun(knex(), input));
    },

    /** BILL-1: the month's statements, frozen; returns only their heads (no personal data crosses Temporal). */
    async gatherBillingStatements(input: { runId: string; at: string }) {
      return ledger(() => gatherStatements(knex(), input.runId, input.at));
    },

    /** The statement (this revision) to its supplier, with its lines as CSV (no donor data: dates, gifts, costs). */
    async sendStatementMail(input: { runId: string; supplierCode: string; at: string; resolution?: string }): Promise<{ status: string }> {
      const run = await ledger(() => loadBillingRun(knex(), input.runId));
      const head = await findStatement(knex(), input.runId, input.supplierCode);
      if (!head) throw ApplicationFailure.create({ type: 'BillingError', message: `statement of ${input.supplierCode} not found`, nonRetryable: true });
      const lines = (await statementLines(knex(), head.statementId)).filter((l) => !l.voided);
      const email = await supplierEmail(knex(), input.supplierCode);
      const header = ['明細ID', '出荷ID', '出荷日', '配達日', '返礼品コード', '返礼品名', '定期便回', '再送回', '数量', '配送業者', '調達費(円)', '送料(円)'];
      const body = lines.map((l) => [l.lineId, l.shipmentId ?? '', l.shippedOn, l.deliveredOn ?? '', l.giftCode, l.giftName, `${l.deliveryNo}/${l.deliveries}`, l.attempt - 1, l.quantity, l.carrier ?? '', l.procurementCostYen, l.shippingCostYen].map(csvCell).join(','));
      const csv = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from([header.join(','), ...body].join('\r\n') + '\r\n', 'utf8')]);
      const attachmentName = `statement-${run.month}-${input.supplierCode}-r${head.revision}.csv`;
      const result = await sendBillingMail({
        key: `billing-statement:${input.runId}:${input.supplierCode}:r${head.revision}`,
        to: email,
        template: 'billing-statement',
        data: {
          supplierName: head.supplierName,
          monthLabel: monthLabel(run.month),
          revision: head.revision,
          corrected: head.revision > 1,
          resolution: input.resolution,
          lines: head.lines,
          procurement: yen(head.procurementCostYen),
          shipping: yen(head.shippingCostYen),
          attachmentName,
          invoiceDay: deps.billing.invoiceDay,
          confirmBy: invoiceDueOn(run.month, Math.max(1, deps.billing.invoiceDay - 3)),
        },
        attachments: [{ filename: attachmentName, content: csv.toString('base64'), encoding: 'base64', contentType: 'text/csv; charset=utf-8' }],
      });
      await markStatementSent(knex(), head.statementId, input.at);
      return { status: result.status };
    },

    async recordStatementResponse(input: StatementResponse) {
      return ledger(() => recordStatementResponse(knex(), input));
    },

    async resolveStatementDispute(input: { runId: string; supplierCode: string; resolution: string; actor: string; at: string; key: string }) {
      return ledger(() => resolveDispute(knex(), input));
    },

    async overrideBillingConfirmations(input: { runId: string; actor: string; reason: string; at: string; key: string }): Promise<void> {
      await ledger(() => overrideConfirmations(knex(), input));
    },

    /**
     * BILL-3/BILL-4 alerts, recorded once per key and mailed: confirmation reminders and the
     * missed-invoice escalation to operators, the payment reminder to the city, overdue to operators.
     */
    async raiseBillingAlert(input: {
      runId: string;
      kind: 'confirmation_reminder' | 'invoice_escalation' | 'payment_reminder' | 'payment_overdue';
      reason: string;
      at: string;
      key: string;
      pending?: string[];
      revision?: number;
    }): Promise<{ recorded: boolean; mail: string }> {
      const run = await ledger(() => loadBillingRun(knex(), input.runId));
      const recorded = await recordBillingAlert(knex(), { runId: input.runId, kind: input.kind, reason: input.reason, at: input.at, key: input.key, after: { pending: input.pending ?? [], revision: input.revision ?? null } });
      const common = { runId: input.runId, monthLabel: monthLabel(run.month), invoiceDue: invoiceDueOn(run.month, deps.billing.invoiceDay), pending: input.pending ?? [], paymentDays: deps.billing.paymentDays };
      if (input.kind === 'confirmation_reminder' || input.kind === 'invoice_escalation') {
        const r = await sendBillingMail({ key: `billing-alert:${input.key}`, to: deps.billing.operatorEmail, template: input.kind === 'confirmation_reminder' ? 'billing-reminder' : 'billing-escalation', data: common });
        return { recorded, mail: r.status };
      }
      const invoice = await findInvoice(knex(), input.runId, input.revision);
      if (!invoice) throw ApplicationFailure.create({ type: 'BillingError', message: `no invoice for ${input.runId}`, nonRetryable: true });
      if (input.kind === 'payment_overdue') await markInvoiceOverdue(knex(), { runId: input.runId, revision: invoice.revision, at: input.at });
      const data = { ...common, number: invoice.number, total: yen(invoice.totalYen), paid: yen(invoice.paidYen), dueOn: invoice.paymentDueOn };
      const r = await sendBillingMail({
        key: `billing-alert:${input.key}`,
        to: input.kind === 'payment_reminder' ? deps.billing.cityEmail : deps.billing.operatorEmail,
        template: input.kind === 'payment_reminder' ? 'billing-payment-reminder' : 'billing-payment-overdue',
        data,
      });
      return { recorded, mail: r.status };
    },

    /** BILL-3/BILL-5: computes, prints (PDF), writes (CSV) and stores one revision of the invoice, and tells the city. */
    async buildBillingInvoice(input: { runId: string; revision: number; adjustments: Adjustment[]; actor: string; at: string; reason?: string }): Promise<InvoiceSummary> {
      const existing = await findInvoice(knex(), input.runId, input.revision);
      if (existing) return summary(existing);
      const run = await ledger(() => loadBillingRun(knex(), input.runId));
      const number = `INV-${run.month.replace('-', '')}${run.scopeLabel ? `-${run.scopeLabel}` : ''}-R${input.revision}`;
      const inputs = await ledger(() =>
        invoiceInputs(knex(), {
          runId: input.runId,
          revision: input.revision,
          number,
          // Issued on the workflow's day; never dated before the month is over.
          issuedOn: [jstDate(new Date(input.at)), lastDay(run.month)].sort()[1],
          rates: { baseFeeRateBp: deps.billing.baseFeeRateBp, receiptPostageYen: deps.billing.receiptPostageYen, onestopUnitYen: deps.billing.onestopUnitYen, taxPercent: deps.billing.consumptionTaxPercent },
          adjustments: input.adjustments,
        }),
      );
      // A revision after a rejection shows what it corrects: the earlier revision as issued (never rewritten), the reason, the difference.
      const previous = input.revision > 1 ? await findInvoice(knex(), input.runId, input.revision - 1) : undefined;
      if (previous) inputs.corrects = { content: previous.content, reason: input.reason ?? '', rejectionReason: previous.rejectionReason };
      const content = composeInvoice(inputs);
      const pdf = await renderInvoicePdf(await deps.renderer(), content, { paymentDays: deps.billing.paymentDays, workDir: deps.workDir });
      const stored = await storeInvoice(knex(), { runId: input.runId, revision: input.revision, content, pdf, csv: invoiceCsv(content), actor: input.actor, at: input.at, reason: input.reason });
      await sendBillingMail({
        key: `billing-invoice:${input.runId}:r${input.revision}`,
        to: deps.billing.cityEmail,
        template: 'billing-invoice',
        data: { runId: input.runId, monthLabel: monthLabel(run.month), number, revision: input.revision, revised: input.revision > 1, total: yen(content.totals.totalYen), tax: yen(content.totals.taxYen), capFlags: content.capFlags.length, paymentDays: deps.billing.paymentDays },
      });
      return summary(stored);
    },

    async decideBillingInvoice(input: InvoiceDecision): Promise<InvoiceSummary> {
      return summary(await ledger(() => decideInvoice(knex(), input)));
    },

    /** REPORT-1 / 13: where the month's report stands in the city's inspection. */
    async billingReportInspection(input: { month: string }): Promise<{ status: string; revision: number | null }> {
      const s = await reportInspection(knex(), input.month);
      return { status: s.status, revision: s.revision };
    },

    /** BILL-4: the city's notice moving the payment deadline of the accepted invoice. */
    async extendBillingPaymentDeadline(input: PaymentDeadlineExtension): Promise<InvoiceSummary> {
      return summary(await ledger(() => extendPaymentDeadline(knex(), input)));
    },

    async recordBillingCityPayment(input: CityPayment) {
      return ledger(() => recordCityPayment(knex(), input));
    },
  };
}

export type BillingActivities = ReturnType<typeof createBillingActivities>;
