import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { SHIPMENT_STATUS_LABELS } from '../../domain/console/labels';
import { TROUBLE_KIND_LABELS } from '../../domain/console/operator-labels';
import type { RouteDeps } from '../feature';
import { donationQueues, fieldErrors, type ApiCall } from './api-client';
import { STALE_ANSWER, doneNotice, recordVersion, staleForm, versionAt } from './form-action';
import { OPERATORS, READERS, csrfToken, renderError } from './plugin';

/**
 * Shipments with problems (SHIP-5, CALL-3; issue 17): the donations whose shipment is in trouble or
 * waits for an operator's decision, a shipment's page with its history, reporting a delay, damage or
 * loss (the workflow re-ships, or escalates past the re-shipment limit) and deciding an escalated
 * shipment (re-ship once more, or close) — through the API's /shipments routes as the person.
 */
type Form = Record<string, string | undefined>;
type ShipmentRequest = FastifyRequest<{ Params: { id: string }; Body: Form; Querystring: Form }>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SOURCES: Record<string, string> = { operator: '運営事業者', call_centre: 'コールセンター', carrier: '配送業者' };
const shipmentView = (s: Record<string, any>): Record<string, any> => ({ ...s, statusLabel: SHIPMENT_STATUS_LABELS[s.status] ?? s.status, troubleLabel: s.troubleKind ? TROUBLE_KIND_LABELS[s.troubleKind as keyof typeof TROUBLE_KIND_LABELS] : null });
const options = (labels: Record<string, string>, selected?: string) => Object.entries(labels).map(([value, label]) => ({ value, label, selected: value === selected }));

