import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { BILLING_STAGE_LABELS, INVOICE_STATUS_LABELS } from '../../domain/console/operator-labels';
import { BILLING_RUN_STATUSES } from '../../ledger/billing-runs';
import { fieldErrors, queryString, type ApiCall } from './api-client';
import { READERS, renderError } from './plugin';

/**
 * Every billing run across months (issue 17): `/console/billing/runs`, newest month first, from the API's list of
 * runs (`GET /billing/runs`) with its filters — runs for every supplier or for some only, the run's state, a
 * supplier billed — 50 a page; each run opens as its month's page (with its label when it is limited to some
 * suppliers). Bad filters come back at their fields (400), never as an error page.
 */
type Form = Record<string, string | undefined>;
type RunsRequest = FastifyRequest<{ Querystring: Form }>;

const label = <K extends string>(labels: Record<K, string>, v: string) => labels[v as K] ?? v;

export const monthLabel = (m: string) => `${Number(m.slice(0, 4))}年${Number(m.slice(5, 7))}月分`;

/** One run of `GET /billing/runs` as a row of the console's lists: opened as its month (and label). */
export const runRow = (r: Record<string, any>) => ({
  monthLabel: monthLabel(r.month),
  scopeLabel: r.scopeLabel ?? '全事業者',
  suppliers: r.scopeSuppliers ? (r.scopeSuppliers as string[]).join('、') : '',
  href: `/console/billing${queryString({ month: r.month, label: r.scopeLabel ?? undefined })}`,
  statusLabel: label(BILLING_STAGE_LABELS, r.status),
  confirmed: `${r.statements.confirmed} / ${r.statements.total}`,
  disputed: r.statements.disputed,
  invoiceLabel: r.invoice ? `第${r.invoice.revision}版 ${label(INVOICE_STATUS_LABELS, r.invoice.status)}` : '未発行',
  createdAt: r.createdAt,
  requestedBy: r.requestedBy,
});

const PAGE = 50;
const SCOPES: Record<string, string> = { all: '全事業者の請求', scoped: '一部の事業者だけの請求' };
const options = (labels: Record<string, string>, chosen?: string) => Object.entries(labels).map(([value, text]) => ({ value, label: text, selected: value === chosen }));
const STATUSES: Record<string, string> = Object.fromEntries(BILLING_RUN_STATUSES.map((s) => [s, label(BILLING_STAGE_LABELS, s)]));
/** Filters chosen from a list: a value the API refuses was not one of its options. */
const LISTED = new Set(['scope', 'status']);

export function registerBillingRunsPage(app: FastifyInstance, api: ApiCall): void {
  app.get('/billing/runs', { config: { consoleRoles: READERS } }, async (request: RunsRequest, reply: FastifyReply) => {
    const one = (v: unknown) => (typeof v === 'string' ? v.trim() : undefined) || undefined;
    const typed = { scope: one(request.query.scope), status: one(request.query.status), supplier: one(request.query.supplier) };
    const offsetText = one(request.query.offset);
    const errors: Record<string, string> = {};
    if (offsetText && !/^\d{1,6}$/.test(offsetText)) errors.offset = '0以上の数で指定してください。';
    const offset = offsetText && !errors.offset ? Number(offsetText) : 0;
    const view = (status: number, extra: Record<string, unknown>) =>
      reply.code(status).view('billing-runs.hbs', { title: '請求の一覧（全期間）', typed, errors, scopes: options(SCOPES, typed.scope), statuses: options(STATUSES, typed.status), ...extra });

    // The filters' rules are the API's (GET /billing/runs): its 400 comes back at the fields, a list field in the page's words.
    const res = await api(request.consoleUser!, 'GET', `/billing/runs${queryString({ ...typed, limit: PAGE, offset })}`);
    if (res.status === 400 || errors.offset) {
      for (const [field, reason] of Object.entries(res.status === 400 ? fieldErrors(res.body) : {})) errors[field] = LISTED.has(field) ? '一覧から選んでください。' : reason;
      return view(400, { error: Object.keys(errors).length ? '絞り込みの条件を確認してください。' : String(res.body?.message ?? ''), errorHeading: '入力内容に誤りがあります' });
    }
    if (res.status !== 200) return renderError(reply, res.status, '請求の一覧を読み込めませんでした', String(res.body?.message ?? ''));
    const total = res.body.total as number;
    const pageHref = (o: number) => `/console/billing/runs${queryString({ ...typed, offset: o || undefined })}`;
    return view(200, {
      runs: (res.body.runs as Record<string, any>[]).map(runRow),
      total,
      range: total && offset < total ? `${offset + 1}〜${Math.min(offset + PAGE, total)}件 / ${total}件` : `${total}件`,
      prev: offset > 0 ? pageHref(Math.max(0, offset - PAGE)) : undefined,
      next: offset + PAGE < total ? pageHref(offset + PAGE) : undefined,
    });
  });
}
