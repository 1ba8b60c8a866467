import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Progress } from '../../ledger/progress';
import { DONATION_STATUS_LABELS, ONESTOP_STATUS_LABELS, SHIPMENT_STATUS_LABELS } from '../../domain/console/labels';
import type { PortalNamer } from '../../domain/portals/declared';
import type { ConsoleDeps } from './deps';
import { queryString, type ApiCall } from './api-client';
import { barChartSvg } from './chart';
import { READERS, renderError } from './plugin';
import { one, type Form } from './supplier-shared';

/**
 * The fiscal year's progress (LEDGER-3) for the city: GET /progress as tables and server-rendered SVG
 * charts (each an image of its own: ECharts' SVG carries inline styles the pages' CSP refuses), and
 * the year's donations as CSV through the donation export.
 */
type Req = FastifyRequest<{ Querystring: Form; Params: { kind: string } }>;

interface Row {
  key: string;
  label: string;
  count: number;
  amountYen?: number;
}

/** Each breakdown of the progress, as rows with Japanese labels. */
const BREAKDOWNS: Record<string, { caption: string; unit: string; rows: (p: Progress, portalLabel: PortalNamer) => Row[]; value: (r: Row) => number }> = {
  portals: { caption: 'ポータル別の寄附額（取消を除く）', unit: '円', rows: (p, portalLabel) => p.donations.byPortal.map((r) => ({ key: r.portal, label: portalLabel(r.portal), count: r.count, amountYen: r.amountYen })), value: (r) => r.amountYen ?? 0 },
  statuses: {
    caption: '状態別の寄附件数',
    unit: '件',
    rows: (p) => Object.entries(p.donations.byStatus).map(([k, v]) => ({ key: k, label: DONATION_STATUS_LABELS[k as keyof typeof DONATION_STATUS_LABELS] ?? k, count: v.count, amountYen: v.amountYen })),
    value: (r) => r.count,
  },
  shipments: { caption: '返礼品の配送（状態別の件数）', unit: '件', rows: (p) => Object.entries(p.shipments.byStatus).map(([k, n]) => ({ key: k, label: SHIPMENT_STATUS_LABELS[k] ?? k, count: n })), value: (r) => r.count },
  onestop: { caption: 'ワンストップ特例申請（状態別の件数）', unit: '件', rows: (p) => Object.entries(p.oneStop.byStatus).map(([k, n]) => ({ key: k, label: ONESTOP_STATUS_LABELS[k] ?? k, count: n })), value: (r) => r.count },
};

export function registerCityProgressPages(app: FastifyInstance, deps: ConsoleDeps, api: ApiCall): void {
  const { portalLabel } = deps;
  const load = async (request: Req) => {
    const fy = one(request.query.fiscalYear);
    return api<Progress>(request.consoleUser!, 'GET', `/progress${queryString({ fiscalYear: fy && /^\d{4}$/.test(fy) ? fy : undefined })}`);
  };

  app.get('/progress', { config: { consoleRoles: READERS } }, async (request: Req, reply) => {
    const res = await load(request);
    if (res.status !== 200) return renderError(reply, res.status, '進捗を読み込めませんでした', String((res.body as { message?: string }).message ?? ''));
    const p = res.body;
    const fyQuery = queryString({ fiscalYear: p.fiscalYear });
    const lastDay = new Date(Date.parse(`${p.to}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
    const intakeRate = p.intake.imported ? `${(((p.intake.imported - p.intake.late) / p.intake.imported) * 100).toFixed(1)}%` : '—';
    return reply.view('city/progress.hbs', {
      title: `${p.fiscalYear}年度の進捗`,
      p,
      fiscalYearLabel: `${p.fiscalYear}年度（${p.from}〜${lastDay}）`,
      intakeRate,
      prev: `/console/progress${queryString({ fiscalYear: p.fiscalYear - 1 })}`,
      next: `/console/progress${queryString({ fiscalYear: p.fiscalYear + 1 })}`,
      breakdowns: Object.entries(BREAKDOWNS).map(([kind, b]) => ({ kind, caption: b.caption, rows: b.rows(p, portalLabel), money: kind === 'portals' || kind === 'statuses', src: `/console/progress/charts/${kind}.svg${fyQuery}` })),
      exportHref: `/console/donations/export${queryString({ appliedFrom: p.from, appliedTo: lastDay })}`,
      exportSjisHref: `/console/donations/export${queryString({ appliedFrom: p.from, appliedTo: lastDay, encoding: 'sjis' })}`,
    });
  });

  app.get('/progress/charts/:kind.svg', { config: { consoleRoles: READERS } }, async (request: Req, reply) => {
    const b = BREAKDOWNS[request.params.kind];
    if (!b) return renderError(reply, 404, 'グラフが見つかりません', '');
    const res = await load(request);
    if (res.status !== 200) return renderError(reply, res.status, '進捗を読み込めませんでした', '');
    const rows = b.rows(res.body, portalLabel);
    const svg = barChartSvg({ categories: rows.map((r) => r.label), values: rows.map(b.value), unit: b.unit });
    return reply
      .header('content-type', 'image/svg+xml; charset=utf-8')
      .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'")
      .header('cache-control', 'private, max-age=60')
      .send(svg);
  });
}