export function registerShipmentPages(app: FastifyInstance, _deps: RouteDeps, api: ApiCall): void {
  app.get('/shipments', { config: { consoleRoles: READERS } }, async (request, reply) => {
    const [escalated, trouble] = await donationQueues(api, request.consoleUser!, 'shipmentStatus', ['escalated', 'trouble']);
    return reply.view('shipments.hbs', { title: '配送のトラブル', escalated, trouble });
  });

  // A donation's shipments (the queue lists donations).
  app.get('/shipments/of-donation/:id', { config: { consoleRoles: READERS } }, async (request: ShipmentRequest, reply) => {
    if (!UUID.test(request.params.id)) return renderError(reply, 404, '配送が見つかりません', 'この寄附の配送はありません。');
    const res = await api(request.consoleUser!, 'GET', `/shipments?donationId=${request.params.id}`);
    const shipments = res.status === 200 ? (res.body.shipments as Record<string, any>[]) : [];
    if (!shipments.length) return renderError(reply, 404, '配送が見つかりません', 'この寄附の配送はありません。');
    return reply.view('shipments-of-donation.hbs', { title: '寄附の配送', donationId: request.params.id, shipments: shipments.map(shipmentView) });
  });

  async function shipmentPage(request: ShipmentRequest, reply: FastifyReply, status: number, extra: Record<string, unknown> = {}) {
    const id = request.params.id;
    if (!UUID.test(id)) return renderError(reply, 404, '配送が見つかりません', `配送 ${id} はありません。`);
    const res = await api(request.consoleUser!, 'GET', `/shipments/${id}`);
    if (res.status === 404) return renderError(reply, 404, '配送が見つかりません', `配送 ${id} はありません。`);
    if (res.status !== 200) return renderError(reply, res.status, '配送を読み込めませんでした', String(res.body?.message ?? ''));
    const s = shipmentView(res.body);
    const can = OPERATORS.includes(request.consoleUser!.role);
    const form = (extra.troubleForm ?? {}) as Form;
    const decision = (extra.resolveForm ?? {}) as Form;
    return reply.code(status).view('shipment.hbs', {
      title: `配送 ${s.reference ?? s.id}`,
      csrf: csrfToken(reply),
      seen: recordVersion(res.body),
      s,
      events: [...(res.body.events as Record<string, any>[])].reverse().map((e) => ({ ...e, toLabel: e.to ? (SHIPMENT_STATUS_LABELS[e.to] ?? e.to) : null })),
      // A stale form (409) stays on the page with what was typed, even when the shipment has moved past it: sent again, the route decides.
      canReport: can && (['ordered', 'shipped', 'delivered'].includes(s.status) || (status === 409 && !!extra.troubleForm)),
      canResolve: can && (s.status === 'escalated' || (status === 409 && !!extra.resolveForm)),
      kinds: options(TROUBLE_KIND_LABELS, form.kind),
      sources: options(SOURCES, form.source ?? 'operator'),
      actions: options({ reship: 'もう一度発送する', close: '発送せずに終える' }, decision.action),
      ...extra,
    });
  }

  app.get('/shipments/:id', { config: { consoleRoles: READERS } }, async (request: ShipmentRequest, reply) => {
    const done = request.query.done;
    return shipmentPage(request, reply, 200, doneNotice(done, DONE));
  });

  /** The shipment as the form saw it (stale-form check): its state and history, without the workflow's live state. */
  const currentVersion = versionAt(api, (request: ShipmentRequest) => `/shipments/${request.params.id}`);

  /** A form opened before a colleague changed the shipment is refused (409, what was typed kept); otherwise it goes to the route. */
  async function send(request: ShipmentRequest, reply: FastifyReply, what: 'trouble' | 'resolve', typed: Form, done: (status: number, body: any) => keyof typeof DONE) {
    if (UUID.test(request.params.id) && (await staleForm(request, currentVersion))) return shipmentPage(request, reply, 409, { [`${what}Form`]: typed, ...STALE_ANSWER });
    const res = await api(request.consoleUser!, 'POST', `/shipments/${request.params.id}/${what}`, typed);
    return answer(request, reply, res, what, typed, (body) => done(res.status, body));
  }

  async function answer(request: ShipmentRequest, reply: FastifyReply, res: { status: number; body: any }, form: 'trouble' | 'resolve', typed: Form, done: (body: any) => keyof typeof DONE) {
    if (res.status >= 200 && res.status < 300) return reply.redirect(`/console/shipments/${request.params.id}?done=${done(res.body)}`, 303);
    const keep = { [`${form}Form`]: typed };
    if (res.status === 400) return shipmentPage(request, reply, 400, { ...keep, [`${form}Errors`]: fieldErrors(res.body), error: '入力内容を確認してください。', errorHeading: '入力内容に誤りがあります' });
    return shipmentPage(request, reply, res.status, { ...keep, error: String(res.body?.message ?? '操作できませんでした。'), errorHeading: '操作できませんでした' });
  }

  // Delay, damage or loss (POST /shipments/:id/trouble): a re-shipment, or an escalation past the limit.
  app.post('/shipments/:id/trouble', { config: { consoleRoles: OPERATORS } }, async (request: ShipmentRequest, reply) => {
    const typed = { kind: request.body.kind ?? '', note: request.body.note ?? '', source: request.body.source || 'operator' };
    return send(request, reply, 'trouble', typed, (status, body) => (status === 202 || body?.reshipment ? 'reshipped' : body?.escalated ? 'escalated' : 'reported'));
  });

  // An escalated shipment's decision (POST /shipments/:id/resolve).
  app.post('/shipments/:id/resolve', { config: { consoleRoles: OPERATORS } }, async (request: ShipmentRequest, reply) => {
    const typed = { action: request.body.action ?? '', reason: request.body.reason ?? '' };
    return send(request, reply, 'resolve', typed, () => (typed.action === 'reship' ? 'resolvedReship' : 'resolvedClose'));
  });
}

const DONE = {
  reshipped: 'トラブルを記録しました。再発送を手配します（新しい配送が作られます）。',
  escalated: 'トラブルを記録しました。再発送の上限に達したため、対応の判断待ちになりました。',
  reported: 'トラブルを記録しました。',
  resolvedReship: 'もう一度発送することにしました。',
  resolvedClose: '発送せずに終えることにしました。',
} as const satisfies Record<string, string>;
