import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ConsoleUser } from './plugin';
import { jstDate } from '../../domain/jst';
import { CARRIER_NAMES } from '../../domain/carriers/catalogue';
import type { PortalNamer } from '../../domain/portals/declared';
import type { ConsoleDeps } from './deps';
import { fieldErrors, queryString, type ApiAnswer, type ApiCall } from './api-client';
import { STALE_ANSWER, recordVersion, staleForm } from './form-action';
import { csrfToken, renderError } from './plugin';
import { CITY_DESK, download, one, recentMonths, type Form } from './supplier-shared';

/**
 * The city's approvals (issue 17): one queue of everything waiting for the city — gift proposals
 * (GIFT-4) with their cost ratios against the 3割 cap, suppliers shipping fewer than twice a week
 * without an approved exception (SHIP-2), promotion campaigns (PR-1), the monthly invoice (BILL-4) —
 * each decided on its own page through the API's decision route, which records who and when.
 * Billing runs have no list route: the queue looks at the last six months' unscoped runs.
 */
const INVOICE_MONTHS = 6;

const pct = (ratio: number | null | undefined) => (ratio === null || ratio === undefined ? '—' : `${(ratio * 100).toFixed(1)}%`);

export interface ApprovalQueue {
  reports: Record<string, any>[];
  destructions: Record<string, any>[];
  gifts: Record<string, any>[];
  suppliers: Record<string, any>[];
  promotions: Record<string, any>[];
  invoices: Record<string, any>[];
  total: number;
}

/** Everything waiting for the city, from the API as the person. */
export async function approvalQueue(api: ApiCall, user: ConsoleUser): Promise<ApprovalQueue> {
  const months = recentMonths(jstDate(new Date()), INVOICE_MONTHS);
  // The current month's report cannot exist yet: the months before it.
  const reportMonths = months.slice(1);
  const [gifts, suppliers, promotions, destructions, ...rest] = await Promise.all([
    api(user, 'GET', '/gifts?approvalStatus=proposed&limit=500'),
    api(user, 'GET', '/suppliers?active=true'),
    api(user, 'GET', '/promotions?status=proposed'),
    api(user, 'GET', '/onestop/retention/destructions?status=proposed'),
    ...months.map((m) => api(user, 'GET', `/billing/runs/${m}`)),
    ...reportMonths.map((m) => api(user, 'GET', `/reports/monthly/${m}/inspection`)),
  ]);
  const runs = rest.slice(0, months.length);
  const inspections = rest.slice(months.length);
  const q: ApprovalQueue = {
    gifts: ((gifts.body?.gifts ?? []) as Record<string, any>[]).map((g) => ({ ...g, procurement: pct(g.procurementRatio), withShipping: pct(g.withShippingRatio) })),
    // SHIP-2: the ledger refuses fewer than two shipping days without the city's exception, so nothing waits here:
    // the city grants one from a supplier's page (with the new days); the suppliers holding one are listed.
    suppliers: ((suppliers.body?.suppliers ?? []) as Record<string, any>[]).filter((s) => s.shippingException),
    promotions: (promotions.body?.campaigns ?? []) as Record<string, any>[],
    invoices: runs.flatMap((r, i) => {
      const latest = r.status === 200 ? (r.body.invoices as Record<string, any>[])[0] : undefined;
      return latest?.status === 'issued' ? [{ ...latest, month: months[i] }] : [];
    }),
    destructions: (destructions.body?.destructions ?? []) as Record<string, any>[],
    reports: inspections.flatMap((r) => (r.status === 200 && r.body.status === 'awaiting_inspection' ? [r.body] : [])),
    total: 0,
  };
  q.total = q.reports.length + q.destructions.length + q.gifts.length + q.promotions.length + q.invoices.length;
  return q;
}

type Req = FastifyRequest<{ Params: { key: string }; Querystring: Form; Body: Form }>;

/** One kind of decision: where its facts come from, how the page shows them, what the form sends. */
interface DecisionKind {
  title: (key: string) => string;
  load: (api: ApiCall, user: ConsoleUser, key: string, query: Form, portalLabel: PortalNamer) => Promise<{ res: ApiAnswer; facts?: Record<string, unknown> }>;
  choices: { value: string; label: string }[];
  note: { field: string; label: string; hint: string };
  post: (key: string, facts: Record<string, unknown>, choice: string, note: string, form: Form) => { url: string; body: Record<string, unknown> };
  /** The kind's own fields as typed, for a page answered to a sent form (400/409): what the person chose stays chosen. */
  kept?: (facts: Record<string, unknown>, form: Form) => Record<string, unknown>;
}

