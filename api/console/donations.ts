import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DONATION_STATUSES, PAYMENT_METHODS } from '../../domain/donation-status';
import { DONOR_FIELDS } from '../../domain/donor';
import { PORTAL_CATALOGUE } from '../../domain/portals/catalogue';
import { CHANNEL_LABELS, DONATION_STATUS_LABELS, ONESTOP_STATUS_LABELS, PAYMENT_METHOD_LABELS, SHIPMENT_STATUS_LABELS } from '../../domain/console/labels';
import { donationsByOrderId } from '../../ledger/console-lookup';
import type { ConsoleDeps } from './deps';
import { fieldErrors, queryString, type ApiCall } from './api-client';
import { OPERATORS, READERS, csrfToken, renderError } from './plugin';
import { doneNotice } from './form-action';

/**
 * Donations (LEDGER-2, INTAKE-2, INTAKE-4): the search with every filter of GET /donations, a paged
 * table with totals, the streamed CSV export, `?q=` for an order number, donor name or kana; the
 * donation's page; and its actions, each through the API route that runs it through the workflow.
 */
type Form = Record<string, string | string[] | undefined>;

const PAGE_SIZE = 50;
/** The filters of GET /donations the form offers, passed through as they are (the API validates them). */
const FILTERS = ['status', 'portal', 'gift', 'supplier', 'prefecture', 'appliedFrom', 'appliedTo', 'paidFrom', 'paidTo', 'amountMin', 'amountMax', 'reviewFlagged', 'reviewFlag', 'disasterRelief', 'wantsOneStop', 'onestopStatus', 'shipmentStatus', 'donor', 'donorKana', 'atRisk'] as const;
const ORDER_ID = /^[\x21-\x7e]{3,64}$/;

const one = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);
const many = (v: string | string[] | undefined): string[] => (v === undefined || v === '' ? [] : Array.isArray(v) ? v.filter(Boolean) : [v]);

const options = (values: readonly string[], labels: Record<string, string>, selected: string[]) => values.map((value) => ({ value, label: labels[value] ?? value, selected: selected.includes(value) }));

