import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { CARRIER_CATALOGUE, CARRIER_NAMES } from '../../domain/carriers/catalogue';
import { SHIPMENT_STATUS_LABELS } from '../../domain/console/labels';
import { jstDate } from '../../domain/jst';
import type { RouteDeps } from '../feature';
import { fieldErrors, queryString, type ApiCall } from './api-client';
import { csrfToken, renderError } from './plugin';
import { download, one, SUPPLIER_DESK, type Form } from './supplier-shared';

/**
 * Suppliers' orders (issue 17, SHIP-1): today's and open orders from GET /supplier-orders (the API
 * scopes a supplier to its own code), an order's lines with the order CSV and the carrier's import
 * file, each shipment confirmed with date, carrier and tracking number (POST /shipments/:id/shipped,
 * validated by the shipment's workflow), or the carrier's issued-label export uploaded
 * (POST /supplier-orders/:id/issued-labels): good rows applied, each bad row listed with its reason.
 */
const ORDER_STATUS_LABELS: Record<string, string> = { open: '受付中', sent: '発注済み', closed: '完了' };
const carriers = (selected?: string) => CARRIER_CATALOGUE.map((c) => ({ value: c.code, label: c.name, selected: c.code === selected }));

export function registerSupplierOrderPages(app: FastifyInstance, _deps: RouteDeps, api: ApiCall): void {
  app.get('/supplier/orders', { config: { consoleRoles: SUPPLIER_DESK } }, async (request, reply) => {
    const res = await api(request.consoleUser!, 'GET', '/supplier-orders?limit=200');
    if (res.status !== 200) return renderError(reply, res.status, '注文を読み込めませんでした', String(res.body?.message ?? ''));
    const today = jstDate(new Date());
    const orders = (res.body.orders as Record<string, any>[]).map((o): Record<string, any> => ({ ...o, statusLabel: ORDER_STATUS_LABELS[o.status] ?? o.status, open: o.shipped < o.lines }));
    return reply.view('supplier/orders.hbs', {
      title: '注文と発送',
      today,
      todays: orders.filter((o) => o.shipOn === today),
      open: orders.filter((o) => o.open && o.shipOn !== today),
      done: orders.filter((o) => !o.open && o.shipOn !== today).slice(0, 30),
    });
  });

  type OrderRequest = FastifyRequest<{ Params: { id: string; sid?: string }; Querystring: Form; Body: Form }>;

  async function orderPage(request: OrderRequest, reply: FastifyReply, status: number, extra: Record<string, unknown> = {}) {
    const id = request.params.id;
    const res = await api(request.consoleUser!, 'GET', `/supplier-orders/${encodeURIComponent(id)}`);
    // Another supplier's order is answered as the API answers it: not found.
    if (res.status === 404 || res.status === 400) return renderError(reply, 404, '注文が見つかりません', `注文 ${id} はありません。`);
    if (res.status !== 200) return renderError(reply, res.status, '注文を読み込めませんでした', String(res.body?.message ?? ''));
    const order = res.body;
    const typed = (extra.typed ?? {}) as Record<string, Form>;
    const errors = (extra.lineErrors ?? {}) as Record<string, Record<string, string>>;
    const today = jstDate(new Date());
    const uploadCarrier = one(request.query.carrier);
    const uploadDay = one(request.query.shippedOn);
    const chosen = uploadCarrier && CARRIER_NAMES[uploadCarrier as keyof typeof CARRIER_NAMES] && uploadDay && /^\d{4}-\d{2}-\d{2}$/.test(uploadDay);
    return reply.code(status).view('supplier/order.hbs', {
      title: `注文 ${order.id}`,
      csrf: csrfToken(reply),
      order: { ...order, statusLabel: ORDER_STATUS_LABELS[order.status] ?? order.status },
      lines: (order.lines as Record<string, any>[]).map((l, i) => {
        const mine = typed[l.shipmentId];
        return {
          ...l,
          n: i + 1,
          prefix: `l${i + 1}-`,
          statusLabel: SHIPMENT_STATUS_LABELS[l.status] ?? l.status,
          carrierLabel: l.carrier ? (CARRIER_NAMES[l.carrier as keyof typeof CARRIER_NAMES] ?? l.carrier) : '',
          canShip: l.status === 'ordered',
          form: { shippedOn: one(mine?.shippedOn) ?? today, trackingNumber: one(mine?.trackingNumber) ?? '' },
          carriers: carriers(one(mine?.carrier) ?? l.carrier ?? undefined),
          errors: errors[l.shipmentId] ?? {},
        };
      }),
      carriers: carriers(uploadCarrier),
      carrierFiles: CARRIER_CATALOGUE.map((c) => ({ href: `/console/supplier/orders/${order.id}/carrier-file${queryString({ carrier: c.code })}`, label: c.name })),
      upload: chosen ? { carrier: uploadCarrier, carrierLabel: CARRIER_NAMES[uploadCarrier as keyof typeof CARRIER_NAMES], shippedOn: uploadDay } : undefined,
      uploadDay: uploadDay ?? today,
      ...extra,
    });
  }

  app.get('/supplier/orders/:id', { config: { consoleRoles: SUPPLIER_DESK } }, async (request: OrderRequest, reply) => {
    const done = one(request.query.done);
    return orderPage(request, reply, 200, done === 'shipped' ? { notice: '発送を登録しました。配送の状況を追跡します。' } : {});
  });

  app.get('/supplier/orders/:id/order.csv', { config: { consoleRoles: SUPPLIER_DESK } }, async (request: OrderRequest, reply) =>
    download(reply, await api(request.consoleUser!, 'GET', `/supplier-orders/${encodeURIComponent(request.params.id)}/order.csv`), `order-${request.params.id}.csv`, 'text/csv; charset=utf-8'),
  );

  app.get('/supplier/orders/:id/carrier-file', { config: { consoleRoles: SUPPLIER_DESK } }, async (request: OrderRequest, reply) => {
    const res = await api(request.consoleUser!, 'GET', `/supplier-orders/${encodeURIComponent(request.params.id)}/carrier-file${queryString({ carrier: one(request.query.carrier) })}`);
    if (res.status === 422) return renderError(reply, 422, '送り状データを作れませんでした', `${res.body.message}：${(res.body.problems as { reason?: string; message?: string }[]).map((p) => p.reason ?? p.message ?? JSON.stringify(p)).join('、')}`);
    return download(reply, res, `carrier-${request.params.id}.csv`, 'text/csv; charset=Shift_JIS');
  });

  app.post('/supplier/orders/:id/shipments/:sid/shipped', { config: { consoleRoles: SUPPLIER_DESK } }, async (request: OrderRequest, reply) => {
    const sid = request.params.sid!;
    const body = { shippedOn: one(request.body.shippedOn) ?? '', carrier: one(request.body.carrier) ?? '', trackingNumber: (one(request.body.trackingNumber) ?? '').trim().replace(/[\s]/g, '') };
    const res = await api(request.consoleUser!, 'POST', `/shipments/${encodeURIComponent(sid)}/shipped`, body);
    if (res.status === 200) return reply.redirect(`/console/supplier/orders/${encodeURIComponent(request.params.id)}?done=shipped#line-${sid}`, 303);
    const keep = { typed: { [sid]: request.body } };
    if (res.status === 400) return orderPage(request, reply, 400, { ...keep, lineErrors: { [sid]: fieldErrors(res.body) }, error: '入力内容を確認してください。', errorHeading: '入力内容に誤りがあります' });
    return orderPage(request, reply, res.status === 404 ? 404 : 409, { ...keep, error: String(res.body?.message ?? '登録できませんでした。'), errorHeading: '発送を登録できませんでした' });
  });

  // The upload's body goes to the API as it came (the console's multipart parser hands it on unread).
  app.post('/supplier/orders/:id/labels', { config: { consoleRoles: SUPPLIER_DESK } }, async (request: OrderRequest, reply) => {
    const q = queryString({ carrier: one(request.query.carrier), shippedOn: one(request.query.shippedOn) });
    const res = await api(request.consoleUser!, 'POST', `/supplier-orders/${encodeURIComponent(request.params.id)}/issued-labels${q}`, request.body, { 'content-type': request.headers['content-type'] ?? '' });
    if (res.status === 200) {
      const { applied, errors } = res.body as { applied: number; errors: { row: number; reason: string; trackingNumber: string | null }[] };
      return orderPage(request, reply, 200, {
        notice: `${applied}件の発送を登録しました。${errors.length ? `${errors.length}行は登録していません（下の一覧）。` : ''}`,
        uploadErrors: errors,
      });
    }
    const reasons = ((res.body?.fields ?? []) as { field: string; reason: string }[]).map((f) => `${f.field.replace(/^(querystring|body)\./, '')}: ${f.reason}`);
    return orderPage(request, reply, res.status, { error: `ファイルを読み込めませんでした。何も登録していません。${reasons.join(' ') || String(res.body?.message ?? '')}`, errorHeading: 'ファイルを受け付けられませんでした' });
  });
}