const WEEKDAYS = ['', '月', '火', '水', '木', '金', '土', '日'];

/** The shipping weekdays ticked on the form (one checkbox sends a string, several an array, none nothing). */
const typedWeekdays = (form: Form): number[] => {
  const ticked: unknown = form.weekdays;
  return (Array.isArray(ticked) ? ticked : ticked ? [ticked] : []).map(Number);
};

/** A decision's facts: the API's answer to GET `url` as the person, shaped by `facts` when it is 200 (else the page shows the refusal). */
async function factsFrom(api: ApiCall, user: ConsoleUser, url: string, facts: (body: any) => Record<string, unknown>): Promise<{ res: ApiAnswer; facts?: Record<string, unknown> }> {
  const res = await api(user, 'GET', url);
  return res.status === 200 ? { res, facts: facts(res.body) } : { res };
}

const KINDS: Record<string, DecisionKind> = {
  reports: {
    title: (k) => `${k}分の月次業務報告書の検査`,
    load: (api, user, key) =>
      factsFrom(api, user, `/reports/monthly/${encodeURIComponent(key)}`, ({ revisions, inspection }) => {
        const decided = (inspection.inspections as Record<string, any>[]).filter((i) => i.revision === inspection.revision).at(-1);
        return {
          revisions: (revisions as Record<string, any>[]).map((r) => ({ ...r, pdf: `/console/reports/${r.month}/${r.revision}/report.pdf`, csv: `/console/reports/${r.month}/${r.revision}/report.csv` })),
          inspection,
          revision: inspection.revision,
          pending: inspection.status === 'awaiting_inspection',
          decided: decided ? { by: decided.decidedBy, at: decided.decidedAt, note: decided.reason, label: decided.decision === 'passed' ? `第${decided.revision}版 合格` : `第${decided.revision}版 差戻し` } : undefined,
        };
      }),
    choices: [{ value: 'pass', label: '検査に合格とする' }, { value: 'return', label: '差し戻す（作り直しを求める）' }],
    note: { field: 'reason', label: '差し戻しの理由', hint: '差し戻すときは理由が必要です。' },
    post: (key, f, choice, note) => ({ url: `/reports/monthly/${encodeURIComponent(key)}/inspection`, body: { revision: f.revision, decision: choice, reason: note || undefined } }),
  },
  destructions: {
    title: () => '個人番号等の廃棄の承認',
    async load(api, user, key) {
      const res = await api(user, 'GET', `/onestop/retention/destructions/${encodeURIComponent(key)}`);
      if (res.status !== 200) return { res };
      const d = res.body;
      return {
        res,
        facts: {
          destruction: d,
          pending: d.status === 'proposed',
          decided: d.decidedAt ? { by: d.decidedBy, at: d.decidedAt, note: d.decisionReason, label: d.status === 'rejected' ? '不承認' : '承認' } : undefined,
        },
      };
    },
    choices: [{ value: 'true', label: '廃棄を承認する' }, { value: 'false', label: '承認しない' }],
    note: { field: 'reason', label: '理由', hint: '承認する・しないの理由を書いてください。' },
    post: (key, _f, choice, note) => ({ url: `/onestop/retention/destructions/${encodeURIComponent(key)}/decision`, body: { approve: choice === 'true', reason: note } }),
  },
  gifts: {
    title: (k) => `返礼品の承認 ${k}`,
    load: (api, user, key, _query, portalLabel) =>
      factsFrom(api, user, `/gifts/${encodeURIComponent(key)}`, ({ gift: g }) => ({
        gift: {
          ...g,
          prices: (g.ratios.prices as Record<string, any>[]).map((p) => ({ ...p, label: p.portal ? portalLabel(p.portal) : '台帳の価格', procurement: pct(p.procurementRatio), withShipping: pct(p.withShippingRatio) })),
          binding: { procurement: pct(g.ratios.binding.procurementRatio), withShipping: pct(g.ratios.binding.withShippingRatio) },
        },
        pending: g.approval.status === 'proposed',
        decided: g.approval.decidedAt ? { by: g.approval.decidedBy, at: g.approval.decidedAt, note: g.approval.note, label: g.approval.status === 'approved' ? '承認' : g.approval.status === 'rejected' ? '却下' : g.approval.status } : undefined,
      })),
    choices: [{ value: 'approve', label: '承認する' }, { value: 'reject', label: '却下する' }],
    note: { field: 'note', label: '理由・メモ', hint: '却下するときは理由を書いてください。' },
    post: (key, _f, choice, note) => ({ url: `/gifts/${encodeURIComponent(key)}/decision`, body: { decision: choice, note: note || undefined } }),
  },
  promotions: {
    title: (k) => `プロモーションの承認 ${k}`,
    load: (api, user, key, _query, portalLabel) =>
      factsFrom(api, user, `/promotions/${encodeURIComponent(key)}`, ({ campaign: c }) => ({
        campaign: { ...c, portals: (c.portalCodes as string[]).map(portalLabel).join('、') },
        pending: c.status === 'proposed',
        decided: c.decidedAt ? { by: c.decidedBy, at: c.decidedAt, note: c.decisionNote, label: c.status === 'approved' ? '承認' : '却下' } : undefined,
      })),
    choices: [{ value: 'approved', label: '承認する' }, { value: 'rejected', label: '却下する' }],
    note: { field: 'note', label: '理由・メモ', hint: '却下するときは理由を書いてください。' },
    post: (key, _f, choice, note) => ({ url: `/promotions/${encodeURIComponent(key)}/decision`, body: { decision: choice, note: note || undefined } }),
  },
  suppliers: {
    title: (k) => `発送日の例外の承認 ${k}`,
    load: (api, user, key) =>
      factsFrom(api, user, `/suppliers/${encodeURIComponent(key)}`, ({ supplier: s }) => ({
        supplier: { ...s, weekdays: (s.shippingWeekdays as number[]).map((d) => WEEKDAYS[d]).join('・') || 'なし', carrier: s.defaultCarrier ? CARRIER_NAMES[s.defaultCarrier as keyof typeof CARRIER_NAMES] : '' },
        pending: true,
        weekdayOptions: WEEKDAYS.slice(1).map((label, i) => ({ value: i + 1, label, checked: (s.shippingWeekdays as number[]).includes(i + 1) })),
        decided: s.shippingException ? { by: s.shippingException.approvedBy, at: s.shippingException.approvedAt, note: s.shippingException.reason, label: '承認' } : undefined,
      })),
    choices: [{ value: 'approve', label: '週2回未満の発送を承認する（下の発送曜日とする）' }],
    note: { field: 'reason', label: '承認の理由', hint: '例: 少量生産のため週1回の出荷とする。' },
    post: (key, _f, _choice, note, form) => {
      const days = typedWeekdays(form);
      return { url: `/suppliers/${encodeURIComponent(key)}/shipping-exception`, body: { reason: note, ...(days.length ? { shippingWeekdays: days } : {}) } };
    },
    kept: (facts, form) => ({ weekdayOptions: (facts.weekdayOptions as { value: number }[]).map((o) => ({ ...o, checked: typedWeekdays(form).includes(o.value) })) }),
  },
  invoices: {
    title: (k) => `${k}分の請求書`,
    async load(api, user, key, query) {
      // A run for some suppliers only is addressed by its label too (?label=).
      const label = one(query.label);
      const res = await api(user, 'GET', `/billing/runs/${encodeURIComponent(key)}/invoice${queryString({ label })}`);
      if (res.status !== 200) return { res };
      const i = res.body;
      return {
        res,
        facts: {
          invoice: { ...i, ratioMonth: pct(i.content.ratio.month.ratio), ratioYear: pct(i.content.ratio.fiscalYearToDate.ratio), limit: pct(i.content.ratio.limit) },
          revision: i.revision,
          label,
          labelQuery: queryString({ label }),
          pending: i.status === 'issued',
          decided: i.decidedAt ? { by: i.decidedBy, at: i.decidedAt, note: i.rejectionReason, label: i.status === 'accepted' ? '受理' : '差戻し' } : undefined,
        },
      };
    },
    choices: [{ value: 'accept', label: '受理する（支払期限は30日後）' }, { value: 'reject', label: '差し戻す' }],
    note: { field: 'reason', label: '差し戻しの理由', hint: '差し戻すときは理由が必要です。' },
    post: (key, f, choice, note) => ({ url: `/billing/runs/${encodeURIComponent(key)}/invoice/decision${queryString({ label: f.label })}`, body: { revision: f.revision, decision: choice, reason: note || undefined } }),
  },
};

