import { allHandlersFinished, condition, patched, proxyActivities, setHandler, sleep, workflowInfo } from '@temporalio/workflow';
import type { RetryPolicy, UpdateDefinition } from '@temporalio/common';
import type { BillingActivities, InvoiceSummary } from '../../activities/billing/billing';
import { addDays, isIsoDate, jstDate, jstStartOfDay } from '../../domain/jst';
import { atJst, invoiceDueOn, isBillingMonth, monthEndsAt } from '../../domain/billing/month';
import type { Adjustment } from '../../domain/billing/invoice';
import {
  answerStatementUpdate,
  billingStatusQuery,
  decideInvoiceUpdate,
  extendPaymentDeadlineUpdate,
  overrideConfirmationsUpdate,
  recordCityPaymentUpdate,
  reportInspectedSignal,
  resolveDisputeUpdate,
  reviseInvoiceUpdate,
  type BillingRunInput,
  type BillingView,
  type CityDecision,
  type InvoiceRevisionRequest,
  type StatementState,
} from './definitions';

// Ledger and SMTP outages are retried with backoff; a refused ledger change (BillingError) is final.
const retry: RetryPolicy = { initialInterval: '2 seconds', maximumInterval: '5 minutes', nonRetryableErrorTypes: ['BillingError', 'MailTemplateError'] };
const act = proxyActivities<BillingActivities>({ startToCloseTimeout: '2 minutes', retry });
// Rendering the invoice starts Chromium the first time and prints every supplier's statement.
const printing = proxyActivities<BillingActivities>({ startToCloseTimeout: '10 minutes', retry });

const now = () => new Date().toISOString();
const nonEmpty = (s: unknown) => typeof s === 'string' && s.trim().length > 0;

/**
 * One month's billing (BILL-1…5), ID billing-YYYY-MM: after the month ends, freeze
 * each supplier's shipments into a statement and send it; collect confirmations and
 * disputes (investigated and corrected by operators, the corrected statement sent
 * again); remind operators before the invoice day and escalate when it passes; issue
 * the invoice once everyone confirmed (or an operator overrode); follow the city's
 * acceptance or rejection (a corrected revision) and its payment within 30 days.
 */
