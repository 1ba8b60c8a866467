import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { BILLING_STAGE_LABELS, DISPUTE_STATUS_LABELS, INVOICE_STATUS_LABELS, STATEMENT_STATUS_LABELS } from '../../domain/console/operator-labels';
import type { RouteDeps } from '../feature';
import { fieldErrors, queryString, type ApiCall } from './api-client';
import { OPERATORS, READERS, csrfToken, renderError, type ConsoleUser } from './plugin';

/**
 * The billing month (BILL-1…4; issue 17): the month's statements by supplier with their state,
 * disputes and what the investigation found, the invoice as PDF and CSV; an operator records
 * findings on an open dispute and closes it (the corrected statement goes back to the supplier as
 * the next revision). Everything through the API's /billing routes as the person.
 */
type Form = Record<string, string | undefined>;
type MonthRequest = FastifyRequest<{ Params: { month: string; supplier?: string }; Querystring: Form; Body: Form }>;

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;
const label = <K extends string>(labels: Record<K, string>, v: string) => labels[v as K] ?? v;

/** The month being billed now: the JST month before this one. */
export function billingMonthNow(now = new Date()): string {
  const jst = new Date(now.getTime() + 9 * 3_600_000);
  const prev = new Date(Date.UTC(jst.getUTCFullYear(), jst.getUTCMonth() - 1, 1));
  return prev.toISOString().slice(0, 7);
}

const monthLabel = (m: string) => `${Number(m.slice(0, 4))}年${Number(m.slice(5, 7))}月分`;

/** Disputed statements of a month's run (the home page's queue), or null when the run cannot be read. */
export async function disputedStatements(api: ApiCall, user: ConsoleUser, month: string): Promise<number | null> {
  const res = await api(user, 'GET', `/billing/runs/${month}`);
  if (res.status === 404) return 0;
  if (res.status !== 200) return null;
  return (res.body.statements as { status: string }[]).filter((s) => s.status === 'disputed').length;
}

export function registerBillingPages(app: FastifyInstance, _deps: RouteDeps, api: ApiCall): void {
  app.get('/billing', { config: { consoleRoles: READERS } }, async (request: MonthRequest, reply) => {
    const month = request.query.month || billingMonthNow();
    const runLabel = request.query.label || undefined;
    if (!MONTH.test(month)) return reply.code(400).view('billing.hbs', { title: '請求', month, error: '月は 2026-11 の形で入力してください。', monthError: '月は 2026-11 の形で入力してください。' });
    const res = await api(request.consoleUser!, 'GET', `/billing/runs/${month}${queryString({ label: runLabel })}`);
    if (res.status === 404) return reply.view('billing.hbs', { title: `請求 ${monthLabel(month)}`, month, monthLabel: monthLabel(month), missing: true });
    if (res.status === 400) {
      const reason = fieldErrors(res.body, /^params\./).month ?? String(res.body?.message ?? '');
      return reply.code(400).view('billing.hbs', { title: '請求', month, error: '対象の月を確認してください。', monthError: reason });
    }
    if (res.status !== 200) return renderError(reply, res.status, '請求を読み込めませんでした', String(res.body?.message ?? ''));
    const q = queryString({ label: runLabel });
    const stage = res.body.workflow?.stage;
    return reply.view('billing.hbs', {
      title: `請求 ${monthLabel(month)}`,
      month,
      monthLabel: monthLabel(month),
      runLabel,
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
    });
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
      month,
      monthLabel: monthLabel(month),
      backHref: `/console/billing${queryString({ month, label: runLabel })}`,
      findingsAction: `/console/billing/${month}/statements/${encodeURIComponent(supplier)}/findings${queryString({ label: runLabel })}`,
      resolveAction: `/console/billing/${month}/statements/${encodeURIComponent(supplier)}/resolve${queryString({ label: runLabel })}`,
      st: { ...st, statusLabel: label(STATEMENT_STATUS_LABELS, st.status), totalYen: st.procurementCostYen + st.shippingCostYen },
      lines: res.body.lines,
      disputes,
      canInvestigate: can && disputes.some((d) => d.open),
      ...extra,
    });
  }

  app.get('/billing/:month/statements/:supplier', { config: { consoleRoles: READERS } }, async (request: MonthRequest, reply) => {
    const done = request.query.done;
    return statementPage(request, reply, 200, done && done in DONE ? { notice: DONE[done as keyof typeof DONE] } : {});
  });

  /** An operator's answer on the open dispute: findings recorded, or the dispute closed with the resolution. */
  const act = (what: 'findings' | 'resolve', field: 'findings' | 'resolution') => async (request: MonthRequest, reply: FastifyReply) => {
    const { month, supplier = '' } = request.params;
    const typed = request.body[field] ?? '';
    const q = queryString({ label: request.query.label });
    const res = await api(request.consoleUser!, 'POST', `/billing/runs/${month}/statements/${encodeURIComponent(supplier)}/${what}${q}`, { [field]: typed });
    if (res.status >= 200 && res.status < 300) return reply.redirect(`/console/billing/${month}/statements/${encodeURIComponent(supplier)}${queryString({ label: request.query.label, done: what })}`, 303);
    const keep = { [`${field}Typed`]: typed };
    if (res.status === 400) return statementPage(request, reply, 400, { ...keep, [`${what}Errors`]: fieldErrors(res.body), error: '入力内容を確認してください。', errorHeading: '入力内容に誤りがあります' });
    return statementPage(request, reply, res.status, { ...keep, error: String(res.body?.message ?? '操作できませんでした。'), errorHeading: '操作できませんでした' });
  };
  app.post('/billing/:month/statements/:supplier/findings', { config: { consoleRoles: OPERATORS } }, act('findings', 'findings'));
  app.post('/billing/:month/statements/:supplier/resolve', { config: { consoleRoles: OPERATORS } }, act('resolve', 'resolution'));
}

const DONE = {
  findings: '調査結果を記録しました。',
  resolve: '異議を解決済みにしました。訂正した明細を次の版として事業者へ送ります。',
} as const satisfies Record<string, string>;
