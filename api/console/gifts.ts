import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Role } from '../../config/env';
import { STOCK_ALERT_LABELS } from '../../domain/console/operator-labels';
import type { PortalNamer } from '../../domain/portals/declared';
import type { ConsoleDeps } from './deps';
import { fieldErrors, type ApiCall } from './api-client';
import { STALE_ANSWER, doneNotice, recordVersion, staleForm } from './form-action';
import { giftActionsView, giftVersion, registerGiftActions } from './gift-actions';
import { OPERATORS, READERS, csrfToken, renderError, type ConsoleUser } from './plugin';

/**
 * Gifts and stock (GIFT-2; issue 17): the open stock alerts and the catalogue with each gift's stock,
 * a gift's page with its stock by portal, movements and alerts, and setting the total stock with a
 * reason — through the API's /gifts routes as the person. The same gift page is a supplier's desk for
 * its own gifts (the API refuses another supplier's gift).
 */
type Form = Record<string, string | undefined>;
type GiftRequest = FastifyRequest<{ Params: { code: string }; Body: Form; Querystring: Form }>;

/** Where a gift's page lives: who opens it, who sets the stock, and the way back. */
interface GiftDesk {
  base: string;
  roles: readonly Role[];
  actors: readonly Role[];
  back: { href: string; label: string };
  /** What else the desk shows and does (the operators' allocations, moves, activation). */
  more?: (api: ApiCall, user: ConsoleUser, gift: Record<string, any>, extra: Record<string, unknown>, portalLabel: PortalNamer) => Promise<Record<string, unknown>>;
}

const DESKS: GiftDesk[] = [
  { base: '/gifts', roles: READERS, actors: OPERATORS, back: { href: '/console/gifts', label: '返礼品と在庫へ戻る' }, more: giftActionsView },
  { base: '/supplier/gifts', roles: ['supplier'], actors: ['supplier'], back: { href: '/console/supplier/statements', label: '明細・品質・在庫へ戻る' } },
];

const alertView = (portalLabel: PortalNamer) => (a: Record<string, any>) => ({ ...a, kindLabel: STOCK_ALERT_LABELS[a.kind as keyof typeof STOCK_ALERT_LABELS] ?? a.kind, portalLabel: a.portal ? portalLabel(a.portal) : '全体' });

export function registerGiftPages(app: FastifyInstance, deps: ConsoleDeps, api: ApiCall): void {
  const { portalLabel } = deps;
  app.get('/gifts', { config: { consoleRoles: READERS } }, async (request, reply) => {
    const user = request.consoleUser!;
    const [alerts, gifts] = await Promise.all([api(user, 'GET', '/gifts/stock/alerts'), api(user, 'GET', '/gifts?limit=500')]);
    if (alerts.status !== 200 || gifts.status !== 200) return renderError(reply, 500, '返礼品を読み込めませんでした', String(alerts.body?.message ?? gifts.body?.message ?? ''));
    return reply.view('gifts.hbs', { title: '返礼品と在庫', canPropose: OPERATORS.includes(user.role), alerts: (alerts.body.alerts as Record<string, any>[]).map(alertView(portalLabel)), total: gifts.body.total, gifts: gifts.body.gifts });
  });
  const [operatorPage] = DESKS.map((desk) => registerGiftDesk(app, api, desk, portalLabel));
  registerGiftActions(app, api, operatorPage);
}

function registerGiftDesk(app: FastifyInstance, api: ApiCall, desk: GiftDesk, portalLabel: PortalNamer) {
  const version = giftVersion(api);
  async function giftPage(request: GiftRequest, reply: FastifyReply, status: number, extra: Record<string, unknown> = {}) {
    const code = request.params.code;
    const path = encodeURIComponent(code);
    const [gift, movements] = await Promise.all([api(request.consoleUser!, 'GET', `/gifts/${path}`), api(request.consoleUser!, 'GET', `/gifts/${path}/stock/movements?limit=50`)]);
    // Another supplier's gift is as unknown as one that does not exist.
    if (gift.status === 404 || gift.status === 400 || gift.status === 403) return renderError(reply, 404, '返礼品が見つかりません', `返礼品 ${code} はありません。`);
    if (gift.status !== 200) return renderError(reply, gift.status, '返礼品を読み込めませんでした', String(gift.body?.message ?? ''));
    const g = gift.body.gift;
    return reply.code(status).view('gift.hbs', {
      title: `返礼品 ${g.name}`,
      csrf: csrfToken(reply),
      seen: recordVersion(gift.body),
      g,
      back: desk.back,
      stockAction: `/console${desk.base}/${path}/stock`,
      portals: (g.stock?.portals ?? []).map((p: Record<string, any>) => ({ ...p, portalLabel: portalLabel(p.portal) })),
      alerts: (g.stock?.alerts ?? []).map(alertView(portalLabel)),
      movements: movements.status === 200 ? movements.body.movements : [],
      canAct: desk.actors.includes(request.consoleUser!.role),
      stockForm: { totalStock: g.stock?.totalStock ?? '' },
      ...(desk.more ? await desk.more(api, request.consoleUser!, g, extra, portalLabel) : {}),
      ...extra,
    });
  }

  app.get(`${desk.base}/:code`, { config: { consoleRoles: desk.roles } }, async (request: GiftRequest, reply) =>
    giftPage(request, reply, 200, doneNotice(request.query.done, DONE)),
  );

  // The total stock (POST /gifts/:code/stock): a stock movement with who and why.
  app.post(`${desk.base}/:code/stock`, { config: { consoleRoles: desk.actors } }, async (request: GiftRequest, reply) => {
    const typed = { totalStock: (request.body.totalStock ?? '').trim(), reason: request.body.reason ?? '' };
    // A form opened before someone else changed the gift's stock: 409, the gift as it is now, what was typed kept, nothing sent.
    if (await staleForm(request, version)) return giftPage(request, reply, 409, { stockForm: typed, ...STALE_ANSWER });
    const totalStock = typed.totalStock === '' ? null : /^\d+$/.test(typed.totalStock) ? Number(typed.totalStock) : typed.totalStock;
    const res = await api(request.consoleUser!, 'POST', `/gifts/${encodeURIComponent(request.params.code)}/stock`, { totalStock, reason: typed.reason });
    if (res.status === 200) return reply.redirect(`/console${desk.base}/${encodeURIComponent(request.params.code)}?done=stock`, 303);
    if (res.status === 400 || res.status === 422) return giftPage(request, reply, 400, { stockForm: typed, stockErrors: fieldErrors(res.body), error: '入力内容を確認してください。', errorHeading: '入力内容に誤りがあります' });
    return giftPage(request, reply, res.status, { stockForm: typed, error: String(res.body?.message ?? '操作できませんでした。'), errorHeading: '操作できませんでした' });
  });
  return giftPage;
}

const DONE = {
  stock: '在庫を更新しました。',
  allocation: 'ポータルの割当を更新しました。',
  move: '在庫を移しました。',
  activate: '販売を始めました。',
  proposal: '返礼品を提案しました。市の承認を待っています。',
} as const satisfies Record<string, string>;
