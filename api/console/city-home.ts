import type { FastifyReply } from 'fastify';
import { jstDate } from '../../domain/jst';
import type { ApiCall } from './api-client';
import { approvalQueue } from './city-approvals';
import type { ConsoleUser } from './plugin';

/**
 * The home page of the city and of a supplier (issue 17): their own queues instead of the
 * operator's — for the city, what waits for its decision; for a supplier, its open orders.
 */
export async function roleHome(reply: FastifyReply, api: ApiCall, user: ConsoleUser) {
  if (user.role === 'city') {
    const q = await approvalQueue(api, user);
    return reply.view('city/home.hbs', {
      title: 'ホーム',
      q,
      queues: [
        { label: '月次業務報告書の検査', count: q.reports.length, href: '/console/approvals#reports' },
        { label: '個人番号等の廃棄', count: q.destructions.length, href: '/console/approvals#destructions' },
        { label: '返礼品の提案', count: q.gifts.length, href: '/console/approvals#gifts' },
        { label: '請求書の受理・差し戻し', count: q.invoices.length, href: '/console/approvals#invoices' },
        { label: 'プロモーション', count: q.promotions.length, href: '/console/approvals#promotions' },
      ].map((c) => ({ ...c, alert: c.count > 0 })),
    });
  }
  const res = await api(user, 'GET', '/supplier-orders?limit=200');
  const today = jstDate(new Date());
  const orders = ((res.body?.orders ?? []) as Record<string, any>[]).filter((o) => o.shipped < o.lines || o.shipOn === today);
  return reply.view('supplier/home.hbs', { title: 'ホーム', orders, today, openLines: orders.reduce((n, o) => n + (o.lines - o.shipped), 0) });
}
