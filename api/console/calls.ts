import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { CALL_CATEGORIES, CALL_CHANNELS, CALL_STATUSES } from '../../domain/callcentre/types';
import { donationsByOrderId } from '../../ledger/console-lookup';
import type { RouteDeps } from '../feature';
import { TROUBLE_KIND_LABELS } from '../../domain/console/operator-labels';
import { fieldErrors, queryString, type ApiCall } from './api-client';
import { defined, doneNotice, formAction, formVersion, trimmed, versionAt } from './form-action';
import { OPERATORS, READERS, csrfToken, renderError } from './plugin';

/**
 * The call-centre log (CALL-1…4; issue 17): the log with a status filter, a new call linked to a
 * donation (by its order number), a gift or a supplier; a call's page with its history, follow-ups,
 * the outcome and the next status up to 完了, reopening with a reason, and the re-shipment a gift
 * complaint starts for its linked shipment — through the API's /calls routes as the person.
 */
type Form = Record<string, string | undefined>;
type CallRequest = FastifyRequest<{ Params: { id: string }; Body: Form; Querystring: Form }>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const CHANNEL_LABELS: Record<(typeof CALL_CHANNELS)[number], string> = { phone: '電話', fax: 'FAX', email: 'メール', letter: '手紙', counter: '窓口', web: 'Webフォーム' };
const options = (values: readonly string[], labels: Record<string, string>, selected?: string) => values.map((value) => ({ value, label: labels[value] ?? value, selected: value === selected }));
const same = (values: readonly string[]) => Object.fromEntries(values.map((v) => [v, v]));

