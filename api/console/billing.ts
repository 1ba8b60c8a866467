import type { FastifyInstance, FastifyReply } from 'fastify';
import { BILLING_STAGE_LABELS, DISPUTE_STATUS_LABELS, INVOICE_STATUS_LABELS, STATEMENT_STATUS_LABELS } from '../../domain/console/operator-labels';
import type { RouteDeps } from '../feature';
import { fieldErrors, queryString, type ApiCall } from './api-client';
import { correctionForm, monthActions, registerBillingActions, statementVersion, type MonthRequest } from './billing-actions';
import { monthLabel, registerBillingRunsPage, runRow } from './billing-runs';
import { OPERATORS, READERS, csrfToken, renderError, type ConsoleUser } from './plugin';
import { recentMonths } from './supplier-shared';
import { doneNotice } from './form-action';

/**
 * The billing month (BILL-1…4; issue 17): the month's statements by supplier with their state,
 * disputes and what the investigation found, the invoice as PDF and CSV; an operator records
 * findings on an open dispute and closes it (the corrected statement goes back to the supplier as
 * the next revision). Everything through the API's /billing routes as the person; the operators'
 * other actions (corrections, override, postage, payments) are in ./billing-actions.ts.
 */

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;
const label = <K extends string>(labels: Record<K, string>, v: string) => labels[v as K] ?? v;

/** The month being billed now: the JST month before this one. */
export function billingMonthNow(now = new Date()): string {
  const jst = new Date(now.getTime() + 9 * 3_600_000);
  const prev = new Date(Date.UTC(jst.getUTCFullYear(), jst.getUTCMonth() - 1, 1));
  return prev.toISOString().slice(0, 7);
}


/** Disputed statements of a month's run (the home page's queue), or null when the run cannot be read. */
export async function disputedStatements(api: ApiCall, user: ConsoleUser, month: string): Promise<number | null> {
  const res = await api(user, 'GET', `/billing/runs/${month}`);
  if (res.status === 404) return 0;
  if (res.status !== 200) return null;
  return (res.body.statements as { status: string }[]).filter((s) => s.status === 'disputed').length;
}

const RECENT_MONTHS = 6;

/**
 * The last months' billing runs for every supplier (one GET each, for the workflow's stage and the months not
 * started yet): stage, statements confirmed, invoice. Runs limited to some suppliers are listed by labelledRuns.
 */
async function recentRuns(api: ApiCall, user: ConsoleUser) {
  const months = recentMonths(billingMonthNow(), RECENT_MONTHS);
  const runs = await Promise.all(months.map((m) => api(user, 'GET', `/billing/runs/${m}`)));
  return months.map((m, i) => {
    const r = runs[i];
    if (r.status !== 200) return { month: m, monthLabel: monthLabel(m), href: `/console/billing${queryString({ month: m })}`, stageLabel: r.status === 404 ? '未開始' : '読み込めません' };
    const statements = r.body.statements as { status: string }[];
    const invoice = (r.body.invoices as { status: string; revision: number }[]).at(-1);
    return {
      month: m,
      monthLabel: monthLabel(m),
      href: `/console/billing${queryString({ month: m })}`,
      scope: r.body.run.scopeLabel ?? '全事業者',
      stageLabel: r.body.workflow?.stage ? label(BILLING_STAGE_LABELS, r.body.workflow.stage) : '終了',
      confirmed: `${statements.filter((s) => s.status === 'confirmed').length} / ${statements.length}`,
      invoiceLabel: invoice ? `第${invoice.revision}版 ${label(INVOICE_STATUS_LABELS, invoice.status)}` : '未発行',
    };
  });
}

const LABELLED_PAGE = 20;

/**
 * The month's runs limited to some suppliers (a partial rerun, a test), newest first, from the API's list of
 * runs (`GET /billing/runs?month=…&scope=scoped`), a page at a time: each opens as its month with its label.
 */
