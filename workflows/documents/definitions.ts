import type { Duration } from '@temporalio/common';
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { YearEndClosure } from '../../domain/deadlines';

export interface PrintBatchInput {
  /** Given by on-demand callers so they know the batch before it exists; scheduled runs make their own. */
  batchId?: string;
  kind: 'scheduled' | 'on_demand';
  /** An on-demand batch for chosen donations only (an urgent resend, a test print); otherwise everything due. */
  donationIds?: string[];
  requestedBy: string;
  maxEnvelopes: number;
  /** Year-end (DOCS-1 Jan 5 rule): the city may ask for batches on closed days too. */
  runOnClosedDays: boolean;
  /** DOCS-1: the year-end closure (PRINT_YEAR_END_CLOSURE); absent = Dec 29 – Jan 3 (runs started before it existed). */
  closure?: YearEndClosure;
  /** The day (JST, YYYY-MM-DD) whose closed-day rule applies; absent = today when the run starts. Tests pin it. */
  on?: string;
  /** How long to wait for the printer's confirmation before reminding an operator, e.g. '2 days'. */
  confirmReminderAfter?: Duration;
}

export type PrintBatchStatus = 'collecting' | 'skipped_closed_day' | 'empty' | 'collected' | 'rendered' | 'handed_off' | 'posted' | 'notified';

export interface PrintBatchView {
  batchId: string;
  status: PrintBatchStatus;
  envelopes: number;
  documents: number;
  printerReference?: string;
  postedAt?: string;
  postedBy?: string;
  reminders: number;
  /** DOCS-1: a scheduled run on a closed day because documents due could not wait for the next print day. */
  closedDayRun?: boolean;
  notified?: number;
  /** Donations posted in this batch whose workflow was not running: each is a documents_signal_missing event in the ledger. */
  missingWorkflows?: number;
  /** At most MISSING_SAMPLE of their workflow ids; the ledger has them all. */
  missingSample?: string[];
}

/** How many of the donations without a workflow the batch's view names (the rest are in the ledger only). */
export const MISSING_SAMPLE = 10;

export interface BatchPosted {
  actor: string;
  postedAt: string;
}

/** The printing company (or an operator on its behalf) confirms the batch was printed and handed to the post. */
export const batchPostedSignal = defineSignal<[BatchPosted]>('batchPosted');
export const printBatchStatusQuery = defineQuery<PrintBatchView>('printBatchStatus');

export function printBatchWorkflowId(batchId: string): string {
  return `print-batch/${batchId}`;
}
