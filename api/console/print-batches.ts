import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { PRINTED_DOCUMENT_TITLES, type PrintedDocument } from '../../domain/printed-documents';
import { PRINT_BATCH_KIND_LABELS, PRINT_BATCH_STATUS_LABELS, PRINT_ITEM_REASON_LABELS } from '../../domain/console/operator-labels';
import type { RouteDeps } from '../feature';
import { fieldErrors, type ApiCall } from './api-client';
import { STALE_ANSWER, doneNotice, recordVersion, staleForm, versionAt } from './form-action';
import { OPERATORS, READERS, csrfToken, renderError } from './plugin';
import { jstDateTime } from './view';

/**
 * Print batches (DOCS-1, DOCS-4; issue 17): the list, a batch's manifest, the merged PDF and the
 * manifest CSV as the printer received them, confirming a batch as posted, and returned mail
 * recorded from the batch's envelopes — each through the API's routes as the person.
 */
type Form = Record<string, string | undefined>;
type BatchRequest = FastifyRequest<{ Params: { id: string }; Body: Form; Querystring: Form }>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const label = <K extends string>(labels: Record<K, string>, v: string) => labels[v as K] ?? v;

const batchView = (b: Record<string, any>): Record<string, any> => ({ ...b, statusLabel: label(PRINT_BATCH_STATUS_LABELS, b.status), kindLabel: label(PRINT_BATCH_KIND_LABELS, b.kind) });

/** Now as a JST wall-clock value for a datetime-local field (2026-12-07T09:30). */
const jstLocalNow = () => new Date(Date.now() + 9 * 3_600_000).toISOString().slice(0, 16);

