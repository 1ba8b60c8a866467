import { condition, log, patched, proxyActivities, setHandler, uuid4, workflowInfo } from '@temporalio/workflow';
import { jstDate } from '../../domain/jst';
import type { DocumentActivities } from '../../activities/documents/print-batch';
import type { CalendarActivities } from '../../activities/calendar/calendar';
import { MISSING_SAMPLE, batchPostedSignal, printBatchStatusQuery, type BatchPosted, type PrintBatchInput, type PrintBatchView } from './definitions';
import { step } from '../step-options';

const quick = proxyActivities<DocumentActivities & CalendarActivities>({ startToCloseTimeout: '2 minutes' });
const render = proxyActivities<DocumentActivities>(step('2 hours', { heartbeat: '3 minutes', backoff: ['10 seconds', '5 minutes'] }));
// Copying a December batch's PDF to the printer's drop can outlast the quick steps' two minutes; it heartbeats the bytes copied.
const handOff = proxyActivities<DocumentActivities>(step('30 minutes', { heartbeat: '2 minutes', backoff: ['10 seconds', '5 minutes'] }));
// A December batch tells thousands of donations: the notifier heartbeats after every batch of
// signals and a retry resumes from its last heartbeat, so a worker that dies mid-way is noticed
// within the heartbeat timeout and the next attempt does not start from the first envelope.
const notify = proxyActivities<DocumentActivities>(step('1 hour', { heartbeat: '1 minute', backoff: ['5 seconds', '5 minutes'] }));

/**
 * One print batch (DOCS-1…3, 6): collect what is due, render one merged PDF
 * with a manifest, hand it to the printing service, wait for its confirmation
 * that the envelopes are in the post, then mark each donation's documents sent.
 */
export async function printBatchWorkflow(input: PrintBatchInput): Promise<PrintBatchView> {
  const view: PrintBatchView = { batchId: input.batchId ?? uuid4(), status: 'collecting', envelopes: 0, documents: 0, reminders: 0 };
  let posted: BatchPosted | undefined;
  setHandler(printBatchStatusQuery, () => view);
  setHandler(batchPostedSignal, (p) => {
    if (!posted) posted = p;
  });

  // A pinned day is passed on; without one the activity is called as it always was (recorded histories).
  const closedDay = () => (input.closure ? quick.isClosedDayToday({ on: input.on, closure: input.closure }) : input.on ? quick.isClosedDayToday({ on: input.on }) : quick.isClosedDayToday());
  // The day the batch runs for, on the workflow's clock (a test pins it).
  const printDay = input.on ?? jstDate(new Date());
  if (input.kind === 'scheduled' && !input.runOnClosedDays && (await closedDay())) {
    // DOCS-1: a closed day is skipped unless a document due would find no print day before its deadline
    // (paid in the year-end closure, its Jan 5 on a weekend): then the run happens anyway.
    const forced = patched('docs-1-closed-day-deadlines') && (await quick.closedDayDeadlines({ on: printDay, donationIds: input.donationIds, closure: input.closure })).documents > 0;
    if (!forced) {
      view.status = 'skipped_closed_day';
      return view;
    }
    view.closedDayRun = true;
  }

  const counts = await quick.collectPrintBatch({
    batchId: view.batchId,
    kind: input.kind,
    requestedBy: input.requestedBy,
    workflowId: workflowInfo().workflowId,
    limit: input.maxEnvelopes,
    donationIds: input.donationIds,
    printDay,
    closure: input.closure,
  });
  view.envelopes = counts.envelopes;
  view.documents = counts.documents;
  if (counts.envelopes === 0) {
    view.status = 'empty';
    return view;
  }
  view.status = 'collected';

  await render.renderPrintBatch({ batchId: view.batchId });
  view.status = 'rendered';
  view.printerReference = (await handOff.handOffPrintBatch({ batchId: view.batchId })).reference;
  view.status = 'handed_off';

  // Posting can take the printer a day or two; an unconfirmed batch is a deadline risk, so say so.
  while (!(await condition(() => posted !== undefined, input.confirmReminderAfter ?? '2 days'))) {
    view.reminders += 1;
    log.warn('print batch not yet confirmed as posted', { batchId: view.batchId, reminders: view.reminders });
  }
  const confirmation = posted as BatchPosted;
  await quick.markPrintBatchPosted({ batchId: view.batchId, postedAt: confirmation.postedAt, actor: confirmation.actor });
  view.status = 'posted';
  view.postedAt = confirmation.postedAt;
  view.postedBy = confirmation.actor;

  const result = await notify.notifyPostedDonations({ batchId: view.batchId, postedAt: confirmation.postedAt });
  view.notified = result.notified;
  // Counts and a few ids: the donations without a workflow are documents_signal_missing events in the ledger.
  // Runs recorded before that returned the whole list; either shape becomes a count and a sample.
  const missing = result.missing as number | string[];
  view.missingWorkflows = Array.isArray(missing) ? missing.length : missing;
  view.missingSample = Array.isArray(missing) ? missing.slice(0, MISSING_SAMPLE) : (result.missingSample ?? []);
  view.status = 'notified';
  return view;
}
