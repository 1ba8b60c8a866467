import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Role } from '../../config/env';
import type { ActivationProblemCode } from '../../domain/gifts/approval';
import { PORTAL_CODES } from '../../domain/portals/catalogue';
import type { PortalNamer } from '../../domain/portals/declared';
import { queryString, type ApiCall } from './api-client';
import { defined, formAction, trimmed, versionAt, typedNumber, type Form, type FormPage, type FormRequest } from './form-action';
import { OPERATORS, csrfToken, type ConsoleUser } from './plugin';

/**
 * The operators' gift actions (GIFT-2, GIFT-4, GIFT-5; issue 17), each through the API's /gifts route as
 * the person: a portal's allocation (`POST /gifts/:code/stock` with allocations), a move between portals
 * or from the unallocated pool (`…/stock/moves`), the rebalancing recommendation with each move one press
 * away (`GET …/stock/rebalance`), a new gift proposed to the city (`POST /gifts`) and putting an approved
 * gift on sale (`POST /gifts/:code/activate`: the route refuses it, with the reasons, until the city
 * approved it and the 3割 cap and the supplier's acknowledgement hold).
 */
type GiftRequest = FastifyRequest<{ Params: { code: string }; Querystring: Form; Body: Form }>;

const APPROVAL_LABELS: Record<string, string> = { proposed: '市の承認待ち', approved: '市が承認', rejected: '市が却下' };
/** Every reason the route may give (a new one fails the type check until it has its label). */
const PROBLEM_LABELS: Record<ActivationProblemCode, string> = {
  not_approved: '市の承認がまだです',
  no_supplier: '事業者が決まっていません',
  supplier_not_approved: '事業者が市の承認を受けていません',
  supplier_inactive: '事業者が取引停止中です',
  rules_not_acknowledged: '事業者が地場産品基準などの確認書を出していません',
  cost_cap_exceeded: '調達費が寄附額の3割を超えています',
};

const portalOptions = (chosen: string | undefined, portalLabel: PortalNamer) => PORTAL_CODES.map((p) => ({ value: p, label: portalLabel(p), selected: chosen === p }));

/** What the operator desk of a gift's page shows besides the stock form. */
export async function giftActionsView(api: ApiCall, user: ConsoleUser, g: Record<string, any>, extra: Record<string, unknown>, portalLabel: PortalNamer) {
  if (!OPERATORS.includes(user.role)) return {};
  const rebalance = await api(user, 'GET', `/gifts/${encodeURIComponent(g.code)}/stock/rebalance`);
  const plan = rebalance.status === 200 ? rebalance.body.recommendation : null;
  const base = `/console/gifts/${encodeURIComponent(g.code)}`;
  const allocation = (extra.allocationTyped ?? {}) as Form;
  const move = (extra.moveTyped ?? {}) as Form;
  return {
    approvalLabel: APPROVAL_LABELS[g.approval?.status] ?? g.approval?.status,
    activationProblems: (g.activationProblems as { code: string; message: string }[]).map((p) => ({ ...p, label: PROBLEM_LABELS[p.code as ActivationProblemCode] ?? p.message })),
    canActivate: !g.active,
    activateAction: `${base}/activate`,
    allocationAction: `${base}/allocations`,
    moveAction: `${base}/moves`,
    allocationPortals: portalOptions(allocation.portal, portalLabel),
    // A total the allocations would exceed is said of the allocations as a whole: shown at the number.
    allocatedError: ((extra.allocationErrors ?? {}) as Record<string, string>).allocated ?? ((extra.allocationErrors ?? {}) as Record<string, string>).allocations,
    moveFrom: [{ value: 'pool', label: '未割当の在庫', selected: move.from === 'pool' }, ...portalOptions(move.from, portalLabel)],
    moveTo: portalOptions(move.to, portalLabel),
    rebalance: plan && {
      rule: plan.rule,
      moves: (plan.moves as Record<string, any>[]).map((m) => ({ ...m, fromValue: m.from ?? 'pool', fromLabel: m.from ? portalLabel(m.from) : '未割当の在庫', toLabel: portalLabel(m.to) })),
      unmet: (plan.unmet as { portal: string; quantity: number }[]).map((u) => ({ ...u, portalLabel: portalLabel(u.portal) })),
    },
  };
}

/**
 * A gift's version for the stock forms' stale-form check (the operators' and the supplier's desk): the gift as the API
 * answers it — prices, approval and stock by portal, which every stock movement changes.
 */
export const giftVersion = (api: ApiCall) => versionAt(api, (request: GiftRequest) => `/gifts/${encodeURIComponent(request.params.code)}`);

export function registerGiftActions(app: FastifyInstance, api: ApiCall, page: FormPage<GiftRequest>): void {
  const on = { config: { consoleRoles: OPERATORS } };
  const version = giftVersion(api);
  const path = (request: GiftRequest) => encodeURIComponent(request.params.code);
  const back = (request: GiftRequest, done: string) => `/console/gifts/${path(request)}${queryString({ done })}`;

  app.post(
    '/gifts/:code/allocations',
    on,
    formAction(api, page, {
      route: (request) => `/gifts/${path(request)}/stock`,
      payload: (f) => ({ allocations: [{ portal: f.portal ?? '', allocated: trimmed(f.allocated) === '' ? null : typedNumber(f.allocated) }], reason: trimmed(f.reason) }),
      form: 'allocation',
      errorPrefix: /^allocations\[0\]\./,
      back,
      version,
    }),
  );
  app.post(
    '/gifts/:code/moves',
    on,
    formAction(api, page, {
      route: (request) => `/gifts/${path(request)}/stock/moves`,
      payload: (f) => defined({ from: f.from === 'pool' ? null : f.from, to: f.to, quantity: typedNumber(f.quantity), reason: trimmed(f.reason) }),
      form: 'move',
      back,
      version,
    }),
  );
  app.post('/gifts/:code/activate', on, formAction(api, page, { route: (request) => `/gifts/${path(request)}/activate`, payload: () => ({}), form: 'activate', back }));

  registerProposalPages(app, api);
}

const PROPOSERS: readonly Role[] = OPERATORS;

/** A new gift proposed to the city (GIFT-5): it is not on sale until the city approves it and it is activated. */
function registerProposalPages(app: FastifyInstance, api: ApiCall): void {
  const proposalPage: FormPage<FormRequest> = async (_request, reply: FastifyReply, status, extra = {}) =>
    reply.code(status).view('gift-proposal.hbs', { title: '返礼品を提案する', csrf: csrfToken(reply), typed: extra.proposalTyped ?? {}, errors: extra.proposalErrors ?? {}, ...extra });

  app.get('/gifts/new', { config: { consoleRoles: PROPOSERS } }, async (request: FormRequest, reply) => proposalPage(request, reply, 200));
  app.post(
    '/gifts/new',
    { config: { consoleRoles: PROPOSERS } },
    formAction(api, proposalPage, {
      route: () => '/gifts',
      payload: (f) =>
        defined({
          code: trimmed(f.code),
          name: trimmed(f.name),
          supplierCode: trimmed(f.supplierCode),
          priceYen: typedNumber(f.priceYen),
          costYen: typedNumber(f.costYen),
          shippingCostYen: typedNumber(f.shippingCostYen),
          totalStock: typedNumber(f.totalStock),
          localProductBasis: trimmed(f.localProductBasis),
        }),
      form: 'proposal',
      back: (request) => `/console/gifts/${encodeURIComponent(trimmed(request.body.code))}${queryString({ done: 'proposal' })}`,
    }),
  );
}
