import type { WorkflowHandle } from '@temporalio/client';
import { recordDisputeFindings } from '../../ledger/billing';
import { billingRunsOfMonth, inspectReport, reportInspection } from '../../ledger/report-inspections';
import { isClosedDay } from '../../domain/intake/business-days';
import { monthBefore } from '../../domain/billing/month';
import { monthlyReportWorkflowId } from '../../domain/reports/month';
import { answerStatementUpdate, decideInvoiceUpdate, reportInspectedSignal, resolveDisputeUpdate } from '../../workflows/billing/definitions';
import { billingRunOf } from './ledger-reads';
import { serverNow } from './clock';
import type { SeasonContext } from './context';
import type { Firing } from './schedules';

/** The month-end and year-end work around the schedules: suppliers confirming statements, the city inspecting the report and deciding the invoice. */
export interface MonthClose {
  month: string;
  /** Season time when the rehearsal first saw the report built / the invoice issued (it looks after each of its own steps). */
  reportBuiltAt?: string;
  reportLate?: boolean;
  invoiceIssuedAt?: string;
  invoiceAcceptedAt?: string;
  invoiceNumber?: string;
  statementsConfirmed: number;
  /** BILL-1: statements a supplier disputed, and the disputes the operators resolved (a corrected revision mailed again). */
  statementsDisputed: number;
  disputesResolved: number;
}

/** The supplier who disputes each month's first statement (a shipment it says is missing); the operators find it counted and resolve. */
export const DISPUTING_SUPPLIER = 'season-s2';

export interface NotificationRun {
  donationYear: number;
  ranAt: string;
  applications: number;
  files: number;
  problems: number;
}

export interface CityActs {
  readonly months: MonthClose[];
  notifications: NotificationRun[];
  fired(f: Firing, handle: WorkflowHandle): Promise<void>;
  /** Business days, twice (10:30 and 14:00): suppliers answer statements, the city inspects and decides. */
  act(day: string, slot: 'morning' | 'afternoon'): Promise<void>;
  endOfDay(day: string): Promise<void>;
}

export function cityActs(ctx: SeasonContext, concurrency: number): CityActs {
  const knex = ctx.orm.em.getKnex();
  const months = new Map<string, MonthClose>();
  const notifications: NotificationRun[] = [];
  const monthOf = (m: string) => {
    if (!months.has(m)) months.set(m, { month: m, statementsConfirmed: 0, statementsDisputed: 0, disputesResolved: 0 });
    return months.get(m)!;
  };
  const now = async () => (await serverNow(ctx.connection)).toISOString();
  // The ledger, not a query: see run.ts on queries and the test server's time lock.
  const billingView = (m: string) => billingRunOf(knex, `billing-${m}`);

  const observe = async (m: MonthClose) => {
    if (!m.reportBuiltAt && (await reportInspection(knex, m.month)).revision !== null) m.reportBuiltAt = await now();
    const view = await billingView(m.month);
    if (view?.invoice && !m.invoiceIssuedAt) {
      m.invoiceIssuedAt = await now();
      m.invoiceNumber = view.invoice.number;
    }
    return view;
  };

  return {
    get months() {
      return [...months.values()];
    },
    notifications,
    async fired(f, handle) {
      const result = (await handle.result()) as any;
      if (f.scheduleId === 'onestop-notification') {
        notifications.push({ donationYear: result.donationYear, ranAt: f.at.toISOString(), applications: result.applications ?? 0, files: result.files ?? 0, problems: Array.isArray(result.problems) ? result.problems.length : Number(result.problems ?? 0) });
        return;
      }
      const m = monthOf(monthBefore(f.at));
      if (f.scheduleId === 'monthly-report') {
        // The report is built by its own workflow: wait for it here so the time it was seen is the time it was built.
        const report = ctx.client.workflow.getHandle(monthlyReportWorkflowId(m.month));
        const view = (await report.result()) as { late?: boolean };
        m.reportLate = !!view.late;
      }
      await observe(m);
    },
    async act(day, slot) {
      if (isClosedDay(day)) return;
      for (const m of months.values()) {
        const view = await observe(m);
        if (slot === 'morning') {
          // Suppliers confirm their statements the first business morning after they were sent (the workflow takes the answers).
          const waiting = view?.statements.filter((s) => s.status === 'sent') ?? [];
          let next = 0;
          await Promise.all(Array.from({ length: Math.min(concurrency, waiting.length) }, async () => {
            while (next < waiting.length) {
              const s = waiting[next++];
              const dispute = s.supplierCode === DISPUTING_SUPPLIER && s.revision === 1;
              await ctx.client.workflow.getHandle(`billing-${m.month}`).executeUpdate(answerStatementUpdate, {
                args: [dispute
                  ? { supplierCode: s.supplierCode, revision: s.revision, decision: 'dispute', reason: '月末に出荷した分が計上されていないようです', actor: `supplier:${s.supplierCode}` }
                  : { supplierCode: s.supplierCode, revision: s.revision, decision: 'confirm', actor: `supplier:${s.supplierCode}` }],
              });
              if (dispute) m.statementsDisputed += 1;
              else m.statementsConfirmed += 1;
            }
          }));
          // The city inspects the month's report and passes it; the billing runs waiting for it are told (as POST …/inspection does).
          const inspection = await reportInspection(knex, m.month);
          if (inspection.status === 'awaiting_inspection' && inspection.revision !== null) {
            await inspectReport(knex, { month: m.month, revision: inspection.revision, decision: 'passed', actor: 'city:season' });
            for (const runId of await billingRunsOfMonth(knex, m.month)) await ctx.client.workflow.getHandle(runId).signal(reportInspectedSignal).catch(() => undefined);
          }
          // The invoice follows within moments once both are done (not while a statement is disputed).
          const disputed = (await billingView(m.month))?.statements.some((s) => s.status !== 'confirmed');
          if (view && !view.invoice && !disputed && (waiting.length || inspection.status === 'awaiting_inspection')) {
            for (let k = 0; k < 150 && !(await billingView(m.month))?.invoice; k++) await new Promise((r) => setTimeout(r, 200));
          }
          await observe(m);
        } else if (view?.statements.some((s) => s.status === 'disputed')) {
          // The operators look into the dispute (as POST …/findings) and resolve it (as POST …/resolve): the statement is mailed again as
          // its next revision, which the supplier confirms the next business morning.
          for (const s of view.statements.filter((x) => x.status === 'disputed')) {
            await recordDisputeFindings(knex, { runId: `billing-${m.month}`, supplierCode: s.supplierCode, findings: '出荷確定の記録と照合: 該当の出荷は翌月分に計上済み', actor: 'operator:season' });
            await ctx.client.workflow.getHandle(`billing-${m.month}`).executeUpdate(resolveDisputeUpdate, {
              args: [{ supplierCode: s.supplierCode, resolution: '計上漏れなし (翌月分に計上): 事業者に説明し、同じ内容で再送付', actor: 'operator:season' }],
            });
            m.disputesResolved += 1;
          }
        } else if (view?.invoice?.status === 'issued') {
          await ctx.client.workflow.getHandle(`billing-${m.month}`).executeUpdate(decideInvoiceUpdate, { args: [{ revision: view.invoice.revision, decision: 'accept', actor: 'city:season' }] });
          m.invoiceAcceptedAt = await now();
        }
      }
    },
    async endOfDay() {
      for (const m of months.values()) await observe(m);
    },
  };
}
