import type { FastifyReply } from 'fastify';
import type { Role } from '../../config/env';
import type { ApiAnswer } from './api-client';
import { renderError } from './plugin';

/** What the city's and the suppliers' pages (issue 17) share. */
export type Form = Record<string, string | string[] | undefined>;

export const one = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);

/** The supplier's desk: suppliers (scoped by the API to their code) and staff, who see every supplier's. */
export const SUPPLIER_DESK: readonly Role[] = ['supplier', 'operator', 'admin'];
/** The city's pages: the city and admins. */
export const CITY_DESK: readonly Role[] = ['city', 'admin'];

/** A file the API answered, handed to the browser as a download; anything else as the API's refusal. */
export function download(reply: FastifyReply, res: ApiAnswer, fileName: string, contentType: string) {
  if (res.status === 404 || res.status === 400) return renderError(reply, 404, 'ファイルが見つかりません', 'アドレスが正しいか確かめてください。');
  if (res.status !== 200) return renderError(reply, res.status, 'ファイルを作れませんでした', String(res.body?.message ?? ''));
  return reply
    .header('content-type', contentType)
    .header('content-disposition', `attachment; filename="${fileName}"`)
    .header('cache-control', 'no-store')
    .send(res.raw);
}

/** The last few months (YYYY-MM, JST), newest first: the months whose billing runs and reports a page looks for. */
export function recentMonths(today: string, count: number): string[] {
  const [y, m] = today.split('-').map(Number);
  return Array.from({ length: count }, (_, i) => {
    const d = new Date(Date.UTC(y, m - 1 - i, 1));
    return d.toISOString().slice(0, 7);
  });
}