async function labelledRuns(api: ApiCall, user: ConsoleUser, offset: number, at: { month: string; runLabel?: string }) {
  const res = await api(user, 'GET', `/billing/runs${queryString({ month: at.month, scope: 'scoped', limit: LABELLED_PAGE, offset })}`);
  if (res.status !== 200) return { labelledError: true };
  const total = res.body.total as number;
  const pageHref = (o: number) => `/console/billing${queryString({ month: at.month, label: at.runLabel, runs: o || undefined })}`;
  return {
    labelled: (res.body.runs as Record<string, any>[]).map(runRow),
    labelledTotal: total,
    labelledRange: total ? `${offset + 1}〜${Math.min(offset + LABELLED_PAGE, total)}件 / ${total}件` : '',
    labelledPrev: offset > 0 ? pageHref(Math.max(0, offset - LABELLED_PAGE)) : undefined,
    labelledNext: offset + LABELLED_PAGE < total ? pageHref(offset + LABELLED_PAGE) : undefined,
  };
}

const runsOffset = (v: unknown) => (typeof v === 'string' && /^\d{1,6}$/.test(v) ? Number(v) : 0);

export function registerBillingPages(app: FastifyInstance, _deps: RouteDeps, api: ApiCall): void {
  // Every run across months (before /billing/:month's routes, which it is not).
  registerBillingRunsPage(app, api);
  /** The month's page; actions that come back (a field error, a refusal) show it again with what was typed. */
  async function monthPage(request: MonthRequest, reply: FastifyReply, month: string, status: number, extra: Record<string, unknown> = {}) {
    const runLabel = request.query.label || undefined;
    const recentList = await recentRuns(api, request.consoleUser!);
    if (!MONTH.test(month)) return reply.code(400).view('billing.hbs', { title: '請求', month, recent: recentList, error: '月は 2026-11 の形で入力してください。', monthError: '月は 2026-11 の形で入力してください。' });
    const lists = { recent: recentList, ...(await labelledRuns(api, request.consoleUser!, runsOffset(request.query.runs), { month, runLabel })) };
    const q = queryString({ label: runLabel });
    const [res, pay] = await Promise.all([api(request.consoleUser!, 'GET', `/billing/runs/${month}${q}`), api(request.consoleUser!, 'GET', `/billing/runs/${month}/payables${q}`)]);
    if (res.status === 404) return reply.view('billing.hbs', { title: `請求 ${monthLabel(month)}`, month, ...lists, monthLabel: monthLabel(month), missing: true });
    if (res.status === 400) {
      const reason = fieldErrors(res.body, /^params\./).month ?? String(res.body?.message ?? '');
      return reply.code(400).view('billing.hbs', { title: '請求', month, ...lists, error: '対象の月を確認してください。', monthError: reason });
    }
    if (res.status !== 200) return renderError(reply, res.status, '請求を読み込めませんでした', String(res.body?.message ?? ''));
    const stage = res.body.workflow?.stage;
    const action = (what: string) => `/console/billing/${month}/${what}${q}`;
    return reply.code(status).view('billing.hbs', {
      title: `請求 ${monthLabel(month)}`,
      csrf: csrfToken(reply),
      month,
      monthLabel: monthLabel(month),
      ...lists,
      runLabel,
      run: res.body.run,
      stageLabel: stage ? label(BILLING_STAGE_LABELS, stage) : '終了',
      waitingFor: res.body.workflow?.waitingFor,
      statements: (res.body.statements as Record<string, any>[]).map((s) => ({
        ...s,
        statusLabel: label(STATEMENT_STATUS_LABELS, s.status),
        disputed: s.status === 'disputed',
        totalYen: s.procurementCostYen + s.shippingCostYen,
        href: `/console/billing/${month}/statements/${encodeURIComponent(s.supplierCode)}${q}`,
      })),
      invoices: (res.body.invoices as Record<string, any>[]).map((i) => ({ ...i, statusLabel: label(INVOICE_STATUS_LABELS, i.status), pdf: `/console/billing/${month}/invoice.pdf${queryString({ label: runLabel, revision: i.revision })}`, csv: `/console/billing/${month}/invoice.csv${queryString({ label: runLabel, revision: i.revision })}` })),
      ...monthActions(request.consoleUser!, res.body, pay.status === 200 ? pay.body : { payables: [], payments: [] }, action, extra.paymentTyped as Record<string, string> | undefined),
      ...extra,
    });
  }

  app.get('/billing', { config: { consoleRoles: READERS } }, async (request: MonthRequest, reply) => {
    const done = request.query.done;
    return monthPage(request, reply, request.query.month || billingMonthNow(), 200, done && done in MONTH_DONE ? { notice: MONTH_DONE[done as keyof typeof MONTH_DONE] } : {});
  });

  // The invoice as the API answers it (PDF, or CSV with BOM), handed through as bytes.
  const download = (kind: 'pdf' | 'csv') => async (request: MonthRequest, reply: FastifyReply) => {
    const { month } = request.params;
    if (!MONTH.test(month)) return renderError(reply, 404, '請求書が見つかりません', `${month} の請求書はありません。`);
    const res = await api(request.consoleUser!, 'GET', `/billing/runs/${month}/invoice.${kind}${queryString({ label: request.query.label, revision: request.query.revision })}`);
    if (res.status !== 200) return renderError(reply, res.status === 400 ? 404 : res.status, '請求書が見つかりません', String(res.body?.message ?? ''));
    return reply
      .header('content-type', kind === 'pdf' ? 'application/pdf' : 'text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="invoice-${month}.${kind}"`)
      .header('cache-control', 'no-store')
      .send(res.raw);
  };
  app.get('/billing/:month/invoice.pdf', { config: { consoleRoles: READERS } }, download('pdf'));
  app.get('/billing/:month/invoice.csv', { config: { consoleRoles: READERS } }, download('csv'));

  async function statementPage(request: MonthRequest, reply: FastifyReply, status: number, extra: Record<string, unknown> = {}) {
    const { month, supplier = '' } = request.params;
    const runLabel = request.query.label || undefined;
    const notFound = () => renderError(reply, 404, '明細が見つかりません', `${month} の ${supplier} の明細はありません。`);
    if (!MONTH.test(month)) return notFound();
    const res = await api(request.consoleUser!, 'GET', `/billing/runs/${month}/statements/${encodeURIComponent(supplier)}${queryString({ label: runLabel })}`);
    if (res.status === 404 || res.status === 400) return notFound();
    if (res.status !== 200) return renderError(reply, res.status, '明細を読み込めませんでした', String(res.body?.message ?? ''));
    const st = res.body.statement;
    const disputes = (res.body.disputes as Record<string, any>[]).map((d) => ({ ...d, statusLabel: label(DISPUTE_STATUS_LABELS, d.status), open: d.status === 'open' }));
    const can = OPERATORS.includes(request.consoleUser!.role);
    return reply.code(status).view('billing-statement.hbs', {
      title: `${st.supplierName ?? st.supplierCode} ${monthLabel(month)}の明細`,
      csrf: csrfToken(reply),
      seen: statementVersion(res.body),
      month,
      monthLabel: monthLabel(month),
      backHref: `/console/billing${queryString({ month, label: runLabel })}`,
      findingsAction: `/console/billing/${month}/statements/${encodeURIComponent(supplier)}/findings${queryString({ label: runLabel })}`,
      resolveAction: `/console/billing/${month}/statements/${encodeURIComponent(supplier)}/resolve${queryString({ label: runLabel })}`,
      st: { ...st, statusLabel: label(STATEMENT_STATUS_LABELS, st.status), totalYen: st.procurementCostYen + st.shippingCostYen },
      lines: res.body.lines,
      correctionAction: `/console/billing/${month}/statements/${encodeURIComponent(supplier)}/corrections${queryString({ label: runLabel })}`,
      ...correctionForm(request.consoleUser!, res.body.lines, extra.correctionTyped as Record<string, string> | undefined),
      disputes,
      canInvestigate: can && disputes.some((d) => d.open),
      ...extra,
    });
  }

  app.get('/billing/:month/statements/:supplier', { config: { consoleRoles: READERS } }, async (request: MonthRequest, reply) => {
    const done = request.query.done;
    return statementPage(request, reply, 200, doneNotice(done, DONE));
  });

  registerBillingActions(app, api, { month: (request, reply, status, extra) => monthPage(request, reply, request.params.month, status, extra), statement: statementPage });
}

const DONE = {
  correction: '明細を訂正しました。',
  findings: '調査結果を記録しました。',
  resolve: '異議を解決済みにしました。訂正した明細を次の版として事業者へ送ります。',
} as const satisfies Record<string, string>;

const MONTH_DONE = {
  override: '確認を待たずに請求書を発行します。理由は請求書に載ります。',
  postage: '受領証明書の郵送料を記録しました。',
  payment: '支払を記録しました。',
} as const satisfies Record<string, string>;
