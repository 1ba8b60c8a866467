import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { RouteDeps } from '../feature';
import type { ApiCall } from './api-client';
import { jstDate } from '../../domain/jst';
import { isPastMonth, monthLabel } from '../../domain/reports/month';
import { csrfToken, OPERATORS, READERS, renderError } from './plugin';
import { defined, formAction, trimmed, type FormRequest } from './form-action';
import { CITY_DESK, download } from './supplier-shared';

/**
 * Monthly reports (REPORT-2) and their revisions to download, each month's inspection (REPORT-1,
 * decided at /console/approvals/reports/:month), and the incidents reported to the city (SEC-3).
 * A month's strategy meeting (REPORT-3): its pack to download and the minutes recorded against it.
 */
type Req = FastifyRequest<{ Params: { month: string; revision: string; kind: string } }>;

const INSPECTION_LABELS: Record<string, string> = { not_built: '未作成', awaiting_inspection: '検査待ち', passed: '合格', returned: '差戻し（再作成待ち）' };

export function registerCityReportPages(app: FastifyInstance, _deps: RouteDeps, api: ApiCall): void {
  app.get('/reports', { config: { consoleRoles: CITY_DESK } }, async (request, reply) => {
    const user = request.consoleUser!;
    const [reports, incidents] = await Promise.all([api(user, 'GET', '/reports/monthly?limit=120'), api(user, 'GET', '/incidents')]);
    const revisions = (reports.body?.reports ?? []) as Record<string, any>[];
    const months = [...new Set(revisions.map((r) => r.month as string))];
    const states = await Promise.all(months.map((m) => api(user, 'GET', `/reports/monthly/${m}/inspection`)));
    return reply.view('city/reports.hbs', {
      title: '月次報告書・事故',
      months: months.map((month, i) => ({
        month,
        inspection: INSPECTION_LABELS[states[i].body?.status] ?? states[i].body?.status,
        revisions: revisions.filter((r) => r.month === month).map((r) => ({ ...r, pdf: `/console/reports/${month}/${r.revision}/report.pdf`, csv: `/console/reports/${month}/${r.revision}/report.csv` })),
      })),
      incidents: incidents.body?.incidents ?? [],
    });
  });

  // REPORT-3: the month's strategy meeting — the pack (GET /reports/monthly/:month/meeting-pack) and its minutes, oldest first;
  // operators and admins record the minutes through the API's own route (POST …/meeting-minutes).
  const meetingPage = async (request: FormRequest, reply: FastifyReply, status: number, extra: Record<string, unknown> = {}) => {
    const { month } = request.params;
    const res = await api(request.consoleUser!, 'GET', `/reports/monthly/${encodeURIComponent(month)}/meeting-minutes`);
    if (res.status === 400) return renderError(reply, 404, 'ページが見つかりません', '対象月は YYYY-MM で指定してください。');
    if (res.status !== 200) return renderError(reply, res.status, '議事録を読めませんでした', String(res.body?.message ?? ''));
    const minutes = (res.body.minutes as Record<string, any>[]).map((m): Record<string, any> => ({ ...m, lines: String(m.body).split(/\r?\n/) }));
    const typed = (extra.minutesTyped ?? {}) as Record<string, string | undefined>;
    return reply.code(status).view('city/meeting.hbs', {
      title: `戦略会議 ${monthLabel(month)}`,
      month,
      label: monthLabel(month),
      pack: isPastMonth(month, jstDate(new Date())) ? `/console/reports/${month}/meeting-pack.zip` : null,
      minutes,
      canRecord: OPERATORS.includes(request.consoleUser!.role),
      csrf: csrfToken(reply),
      form: typed,
      errors: extra.minutesErrors ?? {},
      corrects: minutes.map((m) => ({ value: m.id, label: `記録 ${m.id}（${m.heldOn} 開催）`, selected: m.id === typed.corrects })),
      ...extra,
    });
  };
  app.get('/reports/:month/meeting', { config: { consoleRoles: READERS } }, async (request: FormRequest, reply) =>
    meetingPage(request, reply, 200, request.query.done === 'minutes' ? { notice: '議事録を記録しました。' } : {}),
  );
  app.post(
    '/reports/:month/meeting-minutes',
    { config: { consoleRoles: OPERATORS } },
    formAction<FormRequest>(api, meetingPage, {
      route: (request) => `/reports/monthly/${encodeURIComponent(request.params.month)}/meeting-minutes`,
      payload: (f) => defined({ heldOn: trimmed(f.heldOn), attendees: trimmed(f.attendees), body: trimmed(f.body), corrects: trimmed(f.corrects) }),
      form: 'minutes',
      fields: ['heldOn', 'attendees', 'body', 'corrects'],
      back: (request) => `/console/reports/${encodeURIComponent(request.params.month)}/meeting?done=minutes`,
    }),
  );

  app.get('/reports/:month/meeting-pack.zip', { config: { consoleRoles: READERS } }, async (request: Req, reply) => {
    const { month } = request.params;
    return download(reply, await api(request.consoleUser!, 'GET', `/reports/monthly/${encodeURIComponent(month)}/meeting-pack`), `meeting-pack-${month}.zip`, 'application/zip');
  });

  app.get('/reports/:month/:revision/report.:kind', { config: { consoleRoles: READERS } }, async (request: Req, reply) => {
    const { month, revision, kind } = request.params;
    if (kind !== 'pdf' && kind !== 'csv') return download(reply, { status: 404, body: {}, raw: Buffer.alloc(0) }, '', '');
    const res = await api(request.consoleUser!, 'GET', `/reports/monthly/${encodeURIComponent(month)}/revisions/${encodeURIComponent(revision)}/report.${kind}`);
    return download(reply, res, `monthly-report-${month}-r${revision}.${kind}`, kind === 'pdf' ? 'application/pdf' : 'text/csv; charset=utf-8');
  });
}
