import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Role } from '../../config/env';
import { CARRIER_NAMES } from '../../domain/carriers/catalogue';
import { jstDate } from '../../domain/jst';
import type { RouteDeps } from '../feature';
import { fieldErrors, queryString, type ApiCall } from './api-client';
import { csrfToken, renderError } from './plugin';
import { one, recentMonths, type Form } from './supplier-shared';

/**
 * A supplier's monthly statements (BILL-1: confirm, or dispute with a reason, through the billing
 * run's update), its quality demands (CALL-3: reply with the measure taken) and its gifts, each from
 * the API as the supplier's code. Billing runs have no list route: the page looks at the last six
 * months' unscoped runs.
 */
const SUPPLIER: readonly Role[] = ['supplier'];
const STATEMENT_MONTHS = 6;
const STATEMENT_STATUS_LABELS: Record<string, string> = { sent: '確認待ち', confirmed: '確認済み', disputed: '異議あり（確認中）' };
const MEASURE_STATUS_LABELS: Record<string, string> = { open: '回答待ち', replied: '回答済み', closed: '完了' };

type Req = FastifyRequest<{ Params: { month: string; id: string }; Querystring: Form; Body: Form }>;

export function registerSupplierStatementPages(app: FastifyInstance, _deps: RouteDeps, api: ApiCall): void {
  const codeOf = (request: FastifyRequest) => encodeURIComponent(request.consoleUser!.supplierCode ?? request.consoleUser!.login);
  // A run for some suppliers only is addressed by its label too (?label=).
  const labelOf = (request: Req) => queryString({ label: one(request.query.label) });

  app.get('/supplier/statements', { config: { consoleRoles: SUPPLIER } }, async (request: Req, reply) => {
    const user = request.consoleUser!;
    const months = recentMonths(jstDate(new Date()), STATEMENT_MONTHS);
    const [measures, gifts, ...statements] = await Promise.all([
      api(user, 'GET', '/quality/measures?limit=100'),
      api(user, 'GET', '/gifts?limit=200'),
      ...months.map((m) => api(user, 'GET', `/billing/runs/${m}/statements/${codeOf(request)}`)),
    ]);
    return reply.view('supplier/statements.hbs', {
      title: '明細・品質・在庫',
      statements: statements.flatMap((s, i) => (s.status === 200 ? [{ ...s.body.statement, month: months[i], statusLabel: STATEMENT_STATUS_LABELS[s.body.statement.status] ?? s.body.statement.status }] : [])),
      measures: ((measures.body?.measures ?? []) as Record<string, any>[]).map((m) => ({ ...m, statusLabel: MEASURE_STATUS_LABELS[m.status] ?? m.status })),
      gifts: gifts.body?.gifts ?? [],
    });
  });

  async function statementPage(request: Req, reply: FastifyReply, status: number, extra: Record<string, unknown> = {}) {
    const res = await api(request.consoleUser!, 'GET', `/billing/runs/${encodeURIComponent(request.params.month)}/statements/${codeOf(request)}${labelOf(request)}`);
    if (res.status === 404 || res.status === 400) return renderError(reply, 404, '明細が見つかりません', `${request.params.month}分の明細はありません。`);
    if (res.status !== 200) return renderError(reply, res.status, '明細を読み込めませんでした', String(res.body?.message ?? ''));
    const { statement, lines, disputes } = res.body;
    return reply.code(status).view('supplier/statement.hbs', {
      title: `${request.params.month}分の明細`,
      csrf: csrfToken(reply),
      month: request.params.month,
      labelQuery: labelOf(request),
      statement: { ...statement, statusLabel: STATEMENT_STATUS_LABELS[statement.status] ?? statement.status, totalYen: statement.procurementCostYen + statement.shippingCostYen },
      lines: (lines as Record<string, any>[]).map((l) => ({ ...l, carrierLabel: l.carrier ? (CARRIER_NAMES[l.carrier as keyof typeof CARRIER_NAMES] ?? l.carrier) : '' })),
      disputes,
      canAnswer: statement.status === 'sent',
      reason: one((extra.typed as Form | undefined)?.reason) ?? '',
      ...extra,
    });
  }

  app.get('/supplier/statements/:month', { config: { consoleRoles: SUPPLIER } }, async (request: Req, reply) => {
    const done = one(request.query.done);
    return statementPage(request, reply, 200, done === 'confirm' ? { notice: '明細を確認済みにしました。' } : done === 'dispute' ? { notice: '異議を送りました。業務担当が調べて連絡します。' } : {});
  });

  for (const decision of ['confirm', 'dispute'] as const) {
    app.post(`/supplier/statements/:month/${decision}`, { config: { consoleRoles: SUPPLIER } }, async (request: Req, reply) => {
      const revision = Number(one(request.body.revision));
      const body = decision === 'confirm' ? { revision } : { revision, reason: (one(request.body.reason) ?? '').trim() };
      const res = await api(request.consoleUser!, 'POST', `/billing/runs/${encodeURIComponent(request.params.month)}/statements/${codeOf(request)}/${decision}${labelOf(request)}`, body);
      if (res.status >= 200 && res.status < 300) return reply.redirect(`/console/supplier/statements/${encodeURIComponent(request.params.month)}${queryString({ label: one(request.query.label), done: decision })}`, 303);
      if (res.status === 400) return statementPage(request, reply, 400, { typed: request.body, errors: fieldErrors(res.body), error: '入力内容を確認してください。', errorHeading: '入力内容に誤りがあります' });
      return statementPage(request, reply, res.status === 404 ? 404 : 409, { typed: request.body, error: String(res.body?.message ?? '送れませんでした。'), errorHeading: '送れませんでした' });
    });
  }

  async function measurePage(request: Req, reply: FastifyReply, status: number, extra: Record<string, unknown> = {}) {
    const res = await api(request.consoleUser!, 'GET', `/quality/measures/${encodeURIComponent(request.params.id)}`);
    if (res.status === 404 || res.status === 400 || res.status === 403) return renderError(reply, 404, '改善要求が見つかりません', 'アドレスが正しいか確かめてください。');
    if (res.status !== 200) return renderError(reply, res.status, '改善要求を読み込めませんでした', String(res.body?.message ?? ''));
    const typed = (extra.typed ?? {}) as Form;
    const m = res.body.measure;
    return reply.code(status).view('supplier/measure.hbs', {
      title: '品質の改善要求',
      csrf: csrfToken(reply),
      m: { ...m, statusLabel: MEASURE_STATUS_LABELS[m.status] ?? m.status },
      history: res.body.history,
      canReply: m.status === 'open',
      form: { reply: one(typed.reply) ?? '', measureTaken: one(typed.measureTaken) ?? '' },
      ...extra,
    });
  }

  app.get('/supplier/quality/:id', { config: { consoleRoles: SUPPLIER } }, async (request: Req, reply) => measurePage(request, reply, 200, one(request.query.done) ? { notice: '回答を記録しました。' } : {}));

  app.post('/supplier/quality/:id', { config: { consoleRoles: SUPPLIER } }, async (request: Req, reply) => {
    const res = await api(request.consoleUser!, 'POST', `/quality/measures/${encodeURIComponent(request.params.id)}/reply`, { reply: (one(request.body.reply) ?? '').trim(), measureTaken: (one(request.body.measureTaken) ?? '').trim() });
    if (res.status === 200) return reply.redirect(`/console/supplier/quality/${encodeURIComponent(request.params.id)}?done=1`, 303);
    if (res.status === 400) return measurePage(request, reply, 400, { typed: request.body, errors: fieldErrors(res.body), error: '入力内容を確認してください。', errorHeading: '入力内容に誤りがあります' });
    return measurePage(request, reply, res.status === 404 ? 404 : 409, { typed: request.body, error: String(res.body?.message ?? '記録できませんでした。'), errorHeading: '記録できませんでした' });
  });
}