export function registerCallPages(app: FastifyInstance, { orm }: RouteDeps, api: ApiCall): void {
  const knex = orm.em.getKnex();

  async function logPage(request: FastifyRequest<{ Querystring: Form }>, reply: FastifyReply, status: number, extra: Record<string, unknown> = {}) {
    const filter = request.query.status && (CALL_STATUSES as readonly string[]).includes(request.query.status) ? request.query.status : undefined;
    const res = await api(request.consoleUser!, 'GET', `/calls${queryString({ status: filter, limit: 100 })}`);
    if (res.status !== 200) return renderError(reply, res.status, '問い合わせを読み込めませんでした', String(res.body?.message ?? ''));
    const form = (extra.form ?? {}) as Form;
    return reply.code(status).view('calls.hbs', {
      title: '問い合わせ・苦情の記録',
      csrf: csrfToken(reply),
      canAct: OPERATORS.includes(request.consoleUser!.role),
      total: res.body.total,
      calls: (res.body.calls as Record<string, any>[]).map((c) => ({ ...c, channelLabel: CHANNEL_LABELS[c.channel as keyof typeof CHANNEL_LABELS] ?? c.channel })),
      statuses: options(CALL_STATUSES, same(CALL_STATUSES), filter),
      channels: options(CALL_CHANNELS, CHANNEL_LABELS, form.channel ?? 'phone'),
      categories: options(CALL_CATEGORIES, same(CALL_CATEGORIES), form.category),
      form,
      ...extra,
    });
  }

  app.get('/calls', { config: { consoleRoles: READERS } }, async (request: FastifyRequest<{ Querystring: Form }>, reply) => logPage(request, reply, 200, request.query.done === 'created' ? { notice: '問い合わせを記録しました。' } : {}));

  app.post('/calls', { config: { consoleRoles: OPERATORS } }, async (request: FastifyRequest<{ Body: Form; Querystring: Form }>, reply) => {
    const f = Object.fromEntries(['channel', 'category', 'complaint', 'subject', 'body', 'callerName', 'callerContact', 'orderId', 'giftCode', 'supplierCode'].map((k) => [k, (request.body[k] ?? '').trim()]));
    const errors: Record<string, string> = {};
    let donationId: string | undefined;
    if (f.orderId) {
      const found = await donationsByOrderId(knex, f.orderId);
      if (found.length === 1) donationId = found[0].id;
      else errors.orderId = found.length ? 'この受付番号の寄附が複数あります。寄附のページから記録してください。' : 'この受付番号の寄附はありません。';
    }
    const links = Object.fromEntries(Object.entries({ donationId, giftCode: f.giftCode, supplierCode: f.supplierCode }).filter(([, v]) => v));
    const caller = Object.fromEntries(Object.entries({ name: f.callerName, contact: f.callerContact }).filter(([, v]) => v));
    if (Object.keys(errors).length) return logPage(request, reply, 400, { form: f, errors, error: '入力内容を確認してください。', errorHeading: '入力内容に誤りがあります' });
    const res = await api(request.consoleUser!, 'POST', '/calls', {
      channel: f.channel,
      category: f.category,
      complaint: f.complaint === 'on',
      subject: f.subject,
      body: f.body,
      ...(Object.keys(caller).length ? { caller } : {}),
      ...(Object.keys(links).length ? { links } : {}),
    });
    if (res.status === 201) return reply.redirect(`/console/calls/${res.body.call.id}?done=created`, 303);
    const api400 = fieldErrors(res.body, /^(links|caller)\./);
    if (api400.name) api400.callerName = api400.name;
    if (res.status === 400) return logPage(request, reply, 400, { form: f, errors: api400, error: '入力内容を確認してください。', errorHeading: '入力内容に誤りがあります' });
    return logPage(request, reply, res.status, { form: f, error: String(res.body?.message ?? '記録できませんでした。'), errorHeading: '記録できませんでした' });
  });

  async function callPage(request: CallRequest, reply: FastifyReply, status: number, extra: Record<string, unknown> = {}) {
    const id = request.params.id;
    if (!UUID.test(id)) return renderError(reply, 404, '記録が見つかりません', `問い合わせ ${id} はありません。`);
    const res = await api(request.consoleUser!, 'GET', `/calls/${id}`);
    if (res.status === 404) return renderError(reply, 404, '記録が見つかりません', `問い合わせ ${id} はありません。`);
    if (res.status !== 200) return renderError(reply, res.status, '記録を読み込めませんでした', String(res.body?.message ?? ''));
    const c = res.body.call;
    const i = CALL_STATUSES.indexOf(c.status);
    const next = i >= 0 && i < CALL_STATUSES.length - 1 ? CALL_STATUSES[i + 1] : undefined;
    const can = OPERATORS.includes(request.consoleUser!.role);
    const reship = (extra.reshipmentTyped ?? {}) as Form;
    return reply.code(status).view('call.hbs', {
      title: `問い合わせ ${c.subject}`,
      csrf: csrfToken(reply),
      seen: callVersion(res.body),
      c: { ...c, channelLabel: CHANNEL_LABELS[c.channel as keyof typeof CHANNEL_LABELS] ?? c.channel },
      history: [...(res.body.history as Record<string, any>[])].reverse(),
      canAct: can,
      next: can ? next : undefined,
      // Reopening goes back to 対応中 with a reason; a complaint re-ships its linked shipment once (the route's rules).
      canReopen: can && (c.status === '対応済み' || c.status === '完了'),
      canReship: can && c.complaint && !c.reshipmentRequestedAt,
      // CALL-5: the donor asks to cancel the linked donation; the route decides by the donation's state.
      canCancel: can && !!c.donationId && c.status !== '完了',
      cancellations: (res.body.history as Record<string, any>[]).filter((e) => e.kind === 'cancellation').map((e) => ({ at: e.at, accepted: e.detail?.accepted === true, stageLabel: CANCELLATION_STAGE_LABELS[e.detail?.stage as keyof typeof CANCELLATION_STAGE_LABELS] ?? '', note: e.note })),
      troubleKinds: Object.entries(TROUBLE_KIND_LABELS).map(([value, label]) => ({ value, label, selected: reship.kind === value })),
      ...extra,
    });
  }

  app.get('/calls/:id', { config: { consoleRoles: READERS } }, async (request: CallRequest, reply) => {
    const done = request.query.done;
    return callPage(request, reply, 200, doneNotice(done, DONE));
  });

  /** The call as the form saw it (stale-form check); a follow-up only adds to the history, so it is never stale. */
  const currentVersion = versionAt(api, (request: CallRequest) => `/calls/${request.params.id}`, callVersion);
  const act = (what: 'follow-ups' | 'outcome' | 'status' | 'reshipment' | 'cancellation', fields: string[], done: keyof typeof DONE) =>
    formAction(api, callPage, {
      route: (request) => `/calls/${request.params.id}/${what}`,
      payload: (f) => defined(Object.fromEntries(fields.map((k) => [k, trimmed(f[k])]))),
      form: done,
      fields,
      back: (request) => `/console/calls/${request.params.id}?done=${done}`,
      version: what === 'follow-ups' ? undefined : currentVersion,
    });
  app.post('/calls/:id/follow-ups', { config: { consoleRoles: OPERATORS } }, act('follow-ups', ['note'], 'followUp'));
  app.post('/calls/:id/outcome', { config: { consoleRoles: OPERATORS } }, act('outcome', ['outcome'], 'outcome'));
  app.post('/calls/:id/status', { config: { consoleRoles: OPERATORS } }, act('status', ['status', 'reason'], 'status'));
  app.post('/calls/:id/reopen', { config: { consoleRoles: OPERATORS } }, act('status', ['status', 'reason'], 'reopen'));
  app.post('/calls/:id/reshipment', { config: { consoleRoles: OPERATORS } }, act('reshipment', ['kind', 'note'], 'reshipment'));
  // CALL-5: the same route the API's clients use (POST /calls/:id/cancellation), in-process as the person.
  app.post('/calls/:id/cancellation', { config: { consoleRoles: OPERATORS } }, act('cancellation', ['reason'], 'cancellation'));
}

/** A call's version: its last update and the last entry of its history. */
const callVersion = (body: { call: { updatedAt: string }; history: { id: number }[] }) => formVersion(body.call.updatedAt, body.history.at(-1)?.id);

const DONE = {
  created: '問い合わせを記録しました。',
  followUp: '対応の経過を記録しました。',
  outcome: '対応の結果を記録しました。',
  status: '状態を進めました。',
  reopen: '対応中に戻しました。',
  reshipment: '再発送を手配しました。配送の記録に載ります。',
  cancellation: '寄附の取消を受け付けました。受領証明書の発送後であれば、証明書を無効にし、市へすぐにメールで知らせます。',
} as const satisfies Record<string, string>;

const CANCELLATION_STAGE_LABELS = { before_payment: '入金前', after_payment: '入金後・証明書の発送前', after_receipt: '証明書の発送後（証明書を無効にし市へ連絡）' } as const;