export function registerPrintBatchPages(app: FastifyInstance, { config }: RouteDeps, api: ApiCall): void {
  app.get('/print-batches', { config: { consoleRoles: READERS } }, async (request: FastifyRequest<{ Querystring: Form }>, reply) => {
    const res = await api(request.consoleUser!, 'GET', '/print-batches?limit=100');
    if (res.status !== 200) return renderError(reply, res.status, '印刷バッチを読み込めませんでした', String(res.body?.message ?? ''));
    return reply.view('print-batches.hbs', {
      title: '印刷バッチ',
      csrf: csrfToken(reply),
      canAct: OPERATORS.includes(request.consoleUser!.role),
      batches: (res.body.batches as Record<string, any>[]).map(batchView),
      notice: request.query.done === 'started' ? '臨時の印刷バッチを開始しました。対象がそろうと一覧に出ます。' : undefined,
    });
  });

  // An on-demand batch of everything due now (POST /print-batches), as the person.
  app.post('/print-batches', { config: { consoleRoles: OPERATORS } }, async (request: FastifyRequest<{ Body: Form }>, reply) => {
    const res = await api(request.consoleUser!, 'POST', '/print-batches', {});
    if (res.status !== 202) return renderError(reply, res.status, '印刷バッチを開始できませんでした', String(res.body?.message ?? ''));
    return reply.redirect('/console/print-batches?done=started', 303);
  });

  async function batchPage(request: BatchRequest, reply: FastifyReply, status: number, extra: Record<string, unknown> = {}) {
    const id = request.params.id;
    if (!UUID.test(id)) return renderError(reply, 404, '印刷バッチが見つかりません', `印刷バッチ ${id} はありません。`);
    const res = await api(request.consoleUser!, 'GET', `/print-batches/${id}`);
    if (res.status === 404) return renderError(reply, 404, '印刷バッチが見つかりません', `印刷バッチ ${id} はありません。`);
    if (res.status !== 200) return renderError(reply, res.status, '印刷バッチを読み込めませんでした', String(res.body?.message ?? ''));
    const batch = batchView(res.body.batch);
    const items = (res.body.items as Record<string, any>[]).map((i): Record<string, any> => ({
      ...i,
      reasonLabel: label(PRINT_ITEM_REASON_LABELS, i.reason),
      documentTitles: (i.documents as PrintedDocument[]).map((d) => PRINTED_DOCUMENT_TITLES[d] ?? d).join('・'),
      pages: i.pageFrom ? (i.pageFrom === i.pageTo ? `${i.pageFrom}` : `${i.pageFrom}〜${i.pageTo}`) : '',
    }));
    const can = OPERATORS.includes(request.consoleUser!.role);
    const files = fs.existsSync(path.join(config.documents.dropDir, id, 'batch.pdf'));
    return reply.code(status).view('print-batch.hbs', {
      title: `印刷バッチ ${jstDateTime(batch.createdAt)}`,
      csrf: csrfToken(reply),
      seen: recordVersion(res.body),
      batch,
      items,
      files,
      // A stale form (409) stays on the page with what was typed, even when the batch has moved past it: sent again, the route decides.
      canPost: can && (batch.status === 'handed_off' || (status === 409 && extra.postedAtTyped !== undefined)),
      // Returned mail applies to envelopes that were posted (the API refuses the rest, saying why).
      canReturn: can && items.length > 0 && (batch.status === 'posted' || (status === 409 && extra.returnedDonation !== undefined)),
      returnOptions: items.map((i) => ({ value: i.donationId, label: `${i.portalOrderId}（${i.reasonLabel}）`, selected: i.donationId === extra.returnedDonation })),
      postedAt: jstLocalNow(),
      ...extra,
    });
  }

  app.get('/print-batches/:id', { config: { consoleRoles: READERS } }, async (request: BatchRequest, reply) => {
    const done = request.query.done;
    return batchPage(request, reply, 200, doneNotice(done, DONE));
  });

  // The batch's files as the printer received them (the printing service's drop folder), for a person who may read the batch.
  const file = (name: 'batch.pdf' | 'manifest.csv', type: string) => async (request: BatchRequest, reply: FastifyReply) => {
    const id = request.params.id;
    if (!UUID.test(id)) return renderError(reply, 404, '印刷バッチが見つかりません', `印刷バッチ ${id} はありません。`);
    const res = await api(request.consoleUser!, 'GET', `/print-batches/${id}`);
    if (res.status !== 200) return renderError(reply, res.status === 404 ? 404 : res.status, '印刷バッチが見つかりません', `印刷バッチ ${id} はありません。`);
    const where = path.join(config.documents.dropDir, id, name);
    if (!fs.existsSync(where)) return renderError(reply, 404, 'ファイルがありません', 'このバッチのファイルはまだ作られていないか、印刷会社の受け渡し場所から片付けられています。');
    return reply
      .header('content-type', type)
      .header('content-disposition', `attachment; filename="print-batch-${id.slice(0, 8)}-${name}"`)
      .header('cache-control', 'no-store')
      .send(fs.createReadStream(where));
  };
  app.get('/print-batches/:id/batch.pdf', { config: { consoleRoles: READERS } }, file('batch.pdf', 'application/pdf'));
  app.get('/print-batches/:id/manifest.csv', { config: { consoleRoles: READERS } }, file('manifest.csv', 'text/csv; charset=utf-8'));

  /**
   * The batch as the form saw it (stale-form check of both forms): its state, times and manifest, without the workflow's
   * live state. Returned mail changes the donation, not the batch: an envelope a colleague already recorded is refused by
   * the donation's route in its words.
   */
  const currentVersion = versionAt(api, (request: BatchRequest) => (UUID.test(request.params.id) ? `/print-batches/${request.params.id}` : undefined));

  // The printing service confirms the batch was printed and posted (POST /print-batches/:id/posted; the workflow sends the documents on).
  app.post('/print-batches/:id/posted', { config: { consoleRoles: OPERATORS } }, async (request: BatchRequest, reply) => {
    const typed = (request.body.postedAt ?? '').trim();
    if (await staleForm(request, currentVersion)) return batchPage(request, reply, 409, { postedAtTyped: typed, ...STALE_ANSWER });
    // A JST wall-clock time from the form; the API takes an instant.
    const postedAt = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(typed) ? new Date(`${typed}:00+09:00`).toISOString() : typed;
    const res = await api(request.consoleUser!, 'POST', `/print-batches/${request.params.id}/posted`, { postedAt });
    if (res.status === 202) return reply.redirect(`/console/print-batches/${request.params.id}?done=posted`, 303);
    if (res.status === 400) {
      const errors = fieldErrors(res.body);
      return batchPage(request, reply, 400, { postErrors: { postedAt: errors.postedAt ?? '日時を確かめてください。' }, postedAtTyped: typed, error: '入力内容を確認してください。', errorHeading: '入力内容に誤りがあります' });
    }
    return batchPage(request, reply, res.status, { error: String(res.body?.message ?? '操作できませんでした。'), errorHeading: '投函を確認できませんでした', postedAtTyped: typed });
  });

  // DOCS-4: an envelope of this batch came back (POST /donations/:id/returned-mail).
  app.post('/print-batches/:id/returned-mail', { config: { consoleRoles: OPERATORS } }, async (request: BatchRequest, reply) => {
    const donationId = request.body.donationId ?? '';
    const reason = request.body.reason ?? '';
    const keep = { returnedDonation: donationId, reasonReturned: reason };
    if (await staleForm(request, currentVersion)) return batchPage(request, reply, 409, { ...keep, ...STALE_ANSWER });
    if (!UUID.test(donationId)) return batchPage(request, reply, 400, { ...keep, returnErrors: { donationId: '返戻された封筒の受付番号を選んでください。' }, error: '入力内容を確認してください。', errorHeading: '入力内容に誤りがあります' });
    const res = await api(request.consoleUser!, 'POST', `/donations/${donationId}/returned-mail`, { reason });
    if (res.status === 202) return reply.redirect(`/console/print-batches/${request.params.id}?done=returned`, 303);
    if (res.status === 400) return batchPage(request, reply, 400, { ...keep, returnErrors: fieldErrors(res.body), error: '入力内容を確認してください。', errorHeading: '入力内容に誤りがあります' });
    return batchPage(request, reply, res.status, { ...keep, error: String(res.body?.message ?? '操作できませんでした。'), errorHeading: '返戻を記録できませんでした' });
  });
}

const DONE = {
  posted: '投函を確認しました。ワークフローが各寄附を「書類発送済み」に進めます。',
  returned: '郵便物の返戻を記録しました。寄附のページで住所を確認してください。',
} as const satisfies Record<string, string>;