export async function monthlyBillingWorkflow(input: BillingRunInput): Promise<BillingView> {
  if (!isBillingMonth(input.month)) throw new Error(`month must be YYYY-MM, got ${input.month}`);
  const { workflowId: runId } = workflowInfo();
  const p = input.policy;
  const dueOn = invoiceDueOn(input.month, p.invoiceDay);
  const reminders = [...new Set(p.reminderDaysBefore)].sort((a, b) => b - a).map((d) => atJst(addDays(dueOn, -d), p.remindAt.hour, p.remindAt.minute).toISOString());
  // The invoice is late once the invoice day has ended in Japan.
  const escalationAt = jstStartOfDay(addDays(dueOn, 1)).toISOString();
  const view: BillingView = {
    runId,
    month: input.month,
    scope: input.scope ?? null,
    stage: 'month_open',
    statements: [],
    confirmed: 0,
    disputed: 0,
    awaiting: 0,
    deadlines: { monthEndsAt: monthEndsAt(input.month).toISOString(), invoiceDueOn: dueOn, reminders, escalationAt },
    alerts: [],
  };
  let seq = 0;
  const key = (what: string) => `${runId}:${what}:${++seq}`;
  // Statements with an update in flight: a second answer waits for the first to land (validators refuse it).
  const busy = new Set<string>();
  /** Runs an update's work with `what` marked busy until it lands, whether it succeeds or throws. */
  const whileBusy = async <T>(what: string, work: () => Promise<T>): Promise<T> => {
    busy.add(what);
    try {
      return await work();
    } finally {
      busy.delete(what);
    }
  };
  let override: { by: string; reason: string } | undefined;
  let decision: CityDecision | undefined;
  let revisionRequest: InvoiceRevisionRequest | undefined;
  let paid = false;
  // BILL-4: set when the city's notice moved the payment deadline; the payment timers are then laid again.
  let moved = false;

  const count = () => {
    view.confirmed = view.statements.filter((s) => s.status === 'confirmed').length;
    view.disputed = view.statements.filter((s) => s.status === 'disputed').length;
    view.awaiting = view.statements.filter((s) => s.status === 'sent').length;
  };
  const statementOf = (code: string) => view.statements.find((s) => s.supplierCode === code);
  const pending = () => view.statements.filter((s) => s.status !== 'confirmed').map((s) => `${s.supplierCode} (${s.status === 'disputed' ? '相違あり' : '未確認'}, 第${s.revision}版)`);
  const allConfirmed = () => view.statements.every((s) => s.status === 'confirmed');

  /**
   * Every update is somebody's act: its validator runs its own checks, then requires the actor recorded with the
   * change. A refused update never reaches history, so what is registered here changes no command.
   */
  const onUpdate = <R, A extends { actor: string }>(update: UpdateDefinition<R, [A]>, handler: (arg: NoInfer<A>) => Promise<R>, check: (arg: NoInfer<A>) => void) =>
    setHandler(update, handler, {
      validator: (arg: A) => {
        check(arg);
        if (!nonEmpty(arg.actor)) throw new Error('actor is required');
      },
    });
  /** The statement an answer or a resolution is about: statements are being confirmed and nothing else is changing this one. */
  const changeableStatement = (supplierCode: string | undefined, other: string): StatementState => {
    const s = statementOf(supplierCode as string);
    if (view.stage !== 'awaiting_confirmation') throw new Error(`statements are not being confirmed (stage ${view.stage})`);
    if (!s) throw new Error(`no statement for ${supplierCode} in ${runId}`);
    if (busy.has(s.supplierCode)) throw new Error(`another ${other} this statement is being recorded`);
    return s;
  };

  setHandler(billingStatusQuery, () => view);
  let inspected = false;
  setHandler(reportInspectedSignal, () => void (inspected = true));

  onUpdate(
    answerStatementUpdate,
    async (a) => {
      const s = statementOf(a.supplierCode) as StatementState;
      return whileBusy(a.supplierCode, async () => {
        const r = await act.recordStatementResponse({ runId, supplierCode: a.supplierCode, revision: a.revision, decision: a.decision, reason: a.reason, lines: a.lines, actor: a.actor, at: now(), key: key(`answer-${a.supplierCode}-r${a.revision}`) });
        s.status = r.status;
        s.revision = r.revision;
        count();
        return { ...s };
      });
    },
    (a) => {
      const s = changeableStatement(a?.supplierCode, 'answer for');
      if (s.status !== 'sent') throw new Error(`statement is ${s.status}; only a statement sent to the supplier can be answered`);
      if (a.revision !== s.revision) throw new Error(`the current statement is revision ${s.revision}, not ${a.revision}`);
      if (!['confirm', 'dispute'].includes(a.decision)) throw new Error('decision must be confirm or dispute');
      if (a.decision === 'dispute' && !nonEmpty(a.reason)) throw new Error('a dispute needs a reason');
    },
  );

  onUpdate(
    resolveDisputeUpdate,
    async (r) => {
      const s = statementOf(r.supplierCode) as StatementState;
      return whileBusy(r.supplierCode, async () => {
        const { revision } = await act.resolveStatementDispute({ runId, supplierCode: r.supplierCode, resolution: r.resolution, actor: r.actor, at: now(), key: key(`resolve-${r.supplierCode}-r${s.revision}`) });
        s.revision = revision;
        s.status = 'sent';
        count();
        // BILL-1: the corrected statement goes back to the supplier to confirm.
        await act.sendStatementMail({ runId, supplierCode: r.supplierCode, at: now(), resolution: r.resolution });
        return { ...s };
      });
    },
    (r) => {
      const s = changeableStatement(r?.supplierCode, 'change to');
      if (s.status !== 'disputed') throw new Error(`statement is ${s.status}; only a disputed statement is resolved`);
      if (!nonEmpty(r.resolution)) throw new Error('resolution is required');
    },
  );

  onUpdate(
    overrideConfirmationsUpdate,
    async (o) => {
      return whileBusy('*override', async () => {
        const at = now();
        await act.overrideBillingConfirmations({ runId, actor: o.actor, reason: o.reason, at, key: key('override') });
        view.override = { by: o.actor, reason: o.reason, at };
        override = { by: o.actor, reason: o.reason };
        return view;
      });
    },
    (o) => {
      if (view.stage !== 'awaiting_confirmation') throw new Error(`nothing to override (stage ${view.stage})`);
      if (override || busy.has('*override')) throw new Error('an override is already recorded');
      if (!nonEmpty(o?.reason)) throw new Error('an override needs a reason');
    },
  );

  onUpdate(
    decideInvoiceUpdate,
    async (d) => {
      decision = d;
      await condition(() => decision === undefined);
      return view.invoice as InvoiceSummary;
    },
    (d) => {
      if (view.stage !== 'invoice_issued' || decision) throw new Error(`no invoice is waiting for the city's decision (stage ${view.stage})`);
      if (d?.revision !== view.invoice?.revision) throw new Error(`the current invoice is revision ${view.invoice?.revision}, not ${d?.revision}`);
      if (!['accept', 'reject'].includes(d.decision)) throw new Error('decision must be accept or reject');
      if (d.decision === 'reject' && !nonEmpty(d.reason)) throw new Error('a rejection needs a reason');
    },
  );

  onUpdate(
    reviseInvoiceUpdate,
    async (r) => {
      revisionRequest = r;
      await condition(() => revisionRequest === undefined && view.stage !== 'invoicing');
      return view.invoice as InvoiceSummary;
    },
    (r) => {
      if (view.stage !== 'invoice_rejected' || revisionRequest) throw new Error(`only a rejected invoice is revised (stage ${view.stage})`);
      if (!nonEmpty(r?.reason)) throw new Error('reason is required');
      if (!Array.isArray(r.adjustments)) throw new Error('adjustments must be a list');
      r.adjustments.forEach((a: Adjustment, i: number) => {
        if (!nonEmpty(a?.label) || !nonEmpty(a?.reason) || !Number.isInteger(a?.amountYen)) throw new Error(`adjustments[${i}] needs label, reason and a whole amountYen`);
      });
    },
  );

  onUpdate(
    recordCityPaymentUpdate,
    async (pay) => {
      return whileBusy('*payment', async () => {
        const inv = view.invoice as InvoiceSummary;
        const r = await act.recordBillingCityPayment({ runId, revision: inv.revision, amountYen: pay.amountYen, paidOn: pay.paidOn, reference: pay.reference, actor: pay.actor, at: now(), key: key('city-payment') });
        view.payment = { paidYen: r.paidYen, totalYen: r.totalYen };
        paid = r.paid;
        return r;
      });
    },
    (pay) => {
      if (view.stage !== 'awaiting_payment') throw new Error(`payments are recorded once the city accepted the invoice (stage ${view.stage})`);
      if (busy.has('*payment')) throw new Error('another payment is being recorded');
      if (!Number.isInteger(pay?.amountYen) || pay.amountYen <= 0) throw new Error('amountYen must be a positive whole number');
      if (!isIsoDate(pay.paidOn ?? '')) throw new Error('paidOn must be a date (YYYY-MM-DD)');
      if (!nonEmpty(pay.reference)) throw new Error('reference is required');
    },
  );

  onUpdate(
    extendPaymentDeadlineUpdate,
    async (n) => {
      return whileBusy('*extension', async () => {
        const inv = view.invoice as InvoiceSummary;
        const from = view.deadlines.paymentDueOn as string;
        const at = now();
        view.invoice = await act.extendBillingPaymentDeadline({ runId, revision: inv.revision, newDueOn: n.newDueOn, reason: n.reason, actor: n.actor, at, key: key('extend-payment') });
        view.deadlines.paymentDueOn = n.newDueOn;
        (view.extensions ??= []).push({ from, to: n.newDueOn, reason: n.reason, by: n.actor, at });
        moved = true;
        return view.invoice;
      });
    },
    (n) => {
      if (view.stage !== 'awaiting_payment' || paid) throw new Error(`only the accepted, unpaid invoice has a payment deadline to extend (stage ${view.stage})`);
      if (busy.has('*extension')) throw new Error('another extension is being recorded');
      const due = view.deadlines.paymentDueOn as string;
      // 7(7)ウ: the city extends by notice beforehand, so not once the due day has ended in Japan.
      if (view.overdueAt || Date.now() >= Date.parse(view.deadlines.overdueAt as string)) throw new Error(`the payment deadline ${due} has passed; it is extended by notice before it`);
      if (!isIsoDate(n?.newDueOn ?? '')) throw new Error('newDueOn must be a date (YYYY-MM-DD)');
      if (!(n.newDueOn > due)) throw new Error(`newDueOn must be after the current payment due date ${due}`);
      if (!nonEmpty(n.reason)) throw new Error('reason is required');
    },
  );

  const alert = async (kind: 'confirmation_reminder' | 'invoice_escalation' | 'payment_reminder' | 'payment_overdue', reason: string, extra: { pending?: string[]; revision?: number } = {}) => {
    const at = now();
    await act.raiseBillingAlert({ runId, kind, reason, at, key: `${runId}:${kind}:${at}`, ...extra });
    view.alerts.push({ kind, at });
    return at;
  };

  /** Waits for `done` or the next of the timers, running each timer's action once when its time comes. */
  const waitWithTimers = async (done: () => boolean, timers: { at: string; fire: () => Promise<void> }[]) => {
    const left = [...timers].sort((a, b) => a.at.localeCompare(b.at));
    while (!done()) {
      const next = left[0];
      if (!next) {
        await condition(done);
        return;
      }
      const wait = Date.parse(next.at) - Date.now();
      if (wait > 0 && (await condition(done, wait))) return;
      left.shift();
      await next.fire();
    }
  };

  await act.startBillingRun({ runId, month: input.month, scope: input.scope ?? null, requestedBy: input.requestedBy, at: now() });

  // A run started early (on demand, or a test) waits for the month to end: its shipments are not all known before.
  const untilMonthEnd = monthEndsAt(input.month).getTime() - Date.now();
  if (untilMonthEnd > 0) await sleep(untilMonthEnd);

  view.stage = 'gathering';
  const heads = await act.gatherBillingStatements({ runId, at: now() });
  view.statements = heads.map((h) => ({ supplierCode: h.supplierCode, revision: h.revision, status: h.status }));
  count();
  for (const h of heads) {
    if (h.status === 'sent') await act.sendStatementMail({ runId, supplierCode: h.supplierCode, at: now() });
  }

  view.stage = 'awaiting_confirmation';
  const startedAt = Date.now();
  await waitWithTimers(
    () => (allConfirmed() || override !== undefined) && busy.size === 0,
    [
      // Reminders already past when the run starts late are skipped; the escalation is not: the invoice is late.
      ...reminders.filter((at) => Date.parse(at) > startedAt).map((at) => ({
        at,
        fire: async () => {
          if (!allConfirmed() && !override) await alert('confirmation_reminder', `未確認の出荷明細 ${pending().length}件 (請求期限 ${dueOn})`, { pending: pending() });
        },
      })),
      {
        at: escalationAt,
        fire: async () => {
          if (allConfirmed() || override) return;
          view.escalatedAt = await alert('invoice_escalation', `請求書が期限 ${dueOn} までに発行されていない (BILL-3)`, { pending: pending() });
        },
      },
    ],
  );

  const issue = async (revision: number, adjustments: Adjustment[], actor: string, reason?: string) => {
    view.stage = 'invoicing';
    view.invoice = await printing.buildBillingInvoice({ runId, revision, adjustments, actor, at: now(), reason });
    view.stage = 'invoice_issued';
  };
  // REPORT-1 / 13 (検査を受けたものについて支払う): the month's fees are invoiced once its report passed inspection.
  if (p.requireReportInspection && patched('report-1-inspection-before-invoice')) {
    for (;;) {
      const report = await act.billingReportInspection({ month: input.month });
      if (report.status === 'passed') break;
      view.stage = 'awaiting_report_inspection';
      const words: Record<string, string> = { not_built: '未作成', awaiting_inspection: `第${report.revision}版 検査待ち`, returned: `第${report.revision}版 差戻し、再作成待ち` };
      view.waitingFor = `${input.month} 月次業務報告書の検査合格待ち (REPORT-1、仕様書13: ${words[report.status] ?? report.status})`;
      // The inspection signals the run; a poll every 6 hours covers a signal that never came.
      await condition(() => inspected, '6 hours');
      inspected = false;
    }
    view.waitingFor = undefined;
  }
  await issue(1, [], 'system:billing');

  for (;;) {
    await condition(() => decision !== undefined);
    const d = decision as CityDecision;
    if (d.decision === 'accept') {
      const at = now();
      const paymentDueOn = addDays(jstDate(new Date(at)), p.paymentDays);
      view.invoice = await act.decideBillingInvoice({ runId, revision: d.revision, decision: 'accept', actor: d.actor, at, paymentDueOn, key: key('accept') });
      view.deadlines.paymentDueOn = paymentDueOn;
      decision = undefined;
      break;
    }
    view.invoice = await act.decideBillingInvoice({ runId, revision: d.revision, decision: 'reject', reason: d.reason, actor: d.actor, at: now(), key: key('reject') });
    view.stage = 'invoice_rejected';
    decision = undefined;
    // Operators correct statement lines in the ledger meanwhile; the revision request carries adjustments and why.
    await condition(() => revisionRequest !== undefined);
    const r = revisionRequest as InvoiceRevisionRequest;
    await issue(d.revision + 1, r.adjustments, r.actor, r.reason);
    revisionRequest = undefined;
  }

  view.stage = 'awaiting_payment';
  view.payment = { paidYen: 0, totalYen: (view.invoice as InvoiceSummary).totalYen };
  const revision = (view.invoice as InvoiceSummary).revision;
  /** The reminder and the overdue flag of a due date (BILL-4); `extended` words them for a date the city moved. */
  const paymentTimers = (paymentDueOn: string, extended: boolean) => {
    const overdueAt = jstStartOfDay(addDays(paymentDueOn, 1)).toISOString();
    view.deadlines.overdueAt = overdueAt;
    const timers = [
      {
        at: overdueAt,
        fire: async () => {
          // An extension recorded across midnight wins over the old deadline's flag.
          if (busy.has('*extension')) await condition(() => !busy.has('*extension'));
          if (moved) return;
          view.overdueAt = await alert('payment_overdue', extended ? `延長後の支払期限 ${paymentDueOn} を過ぎて未入金 (BILL-4)` : `受理から${p.paymentDays}日の支払期限 ${paymentDueOn} を過ぎて未入金 (BILL-4)`, { revision });
        },
      },
    ];
    if (p.paymentReminderDaysBefore > 0) {
      const reminderAt = atJst(addDays(paymentDueOn, -p.paymentReminderDaysBefore), p.remindAt.hour, p.remindAt.minute).toISOString();
      view.deadlines.paymentReminderAt = reminderAt;
      timers.push({ at: reminderAt, fire: async () => void (await alert('payment_reminder', `${extended ? '延長後の' : ''}支払期限 ${paymentDueOn} まで${p.paymentReminderDaysBefore}日`, { revision })) });
    }
    return timers;
  };
  let timers = paymentTimers(view.deadlines.paymentDueOn as string, false);
  for (;;) {
    await waitWithTimers(() => (paid && busy.size === 0) || moved, timers);
    if (!moved) break;
    moved = false;
    // The new date's reminder is skipped when its time has already passed: the city has just set that date itself.
    timers = paymentTimers(view.deadlines.paymentDueOn as string, true).filter((t) => t.at === view.deadlines.overdueAt || Date.parse(t.at) > Date.now());
  }

  view.stage = 'paid';
  await condition(allHandlersFinished);
  return view;
}
