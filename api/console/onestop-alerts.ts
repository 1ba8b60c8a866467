import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ApiCall } from './api-client';
import { formAction, type Form } from './form-action';
import { READERS, csrfToken, renderError } from './plugin';

/**
 * The one-stop alerts (ONESTOP-4 reminders and problems, REC-1 proposals; issue 17): the open ones from
 * GET /onestop/alerts?open=true, newest first, each marked as seen with POST /onestop/alerts/:id/acknowledge
 * as the person. Home's count links here.
 */
type AlertRequest = FastifyRequest<{ Params: { id: string }; Querystring: Form; Body: Form }>;

const KIND_LABELS: Record<string, string> = {
  notification_due: '通知の期限が近い',
  notification_problems: '通知に問題あり',
  notification_delivered: '通知の送付を完了',
  destruction_proposed: '廃棄の提案',
  handling_report: '取扱状況の報告',
};

export function registerOneStopAlertPage(app: FastifyInstance, api: ApiCall): void {
  async function alertsPage(request: AlertRequest, reply: FastifyReply, status: number, extra: Record<string, unknown> = {}) {
    const res = await api(request.consoleUser!, 'GET', '/onestop/alerts?open=true');
    if (res.status !== 200) return renderError(reply, res.status, 'アラートを読み込めませんでした', String(res.body?.message ?? ''));
    return reply.code(status).view('onestop-alerts.hbs', {
      title: 'ワンストップのアラート',
      csrf: csrfToken(reply),
      alerts: (res.body.alerts as Record<string, any>[]).map((a) => ({ ...a, kindLabel: KIND_LABELS[a.kind] ?? a.kind })),
      ...extra,
    });
  }

  app.get('/onestop/alerts', { config: { consoleRoles: READERS } }, async (request: AlertRequest, reply) => alertsPage(request, reply, 200, request.query.done ? { notice: 'アラートを確認済みにしました。' } : {}));
  app.post(
    '/onestop/alerts/:id/acknowledge',
    { config: { consoleRoles: READERS } },
    formAction(api, alertsPage, { route: (request) => `/onestop/alerts/${encodeURIComponent(request.params.id)}/acknowledge`, payload: () => ({}), form: 'acknowledge', back: () => '/console/onestop/alerts?done=1' }),
  );
}
