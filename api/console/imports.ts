import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { portalsWithAdapters } from '../../domain/portals';
import type { ConsoleDeps } from './deps';
import { queryString, type ApiCall } from './api-client';
import { OPERATORS, READERS, csrfToken, renderError } from './plugin';

/**
 * Imports (PORTAL-1, INTAKE-3): upload a portal file (POST /intake/imports, the file's bytes handed on
 * as they came), watch its progress (the page refreshes itself while the import runs — a meta refresh,
 * no script), read the per-row report; the open quarantine, and a quarantined row's cells as a form
 * to fix and re-submit (POST /intake/quarantine/:id/resubmit).
 */
type Form = Record<string, string | undefined>;

const OUTCOME_LABELS: Record<string, string> = { created: '登録', unchanged: '変更なし', quarantined: '隔離', updated: '更新' };
const FILE_STATUS_LABELS: Record<string, string> = { stored: '受付済み（取込待ち）', running: '取込中', done: '取込完了', failed: '失敗' };

export function registerImportPages(app: FastifyInstance, deps: ConsoleDeps, api: ApiCall): void {
  const portals = portalsWithAdapters(deps.config.intake.mappingsDir);
  const { portalLabel } = deps;
  // The upload's body is handed to the API as it came (the API parses and screens the multipart).
  app.addContentTypeParser('multipart/form-data', (_request, payload, done) => done(null, payload));

  const listPage = async (request: FastifyRequest<{ Querystring: Form }>, reply: FastifyReply, status: number, extra: Record<string, unknown> = {}) => {
    const chosen = portals.includes(request.query.portal ?? '') ? request.query.portal : undefined;
    const files = await api(request.consoleUser!, 'GET', '/intake/imports?limit=20');
    return reply.code(status).view('imports.hbs', {
      title: '取込',
      csrf: csrfToken(reply),
      canUpload: OPERATORS.includes(request.consoleUser!.role),
      portals: portals.map((p) => ({ value: p, label: portalLabel(p), selected: p === chosen })),
      chosen: chosen && { value: chosen, label: portalLabel(chosen) },
      files: ((files.body?.files ?? []) as Record<string, any>[]).map((f) => ({ ...f, portalLabel: portalLabel(f.portal), statusLabel: FILE_STATUS_LABELS[f.status] ?? f.status })),
      ...extra,
    });
  };

  app.get('/imports', { config: { consoleRoles: READERS } }, async (request: FastifyRequest<{ Querystring: Form }>, reply) => listPage(request, reply, 200));

  app.post('/imports', { config: { consoleRoles: OPERATORS } }, async (request: FastifyRequest<{ Querystring: Form }>, reply) => {
    const portal = request.query.portal ?? '';
    const res = await api(request.consoleUser!, 'POST', `/intake/imports${queryString({ portal, wait: 'false' })}`, request.body, { 'content-type': request.headers['content-type'] ?? '' });
    if (res.status >= 200 && res.status < 300) return reply.redirect(`/console/imports/${res.body.file.id}`, 303);
    const reasons = ((res.body?.fields ?? []) as { field: string; reason: string }[]).map((f) => (f.field === 'querystring.portal' ? 'ポータルを選んでください' : `${f.field === 'file' ? 'ファイル' : f.field}: ${f.reason}`));
    return listPage(request, reply, res.status, { error: `取り込めませんでした。何も登録されていません。${reasons.join(' ') || String(res.body?.message ?? '')}`, errorHeading: 'ファイルを受け付けられませんでした' });
  });

  app.get('/imports/:id', { config: { consoleRoles: READERS } }, async (request: FastifyRequest<{ Params: { id: string } }>, reply) => {
    const res = await api(request.consoleUser!, 'GET', `/intake/imports/${encodeURIComponent(request.params.id)}?limit=1000`);
    if (res.status !== 200) return renderError(reply, res.status === 400 ? 404 : res.status, '取込が見つかりません', `取込 ${request.params.id} はありません。`);
    const { file, rows } = res.body;
    const running = file.status === 'stored' || file.status === 'running';
    return reply.view('import.hbs', {
      title: `取込 ${file.fileName}`,
      refresh: running ? 3 : undefined,
      file: { ...file, portalLabel: portalLabel(file.portal), statusLabel: FILE_STATUS_LABELS[file.status] ?? file.status },
      running,
      rows: (rows as Record<string, any>[]).map((r) => ({ ...r, outcomeLabel: OUTCOME_LABELS[r.outcome] ?? r.outcome })),
    });
  });

  app.get('/quarantine', { config: { consoleRoles: READERS } }, async (request, reply) => {
    const res = await api(request.consoleUser!, 'GET', '/intake/quarantine?limit=200');
    return reply.view('quarantine.hbs', { title: '隔離された行', total: res.body?.total ?? 0, entries: ((res.body?.entries ?? []) as Record<string, any>[]).map((e) => ({ ...e, portalLabel: portalLabel(e.portal) })) });
  });

  const entryPage = async (request: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply, status: number, extra: Record<string, unknown> = {}) => {
    const res = await api(request.consoleUser!, 'GET', `/intake/quarantine/${encodeURIComponent(request.params.id)}`);
    if (res.status !== 200) return renderError(reply, res.status === 400 ? 404 : res.status, '隔離された行が見つかりません', `行 ${request.params.id} はありません。`);
    const entry = res.body.entry;
    const issues = (extra.issues ?? entry.issues) as { column?: string; reason: string }[];
    const typed = (extra.typed ?? {}) as Form;
    const cells = Object.entries((entry.rows[0] ?? {}) as Record<string, string>).map(([column, original], i) => {
      const current = entry.corrections?.[column] ?? original;
      return { column, i, value: typed[`c${i}`] ?? current, original, error: issues.filter((x) => x.column === column).map((x) => x.reason).join('; ') };
    });
    // Columns the issues name but the row left empty (e.g. a missing prefecture) are offered too.
    for (const issue of issues) if (issue.column && !cells.some((c) => c.column === issue.column)) cells.push({ column: issue.column, i: cells.length, value: typed[`c${cells.length}`] ?? '', original: '', error: issue.reason });
    return reply.code(status).view('quarantine-entry.hbs', {
      title: `隔離された行 ${entry.portalOrderId ?? entry.id}`,
      csrf: csrfToken(reply),
      entry: { ...entry, portalLabel: portalLabel(entry.portal) },
      cells,
      rowIssues: issues.filter((x) => !x.column),
      open: entry.status === 'open',
      canFix: OPERATORS.includes(request.consoleUser!.role) && entry.status === 'open',
      ...extra,
    });
  };

  app.get('/quarantine/:id', { config: { consoleRoles: READERS } }, async (request: FastifyRequest<{ Params: { id: string } }>, reply) => entryPage(request, reply, 200));

  app.post('/quarantine/:id', { config: { consoleRoles: OPERATORS } }, async (request: FastifyRequest<{ Params: { id: string }; Body: Form }>, reply) => {
    const user = request.consoleUser!;
    const current = await api(user, 'GET', `/intake/quarantine/${encodeURIComponent(request.params.id)}`);
    if (current.status !== 200) return entryPage(request, reply, 404);
    const entry = current.body.entry;
    const columns = Object.keys(entry.rows[0] ?? {});
    for (const issue of entry.issues as { column?: string }[]) if (issue.column && !columns.includes(issue.column)) columns.push(issue.column);
    // Only the cells the person changed are corrections.
    const corrections: Record<string, string> = {};
    columns.forEach((column, i) => {
      const typed = request.body[`c${i}`];
      const before = entry.corrections?.[column] ?? entry.rows[0]?.[column] ?? '';
      if (typed !== undefined && typed !== before) corrections[column] = typed;
    });
    const res = await api(user, 'POST', `/intake/quarantine/${encodeURIComponent(request.params.id)}/resubmit`, { corrections });
    if (res.status === 200) return reply.redirect(`/console/donations/${res.body.donationId}?done=resubmitted`, 303);
    if (res.status === 422) return entryPage(request, reply, 422, { issues: res.body.issues, typed: request.body, error: 'まだ直すところがあります。各項目のメッセージを確認してください。' });
    return entryPage(request, reply, res.status, { typed: request.body, error: String(res.body?.message ?? '再登録できませんでした。'), errorHeading: '再登録できませんでした' });
  });
}