export function registerCityApprovalPages(app: FastifyInstance, deps: ConsoleDeps, api: ApiCall): void {
  const { portalLabel } = deps;
  app.get('/approvals', { config: { consoleRoles: CITY_DESK } }, async (request, reply) => {
    const q = await approvalQueue(api, request.consoleUser!);
    return reply.view('city/approvals.hbs', { title: '承認待ち', q });
  });

  async function page(kind: string, request: Req, reply: FastifyReply, status: number, extra: Record<string, unknown> = {}) {
    const k = KINDS[kind];
    const { res, facts } = await k.load(api, request.consoleUser!, request.params.key, request.query, portalLabel);
    if (!facts) return renderError(reply, res.status === 400 ? 404 : res.status, '見つかりません', `${request.params.key} はありません。`);
    const typed = (extra.typed ?? {}) as Form;
    return reply.code(status).view('city/decision.hbs', {
      title: k.title(request.params.key),
      kind,
      key: request.params.key,
      csrf: csrfToken(reply),
      // The record as the form saw it (stale-form check): a decision taken meanwhile by a colleague answers 409.
      seen: recordVersion(res.body),
      ...facts,
      // A stale form (409) stays on the page with the choice and text typed, beside the colleague's decision: sent again, the route decides.
      pending: facts.pending || (status === 409 && extra.typed !== undefined),
      [kind]: true,
      choices: k.choices.map((c, i) => ({ ...c, i, checked: one(typed.decision) ? one(typed.decision) === c.value : i === 0 })),
      note: { ...k.note, value: one(typed[k.note.field]) ?? '' },
      ...(extra.typed !== undefined && k.kept ? k.kept(facts, typed) : {}),
      ...extra,
    });
  }

  for (const kind of Object.keys(KINDS)) {
    app.get(`/approvals/${kind}/:key`, { config: { consoleRoles: CITY_DESK } }, async (request: Req, reply) =>
      page(kind, request, reply, 200, one(request.query.done) ? { notice: '判断を記録しました。' } : {}),
    );

    app.post(`/approvals/${kind}/:key`, { config: { consoleRoles: CITY_DESK } }, async (request: Req, reply) => {
      const k = KINDS[kind];
      const { res: loaded, facts } = await k.load(api, request.consoleUser!, request.params.key, request.query, portalLabel);
      if (!facts) return renderError(reply, loaded.status === 400 ? 404 : loaded.status, '見つかりません', `${request.params.key} はありません。`);
      if (await staleForm(request, async () => recordVersion(loaded.body))) return page(kind, request, reply, 409, { typed: request.body, ...STALE_ANSWER });
      const choice = one(request.body.decision) ?? '';
      const note = (one(request.body[k.note.field]) ?? '').trim();
      const { url, body } = k.post(request.params.key, facts, choice, note, request.body);
      const res = await api(request.consoleUser!, 'POST', url, body);
      if (res.status >= 200 && res.status < 300) return reply.redirect(`/console/approvals/${kind}/${encodeURIComponent(request.params.key)}${queryString({ label: one(request.query.label), done: 1 })}`, 303);
      const errors = fieldErrors(res.body);
      // A refusal naming the note's field only in its message (the invoice's "reason is required to reject") is still shown at the field.
      if (res.status === 400 && !Object.keys(errors).length && String(res.body?.message ?? '').startsWith(k.note.field)) errors[k.note.field] = res.body.message;
      const message = res.status === 400 ? '入力内容を確認してください。' : String(res.body?.message ?? '記録できませんでした。');
      return page(kind, request, reply, res.status === 400 ? 400 : 409, { typed: request.body, errors, error: message, errorHeading: res.status === 400 ? '入力内容に誤りがあります' : '記録できませんでした' });
    });
  }

  // The invoice as issued (PDF, CSV), for the person deciding it.
  for (const kind of ['pdf', 'csv'] as const) {
    app.get(`/approvals/invoices/:key/invoice.${kind}`, { config: { consoleRoles: CITY_DESK } }, async (request: Req, reply) => {
      const res = await api(request.consoleUser!, 'GET', `/billing/runs/${encodeURIComponent(request.params.key)}/invoice.${kind}${queryString({ label: one(request.query.label), revision: one(request.query.revision) })}`);
      return download(reply, res, `invoice-${request.params.key}.${kind}`, kind === 'pdf' ? 'application/pdf' : 'text/csv; charset=utf-8');
    });
  }
}
