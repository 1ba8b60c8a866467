import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ONESTOP_STATUS_LABELS } from '../../domain/console/labels';
import type { OneStopNoticeKind } from '../../domain/onestop/notices';
import type { RouteDeps } from '../feature';
import { donationQueues, fieldErrors, queryString, type ApiCall } from './api-client';
import { STALE_ANSWER, doneNotice, recordVersion, staleForm, versionAt } from './form-action';
import { registerOneStopAlertPage } from './onestop-alerts';
import { OPERATORS, READERS, csrfToken, renderError } from './plugin';

/**
 * One-stop (ワンストップ特例, ONESTOP-1/2, SEC-1/2; issue 17): the review queue (deficient and
 * awaiting review), an application's page (findings, history, notices sent), the resubmission of
 * missing documents, the 変更届出書, and the 個人番号 shown only to an admin (signed in with the
 * second factor) who types a reason — through the API's my-number route, so the MYNUM-1 register
 * and MYNUM-2 area checks apply and every read or refusal is logged there.
 */
type Form = Record<string, string | undefined>;
type AppRequest = FastifyRequest<{ Params: { id: string }; Body: Form; Querystring: Form }>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const PARTICULARS = ['name', 'nameKana', 'postalCode', 'address', 'phone'] as const;
const statusLabel = (s: string) => ONESTOP_STATUS_LABELS[s] ?? s;
const NOTICE_LABELS: Record<OneStopNoticeKind, string> = { accepted: '受理の通知', deficiency: '不備の通知', reminder: '再提出の督促', late_rejection: '期限後到着の通知', closed_deficient: '不備のまま期限終了の通知' };
/** The enclosures the resubmission form offers (the API knows more: ATTACHMENT_KINDS). */
const ENCLOSURES: Record<string, string> = { my_number_card: 'マイナンバーカードの写し（表・裏）', notification_card: '通知カードの写し', juminhyo_with_number: '住民票（個人番号付き）', drivers_license: '運転免許証の写し', passport: 'パスポートの写し' };
const applicationVersion = (a: unknown) => recordVersion(a, ['workflow', 'notices']);
const today = () => new Date(Date.now() + 9 * 3_600_000).toISOString().slice(0, 10);

