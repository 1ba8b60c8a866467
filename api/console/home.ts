import type { FastifyInstance } from 'fastify';
import type { Progress } from '../../ledger/progress';
import type { ConsoleDeps } from './deps';
import type { ApiCall } from './api-client';
import { billingMonthNow, disputedStatements } from './billing';
import { barChartSvg } from './chart';
import { roleHome } from './city-home';
import { ALL_ROLES, READERS, renderError, type ConsoleUser } from './plugin';
import { DONATION_STATUS_LABELS } from '../../domain/console/labels';

/**
 * The home page: for operators, today's work queues as counts linking to the filtered lists, and
 * the fiscal year's progress (LEDGER-3) as a chart — both from the API's GET /progress and
 * GET /donations, asked as the signed-in person.
 */
interface Queue {
  label: string;
  count: number | null;
  href?: string;
  alert?: boolean;
}

async function queues(api: ApiCall, user: ConsoleUser, p: Progress): Promise<Queue[]> {
  const count = async (q: string) => {
    const r = await api(user, 'GET', `/donations?limit=1${q}`);
    return r.status === 200 ? (r.body.total as number) : null;
  };
  const listed = async (url: string) => {
    const r = await api(user, 'GET', url);
    return r.status === 200 ? (r.body.alerts as unknown[]).length : null;
  };
  const billingMonth = billingMonthNow();
  const [atRisk, deficient, received, trouble, escalated, returned, onestopAlerts, stockAlerts, disputes] = await Promise.all([
    count('&atRisk=true'),
    count('&onestopStatus=deficient'),
    count('&onestopStatus=received'),
    count('&shipmentStatus=trouble'),
    count('&shipmentStatus=escalated'),
    count('&status=mail_returned'),
    listed('/onestop/alerts?open=true'),
    listed('/gifts/stock/alerts'),
    disputedStatements(api, user, billingMonth),
  ]);
  return [
    { label: '審査保留の寄附（INTAKE-4）', count: p.queues.reviewHolds, href: '/console/donations?status=held', alert: p.queues.reviewHolds > 0 },
    { label: '取込で隔離された行', count: p.queues.quarantineOpen, href: '/console/quarantine', alert: p.queues.quarantineOpen > 0 },
    { label: '書類の発送待ち', count: p.documents.due, href: '/console/donations?status=documents_due' },
    { label: '書類の期限が近い・超過', count: atRisk, href: '/console/donations?atRisk=true', alert: (atRisk ?? 0) > 0 },
    { label: '書類の期限超過', count: p.documents.overdue, href: '/console/donations?atRisk=true', alert: p.documents.overdue > 0 },
    { label: '郵便物の返戻（住所確認待ち）', count: returned, href: '/console/donations?status=mail_returned', alert: (returned ?? 0) > 0 },
    { label: 'ワンストップ申請：不備', count: deficient, href: '/console/donations?onestopStatus=deficient' },
    { label: 'ワンストップ申請：審査待ち', count: received, href: '/console/donations?onestopStatus=received' },
    { label: '配送トラブル', count: trouble, href: '/console/donations?shipmentStatus=trouble', alert: (trouble ?? 0) > 0 },
    { label: '再発送の判断待ち', count: escalated, href: '/console/donations?shipmentStatus=escalated', alert: (escalated ?? 0) > 0 },
    { label: 'ワンストップの未対応アラート', count: onestopAlerts, href: '/console/onestop/alerts', alert: (onestopAlerts ?? 0) > 0 },
    { label: '在庫アラート', count: stockAlerts, href: '/console/gifts', alert: (stockAlerts ?? 0) > 0 },
    { label: `請求明細への異議（${Number(billingMonth.slice(5))}月分）`, count: disputes, href: `/console/billing?month=${billingMonth}`, alert: (disputes ?? 0) > 0 },
  ];
}

export function registerHomeRoutes(app: FastifyInstance, deps: ConsoleDeps, api: ApiCall): void {
  const { portalLabel } = deps;
  app.get('/', { config: { consoleRoles: ALL_ROLES } }, async (request, reply) => {
    const user = request.consoleUser!;
    // Issue 17: the city and suppliers see their own queues (api/console/city-home.ts).
    if (user.role === 'city' || user.role === 'supplier') return roleHome(reply, api, user);
    if (!READERS.includes(user.role)) return reply.view('home.hbs', { title: 'ホーム' });
    const progress = await api<Progress>(user, 'GET', '/progress');
    if (progress.status !== 200) return renderError(reply, progress.status, '進捗を読み込めませんでした', String((progress.body as { message?: string }).message ?? ''));
    const p = progress.body;
    const byStatus = Object.entries(p.donations.byStatus).map(([status, v]) => ({ label: DONATION_STATUS_LABELS[status as keyof typeof DONATION_STATUS_LABELS] ?? status, status, ...v }));
    return reply.view('home.hbs', {
      title: 'ホーム',
      progress: p,
      queues: await queues(api, user, p),
      byStatus,
      byPortal: p.donations.byPortal.map((r) => ({ ...r, label: portalLabel(r.portal) })),
      fiscalYearLabel: `${p.fiscalYear}年度（${p.fiscalYear}年4月〜${p.fiscalYear + 1}年3月）`,
    });
  });

  // The chart as an image of its own: ECharts' SVG carries inline styles, which the pages' CSP refuses.
  app.get('/charts/progress-by-portal.svg', { config: { consoleRoles: READERS } }, async (request, reply) => {
    const p = (await api<Progress>(request.consoleUser!, 'GET', '/progress')).body;
    const rows = p.donations.byPortal;
    const svg = barChartSvg({ categories: rows.map((r) => portalLabel(r.portal)), values: rows.map((r) => r.amountYen), unit: '円' });
    return reply
      .header('content-type', 'image/svg+xml; charset=utf-8')
      .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'")
      .header('cache-control', 'private, max-age=60')
      .send(svg);
  });
}
