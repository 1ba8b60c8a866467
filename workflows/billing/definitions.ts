import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { Adjustment } from '../../domain/billing/invoice';
import type { StatementResponse } from '../../ledger/billing';
import type { InvoiceSummary } from '../../activities/billing/billing';

/** Messages of MonthlyBillingWorkflow, shared by the workflow, the API and tests. */

export interface BillingPolicy {
  /** BILL-3: the invoice is due by this day of the following month. */
  invoiceDay: number;
  /** Operators are reminded of unconfirmed statements this many days before invoiceDay. */
  reminderDaysBefore: number[];
  /** BILL-4: the city pays within this many days of accepting. */
  paymentDays: number;
  /** Days before the payment due date for the city's reminder (0 = none). */
  paymentReminderDaysBefore: number;
  /** Reminders go out at this time of day, Japan time. */
  remindAt: { hour: number; minute: number };
  /** REPORT-1 / 13: the invoice waits for the month's report to pass the city's inspection (absent in runs started before this existed: no wait). */
  requireReportInspection?: boolean;
}

export interface BillingScope {
  /** Names the run: billing-2026-11/<label>. */
  label: string;
  suppliers: string[];
}

export interface BillingRunInput {
  /** YYYY-MM. */
  month: string;
  requestedBy: string;
  /** A run for some suppliers only (and their donations); absent = the whole month. */
  scope?: BillingScope;
  policy: BillingPolicy;
}

export type BillingStage = 'month_open' | 'gathering' | 'awaiting_confirmation' | 'awaiting_report_inspection' | 'invoicing' | 'invoice_issued' | 'invoice_rejected' | 'awaiting_payment' | 'paid';

export interface StatementState {
  supplierCode: string;
  revision: number;
  status: 'sent' | 'confirmed' | 'disputed';
}

export interface BillingView {
  runId: string;
  month: string;
  scope: BillingScope | null;
  stage: BillingStage;
  statements: StatementState[];
  confirmed: number;
  disputed: number;
  awaiting: number;
  deadlines: { monthEndsAt: string; invoiceDueOn: string; reminders: string[]; escalationAt: string; paymentDueOn?: string; paymentReminderAt?: string; overdueAt?: string };
  /** What the run is waiting for, in words, while it cannot go on by itself (REPORT-1: the report's inspection). */
  waitingFor?: string;
  /** BILL-4: the city's deadline extensions, oldest first. */
  extensions?: { from: string; to: string; reason: string; by: string; at: string }[];
  invoice?: InvoiceSummary;
  override?: { by: string; reason: string; at: string };
  escalatedAt?: string;
  overdueAt?: string;
  payment?: { paidYen: number; totalYen: number };
  alerts: { kind: string; at: string }[];
}

/** A supplier's answer as the API hands it to the workflow; the workflow adds the run, the time and the key. */
export type StatementAnswer = Omit<StatementResponse, 'runId' | 'at' | 'key'>;

export interface DisputeResolution {
  supplierCode: string;
  resolution: string;
  actor: string;
}

export interface ConfirmationOverride {
  actor: string;
  reason: string;
}

export interface CityDecision {
  revision: number;
  decision: 'accept' | 'reject';
  reason?: string;
  actor: string;
}

export interface InvoiceRevisionRequest {
  actor: string;
  reason: string;
  adjustments: Adjustment[];
}

/** BILL-4: the city's notice, before the deadline, that it pays later. */
export interface PaymentDeadlineNotice {
  /** The new payment due date (YYYY-MM-DD), after the current one. */
  newDueOn: string;
  reason: string;
  actor: string;
}

export interface CityPaymentInput {
  amountYen: number;
  paidOn: string;
  reference: string;
  actor: string;
}

export const answerStatementUpdate = defineUpdate<StatementState, [StatementAnswer]>('answerStatement');
export const resolveDisputeUpdate = defineUpdate<StatementState, [DisputeResolution]>('resolveDispute');
export const overrideConfirmationsUpdate = defineUpdate<BillingView, [ConfirmationOverride]>('overrideConfirmations');
export const decideInvoiceUpdate = defineUpdate<InvoiceSummary, [CityDecision]>('decideInvoice');
export const reviseInvoiceUpdate = defineUpdate<InvoiceSummary, [InvoiceRevisionRequest]>('reviseInvoice');
export const extendPaymentDeadlineUpdate = defineUpdate<InvoiceSummary, [PaymentDeadlineNotice]>('extendPaymentDeadline');
export const recordCityPaymentUpdate = defineUpdate<{ paidYen: number; totalYen: number; paid: boolean }, [CityPaymentInput]>('recordCityPayment');
export const billingStatusQuery = defineQuery<BillingView>('status');
/** The run's updates by what each does: what the API sends on behalf of suppliers, operators and the city. */
export const billingRunUpdates = {
  answerStatement: answerStatementUpdate,
  resolveDispute: resolveDisputeUpdate,
  overrideConfirmations: overrideConfirmationsUpdate,
  decideInvoice: decideInvoiceUpdate,
  reviseInvoice: reviseInvoiceUpdate,
  extendPaymentDeadline: extendPaymentDeadlineUpdate,
  recordCityPayment: recordCityPaymentUpdate,
} as const;
/** REPORT-1: the month's report was inspected; the run looks again instead of at its next poll. */
export const reportInspectedSignal = defineSignal('reportInspected');

export interface ScheduledBillingInput {
  requestedBy: string;
  policy: BillingPolicy;
  /** Absent = the month before `at` (Japan). */
  month?: string;
  /** The instant whose previous month is billed; absent = when this run started (the schedule's firing). Tests pin it. */
  at?: string;
  scope?: BillingScope;
}