export function registerOneStopPages(app: FastifyInstance, _deps: RouteDeps, api: ApiCall): void {
  registerOneStopAlertPage(app, api);
  app.get('/onestop', { config: { consoleRoles: READERS } }, async (request, reply) => {
    const [deficient, received] = await donationQueues(api, request.consoleUser!, 'onestopStatus', ['deficient', 'received']);
    return reply.view('onestop-queue.hbs', { title: 'ワンストップ特例の審査', deficient, received });
  });

  // A donation's application (the queue lists donations): its page.
  app.get('/onestop/by-donation/:id', { config: { consoleRoles: READERS } }, async (request: AppRequest, reply) => {
    if (!UUID.test(request.params.id)) return renderError(reply, 404, '申請が見つかりません', 'この寄附のワンストップ特例申請はありません。');
    const res = await api(request.consoleUser!, 'GET', `/onestop/applications?donationId=${request.params.id}`);
    if (res.status !== 200) return renderError(reply, 404, '申請が見つかりません', 'この寄附のワンストップ特例申請はありません。');
    return reply.redirect(`/console/onestop/applications/${res.body.id}`, 303);
  });

  async function applicationPage(request: AppRequest, reply: FastifyReply, status: number, extra: Record<string, unknown> = {}) {
    const user = request.consoleUser!;
    const id = request.params.id;
    if (!UUID.test(id)) return renderError(reply, 404, '申請が見つかりません', `申請 ${id} はありません。`);
    const res = await api(user, 'GET', `/onestop/applications/${id}`);
    if (res.status === 404) return renderError(reply, 404, '申請が見つかりません', `申請 ${id} はありません。`);
    if (res.status !== 200) return renderError(reply, res.status, '申請を読み込めませんでした', String(res.body?.message ?? ''));
    const a = res.body;
    // Who read the number, when and why (admins and the city).
    const log = user.role === 'admin' || user.role === 'city' ? await api(user, 'GET', `/onestop/applications/${id}/my-number/access-log`) : undefined;
    const can = OPERATORS.includes(user.role);
    return reply.code(status).view('onestop-application.hbs', {
      title: `ワンストップ特例申請 ${a.content?.name ?? ''}`,
      csrf: csrfToken(reply),
      seen: applicationVersion(a),
      a: { ...a, statusLabel: statusLabel(a.status), channelLabel: a.online ? 'オンライン' : '紙' },
      notices: (a.notices as Record<string, any>[]).map((n) => ({ ...n, kindLabel: NOTICE_LABELS[n.kind as OneStopNoticeKind] ?? n.kind })),
      history: [...(a.history as Record<string, any>[])].reverse(),
      reads: log?.status === 200 ? log.body.reads : undefined,
      // A stale form (409) stays on the page with what was typed, even when the application has moved past it: sent again, the route decides.
      canResubmit: can && (a.status === 'deficient' || (status === 409 && !!extra.resubmitForm)),
      canChange: can && (a.status !== 'rejected_late' || (status === 409 && !!extra.changeForm)),
      canReadMyNumber: user.role === 'admin' && user.canReadMyNumber && a.myNumber?.sealed && !a.myNumber?.destroyedAt,
      resubmitForm: { arrivedOn: today() },
      changeForm: { arrivedOn: today() },
      ...extra,
      enclosures: Object.entries(ENCLOSURES).map(([value, label]) => ({ value, label, selected: value === (extra.resubmitForm as Form | undefined)?.attachment })),
    });
  }

  app.get('/onestop/applications/:id', { config: { consoleRoles: READERS } }, async (request: AppRequest, reply) => {
    const done = request.query.done;
    return applicationPage(request, reply, 200, doneNotice(done, DONE));
  });

  /** A 400 comes back at the form's fields with what was typed; anything else is said plainly. */
  async function answer(request: AppRequest, reply: FastifyReply, res: { status: number; body: any }, done: keyof typeof DONE, form: string, typed: Record<string, string>, prefix: RegExp) {
    if (res.status >= 200 && res.status < 300) return reply.redirect(`/console/onestop/applications/${request.params.id}?done=${done}`, 303);
    const keep = { [`${form}Form`]: typed };
    if (res.status === 400) return applicationPage(request, reply, 400, { ...keep, [`${form}Errors`]: fieldErrors(res.body, prefix), error: '入力内容を確認してください。', errorHeading: '入力内容に誤りがあります' });
    return applicationPage(request, reply, res.status, { ...keep, error: String(res.body?.message ?? '操作できませんでした。'), errorHeading: '操作できませんでした' });
  }

  const typedOf = (body: Form, fields: readonly string[]) => Object.fromEntries(fields.map((f) => [f, (body[f] ?? '').trim()]));

  /** The application as the form saw it (stale-form check): its state, content, findings and history, without the workflow's live state and the notices' delivery, which move by themselves. */
  const currentVersion = versionAt(api, (request: AppRequest) => (UUID.test(request.params.id) ? `/onestop/applications/${request.params.id}` : undefined), applicationVersion);
  /** A form opened before a colleague changed the application: 409, the page as it is now, what was typed kept, nothing sent. */
  const stale = (request: AppRequest, reply: FastifyReply, form: string, typed: Record<string, string>) => applicationPage(request, reply, 409, { [`${form}Form`]: typed, ...STALE_ANSWER });

  // Missing documents or corrections after a deficiency notice: the workflow reviews the application again.
  app.post('/onestop/applications/:id/resubmission', { config: { consoleRoles: OPERATORS } }, async (request: AppRequest, reply) => {
    const typed = typedOf(request.body, ['arrivedOn', 'scanRef', 'name', 'address', 'attachment']);
    if (await staleForm(request, currentVersion)) return stale(request, reply, 'resubmit', typed);
    const applicant = Object.fromEntries(['name', 'address'].filter((f) => typed[f]).map((f) => [f, typed[f]]));
    const body = { arrivedOn: typed.arrivedOn, ...(typed.scanRef ? { scanRef: typed.scanRef } : {}), ...(Object.keys(applicant).length ? { applicant } : {}), ...(typed.attachment ? { attachments: [{ kind: typed.attachment }] } : {}) };
    const res = await api(request.consoleUser!, 'POST', `/onestop/applications/${request.params.id}/resubmission`, body);
    return answer(request, reply, res, 'resubmitted', 'resubmit', typed, /^applicant\./);
  });

  // 申告特例申請事項変更届出書: the name or address changed before January 1.
  app.post('/onestop/applications/:id/change-notice', { config: { consoleRoles: OPERATORS } }, async (request: AppRequest, reply) => {
    const typed = typedOf(request.body, ['arrivedOn', 'scanRef', 'reason', ...PARTICULARS]);
    if (await staleForm(request, currentVersion)) return stale(request, reply, 'change', typed);
    const changes = Object.fromEntries(PARTICULARS.filter((f) => typed[f]).map((f) => [f, typed[f]]));
    const res = await api(request.consoleUser!, 'POST', `/onestop/applications/${request.params.id}/change-notice`, { arrivedOn: typed.arrivedOn, reason: typed.reason, changes, ...(typed.scanRef ? { scanRef: typed.scanRef } : {}) });
    return answer(request, reply, res, 'changed', 'change', typed, /^changes\./);
  });

  // The 個人番号, for this one answer only (no-store): an admin with the second factor gives a reason; the API checks the register and logs the read.
  app.post('/onestop/applications/:id/my-number', { config: { consoleRoles: ['admin'] } }, async (request: AppRequest, reply) => {
    const user = request.consoleUser!;
    const reason = (request.body.reason ?? '').trim();
    if (!user.canReadMyNumber) return renderError(reply, 403, '個人番号を表示できません', 'このアカウントには個人番号を扱う権限がありません。');
    const res = await api(user, 'GET', `/onestop/applications/${request.params.id}/my-number${queryString({ reason })}`);
    reply.header('cache-control', 'no-store');
    if (res.status === 200) return applicationPage(request, reply, 200, { myNumber: res.body.myNumber, myNumberReason: reason, notice: '個人番号を表示しました。この表示は記録されています。' });
    if (res.status === 400) return applicationPage(request, reply, 400, { myNumberErrors: { reason: '理由を4文字以上で入力してください。' }, myNumberReason: reason, error: '入力内容を確認してください。', errorHeading: '入力内容に誤りがあります' });
    return applicationPage(request, reply, res.status, { myNumberReason: reason, error: String(res.body?.message ?? '表示できませんでした。'), errorHeading: '個人番号を表示できませんでした' });
  });
}

const DONE = {
  resubmitted: '再提出を受け付けました。ワークフローがもう一度審査します。',
  changed: '変更届出書を記録しました。',
} as const satisfies Record<string, string>;