export function registerDonationPages(app: FastifyInstance, { config, orm, portalLabel }: ConsoleDeps, api: ApiCall): void {
  const knex = orm.em.getKnex();

  app.get('/donations', { config: { consoleRoles: READERS } }, async (request: FastifyRequest<{ Querystring: Form }>, reply) => {
    const user = request.consoleUser!;
    const query = request.query;
    const q = one(query.q)?.trim() ?? '';
    const filters: Record<string, string | string[]> = {};
    for (const f of FILTERS) {
      const values = many(query[f]);
      if (values.length) filters[f] = values.length === 1 ? values[0] : values;
    }
    let matchesByOrder: { id: string; portal: string; portalOrderId: string }[] = [];
    if (q) {
      if (ORDER_ID.test(q)) {
        matchesByOrder = await donationsByOrderId(knex, q);
        if (matchesByOrder.length === 1 && Object.keys(filters).length === 0) return reply.redirect(`/console/donations/${matchesByOrder[0].id}`, 303);
      } else {
        // Kana (katakana or hiragana) or a name: the API's donor filter matches part of either.
        filters.donor = q;
      }
    }
    const offset = Math.max(0, Math.min(100_000, Number(one(query.offset)) || 0));
    const searched = !q || !ORDER_ID.test(q) || matchesByOrder.length === 0 ? await api(user, 'GET', `/donations${queryString({ ...filters, limit: PAGE_SIZE, offset })}`) : undefined;
    const errors = searched && searched.status === 400 ? fieldErrors(searched.body) : {};
    const result = searched?.status === 200 ? searched.body : undefined;
    const selected = (k: string) => many(query[k]);
    const pageLink = (o: number) => `/console/donations${queryString({ ...filters, q: q || undefined, offset: o || undefined })}`;
    return reply.code(searched && searched.status !== 200 ? 400 : 200).view('donations.hbs', {
      title: '寄附の検索',
      q,
      form: Object.fromEntries(FILTERS.map((f) => [f, one(query[f]) ?? ''])),
      errors,
      error: Object.keys(errors).length ? '検索条件を確認してください。' : undefined,
      statuses: options(DONATION_STATUSES, DONATION_STATUS_LABELS, selected('status')),
      portals: options(PORTAL_CATALOGUE.map((p) => p.code), Object.fromEntries(PORTAL_CATALOGUE.map((p) => [p.code, p.name])), selected('portal')),
      onestopStatuses: options(Object.keys(ONESTOP_STATUS_LABELS), ONESTOP_STATUS_LABELS, selected('onestopStatus')),
      shipmentStatuses: options(Object.keys(SHIPMENT_STATUS_LABELS), SHIPMENT_STATUS_LABELS, selected('shipmentStatus')),
      atRisk: one(query.atRisk) === 'true',
      matchesByOrder: matchesByOrder.map((m) => ({ ...m, portalLabel: portalLabel(m.portal) })),
      result: result && {
        ...result,
        rows: result.rows.map((r: Record<string, any>) => ({ ...r, statusLabel: DONATION_STATUS_LABELS[r.status as keyof typeof DONATION_STATUS_LABELS] ?? r.status, portalLabel: portalLabel(r.portal) })),
        from: result.rows.length ? offset + 1 : 0,
        to: offset + result.rows.length,
        prev: offset > 0 ? pageLink(Math.max(0, offset - PAGE_SIZE)) : undefined,
        next: result.rows.length === PAGE_SIZE && offset + PAGE_SIZE <= 100_000 ? pageLink(offset + PAGE_SIZE) : undefined,
      },
      exportHref: `/console/donations/export${queryString(filters)}`,
      exportSjisHref: `/console/donations/export${queryString({ ...filters, encoding: 'sjis' })}`,
    });
  });

  // The API's streamed export, as the person (the CSV is handed through as the API answers it).
  app.get('/donations/export', { config: { consoleRoles: READERS } }, async (request: FastifyRequest<{ Querystring: Form }>, reply) => {
    const params: Record<string, unknown> = {};
    for (const f of [...FILTERS, 'encoding']) if (request.query[f] !== undefined) params[f] = request.query[f];
    const res = await api(request.consoleUser!, 'GET', `/donations/export${queryString(params)}`);
    if (res.status !== 200) return renderError(reply, res.status, 'CSVを作成できませんでした', JSON.stringify(res.body?.fields ?? res.body?.message ?? ''));
    const sjis = params.encoding === 'sjis';
    const stamp = new Date(Date.now() + 9 * 3600_000).toISOString().slice(0, 10).replace(/-/g, '');
    return reply
      .header('content-type', sjis ? 'text/csv; charset=Shift_JIS' : 'text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="donations-${stamp}.csv"`)
      .header('cache-control', 'no-store')
      .send(sjis ? Buffer.from(res.body as string, 'latin1') : res.body);
  });

  /** Everything the donation page shows, from the API as the person. */
  async function donationPage(request: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply, status: number, extra: Record<string, unknown> = {}) {
    const user = request.consoleUser!;
    const id = request.params.id;
    const path = encodeURIComponent(id);
    // Side by side: the page waits for the slowest answer (the workflow's live state), not the sum.
    const [detail, events, shipments, receipts] = await Promise.all([
      api(user, 'GET', `/donations/${path}`),
      api(user, 'GET', `/donations/${path}/events`),
      api(user, 'GET', `/shipments?donationId=${path}`),
      api(user, 'GET', `/donations/${path}/receipts`),
    ]);
    if (detail.status === 404 || detail.status === 400) return renderError(reply, 404, '寄附が見つかりません', `寄附 ${id} はありません。`);
    if (detail.status !== 200) return renderError(reply, detail.status, '寄附を読み込めませんでした', String(detail.body?.message ?? ''));
    const d = detail.body.donation;
    const workflow = detail.body.workflow;
    const eventList = (events.body?.events ?? []) as Record<string, any>[];
    const liveStatus = workflow?.status ?? d.status;
    const can = OPERATORS.includes(user.role);
    return reply.code(status).view('donation.hbs', {
      title: `寄附 ${d.portalOrderId}`,
      csrf: csrfToken(reply),
      d: {
        ...d,
        portalLabel: portalLabel(d.portal),
        channelLabel: CHANNEL_LABELS[d.channel as keyof typeof CHANNEL_LABELS] ?? d.channel,
        paymentLabel: PAYMENT_METHOD_LABELS[d.paymentMethod as keyof typeof PAYMENT_METHOD_LABELS] ?? d.paymentMethod,
        statusLabel: DONATION_STATUS_LABELS[liveStatus as keyof typeof DONATION_STATUS_LABELS] ?? liveStatus,
      },
      workflow,
      workflowJson: workflow ? JSON.stringify(workflow, null, 2) : null,
      temporalUrl: `${config.console.temporalUiUrl}/namespaces/${encodeURIComponent(config.temporal.namespace)}/workflows/${encodeURIComponent(d.workflowId)}`,
      events: [...eventList].reverse().map((e) => ({ ...e, toLabel: e.toStatus ? (DONATION_STATUS_LABELS[e.toStatus as keyof typeof DONATION_STATUS_LABELS] ?? e.toStatus) : null })),
      seen: eventList.length ? eventList[eventList.length - 1].id : '',
      shipments: ((shipments.body?.shipments ?? []) as Record<string, any>[]).map((s) => ({ ...s, statusLabel: SHIPMENT_STATUS_LABELS[s.status] ?? s.status })),
      receipts: receipts.body?.receipts ?? [],
      canAct: can,
      canCorrect: can && !['completed', 'cancelled'].includes(liveStatus),
      canRelease: can && liveStatus === 'held',
      canPay: can && ['received', 'held', 'awaiting_payment'].includes(liveStatus),
      canCancel: can && ['received', 'held', 'awaiting_payment', 'paid', 'documents_due'].includes(liveStatus),
      canReturn: can && liveStatus === 'documents_sent',
      canConfirmAddress: can && liveStatus === 'mail_returned',
      canReissue: can && ['documents_sent', 'mail_returned', 'completed'].includes(liveStatus),
      canShipTo: can && !['completed', 'cancelled'].includes(liveStatus),
      shipToForm: d.shipTo ?? {},
      paymentMethods: PAYMENT_METHODS.map((m) => ({ value: m, label: PAYMENT_METHOD_LABELS[m], selected: m === d.paymentMethod })),
      donorForm: d.donor,
      ...extra,
    });
  }

  app.get('/donations/:id', { config: { consoleRoles: READERS } }, async (request: FastifyRequest<{ Params: { id: string }; Querystring: Form }>, reply) => {
    const done = one(request.query.done);
    return donationPage(request, reply, 200, doneNotice(done, DONE));
  });

  /** Stale-form check: the form carries the last event it saw; a newer one means someone changed the donation meanwhile. */
  async function stale(request: FastifyRequest<{ Params: { id: string }; Body: Form }>): Promise<boolean> {
    const events = await api(request.consoleUser!, 'GET', `/donations/${request.params.id}/events`);
    const list = (events.body?.events ?? []) as { id: string }[];
    const last = list.length ? list[list.length - 1].id : '';
    return last !== (one(request.body.seen) ?? '');
  }
  const STALE = 'この寄附は、画面を開いた後に別の操作で変更されました。入力内容は上書きしていません。最新の内容を確認してから、もう一度操作してください。';

  /** An action's answer: done → back to the page with a message; a 400 → the form again with the messages at the fields; 409 → said plainly. */
  async function answer(request: FastifyRequest<{ Params: { id: string }; Body: Form }>, reply: FastifyReply, res: { status: number; body: any }, done: keyof typeof DONE, form: string, extra: Record<string, unknown> = {}, prefix: RegExp = /^changes\./) {
    if (res.status >= 200 && res.status < 300) return reply.redirect(`/console/donations/${request.params.id}?done=${done}`, 303);
    if (res.status === 400) return donationPage(request, reply, 400, { [`${form}Errors`]: fieldErrors(res.body, prefix), error: '入力内容を確認してください。', errorHeading: '入力内容に誤りがあります', ...extra });
    return donationPage(request, reply, res.status === 409 ? 409 : res.status, { error: String(res.body?.message ?? '操作できませんでした。'), errorHeading: '操作できませんでした', ...extra });
  }

  type Action = FastifyRequest<{ Params: { id: string }; Body: Form }>;

  /** The donor fields as typed, and the changes against the donor as the ledger has it now. */
  async function donorChanges(request: Action): Promise<{ typed: Record<string, string>; changes: Record<string, string | null> }> {
    const typed: Record<string, string> = {};
    for (const f of DONOR_FIELDS) typed[f] = (one(request.body[f]) ?? '').trim();
    const current = (await api(request.consoleUser!, 'GET', `/donations/${request.params.id}`)).body?.donation?.donor ?? {};
    const changes: Record<string, string | null> = {};
    for (const f of DONOR_FIELDS) {
      const before = current[f] ?? '';
      if (typed[f] !== before) changes[f] = typed[f] === '' && (f === 'phone' || f === 'email') ? null : typed[f];
    }
    return { typed, changes };
  }

  app.post('/donations/:id/donor', { config: { consoleRoles: OPERATORS } }, async (request: Action, reply) => {
    const keep = { donorForm: Object.fromEntries(DONOR_FIELDS.map((f) => [f, one(request.body[f]) ?? ''])), reasonDonor: one(request.body.reason) ?? '' };
    if (await stale(request)) return donationPage(request, reply, 409, { error: STALE, errorHeading: 'ほかの人が先に変更しました', ...keep });
    const { changes } = await donorChanges(request);
    if (Object.keys(changes).length === 0) return donationPage(request, reply, 400, { error: '変更された項目がありません。', errorHeading: '入力内容を確認してください', ...keep });
    const res = await api(request.consoleUser!, 'POST', `/donations/${request.params.id}/corrections`, { reason: one(request.body.reason) ?? '', changes });
    return answer(request, reply, res, 'donor', 'donor', keep);
  });

  // DOCS-4: after returned mail, the address is confirmed (and corrected if need be); the documents go out again.
  app.post('/donations/:id/address', { config: { consoleRoles: OPERATORS } }, async (request: Action, reply) => {
    const keep = { donorForm: Object.fromEntries(DONOR_FIELDS.map((f) => [f, one(request.body[f]) ?? ''])), reasonAddress: one(request.body.reason) ?? '' };
    if (await stale(request)) return donationPage(request, reply, 409, { error: STALE, errorHeading: 'ほかの人が先に変更しました', ...keep });
    const { changes } = await donorChanges(request);
    const res = await api(request.consoleUser!, 'POST', `/donations/${request.params.id}/address-confirmation`, { reason: one(request.body.reason) ?? '', changes });
    return answer(request, reply, res, 'address', 'address', keep);
  });

  app.post('/donations/:id/returned-mail', { config: { consoleRoles: OPERATORS } }, async (request: Action, reply) => {
    if (await stale(request)) return donationPage(request, reply, 409, { error: STALE, errorHeading: 'ほかの人が先に変更しました' });
    const res = await api(request.consoleUser!, 'POST', `/donations/${request.params.id}/returned-mail`, { reason: one(request.body.reason) ?? '' });
    return answer(request, reply, res, 'returned', 'returned', { reasonReturned: one(request.body.reason) });
  });

  app.post('/donations/:id/reissue', { config: { consoleRoles: OPERATORS } }, async (request: Action, reply) => {
    if (await stale(request)) return donationPage(request, reply, 409, { error: STALE, errorHeading: 'ほかの人が先に変更しました' });
    const res = await api(request.consoleUser!, 'POST', `/donations/${request.params.id}/receipts/reissue`, { reason: one(request.body.reason) ?? '' });
    return answer(request, reply, res, 'reissue', 'reissue', { reasonReissue: one(request.body.reason) });
  });

  // 送付先: through the workflow's correctShipTo update (PUT /donations/:id/ship-to); "to the donor" removes it.
  app.post('/donations/:id/ship-to', { config: { consoleRoles: OPERATORS } }, async (request: Action, reply) => {
    const fields = ['name', 'nameKana', 'postalCode', 'prefecture', 'address', 'phone'] as const;
    const typed = Object.fromEntries(fields.map((f) => [f, (one(request.body[`shipTo_${f}`]) ?? '').trim()]));
    const keep = { shipToForm: typed, reasonShipTo: one(request.body.reason) ?? '' };
    if (await stale(request)) return donationPage(request, reply, 409, { error: STALE, errorHeading: 'ほかの人が先に変更しました', ...keep });
    const shipTo = one(request.body.toDonor) === 'on' ? null : Object.fromEntries(Object.entries(typed).filter(([, v]) => v !== ''));
    const res = await api(request.consoleUser!, 'PUT', `/donations/${request.params.id}/ship-to`, { reason: one(request.body.reason) ?? '', shipTo });
    return answer(request, reply, res, 'shipTo', 'shipTo', keep, /^shipTo\./);
  });

  app.post('/donations/:id/release', { config: { consoleRoles: OPERATORS } }, async (request: Action, reply) => {
    if (await stale(request)) return donationPage(request, reply, 409, { error: STALE, errorHeading: 'ほかの人が先に変更しました' });
    const res = await api(request.consoleUser!, 'POST', `/donations/${request.params.id}/review/release`, { reason: one(request.body.reason) ?? '' });
    return answer(request, reply, res, 'release', 'release', { reasonRelease: one(request.body.reason) });
  });

  app.post('/donations/:id/cancel', { config: { consoleRoles: OPERATORS } }, async (request: Action, reply) => {
    if (await stale(request)) return donationPage(request, reply, 409, { error: STALE, errorHeading: 'ほかの人が先に変更しました' });
    const res = await api(request.consoleUser!, 'POST', `/donations/${request.params.id}/cancel`, { reason: one(request.body.reason) ?? '' });
    return answer(request, reply, res, 'cancel', 'cancel', { reasonCancel: one(request.body.reason) });
  });

  app.post('/donations/:id/payment', { config: { consoleRoles: OPERATORS } }, async (request: Action, reply) => {
    if (await stale(request)) return donationPage(request, reply, 409, { error: STALE, errorHeading: 'ほかの人が先に変更しました' });
    const day = one(request.body.paidOn) ?? '';
    // A JST calendar day from the form; the API takes an instant.
    const paidAt = /^\d{4}-\d{2}-\d{2}$/.test(day) ? new Date(`${day}T00:00:00+09:00`).toISOString() : day;
    const res = await api(request.consoleUser!, 'POST', `/donations/${request.params.id}/payment`, { paidAt, method: one(request.body.method) || undefined, reference: one(request.body.reference) || undefined });
    const errors = res.status === 400 ? fieldErrors(res.body) : {};
    if (errors.paidAt) errors.paidOn = errors.paidAt;
    if (res.status === 400) return donationPage(request, reply, 400, { paymentErrors: errors, error: '入力内容を確認してください。', errorHeading: '入力内容に誤りがあります', paidOn: day });
    return answer(request, reply, res, 'payment', 'payment');
  });
}

const DONE = {
  created: '寄附を登録しました。ワークフローが処理を始めます。',
  resubmitted: '隔離されていた行を直して登録しました。ワークフローが処理を始めます。',
  donor: '寄附者の情報を訂正しました。',
  release: '審査保留を解除しました。ワークフローが処理を続けます。',
  cancel: '取消を受け付けました。ワークフローが処理します。',
  payment: '入金確認を受け付けました。ワークフローが処理を続けます。',
  address: '住所を確認しました。書類をもう一度送ります。',
  returned: '郵便物の返戻を記録しました。',
  reissue: '受領証明書の再発行を受け付けました。次の印刷バッチで印刷します。',
  shipTo: '送付先を変更しました。',
} as const satisfies Record<string, string>;
